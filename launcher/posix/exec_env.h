/* Shared by the POSIX exec steps (exec_posix.c, exec_macos.c). */
#ifndef VENVSHIM_EXEC_ENV_H
#define VENVSHIM_EXEC_ENV_H

#include "../plan.h"

/* Apply the plan's environment changes to environ (no allocation unless a
 * variable is set: putenv keeps the plan's own "name=value" string). */
int exec_apply_env(const vs_plan *plan, vs_error *err);

/* argv for the interpreter: the caller's, with argv[0] replaced. */
char **exec_argv(const vs_plan *plan, int argc, char **argv);

/* The error after a failed exec or spawn. */
int exec_failed(const vs_plan *plan, int error, vs_error *err);

#endif
