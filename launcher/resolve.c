#include "resolve.h"

#include <string.h>

#include "base_trailer.h"
#include "denied.h"
#include "names.h"
#include "pathsep.h"
#include "pyname.h"
#include "strbuf.h"
#include "version_guard.h"

/* Everything one resolution step knows about the venv being resolved. */
typedef struct {
    const vs_location *loc;
    vs_base *base;
    const char *cfg_path; /* the pyvenv.cfg being read (the venv's own, or a chained one) */
    venv_cfg cfg;
    bool has_version;
    int major, minor;
    char version_text[16]; /* "3.12", for messages */
    bool home_relative;
    bool home_rooted;  /* Windows "home = \Python37": on the venv's drive, not relative */
    fs_info chosen;    /* stat of the last usable candidate: reused, not stat'ed again */
    bool has_tried;    /* tried_sb is initialised */
    bool has_mismatch; /* mismatch_path and mismatch are set */
    /* Not cleared from here on. found: the version guard's verdict on the
     * last candidate (vg_check sets it), on the header's page. The buffers
     * after it are written only when a candidate fails: the first write to
     * each page costs a start a page fault. */
    vg_found found;
    char tried[VS_PATH_MAX + 512];
    strbuf tried_sb;
    char mismatch_path[VS_PATH_MAX]; /* first candidate of another X.Y, for the error */
    vg_found mismatch;
} step;

/* The candidates tried so far, "" before the first. */
static const char *tried_text(step *s) {
    if (!s->has_tried) {
        sb_init(&s->tried_sb, s->tried, sizeof s->tried);
        s->has_tried = true;
    }
    return s->tried;
}

static void note_tried(step *s, const char *path, const char *why) {
    if (tried_text(s)[0])
        sb_add(&s->tried_sb, ", ");
    sb_add(&s->tried_sb, path);
    sb_add(&s->tried_sb, why);
}

static bool usable_binary(step *s, const char *path) {
    fs_info info = fs_probe(path, s->base->head, sizeof s->base->head, &s->base->head_len);
    if (info.kind == FS_MISSING) {
        /* "missing" only when it is: a loop or a permission problem says so */
        char why[128];
        strbuf sb;
        sb_init(&sb, why, sizeof why);
        sb_add(&sb, " (");
        sb_add(&sb, fs_error_is_missing(info.error) ? "missing" : fs_error_text(info.error));
        sb_add(&sb, ")");
        note_tried(s, path, why);
        return false;
    }
    if (info.kind != FS_FILE || !info.executable) {
        note_tried(s, path, info.kind == FS_FILE ? " (not executable)" : " (not a file)");
        return false;
    }
    vg_found *found = &s->found;
    if (s->has_version && vg_check(path, s->major, s->minor, found) == VG_MISMATCH) {
        note_tried(s, path, " (another Python version)");
        diag_trace(path, " is another Python (", found->evidence, "): skipped", NULL);
        if (!s->has_mismatch) {
            s->has_mismatch = true;
            sb_copy(s->mismatch_path, sizeof s->mismatch_path, path);
            s->mismatch = *found;
        }
        return false;
    }
    s->chosen = info;
    return true;
}

/* Is dir a venv's bin directory (pyvenv.cfg in it or its parent)? */
static near_status venv_dir_cfg(const char *dir, vs_base *base, int slot, size_t *len, fs_id *id,
                                vs_error *err) {
    return locate_read_cfg_near(dir, base->cfg_path[slot], base->cfg_text[slot], len, id, err);
}

static bool same_id(fs_info a, fs_info b) {
    return a.kind != FS_MISSING && b.kind != FS_MISSING && a.id.dev == b.id.dev &&
           a.id.ino == b.id.ino;
}

/* CPython takes the standard library from `home` (Modules/getpath.py searches
 * up from it), never from `executable`: a recorded binary outside home (an
 * edited home naming another installation of the same X.Y) would mix two
 * installations in one process. It counts as home's when its directory is
 * home under another name (venv writes home unresolved, executable
 * resolved), or when home/<its name> is the same file (a link into the
 * installation, as Homebrew's bin/ has). Only reached when the two paths
 * differ as text: an ordinary start pays nothing. */
static bool key_belongs_to_home(step *s, const char *binary, const char *dir, const char *home) {
    if (same_id(fs_stat(dir), fs_stat(home)))
        return true;
    static char in_home[VS_PATH_MAX];
    return path_join(in_home, sizeof in_home, home, path_basename(binary)) &&
           same_id(fs_stat(in_home), s->chosen);
}

static bool key_candidate(step *s, cfg_value v, const char *home, char *out) {
    if (!v.ptr || v.len == 0 || v.len >= VS_PATH_MAX)
        return false;
    /* value, then (when it is done with) dir: one scratch page */
    static char value[VS_PATH_MAX];
    memcpy(value, v.ptr, v.len);
    value[v.len] = '\0';
    if (path_is_absolute(value) == s->home_relative) {
        /* with a relative home, an absolute key names the old location (which
         * may still exist); a relative key is relative to pyvenv.cfg's dir */
        diag_trace("ignoring executable = ", value, s->home_relative ? ": home is relative" : "",
                   NULL);
        return false;
    }
    static char cfg_dir[VS_PATH_MAX]; /* only for a relative value (relative home) */
    if (s->home_relative) {
        sb_copy(cfg_dir, sizeof cfg_dir, s->cfg_path);
        path_dirname(cfg_dir);
    }
    if (!path_absolute(out, VS_PATH_MAX, s->home_relative ? cfg_dir : "", value))
        return false;
    diag_trace("candidate from the recorded executable: ", out, NULL);
    if (!pyname_is_interpreter(path_basename(out))) {
        /* an edited key must never make the launcher exec /bin/sh,
         * python3.12-config (a shell script) or the like */
        note_tried(s, out, " (not an interpreter's name)");
        return false;
    }
    if (!usable_binary(s, out))
        return false;
    char *dir = value;
    sb_copy(dir, VS_PATH_MAX, out);
    path_dirname(dir);
    if (strcmp(dir, home) != 0) {
        /* venv 3.11+ run from inside a venv records that venv's python: not a base */
        static char cfg_path[VS_PATH_MAX], text[CFG_MAX_SIZE + 1];
        size_t len;
        fs_id id;
        static vs_error ignored;
        if (locate_read_cfg_near(dir, cfg_path, text, &len, &id, &ignored) != NEAR_NONE) {
            note_tried(s, out, " (inside another venv)");
            return false;
        }
        if (!key_belongs_to_home(s, out, dir, home)) {
            note_tried(s, out, " (not in home)");
            diag_trace(out, " is not in home = ", home, ": home wins, as in CPython", NULL);
            return false;
        }
    }
    return true;
}

static bool home_candidate(step *s, const char *home, const char *name, char *out) {
    if (!path_join(out, VS_PATH_MAX, home, name))
        return false;
    diag_trace("candidate: ", out, NULL);
    return usable_binary(s, out);
}

/* The fix that keeps the venv's packages (never one that deletes them):
 * point the venv at another installed Python of its version. */
static void rebase_hint(strbuf *sb, const step *s, const char *venv_dir) {
    sb_add(sb, "\nto keep its packages with another installed Python ");
    sb_add(sb, s->has_version ? s->version_text : "of its version");
    sb_add(sb, ": ");
    names_repoint_fix(sb, venv_dir, s->loc->cfg_path, s->has_version ? s->version_text : "", true);
}

static int fail_with_hint(vs_error *err, int code, const step *s, const char *what) {
    static char venv_dir[VS_PATH_MAX];
    sb_copy(venv_dir, sizeof venv_dir, s->loc->cfg_path);
    path_dirname(venv_dir);
    static char hint[2 * VS_PATH_MAX];
    strbuf sb;
    sb_init(&sb, hint, sizeof hint);
    rebase_hint(&sb, s, venv_dir);
    return diag_fail(err, code, what, hint, NULL);
}

static bool seen(const fs_id *ids, int n, fs_id id) {
    for (int i = 0; i < n; i++)
        if (ids[i].dev == id.dev && ids[i].ino == id.ino)
            return true;
    return false;
}

/* PEP 796: a relative home is relative to the directory holding pyvenv.cfg,
 * never the CWD (relhome.h hands the child the absolute result). */
static bool resolve_relative_home(step *s, vs_base *base, vs_error *err) {
    static char dir[VS_PATH_MAX], rel[VS_PATH_MAX];
    sb_copy(dir, sizeof dir, s->cfg_path);
    path_dirname(dir);
    sb_copy(rel, sizeof rel, base->home);
    if (!path_absolute(base->home, sizeof base->home, dir, rel)) {
        diag_fail(err, EXIT_BAD_CFG, s->cfg_path, ": home = ", rel, " made absolute is too long",
                  "\nmove the virtual environment to a shorter path", NULL);
        return false;
    }
    /* "\Python37" (Windows) names a directory from the root of the venv's
     * drive (or share): absolute there, so none of a relative home's
     * machinery (relhome.h, a POSIX lib/pythonX.Y layout) applies */
    if (PATH_WINDOWS && path_is_sep(rel[0]))
        s->home_rooted = true;
    else
        base->home_relative = s->home_relative = true;
    diag_trace(s->home_rooted ? "root-relative home, on the drive of " : "relative home, against ",
               dir, ": ", base->home, NULL);
    return true;
}

/* Read home from s->cfg into base->home; 0 or an exit code. */
static int read_home(step *s, vs_base *base, vs_error *err) {
    /* msg is initialised on the failure paths only (each first write to a
     * fresh buffer costs the launcher a page of memory) */
    static char msg[2 * VS_PATH_MAX];
    strbuf sb;
    cfg_value home = s->cfg.home;
    const char *unusable =
        !home.ptr ? (s->cfg.bom_hid_home ? " starts with a UTF-8 byte order mark, which hides "
                                           "its 'home' key from CPython"
                                         : " has no 'home = <directory of the base python>' line")
        : home.len == 0           ? ": 'home' is empty"
        : home.len >= VS_PATH_MAX ? ": 'home' is longer than 4095 bytes"
                                  : NULL;
    if (unusable) {
        sb_init(&sb, msg, sizeof msg);
        sb_add(&sb, s->cfg_path);
        sb_add(&sb, unusable);
        return fail_with_hint(err, EXIT_BAD_CFG, s, msg);
    }
    memcpy(base->home, home.ptr, home.len);
    base->home[home.len] = '\0';
    diag_trace("home = ", base->home, " (from ", s->cfg_path, ")", NULL);
    if (!path_is_absolute(base->home) && !resolve_relative_home(s, base, err))
        return err->code;
    path_strip_trailing_sep(base->home);
    fs_info info = fs_stat(base->home);
    static char denied[VS_PATH_MAX];
    if (info.kind == FS_MISSING && fs_error_is_denied(info.error) &&
        denied_component(base->home, denied, sizeof denied))
        /* not missing: recreating the venv would not help */
        return diag_fail(err, EXIT_NO_ACCESS, "home = ", base->home, " in ", s->cfg_path,
                         " cannot be reached: permission denied (", denied,
                         " may not be searched by this user)",
                         "\nrun as a user who may read the base Python, or ask its owner to make ",
                         denied, " searchable (chmod o+x)", NULL);
    if (info.kind != FS_DIR) {
        sb_init(&sb, msg, sizeof msg);
        sb_add(&sb, "home = ");
        sb_add(&sb, base->home);
        if (s->home_relative || s->home_rooted) {
            /* the path tried, and the value it came from */
            sb_add(&sb, " (pyvenv.cfg says ");
            sb_add_n(&sb, home.ptr, home.len);
            sb_add(&sb, s->home_rooted ? ", on its drive)" : ", relative to its directory)");
        }
        sb_add(&sb, " in ");
        sb_add(&sb, s->cfg_path);
        sb_add(&sb, info.kind == FS_MISSING ? " does not exist (the base Python was moved or "
                                              "removed)"
                                            : " is not a directory");
        if (PATH_WINDOWS && memchr(home.ptr, '"', home.len))
            /* no Windows name holds '"'; CPython keeps quotes as part of the value */
            sb_add(&sb, "; write the directory without quotes: home = C:\\Path\\To\\Python");
        return fail_with_hint(err, EXIT_NO_BASE, s, msg);
    }
    return 0;
}

static bool pick_binary(step *s, const vs_base *base, char *out) {
    const char *home = base->home;
    const char *invoked = path_basename(s->loc->venv_exe);
    char versioned[32] = "";
    if (s->has_version) {
        strbuf sb;
        sb_init(&sb, versioned, sizeof versioned);
        sb_add(&sb, "python");
        sb_add(&sb, s->version_text);
    }
    base_names bn;
    names_base_for(invoked, versioned,
                   s->cfg.executable.ptr ? s->cfg.executable : s->cfg.base_executable, &bn);
    if (bn.use_recorded && (key_candidate(s, s->cfg.base_executable, home, out) ||
                            key_candidate(s, s->cfg.executable, home, out)))
        return true;
    const char **names = bn.names;
    for (int i = 0; i < bn.count; i++) {
        bool duplicate = !names[i][0];
        for (int j = 0; j < i && !duplicate; j++)
            duplicate = strcmp(names[i], names[j]) == 0;
        if (!duplicate && home_candidate(s, home, names[i], out))
            return true;
    }
    return false;
}

/* A chained pyvenv.cfg could not be read. When that is because home itself
 * cannot be searched (stat fails too), blame home, not a file that may not
 * exist: nothing in it could be run anyway. */
static int home_unsearchable(vs_error *err, const step *s, const vs_base *base, int slot) {
    fs_info probe = fs_stat(base->cfg_path[slot]);
    if (probe.kind != FS_MISSING || fs_error_is_missing(probe.error))
        return err->code;
    return diag_fail(err, EXIT_NO_BASE, "home = ", base->home, " in ", s->cfg_path,
                     " cannot be searched: ", fs_error_text(probe.error),
                     "\nfix the permissions of ", base->home, " (or of a directory above it)",
                     NULL);
}

/* Only another X.Y was found: the base was upgraded in place, or `python3`
 * now means another version. Its site-packages would not match the venv's. */
static int fail_version_mismatch(vs_error *err, const step *s) {
    static char venv_dir[VS_PATH_MAX], found[16], fix[5 * VS_PATH_MAX];
    sb_copy(venv_dir, sizeof venv_dir, s->loc->cfg_path);
    path_dirname(venv_dir);
    strbuf sb;
    sb_init(&sb, found, sizeof found);
    sb_add_int(&sb, s->mismatch.major);
    sb_add_char(&sb, '.');
    sb_add_int(&sb, s->mismatch.minor);
    /* a command that survives copy and paste: every path one shell word */
    sb_init(&sb, fix, sizeof fix);
    /* its packages are built for the old X.Y: rebase if one is still there,
     * else move them to the X.Y found (nothing here deletes them) */
    sb_add(&sb, "\nits packages need Python ");
    sb_add(&sb, s->version_text);
    sb_add(&sb, ": ");
    /* home holds another X.Y: putting this one back there is no fix */
    names_repoint_fix(&sb, venv_dir, s->loc->cfg_path, s->version_text, false);
    sb_add(&sb, " if one is installed; else ");
    names_move_fix(&sb, venv_dir, s->version_text, s->mismatch_path);
    return diag_fail(err, EXIT_NO_BASE, s->cfg_path, " is for Python ", s->version_text, " but ",
                     s->mismatch_path, " is Python ", found, " (", s->mismatch.evidence,
                     "): the base was upgraded or replaced", fix, NULL);
}

/* The chosen binary must not be this launcher (a hard link, a symlink to it,
 * or a copy): exec'ing it would loop forever. Both ways of being this launcher
 * mean the same first bytes: when the candidate's (head, read with it) differ
 * from the running image's, that settles it without a system call. */
static bool is_this_launcher(const char *path, fs_info cand, const vs_base *base) {
    size_t own_len;
    const unsigned char *own = fs_self_head(&own_len);
    if (own && base->head_len > 0) {
        size_t n = (size_t)base->head_len < own_len ? (size_t)base->head_len : own_len;
        if (memcmp(own, base->head, n) != 0)
            return false;
    }
    fs_info self;
    if (!fs_self_info(&self))
        return false;
    if (self.id.dev == cand.id.dev && self.id.ino == cand.id.ino)
        return true;
    static char self_path[VS_PATH_MAX];
    return self.size == cand.size && fs_self_exe(self_path, sizeof self_path) &&
           fs_same_contents(self_path, path);
}

/* Parse the pyvenv.cfg text being followed into s->cfg, with its version. */
static int parse_cfg(step *s, const char *text, size_t len, vs_error *err) {
    if (cfg_parse(text, len, &s->cfg) != CFG_OK)
        return diag_fail(err, EXIT_BAD_CFG, s->cfg_path,
                         " is not a text file (it contains NUL bytes)",
                         "\nrecreate the virtual environment, or rewrite the file as 'key = value' "
                         "lines",
                         NULL);
    s->has_version = cfg_major_minor(&s->cfg, &s->major, &s->minor);
    if (s->has_version && s->base->chain_depth == 0) {
        s->base->venv_major = s->major;
        s->base->venv_minor = s->minor;
    }
    if (s->has_version) {
        strbuf sb;
        sb_init(&sb, s->version_text, sizeof s->version_text);
        sb_add_int(&sb, s->major);
        sb_add_char(&sb, '.');
        sb_add_int(&sb, s->minor);
    }
    if (diag_debug) {
        cfg_value legacy;
        bool old_ok = cfg_legacy_home(text, len, &legacy);
        if (!old_ok || legacy.len != s->cfg.home.len ||
            (s->cfg.home.ptr && memcmp(legacy.ptr, s->cfg.home.ptr, legacy.len) != 0))
            diag_trace("warning: CPython 3.6-3.10 read 'home' differently from this file ",
                       "(spacing, case, or a missing final newline)", NULL);
    }
    return 0;
}

/* Follow the chain of venvs: read home from the venv's pyvenv.cfg and, while
 * home is itself a venv's bin directory, that venv's. On return (0) s->cfg,
 * s->cfg_path and base->home describe the last venv of the chain. */
static int follow_chain(step *s, vs_base *base, vs_error *err) {
    const vs_location *loc = s->loc;
    const char *text = loc->cfg_text;
    size_t len = loc->cfg_len;
    fs_id visited[MAX_CHAIN_DEPTH + 1];
    visited[0] = loc->cfg_id;
    for (;;) {
        int rc = parse_cfg(s, text, len, err);
        if (rc == 0)
            rc = read_home(s, base, err);
        if (rc)
            return rc;
        int slot = base->chain_depth % 2;
        size_t next_len;
        fs_id next_id;
        near_status near = venv_dir_cfg(base->home, base, slot, &next_len, &next_id, err);
        if (near == NEAR_BAD)
            return home_unsearchable(err, s, base, slot);
        if (near != NEAR_FOUND)
            return 0;
        if (seen(visited, base->chain_depth + 1, next_id))
            return diag_fail(err, EXIT_NO_BASE, "home = ", base->home, " in ", s->cfg_path,
                             " leads back to ", base->cfg_path[slot],
                             ": a loop of virtual environments",
                             "\npoint 'home' at the directory of a real Python interpreter", NULL);
        if (base->chain_depth >= MAX_CHAIN_DEPTH)
            return diag_fail(err, EXIT_NO_BASE, loc->cfg_path,
                             ": more than 8 virtual environments ", "chained through 'home'",
                             "\npoint 'home' at the directory of a real Python interpreter", NULL);
        diag_trace("home ", base->home, " belongs to another venv: following ",
                   base->cfg_path[slot], NULL);
        base->chain_depth++;
        visited[base->chain_depth] = next_id;
        text = base->cfg_text[slot];
        len = next_len;
        s->cfg_path = base->cfg_path[slot];
    }
}

/* Choose the binary in base->home (the last venv of the chain), or say why
 * there is none. */
static int choose_binary(step *s, vs_base *base, vs_error *err) {
    s->has_tried = s->has_mismatch = false;
    if (!pick_binary(s, base, base->binary)) {
        if (s->has_mismatch)
            return fail_version_mismatch(err, s);
        static char msg[2 * VS_PATH_MAX + 1024];
        strbuf sb;
        sb_init(&sb, msg, sizeof msg);
        sb_add(&sb, "no Python ");
        sb_add(&sb, s->has_version ? s->version_text : "");
        sb_add(&sb, s->has_version ? " " : "");
        sb_add(&sb, "interpreter in home = ");
        sb_add(&sb, base->home);
        sb_add(&sb, " (");
        sb_add(&sb, s->cfg_path);
        sb_add(&sb, "); tried ");
        sb_add(&sb, tried_text(s));
        return fail_with_hint(err, EXIT_NO_BASE, s, msg);
    }
    if (is_this_launcher(base->binary, s->chosen, base))
        return diag_fail(err, EXIT_NO_BASE, base->binary, " (from ", s->cfg_path,
                         ") is this launcher, not a Python interpreter: running it would loop",
                         "\npoint 'home' at the directory of a real Python interpreter", NULL);
    diag_trace("base interpreter: ", base->binary, NULL);
    return 0;
}

static long read_own_file(void *ctx, void *buf, size_t n, long long offset) {
    return fs_file_read_at(ctx, buf, n, offset);
}

/* home gave no base: the base recorded in the venv's launcher file itself
 * (base_trailer.h), as a copied CPython binary falls back to its compiled-in
 * prefix. Only for the X.Y the venv's pyvenv.cfg records (never a guess),
 * and only through the checks every candidate passes (an interpreter's
 * name, a regular executable file, of that version, not this launcher; the
 * `#!` check follows in plan.c). Read on this failure path only, from one
 * descriptor: an ordinary start never opens the file. */
static bool use_launcher_record(step *s, vs_base *base) {
    static base_trailer t;
    const char *why = ": records no base";
    fs_file f;
    int error, major = 0, minor;
    base_trailer_status st = BASE_TRAILER_NONE;
    if (fs_file_open(s->loc->venv_exe, &f, &error)) {
        st = base_trailer_read(read_own_file, &f, f.size, &t, &why);
        fs_file_close(&f);
    }
    /* its X.Y is in its name (python3.9, pypy3.9): the venv's own, not a
     * chained venv's; usable_binary's version guard agrees or refuses */
    s->has_version = true;
    s->major = base->venv_major;
    s->minor = base->venv_minor;
    s->has_tried = false;
    bool ok = st == BASE_TRAILER_OK && pyname_is_interpreter(path_basename(t.path)) &&
              pyname_version(path_basename(t.path), &major, &minor) && major == s->major &&
              minor == s->minor && usable_binary(s, t.path) &&
              !is_this_launcher(t.path, s->chosen, base);
    if (st == BASE_TRAILER_OK)
        why = ok ? ": home gives no base; using the recorded base "
                 : ": its recorded base is not pyvenv.cfg's version by name, or not usable: ";
    diag_trace(s->loc->venv_exe, why, st == BASE_TRAILER_OK ? t.path : "", NULL);
    if (!ok)
        return false;
    sb_copy(base->binary, sizeof base->binary, t.path);
    sb_copy(base->home, sizeof base->home, t.path);
    path_dirname(base->home);
    base->chain_depth = 0;
    base->home_relative = false;
    base->from_trailer = true;
    return true;
}

int resolve_base(const vs_location *loc, vs_base *base, vs_error *err) {
    static step s;
    memset(&s, 0, offsetof(step, found)); /* not the buffers (see step) */
    s.loc = loc;
    s.base = base;
    s.cfg_path = loc->cfg_path;
    base->head_len = -1;
    base->chain_depth = 0;
    base->home_relative = false;
    base->from_trailer = false;
    base->venv_major = base->venv_minor = 0;
    int rc = follow_chain(&s, base, err);
    if (rc == 0)
        rc = choose_binary(&s, base, err);
    if (rc == EXIT_NO_BASE && use_launcher_record(&s, base)) {
        err->code = 0;
        err->text[0] = '\0';
        rc = 0;
    }
    if (rc == 0)
        base->binary_info = s.chosen;
    return rc;
}
