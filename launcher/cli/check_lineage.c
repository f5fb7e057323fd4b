/* venvshim check: where the venv's base comes from (issue 20). Two findings
 * the launcher's resolution hides because it recovers from them:
 *  - `home` is another venv's bin/: a venv made from inside a venv by
 *    CPython 3.6-3.10 or PyPy (`python -m venv`, `--copies`) runs only while
 *    that other venv exists; --fix re-installs, which points home at the real
 *    base (install flattens nested homes).
 *  - the recorded `executable` / `base-executable` is not what runs: it
 *    names another installation than `home` (an edited home: home wins, as
 *    CPython takes the standard library from home), or this venv's own
 *    launcher (`python -m venv --upgrade` run from inside writes
 *    realpath(sys.executable)); --fix records the base that runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base_trailer.h"
#include "../plan.h"
#include "../pyname.h"
#include "check.h"
#include "cli.h"
#include "core_open.h"
#include "venv_access.h"

/* The plan the launcher would make when started as venv/bin/python. */
static bool launcher_plan(const char *venv, vs_plan *plan) {
    static vs_error err;
    static char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, venv, "bin/python"))
        return false;
    /* a file the core was refused: check_base says so */
    return core_plan_for(exe, plan, &err) == 0 && !core_open_refused();
}

/* Rewrite the value slice v of text (pyvenv.cfg as read) to value, through
 * the venv's descriptor (venv_access.h). */
static bool rewrite_key(const venv_access *va, const char *text, size_t len, cfg_value v,
                        const char *value) {
    size_t at = (size_t)(v.ptr - text), vlen = strlen(value);
    char *out = malloc(len - v.len + vlen + 1);
    if (!out)
        return false;
    memcpy(out, text, at);
    memcpy(out + at, value, vlen);
    memcpy(out + at + vlen, text + at + v.len, len - at - v.len);
    size_t out_len = len - v.len + vlen;
    char shown[VS_PATH_MAX];
    static staged_file s;
    struct stat st;
    bool ok =
        fstatat(va->venv_fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        path_join(shown, sizeof shown, va->path, "pyvenv.cfg") &&
        staged_write_at(&s, va->venv_fd, "pyvenv.cfg", shown, out, out_len, st.st_mode & 0777) &&
        staged_commit(&s);
    free(out);
    return ok;
}

/* The command that repairs what this file finds, quoted for the shell. */
static const char *fix_command(const char *venv) {
    static char again[SHELL_FIX_CAP];
    snprintf(again, sizeof again, "venvshim check --fix %s", shell_word(venv));
    return again;
}

static void check_nested_home(const char *venv, const vs_plan *plan, bool fix, report *r) {
    if (plan->base.chain_depth == 0)
        return;
    char home[VS_PATH_MAX];
    snprintf(home, sizeof home, "%s", plan->base.home);
    bool fixed = fix && check_reinstall();
    report_add_fix(r, "base", fixed ? FIND_FIXED : FIND_PROBLEM, plan->base.binary,
                   fixed ? NULL : fix_command(venv),
                   "home leads through another venv (made from inside it?) to the base %s: this "
                   "venv stops working when that venv is moved or removed%s%s",
                   plan->base.binary, fixed ? "; home now names the base's directory " : "",
                   fixed ? home : "; home is pointed at the base by: ");
}

static void check_recorded_base(const char *venv, const venv_access *va, const char *text,
                                size_t len, const venv_cfg *cfg, const vs_plan *plan, report *r) {
    cfg_value v = cfg->base_executable.ptr ? cfg->base_executable : cfg->executable;
    if (!v.ptr || v.len == 0 || v.len >= VS_PATH_MAX || plan->base.home_relative ||
        plan->base.chain_depth > 0 || plan->base.from_trailer)
        return;
    char recorded[VS_PATH_MAX];
    memcpy(recorded, v.ptr, v.len);
    recorded[v.len] = '\0';
    if (strcmp(recorded, plan->base.binary) == 0)
        return;
    const char *key = cfg->base_executable.ptr ? "base-executable" : "executable";
    bool fixed = va && rewrite_key(va, text, len, v, plan->base.binary);
    report_add_fix(r, "base", fixed ? FIND_FIXED : FIND_PROBLEM, plan->base.binary,
                   fixed ? NULL : fix_command(venv),
                   "pyvenv.cfg's %s = %s is not what runs: the launcher runs %s, from home = %s "
                   "(home wins: CPython takes the standard library from it)%s",
                   key, recorded, plan->base.binary, plan->base.home,
                   fixed ? "; recorded it" : "; it is recorded by: ");
}

/* The base the launcher file records (base_trailer.h) is the one that runs:
 * a record left from before an edited home would be run if home ever gave
 * no base. Only where install writes one (an absolute home, a base named
 * with the venv's X.Y); a launcher without one (an older build) is
 * check_launchers' finding. */
static void check_launcher_record(const char *venv, bool fix, const vs_plan *plan, report *r) {
    int major, minor;
    char path[VS_PATH_MAX];
    if (plan->base.home_relative || plan->base.from_trailer ||
        !pyname_version(path_basename(plan->base.binary), &major, &minor) ||
        major != plan->base.venv_major || minor != plan->base.venv_minor ||
        !path_join(path, sizeof path, venv, "bin/" VS_LAUNCHER_FILE))
        return;
    size_t len;
    struct stat st;
    const char *why;
    char *data = check_read_file(path, 64u << 20, &len, &st, &why);
    if (!data)
        return;
    static base_trailer t;
    payload_memory m = {(const unsigned char *)data, len};
    base_trailer_status bs =
        has_launcher_marker(data, len)
            ? base_trailer_read(payload_read_memory, &m, (long long)len, &t, &why)
            : BASE_TRAILER_NONE;
    free(data);
    if (bs == BASE_TRAILER_NONE ||
        (bs == BASE_TRAILER_OK && strcmp(t.path, plan->base.binary) == 0))
        return;
    bool fixed = fix && check_reinstall();
    char what[2 * VS_PATH_MAX + 64];
    if (bs == BASE_TRAILER_OK)
        snprintf(what, sizeof what, "records the base %s, not the base that runs, %s", t.path,
                 plan->base.binary);
    else
        snprintf(what, sizeof what, "%s (the base that runs is %s)", why, plan->base.binary);
    report_add_fix(r, "launcher", fixed ? FIND_FIXED : FIND_PROBLEM, path,
                   fixed ? NULL : fix_command(venv),
                   "%s %s: were home ever to give no base, the launcher would fall back to %s%s",
                   path, what, bs == BASE_TRAILER_OK ? "it" : "nothing (exit 103)",
                   fixed ? "; re-installed the launcher" : "; the launcher is re-installed by: ");
}

void check_lineage(const char *venv, const venv_access *va, report *r) {
    bool fix = va != NULL;
    static vs_plan plan;
    if (!launcher_plan(venv, &plan))
        return; /* check_base reports why */
    check_nested_home(venv, &plan, fix, r);
    if (plan.base.chain_depth > 0)
        return;
    /* read now: an earlier fix (a rebase) may have rewritten it */
    char path[VS_PATH_MAX];
    size_t len;
    const char *why = NULL;
    venv_cfg cfg;
    struct stat st;
    char *text = path_join(path, sizeof path, venv, "pyvenv.cfg")
                     ? check_read_file(path, CFG_MAX_SIZE - 1, &len, &st, &why)
                     : NULL;
    if (text && cfg_parse(text, len, &cfg) == CFG_OK)
        check_recorded_base(venv, va, text, len, &cfg, &plan, r);
    free(text);
    check_launcher_record(venv, fix, &plan, r);
}
