/* Lexical path operations in the platform's syntax (pathsep.h: '/' on POSIX;
 * '\\' or '/', drives and UNC shares on Windows).
 * Nothing here touches the file system: symlinks are never resolved. */
#ifndef VENVSHIM_PATH_H
#define VENVSHIM_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Paths are kept in fixed buffers of this size (Linux's PATH_MAX).
 * Buffers of this size or more inside functions are `static`: the launcher is
 * single-threaded, makes one plan per process and never recurses, and its
 * stack must stay small (under 16 KiB, measured: docs/hacking.md, Stack; a frame
 * of 4 KiB buffers per call level once made it 100 KiB and a SIGSEGV under
 * `ulimit -s 96`). No function returns a pointer into such scratch space. */
#define VS_PATH_MAX 4096

bool path_is_absolute(const char *p);

/* out = dir + "/" + name (no doubled separator). False if it does not fit. */
bool path_join(char *out, size_t cap, const char *dir, const char *name);

/* In place: collapse "//", drop ".", apply ".." lexically ("/.." stays "/").
 * A relative path keeps leading ".." components it cannot cancel. */
void path_normalize(char *p);

/* out = normalize(p if absolute else cwd + "/" + p). False if it does not fit. */
bool path_absolute(char *out, size_t cap, const char *cwd, const char *p);

/* In place: remove the last component ("/a/b" -> "/a", "/a" -> "/", "a" -> ""). */
void path_dirname(char *p);

/* Pointer to the last component of p (after the final '/'). */
const char *path_basename(const char *p);

/* Remove one trailing '/' unless p is "/". */
void path_strip_trailing_sep(char *p);

#endif
