/* The CLI's error line, shared by venvshim (POSIX) and venvshim.exe. */
#include <stdarg.h>
#include <stdio.h>

#include "../strbuf.h"
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

const char *cli_shell_word(const char *s) {
    static char words[8][2 * VS_PATH_MAX + 16];
    static unsigned next;
    char *out = words[next++ % 8];
    strbuf sb;
    sb_init(&sb, out, sizeof words[0]);
    sb_add_shell_word(&sb, s);
    return sb.overflow ? "'(the path is too long to print)'" : out;
}
