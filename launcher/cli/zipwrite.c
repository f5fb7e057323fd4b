/* A minimal zip writer: one stored (uncompressed) entry, offsets counted from
 * the archive's start, so it can be appended to the launcher binary (Python's
 * zipimport accounts for data in front of an archive). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static uint32_t crc32_of(const unsigned char *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static unsigned char *put(unsigned char *p, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

/* The fields local and central headers share, from "version needed" on. */
static unsigned char *common(unsigned char *p, uint32_t crc, uint32_t size, uint16_t name_len) {
    p = put(p, 20, 2);                      /* version needed: 2.0 */
    p = put(p, 0, 2);                       /* flags */
    p = put(p, 0, 2);                       /* method: stored */
    p = put(p, 0, 2);                       /* time 00:00 */
    p = put(p, (0 << 9) | (1 << 5) | 1, 2); /* date 1980-01-01: reproducible */
    p = put(p, crc, 4);
    p = put(p, size, 4);
    p = put(p, size, 4);
    p = put(p, name_len, 2);
    return put(p, 0, 2); /* extra field length */
}

unsigned char *zip_single_file(const char *name, const char *data, size_t len, const char *comment,
                               size_t *out_len) {
    size_t name_len = strlen(name), comment_len = comment ? strlen(comment) : 0;
    if (len > 0xFFFFFFF0u || name_len > 0xFFFF || comment_len > 0xFFFF)
        return NULL;
    size_t total = 30 + name_len + len + 46 + name_len + comment_len + 22;
    unsigned char *buf = malloc(total);
    if (!buf)
        return NULL;
    uint32_t crc = crc32_of((const unsigned char *)data, len);
    unsigned char *p = put(buf, 0x04034b50u, 4);
    p = common(p, crc, (uint32_t)len, (uint16_t)name_len);
    memcpy(p, name, name_len);
    p += name_len;
    memcpy(p, data, len);
    p += len;
    uint32_t cd_offset = (uint32_t)(p - buf);
    p = put(p, 0x02014b50u, 4);
    p = put(p, 20, 2); /* version made by */
    p = common(p, crc, (uint32_t)len, (uint16_t)name_len);
    p = put(p, (uint32_t)comment_len, 2); /* the entry's comment */
    p = put(p, 0, 2);                     /* disk */
    p = put(p, 0, 2);                     /* internal attributes */
    p = put(p, 0100644u << 16, 4);        /* external: a regular file, rw-r--r-- */
    p = put(p, 0, 4);                     /* local header offset */
    memcpy(p, name, name_len);
    p += name_len;
    if (comment_len)
        memcpy(p, comment, comment_len);
    p += comment_len;
    uint32_t cd_size = (uint32_t)(p - buf) - cd_offset;
    p = put(p, 0x06054b50u, 4);
    p = put(p, 0, 2);
    p = put(p, 0, 2);
    p = put(p, 1, 2);
    p = put(p, 1, 2);
    p = put(p, cd_size, 4);
    p = put(p, cd_offset, 4);
    p = put(p, 0, 2); /* no comment: 3.6 and 3.7's zipimport need the record last */
    *out_len = (size_t)(p - buf);
    return buf;
}
