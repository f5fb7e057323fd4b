/* Console-script launchers: the launcher binary with a zip archive holding
 * __main__.py appended (the layout distlib uses for Windows launchers).
 * Started as bin/pip, the launcher runs the base with argv[0] the venv's
 * bin/python and either the script's text as the -c program (script_text.h:
 * as cheap as a `#!` script) or, when the text cannot run that way,
 * `base <bin/pip> args`: Python finds the zip at the end of the file and
 * runs its __main__.py itself.
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
#include "script_text.h"
#include "locate.h"
#include "resolve.h"

typedef enum {
    SCRIPT_NONE, /* not a script launcher */
    SCRIPT_ZIP,  /* run as `python <self> args`: Python runs the zip's __main__.py */
    SCRIPT_TEXT, /* run as `python -c PROGRAM A F D args` (script_text.h) */
} script_kind;

/* kind last: every start writes it, and vs_plan puts what follows a script
 * (its own small members, then vs_location's) on the same page (plan.h). */
typedef struct {
    char self[VS_PATH_MAX]; /* the launcher's own file, which holds the zip */
    /* SCRIPT_TEXT: __main__.py's text, then what script_plan_text makes of it */
    char text[SCRIPT_TEXT_MAX];
    size_t text_len;
    const char *shown;       /* A: sys.argv[0], the path `#!` would pass */
    char file[VS_PATH_MAX];  /* F: __file__ */
    char path0[VS_PATH_MAX]; /* D: sys.path[0] */
    char program[SCRIPT_TEXT_MAX + 512];
    script_kind kind;
} vs_script;

/* The script-launcher step of plan_make, before the base is resolved. When
 * loc->venv_exe carries a zip payload: script->self gets that path and
 * loc->venv_exe becomes the venv's bin/python (or python3) next to it; a
 * stored __main__.py small enough is read into script->text (SCRIPT_TEXT).
 * Without a payload, kind is SCRIPT_NONE. Returns 0 or an exit code with err
 * filled in. */
int script_prepare(vs_location *loc, vs_script *script, vs_error *err);

/* After the base is resolved: A, F, D and the -c program for a SCRIPT_TEXT
 * script, or kind SCRIPT_ZIP when the text cannot run that way (pyvenv.cfg
 * names no version, the base is neither CPython nor PyPy by its name,
 * script_text_unusable). argv0: the launcher's own argv[0]; base: as
 * resolved (the binary that will run, the venv's X.Y); safe_path:
 * PYTHONSAFEPATH is set. */
void script_plan_text(vs_script *script, const vs_location *loc, const char *argv0,
                      const vs_base *base, bool safe_path);

/* The interpreter's argv for a script launcher into out (room for argc + 6
 * pointers): argv0, then `<self>` (SCRIPT_ZIP) or `-c PROGRAM A F D`
 * (SCRIPT_TEXT), then argv[1..]. Returns the new argc. */
int script_argv(const vs_script *script, const char *argv0, int argc, char **argv, char **out);

/* A Windows console-script launcher's own file (self): the arguments of the
 * "#!" line before its appended zip (payload_script_args) into args. 0, or
 * EXIT_NO_SHEBANG with err filled in. */
int script_shebang_args(const char *self, char *args, size_t cap, vs_error *err);

#endif
