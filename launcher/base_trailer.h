/* The base a venv's launcher file was installed for, carried by the file
 * itself: the analog of the prefix CPython compiles into its binary.
 *
 * `venvshim install` (and every command that installs through it) appends
 * a short trailer after the ELF image of bin/.venvshim-launcher:
 *
 *     venvshim-base/1\n/absolute/path/of/the/base/pythonX.Y\n
 *
 * The loader never reads past the image's segments, so the trailer costs a
 * start nothing; the built launcher stays as built (reproducible, 64 KiB).
 * `python -m venv --copies` run inside a 3.6-3.10 or PyPy venvshim venv
 * copies that file, trailer included, into the new venv and writes
 * `home = <first venv>/bin`. Once the first venv is gone, a copied CPython
 * binary falls back to its compiled-in prefix; the launcher falls back to its
 * trailer (resolve.c), only when `home` gives no base, only when the
 * recorded file's name carries the X.Y the venv's pyvenv.cfg records
 * (python3.9, pypy3.9: install records the base only under such a name), and
 * only through the checks every other candidate passes.
 *
 * Pure code on bytes (base_trailer_parse, base_trailer_read through a
 * payload_read_fn), unit-tested (tests/unit/test_base_trailer.c) and fuzzed
 * (tests/fuzz/fuzz_base_trailer.c); base_trailer_format is what the CLI
 * writes, so the writer and the reader share one definition. */
#ifndef VENVSHIM_BASE_TRAILER_H
#define VENVSHIM_BASE_TRAILER_H

#include <stdbool.h>
#include <stddef.h>

#include "contract.h"
#include "path.h"
#include "payload.h" /* payload_read_fn */

#define BASE_TRAILER_MAGIC VS_BASE_TRAILER_MAGIC
#define BASE_TRAILER_MAGIC_LEN (sizeof BASE_TRAILER_MAGIC - 1)
/* magic, a path shorter than VS_PATH_MAX and its "\n" */
#define BASE_TRAILER_MAX (BASE_TRAILER_MAGIC_LEN + VS_PATH_MAX)

typedef struct {
    char path[VS_PATH_MAX]; /* absolute, no NUL, no newline */
} base_trailer;

typedef enum {
    BASE_TRAILER_NONE, /* nothing after the image, no image end, or not a trailer (a zip) */
    BASE_TRAILER_OK,
    BASE_TRAILER_BAD, /* starts like a trailer but is not one: *why says what */
} base_trailer_status;

/* The bytes after the image (exactly those: the trailer must end the file). */
base_trailer_status base_trailer_parse(const unsigned char *bytes, size_t len, base_trailer *t,
                                       const char **why);

/* The trailer of a file of size bytes read through read_at: its ELF header
 * says where the image ends, the rest (at most BASE_TRAILER_MAX bytes) is
 * read once and parsed. */
base_trailer_status base_trailer_read(payload_read_fn read_at, void *ctx, long long size,
                                      base_trailer *t, const char **why);

/* The trailer for base into out (cap bytes); its length, or 0 when base is
 * not absolute, holds a newline, or does not fit. */
size_t base_trailer_format(char *out, size_t cap, const char *base);

#endif
