/* libFuzzer target: the Windows console-script reader (launcher/win/
 * appended_parse.c): the zip end-record search, the '#!' line before the
 * archive and its arguments, on arbitrary files. The pieces get exactly the
 * bytes scriptlauncher.exe reads (the last 22 + 64 KiB, then up to 4 KiB
 * before the archive), in exact-size buffers, so a read outside them is an
 * ASan finding; and venvshim.exe install's whole-file path must agree.
 * uses: launcher/win/appended_parse.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "win/appended_parse.h"

static unsigned char *slice(const uint8_t *data, size_t from, size_t len) {
    unsigned char *p = malloc(len ? len : 1);
    if (p && len)
        memcpy(p, data + from, len);
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *whole = slice(data, 0, size);
    if (!whole)
        return 0;
    long long at = appended_script_offset(whole, size);
    if (at >= 0 && ((size_t)at + 2 > size || whole[at] != '#' || whole[at + 1] != '!'))
        abort(); /* an offset must name a "#!" inside the file */
    free(whole);

    /* scriptlauncher.exe: the tail, then the bytes before the archive */
    size_t n = size < APPENDED_TAIL_MAX ? size : APPENDED_TAIL_MAX;
    long long start = -1;
    if (n >= 22) {
        unsigned char *tail = slice(data, size - n, n);
        if (!tail)
            return 0;
        start = appended_archive_start(tail, n, (long long)size);
        free(tail);
    }
    if (start >= (long long)size)
        abort(); /* the archive starts inside the file */
    if (start <= 0) {
        if (at >= 0)
            abort(); /* install found a script the launcher cannot */
        return 0;
    }
    size_t before = (size_t)(start < APPENDED_SHEBANG_MAX ? start : APPENDED_SHEBANG_MAX);
    unsigned char *head = slice(data, (size_t)start - before, before);
    if (!head)
        return 0;
    char args[4096];
    memset(args, 'x', sizeof args);
    const char *why = appended_args(head, before, args, sizeof args);
    size_t i = appended_shebang_start(head, before);
    free(head);
    if ((i == before) != (at < 0) || (at >= 0 && (size_t)at != (size_t)start - before + i))
        abort(); /* the two readers disagree on where the '#!' line is */
    if (!why && memchr(args, '\0', sizeof args) == NULL)
        abort(); /* accepted arguments are a C string within the buffer */
    if (why && at >= 0 && strstr(why, "too long") == NULL)
        abort(); /* a '#!' line was found, so only its length can be refused */

    /* shebang_args alone, on the raw input as one line */
    size_t alen;
    const char *a = shebang_args((const char *)data, size, &alen);
    if (a < (const char *)data || alen > size || (size_t)(a - (const char *)data) + alen > size)
        abort();
    return 0;
}
