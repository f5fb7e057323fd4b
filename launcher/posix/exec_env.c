#include "exec_env.h"

#include <stdlib.h>
#include <string.h>

#include "../fs.h"

extern char **environ;

/* Room for this many inherited variables without the heap; a larger
 * environment falls back to putenv, which grows environ with malloc. BSS:
 * only the pages the environment fills are touched. */
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

/* The rare path: environ edited in place, putenv for what is set. */
static char **edit_environ(const vs_plan *plan, vs_error *err) {
    char **out = environ;
    for (char **e = environ; *e; e++)
        if (!changed_by(plan, *e))
            *out++ = *e;
    *out = NULL;
    for (int i = 0; i < plan->env_count; i++)
        if (plan->env[i].value && putenv((char *)plan->env[i].assignment) != 0) {
            diag_fail(err, EXIT_EXEC_FAILED, "cannot set ", plan->env[i].name,
                      " for the interpreter: out of memory", NULL);
            return NULL;
        }
    return environ;
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
            return edit_environ(plan, err);
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
