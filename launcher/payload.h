/* The one reader of what follows a launcher's executable image, for both
 * platforms: pure code on bytes, reading files only through a payload_read_fn
 * (the launchers pass fs_file_read_at, fs.h; the CLI and the tests pass
 * bytes in memory), so it is unit-tested (tests/unit/test_script.c) and
 * fuzzed (tests/fuzz/fuzz_payload.c, fuzz_classify.c, fuzz_win_payload.c).
 *
 * POSIX script launchers (script.c): <ELF launcher> <zip holding
 * __main__.py>, the layout distlib uses for Windows launchers; the image end
 * comes from the ELF header, the zip's end record is found as CPython's
 * zipimport finds it (Lib/zipimport.py, _read_directory).
 * Windows console-script launchers (launcher/win/scriptlauncher.c):
 * <launcher exe> "#!<interpreter> [args]\n" <zip>, as pip / distlib write
 * them; the "#!" line ends where the zip begins (the zip's start comes from
 * its end of central directory record, so archive-relative offsets work). */
#ifndef VENVSHIM_PAYLOAD_H
#define VENVSHIM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

/* Reads n bytes at offset of whatever is inspected: the count read, or -1. */
typedef long (*payload_read_fn)(void *ctx, void *buf, size_t n, long long offset);

/* A payload_read_fn over bytes in memory (ctx: a payload_memory). */
typedef struct {
    const unsigned char *data;
    size_t size;
} payload_memory;
long payload_read_memory(void *ctx, void *buf, size_t n, long long offset);

/* ---- POSIX: the launcher's ELF image and the zip after it ---- */

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
#define PAYLOAD_EOCD_WINDOW (22 + 0xFFFF)

/* Where the end-of-central-directory record starts in win (the file's last
 * win_len bytes, at most PAYLOAD_EOCD_WINDOW), found as CPython's zipimport finds
 * it (Lib/zipimport.py, _read_directory): the last 22 bytes when they start
 * with its signature, else the last signature in the window. -1: none. */
long payload_find_eocd(const unsigned char *win, size_t win_len);

/* payload_classify for an end record at file offset eocd_at (eocd_len bytes
 * of it read, 22 unless the file ends sooner): a comment must fill exactly
 * the bytes after the record. */
payload_status payload_classify_at(long long size, long long image_end, long long eocd_at,
                                   const unsigned char *eocd, size_t eocd_len, zip_end *end,
                                   const char **why);

/* What the launcher concludes about a file of size bytes read through read:
 * its ELF image end, the end record (a zip comment allowed), the central
 * directory holding __main__.py and that entry's local header (its name,
 * method and sizes agreeing with the directory, its bytes before the
 * directory: what zipimport would trust unchecked). The launcher
 * runs it on its own file; venvshim relocate on the bytes it is about to
 * write. *why says what is wrong when PAYLOAD_CORRUPT. */
payload_status payload_inspect(payload_read_fn read_at, void *ctx, long long size,
                               const char **why);

/* Where __main__.py is in the archive, from its central directory entry
 * (and its local header, for data_at). */
typedef struct {
    unsigned long lh_offset;  /* its local header, counted from the archive's start */
    unsigned method;          /* 0: stored, the bytes are the file */
    unsigned long long csize; /* its bytes in the archive */
    unsigned long long usize; /* its size once extracted */
    long long data_at;        /* file offset of its bytes; -1: not known */
    unsigned entries;         /* files in the archive (a zipapp has more than __main__.py) */
    bool text_mark;           /* its directory entry's comment is PAYLOAD_TEXT_MARK */
} payload_entry;

/* The comment of __main__.py's directory entry in the zips `venvshim
 * relocate` and the pip-exit hook write from a text script
 * (site-init/_venvshim_scripts.py spells it too): the launcher may run that
 * text as its -c program (script_text.h). A zipapp, or an archive from
 * elsewhere, runs as a zip. An entry comment, not an archive comment:
 * Python 3.6 and 3.7's zipimport need the end record last. */
#define PAYLOAD_TEXT_MARK "venvshim:script-text"

/* Check a central directory (cd_len bytes): entry signatures, and one entry
 * named __main__.py, whose fields go to *main (data_at stays -1). */
bool payload_find_main(const unsigned char *cd, size_t cd_len, unsigned entries,
                       payload_entry *main, const char **why);

/* payload_inspect that also says where __main__.py's bytes are (data_at
 * -1 when the directory was too large to read, or there is no zip). */
payload_status payload_inspect_main(payload_read_fn read_at, void *ctx, long long size,
                                    payload_entry *main, const char **why);

/* ---- Windows: the "#!" line before the zip ---- */

/* The end of central directory record is 22 bytes plus a comment of at most
 * 64 KiB: a file's last PAYLOAD_TAIL_MAX bytes hold it. The '#!' line is looked for
 * in the PAYLOAD_SHEBANG_MAX bytes before the archive. */
#define PAYLOAD_TAIL_MAX (22 + 65535)
#define PAYLOAD_SHEBANG_MAX 4096

/* Offset of the archive's first byte in a file of the given size, from its
 * last n bytes (tail); -1 when there is no end record or it points before
 * the file. */
long long payload_archive_start(const unsigned char *tail, size_t n, long long size);

/* Index of the "#!" of the line that ends the n bytes before the archive
 * (a text run: no newline and no NUL, the exe's padding, inside), or n. */
size_t payload_shebang_start(const unsigned char *before, size_t n);

/* In a whole file in memory: the offset of the '#!' line before the
 * appended zip, or -1 when there is none (used by venvshim.exe install). */
long long payload_script_offset(const unsigned char *data, size_t size);

/* The part of a '#!' line after the interpreter: line is the text after
 * "#!" (no newline); a quoted interpreter ends at its closing quote, an
 * unquoted one at the first blank. Blanks around the result are dropped. */
const char *payload_shebang_args(const char *line, size_t len, size_t *args_len);

/* From the n bytes that end where the archive starts: the '#!' line's
 * arguments into args (NUL-terminated). NULL, or the end of a message
 * saying why not (": no '#!' line ...", ": the '#!' line is too long"). */
const char *payload_appended_args(const unsigned char *before, size_t n, char *args, size_t cap);

typedef enum {
    PAYLOAD_ARGS_OK,
    PAYLOAD_ARGS_NO_SCRIPT, /* no zip end record, or it points before the file */
    PAYLOAD_ARGS_BAD,       /* a zip, but no usable "#!" line before it: *why says why */
    PAYLOAD_ARGS_DAMAGED,   /* an end record that points outside the file: truncated or corrupt */
} payload_args_status;

/* A Windows console-script launcher of size bytes read through read_at: the
 * "#!" line's arguments into args (as payload_appended_args). Reads the last
 * PAYLOAD_TAIL_MAX bytes, then up to PAYLOAD_SHEBANG_MAX before the archive. */
payload_args_status payload_script_args(payload_read_fn read_at, void *ctx, long long size,
                                        char *args, size_t cap, const char **why);

#endif
