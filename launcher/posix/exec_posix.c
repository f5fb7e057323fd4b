/* POSIX platform step: execve the base interpreter in place of this process,
 * so PID, signals, exit status and the terminal stay the user's. */
#include <errno.h>
#include <unistd.h>

#include "exec_env.h"

extern char **environ;

int plan_exec(const vs_plan *plan, int argc, char **argv, vs_error *err) {
    int rc = exec_apply_env(plan, err);
    if (rc)
        return rc;
    execve(plan->base.binary, exec_argv(plan, argc, argv), environ);
    return exec_failed(plan, errno, err);
}
