/* The one place that knows the platform's path syntax. POSIX: '/' only.
 * Windows: '\' is written, '/' is accepted too, and a path can start with a
 * drive ("C:\") or a UNC share ("\\server\share\"). Both branches compile
 * everywhere; the constants pick one, so POSIX code paths stay unchanged. */
#ifndef VENVSHIM_PATHSEP_H
#define VENVSHIM_PATHSEP_H

#include <stdbool.h>

#ifdef _WIN32
enum { PATH_SEP = '\\', PATH_WINDOWS = 1 };
#else
enum { PATH_SEP = '/', PATH_WINDOWS = 0 };
#endif

static inline bool path_is_sep(char c) {
    return c == PATH_SEP || (PATH_WINDOWS && c == '/');
}

#endif
