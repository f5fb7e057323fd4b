/* venvshim's contract with the world outside this C code, in one place:
 * the exit codes (README.md, "Exit codes"), the string that marks a launcher
 * binary, and the names shared with the site-init hook (site-init/). A value
 * here is a promise: changing it changes what users, scripts and installed
 * venvs see. No includes: everything may use it. */
#ifndef VENVSHIM_CONTRACT_H
#define VENVSHIM_CONTRACT_H

/* The launchers' exit codes (POSIX bin/python, Windows Scripts\python.exe and
 * console-script launchers). Where CPython's launcher for Windows has a code
 * for the same failure, venvshim uses its number (CPython's PC/launcher2.c,
 * the RC_* defines, which its venvlauncher builds share): a venv behaves the
 * same whichever launcher it has. */
enum {
    /* CPython's codes */
    EXIT_EXEC_FAILED = 101, /* RC_CREATE_PROCESS: the base interpreter could not be started */
    EXIT_NO_BASE = 103,     /* RC_NO_PYTHON: no usable base interpreter (home missing, loop, ...) */
    /* RC_NO_SCRIPT: CPython's script file cannot be used; venvshim's script
     * launcher carries one (an appended zip) that is damaged. Close enough to
     * keep the number: in both the script to run is not usable. */
    EXIT_BAD_SCRIPT = 105,
    EXIT_NO_CFG = 106,     /* RC_NO_VENV_CFG: no pyvenv.cfg next to the launcher or in its parent */
    EXIT_BAD_CFG = 107,    /* RC_BAD_VENV_CFG: pyvenv.cfg unreadable or invalid */
    EXIT_NO_SHEBANG = 113, /* RC_NO_SHEBANG: a Windows console-script launcher without its
                              "#!" line and appended zip (pip's layout) */
    /* venvshim's own codes (CPython has no such failure) */
    EXIT_PRIVILEGED = 120, /* started set-user-ID / set-group-ID / AT_SECURE: refused */
    EXIT_NO_ACCESS = 121,  /* home exists but this user may not reach it (permission denied) */
};

/* The CLI's exit codes (`venvshim create|install|check|relocate|rebase`). */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Every launcher binary embeds this string followed by its version
 * (launcher/posix/launcher_main.c, launcher/win/venvlauncher.c,
 * launcher/win/scriptlauncher.c); `venvshim install` and `check` recognise a
 * launcher by it, and shebang.c a launcher in a base's `#!` chain. */
#define VS_LAUNCHER_MARKER "venvshim-launcher-marker "

/* The site-init hook `venvshim install` writes into each site-packages
 * (launcher/cli/siteinit.c, from site-init/_venvshim.pth and
 * site-init/_venvshim_init.py): relhome.c checks that the .pth is there. */
#define VS_SITE_INIT_PTH "_venvshim.pth"
#define VS_SITE_INIT_MODULE "_venvshim_init"

/* The module `venvshim relocate` writes into a relocatable venv's
 * site-packages (site-init/_venvshim_scripts.py): at the exit of pip it turns
 * the console scripts pip wrote into script launchers. The launcher brings it
 * in only where pip runs (pip_hook.h), so no other start pays for it. */
#define VS_PIP_HOOK_MODULE "_venvshim_scripts"

/* For a relative home, the launcher names the base binary in this variable;
 * site-init/_venvshim_init.py reads it (spelled there too: it is Python),
 * sets sys._base_executable and removes it from os.environ. */
#define VS_RELHOME_MARKER_VAR "__VENVSHIM_BASE_EXECUTABLE__"

/* `venvshim install` keeps the one launcher file of a venv under this name in
 * bin/ and makes every bin/python* a relative symlink to it: `python -m venv
 * --upgrade` leaves a symlink alone (CPython's venv symlink_or_copy, "can't
 * link to itself"), where it would copy the base over a regular file. */
#define VS_LAUNCHER_FILE ".venvshim-launcher"
/* ... and records the base binary as this symlink in bin/ (its target), where
 * venv never writes: for people, and for `check`, which takes it as the sign
 * that the venv was converted once. The launcher reads the base it falls back
 * to from its own file instead (base_trailer.h), which a copy carries along. */
#define VS_BASE_RECORD ".venvshim-base"

/* What `venvshim install` appends after the launcher's ELF image, before the
 * base binary's absolute path and a newline: the base the launcher falls back
 * to when pyvenv.cfg's home gives none (base_trailer.h). Copies of the file
 * (`python -m venv --copies`) carry it; payload.c knows it is no script. */
#define VS_BASE_TRAILER_MAGIC "venvshim-base/1\n"

#endif
