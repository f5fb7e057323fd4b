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

#include "diag.h"

/* The script launcher carries no usable appended script. */
#define EXIT_NO_SCRIPT 110

/* The shebang's arguments after the interpreter (UTF-8, trimmed; "" when
 * none) into args. 0, or EXIT_NO_SCRIPT with err filled in. */
int appended_script_args(const wchar_t *self, const char *self_utf8, char *args, size_t cap,
                         vs_error *err);

/* In a whole file in memory: the offset of the '#!' line before the
 * appended zip, or -1 when there is none (used by venvshim.exe install). */
long long appended_script_offset(const unsigned char *data, size_t size);

/* The part of a '#!' line after the interpreter: line is the text after
 * "#!" (no newline); a quoted interpreter ends at its closing quote, an
 * unquoted one at the first blank. Blanks around the result are dropped. */
const char *shebang_args(const char *line, size_t len, size_t *args_len);

#endif
