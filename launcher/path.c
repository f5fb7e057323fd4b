#include "path.h"

#include <string.h>

bool path_is_absolute(const char *p) {
    return p[0] == '/';
}

bool path_join(char *out, size_t cap, const char *dir, const char *name) {
    size_t dlen = strlen(dir);
    size_t nlen = strlen(name);
    bool need_sep = dlen > 0 && dir[dlen - 1] != '/';
    size_t total = dlen + (need_sep ? 1 : 0) + nlen;
    if (total >= cap)
        return false;
    memmove(out, dir, dlen); /* out may alias dir */
    if (need_sep)
        out[dlen++] = '/';
    memcpy(out + dlen, name, nlen + 1);
    return true;
}

/* Start of the last component written in [root, end), for dropping it on "..". */
static char *last_component(char *root, char *end) {
    char *q = end;
    while (q > root && q[-1] != '/')
        q--;
    return q;
}

void path_normalize(char *p) {
    bool absolute = p[0] == '/';
    char *root = absolute ? p + 1 : p; /* components are written from here */
    char *out = root;                  /* end of what is written, no trailing '/' */
    const char *in = p;
    while (*in) {
        while (*in == '/')
            in++;
        const char *start = in;
        while (*in && *in != '/')
            in++;
        size_t n = (size_t)(in - start);
        if (n == 0 || (n == 1 && start[0] == '.'))
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            char *last = last_component(root, out);
            bool last_is_dotdot = out - last == 2 && last[0] == '.' && last[1] == '.';
            if (out > root && !last_is_dotdot) {
                out = last > root ? last - 1 : root; /* drop it and its separator */
                continue;
            }
            if (absolute)
                continue; /* "/.." is "/" */
        }
        if (out > root)
            *out++ = '/';
        memmove(out, start, n); /* in place: the source is never behind the cursor */
        out += n;
    }
    if (out == p)
        *out++ = '.';
    *out = '\0';
}

bool path_absolute(char *out, size_t cap, const char *cwd, const char *p) {
    if (path_is_absolute(p)) {
        size_t n = strlen(p);
        if (n >= cap)
            return false;
        memmove(out, p, n + 1);
    } else if (!path_join(out, cap, cwd, p)) {
        return false;
    }
    path_normalize(out);
    return true;
}

void path_dirname(char *p) {
    char *slash = strrchr(p, '/');
    if (!slash) {
        p[0] = '\0';
        return;
    }
    while (slash > p && slash[-1] == '/')
        slash--;
    if (slash == p)
        p[1] = '\0';
    else
        *slash = '\0';
}

const char *path_basename(const char *p) {
    const char *slash = strrchr(p, '/');
    return slash ? slash + 1 : p;
}

void path_strip_trailing_sep(char *p) {
    size_t n = strlen(p);
    if (n > 1 && p[n - 1] == '/')
        p[n - 1] = '\0';
}
