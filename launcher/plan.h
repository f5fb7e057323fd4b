/* The launcher's decision as plain data: which binary, which argv[0], which
 * environment changes. Computed from a directory layout by plain C; only
 * exec_*.c turns it into a process. */
#ifndef VENVSHIM_PLAN_H
#define VENVSHIM_PLAN_H

#include <stdbool.h>

#include "diag.h"
#include "locate.h"
#include "platform.h"
#include "resolve.h"
#include "script.h"

#define PYVENV_LAUNCHER_VAR "__PYVENV_LAUNCHER__"

typedef struct {
    vs_invocation inv;
    bool has_pyvenv_launcher; /* inherited __PYVENV_LAUNCHER__ in the environment */
    platform_traits traits;   /* platform_traits_current(), or a test's choice */
    /* for a relative home (relhome.h): the interpreter's options, PYTHONHOME */
    int argc;
    char **argv;
    bool has_pythonhome;
    bool has_safe_path; /* PYTHONSAFEPATH set: a script launcher's sys.path[0] */
} vs_request;

#define PLAN_MAX_ENV 4

/* One environment change: set name=value, or (value NULL) remove name. */
typedef struct {
    const char *name;
    const char *value;
    char assignment[VS_PATH_MAX + 64]; /* "name=value", built by plan_env_set */
} plan_env;

/* The order keeps what every start writes together: script.kind (its last
 * member), the small members here, then vs_location's small members and
 * venv_exe's first bytes lie on one page; each fixed buffer a start writes
 * costs it a page fault (docs/hacking.md, Memory). */
typedef struct {
    vs_script script;     /* a script launcher's payload (kind SCRIPT_NONE otherwise) */
    const char *argv0;    /* the interpreter's argv[0]: loc.venv_exe (it has a '/'),
                             or the framework app binary on macOS */
    bool pip_hook_module; /* `-m pip` runs as `-m VS_PIP_HOOK_MODULE` (pip_hook.h) */
    int env_count;
    vs_location loc; /* where the launcher is, its pyvenv.cfg */
    vs_base base;    /* base.binary is what runs */
    plan_env env[PLAN_MAX_ENV];
} vs_plan;

int plan_make(const vs_request *req, vs_plan *plan, vs_error *err);

/* Record an environment change in the plan; false when the plan is full or
 * name=value does not fit. value NULL means "remove". */
bool plan_env_set(vs_plan *plan, const char *name, const char *value);

/* The path the interpreter takes as sys.executable: the __PYVENV_LAUNCHER__
 * value the plan sets (CPython 3.11+, macOS framework builds), else argv[0]. */
const char *plan_sys_executable(const vs_plan *plan);

/* PYLAUNCHER_DRYRUN: the plan as "key: value" lines on stdout. */
void plan_print(const vs_plan *plan, int argc, char **argv);

/* The platform step (exec_posix.c): replace this process according to plan.
 * Returns only on failure, with an exit code and err filled in. */
int plan_exec(const vs_plan *plan, int argc, char **argv, vs_error *err);

#endif
