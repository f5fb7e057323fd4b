/* Console-script launchers: the launcher binary with a zip archive holding
 * __main__.py appended (the layout distlib uses for Windows launchers).
 * Started as bin/pip, the launcher runs `base <bin/pip> args` with argv[0] the
 * venv's bin/python; Python finds the zip at the end of the file and runs
 * its __main__.py itself.
 *
 * A file is only inspected when it was invoked under a name that is not an
 * interpreter name, so `python` never pays for the check. The launcher's own
 * image size comes from its ELF header; bytes beyond it must be a well-formed
 * zip or the launcher refuses with EXIT_BAD_SCRIPT. */
#ifndef VENVSHIM_SCRIPT_H
#define VENVSHIM_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "locate.h"

/* Where the executable image ends according to the ELF header in head (the
 * file's first bytes), or 0 when head is not ELF or does not say. */
long long payload_elf_image_end(const unsigned char *head, size_t len);

typedef enum {
    PAYLOAD_NONE,    /* a plain launcher */
    PAYLOAD_ZIP,     /* a zip archive ends the file */
    PAYLOAD_CORRUPT, /* data after the image that is not a usable zip: *why says what */
} payload_status;

/* The zip's end-of-central-directory record, parsed. */
typedef struct {
    long long cd_start; /* file offset of the central directory */
    long long cd_size;
    long long arc_offset; /* file offset the archive's own offsets count from */
    unsigned entries;
} zip_end;

/* Classify from the file size, the image end (0: unknown) and the last 22
 * bytes (fewer when the file is shorter). */
payload_status payload_classify(long long size, long long image_end, const unsigned char *tail,
                                size_t tail_len, zip_end *end, const char **why);

/* The most a zip comment can push the end record away from the file's end. */
#define ZIP_EOCD_WINDOW (22 + 0xFFFF)

/* Where the end-of-central-directory record starts in win (the file's last
 * win_len bytes, at most ZIP_EOCD_WINDOW), found as CPython's zipimport finds
 * it (Lib/zipimport.py, _read_directory): the last 22 bytes when they start
 * with its signature, else the last signature in the window. -1: none. */
long payload_find_eocd(const unsigned char *win, size_t win_len);

/* payload_classify for an end record at file offset eocd_at (eocd_len bytes
 * of it read, 22 unless the file ends sooner): a comment must fill exactly
 * the bytes after the record. */
payload_status payload_classify_at(long long size, long long image_end, long long eocd_at,
                                   const unsigned char *eocd, size_t eocd_len, zip_end *end,
                                   const char **why);

/* Reads n bytes at offset of whatever is inspected: the count read, or -1. */
typedef long (*payload_read_fn)(void *ctx, void *buf, size_t n, long long offset);

/* What the launcher concludes about a file of size bytes read through read:
 * its ELF image end, the end record (a zip comment allowed), the central
 * directory holding __main__.py and that entry's local header. The launcher
 * runs it on its own file; venvshim relocate on the bytes it is about to
 * write. *why says what is wrong when PAYLOAD_CORRUPT. */
payload_status payload_inspect(payload_read_fn read_at, void *ctx, long long size,
                               const char **why);

/* Check a central directory (cd_len bytes): entry signatures, and one entry
 * named __main__.py. *lh_offset gets its local header offset. */
bool payload_find_main(const unsigned char *cd, size_t cd_len, unsigned entries,
                       unsigned long *lh_offset, const char **why);

/* The script-launcher step of plan_make. When loc->venv_exe carries a zip
 * payload: script gets that path and loc->venv_exe becomes the venv's
 * bin/python (or python3) next to it. Without a payload both stay as they
 * are. Returns 0 or an exit code with err filled in. */
int script_prepare(vs_location *loc, char *script, vs_error *err);

#endif
