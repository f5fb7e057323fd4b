/* The launcher: copied into a venv's bin/ as python, python3, python3.X.
 * locate -> read pyvenv.cfg -> resolve the base -> plan -> exec. */
#include <string.h>
#include <unistd.h>

#include "../contract.h"
#include "../fs.h"
#include "../plan.h"
#include "../strbuf.h"
#include "oneproc.h"

/* `venvshim install` and `check` recognise a launcher by this string, and a
 * launcher recognises another in a base's `#!` chain (shebang.c). */
__attribute__((used)) static const char launcher_marker[] = VS_LAUNCHER_MARKER VENVSHIM_VERSION;

extern char **environ;

/* The variables the launcher reads. One pass over the environment instead of
 * a getenv per name: each getenv scans all of it, and this runs on every
 * Python start. As with getenv, the first occurrence of a name wins.
 *
 * Which values count as set, per variable:
 * - PYTHONHOME: set only when not empty, CPython's rule for every PYTHON*
 *   variable (Python/preconfig.c _Py_GetEnv, 3.7+): an empty PYTHONHOME is
 *   no home, so a relative home still needs the launcher's (relhome.c).
 * - PYLAUNCHER_DEBUG, PYLAUNCHER_DRYRUN: set when not empty, as in the py
 *   launcher (PC/launcher2.c isEnvVarSet).
 * - PATH: searched only for its absolute entries (locate.c): empty or
 *   missing, nothing is searched.
 * - __PYVENV_LAUNCHER__: removed whenever present, empty or not: site.py on
 *   macOS (3.6-3.10) tests `in os.environ`, and would take an empty value as
 *   the executable (the current directory's venv). */
typedef struct {
    const char *debug, *dryrun, *path, *pyvenv_launcher, *pythonhome, *safe_path;
    const char *ld_library_path, *two_process; /* one-process mode (oneproc.h) */
} launcher_env;

static void take(const char **slot, const char *entry, const char *name, size_t len) {
    if (!*slot && strncmp(entry, name, len) == 0 && entry[len] == '=')
        *slot = entry + len + 1;
}

#define TAKE(slot, entry, name) take(slot, entry, name, sizeof name - 1)

static void read_environment(launcher_env *env) {
    memset(env, 0, sizeof *env);
    for (char **e = environ; e && *e; e++) {
        const char *s = *e;
        if (s[0] == 'P') {
            TAKE(&env->debug, s, "PYLAUNCHER_DEBUG");
            TAKE(&env->dryrun, s, "PYLAUNCHER_DRYRUN");
            TAKE(&env->path, s, "PATH");
            TAKE(&env->pythonhome, s, "PYTHONHOME");
            TAKE(&env->safe_path, s, "PYTHONSAFEPATH");
        } else if (s[0] == '_') {
            TAKE(&env->pyvenv_launcher, s, PYVENV_LAUNCHER_VAR);
        } else if (oneproc_capable && s[0] == 'L') {
            TAKE(&env->ld_library_path, s, "LD_LIBRARY_PATH");
        } else if (oneproc_capable && s[0] == 'V') {
            TAKE(&env->two_process, s, ONEPROC_OFF_VAR);
        }
    }
    if (env->pythonhome && !env->pythonhome[0])
        env->pythonhome = NULL; /* after the loop: a later PYTHONHOME=x must not win */
}

static bool flag_set(const char *value) {
    return value && value[0];
}

/* The dry run's last line: which mode, and why not one process. */
static void print_mode(const oneproc_choice *one) {
    static char line[2 * VS_PATH_MAX];
    strbuf sb;
    sb_init(&sb, line, sizeof line);
    sb_add(&sb, "mode: ");
    sb_add(&sb, one->possible ? "one process, " : "exec, ");
    sb_add_escaped(&sb, one->possible ? one->library : one->reason);
    sb_add(&sb, "\n");
    fs_write_all(1, line);
}

int main(int argc, char **argv) {
    /* static: about 230 KB of fixed buffers (vs_plan alone is about 217 KB,
     * mostly paths, the pyvenv.cfg texts and a script launcher's text and -c
     * program) that cost nothing until touched */
    static vs_plan plan;
    static vs_error err;
    if (platform_privileged()) {
        /* Before anything else: every input that decides what runs is the caller's. */
        diag_fail(
            &err, EXIT_PRIVILEGED, argc > 0 && argv[0] ? argv[0] : "this launcher",
            " was started with rights its caller does not have (set-user-ID, set-group-ID or "
            "file capabilities): refusing to run",
            "\nremove them from the file (chmod u-s,g-s FILE; setcap -r FILE): a venv's python "
            "never needs them",
            NULL);
        diag_print_error(&err);
        _exit(EXIT_PRIVILEGED); /* and no exit handlers either */
    }
    launcher_env env;
    read_environment(&env);
    diag_debug = flag_set(env.debug);

    vs_request req;
    req.inv.argv0 = argc > 0 ? argv[0] : NULL;
    req.inv.path_env = env.path;
    req.has_pyvenv_launcher = env.pyvenv_launcher != NULL;
    req.traits = platform_traits_current();
    req.argc = argc;
    req.argv = argv;
    req.has_pythonhome = env.pythonhome != NULL;
    req.has_safe_path = flag_set(env.safe_path);

    int rc = plan_make(&req, &plan, &err);
    /* A script launcher runs `base <self> args` or `base -c PROGRAM A F D
     * args` (script.h): up to five arguments more. */
    bool script = rc == 0 && plan.script.kind != SCRIPT_NONE;
    int given = argc > 0 ? argc : 1; /* argv[0]'s slot exists even when argc is 0 */
    char *script_args[script ? given + 6 : 1];
    char **user_argv = argv;
    if (rc == 0 && plan.pip_hook_module)
        argv[2] = VS_PIP_HOOK_MODULE; /* python -m pip: see pip_hook.h */
    if (script) {
        argc = script_argv(&plan.script, plan.loc.venv_exe, given, user_argv, script_args);
        argv = script_args;
    }
    oneproc_choice one = {.possible = false, .reason = "", .library = ""};
    if (rc == 0) {
        if (flag_set(env.two_process)) {
            one.possible = false;
            one.reason = ONEPROC_OFF_VAR " is set";
        } else if (!oneproc_recorded(&plan, env.ld_library_path, &one)) {
            oneproc_choose(&plan, env.ld_library_path, &one);
        }
        if (!one.possible)
            diag_trace("exec: ", one.reason, NULL);
    }
    if (rc == 0 && flag_set(env.dryrun)) {
        plan_print(&plan, argc, argv);
        print_mode(&one);
        return 0;
    }
    if (rc == 0) {
        oneproc_run(&one, &plan, argc, argv); /* returns only when it cannot */
        rc = plan_exec(&plan, argc, argv, &err);
    }
    if (rc != 0 && script && plan.script.kind == SCRIPT_TEXT) {
        /* E2BIG with a long command line, say: Python can still run the zip */
        plan.script.kind = SCRIPT_ZIP;
        argc = script_argv(&plan.script, plan.loc.venv_exe, given, user_argv, script_args);
        rc = plan_exec(&plan, argc, script_args, &err);
    }
    diag_print_error(&err);
    return rc;
}
