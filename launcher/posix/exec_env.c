#include "exec_env.h"

#include <stdlib.h>
#include <string.h>

#include "../fs.h"

extern char **environ;

/* Drop NAME=... entries from environ in place. */
static void remove_from_environ(const char *name) {
    size_t n = strlen(name);
    char **out = environ;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            continue;
        *out++ = *e;
    }
    *out = NULL;
}

int exec_apply_env(const vs_plan *plan, vs_error *err) {
    for (int i = 0; i < plan->env_count; i++) {
        remove_from_environ(plan->env[i].name);
        if (plan->env[i].value && putenv((char *)plan->env[i].assignment) != 0)
            return diag_fail(err, EXIT_EXEC_FAILED, "cannot set ", plan->env[i].name,
                             " for the interpreter: out of memory", NULL);
    }
    return 0;
}

char **exec_argv(const vs_plan *plan, int argc, char **argv) {
    static char *no_args[2];
    if (argc < 1)
        argv = no_args;
    argv[0] = (char *)plan->argv0;
    return argv;
}

int exec_failed(const vs_plan *plan, int error, vs_error *err) {
    return diag_fail(
        err, EXIT_EXEC_FAILED, "cannot run ", plan->base.binary, " (from ", plan->loc.cfg_path,
        "): ", fs_error_text(error),
        fs_error_is_exhausted(error)
            ? DIAG_HINT_EXHAUSTED
            : "\ncheck that it is a working Python interpreter for this machine, or recreate "
              "the virtual environment",
        NULL);
}
