/* venvshim upgrade DIR --python PATH: a venv survives a new minor Python
 * (or an older one, or PyPy of the same language version) with its packages.
 *
 * The work that needs Python is done by a helper the NEW interpreter runs
 * (upgrade-helper/_venvshim_upgrade.py, embedded here at build time): it
 * reads the old venv's files, plans how each distribution is rebuilt, builds
 * the new venv beside the old one, and verifies it. This file keeps what
 * must not depend on Python: the options, the ownership seam, the order of
 * the steps, and the swap.
 *
 * Names, next to DIR in its parent directory:
 *   DIR.venvshim-upgrade-from-python3.11   the new venv while it is built;
 *                                          after the exchange, the old one
 *   DIR.3.11.bak                           the old venv, kept (--keep-old)
 * The new venv is built, made a venvshim venv (install, relocate when the old
 * one was relocatable), rewritten to name DIR wherever it named its building
 * place, verified and flushed to disk; then one renameat2(RENAME_EXCHANGE)
 * puts it at DIR and the old venv at the building name, which is renamed to
 * the .bak name. A crash before the exchange leaves DIR untouched; after it,
 * DIR is the new venv. A later run (and `venvshim check`) tells the two
 * leftovers apart by DIR itself: while DIR still has lib/python3.11, the
 * building name holds an unfinished new venv (removed); once it has not, it
 * holds the old venv (renamed to the .bak name). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "dir_swap.h"
#include "find_pythons.h"
#include "launcher_variant.h"
#include "run_bounded.h"
#include "safe_exec.h"
#include "report.h"
#include "upgrade.h"
#include "venv_access.h"
#include "site_init_data.h" /* UPGRADE_HELPER_TEXT */

#define HELPER_NAME "_venvshim_upgrade.py"
#define BUILD_INFIX UPGRADE_BUILD_INFIX

int upgrade_open_parent(int venv_fd, const char *base) {
    int fd = openat(venv_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat in_parent, venv;
    if (fd < 0)
        return -1;
    if (fstatat(fd, base, &in_parent, AT_SYMLINK_NOFOLLOW) == 0 && fstat(venv_fd, &venv) == 0 &&
        in_parent.st_dev == venv.st_dev && in_parent.st_ino == venv.st_ino)
        return fd;
    close(fd);
    errno = ENOENT; /* renamed away since it was opened */
    return -1;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

/* ---- removing a tree without following links ---- */

static int remove_tree_at(int dirfd, const char *name, int depth) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0);
    if (depth > 64) {
        errno = ELOOP;
        return -1;
    }
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (remove_tree_at(fd, e->d_name, depth + 1) != 0)
            rc = -1;
    }
    closedir(d);
    return rc == 0 ? unlinkat(dirfd, name, AT_REMOVEDIR) : -1;
}

static int remove_tree(int dirfd, const char *name) {
    return remove_tree_at(dirfd, name, 0);
}

/* ---- the helper ---- */

static bool write_helper(const char *work) {
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, work, HELPER_NAME))
        return false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    const char *text = UPGRADE_HELPER_TEXT;
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    return close(fd) == 0 && ok;
}

/* Run the helper's phase with the new interpreter: its exit status, or -1.
 * With --json its stdout goes to stderr (only the CLI's object is JSON). */
static int run_helper(int python_fd, const char *python, const char *work, const char *phase,
                      const char *venv, const char *new_dir, const upgrade_options *opt) {
    const char *argv[16 + 2 * MAX_FIND_LINKS];
    char helper[VS_PATH_MAX];
    if (!path_join(helper, sizeof helper, work, HELPER_NAME))
        return -1;
    int n = 0;
    argv[n++] = python;
    argv[n++] = "-I"; /* no PYTHON* variables, no user site-packages */
    argv[n++] = "-S"; /* the base's site-packages are not the helper's business */
    argv[n++] = helper;
    argv[n++] = phase;
    argv[n++] = "--venv";
    argv[n++] = venv;
    argv[n++] = "--work";
    argv[n++] = work;
    if (new_dir) {
        argv[n++] = "--new";
        argv[n++] = new_dir;
    }
    for (size_t i = 0; i < opt->n_find_links; i++) {
        argv[n++] = "--find-links";
        argv[n++] = opt->find_links[i];
    }
    if (opt->json)
        argv[n++] = "--json";
    argv[n] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (opt->json)
            dup2(STDERR_FILENO, STDOUT_FILENO);
        run_exec_fd(python_fd, argv);
        fprintf(stderr, "venvshim: cannot run %s: %s\n", python, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Read the first line of work/name into out. */
static bool read_work_line(const char *work, const char *name, char *out, size_t cap) {
    char path[VS_PATH_MAX];
    size_t len;
    char *text = path_join(path, sizeof path, work, name) ? read_whole_file(path, &len) : NULL;
    if (!text)
        return false;
    snprintf(out, cap, "%.*s", (int)strcspn(text, "\n"), text);
    free(text);
    return out[0] != '\0';
}

/* ---- leftovers of an interrupted run ---- */

/* a + b + c into out (VS_PATH_MAX); b is joined with a '.' unless it
 * starts with one. False when it does not fit. */
static bool name3(char *out, const char *a, const char *b, const char *c) {
    int n = snprintf(out, VS_PATH_MAX, "%s%s%s%s", a, b[0] == '.' ? "" : ".", b, c);
    return n > 0 && n < VS_PATH_MAX;
}

/* "3.11" for lib dir "python3.11", "pypy3.9" for "pypy3.9". */
static const char *bak_version(const char *libname) {
    return strncmp(libname, "python", 6) == 0 ? libname + 6 : libname;
}

int upgrade_leftovers(int parent_fd, const char *base, int venv_fd, bool act,
                      upgrade_leftover_fn fn, void *ctx) {
    size_t count;
    char **names = dir_names_at(parent_fd, ".", NULL, &count);
    if (!names)
        return -1;
    char prefix[VS_PATH_MAX];
    snprintf(prefix, sizeof prefix, "%s%s", base, BUILD_INFIX);
    int found = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(names[i], prefix, strlen(prefix)) != 0)
            continue;
        upgrade_leftover l = {names[i], "", false, false, 0};
        const char *lib = names[i] + strlen(prefix);
        char lib_rel[VS_PATH_MAX], bak[VS_PATH_MAX];
        if (!path_join(lib_rel, sizeof lib_rel, "lib", lib) ||
            !name3(bak, base, bak_version(lib), ".bak"))
            continue;
        l.bak = bak;
        struct stat st;
        l.old_venv =
            !(fstatat(venv_fd, lib_rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode));
        if (act) {
            l.done = l.old_venv ? dir_rename_noreplace(parent_fd, names[i], bak) == 0
                                : remove_tree(parent_fd, names[i]) == 0;
            l.error = l.done ? 0 : errno;
        }
        fn(&l, ctx);
        found++;
    }
    dir_names_free(names, count);
    return found;
}

/* Is dir/name a directory with lib/<lib> (lib: "python3.11")? */
static bool has_lib(int dirfd, const char *name, const char *lib) {
    char rel[VS_PATH_MAX];
    struct stat st;
    return snprintf(rel, sizeof rel, "%s/lib/%s", name, lib) < (int)sizeof rel &&
           fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

bool upgrade_find_split_swap(const char *dir, upgrade_split_swap *sp) {
    char parent[VS_PATH_MAX], prefix[VS_PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    while (strlen(parent) > 1 && parent[strlen(parent) - 1] == '/')
        parent[strlen(parent) - 1] = '\0';
    snprintf(sp->base, sizeof sp->base, "%s", path_basename(parent));
    path_dirname(parent);
    if (!parent[0])
        snprintf(parent, sizeof parent, ".");
    if (snprintf(prefix, sizeof prefix, "%s%s", sp->base, BUILD_INFIX) >= (int)sizeof prefix)
        return false;
    int parent_fd = open_dir_at(AT_FDCWD, parent, false);
    size_t count = 0;
    char **names = parent_fd >= 0 ? dir_names_at(parent_fd, ".", NULL, &count) : NULL;
    bool found = false;
    for (size_t i = 0; names && i < count && !found; i++) {
        if (strncmp(names[i], prefix, strlen(prefix)) != 0)
            continue;
        const char *lib = names[i] + strlen(prefix);
        char bak[VS_PATH_MAX];
        if (!name3(bak, sp->base, bak_version(lib), ".bak") ||
            !path_join(sp->build, sizeof sp->build, parent, names[i]) ||
            !path_join(sp->bak, sizeof sp->bak, parent, bak))
            continue;
        /* the old venv (still lib/<lib>) at .bak, a new one (not) at the
         * building name: nothing else leaves that pair without DIR */
        found = has_lib(parent_fd, bak, lib) && !has_lib(parent_fd, names[i], lib);
        if (found)
            snprintf(sp->build_name, sizeof sp->build_name, "%s", names[i]);
    }
    if (names)
        dir_names_free(names, count);
    if (parent_fd >= 0)
        close(parent_fd);
    return found;
}

const char *upgrade_split_swap_fix(const char *dir) {
    static char fix[SHELL_FIX_CAP];
    snprintf(fix, sizeof fix, "venvshim check --fix %s", shell_word(dir));
    return fix;
}

static void say_settled(const upgrade_leftover *l, void *ctx) {
    int *rc = ctx;
    if (*rc == -1) /* --dry-run */
        fprintf(stderr,
                l->old_venv ? "venvshim: %s is the venv an interrupted upgrade replaced: it would "
                              "be kept as %s\n"
                            : "venvshim: %s, an unfinished upgrade, would be removed%.0s\n",
                l->name, l->bak);
    else if (l->done)
        fprintf(stderr,
                l->old_venv
                    ? "venvshim: %s is the venv an interrupted upgrade replaced: kept as %s\n"
                    : "venvshim: removed %s, an unfinished upgrade%.0s\n",
                l->name, l->bak);
    else
        *rc =
            cli_error(CLI_FAILED, "cannot %s %s%s%s: %s; move it away, then run the command again",
                      l->old_venv ? "rename" : "remove the unfinished upgrade", l->name,
                      l->old_venv ? " (the venv an interrupted upgrade replaced) to " : "",
                      l->old_venv ? l->bak : "", strerror(l->error));
}

/* An interrupted run's leftovers next to DIR, settled before anything else
 * (--dry-run: only said). */
static int settle_leftovers(int parent_fd, const char *base, int venv_fd, const char *venv,
                            bool dry_run) {
    int rc = dry_run ? -1 : CLI_OK;
    if (upgrade_leftovers(parent_fd, base, venv_fd, !dry_run, say_settled, &rc) < 0)
        return cli_error(CLI_FAILED, "cannot read the directory holding %s: %s", venv,
                         strerror(errno));
    return rc == -1 ? CLI_OK : rc;
}

/* ---- output ---- */

/* What --allow-missing left out (the helper's work/skipped, one line each):
 * a note per line and the "skipped" list. */
static void report_skipped(const char *work, bool dry_run) {
    char path[VS_PATH_MAX];
    size_t len = 0;
    char *text = path_join(path, sizeof path, work, "skipped") ? read_whole_file(path, &len) : NULL;
    report_list("skipped");
    for (char *line = text, *end; line && *line; line = end + 1) {
        end = line + strcspn(line, "\n");
        bool last = *end == '\0';
        *end = '\0';
        report_list_str("skipped", line);
        report_note("%s carried over (--allow-missing): %s\n", dry_run ? "would not be" : "not",
                    line);
        if (last)
            break;
    }
    free(text);
}

/* The --json object's fields (report.h; install and relocate nest theirs). */
static void report_result(const char *work, bool changed, const char *backup) {
    char path[VS_PATH_MAX];
    size_t len = 0;
    char *plan = work[0] && path_join(path, sizeof path, work, "plan.json")
                     ? read_whole_file(path, &len)
                     : NULL;
    if (plan)
        plan[strcspn(plan, "\n")] = '\0';
    report_bool("changed", changed);
    report_str("backup", backup);
    report_json("plan", plan);
    free(plan);
}

/* ---- the steps ---- */

typedef struct {
    char venv[VS_PATH_MAX];                           /* DIR, its real path */
    char base[VS_PATH_MAX];                           /* DIR's last component */
    char work[VS_PATH_MAX];                           /* the helper's private directory */
    char build_name[VS_PATH_MAX], build[VS_PATH_MAX]; /* the new venv while built */
    char bak_name[VS_PATH_MAX], bak[VS_PATH_MAX];
    char python[VS_PATH_MAX];
    int python_fd; /* the new interpreter, judged by safe_exec.h: what runs */
    int parent_fd;
    bool built; /* build exists and is ours to remove on failure */
} upgrade_run;

/* install and relocate print what they did to the building directory: not
 * the user's business, errors stay on stderr. */
static int quietly(int (*fn)(const venv_access *), const venv_access *va, const char *key) {
    report_pos mark = report_mark();
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0)
        dup2(null, STDOUT_FILENO);
    int rc = fn(va);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    if (null >= 0)
        close(null);
    report_nest(key, mark);
    return rc;
}

static int install_plain(const venv_access *va) {
    return install_venv(va, false);
}

/* The new venv, for install and relocate: opened from the parent the rule
 * judged, never by its path; the caller's own (the helper, run as the
 * caller, made it). */
static bool open_build(const upgrade_run *r, bool overridden, venv_access *va) {
    memset(va, 0, sizeof *va);
    va->bin_fd = -1;
    snprintf(va->path, sizeof va->path, "%s", r->build);
    va->venv_fd = open_dir_at(r->parent_fd, r->build_name, true);
    struct stat st;
    if (va->venv_fd < 0 || fstat(va->venv_fd, &st) != 0 || st.st_uid != geteuid()) {
        if (va->venv_fd >= 0)
            errno = EPERM;
        return false;
    }
    va->owner = st.st_uid;
    va->overridden = overridden;
    va->bin_fd = open_dir_at(va->venv_fd, "bin", true);
    va->bin_error = va->bin_fd < 0 ? errno : 0;
    return true;
}

/* Put the verified new venv at DIR: flush it, exchange, keep or remove the
 * old one. Signals are held off from the flush to the end. */
static int swap_in(upgrade_run *r, const upgrade_options *opt, bool *changed) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int build_fd = openat(r->parent_fd, r->build_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    int rc = CLI_OK;
    if (build_fd < 0 || dir_sync_fs(build_fd) != 0) {
        rc = cli_error(CLI_FAILED, "cannot flush %s to disk: %s; nothing changed", r->build,
                       strerror(errno));
        goto out;
    }
    if (dir_exchange(r->parent_fd, r->build_name, r->base) == 0) {
        *changed = true;
        r->built = false; /* the building name now holds the old venv */
        fsync(r->parent_fd);
        if (dir_rename_noreplace(r->parent_fd, r->build_name, r->bak_name) != 0) {
            rc = cli_error(CLI_FAILED,
                           "%s is upgraded, but the old venv could not be named %s: %s; it is "
                           "at %s",
                           r->venv, r->bak, strerror(errno), r->build);
            goto out;
        }
    } else if (errno == EINVAL || errno == ENOSYS) {
        /* no exchanging rename here: two renames; between them DIR is
         * missing for an instant (the old venv is at the .bak name) */
        if (dir_rename_noreplace(r->parent_fd, r->base, r->bak_name) != 0) {
            rc = cli_error(CLI_FAILED, "cannot rename %s to %s: %s; nothing changed", r->venv,
                           r->bak, strerror(errno));
            goto out;
        }
        if (renameat(r->parent_fd, r->build_name, r->parent_fd, r->base) != 0) {
            int e = errno;
            renameat(r->parent_fd, r->bak_name, r->parent_fd, r->base);
            rc = cli_error(CLI_FAILED, "cannot rename %s to %s: %s; nothing changed", r->build,
                           r->venv, strerror(e));
            goto out;
        }
        *changed = true;
        r->built = false;
    } else {
        rc = cli_error(CLI_FAILED, "cannot exchange %s and %s: %s; nothing changed", r->build,
                       r->venv, strerror(errno));
        goto out;
    }
    fsync(r->parent_fd);
    if (!opt->keep_old && remove_tree(r->parent_fd, r->bak_name) != 0)
        fprintf(stderr, "venvshim: warning: the old venv %s could not be removed: %s\n", r->bak,
                strerror(errno));
out:
    if (build_fd >= 0)
        close(build_fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static int helper_step(upgrade_run *r, const upgrade_options *opt, const char *phase) {
    int rc = run_helper(r->python_fd, r->python, r->work, phase, r->venv,
                        r->built ? r->build : NULL, opt);
    if (interrupted)
        return cli_error(CLI_FAILED, "interrupted; %s is unchanged", r->venv);
    if (rc != 0)
        return cli_error(CLI_FAILED, "upgrade step '%s' failed (see above); %s is unchanged", phase,
                         r->venv);
    return CLI_OK;
}

static int upgrade(upgrade_run *r, const upgrade_options *opt, const venv_access *va,
                   bool *changed) {
    int venv_fd = va->venv_fd;
    py_kind kind;
    const char *why;
    /* --python, then the sys.executable it reports, only from where nobody
     * but the caller or root can write (safe_exec.h), as for discovery */
    probe_result probed = py_probe(opt->python, &kind, r->python, &why);
    if (probed != PROBE_OK)
        return cli_error(CLI_FAILED, "%s %s: %s; nothing changed",
                         probed == PROBE_UNTRUSTED ? "not running" : "cannot use", opt->python,
                         why);
    report_str("python", r->python);
    if (r->python[0] != '/')
        return cli_error(CLI_FAILED, "%s reports no absolute sys.executable; nothing changed",
                         opt->python);
    static untrusted u;
    if ((r->python_fd = safe_open_program(r->python, &u)) < 0)
        return cli_error(CLI_FAILED, "not running %s: %s; nothing changed", r->python,
                         u.why[0] ? u.why : strerror(errno));
    int rc = settle_leftovers(r->parent_fd, r->base, venv_fd, r->venv, opt->dry_run);
    if (rc != CLI_OK)
        return rc;
    const char *tmp = getenv("TMPDIR");
    snprintf(r->work, sizeof r->work, "%s/venvshim-upgrade-XXXXXX",
             tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(r->work)) {
        r->work[0] = '\0';
        return cli_error(CLI_FAILED, "cannot make a private directory: %s", strerror(errno));
    }
    if (!write_helper(r->work))
        return cli_error(CLI_FAILED, "cannot write the helper into %s: %s", r->work,
                         strerror(errno));
    report_progress("upgrade: planning with %s", r->python);
    /* The helper reads the old venv by its path: the rule made every
     * directory on it the caller's or root's (or --trust-others said so).
     * It runs its own sys.executable by path (venv, pip): r->python, judged
     * above, in directories only the caller or root can write. */
    int plan = run_helper(r->python_fd, r->python, r->work, "plan", r->venv, NULL, opt);
    if (interrupted)
        return cli_error(CLI_FAILED, "interrupted; %s is unchanged", r->venv);
    if (plan == 3 && !opt->allow_missing)
        return cli_error(CLI_FAILED,
                         "%s: what is listed above cannot be rebuilt for %s; nothing changed\n"
                         "venvshim: give --find-links DIR with a wheel for it, or "
                         "--allow-missing to upgrade without it",
                         r->venv, r->python);
    if (plan != 0 && plan != 3)
        return CLI_FAILED; /* the helper said why */
    char lib[64];
    if (!read_work_line(r->work, "from", lib, sizeof lib))
        return cli_error(CLI_FAILED, "the upgrade helper left no plan; nothing changed");
    if (!name3(r->build_name, r->base, BUILD_INFIX, lib) ||
        !name3(r->bak_name, r->base, bak_version(lib), ".bak") ||
        !name3(r->build, r->venv, BUILD_INFIX, lib) ||
        !name3(r->bak, r->venv, bak_version(lib), ".bak"))
        return cli_error(CLI_FAILED, "%s: the path is too long; nothing changed", r->venv);
    if (opt->dry_run) {
        report_note("--dry-run: nothing changed (the old venv would be kept as %s)\n", r->bak);
        return CLI_OK;
    }
    struct stat st;
    if (fstatat(r->parent_fd, r->bak_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return cli_error(CLI_FAILED,
                         "%s exists (an earlier upgrade's backup?): move it away or remove it; "
                         "nothing changed",
                         r->bak);
    r->built = true; /* from here on, a failure removes the building directory */
    if ((rc = helper_step(r, opt, "build")) != CLI_OK)
        return rc;
    report_progress("upgrade: making %s a venvshim venv", r->build);
    static venv_access build;
    if (!open_build(r, va->overridden, &build)) {
        rc = cli_error(CLI_FAILED, "cannot open %s, the new venv: %s; %s is unchanged", r->build,
                       strerror(errno), r->venv);
        venv_access_close(&build);
        return rc;
    }
    char relocatable[8] = "";
    read_work_line(r->work, "relocatable", relocatable, sizeof relocatable);
    launcher_variant_inherit(va->venv_fd); /* one-process mode stays (where the base allows) */
    if (quietly(install_plain, &build, "install") != CLI_OK)
        rc = cli_error(CLI_FAILED, "installing the launcher into %s failed; %s is unchanged",
                       r->build, r->venv);
    else if (strcmp(relocatable, "true") == 0 &&
             quietly(relocate_venv, &build, "relocate") != CLI_OK)
        rc = cli_error(CLI_FAILED, "relocate %s failed; %s is unchanged", r->build, r->venv);
    venv_access_close(&build);
    if (rc != CLI_OK)
        return rc;
    /* finish runs the NEW venv's bin/python by its path (to verify it): the
     * caller's own, built above by the helper the caller runs, in the parent
     * the rule judged; nothing of the old venv is ever run. */
    if ((rc = helper_step(r, opt, "finish")) != CLI_OK)
        return rc;
    return swap_in(r, opt, changed);
}

int upgrade_venv(const char *dir, const upgrade_options *opt) {
    static upgrade_run r;
    memset(&r, 0, sizeof r);
    r.parent_fd = r.python_fd = -1;
    report_str("command", "upgrade");
    report_str("venv", dir);
    report_str("python", opt->python);
    report_bool("dry_run", opt->dry_run);
    /* DIR missing between the two renames of a fallback swap: check --fix
     * finishes it (under the ownership rule); building again would not */
    static upgrade_split_swap sp;
    struct stat dir_st;
    if (lstat(dir, &dir_st) != 0 && errno == ENOENT && upgrade_find_split_swap(dir, &sp))
        return cli_error(CLI_FAILED,
                         "%s is missing: an earlier 'venvshim upgrade' was interrupted between "
                         "its two renames; the new venv is %s, the old one %s; nothing changed\n"
                         "venvshim: to finish that upgrade, run: %s",
                         dir, sp.build, sp.bak, upgrade_split_swap_fix(dir));
    /* the ownership rule (venv_access.h); from here on, descriptors */
    static venv_access va;
    if (venv_access_open(opt->args, dir, &va) != CLI_OK)
        return CLI_FAILED;
    int venv_fd = va.venv_fd;
    snprintf(r.venv, sizeof r.venv, "%s", va.path);
    report_str("venv", r.venv);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int rc;
    bool changed = false;
    struct stat st;
    snprintf(r.base, sizeof r.base, "%s", path_basename(r.venv));
    if (fstatat(venv_fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
        rc = cli_error(CLI_FAILED, "%s is not a virtual environment (no pyvenv.cfg)", r.venv);
    else if (strcmp(r.venv, "/") == 0 || (r.parent_fd = upgrade_open_parent(venv_fd, r.base)) < 0)
        rc = cli_error(CLI_FAILED, "cannot open the directory holding %s: %s", r.venv,
                       strerror(errno));
    else
        rc = upgrade(&r, opt, &va, &changed);
    if (r.built && r.parent_fd >= 0 && remove_tree(r.parent_fd, r.build_name) != 0 &&
        errno != ENOENT)
        fprintf(stderr, "venvshim: could not remove the unfinished %s: %s\n", r.build,
                strerror(errno));
    report_result(r.work, changed, changed && opt->keep_old ? r.bak : NULL);
    if (rc == CLI_OK && changed)
        report_note("upgraded %s to %s%s\n", r.venv, r.python,
                    opt->keep_old ? "" : "; the old venv is removed (--no-keep-old)");
    if (rc == CLI_OK && opt->allow_missing && r.work[0])
        report_skipped(r.work, opt->dry_run);
    if (opt->keep_old && changed)
        report_note("the old venv is kept as %s: remove it once %s works\n", r.bak, r.venv);
    if (r.work[0] && remove_tree(AT_FDCWD, r.work) != 0)
        fprintf(stderr, "venvshim: could not remove %s: %s\n", r.work, strerror(errno));
    if (r.parent_fd >= 0)
        close(r.parent_fd);
    if (r.python_fd >= 0)
        close(r.python_fd);
    venv_access_close(&va);
    return rc;
}

int cmd_upgrade(const cli_args *a) {
    report_start(a);
    upgrade_options opt = {0};
    opt.args = a;
    opt.python = cli_opt(a, "python");
    opt.dry_run = cli_opt(a, "dry-run") != NULL;
    opt.json = cli_opt(a, "json") != NULL;
    opt.allow_missing = cli_opt(a, "allow-missing") != NULL;
    bool keep = cli_opt(a, "keep-old") != NULL, no_keep = cli_opt(a, "no-keep-old") != NULL;
    if (keep && no_keep)
        return cli_usage_error(a->cmd, "--keep-old and --no-keep-old exclude each other");
    opt.keep_old = !no_keep;
    if (!opt.python)
        return cli_usage_error(a->cmd, "missing --python PATH (the new interpreter)");
    opt.n_find_links = cli_opt_all(a, "find-links", opt.find_links, MAX_FIND_LINKS);
    if (opt.n_find_links > MAX_FIND_LINKS)
        return cli_usage_error(a->cmd, "at most %d --find-links", MAX_FIND_LINKS);
    static char abs_links[MAX_FIND_LINKS][VS_PATH_MAX];
    for (size_t i = 0; i < opt.n_find_links; i++) {
        if (!realpath(opt.find_links[i], abs_links[i]))
            return cli_error(CLI_FAILED, "--find-links %s: %s; nothing changed", opt.find_links[i],
                             strerror(errno));
        opt.find_links[i] = abs_links[i];
    }
    int rc = upgrade_venv(a->operand, &opt);
    report_finish(rc);
    return rc;
}
