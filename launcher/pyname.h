/* The one owner of the interpreter-name rules: what counts as a Python
 * interpreter's file name and which version it names. Pure string code at
 * the bottom of the include graph (no includes of launcher headers), used by
 * resolve, version_guard, script, relhome, the POSIX and Windows base-name
 * rules and the CLI. */
#ifndef VENVSHIM_PYNAME_H
#define VENVSHIM_PYNAME_H

#include <stdbool.h>

/* The family stem of an interpreter name: "python" for python*, "pypy" for
 * pypy*, NULL otherwise ("pythonista" is "python": a prefix test, as the
 * stdlib directory search and `venvshim install`'s lib/ scan need). */
const char *pyname_family(const char *name);

/* The text after the family stem: "python3.12" -> "3.12"; "pypy3" -> "3";
 * NULL without python/pypy. */
const char *pyname_after_family(const char *name);

/* "python3.12" -> 3, 12; "pypy3.9" -> 3, 9; "python3.13t" -> 3, 13;
 * "python3" -> false. */
bool pyname_version(const char *name, int *major, int *minor);

/* A POSIX interpreter's file name: python, python3, python3.12, python3.13t,
 * python3.12d, python3.7m, pypy, pypy3.9; not python3.12-config,
 * python3.12-gdb.py, pip, pytest. Every base candidate must have one
 * (resolve.c, names_posix.c), as must the name that skips the script check. */
bool pyname_is_interpreter(const char *name);

/* A Windows interpreter's file name, as CPython's venvlauncher builds name
 * them (PC/layout, EXENAME): "python" ["w"] [X[.Y]["t"]] ["_d"] ".exe", any
 * case. */
bool pyname_is_windows_exe(const char *name);

/* Windows file names are compared without case: ASCII lower case, and
 * whether s starts with prefix (given in lower case). */
char pyname_lower(char c);
bool pyname_has_prefix_nocase(const char *s, const char *prefix);

#endif
