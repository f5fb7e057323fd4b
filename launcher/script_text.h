/* The fast way to run a script launcher's script: its text as the `-c`
 * program, so Python neither imports runpy and zipimport nor compiles through
 * builtins.compile (whose first call builds every AST type), the costs that
 * made a script launcher ~2.9 ms slower than the same script run by `#!`.
 *
 * The text is __main__.py of the launcher's zip, kept stored (uncompressed)
 * by `venvshim relocate` and the pip-exit hook. The program is one prelude
 * line in place of the text's `#!` line (so line numbers stay the file's),
 * then the text. Python is started as
 *     python -c PROGRAM A F D ARGS...
 * A: what `#!` would pass as the script's path, sys.argv[0]; F: __file__;
 * D: sys.path[0]. The prelude takes them out of sys.argv and sets what
 * CPython sets for a script (Modules/main.c pymain_run_file,
 * Python/pythonrun.c _PyRun_SimpleFileObject: __file__, __cached__ None;
 * Python/pathconfig.c _PyPathConfig_ComputeSysPath0: sys.path[0]).
 *
 * Texts this cannot run the same way fall back to the zip (python <file>):
 * a docstring or `from __future__` first (the prelude would come before
 * them), bytes outside printable ASCII after the #! line (the -c argument
 * is decoded with the locale's encoding, the file as UTF-8), a coding
 * cookie other than UTF-8, or more than SCRIPT_TEXT_MAX bytes. */
#ifndef VENVSHIM_SCRIPT_TEXT_H
#define VENVSHIM_SCRIPT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define SCRIPT_TEXT_MAX (32 * 1024)

/* NULL when text can be the -c program, else why not (a short phrase). */
const char *script_text_unusable(const char *text, size_t len);

typedef struct {
    bool set_path0; /* sys.path[0] = D: not under PYTHONSAFEPATH (3.11+) */
    /* the code's file name (tracebacks) becomes F: CPython 3.10+ only, whose
     * linecache tolerates a file that is not text (Lib/linecache.py
     * updatecache catches UnicodeDecodeError and SyntaxError; 3.6-3.9 and
     * PyPy raise them out of traceback.print_exc) */
    bool name_code;
    /* pip's own console script in a relocatable venv: register the hook
     * that converts the scripts pip writes (pip_hook.h) */
    bool pip_hook;
} script_prelude;

/* The -c program for text into out (cap bytes, NUL-terminated): the prelude
 * in place of its first line when that is a `#!` line, else on a line of
 * its own before it. False when it does not fit. */
bool script_text_program(char *out, size_t cap, const char *text, size_t len, script_prelude p);

#endif
