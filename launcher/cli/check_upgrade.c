/* check: what venvshim upgrade leaves next to a venv. DIR.3.11.bak is the
 * venv as it was before DIR moved to another X.Y (kept on purpose: info);
 * DIR.venvshim-upgrade-from-python3.11 is an interrupted upgrade's (a
 * problem: an unfinished new venv, or the old venv swapped out), which
 * --fix settles as the next upgrade would (upgrade.c). Where the swap is two
 * renames (dir_swap_other.c), a crash between them leaves DIR missing, the
 * old venv at DIR.3.11.bak and the new one at the building name: --fix
 * finishes the swap. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "dir_swap.h"
#include "upgrade.h"
#include "venv_access.h"

typedef struct {
    const char *venv;
    char parent[VS_PATH_MAX];
    report *r;
} leftover_ctx;

static void report_leftover(const upgrade_leftover *l, void *ctx_) {
    leftover_ctx *ctx = ctx_;
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, ctx->parent, l->name))
        return;
    const char *what = l->old_venv ? "the old venv an interrupted 'venvshim upgrade' swapped out"
                                   : "an unfinished new venv of an interrupted 'venvshim upgrade'";
    if (l->done)
        report_add(ctx->r, "upgrade", FIND_FIXED, path, "%s was %s: %s %s", path, what,
                   l->old_venv ? "kept as" : "removed", l->old_venv ? l->bak : "");
    else
        report_add(ctx->r, "upgrade", FIND_PROBLEM, path,
                   "%s is %s%s%s; check --fix (or the next upgrade) %s%s", path, what,
                   l->error ? ": " : "", l->error ? strerror(l->error) : "",
                   l->old_venv ? "keeps it as " : "removes it", l->old_venv ? l->bak : "");
}

/* Is s[0..n) "3.11", "3.13t" or "pypy3.9"? */
static bool is_version(const char *s, size_t n) {
    size_t i = strncmp(s, "pypy", 4) == 0 ? 4 : 0, dots = 0, digits = 0;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] == '.' && digits && !dots)
            dots++, digits = 0;
        else if (s[i] == 't' && i == n - 1 && dots && digits)
            return true;
        else
            return false;
    }
    return dots == 1 && digits > 0;
}

/* The length of "v" in "v.3.11.bak" (or "v.3.13t.bak", "v.pypy3.9.bak"), else 0. */
static size_t backup_of(const char *name) {
    size_t n = strlen(name);
    if (n < 6 || strcmp(name + n - 4, ".bak") != 0)
        return 0;
    for (size_t i = n - 4; i-- > 1;)
        if (name[i] == '.' && is_version(name + i + 1, n - 4 - i - 1))
            return i;
    return 0;
}

void check_upgrade(int venv_fd, const char *venv, bool fix, report *r) {
    leftover_ctx ctx = {venv, "", r};
    snprintf(ctx.parent, sizeof ctx.parent, "%s", venv);
    path_dirname(ctx.parent);
    const char *base = path_basename(venv);
    /* the venv's own parent (never its path again: --fix renames in it) */
    int parent_fd = venv_fd >= 0 ? upgrade_open_parent(venv_fd, base) : -1;
    if (parent_fd < 0)
        return;
    size_t stem = backup_of(base);
    if (stem) {
        char sibling[VS_PATH_MAX];
        struct stat st;
        if (snprintf(sibling, sizeof sibling, "%.*s/pyvenv.cfg", (int)stem, base) <
                (int)sizeof sibling &&
            fstatat(parent_fd, sibling, &st, 0) == 0)
            report_add(r, "upgrade", FIND_INFO, venv,
                       "%s is the venv as it was before 'venvshim upgrade' moved %.*s to another "
                       "Python (its bin/python runs the old base if that is still installed); "
                       "remove it once %.*s works",
                       venv, (int)stem, base, (int)stem, base);
    }
    upgrade_leftovers(parent_fd, base, venv_fd, fix, report_leftover, &ctx);
    close(parent_fd);
}

/* Is dir/name a directory with lib/<lib> (lib: "python3.11")? */
static bool has_lib(int dirfd, const char *name, const char *lib) {
    char rel[VS_PATH_MAX];
    struct stat st;
    return snprintf(rel, sizeof rel, "%s/lib/%s", name, lib) < (int)sizeof rel &&
           fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* The second rename of the two, under the ownership rule on the new venv
 * (it is what becomes DIR); false after saying why. */
static bool finish_swap(const cli_args *a, const char *build, const char *build_name,
                        const char *base) {
    static venv_access va;
    if (venv_access_open(a, build, &va) != CLI_OK)
        return false;
    int parent_fd = upgrade_open_parent(va.venv_fd, build_name);
    bool ok = parent_fd >= 0 && dir_rename_noreplace(parent_fd, build_name, base) == 0;
    if (!ok)
        fprintf(stderr, "venvshim: cannot rename %s: %s\n", build, strerror(errno));
    if (parent_fd >= 0)
        close(parent_fd);
    venv_access_close(&va);
    return ok;
}

bool check_upgrade_missing(const cli_args *a, const char *dir, bool fix, report *r) {
    char parent[VS_PATH_MAX], base[VS_PATH_MAX], prefix[VS_PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    while (strlen(parent) > 1 && parent[strlen(parent) - 1] == '/')
        parent[strlen(parent) - 1] = '\0';
    snprintf(base, sizeof base, "%s", path_basename(parent));
    path_dirname(parent);
    if (!parent[0])
        snprintf(parent, sizeof parent, ".");
    if (snprintf(prefix, sizeof prefix, "%s%s", base, UPGRADE_BUILD_INFIX) >= (int)sizeof prefix)
        return false;
    int parent_fd = open_dir_at(AT_FDCWD, parent, false);
    size_t count = 0;
    char **names = parent_fd >= 0 ? dir_names_at(parent_fd, ".", NULL, &count) : NULL;
    bool found = false;
    for (size_t i = 0; names && i < count && !found; i++) {
        if (strncmp(names[i], prefix, strlen(prefix)) != 0)
            continue;
        const char *lib = names[i] + strlen(prefix);
        char bak[VS_PATH_MAX], build[VS_PATH_MAX], bak_path[VS_PATH_MAX];
        const char *version = strncmp(lib, "python", 6) == 0 ? lib + 6 : lib;
        if (snprintf(bak, sizeof bak, "%s.%s.bak", base, version) >= (int)sizeof bak ||
            !path_join(build, sizeof build, parent, names[i]) ||
            !path_join(bak_path, sizeof bak_path, parent, bak))
            continue;
        /* the old venv (still lib/<lib>) at .bak, a new one (not) at the
         * building name: nothing else leaves that pair without DIR */
        if (!has_lib(parent_fd, bak, lib) || has_lib(parent_fd, names[i], lib))
            continue;
        found = true;
        if (fix && finish_swap(a, build, names[i], base))
            report_add(r, "upgrade", FIND_FIXED, dir,
                       "%s was missing: an upgrade was interrupted between its two renames; the "
                       "new venv %s is now %s (the old one stays %s)",
                       dir, build, dir, bak_path);
        else
            report_add(r, "upgrade", FIND_PROBLEM, dir,
                       "%s is missing: 'venvshim upgrade' was interrupted between its two "
                       "renames (this system has no exchanging rename); the new venv is %s, the "
                       "old one %s; 'venvshim check --fix %s' puts the new one at %s",
                       dir, build, bak_path, dir, dir);
    }
    if (names)
        dir_names_free(names, count);
    if (parent_fd >= 0)
        close(parent_fd);
    return found;
}
