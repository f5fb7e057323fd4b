/* Which file in `home` is the base interpreter, by platform (names_posix.c,
 * names_win.c): the only part of resolution that differs between them.
 * POSIX tries the recorded executable, then home/<invoked name>,
 * home/pythonX.Y, home/python3, home/python. Windows runs exactly
 * home\<name mapped from the launcher's own name>, as CPython's venvlauncher
 * does: python.exe, pythonw.exe, python_d.exe, python3.13t.exe, ... */
#ifndef VENVSHIM_NAMES_H
#define VENVSHIM_NAMES_H

#include <stdbool.h>

#include "cfg.h"
#include "strbuf.h"

#define BASE_NAMES_MAX 4

typedef struct {
    const char *names[BASE_NAMES_MAX]; /* tried in order; may point into the inputs */
    int count;
    bool use_recorded; /* try pyvenv.cfg's base-executable / executable first */
    char storage[64];  /* a name built by the mapping */
} base_names;

/* invoked: the launcher's file name; versioned: "pythonX.Y" or ""; recorded:
 * pyvenv.cfg's executable (or base-executable) value, ptr NULL if absent. */
void names_base_for(const char *invoked, const char *versioned, cfg_value recorded,
                    base_names *out);

/* The fix that keeps a venv's packages when its base is gone: point the venv
 * at another installed Python of its version ("X.Y", "" when unknown), as
 * words the user can paste. POSIX: `venvshim rebase DIR`. Windows has no
 * rebase command: set home in the venv's pyvenv.cfg (the redirectors read it
 * at every start); with reinstall (home holds no other Python), or put
 * Python X.Y back there. */
void names_repoint_fix(strbuf *sb, const char *venv_dir, const char *cfg_path, const char *version,
                       bool reinstall);

/* The fix when only a Python of another X.Y is left (other_python): POSIX
 * `venvshim upgrade DIR --python OTHER` (rebuilds the venv for it with its
 * packages); Windows, which has no upgrade command yet: list the packages
 * with pip freeze --path, recreate the venv with OTHER, reinstall them. */
void names_move_fix(strbuf *sb, const char *venv_dir, const char *version,
                    const char *other_python);

/* venv_dir's site-packages for Python "X.Y" (lib/pythonX.Y/site-packages on
 * POSIX, Lib\site-packages on Windows); false when it does not fit. */
bool names_site_packages(char *out, size_t cap, const char *venv_dir, const char *version);

#endif
