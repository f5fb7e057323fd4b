/* Whether the CLI may run a program it found (interpreter discovery for
 * rebase, check --fix, create and upgrade): never from a place that someone
 * other than the caller or root can write. The ownership rule and the walk
 * it is decided on are owner_rule.h's, the same as for venvs: the program and
 * every directory above it (and every directory a link on the way sits in)
 * must be owned by the caller (effective uid) or root and writable by
 * neither group nor others; a sticky directory (/tmp) is safe above it, as
 * others cannot rename or remove what they do not own there, and a link in
 * one must be the caller's or root's. The descriptor of the file judged is
 * the one that is executed (run_bounded_fd): nothing can be swapped in
 * between. */
#ifndef VENVSHIM_SAFE_EXEC_H
#define VENVSHIM_SAFE_EXEC_H

#include "../path.h"

/* Why a place is not trusted: the path at fault (the program or a directory
 * above it) and a phrase that names it and its owner or mode. */
typedef struct {
    char why[VS_PATH_MAX + 160];
} untrusted;

/* The directory dir (any path; links followed by the walk) and every
 * directory above it, a PATH entry: a sticky one is fine (each program in it
 * is judged by itself). Its descriptor (O_DIRECTORY, close-on-exec) when
 * trusted, else -1, with u->why set when it exists but is not trusted (u->why
 * "" and errno set for an ordinary failure: missing, not a directory). */
int safe_open_dir(const char *dir, untrusted *u);

/* A program to run: the directory path names it in and that directory's
 * parent (CPython reads pyvenv.cfg there, whatever path links to) judged as
 * places read by name, where a sticky directory is not fine; then path
 * walked, each directory and link on the way judged, then
 * the file itself (a regular file, never a device or FIFO:
 * its type is checked before it is opened), opened O_RDONLY and close-on-exec
 * for its first bytes to be read and for run_bounded_fd. -1 as for
 * safe_open_dir. */
int safe_open_program(const char *path, untrusted *u);

#endif
