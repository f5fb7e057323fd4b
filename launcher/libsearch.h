/* Where the dynamic loader would find a base's libpython, decided from its
 * ELF dynamic section (elfdyn.h) by the rules of ld.so(8) (glibc), or why
 * that cannot be decided exactly enough to load it in this process. Plain C:
 * the directories it names are looked in by the caller (oneproc.h).
 *
 * What one-process mode accepts, and why the rest runs the base by exec (the
 * loader then decides, as always):
 * - exactly one NEEDED libpython*, a bare name (a name with a '/' is opened
 *   as a path, relative to the current directory);
 * - DT_RUNPATH, each entry absolute or starting with $ORIGIN / ${ORIGIN} (the
 *   base's own directory, links resolved, as glibc computes it for the main
 *   program). A relative or empty entry is the current directory; $LIB and
 *   $PLATFORM depend on the loader's build: refused;
 * - no DT_RPATH without DT_RUNPATH (the loader ignores DT_RPATH when
 *   DT_RUNPATH is present): DT_RPATH also serves libpython's own
 *   dependencies, which only the base's process would search;
 * - LD_LIBRARY_PATH comes before DT_RUNPATH: its entries are searched first,
 *   and must be absolute, without substitutions (an empty entry is the
 *   current directory);
 * - neither DT_RUNPATH nor DT_RPATH: the library comes from ld.so.cache or
 *   the default directories, which this does not model (Debian, Fedora
 *   system Pythons): refused. */
#ifndef VENVSHIM_LIBSEARCH_H
#define VENVSHIM_LIBSEARCH_H

#include <stdbool.h>

#include "elfdyn.h"
#include "path.h"

#define LIBSEARCH_MAX_DIRS 16

typedef struct {
    int count; /* first: on the page of dir[0] */
    char dir[LIBSEARCH_MAX_DIRS][VS_PATH_MAX];
} libsearch_dirs;

/* Does the search path use $ORIGIN (so the caller must resolve the base)? */
bool libsearch_uses_origin(const elfdyn_info *info);

/* The directories to look in for info->libpython, in the loader's order.
 * origin: the base's directory with links resolved (needed only when
 * libsearch_uses_origin). ld_library_path: the variable's value or NULL.
 * Returns NULL, or why the library cannot be found this way. */
const char *libsearch_dirs_for(const elfdyn_info *info, const char *origin,
                               const char *ld_library_path, libsearch_dirs *out);

/* X.Y of a libpython name ("libpython3.12.so.1.0", "libpython3.7m.so.1.0",
 * "libpython3.13t.so.1.0"): false when the name carries none. */
bool libsearch_version(const char *libpython, int *major, int *minor);

#endif
