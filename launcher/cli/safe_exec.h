/* Whether the CLI may run a program it found (interpreter discovery for
 * rebase and check --fix): never from a place that someone other than the
 * caller or root can write. The program and every directory above it must be
 * owned by the caller (effective uid) or root and writable by neither group
 * nor others; a sticky directory (/tmp) is safe above it, as
 * others cannot rename or remove what they do not own there. The rule is
 * applied to descriptors opened one component at a time from /, without
 * following links, and the descriptor of the file judged is the one that is
 * executed (run_bounded_fd): nothing can be swapped in between. */
#ifndef VENVSHIM_SAFE_EXEC_H
#define VENVSHIM_SAFE_EXEC_H

#include "../path.h"

/* Why a place is not trusted: the path at fault (the program or a directory
 * above it) and a phrase that names it and its owner or mode. */
typedef struct {
    char why[VS_PATH_MAX + 160];
} untrusted;

/* The directory dir (any path; resolved with realpath) and every directory
 * above it: its descriptor (O_DIRECTORY, close-on-exec) when trusted, else
 * -1, with u->why set when it exists but is not trusted (u->why "" and errno
 * set for an ordinary failure: missing, not a directory). */
int safe_open_dir(const char *dir, untrusted *u);

/* A program to run: the directory path names it in and that directory's
 * parent (CPython reads pyvenv.cfg there, whatever path links to) judged;
 * then path resolved with realpath, each directory above it judged, then
 * the file itself (a regular file, never a device or FIFO:
 * its type is checked before it is opened), opened O_RDONLY and close-on-exec
 * for its first bytes to be read and for run_bounded_fd. -1 as for
 * safe_open_dir. */
int safe_open_program(const char *path, untrusted *u);

#endif
