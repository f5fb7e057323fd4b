#include "path.h"

#include <string.h>

#include "pathsep.h"

static bool is_drive_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Length of the root prefix, its final separator included: "/" on POSIX;
 * "C:\" or "\\server\share\" on Windows; 0 for a relative path. */
static size_t root_len(const char *p) {
    if (!PATH_WINDOWS)
        return p[0] == '/' ? 1 : 0;
    if (is_drive_letter(p[0]) && p[1] == ':' && path_is_sep(p[2]))
        return 3;
    if (!path_is_sep(p[0]) || !path_is_sep(p[1]))
        return 0; /* "\x" (current drive) and "C:x" (current directory of C:) */
    size_t i = 2;
    for (int part = 0; part < 2; part++) { /* server, then share */
        while (p[i] && !path_is_sep(p[i]))
            i++;
        if (p[i])
            i++;
    }
    return i;
}

bool path_is_absolute(const char *p) {
    return root_len(p) > 0;
}

/* Last separator in p, or NULL. */
static const char *last_sep(const char *p) {
    const char *found = NULL;
    for (; *p; p++)
        if (path_is_sep(*p))
            found = p;
    return found;
}

bool path_join(char *out, size_t cap, const char *dir, const char *name) {
    size_t dlen = strlen(dir);
    size_t nlen = strlen(name);
    bool need_sep = dlen > 0 && !path_is_sep(dir[dlen - 1]);
    size_t total = dlen + (need_sep ? 1 : 0) + nlen;
    if (total >= cap)
        return false;
    memmove(out, dir, dlen); /* out may alias dir */
    if (need_sep)
        out[dlen++] = PATH_SEP;
    memcpy(out + dlen, name, nlen + 1);
    return true;
}

/* Start of the last component written in [root, end), for dropping it on "..". */
static char *last_component(char *root, char *end) {
    char *q = end;
    while (q > root && !path_is_sep(q[-1]))
        q--;
    return q;
}

void path_normalize(char *p) {
    size_t rlen = root_len(p);
    bool absolute = rlen > 0;
    for (size_t i = 0; i < rlen; i++)
        if (path_is_sep(p[i]))
            p[i] = PATH_SEP;
    char *root = p + rlen; /* components are written from here */
    char *out = root;      /* end of what is written, no trailing separator */
    const char *in = root;
    while (*in) {
        while (path_is_sep(*in))
            in++;
        const char *start = in;
        while (*in && !path_is_sep(*in))
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
            *out++ = PATH_SEP;
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
    } else if (PATH_WINDOWS && path_is_sep(p[0]) && root_len(cwd) > 0) {
        /* "\x": rooted on cwd's drive or share, as Windows reads it */
        size_t rlen = root_len(cwd) - (path_is_sep(cwd[root_len(cwd) - 1]) ? 1 : 0);
        size_t n = strlen(p);
        if (rlen + n >= cap)
            return false;
        memmove(out + rlen, p, n + 1); /* out may alias p or cwd: p first */
        memmove(out, cwd, rlen);
    } else if (!path_join(out, cap, cwd, p)) {
        return false;
    }
    path_normalize(out);
    return true;
}

void path_dirname(char *p) {
    char *slash = (char *)last_sep(p);
    if (!slash) {
        p[0] = '\0';
        return;
    }
    while (slash > p && path_is_sep(slash[-1]))
        slash--;
    size_t rlen = root_len(p);
    if ((size_t)(slash - p) < rlen)
        p[rlen] = '\0'; /* the root stays: "/a" -> "/", "C:\a" -> "C:\" */
    else
        *slash = '\0';
}

const char *path_basename(const char *p) {
    const char *slash = last_sep(p);
    return slash ? slash + 1 : p;
}

void path_strip_trailing_sep(char *p) {
    size_t n = strlen(p);
    if (n > root_len(p) && n > 1 && path_is_sep(p[n - 1]))
        p[n - 1] = '\0';
}
