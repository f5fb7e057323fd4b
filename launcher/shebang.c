#include "shebang.h"

#include <string.h>

#include "fs.h"
#include "contract.h"
#include "strbuf.h"

/* Launchers are 50 KiB (musl) to about 1 MiB (glibc, sanitizers); the marker
 * is in their first MiB. A larger interpreter is read no further. */
#define MARKER_SCAN_MAX (4LL << 20)

/* env's search path when PATH is unset (musl's execvp default). */
#define ENV_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

static bool blank(unsigned char c) {
    return c == ' ' || c == '\t';
}

static bool terminator(unsigned char c) {
    return blank(c) || c == '\0';
}

bool shebang_line(const unsigned char *head, size_t len, char *interp, char *arg) {
    /* The kernel's buffer: BASE_HEAD_MAX bytes, zero-padded, the last one
     * never part of the line. */
    unsigned char buf[BASE_HEAD_MAX];
    memset(buf, 0, sizeof buf);
    memcpy(buf, head, len < sizeof buf ? len : sizeof buf);
    if (buf[0] != '#' || buf[1] != '!')
        return false;
    size_t end, i = 2;
    const unsigned char *nl = memchr(buf, '\n', sizeof buf);
    if (nl) {
        end = (size_t)(nl - buf);
    } else {
        end = sizeof buf - 1;
        while (i < end && blank(buf[i]))
            i++;
        size_t t = i;
        while (t < end && !terminator(buf[t]))
            t++;
        if (i == end || t == end)
            return false; /* the interpreter's name may be cut off: ENOEXEC */
    }
    while (end > 2 && blank(buf[end - 1]))
        end--;
    while (i < end && blank(buf[i]))
        i++;
    if (i >= end || buf[i] == '\0')
        return false;
    size_t name = i;
    while (i < end && !terminator(buf[i]))
        i++;
    memcpy(interp, buf + name, i - name);
    interp[i - name] = '\0';
    arg[0] = '\0';
    if (i < end && buf[i] != '\0') {
        while (i < end && blank(buf[i]))
            i++;
        size_t n = 0;
        while (i + n < end && buf[i + n] != '\0')
            n++;
        memcpy(arg, buf + i, n);
        arg[n] = '\0';
    }
    return true;
}

/* The program `#!/usr/bin/env ARG` runs, into name (VS_PATH_MAX bytes): ARG
 * itself, one word (Linux passes the rest of the line as one argument, and
 * env looks for a program of that exact name); or, for `env -S ...`, which
 * splits it, the first word that is not an assignment. False for any other
 * option: not followed. */
static bool env_program(const char *arg, char *name) {
    const char *p = arg;
    if (strncmp(p, "-S", 2) == 0) {
        for (p += 2;; p += strcspn(p, " \t")) {
            p += strspn(p, " \t");
            size_t n = strcspn(p, " \t");
            if (n == 0 || p[0] == '-')
                return false;
            if (!memchr(p, '=', n)) {
                memcpy(name, p, n);
                name[n] = '\0';
                return true;
            }
        }
    }
    if (!p[0] || p[0] == '-' || strchr(p, '='))
        return false;
    return sb_copy(name, VS_PATH_MAX, p);
}

typedef enum { ENV_FOUND, ENV_NOT_FOUND, ENV_RELATIVE } env_result;

/* The file `env NAME` would run: the first executable regular file NAME in
 * PATH's entries (execvp). ENV_RELATIVE, the entry in out, when env would
 * look in an entry that is not absolute (the empty entry is the current
 * directory) before finding NAME: whoever chooses the current directory
 * would choose the interpreter, so such a base is refused, never run. */
static env_result env_lookup(const char *name, const char *path_env, char *out) {
    const char *p = path_env ? path_env : ENV_DEFAULT_PATH;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        static char dir[VS_PATH_MAX];
        if (n < sizeof dir) {
            memcpy(dir, p, n);
            dir[n] = '\0';
            if (!path_is_absolute(dir)) {
                sb_copy(out, VS_PATH_MAX, dir);
                return ENV_RELATIVE;
            }
            if (path_join(out, VS_PATH_MAX, dir, name)) {
                fs_info info = fs_stat(out);
                if (info.kind == FS_FILE && info.executable)
                    return ENV_FOUND;
            }
        }
        if (!colon)
            return ENV_NOT_FOUND;
        p = colon + 1;
    }
}

/* Does the open file carry the launcher marker? Read in pieces that overlap
 * by the marker's length, so a marker across two pieces is found. */
static bool has_marker(const fs_file *file) {
    static const char marker[] = VS_LAUNCHER_MARKER;
    const size_t m = sizeof marker - 1;
    static unsigned char piece[64 * 1024];
    long long limit = file->size < MARKER_SCAN_MAX ? file->size : MARKER_SCAN_MAX;
    for (long long at = 0; at < limit; at += (long long)(sizeof piece - m)) {
        long got = fs_file_read_at(file, piece, sizeof piece, at);
        if (got < (long)m)
            return false;
        for (size_t i = 0; i + m <= (size_t)got; i++)
            if (piece[i] == marker[0] && memcmp(piece + i, marker, m) == 0)
                return true;
        if ((size_t)got < sizeof piece)
            return false;
    }
    return false;
}

/* This launcher's own file (however it is linked), or any venvshim launcher. */
static bool is_launcher(const char *path, const fs_file *file) {
    fs_info self, info = fs_stat(path);
    if (fs_self_info(&self) && info.kind == FS_FILE && info.id.dev == self.id.dev &&
        info.id.ino == self.id.ino)
        return true;
    return has_marker(file);
}

static int refuse(vs_error *err, const vs_base *base, const char *cfg_path, const char *why,
                  const char *chain) {
    return diag_fail(err, EXIT_NO_BASE, "the base interpreter ", base->binary, " (from ", cfg_path,
                     ") is a '#!' script ", why, ": ", chain,
                     "\npoint 'home' (and 'executable') at a real Python interpreter", NULL);
}

int shebang_check(const vs_base *base, const char *cfg_path, const char *path_env, vs_error *err) {
    if (base->head_len < 2 || base->head[0] != '#' || base->head[1] != '!')
        return 0; /* a binary (or unreadable: execute-only), as bases are */
    static unsigned char head[BASE_HEAD_MAX];
    static char interp[VS_PATH_MAX], arg[VS_PATH_MAX], program[VS_PATH_MAX];
    static char chain[3 * VS_PATH_MAX];
    size_t len = (size_t)base->head_len;
    memcpy(head, base->head, len);
    strbuf sb;
    sb_init(&sb, chain, sizeof chain);
    sb_add(&sb, base->binary);
    for (int hop = 0; hop < SHEBANG_MAX_HOPS; hop++) {
        if (!shebang_line(head, len, interp, arg))
            return 0; /* the kernel refuses it: exec fails (101), no loop */
        sb_add(&sb, " -> ");
        sb_add(&sb, interp);
        if (!path_is_absolute(interp))
            return refuse(err, base, cfg_path,
                          "with a relative interpreter, which the current directory would choose",
                          chain);
        if (strcmp(path_basename(interp), "env") == 0 && env_program(arg, program)) {
            /* `#!/usr/bin/env python3`: what env runs is the next hop */
            sb_add(&sb, " ");
            sb_add(&sb, arg);
            env_result found = ENV_FOUND;
            if (strchr(program, '/'))
                sb_copy(interp, sizeof interp, program);
            else
                found = env_lookup(program, path_env, interp);
            if (found == ENV_NOT_FOUND)
                return 0; /* env will fail: no loop */
            if (found == ENV_RELATIVE)
                return diag_fail(err, EXIT_NO_BASE, "the base interpreter ", base->binary,
                                 " (from ", cfg_path, ") is a '#!' script: ", chain,
                                 "; env would look for ", program, " in the relative PATH entry '",
                                 interp, "' (the current directory would choose the interpreter)",
                                 "\ntake relative and empty entries out of PATH, or point 'home' "
                                 "(and 'executable') at a real Python interpreter",
                                 NULL);
            sb_add(&sb, " -> ");
            sb_add(&sb, interp);
        }
        diag_trace("the base is a '#!' script: ", chain, NULL);
        fs_file file;
        int error;
        if (!fs_file_open(interp, &file, &error))
            return 0; /* missing or not a regular file: exec fails, no loop */
        long got = fs_file_read_at(&file, head, sizeof head, 0); /* one read: a regular file */
        bool script = got >= 2 && head[0] == '#' && head[1] == '!';
        bool launcher = !script && is_launcher(interp, &file);
        fs_file_close(&file);
        if (launcher)
            return refuse(err, base, cfg_path,
                          "run by a venvshim launcher, which would start this launcher again, "
                          "forever",
                          chain);
        if (!script)
            return 0;
        len = (size_t)got;
    }
    return 0; /* deeper than the kernel allows: exec fails with ELOOP */
}
