/* Console-script launchers: the launcher binary with a zip archive holding
 * __main__.py appended (the layout distlib uses for Windows launchers).
 * Started as bin/pip, the launcher runs `base <bin/pip> args` with argv[0] the
 * venv's bin/python; Python finds the zip at the end of the file and runs
 * its __main__.py itself.
 *
 * A file is only inspected when it was invoked under a name that is not an
 * interpreter name, so `python` never pays for the check. The launcher's own
 * image size comes from its ELF header; bytes beyond it must be a well-formed
 * zip or the launcher refuses with EXIT_BAD_SCRIPT. */
#ifndef VENVSHIM_SCRIPT_H
#define VENVSHIM_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "payload.h" /* payload_status */
#include "locate.h"

/* The script-launcher step of plan_make. When loc->venv_exe carries a zip
 * payload: script gets that path and loc->venv_exe becomes the venv's
 * bin/python (or python3) next to it. Without a payload both stay as they
 * are. Returns 0 or an exit code with err filled in. */
int script_prepare(vs_location *loc, char *script, vs_error *err);

/* A Windows console-script launcher's own file (self): the arguments of the
 * "#!" line before its appended zip (payload_script_args) into args. 0, or
 * EXIT_NO_SHEBANG with err filled in. */
int script_shebang_args(const char *self, char *args, size_t cap, vs_error *err);

#endif
