/* The script of a console-script launcher: pip / distlib write
 *   <launcher exe> "#!<interpreter> [args]\n" <zip holding __main__.py>
 * and Python runs the .exe itself as a zip archive. This finds the '#!'
 * line that ends where the zip begins (the zip's start comes from its end
 * of central directory record, so offsets relative to the archive work). */
#ifndef VENVSHIM_APPENDED_SCRIPT_H
#define VENVSHIM_APPENDED_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "appended_parse.h" /* appended_script_offset, shebang_args */
#include "diag.h"

/* The shebang's arguments after the interpreter (UTF-8, trimmed; "" when
 * none) into args. 0, or EXIT_NO_SHEBANG with err filled in. */
int appended_script_args(const wchar_t *self, const char *self_utf8, char *args, size_t cap,
                         vs_error *err);

#endif
