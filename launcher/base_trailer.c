#include "base_trailer.h"

#include <string.h>

#include "strbuf.h"

base_trailer_status base_trailer_parse(const unsigned char *bytes, size_t len, base_trailer *t,
                                       const char **why) {
    *why = NULL;
    if (len < BASE_TRAILER_MAGIC_LEN || memcmp(bytes, BASE_TRAILER_MAGIC, BASE_TRAILER_MAGIC_LEN))
        return BASE_TRAILER_NONE;
    /* one line of path whose newline ends the file */
    const unsigned char *p = bytes + BASE_TRAILER_MAGIC_LEN;
    size_t n = len - BASE_TRAILER_MAGIC_LEN - 1;
    if (len > BASE_TRAILER_MAX || n - 1 >= sizeof t->path - 1 || p[n] != '\n' ||
        memchr(p, '\n', n) || memchr(p, '\0', n)) {
        /* one reason for every defect: the launcher only traces it */
        *why = "its base record is damaged (cut, garbled or too long)";
        return BASE_TRAILER_BAD;
    }
    memcpy(t->path, p, n);
    t->path[n] = '\0';
    if (!path_is_absolute(t->path)) {
        *why = "its base record is not an absolute path";
        return BASE_TRAILER_BAD;
    }
    return BASE_TRAILER_OK;
}

base_trailer_status base_trailer_read(payload_read_fn read_at, void *ctx, long long size,
                                      base_trailer *t, const char **why) {
    *why = NULL;
    unsigned char head[64];
    long got = read_at(ctx, head, sizeof head, 0);
    long long image_end = payload_elf_image_end(head, got > 0 ? (size_t)got : 0);
    if (image_end <= 0 || size <= image_end)
        return BASE_TRAILER_NONE;
    /* one bounded read: a longer tail (a zip, a file grown by hand) is read
     * one byte past the limit, which the parser refuses */
    static unsigned char tail[BASE_TRAILER_MAX + 1];
    size_t want =
        size - image_end > (long long)BASE_TRAILER_MAX ? sizeof tail : (size_t)(size - image_end);
    if (read_at(ctx, tail, want, image_end) != (long)want) /* it shrank since size was taken */
        want = 0;
    return base_trailer_parse(tail, want, t, why);
}

size_t base_trailer_format(char *out, size_t cap, const char *base) {
    if (!path_is_absolute(base) || strchr(base, '\n') || strlen(base) >= VS_PATH_MAX)
        return 0;
    strbuf sb;
    sb_init(&sb, out, cap);
    sb_add(&sb, BASE_TRAILER_MAGIC);
    sb_add(&sb, base);
    sb_add_char(&sb, '\n');
    return sb.overflow ? 0 : sb.len;
}
