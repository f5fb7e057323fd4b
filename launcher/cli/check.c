/* venvshim check DIR [--json] [--fix]: what is wrong with a venv, before its
 * users find out. Works on any venv (made by venv, virtualenv, uv), with or
 * without the launcher. Exit 0 healthy, 1 problems found, 2 usage. */
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base_trailer.h"
#include "../cfg.h"
#include "../path.h"
#include "../plan.h"
#include "../pyname.h"
#include "../script.h"
#include "../version_guard.h"
#include "check.h"
#include "core_open.h"
#include "report.h"
#include "cli.h"
#include "launcher_variant.h"
#include "rebase.h"
#include "venv_access.h"

/* pyvenv.cfg present, a small text file with a home. False: nothing else
 * can be checked. */
static bool check_cfg(const char *venv, report *r, venv_cfg *cfg, char **text) {
    char path[VS_PATH_MAX];
    struct stat st;
    size_t len = 0;
    if (!path_join(path, sizeof path, venv, "pyvenv.cfg")) {
        report_add(r, "pyvenv.cfg", FIND_PROBLEM, venv, "%s: path too long", venv);
        return false;
    }
    const char *bad = NULL;
    *text = check_read_file(path, CFG_MAX_SIZE - 1, &len, &st, &bad);
    if (!*text && stat(path, &st) != 0) {
        char create[SHELL_FIX_CAP];
        snprintf(create, sizeof create, "venvshim create %s", shell_word(venv));
        report_add_fix(r, "pyvenv.cfg", FIND_PROBLEM, path, create,
                       "%s: %s: %s is not a virtual environment; create one with: ", path,
                       strerror(errno), venv);
        return false;
    }
    if (bad && strcmp(bad, "is too large") == 0)
        bad = "is 32 KiB or larger (CPython 3.11+ refuses to start with it)";
    if (bad)
        ; /* the file itself is wrong: no parsing */
    else if (cfg_parse(*text, len, cfg) != CFG_OK)
        bad = "contains NUL bytes: it is not a text file";
    else if (!cfg->home.ptr)
        bad = cfg->bom_hid_home ? "starts with a UTF-8 byte order mark that hides 'home'"
                                : "has no 'home = <directory of the base python>' line";
    if (bad) {
        report_add(r, "pyvenv.cfg", FIND_PROBLEM, path, "%s %s; recreate the venv", path, bad);
        return false;
    }
    cfg_value v = cfg->version.ptr ? cfg->version : cfg->version_info;
    report_add(r, "pyvenv.cfg", FIND_OK, path, "%s: home = %.*s, version %.*s", path,
               (int)cfg->home.len, cfg->home.ptr, v.ptr ? (int)v.len : 7,
               v.ptr ? v.ptr : "unknown");
    cfg_value legacy;
    if (!cfg_legacy_home(*text, len, &legacy) || legacy.len != cfg->home.len ||
        memcmp(legacy.ptr, cfg->home.ptr, legacy.len) != 0)
        report_add(r, "pyvenv.cfg", FIND_INFO, path,
                   "%s: CPython 3.6-3.10 would read 'home' differently (spacing, case, or no "
                   "final newline); write it as 'home = DIR' on its own line",
                   path);
    return true;
}

/* "X.Y.Z" of an interpreter, by asking it (check is off the hot path; the
 * launcher never does this), within RUN_LIMIT_MS and whatever it does. */
static run_status ask_version(const char *python, char *out, size_t cap) {
    static char answer[RUN_OUTPUT_CAP];
    const char *argv[] = {
        python, "-I", "-S", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])", NULL};
    int code;
    run_status st = run_bounded(argv, RUN_LIMIT_MS, answer, sizeof answer, &code);
    answer[strcspn(answer, "\r\n")] = '\0';
    size_t len = strlen(answer) < cap ? strlen(answer) : cap - 1;
    memcpy(out, answer, len);
    out[len] = '\0';
    return st == RUN_OK && !out[0] ? RUN_FAILED : st;
}

/* The error text of the launcher as one line, without its "venvshim: " prefixes. */
static void one_line(const char *text, char *out, size_t cap) {
    size_t n = 0;
    for (const char *p = text; *p && n + 4 < cap;) {
        if (strncmp(p, "venvshim: ", 10) == 0) {
            p += 10;
            continue;
        }
        if (*p == '\n') {
            memcpy(out + n, "; ", 2);
            n += 2;
            p++;
            continue;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
}

/* The venv as venv_access opened it for --fix (NULL without --fix, or when
 * the ownership rule refused it): every write goes through its descriptors. */
static venv_access fix_access;
static bool fix_opened;

/* Resolve the base exactly as the launcher would, then compare versions. */
static bool reinstall(void);

static void check_base(const char *venv, const venv_cfg *cfg, const venv_trust *t, bool fix,
                       report *r) {
    static vs_plan plan;
    static vs_error err;
    char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, venv, "bin/python"))
        return; /* cannot happen: check_cfg joined a longer name */
    int made = core_plan_for(exe, &plan, &err);
    if (core_open_refused()) {
        /* what the core decided without that file is not the launcher's
         * decision, and its error could quote nothing check may show */
        report_add(r, "base", FIND_PROBLEM, NULL,
                   "the base cannot be checked: check did not read %s, which the launcher reads; "
                   "replace the link with the file itself",
                   core_open_refused());
        return;
    }
    if (made != 0) {
        char line[sizeof err.text];
        one_line(err.text, line, sizeof line);
        /* A vanished or replaced base: rebase keeps the packages (rebase.c);
         * --fix does it when one interpreter is the obvious choice. */
        if (err.code == EXIT_NO_BASE && fix && fix_opened) {
            rebase_options opt = {.only_if_unique = true};
            fflush(stdout);
            int saved = dup(1);
            dup2(2, 1); /* rebase's report must not mix with check's */
            bool rebased = rebase_venv(&fix_access, &opt) == CLI_OK;
            fflush(stdout);
            dup2(saved, 1);
            close(saved);
            if (rebased && core_plan_for(exe, &plan, &err) == 0) {
                report_add(r, "base", FIND_FIXED, plan.base.binary,
                           "the base interpreter was gone (the launcher would have exited %d): "
                           "rebased onto %s, keeping the packages",
                           EXIT_NO_BASE, plan.base.binary);
                return;
            }
        }
        /* The launcher's own words, escaped by it (diag.c) with its commands
         * quoted by sb_add_shell_word: shown as they are, never escaped again
         * (that would change the commands). */
        static char words[sizeof line + SHELL_FIX_CAP];
        snprintf(words, sizeof words, "%s%s%s", line,
                 err.code == EXIT_NO_BASE ? "; to point the venv at another interpreter of its "
                                            "version, keeping its packages: venvshim rebase "
                                          : "",
                 err.code == EXIT_NO_BASE ? shell_word(venv) : "");
        report_add_fix(r, "base", FIND_PROBLEM, NULL, words,
                       "the launcher would exit %d: ", err.code);
        return;
    }
    if (plan.base.from_trailer) {
        /* home gives no base: the launcher falls back to the base its own
         * file records (base_trailer.h); install writes that base's
         * directory into home */
        char home[VS_PATH_MAX];
        cfg_value h = cfg->home;
        snprintf(home, sizeof home, "%.*s", h.len < sizeof home ? (int)h.len : 0,
                 h.ptr ? h.ptr : "");
        bool fixed =
            fix && reinstall() && core_plan_for(exe, &plan, &err) == 0 && !plan.base.from_trailer;
        char again[SHELL_FIX_CAP];
        snprintf(again, sizeof again, "venvshim check --fix %s", shell_word(venv));
        report_add_fix(
            r, "base", fixed ? FIND_FIXED : FIND_PROBLEM, plan.base.binary, fixed ? NULL : again,
            "home = %s gives no base (the base or the venv it named was moved or "
            "removed, or python -m venv --upgrade rewrote it); the launcher runs %s, "
            "the base recorded in its launcher file (bin/%s), as a copied CPython "
            "falls back to its compiled-in prefix%s",
            home, plan.base.binary, path_basename(plan.loc.venv_exe),
            fixed ? ": wrote its directory into home" : "; home is pointed at its directory by: ");
        if (!fixed)
            return;
    }
    const char *base = plan.base.binary;
    int major, minor;
    cfg_value v = cfg->version.ptr ? cfg->version : cfg->version_info;
    if (!cfg_major_minor(cfg, &major, &minor)) {
        report_add(r, "base", FIND_INFO, base,
                   "%s; pyvenv.cfg records no version, so it cannot be compared", base);
        return;
    }
    char actual[64];
    /* Run it only when nobody but the venv's owner (or root) chose it. */
    bool may_run = t->may_run && check_trust_base(base, t->owner, r);
    run_status st = may_run ? ask_version(base, actual, sizeof actual) : RUN_FAILED;
    if (st == RUN_TIMEOUT || st == RUN_TOO_MUCH || st == RUN_LINGERED) {
        char what[64];
        if (st == RUN_TIMEOUT)
            snprintf(what, sizeof what, "did not answer within %d s", RUN_LIMIT_MS / 1000);
        else
            snprintf(what, sizeof what, "%s",
                     st == RUN_TOO_MUCH ? "printed 64 KiB or more"
                                        : "left a process running that holds its output");
        report_add(r, "base", FIND_PROBLEM, base,
                   "%s %s when asked its version (killed with what it started): a Python "
                   "interpreter does not; is %s what the venv should run?",
                   base, what, base);
        return;
    }
    if (st != RUN_OK) {
        vg_found found;
        vg_verdict verdict = vg_check(base, major, minor, &found);
        report_add(r, "base", verdict == VG_MATCH ? FIND_OK : FIND_INFO, base,
                   "%s: Python %d.%d (%s; it %s)", base, major, minor,
                   verdict == VG_MATCH ? found.evidence : "no evidence either way",
                   may_run ? "could not be run to ask" : "was not run: see the trust findings");
        return;
    }
    int amaj = 0, amin = 0;
    if (sscanf(actual, "%d.%d", &amaj, &amin) != 2 || amaj != major || amin != minor) {
        char upgrade[SHELL_FIX_CAP];
        snprintf(upgrade, sizeof upgrade, "venvshim upgrade %s --python %s", shell_word(venv),
                 shell_word(base));
        report_add_fix(r, "base", FIND_PROBLEM, base, upgrade,
                       "%s is Python %s but the venv is for %d.%d: to move the venv to it with its "
                       "packages (rebuilt beside it, the old one kept): ",
                       base, actual, major, minor);
        return;
    }
    /* v holds "X.Y.Z" (venv) or "X.Y.Z.final.0" (virtualenv): compare X.Y.Z */
    size_t vlen = strlen(actual);
    bool same =
        v.len >= vlen && memcmp(v.ptr, actual, vlen) == 0 && (v.len == vlen || v.ptr[vlen] == '.');
    report_add(r, "base", FIND_OK, base, "%s is Python %s", base, actual);
    if (!same)
        report_add(r, "base", FIND_INFO, base,
                   "patch drift: the venv was made with %.*s, the base is now %s (same "
                   "site-packages; nothing to do)",
                   (int)v.len, v.ptr, actual);
}

/* A launcher is a small static program; anything far larger is not one. */
#define LAUNCHER_MAX (64u << 20)

typedef struct {
    int count; /* every interpreter name: no cap, a name install missed is counted */
    int ours, other_build, not_launcher;
    char example[VS_PATH_MAX + NAME_MAX + 64]; /* first non-launcher, for the message */
} bin_scan;

/* data is ours (this build's launcher), with or without the base record
 * install appends (base_trailer.h) and the one-process record it writes
 * (launcher_variant_same_build); whether the base record names the base that
 * runs is check_lineage's question. */
static bool is_this_launcher_as_installed(const char *data, size_t len, const char *ours,
                                          size_t ours_len) {
    static base_trailer t;
    const char *why;
    return launcher_variant_same_build(data, len, ours, ours_len) &&
           (len == ours_len || base_trailer_parse((const unsigned char *)data + ours_len,
                                                  len - ours_len, &t, &why) == BASE_TRAILER_OK);
}

static void scan_launchers(const char *bin, const char *ours, size_t ours_len, bin_scan *s) {
    memset(s, 0, sizeof *s);
    size_t count;
    char **names = dir_names_at(AT_FDCWD, bin, NULL, &count);
    for (size_t i = 0; i < count; i++) {
        char path[VS_PATH_MAX];
        struct stat st;
        if (!pyname_is_interpreter(names[i]) || !path_join(path, sizeof path, bin, names[i]) ||
            lstat(path, &st) != 0)
            continue;
        s->count++;
        size_t len = 0;
        const char *why;
        /* install's layout: a symlink to the one launcher file in bin/ */
        char to[VS_PATH_MAX];
        ssize_t tn = S_ISLNK(st.st_mode) ? readlink(path, to, sizeof to - 1) : -1;
        to[tn > 0 ? tn : 0] = '\0';
        bool ours_link = strcmp(to, VS_LAUNCHER_FILE) == 0 &&
                         path_join(path, sizeof path, bin, VS_LAUNCHER_FILE) &&
                         lstat(path, &st) == 0;
        char *data = S_ISREG(st.st_mode) && (tn < 0 || ours_link)
                         ? check_read_file(path, LAUNCHER_MAX, &len, &st, &why)
                         : NULL;
        if (!ours_link && tn >= 0)
            path_join(path, sizeof path, bin, names[i]);
        bool launcher = data && has_launcher_marker(data, len);
        bool same = launcher && ours && is_this_launcher_as_installed(data, len, ours, ours_len);
        free(data);
        if (launcher) {
            if (!ours || same)
                s->ours++;
            else
                s->other_build++;
            continue;
        }
        s->not_launcher++;
        if (s->example[0])
            continue;
        char target[VS_PATH_MAX];
        ssize_t n = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof target - 1) : -1;
        target[n > 0 ? n : 0] = '\0';
        snprintf(s->example, sizeof s->example, "bin/%s is %s%s", names[i],
                 n > 0 ? "a symlink to " : "a copy of an interpreter", target);
    }
    dir_names_free(names, count);
}

/* install left its record of the base: the venv was converted once. */
static bool former_venvshim(const char *bin) {
    char path[VS_PATH_MAX];
    struct stat st;
    return path_join(path, sizeof path, bin, VS_BASE_RECORD) && lstat(path, &st) == 0 &&
           S_ISLNK(st.st_mode);
}

static bool reinstall(void) {
    if (!fix_opened)
        return false;
    fflush(stdout);
    int saved = dup(1);
    dup2(2, 1); /* install's progress must not mix with --json on stdout */
    bool ok = install_venv(&fix_access, false) == CLI_OK;
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    return ok;
}

bool check_reinstall(void) {
    return reinstall();
}

static void check_launchers(int venv_fd, const char *venv, bool fix, report *r) {
    char bin[VS_PATH_MAX], ours_path[VS_PATH_MAX];
    if (!path_join(bin, sizeof bin, venv, "bin"))
        return;
    size_t ours_len = 0;
    const char *why;
    struct stat st;
    /* this build's launcher, of the kind install would choose now */
    bool found = find_launcher(ours_path, sizeof ours_path);
    if (found)
        launcher_variant_for_venv(venv_fd, venv, ours_path, sizeof ours_path);
    char *ours = found ? check_read_file(ours_path, LAUNCHER_MAX, &ours_len, &st, &why) : NULL;
    static bin_scan s, after;
    scan_launchers(bin, ours, ours_len, &s);
    if (s.count == 0) {
        report_add(r, "launcher", FIND_PROBLEM, bin,
                   "%s has no python or pypy executable; recreate the venv", bin);
    } else if (s.ours + s.other_build == 0 && former_venvshim(bin)) {
        /* python -m venv --upgrade (or --copies) put the base over them */
        bool fixed = fix && reinstall();
        if (fixed)
            scan_launchers(bin, ours, ours_len, &after);
        fixed = fixed && !after.other_build && !after.not_launcher;
        report_add(r, "launcher", fixed ? FIND_FIXED : FIND_PROBLEM, bin,
                   "%s was a venvshim venv (bin/%s is there) but no interpreter name is the "
                   "launcher (%s: python -m venv --upgrade?); %s",
                   venv, VS_BASE_RECORD, s.example,
                   fixed ? "re-installed the launcher"
                         : "'venvshim check --fix DIR' or 'venvshim install DIR' brings it back");
    } else if (s.ours + s.other_build == 0) {
        char add[SHELL_FIX_CAP];
        snprintf(add, sizeof add, "venvshim install %s", shell_word(venv));
        report_add_fix(r, "launcher", FIND_INFO, bin, add,
                       "not a venvshim venv (%s); this adds the launcher: ", s.example);
    } else if (s.other_build || s.not_launcher) {
        /* Fixed is what a second look finds, not what install says it did. */
        if (fix && reinstall())
            scan_launchers(bin, ours, ours_len, &after);
        else
            after = s;
        if (fix && !after.other_build && !after.not_launcher)
            report_add(r, "launcher", FIND_FIXED, bin,
                       "re-installed this build's launcher in %s (%d were from another build, "
                       "%d not launchers)",
                       bin, s.other_build, s.not_launcher);
        else
            report_add(r, "launcher", FIND_PROBLEM, bin,
                       "%d of %d interpreters in %s are not this build's launcher (%d from another "
                       "venvshim build%s%s); %s",
                       after.other_build + after.not_launcher, after.count, bin, after.other_build,
                       after.example[0] ? ", " : "", after.example,
                       fix ? "re-installing did not change that"
                           : "'venvshim check --fix DIR' re-installs it");
    } else {
        report_add(r, "launcher", FIND_OK, bin, "%d interpreter%s in %s %s this build's launcher%s",
                   s.count, s.count == 1 ? "" : "s", bin, s.count == 1 ? "is" : "are",
                   ours ? "" : " (this build's launcher was not found to compare)");
    }
    free(ours);
}

int cmd_check(const cli_args *a) {
    report_start(a); /* --quiet */
    const char *dir = a->operand;
    bool json = cli_opt(a, "json") != NULL, fix = cli_opt(a, "fix") != NULL;

    report r = {0};
    char venv[PATH_MAX];
    venv_cfg cfg;
    char *text = NULL;
    struct stat st;
    if (lstat(dir, &st) != 0 && errno == ENOENT && check_upgrade_missing(a, dir, fix, &r)) {
        if (json)
            report_print_json(&r, dir, stdout);
        else
            report_print_text(&r, dir, stdout);
        int rc = report_count(&r, FIND_PROBLEM) ? CLI_FAILED : CLI_OK;
        report_free(&r);
        return rc;
    }
    /* --fix writes: the ownership rule first (venv_access.h); refused, check
     * still reports, writes nothing and exits 1 */
    bool refused = fix && venv_access_open(a, dir, &fix_access) != CLI_OK;
    fix_opened = fix && !refused;
    if (!realpath(dir, venv)) {
        snprintf(venv, sizeof venv, "%s", dir);
        report_add(&r, "pyvenv.cfg", FIND_PROBLEM, dir, "%s: %s", dir, strerror(errno));
    } else if (check_cfg(venv, &r, &cfg, &text)) {
        venv_trust trust;
        check_trust(venv, &r, &trust);
        if (fix && !trust.may_fix)
            report_add(&r, "trust", FIND_INFO, venv,
                       "--fix writes nothing here: check writes only in a venv owned by the user "
                       "running it (uid %lu; this one: uid %lu) that no other user can write to",
                       (unsigned long)geteuid(), (unsigned long)trust.owner);
        fix = fix && trust.may_fix && fix_opened;
        int venv_fd = fix_opened ? fix_access.venv_fd : open_dir_at(AT_FDCWD, venv, false);
        check_bin_entries(venv, fix, &r);
        check_base(venv, &cfg, &trust, fix, &r);
        check_lineage(venv, fix ? &fix_access : NULL, &r);
        check_launchers(venv_fd, venv, fix, &r);
        cfg_value relocatable = cfg_find(text, strlen(text), "relocatable");
        check_scripts(venv, fix, cfg_value_equals(relocatable, "true"), &r);
        check_site_init(venv_fd, venv, &cfg, fix, &r);
        check_old_reloc_hook(venv_fd, venv, fix, &r);
        check_upgrade(venv_fd, venv, fix, &r);
        if (!fix_opened && venv_fd >= 0)
            close(venv_fd);
    }
    free(text);
    if (json)
        report_print_json(&r, venv, stdout);
    else
        report_print_text(&r, venv, stdout);
    int rc = report_count(&r, FIND_PROBLEM) || refused ? CLI_FAILED : CLI_OK;
    report_free(&r);
    if (fix_opened)
        venv_access_close(&fix_access);
    return rc;
}
