/* Which launcher binary `install` puts in a venv (launcher_variant.c). */
#ifndef VENVSHIM_LAUNCHER_VARIANT_H
#define VENVSHIM_LAUNCHER_VARIANT_H

#include <stdbool.h>
#include <stddef.h>

#include "../plan.h"

/* Does the user want one-process mode for venv: VENVSHIM_ONE_PROCESS=1, or
 * unset and the venv has the one-process launcher already? */
bool launcher_variant_wanted(const char *venv);

/* launcher: the static launcher's path (find_launcher). When one-process mode
 * is wanted and plan's base allows it, replaced by the one-process launcher
 * beside it, and true. False otherwise, *why saying why when it was wanted
 * (NULL when it was not). */
bool launcher_variant_choose(const char *venv, const vs_plan *plan, char *launcher, size_t cap,
                             const char **why);

/* The same for a venv whose plan the caller has not made (check). */
bool launcher_variant_for_venv(const char *venv, char *launcher, size_t cap);

#endif
