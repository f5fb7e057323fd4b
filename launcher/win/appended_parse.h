/* The pure parsing behind appended_script.c, on bytes in memory: no Windows
 * API, so it builds (and is fuzzed, tests/fuzz/fuzz_win_payload.c) anywhere.
 * A console-script launcher is <exe> "#!<interpreter> [args]\n" <zip>; the
 * zip's start comes from its end of central directory record. */
#ifndef VENVSHIM_APPENDED_PARSE_H
#define VENVSHIM_APPENDED_PARSE_H

#include <stddef.h>

/* The end of central directory record is 22 bytes plus a comment of at most
 * 64 KiB: a file's last TAIL_MAX bytes hold it. The '#!' line is looked for
 * in the SHEBANG_MAX bytes before the archive. */
#define APPENDED_TAIL_MAX (22 + 65535)
#define APPENDED_SHEBANG_MAX 4096

/* Offset of the archive's first byte in a file of the given size, from its
 * last n bytes (tail); -1 when there is no end record or it points before
 * the file. */
long long appended_archive_start(const unsigned char *tail, size_t n, long long size);

/* Index of the "#!" of the line that ends the n bytes before the archive
 * (a text run: no newline and no NUL, the exe's padding, inside), or n. */
size_t appended_shebang_start(const unsigned char *before, size_t n);

/* In a whole file in memory: the offset of the '#!' line before the
 * appended zip, or -1 when there is none (used by venvshim.exe install). */
long long appended_script_offset(const unsigned char *data, size_t size);

/* The part of a '#!' line after the interpreter: line is the text after
 * "#!" (no newline); a quoted interpreter ends at its closing quote, an
 * unquoted one at the first blank. Blanks around the result are dropped. */
const char *shebang_args(const char *line, size_t len, size_t *args_len);

/* From the n bytes that end where the archive starts: the '#!' line's
 * arguments into args (NUL-terminated). NULL, or the end of a message
 * saying why not (": no '#!' line ...", ": the '#!' line is too long"). */
const char *appended_args(const unsigned char *before, size_t n, char *args, size_t cap);

#endif
