/* Which launcher binary `install` puts in a venv (launcher_variant.c). */
#ifndef VENVSHIM_LAUNCHER_VARIANT_H
#define VENVSHIM_LAUNCHER_VARIANT_H

#include <stdbool.h>
#include <stddef.h>

#include "../plan.h"

/* Does the user want one-process mode for the venv whose directory venv_fd
 * is: VENVSHIM_ONE_PROCESS=1, or unset and the venv has the one-process
 * launcher already (read through venv_fd; -1: it has not)? */
bool launcher_variant_wanted(int venv_fd);

/* upgrade builds a new venv beside the old one (old_venv_fd): from here on,
 * "has the one-process launcher already" also counts when the old one had. */
void launcher_variant_inherit(int old_venv_fd);

/* launcher: the static launcher's path (find_launcher). When one-process mode
 * is wanted and plan's base allows it, replaced by the one-process launcher
 * beside it, and true. False otherwise, *why saying why when it was wanted
 * (NULL when it was not). */
bool launcher_variant_choose(int venv_fd, const vs_plan *plan, char *launcher, size_t cap,
                             const char **why);

/* The same for a venv whose plan the caller has not made (check, relocate):
 * venv is its path, for the plan, venv_fd its directory. */
bool launcher_variant_for_venv(int venv_fd, const char *venv, char *launcher, size_t cap);

/* Write into data (the one-process launcher's bytes, len of them) install's
 * record of launcher_variant_choose's last decision, which chose it
 * (oneproc_record.h): NULL when written, else why not (the area then stays
 * empty and the launcher decides at each start). */
const char *launcher_variant_record(const vs_plan *plan, char *data, size_t len);

/* Is data this build's launcher ours (ours_len bytes, as built), with at most
 * install's record added: its record area empty, or naming the library
 * launcher_variant_choose's last decision found? Bytes after ours_len are
 * the caller's (the base trailer). */
bool launcher_variant_same_build(const char *data, size_t len, const char *ours, size_t ours_len);

#endif
