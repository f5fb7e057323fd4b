/* How fs_posix.c's readers open a file: the one choice a program other than
 * the launcher may make about the POSIX seam.
 *
 * The launcher leaves it alone: each reader opens with one open(2)
 * (O_RDONLY | O_NONBLOCK | O_NOCTTY, symlinks followed, as CPython does) and
 * checks the type with fstat(2) after; a device opened that way is the
 * caller's own doing. The CLI, run by root on another user's venv, installs a
 * stricter opener (cli/core_open.c) that looks before it opens, so that what
 * it reads through the core (pyvenv.cfg, a chained venv's pyvenv.cfg, the
 * base interpreter's first bytes) is never a device, FIFO or socket. An
 * indirect call costs the launcher no system call. */
#ifndef VENVSHIM_FS_POSIX_H
#define VENVSHIM_FS_POSIX_H

#include <sys/stat.h>

/* What the core is about to read; an opener may follow links more or less
 * freely for each. */
typedef enum {
    FS_OPEN_CONFIG, /* pyvenv.cfg: text the CLI may show */
    FS_OPEN_BINARY, /* an interpreter's or script's bytes (never shown but a #! line) */
} fs_open_purpose;

/* Open path for reading. Returns a descriptor of a regular file, with its
 * fstat(2) in *st; or -1 with errno set and *st holding what was found at
 * path when it exists but was not opened (a directory, a device...: the
 * reader reports its kind), st_mode 0 when nothing could be looked at (ENOENT,
 * a refused link: EACCES). */
typedef int (*fs_opener)(const char *path, fs_open_purpose purpose, struct stat *st);

/* NULL: the launcher's plain open(2). */
void fs_posix_set_opener(fs_opener opener);

#endif
