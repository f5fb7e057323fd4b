#include "exec_env.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "../fs.h"

extern char **environ;

/* Room for this many inherited variables in BSS: only the pages the
 * environment fills are touched. A larger environment gets an array mapped
 * for it (no malloc: the static launcher links no allocator). */
#define EXEC_ENV_MAX 8192

static bool named(const char *entry, const char *name) {
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static bool changed_by(const vs_plan *plan, const char *entry) {
    for (int i = 0; i < plan->env_count; i++)
        if (named(entry, plan->env[i].name))
            return true;
    return false;
}

/* The rare path, more than EXEC_ENV_MAX variables: the same array in memory
 * mapped for it. */
static char **mapped_envp(const vs_plan *plan, vs_error *err) {
    size_t count = 0;
    for (char **e = environ; *e; e++)
        count++;
    size_t size = (count + PLAN_MAX_ENV + 1) * sizeof(char *);
    char **out = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (out == MAP_FAILED) {
        diag_fail(err, EXIT_EXEC_FAILED,
                  "cannot pass the environment to the interpreter: ", fs_error_text(errno),
                  DIAG_HINT_EXHAUSTED, NULL);
        return NULL;
    }
    size_t n = 0;
    for (char **e = environ; *e; e++)
        if (!changed_by(plan, *e))
            out[n++] = *e;
    for (int i = 0; i < plan->env_count; i++)
        if (plan->env[i].value)
            out[n++] = (char *)plan->env[i].assignment;
    out[n] = NULL;
    return out;
}

char **exec_envp(const vs_plan *plan, vs_error *err) {
    if (plan->env_count == 0)
        return environ;
    static char *envp[EXEC_ENV_MAX + PLAN_MAX_ENV + 1];
    /* the first bytes of the names the plan changes: every other inherited
     * variable is copied after one table look-up (this runs on every start,
     * for every variable) */
    bool first[256] = {false};
    for (int i = 0; i < plan->env_count; i++)
        first[(unsigned char)plan->env[i].name[0]] = true;
    size_t n = 0;
    for (char **e = environ; *e; e++) {
        if (first[(unsigned char)**e] && changed_by(plan, *e))
            continue;
        if (n == EXEC_ENV_MAX)
            return mapped_envp(plan, err);
        envp[n++] = *e;
    }
    for (int i = 0; i < plan->env_count; i++)
        if (plan->env[i].value)
            envp[n++] = (char *)plan->env[i].assignment;
    envp[n] = NULL;
    return envp;
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
