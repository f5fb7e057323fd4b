#include "locate.h"

#include <string.h>

#include "strbuf.h"

static int too_long(vs_error *err, const char *what, const char *path) {
    char head[256];
    strbuf sb; /* first bytes only: enough to recognise it (sb_copy would refuse) */
    sb_init(&sb, head, sizeof head);
    sb_add(&sb, path);
    return diag_fail(err, EXIT_NO_CFG, what, " is longer than ", "4095", " bytes: ", head, "...",
                     "\nmove the virtual environment to a shorter path", NULL);
}

/* argv[0] has no slash: the first absolute PATH entry holding an executable of
 * that name. Unlike getpath, an empty or relative entry ("", ".", "bin") is
 * never used: it would let the current directory choose the venv, and so
 * what runs. *info gets the hit's stat. */
static bool search_path(const char *name, const char *path_env, char *out, fs_info *info) {
    if (!path_env)
        return false;
    const char *p = path_env;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0 && p[0] == '/' && n < VS_PATH_MAX) {
            static char dir[VS_PATH_MAX];
            memcpy(dir, p, n);
            dir[n] = '\0';
            if (path_join(out, VS_PATH_MAX, dir, name)) {
                *info = fs_stat(out);
                if (info->kind == FS_FILE && info->executable) {
                    path_normalize(out);
                    return true;
                }
            }
        }
        if (!colon)
            return false;
        p = colon + 1;
    }
}

/* A PATH hit is only a guess at what the kernel ran: argv[0] is the caller's
 * choice. Use it only when it is this very file (a symlink to it counts, and
 * keeps its path for the venv search); otherwise the OS's path. Where the OS
 * cannot say (platform_other.c), the hit is all there is. */
static bool path_hit_is_self(const char *hit, fs_info hit_info) {
    fs_info self;
    if (!fs_self_info(&self))
        return true;
    if (self.id.dev == hit_info.id.dev && self.id.ino == hit_info.id.ino)
        return true;
    diag_trace("PATH finds ", hit, ", which is not this launcher: asking the OS", NULL);
    return false;
}

static const char *read_status_text(fs_read_status st) {
    switch (st) {
    case READ_NOT_REGULAR:
        return " is not a regular file";
    case READ_TOO_LARGE:
        return " is 32 KiB or larger (CPython 3.11+ refuses to start with it)";
    default:
        return " cannot be read: ";
    }
}

/* The one buffer of pyvenv.cfg lookups: cfg_path is written only for a hit or
 * a bad file, so an ordinary start touches no other (the first write to each
 * page of a buffer costs a start a page fault: docs/hacking.md, Memory). */
static char cfg_scratch[VS_PATH_MAX];

near_status locate_read_cfg_near(const char *dir, char *cfg_path, char *text, size_t *len,
                                 fs_id *id, vs_error *err) {
    char *path = cfg_scratch;
    /* search_from passes the scratch buffer itself, the directory already in it */
    if (dir != path && !sb_copy(path, VS_PATH_MAX, dir))
        return NEAR_NONE;
    size_t dir_len = strlen(path);
    static char not_regular[VS_PATH_MAX];
    bool has_not_regular = false;
    for (int i = 0; i < 2; i++) {
        path[dir_len] = '\0'; /* the directory again, without "/pyvenv.cfg" */
        if (i == 1) {
            path_dirname(path);
            if (strlen(path) == dir_len)
                break; /* the directory is "/" */
        }
        if (!path_join(path, VS_PATH_MAX, path, "pyvenv.cfg"))
            continue;
        int error = 0;
        fs_read_status st = fs_read_small_file(path, text, CFG_MAX_SIZE, len, id, &error);
        diag_trace("looking for ", path, st == READ_OK ? ": found" : ": no", NULL);
        if (st == READ_MISSING)
            continue;
        if (st == READ_NOT_REGULAR) {
            /* like site.py, keep looking for a regular file in the parent */
            if (!has_not_regular)
                sb_copy(not_regular, sizeof not_regular, path);
            has_not_regular = true;
            continue;
        }
        sb_copy(cfg_path, VS_PATH_MAX, path);
        if (st == READ_OK)
            return NEAR_FOUND;
        diag_fail(err, EXIT_BAD_CFG, cfg_path, read_status_text(st),
                  st == READ_ERROR ? fs_error_text(error) : "",
                  st == READ_TOO_LARGE
                      ? "\nkeep only its 'key = value' lines, or recreate the virtual "
                        "environment"
                  : st == READ_ERROR && fs_error_is_exhausted(error)
                      ? DIAG_HINT_EXHAUSTED
                      : "\nfix its permissions, or recreate the virtual environment",
                  NULL);
        return NEAR_BAD;
    }
    if (has_not_regular) {
        sb_copy(cfg_path, VS_PATH_MAX, not_regular);
        diag_fail(err, EXIT_BAD_CFG, not_regular, " is not a regular file",
                  "\nremove it and recreate the virtual environment", NULL);
        return NEAR_BAD;
    }
    return NEAR_NONE;
}

bool locate_follow_link(const char *link, const char *target, char *out) {
    static char joined[VS_PATH_MAX], dir[VS_PATH_MAX];
    if (path_is_absolute(target)) {
        if (!sb_copy(joined, sizeof joined, target))
            return false;
    } else {
        sb_copy(dir, sizeof dir, link);
        path_dirname(dir);
        if (!path_join(joined, sizeof joined, dir, target))
            return false;
    }
    sb_copy(dir, sizeof dir, joined);
    path_dirname(dir);
    static char real_dir[VS_PATH_MAX];
    return fs_realpath(dir, real_dir) &&
           path_join(out, VS_PATH_MAX, real_dir, path_basename(joined));
}

/* Look for the cfg near loc->venv_exe, following symlinks one hop at a time. */
static near_status search_from(vs_location *loc, vs_error *err, bool *looped) {
    for (int hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
        sb_copy(cfg_scratch, sizeof cfg_scratch, loc->venv_exe); /* both VS_PATH_MAX */
        path_dirname(cfg_scratch);
        near_status st = locate_read_cfg_near(cfg_scratch, loc->cfg_path, loc->cfg_text,
                                              &loc->cfg_len, &loc->cfg_id, err);
        if (st != NEAR_NONE)
            return st;
        static char target[VS_PATH_MAX], next[VS_PATH_MAX];
        if (fs_readlink(loc->venv_exe, target, sizeof target, NULL) < 0)
            return NEAR_NONE;
        diag_trace(loc->venv_exe, " is a symlink to ", target, NULL);
        if (!locate_follow_link(loc->venv_exe, target, next))
            return NEAR_NONE;
        if (!loc->has_invoked) { /* the path before the first link: kept only when there is one */
            sb_copy(loc->invoked, sizeof loc->invoked, loc->venv_exe);
            loc->has_invoked = true;
        }
        sb_copy(loc->venv_exe, sizeof loc->venv_exe, next);
    }
    *looped = true;
    return NEAR_NONE;
}

/* One attempt from the launcher path in loc->venv_exe (which came from
 * `source`). */
static near_status search_starting_at(vs_location *loc, const char *source, vs_error *err,
                                      bool *looped) {
    diag_trace("launcher path from ", source, ": ", loc->venv_exe, NULL);
    loc->has_invoked = false;
    return search_from(loc, err, looped);
}

/* The path the last attempt started from, before any symlink was followed. */
static const char *attempt_start(const vs_location *loc) {
    return loc->has_invoked ? loc->invoked : loc->venv_exe;
}

int locate_venv(const vs_invocation *inv, vs_location *loc, vs_error *err) {
    /* Only first bytes are cleared: zeroing these 4 KiB buffers cost about
     * 5,000 of the launcher's 25,000 instructions. The scratch buffers below
     * are written only where needed: a first write costs a page fault. */
    loc->cfg_path[0] = '\0';
    const char *argv0 = inv->argv0 ? inv->argv0 : "";
    static char cwd[VS_PATH_MAX];
    bool has_cwd = false;
    bool from_argv0 = false;
    /* the first attempt's path, for the error message: copied only when
     * that attempt fails */
    static char first_try[VS_PATH_MAX];
    bool looped = false;

    if (argv0[0] != '\0') {
        if (strchr(argv0, '/')) {
            if (strlen(argv0) >= VS_PATH_MAX)
                return too_long(err, "argv[0]", argv0);
            /* CWD gone: argv[0] is unusable unless absolute */
            if (!path_is_absolute(argv0))
                has_cwd = fs_getcwd(cwd, sizeof cwd);
            if (path_is_absolute(argv0) || has_cwd) {
                if (!path_absolute(loc->venv_exe, sizeof loc->venv_exe, has_cwd ? cwd : "", argv0))
                    return too_long(err, "the launcher's path", argv0);
                from_argv0 = true;
            }
        } else {
            fs_info hit;
            from_argv0 = search_path(argv0, inv->path_env, loc->venv_exe, &hit) &&
                         path_hit_is_self(loc->venv_exe, hit);
        }
    }
    near_status st = NEAR_NONE;
    if (from_argv0) {
        st = search_starting_at(loc, "argv[0]", err, &looped);
        if (st == NEAR_NONE) /* before the OS's attempt overwrites it */
            sb_copy(first_try, sizeof first_try, attempt_start(loc));
    }
    loc->invoked_as_argv0 = st == NEAR_FOUND && strchr(argv0, '/');
    /* argv[0] was unusable, or led nowhere: ask the OS where we are. */
    bool asked_os = st == NEAR_NONE && fs_self_exe(loc->venv_exe, sizeof loc->venv_exe);
    if (asked_os)
        st = search_starting_at(loc, "the OS", err, &looped);
    if (st == NEAR_FOUND)
        return 0;
    if (st == NEAR_BAD)
        return err->code;
    if (!from_argv0 && !asked_os)
        return diag_fail(err, EXIT_NO_CFG, "cannot tell where this launcher is (argv[0] is '",
                         argv0, "' and the OS does not say)",
                         "\nrun it by its path, e.g. /path/to/venv/bin/python", NULL);
    static char dir[VS_PATH_MAX];
    if (!from_argv0)
        sb_copy(first_try, sizeof first_try, attempt_start(loc));
    sb_copy(dir, sizeof dir, first_try);
    path_dirname(dir);
    static char parent[VS_PATH_MAX];
    sb_copy(parent, sizeof parent, dir);
    path_dirname(parent);
    /* the venv this launcher would belong to, one word for the shell (cmd.exe
     * on Windows), so the hint can be pasted as it is */
    static char create[VS_PATH_MAX + 64];
    strbuf sb;
    sb_init(&sb, create, sizeof create);
    sb_add(&sb, "\nthis launcher runs only inside a virtual environment: create one with: "
                "venvshim create ");
    sb_add_shell_word(&sb, parent[0] ? parent : ".");
    return diag_fail(err, EXIT_NO_CFG, "no pyvenv.cfg in ", dir, " or ", parent, " (launcher ",
                     first_try, looped ? "; symlink loop" : "", ")", create, NULL);
}
