/* libFuzzer target: lexical path normalisation and the helpers built on it,
 * plus the interpreter-name parsers, on arbitrary strings. Checks the
 * promises the launcher relies on: normalising never grows a path (except
 * "" -> "."), is idempotent, leaves no "//", "/./" or "/../" in an absolute
 * path, and keeps absolute paths absolute. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pyname.h"
#include "path.h"
#include "resolve.h"
#include "version_guard.h"

static char *cstring(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1); /* exact size: overruns are ASan findings */
    if (!s)
        return NULL;
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static void check_normalize(const char *in) {
    size_t n = strlen(in);
    char *p = malloc(n + 2); /* room for "" -> "." */
    if (!p)
        return;
    memcpy(p, in, n + 1);
    path_normalize(p);
    size_t m = strlen(p);
    if (m > (n ? n : 1))
        abort();
    if ((in[0] == '/') != (p[0] == '/'))
        abort();
    if (p[0] == '/' && (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../")))
        abort();
    char *again = malloc(m + 2);
    if (again) {
        memcpy(again, p, m + 1);
        path_normalize(again);
        if (strcmp(again, p) != 0)
            abort(); /* not idempotent */
        free(again);
    }
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 2 * VS_PATH_MAX)
        return 0;
    char *s = cstring(data, size);
    if (!s)
        return 0;
    check_normalize(s);

    static char out[VS_PATH_MAX];
    if (path_absolute(out, sizeof out, "/cwd/of/test", s)) {
        if (out[0] != '/' || strlen(out) >= sizeof out)
            abort();
        char dir[VS_PATH_MAX];
        memcpy(dir, out, strlen(out) + 1);
        path_dirname(dir);
        if (dir[0] != '/')
            abort();
        path_strip_trailing_sep(dir);
        (void)path_join(dir, sizeof dir, dir, path_basename(out));
    }
    int major, minor;
    if (pyname_version(path_basename(s), &major, &minor) && (major < 0 || minor < 0))
        abort();
    (void)pyname_family(path_basename(s));
    free(s);
    return 0;
}
