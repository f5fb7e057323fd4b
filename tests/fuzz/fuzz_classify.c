/* libFuzzer target: how venvshim relocate classifies a file in bin/
 * (classify_content in launcher/cli/relocate_rewrite.c: a launcher, a zip
 * application, a zip Python could not run, text) and the launcher's own
 * payload check it relies on (payload_inspect in launcher/payload.c, with a
 * zip comment searched for up to 64 KiB back). The promise relocate builds
 * on: a file classified as a runnable zip, put behind a launcher image as it
 * is, is accepted by the launcher. Here the image is a 64-byte ELF header
 * whose section table ends at 64.
 * uses: launcher/cli/relocate_rewrite.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/relocate_rewrite.h"

static void elf_header(unsigned char *h) {
    memset(h, 0, 64);
    memcpy(h, "\177ELF", 4);
    h[4] = 2;   /* 64-bit */
    h[5] = 1;   /* little endian */
    h[40] = 64; /* e_shoff */
    h[60] = 1;  /* e_shnum; e_shentsize 0: the image ends at 64 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size ? size : 1); /* exact size: overreads are ASan findings */
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    const char *why = NULL;
    content_kind kind = classify_content(buf, size, &why);
    if (!why || (kind == CONTENT_BAD_ZIP && !why[0]))
        abort(); /* a refused zip says why */
    if (kind == CONTENT_ZIP) {
        char *launcher = malloc(64 + size);
        if (!launcher)
            abort();
        elf_header((unsigned char *)launcher);
        memcpy(launcher + 64, buf, size);
        if (!launcher_accepts(launcher, 64 + size, &why))
            abort(); /* relocate would write a script launcher that exits 105 */
        free(launcher);
    }
    /* the input itself behind the image: every outcome explains a refusal */
    if (size >= 64) {
        why = NULL;
        if (!launcher_accepts(buf, size, &why) && !why)
            abort();
    }
    free(buf);
    return 0;
}
