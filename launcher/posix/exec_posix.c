/* POSIX platform step: execve the base interpreter in place of this process,
 * so PID, signals, exit status and the terminal stay the user's. */
#include <errno.h>
#include <unistd.h>

#include "exec_env.h"

int plan_exec(const vs_plan *plan, int argc, char **argv, vs_error *err) {
    char **envp = exec_envp(plan, err);
    if (!envp)
        return err->code;
    execve(plan->base.binary, exec_argv(plan, argc, argv), envp);
    return exec_failed(plan, errno, err);
}
