/* Shared by the POSIX exec steps (exec_posix.c, exec_macos.c). */
#ifndef VENVSHIM_EXEC_ENV_H
#define VENVSHIM_EXEC_ENV_H

#include "../plan.h"

/* The environment for the interpreter: environ with the plan's changes
 * (every inherited entry of a name the plan sets or removes dropped, the
 * plan's "name=value" strings added), in a static array: no heap (more than
 * 8,192 variables: an array mapped for them). environ itself when the plan
 * changes nothing. NULL with err filled in when it cannot be built (no
 * memory to map for a huge environment). */
char **exec_envp(const vs_plan *plan, vs_error *err);

/* argv for the interpreter: the caller's, with argv[0] replaced. */
char **exec_argv(const vs_plan *plan, int argc, char **argv);

/* The error after a failed exec or spawn. */
int exec_failed(const vs_plan *plan, int error, vs_error *err);

#endif
