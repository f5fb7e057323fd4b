#include "diag.h"

#include <stdarg.h>
#include <string.h>

#include "fs.h"
#include "strbuf.h"

bool diag_debug = false;

/* Only the first argument that starts with '\n' begins the second line (the
 * fix); every other byte a terminal could act on, a '\n' inside a path
 * included, is escaped (sb_add_escaped), so no value can add a line or send
 * the terminal an escape sequence. */
static void add_prefixed(strbuf *sb, va_list ap) {
    sb_add(sb, "venvshim: ");
    bool second_line = false;
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
        if (s[0] == '\n' && !second_line) {
            second_line = true;
            sb_add(sb, "\nvenvshim: ");
            s++;
        }
        sb_add_escaped(sb, s);
    }
}

int diag_fail(vs_error *err, int code, ...) {
    strbuf sb;
    sb_init(&sb, err->text, sizeof err->text);
    va_list ap;
    va_start(ap, code);
    add_prefixed(&sb, ap);
    va_end(ap);
    err->code = code;
    return code;
}

void diag_print_error(const vs_error *err) {
    fs_write_all(2, err->text);
    fs_write_all(2, "\n");
}

void diag_trace(const char *first, ...) {
    if (!diag_debug)
        return;
    static char line[2 * VS_PATH_MAX + 256]; /* static: the launcher's stack stays small */
    strbuf sb;
    sb_init(&sb, line, sizeof line);
    sb_add(&sb, "venvshim: ");
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        sb_add_escaped(&sb, s);
    va_end(ap);
    sb_add(&sb, "\n");
    fs_write_all(2, line);
}
