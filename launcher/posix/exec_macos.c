/* macOS platform step: like execve, but through posix_spawn with
 * POSIX_SPAWN_SETEXEC and this process's CPU type as the preferred
 * architecture, so `arch -x86_64 venv/bin/python` keeps running the x86_64
 * slice of a universal interpreter (what CPython's framework stub does). */
#include <errno.h>
#include <mach/machine.h>
#include <spawn.h>
#include <sys/sysctl.h>
#include <sys/types.h>

#include "exec_env.h"

static bool current_cpu_type(cpu_type_t *type) {
    size_t len = sizeof *type;
    return sysctlbyname("sysctl.proc_cputype", type, &len, NULL, 0) == 0;
}

int plan_exec(const vs_plan *plan, int argc, char **argv, vs_error *err) {
    char **envp = exec_envp(plan, err);
    if (!envp)
        return err->code;
    posix_spawnattr_t attr;
    int error = posix_spawnattr_init(&attr);
    if (error == 0)
        error = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETEXEC);
    cpu_type_t cpu;
    size_t ocount = 0;
    if (error == 0 && current_cpu_type(&cpu))
        error = posix_spawnattr_setbinpref_np(&attr, 1, &cpu, &ocount);
    if (error == 0) /* returns only on failure: SETEXEC replaces this process */
        error =
            posix_spawn(NULL, plan->base.binary, NULL, &attr, exec_argv(plan, argc, argv), envp);
    return exec_failed(plan, error, err);
}
