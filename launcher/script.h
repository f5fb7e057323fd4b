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

/* An interpreter's file name: python, python3, python3.12, python3.13t,
 * python3.12d, python3.7m, pypy, pypy3.9; not python3.12-config,
 * python3.12-gdb.py, pip, pytest. Every base candidate must have one
 * (resolve.c, names_posix.c), as must the name that skips the script check. */
bool script_is_interpreter_name(const char *name);

/* Where the executable image ends according to the ELF header in head (the
 * file's first bytes), or 0 when head is not ELF or does not say. */
long long elf_image_end(const unsigned char *head, size_t len);

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

/* Check a central directory (cd_len bytes): entry signatures, and one entry
 * named __main__.py. *lh_offset gets its local header offset. */
bool zip_find_main(const unsigned char *cd, size_t cd_len, unsigned entries,
                   unsigned long *lh_offset, const char **why);

/* The script-launcher step of plan_make. When loc->venv_exe carries a zip
 * payload: script gets that path and loc->venv_exe becomes the venv's
 * bin/python (or python3) next to it. Without a payload both stay as they
 * are. Returns 0 or an exit code with err filled in. */
int script_prepare(vs_location *loc, char *script, vs_error *err);

#endif
