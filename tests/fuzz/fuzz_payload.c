/* libFuzzer target: the script-launcher payload reader (launcher/payload.c):
 * the ELF image-end parser, the zip end-of-central-directory classifier and
 * the central-directory walk and the whole reader (payload_inspect_main), on
 * arbitrary files. Each piece gets exactly the
 * bytes the launcher would read (first 64, last 22, the directory slice), in
 * exact-size buffers, so any read outside them is an ASan finding.
 * needs: launcher/payload.c (run-fuzz skips this target while it is absent) */
#include <stdint.h>
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
    size_t head_len = size < 64 ? size : 64;
    unsigned char *head = slice(data, 0, head_len);
    long long image_end = head ? payload_elf_image_end(head, head_len) : 0;
    free(head);
    if (image_end < 0)
        abort();
    size_t tail_len = size >= 22 ? 22 : 0;
    unsigned char *tail = slice(data, size - tail_len, tail_len);
    if (!tail)
        return 0;
    zip_end end;
    memset(&end, 0, sizeof end);
    const char *why = NULL;
    payload_status st = payload_classify((long long)size, image_end, tail, tail_len, &end, &why);
    free(tail);
    if (st == PAYLOAD_CORRUPT && !why)
        abort(); /* every refusal says why */
    if (st != PAYLOAD_ZIP)
        return 0;
    /* what the launcher relies on before it reads the directory */
    if (end.cd_start < 0 || end.cd_size < 0 || end.arc_offset < 0 || end.entries == 0 ||
        end.cd_start + end.cd_size + 22 != (long long)size || end.cd_start < image_end)
        abort();
    unsigned char *cd = slice(data, (size_t)end.cd_start, (size_t)end.cd_size);
    if (!cd)
        return 0;
    payload_entry main;
    why = NULL;
    if (!payload_find_main(cd, (size_t)end.cd_size, end.entries, &main, &why) && !why)
        abort();
    free(cd);
    /* the whole reader, as the launcher runs it: where __main__.py's bytes
     * are must lie inside the file, before the directory */
    payload_memory m = {data, size};
    why = NULL;
    st = payload_inspect_main(payload_read_memory, &m, (long long)size, &main, &why);
    if (st == PAYLOAD_CORRUPT && !why)
        abort();
    if (st == PAYLOAD_ZIP && main.data_at >= 0 &&
        (main.data_at + (long long)main.csize > (long long)size || main.data_at < 30))
        abort();
    return 0;
}
