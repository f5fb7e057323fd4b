#include "libsearch.h"

#include <string.h>

#include "strbuf.h"

static const char *origin_rest(const char *entry) {
    static const char *const forms[] = {"$ORIGIN", "${ORIGIN}"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(forms[i]);
        if (strncmp(entry, forms[i], n) == 0 && (entry[n] == '/' || entry[n] == '\0'))
            return entry + n;
    }
    return NULL;
}

bool libsearch_uses_origin(const elfdyn_info *info) {
    return info->has_runpath && strstr(info->runpath, "ORIGIN") != NULL;
}

/* LD_LIBRARY_PATH's entries, separated by ':' or ';' (ld.so(8)): only
 * absolute ones without substitutions. */
static const char *add_ld_library_path(const char *p, libsearch_dirs *out) {
    for (;;) {
        size_t n = strcspn(p, ":;");
        if (n == 0 || p[0] != '/')
            return "LD_LIBRARY_PATH has an empty or relative entry (the current directory)";
        if (memchr(p, '$', n))
            return "LD_LIBRARY_PATH uses a substitution ($ORIGIN, $LIB, $PLATFORM)";
        if (out->count == LIBSEARCH_MAX_DIRS || n >= VS_PATH_MAX)
            return "LD_LIBRARY_PATH has too many or too long entries";
        char *dir = out->dir[out->count++];
        memcpy(dir, p, n);
        dir[n] = '\0';
        if (!p[n])
            return NULL;
        p += n + 1;
    }
}

/* DT_RUNPATH's entries, separated by ':': absolute, or $ORIGIN-relative. */
static const char *add_runpath(const char *p, const char *origin, libsearch_dirs *out) {
    for (;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char entry[ELFDYN_PATH_MAX]; /* n < ELFDYN_PATH_MAX: p is a slice of one */
        memcpy(entry, p, n);
        entry[n] = '\0';
        if (out->count == LIBSEARCH_MAX_DIRS)
            return "its DT_RUNPATH has too many entries";
        char *dir = out->dir[out->count];
        strbuf sb;
        sb_init(&sb, dir, VS_PATH_MAX);
        const char *rest = origin_rest(entry);
        if (rest) {
            if (!origin || !path_is_absolute(origin))
                return "its $ORIGIN cannot be resolved";
            sb_add(&sb, origin);
            sb_add(&sb, rest);
        } else if (entry[0] == '/') {
            sb_add(&sb, entry);
        } else {
            return entry[0] ? "its DT_RUNPATH has a relative entry (the current directory)"
                            : "its DT_RUNPATH has an empty entry (the current directory)";
        }
        if (strchr(rest ? rest : entry, '$'))
            return "its DT_RUNPATH uses a substitution other than $ORIGIN";
        if (sb.overflow)
            return "its DT_RUNPATH is too long";
        path_strip_trailing_sep(dir);
        if (!dir[0])
            sb_copy(dir, VS_PATH_MAX, "/");
        out->count++;
        if (!end)
            return NULL;
        p = end + 1;
    }
}

const char *libsearch_dirs_for(const elfdyn_info *info, const char *origin,
                               const char *ld_library_path, libsearch_dirs *out) {
    out->count = 0;
    if (info->libpython_count == 0)
        return "it is not linked against a shared libpython";
    if (info->libpython_count > 1)
        return "it names more than one libpython";
    if (strchr(info->libpython, '/'))
        return "its libpython is named by a path";
    if (!info->has_runpath)
        return info->has_rpath ? "it has DT_RPATH (which also serves libpython's dependencies)"
                               : "its libpython comes from ld.so.cache or the default directories";
    const char *why = NULL;
    if (ld_library_path && ld_library_path[0]) /* searched before DT_RUNPATH */
        why = add_ld_library_path(ld_library_path, out);
    return why ? why : add_runpath(info->runpath, origin, out);
}

static bool read_number(const char **p, int *value) {
    if (**p < '0' || **p > '9')
        return false;
    long v = 0;
    while (**p >= '0' && **p <= '9' && v < 100000)
        v = v * 10 + (*(*p)++ - '0');
    *value = (int)v;
    return v < 100000;
}

bool libsearch_version(const char *libpython, int *major, int *minor) {
    const char *p = libpython;
    if (strncmp(p, "libpython", 9) != 0)
        return false;
    p += 9;
    if (!read_number(&p, major) || *p++ != '.' || !read_number(&p, minor))
        return false;
    while (*p && *p != '.') /* ABI flags: m, t, d, u */
        p++;
    return strncmp(p, ".so", 3) == 0;
}
