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
} platform_traits;

platform_traits platform_traits_current(void);

#endif
