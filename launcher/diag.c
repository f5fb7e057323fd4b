#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

bool diag_debug = false;

void write_all(int fd, const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void add_prefixed(strbuf *sb, va_list ap) {
    sb_add(sb, "venvshim: ");
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
        for (const char *nl; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
            sb_add_n(sb, s, (size_t)(nl - s) + 1);
            sb_add(sb, "venvshim: ");
        }
        sb_add(sb, s);
    }
}

int fail(vs_error *err, int code, ...) {
    strbuf sb;
    sb_init(&sb, err->text, sizeof err->text);
    va_list ap;
    va_start(ap, code);
    add_prefixed(&sb, ap);
    va_end(ap);
    err->code = code;
    return code;
}

void error_print(const vs_error *err) {
    write_all(2, err->text);
    write_all(2, "\n");
}

void trace(const char *first, ...) {
    if (!diag_debug)
        return;
    char line[2 * VS_PATH_MAX + 256];
    strbuf sb;
    sb_init(&sb, line, sizeof line);
    sb_add(&sb, "venvshim: ");
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        sb_add(&sb, s);
    va_end(ap);
    sb_add(&sb, "\n");
    write_all(2, line);
}
