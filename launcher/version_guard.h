/* Version-mismatch safety: which Python X.Y a base binary is, decided from
 * the file system alone (starting Python to ask would cost a process and
 * could run the very interpreter we must refuse). The evidence, in order:
 * the binary's own name (python3.12, pypy3.9), the versioned name its
 * symlink chain reaches (python3 -> python3.12), and the stdlib directory
 * of its prefix (<prefix>/lib/python3.12 next to <prefix>/bin/python). */
#ifndef VENVSHIM_VERSION_GUARD_H
#define VENVSHIM_VERSION_GUARD_H

#include <stdbool.h>

#include "fs.h"
#include "path.h"

typedef enum {
    VG_UNKNOWN = 0, /* no evidence either way: the binary is used */
    VG_MATCH,
    VG_MISMATCH,
} vg_verdict;

typedef struct {
    int major, minor;                /* what the evidence says (VG_MATCH, VG_MISMATCH) */
    char evidence[VS_PATH_MAX + 64]; /* for messages: "symlink to python3.12", ... */
} vg_found;

/* out (VS_PATH_MAX bytes) = prefix/<libdir>/<fam>X.Y<suffix><leaf>, the
 * layout of a prefix's or a venv's lib/python3.12t/...; what it is. */
fs_kind vg_lib_kind(char *out, const char *prefix, const char *libdir, const char *fam, int major,
                    int minor, const char *suffix, const char *leaf);

/* Is binary a Python want_major.want_minor? */
vg_verdict vg_check(const char *binary, int want_major, int want_minor, vg_found *found);

#endif
