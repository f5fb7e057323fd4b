/* macOS framework builds (python.org, Homebrew): `home/pythonX.Y` is a small
 * stub (CPython's Mac/Tools/pythonw.c) that sets __PYVENV_LAUNCHER__ to its
 * *own* path and starts <Name>.framework/Versions/X.Y/Resources/Python.app/
 * Contents/MacOS/<Name>. Exec'ing the stub would lose the venv, so the launcher
 * does what the stub does, with the venv's path. */
#ifndef VENVSHIM_FRAMEWORK_H
#define VENVSHIM_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef enum {
    FRAMEWORK_NO,    /* not a framework stub: exec the binary as it is */
    FRAMEWORK_APP,   /* app holds the Python.app interpreter to run */
    FRAMEWORK_BROKEN /* a framework stub without its Python.app binary: err says so */
} framework_status;

/* binary: the base interpreter chosen by resolve (may be a symlink into the
 * framework, as Homebrew's opt/python@X.Y/bin are). app: VS_PATH_MAX bytes. */
framework_status framework_app_for(const char *binary, char *app, vs_error *err);

/* The __PYVENV_LAUNCHER__ value the stub would compute for a launcher at
 * venv_exe: realpath of its directory + "/" + its own name (the final
 * symlink deliberately not resolved). out: VS_PATH_MAX bytes. */
bool framework_launcher_value(const char *venv_exe, char *out);

#endif
