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

#endif
