/* libFuzzer target: the base a launcher records after its ELF image
 * (launcher/base_trailer.c): the parser on arbitrary bytes, and the reader
 * on arbitrary files (the first input byte chooses whether the rest is read
 * after a real ELF header or as the whole file), in exact-size buffers so
 * any read outside them is an ASan finding.
 * needs: launcher/base_trailer.c (run-fuzz skips this target while it is absent)
 * fuzz-seconds: 5 (a parser of a few lines: CI time is better spent elsewhere) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base_trailer.h"

/* A 64-bit little-endian ELF header whose section table ends at 64: the
 * image is the header itself, everything after it is the trailer. */
static const unsigned char elf_head[64] = {
    0x7f, 'E', 'L', 'F', 2, 1, 1, 0, [40] = 64 /* e_shoff */, [60] = 1 /* e_shnum */,
};

static void check(base_trailer_status st, const base_trailer *t, const char *why) {
    if (st == BASE_TRAILER_BAD && !why)
        abort(); /* every refusal says why */
    if (st == BASE_TRAILER_OK && (t->path[0] != '/' || strchr(t->path, '\n')))
        abort(); /* what the launcher relies on */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static base_trailer t;
    const char *why;
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    check(base_trailer_parse(copy, size, &t, &why), &t, why);
    free(copy);

    unsigned char *file = malloc(sizeof elf_head + size + 1);
    if (!file)
        return 0;
    size_t len = size;
    if (size > 0 && data[0] & 1) {
        memcpy(file, elf_head, sizeof elf_head);
        if (payload_elf_image_end(file, sizeof elf_head) != sizeof elf_head)
            abort(); /* the harness itself: the trailer must start at 64 */
        memcpy(file + sizeof elf_head, data + 1, size - 1);
        len = sizeof elf_head + size - 1;
    } else {
        memcpy(file, data, size);
    }
    payload_memory m = {file, len};
    check(base_trailer_read(payload_read_memory, &m, (long long)len, &t, &why), &t, why);
    /* a size larger than what can be read: a file that shrank */
    check(base_trailer_read(payload_read_memory, &m, (long long)len + 7, &t, &why), &t, why);
    free(file);
    return 0;
}
