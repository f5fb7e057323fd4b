/* What the dynamic loader will look for when it starts an ELF executable: its
 * libpython NEEDED entry and the RUNPATH / RPATH it searches (ld.so(8)).
 * One-process mode (oneproc.h) decides from this, without running the base.
 *
 * Plain C over a byte buffer (the first bytes of the file, however many were
 * read): every offset is checked against the buffer, every loop is bounded, so
 * a hostile or truncated file yields an error, never a read outside it
 * (tests/fuzz/fuzz_elfdyn.c). Only files of this machine's byte order are read:
 * the launcher can load nothing else. */
#ifndef VENVSHIM_ELFDYN_H
#define VENVSHIM_ELFDYN_H

#include <stdbool.h>
#include <stddef.h>

#define ELFDYN_NAME_MAX 64   /* a NEEDED name we keep: libpython3.13t.so.1.0 */
#define ELFDYN_PATH_MAX 1024 /* a RUNPATH / RPATH string we keep */
#define ELFDYN_MAX_PHDRS 64  /* program headers looked at */
#define ELFDYN_MAX_DYN 1024  /* dynamic entries looked at */

typedef enum {
    ELFDYN_OK = 0,
    ELFDYN_NOT_ELF,     /* no ELF magic (a script, a Mach-O, ...) */
    ELFDYN_UNSUPPORTED, /* another byte order or class, no PT_DYNAMIC (static) */
    ELFDYN_TRUNCATED,   /* what is needed lies beyond the bytes given */
    ELFDYN_BAD,         /* inconsistent headers, or strings longer than kept */
} elfdyn_status;

typedef struct {
    char libpython[ELFDYN_NAME_MAX]; /* the NEEDED name starting "libpython", or "" */
    int libpython_count;             /* how many NEEDED names start "libpython" */
    bool has_rpath, has_runpath;
    char rpath[ELFDYN_PATH_MAX];   /* DT_RPATH's string ("" when absent) */
    char runpath[ELFDYN_PATH_MAX]; /* DT_RUNPATH's string ("" when absent) */
} elfdyn_info;

/* Parse the first len bytes of an executable. */
elfdyn_status elfdyn_parse(const unsigned char *buf, size_t len, elfdyn_info *out);

/* A short English reason for a status other than ELFDYN_OK. */
const char *elfdyn_reason(elfdyn_status st);

#endif
