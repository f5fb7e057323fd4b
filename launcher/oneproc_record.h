/* install's record of the one-process decision, carried inside the
 * one-process launcher's own image so that a start reads it for free.
 *
 * Deciding which libpython the base would load (posix/oneproc_find.c) reads
 * the base's first 12 KiB and looks in each directory of its search path for
 * hardware-capability subdirectories: 15 system calls and four pages, about a
 * fifth of what the launcher adds to a start (docs/design.md, "One process").
 * `venvshim install` makes that decision anyway; it writes it into a reserved
 * area of the launcher file it installs, with what the decision depended on:
 *
 * - the base binary (its path, device, inode, size and status-change time):
 *   the NEEDED name and DT_RUNPATH come from its bytes;
 * - each directory looked in, up to the one that held the library (device,
 *   inode, status-change time): adding or removing an entry (a
 *   glibc-hwcaps/ subdirectory, another libpython earlier in the path)
 *   changes a directory's times;
 * - the library found, and its X.Y.
 *
 * The launcher uses the record only when all of that is unchanged (one stat
 * per directory; the base's identity comes from the probe resolution already
 * made) and LD_LIBRARY_PATH is unset; otherwise it decides as without a
 * record, so a stale record costs time, never fidelity. install records
 * nothing for a search through $ORIGIN (the base's resolved directory would
 * have to be checked too), for a relative home, or when something it depends
 * on changed within the last second (a change in the same clock tick would
 * leave the times equal: git's "racily clean" rule).
 *
 * The area: ONEPROC_RECORD_SIZE bytes starting with ONEPROC_RECORD_MAGIC and
 * its NUL, then NUL-terminated lines, empty in the launcher as built:
 *
 *     B<dev> <ino> <size> <ctime ns> <base path>
 *     D<dev> <ino> <ctime ns> <directory>          (one per directory, in order)
 *     L<major> <minor> <library path>
 *     (an empty line ends the record)
 *
 * The library must be a libpython* file in the last directory. Paths stay in
 * place, so a parsed record points into the area. Pure code on
 * bytes (tests/unit/test_oneproc_record.c, fuzzed by tests/fuzz). The magic
 * is spelled nowhere else in the launcher (the CLI finds the area by it):
 * this file only parses what follows it. */
#ifndef VENVSHIM_ONEPROC_RECORD_H
#define VENVSHIM_ONEPROC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ONEPROC_RECORD_MAGIC "venvshim-oneproc-record/1"
#define ONEPROC_RECORD_SIZE 1024
#define ONEPROC_RECORD_MAX_DIRS 4

typedef struct {
    uint64_t dev, ino;
    long long size;       /* the base's; 0 for a directory */
    long long changed_ns; /* st_ctim, nanoseconds since the epoch */
    const char *path;     /* absolute */
} oneproc_stamp;

typedef struct {
    oneproc_stamp base;
    int dir_count;
    oneproc_stamp dir[ONEPROC_RECORD_MAX_DIRS];
    int major, minor;
    const char *library; /* absolute */
} oneproc_record;

/* The record in text (the area's bytes after the magic and its NUL, len of
 * them): false when there is none (the area as built) or it is not exactly
 * well formed. r's paths point into text. */
bool oneproc_record_parse(const char *text, size_t len, oneproc_record *r);

/* r as the area's text into out (cap bytes): the length written, the final
 * empty line included, or 0 when it does not fit or a path is not absolute or
 * holds a newline. */
size_t oneproc_record_format(char *out, size_t cap, const oneproc_record *r);

#endif
