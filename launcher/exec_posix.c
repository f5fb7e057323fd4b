/* POSIX platform step: execve the base interpreter in place of this process,
 * so PID, signals, exit status and the terminal stay the user's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "plan.h"

extern char **environ;

/* Drop NAME=... entries from environ in place (no allocation). */
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

int plan_exec(const vs_plan *plan, int argc, char **argv, vs_error *err) {
    char *no_args[2] = {NULL, NULL};
    if (argc < 1)
        argv = no_args;
    argv[0] = (char *)plan->loc.venv_exe;
    for (int i = 0; i < plan->env_count; i++) {
        remove_from_environ(plan->env[i].name);
        /* putenv keeps our string (no copy); only rare plans set anything */
        if (plan->env[i].value && putenv((char *)plan->env[i].assignment) != 0)
            return fail(err, EXIT_EXEC_FAILED, "cannot set ", plan->env[i].name,
                        " for the interpreter: out of memory", NULL);
    }
    execve(plan->base.binary, argv, environ);
    int error = errno;
    return fail(err, EXIT_EXEC_FAILED, "cannot run ", plan->base.binary, " (from ",
                plan->loc.cfg_path, "): ", fs_error_text(error),
                "\ncheck that it is a working Python interpreter for this machine, or recreate "
                "the virtual environment",
                NULL);
}
