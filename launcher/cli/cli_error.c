/* The CLI's error line, shared by venvshim (POSIX) and venvshim.exe. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int cli_error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("venvshim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}
