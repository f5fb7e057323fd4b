#include "appended_parse.h"

#include <string.h>

static unsigned long le32(const unsigned char *p) {
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
           (unsigned long)p[3] << 24;
}

long long appended_archive_start(const unsigned char *tail, size_t n, long long size) {
    if (n < 22 || (long long)n > size)
        return -1;
    for (long long i = (long long)n - 22; i >= 0; i--) {
        const unsigned char *e = tail + i;
        if (e[0] == 'P' && e[1] == 'K' && e[2] == 5 && e[3] == 6) {
            long long eocd = size - (long long)n + i;
            long long start = eocd - (long long)le32(e + 12) - (long long)le32(e + 16);
            return start >= 0 ? start : -1;
        }
    }
    return -1;
}

size_t appended_shebang_start(const unsigned char *before, size_t n) {
    size_t end = n;
    if (end > 0 && before[end - 1] == '\n')
        end--;
    size_t i = end;
    while (i > 0 && before[i - 1] != '\n' && before[i - 1] != '\0')
        i--;
    while (i + 1 < end && !(before[i] == '#' && before[i + 1] == '!'))
        i++;
    return i + 1 < end ? i : n;
}

long long appended_script_offset(const unsigned char *data, size_t size) {
    size_t n = size < APPENDED_TAIL_MAX ? size : APPENDED_TAIL_MAX;
    long long start = appended_archive_start(data + size - n, n, (long long)size);
    if (start <= 0)
        return -1;
    size_t before = (size_t)(start < APPENDED_SHEBANG_MAX ? start : APPENDED_SHEBANG_MAX);
    const unsigned char *from = data + start - before;
    size_t i = appended_shebang_start(from, before);
    return i == before ? -1 : (long long)(from - data) + (long long)i;
}

const char *shebang_args(const char *line, size_t len, size_t *args_len) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '"') {
        for (i++; i < len && line[i] != '"'; i++)
            ;
        if (i < len)
            i++;
    } else {
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
    }
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t end = len;
    while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
        end--;
    *args_len = end - i;
    return line + i;
}

const char *appended_args(const unsigned char *before, size_t n, char *args, size_t cap) {
    size_t i = appended_shebang_start(before, n);
    if (i == n)
        return ": no '#!' line before the appended zip archive";
    size_t end = n;
    if (end > 0 && before[end - 1] == '\n')
        end--;
    size_t alen;
    const char *a = shebang_args((const char *)before + i + 2, end - i - 2, &alen);
    if (alen >= cap)
        return ": the '#!' line is too long";
    memcpy(args, a, alen);
    args[alen] = '\0';
    return NULL;
}
