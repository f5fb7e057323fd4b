/* A path that cannot be reached because of a permission: which directory
 * refuses the search. Cold path (errors only): one stat(2) per component. */
#ifndef VENVSHIM_DENIED_H
#define VENVSHIM_DENIED_H

#include <stdbool.h>
#include <stddef.h>

/* The deepest existing directory on the way to path (absolute) whose child
 * stat(2) refuses with EACCES: the one the user may not search. Copied into
 * out (cap bytes); false when no component is refused. */
bool denied_component(const char *path, char *out, size_t cap);

#endif
