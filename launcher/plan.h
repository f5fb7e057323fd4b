/* The launcher's decision as plain data: which binary, which argv[0], which
 * environment changes. Computed from a directory layout by plain C; only
 * exec_*.c turns it into a process. */
#ifndef VENVSHIM_PLAN_H
#define VENVSHIM_PLAN_H

#include <stdbool.h>

#include "diag.h"
#include "locate.h"
#include "resolve.h"

#define PYVENV_LAUNCHER_VAR "__PYVENV_LAUNCHER__"

typedef struct {
    vs_invocation inv;
    bool has_pyvenv_launcher; /* inherited __PYVENV_LAUNCHER__ in the environment */
} vs_request;

typedef struct {
    vs_location loc; /* loc.venv_exe becomes argv[0]; it must contain a '/' */
    vs_base base;    /* base.binary is what runs */
    /* CPython 3.11+ prefers __PYVENV_LAUNCHER__ over argv[0]: an inherited one
     * (from a parent launcher, or a macOS stub) would name the wrong venv. */
    bool unset_pyvenv_launcher;
} vs_plan;

int plan_make(const vs_request *req, vs_plan *plan, vs_error *err);

/* PYLAUNCHER_DRYRUN: the plan as "key: value" lines on stdout. */
void plan_print(const vs_plan *plan, int argc, char **argv);

/* The platform step (exec_posix.c): replace this process according to plan.
 * Returns only on failure, with an exit code and err filled in. */
int plan_exec(const vs_plan *plan, int argc, char **argv, vs_error *err);

#endif
