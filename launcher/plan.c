#include "plan.h"

#include <string.h>

#include "framework.h"
#include "pip_hook.h"
#include "pyname.h"
#include "relhome.h"
#include "script.h"
#include "shebang.h"
#include "fs.h"
#include "strbuf.h"

static bool plan_sets(const vs_plan *plan, const char *name) {
    for (int i = 0; i < plan->env_count; i++)
        if (strcmp(plan->env[i].name, name) == 0)
            return true;
    return false;
}

/* macOS framework build: run Python.app's binary the way the bin/ stub would,
 * but with this venv's path in __PYVENV_LAUNCHER__ (argv[0] is not enough:
 * the framework interpreter takes its identity from that variable). */
static int plan_framework(vs_plan *plan, vs_error *err) {
    static char app[VS_PATH_MAX], launcher[VS_PATH_MAX];
    framework_status st = framework_app_for(plan->base.binary, app, err);
    if (st == FRAMEWORK_BROKEN)
        return err->code;
    if (st == FRAMEWORK_NO)
        return 0;
    if (!framework_launcher_value(plan->loc.venv_exe, launcher) ||
        !plan_env_set(plan, PYVENV_LAUNCHER_VAR, launcher))
        return diag_fail(err, EXIT_NO_BASE, "cannot compute " PYVENV_LAUNCHER_VAR " for ",
                         plan->loc.venv_exe, "\nmove the virtual environment to a shorter path",
                         NULL);
    sb_copy(plan->base.binary, sizeof plan->base.binary, app);
    plan->argv0 = plan->base.binary; /* the stub passes the app's own path */
    return 0;
}

/* CPython 3.11+ (Modules/getpath.py) takes sys.executable from
 * __PYVENV_LAUNCHER__ and sys._base_executable from argv[0], then clears the
 * variable: started as the base binary with the venv's path in the variable,
 * it reports the venv (sys.executable, sys.prefix) and the exact base binary a
 * symlink venv reports, where argv[0] = the venv's path gives
 * realpath(bin/python), our launcher file. The macOS stub and the Windows
 * redirector start CPython the same way. Only for a base whose name says
 * CPython X.Y of the venv's X.Y, 3.11 or later: 3.6-3.10 and PyPy ignore the
 * variable (and would leak it to their children), so they keep argv[0] = the
 * venv's path. */
static bool names_cpython_311_plus(const char *path, const vs_base *base) {
    const char *name = path_basename(path);
    const char *fam = pyname_family(name);
    int major, minor;
    /* a POSIX interpreter's name: not python3.13t.exe (the Windows
     * redirector passes the variable itself, launcher_win.c) */
    return fam && strcmp(fam, "python") == 0 && pyname_is_interpreter(name) &&
           pyname_version(name, &major, &minor) && major == base->venv_major &&
           minor == base->venv_minor && (major > 3 || (major == 3 && minor >= 11));
}

/* The argv[0] that gives sys._base_executable: the base itself, or, for a
 * generic name (home/python -> python3.12, chosen when `executable` names no
 * usable file), the versioned file its links lead to, as getpath's realpath()
 * follows a symlink venv's bin/python (the last component, link by link).
 * NULL when the interpreter does not read the variable. */
static const char *base_argv0(const vs_plan *plan) {
    int major = plan->base.venv_major, minor = plan->base.venv_minor;
    if (major < 3 || (major == 3 && minor < 11))
        return NULL; /* 3.6-3.10 (or no version): no name to parse, no link to read */
    if (names_cpython_311_plus(plan->base.binary, &plan->base))
        return plan->base.binary;
    static char link[VS_PATH_MAX], target[VS_PATH_MAX], next[VS_PATH_MAX];
    const char *name = path_basename(plan->base.binary);
    const char *fam = pyname_family(name);
    if (!fam || strcmp(fam, "python") != 0 || !pyname_is_interpreter(name) ||
        plan->base.venv_major == 0)
        return NULL;
    sb_copy(link, sizeof link, plan->base.binary);
    for (int hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
        if (fs_readlink(link, target, sizeof target, NULL) < 0 ||
            !locate_follow_link(link, target, next))
            return NULL;
        sb_copy(link, sizeof link, next);
        if (names_cpython_311_plus(link, &plan->base))
            return link;
    }
    return NULL;
}

/* A relative home (relhome.h): the step says what the child needs, the plan
 * records it. */
static int plan_relative_home(const vs_request *req, vs_plan *plan, vs_error *err) {
    static relhome_env rh;
    unsigned flags =
        plan->script.kind != SCRIPT_NONE ? 0 : relhome_python_flags(req->argc, req->argv);
    int rc = relhome_prepare(&plan->loc, &plan->base, flags, req->has_pythonhome, &rh, err);
    if (rc || !rh.set_home)
        return rc;
    if (!plan_env_set(plan, "PYTHONHOME", rh.pythonhome) ||
        !plan_env_set(plan, VS_RELHOME_MARKER_VAR, plan->base.binary))
        return diag_fail(err, EXIT_NO_BASE, "the base prefix ", rh.pythonhome,
                         " is too long to pass on", "\nmove the application to a shorter path",
                         NULL);
    return 0;
}

int plan_make(const vs_request *req, vs_plan *plan, vs_error *err) {
    int rc = locate_venv(&req->inv, &plan->loc, err);
    if (rc)
        return rc;
    plan->script.kind = SCRIPT_NONE;
    if (!req->traits.own_script_launchers &&
        !pyname_is_interpreter(path_basename(plan->loc.venv_exe)) &&
        (rc = script_prepare(&plan->loc, &plan->script, err)) != 0)
        return rc;
    rc = resolve_base(&plan->loc, &plan->base, err);
    if (rc)
        return rc;
    rc = shebang_check(&plan->base, plan->loc.cfg_path, req->inv.path_env, err);
    if (rc)
        return rc;
    script_plan_text(&plan->script, &plan->loc, req->inv.argv0, &plan->base, req->has_safe_path);
    /* a relocatable venv's console scripts are POSIX script launchers:
     * pip's exit converts the new ones (pip_hook.h) */
    plan->pip_hook_module = !req->traits.own_script_launchers && plan->script.kind == SCRIPT_NONE &&
                            pip_hook_is_module_run(req->argc, req->argv) &&
                            pip_hook_present(&plan->loc, &plan->base);
    if (plan->pip_hook_module)
        diag_trace("-m pip runs as -m " VS_PIP_HOOK_MODULE ": it converts the scripts pip writes",
                   NULL);
    plan->env_count = 0;
    plan->argv0 = plan->loc.venv_exe;
    if (req->traits.macos_frameworks && (rc = plan_framework(plan, err)) != 0)
        return rc;
    const char *as_base = plan_sets(plan, PYVENV_LAUNCHER_VAR) ? NULL : base_argv0(plan);
    if (as_base) {
        if (!plan_env_set(plan, PYVENV_LAUNCHER_VAR, plan->loc.venv_exe))
            return diag_fail(err, EXIT_NO_BASE, "cannot pass ", plan->loc.venv_exe,
                             " in " PYVENV_LAUNCHER_VAR,
                             "\nmove the virtual environment to a shorter path", NULL);
        plan->argv0 = as_base;
    }
    diag_trace("argv[0] for the interpreter: ", plan->argv0, NULL);
    /* CPython 3.11+ prefers __PYVENV_LAUNCHER__ over argv[0]: an inherited one
     * (from a parent launcher, or a macOS stub) would name the wrong venv. */
    if (req->has_pyvenv_launcher && !plan_sets(plan, PYVENV_LAUNCHER_VAR)) {
        diag_trace("removing the inherited " PYVENV_LAUNCHER_VAR, NULL);
        plan_env_set(plan, PYVENV_LAUNCHER_VAR, NULL);
    }
    if (plan->base.home_relative)
        return plan_relative_home(req, plan, err);
    return 0;
}

bool plan_env_set(vs_plan *plan, const char *name, const char *value) {
    if (plan->env_count == PLAN_MAX_ENV)
        return false;
    plan_env *e = &plan->env[plan->env_count];
    strbuf sb;
    sb_init(&sb, e->assignment, sizeof e->assignment);
    sb_add(&sb, name);
    sb_add(&sb, "=");
    if (value)
        sb_add(&sb, value);
    if (sb.overflow)
        return false;
    e->name = name;
    e->value = value ? e->assignment + strlen(name) + 1 : NULL;
    plan->env_count++;
    return true;
}

const char *plan_sys_executable(const vs_plan *plan) {
    for (int i = 0; i < plan->env_count; i++)
        if (plan->env[i].value && strcmp(plan->env[i].name, PYVENV_LAUNCHER_VAR) == 0)
            return plan->env[i].value;
    return plan->argv0;
}

/* "key: value", the value escaped (sb_add_escaped): a '\n' in a path must not
 * add a line to the plan, nor an escape sequence reach the terminal. */
static void print_line(const char *key, const char *value) {
    static char line[4 * VS_PATH_MAX + 64]; /* every byte escaped: \xHH */
    strbuf sb;
    sb_init(&sb, line, sizeof line);
    sb_add(&sb, key);
    sb_add(&sb, ": ");
    sb_add_escaped(&sb, value);
    sb_add(&sb, "\n");
    fs_write_all(1, line);
}

void plan_print(const vs_plan *plan, int argc, char **argv) {
    print_line("pyvenv.cfg", plan->loc.cfg_path);
    print_line("home", plan->base.home);
    print_line("executable", plan->base.binary);
    if (plan->base.from_trailer)
        print_line("base recorded in", plan->loc.venv_exe); /* home gave none (base_trailer.h) */
    print_line("argv[0]", plan->argv0);
    for (int i = 1; i < argc; i++) {
        char key[32];
        strbuf sb;
        sb_init(&sb, key, sizeof key);
        sb_add(&sb, "argv[");
        sb_add_int(&sb, i);
        sb_add(&sb, "]");
        print_line(key, argv[i]);
    }
    if (plan->env_count == 0)
        print_line("environment", "unchanged");
    for (int i = 0; i < plan->env_count; i++) {
        static char change[VS_PATH_MAX + 128];
        strbuf sb;
        sb_init(&sb, change, sizeof change);
        sb_add(&sb, plan->env[i].value ? "set " : "unset ");
        sb_add(&sb, plan->env[i].value ? plan->env[i].assignment : plan->env[i].name);
        print_line("environment", change);
    }
}
