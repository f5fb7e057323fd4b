/* The launcher: copied into a venv's bin/ as python, python3, python3.X.
 * locate -> read pyvenv.cfg -> resolve the base -> plan -> exec. */
#include <stdlib.h>

#include "plan.h"

/* `venvshim install` and `check` recognise a launcher by this string. */
__attribute__((used)) static const char launcher_marker[] =
    "venvshim-launcher-marker " VENVSHIM_VERSION;

static bool env_flag(const char *name) {
    const char *v = getenv(name);
    return v && v[0];
}

int main(int argc, char **argv) {
    /* static: ~100 KiB of fixed buffers that cost nothing until touched */
    static vs_plan plan;
    static vs_error err;
    diag_debug = env_flag("PYLAUNCHER_DEBUG");

    vs_request req;
    req.inv.argv0 = argc > 0 ? argv[0] : NULL;
    req.inv.path_env = getenv("PATH");
    req.has_pyvenv_launcher = getenv(PYVENV_LAUNCHER_VAR) != NULL;
    req.traits = platform_traits_current();
    req.argc = argc;
    req.argv = argv;
    req.has_pythonhome = getenv("PYTHONHOME") != NULL;

    int rc = plan_make(&req, &plan, &err);
    /* A script launcher runs `base <script> args`: one argument more. */
    bool script = rc == 0 && plan.script[0];
    int given = argc > 0 ? argc : 1; /* argv[0]'s slot exists even when argc is 0 */
    char *script_argv[script ? given + 2 : 1];
    if (script) {
        script_argv[0] = plan.loc.venv_exe;
        script_argv[1] = plan.script;
        for (int i = 1; i < given; i++)
            script_argv[i + 1] = argv[i];
        script_argv[given + 1] = NULL;
        argc = given + 1;
        argv = script_argv;
    }
    if (rc == 0 && env_flag("PYLAUNCHER_DRYRUN")) {
        plan_print(&plan, argc, argv);
        return 0;
    }
    if (rc == 0)
        rc = plan_exec(&plan, argc, argv, &err);
    error_print(&err);
    return rc;
}
