/* What the launcher's decision logic needs to know about the operating system
 * it runs on. The per-OS file (platform_<os>.c) supplies the real values; unit
 * tests choose them, so every platform's decisions are tested on Linux. */
#ifndef VENVSHIM_PLATFORM_H
#define VENVSHIM_PLATFORM_H

#include <stdbool.h>

typedef struct {
    /* macOS: a framework build's bin/pythonX.Y is a stub that would replace
     * the venv path with its own; run the framework's Python.app binary with
     * __PYVENV_LAUNCHER__ instead, as the stub itself does. */
    bool macos_frameworks;
    /* Windows: console scripts have their own launcher (launcher/win/
     * scriptlauncher.c, PE + appended zip), so the plan never treats a
     * non-interpreter name as an ELF script launcher (script.c). */
    bool own_script_launchers;
} platform_traits;

platform_traits platform_traits_current(void);

/* True when the kernel started this process with rights the caller does not
 * have: a set-user-ID or set-group-ID bit, file capabilities (Linux's
 * AT_SECURE; issetugid() on macOS and the BSDs; real and effective IDs
 * elsewhere). The launcher then refuses to run (EXIT_PRIVILEGED): pyvenv.cfg,
 * PATH and the current directory, which choose what it executes, belong to
 * the caller. */
bool platform_privileged(void);

#endif
