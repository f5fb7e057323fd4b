/* libFuzzer target: the Windows console-script side of the payload reader
 * (launcher/payload.c): the zip end-record search, the '#!' line before the
 * archive and its arguments, on arbitrary files. The pieces get exactly the
 * bytes scriptlauncher.exe reads (the last 22 + 64 KiB, then up to 4 KiB
 * before the archive), in exact-size buffers, so a read outside them is an
 * ASan finding; venvshim.exe install's whole-file path and the launcher's
 * own reader (payload_script_args, through a read callback) must agree. */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

static unsigned char *slice(const uint8_t *data, size_t from, size_t len) {
    unsigned char *p = malloc(len ? len : 1);
    if (p && len)
        memcpy(p, data + from, len);
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* the launcher's reader (payload_script_args, through reads): the pieces
     * below must agree with it */
    payload_memory mem = {data, size};
    static char args2[4096];
    const char *why2 = NULL;
    payload_args_status st =
        payload_script_args(payload_read_memory, &mem, (long long)size, args2, sizeof args2, &why2);
    if ((st == PAYLOAD_ARGS_BAD) != (why2 != NULL))
        abort(); /* a refusal, and only a refusal, says why */

    unsigned char *whole = slice(data, 0, size);
    if (!whole)
        return 0;
    long long at = payload_script_offset(whole, size);
    if (at >= 0 && ((size_t)at + 2 > size || whole[at] != '#' || whole[at + 1] != '!'))
        abort(); /* an offset must name a "#!" inside the file */
    free(whole);

    /* scriptlauncher.exe: the tail, then the bytes before the archive */
    size_t n = size < PAYLOAD_TAIL_MAX ? size : PAYLOAD_TAIL_MAX;
    long long start = -1;
    if (n >= 22) {
        unsigned char *tail = slice(data, size - n, n);
        if (!tail)
            return 0;
        start = payload_archive_start(tail, n, (long long)size);
        free(tail);
    }
    if (start >= (long long)size)
        abort(); /* the archive starts inside the file */
    if (start <= 0) {
        if (at >= 0 || (st != PAYLOAD_ARGS_NO_SCRIPT && st != PAYLOAD_ARGS_DAMAGED))
            abort(); /* install or the launcher found a script the pieces cannot */
        return 0;
    }
    size_t before = (size_t)(start < PAYLOAD_SHEBANG_MAX ? start : PAYLOAD_SHEBANG_MAX);
    unsigned char *head = slice(data, (size_t)start - before, before);
    if (!head)
        return 0;
    if (st == PAYLOAD_ARGS_DAMAGED)
        abort(); /* an archive inside the file is not a damaged one */
    /* no line break before the archive in what the launcher reads: the
     * launcher refuses the '#!' line as too long, whatever the pieces say */
    bool too_long = start > PAYLOAD_SHEBANG_MAX && !memchr(head, '\n', before - 1);
    char args[4096];
    memset(args, 'x', sizeof args);
    const char *why = payload_appended_args(head, before, args, sizeof args);
    size_t i = payload_shebang_start(head, before);
    free(head);
    if (too_long) {
        if (st != PAYLOAD_ARGS_BAD || !strstr(why2, "longer than"))
            abort();
        return 0;
    }
    if ((i == before) != (at < 0) || (at >= 0 && (size_t)at != (size_t)start - before + i))
        abort(); /* the two readers disagree on where the '#!' line is */
    if (st == PAYLOAD_ARGS_NO_SCRIPT || (st == PAYLOAD_ARGS_OK) != (why == NULL) ||
        (st == PAYLOAD_ARGS_OK && strcmp(args, args2) != 0))
        abort(); /* the launcher's reader and the pieces disagree */
    if (!why && memchr(args, '\0', sizeof args) == NULL)
        abort(); /* accepted arguments are a C string within the buffer */
    if (why && at >= 0 && strstr(why, "too long") == NULL)
        abort(); /* a '#!' line was found, so only its length can be refused */

    /* payload_shebang_args alone, on the raw input as one line */
    size_t alen;
    const char *a = payload_shebang_args((const char *)data, size, &alen);
    if (a < (const char *)data || alen > size || (size_t)(a - (const char *)data) + alen > size)
        abort();
    return 0;
}
