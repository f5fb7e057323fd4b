/* install's record of the one-process decision (oneproc_record.h). */
#include "oneproc_record.h"

#include <string.h>

#include "strbuf.h"

/* A decimal number (a leading '-' only where signed) ending at a ' ':
 * advances *p past the space. */
static bool number(const char **p, const char *end, bool is_signed, unsigned long long *out) {
    const char *s = *p;
    bool negative = is_signed && s < end && *s == '-';
    s += negative;
    unsigned long long v = 0;
    const char *digits = s;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (~0ULL - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (s == digits || s - digits > 20 || s >= end || *s != ' ' ||
        (is_signed && v > (negative ? (1ULL << 63) : (1ULL << 63) - 1)))
        return false;
    *out = negative ? 0ULL - v : v;
    *p = s + 1;
    return true;
}

static bool signed_number(const char **p, const char *end, long long *out) {
    unsigned long long v;
    if (!number(p, end, true, &v))
        return false;
    memcpy(out, &v, sizeof *out); /* two's complement, without an overflowing cast */
    return true;
}

/* One line's fields (after its letter) for a file (with size) or directory. */
static bool stamp(const char *p, const char *end, bool has_size, oneproc_stamp *s) {
    unsigned long long dev, ino;
    s->size = 0;
    if (!number(&p, end, false, &dev) || !number(&p, end, false, &ino) ||
        (has_size && !signed_number(&p, end, &s->size)) || s->size < 0 ||
        !signed_number(&p, end, &s->changed_ns) || p >= end || *p != '/')
        return false;
    s->dev = dev;
    s->ino = ino;
    s->path = p;
    return true;
}

/* The library is a libpython* file directly in the last directory looked in:
 * a record can name nothing else (it is the loader's search, written down). */
static bool library_in_last_dir(const oneproc_record *r) {
    const char *dir = r->dir[r->dir_count - 1].path;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    const char *name = r->library + n + (n > 1);
    return strncmp(r->library, dir, n) == 0 && (n == 1 || r->library[n] == '/') &&
           strncmp(name, "libpython", 9) == 0 && !strchr(name, '/');
}

bool oneproc_record_parse(const char *text, size_t len, oneproc_record *r) {
    memset(r, 0, sizeof *r);
    const char *p = text, *limit = text + len;
    bool has_base = false, has_library = false;
    for (;;) {
        const char *end = p < limit ? memchr(p, '\0', (size_t)(limit - p)) : NULL;
        if (!end)
            return false; /* no end of line inside the area */
        if (end == p)     /* the empty line: the end */
            return has_base && has_library && r->dir_count > 0 && library_in_last_dir(r);
        if (has_library) /* L is the last line */
            return false;
        const char *q = p + 1;
        if (*p == 'B' && !has_base) {
            if (!stamp(q, end, true, &r->base))
                return false;
            has_base = true;
        } else if (*p == 'D' && has_base && r->dir_count < ONEPROC_RECORD_MAX_DIRS) {
            if (!stamp(q, end, false, &r->dir[r->dir_count]))
                return false;
            r->dir_count++;
        } else if (*p == 'L' && r->dir_count > 0) {
            unsigned long long major, minor;
            if (!number(&q, end, false, &major) || !number(&q, end, false, &minor) || major > 99 ||
                minor > 999 || q >= end || *q != '/')
                return false;
            r->major = (int)major;
            r->minor = (int)minor;
            r->library = q;
            has_library = true;
        } else {
            return false;
        }
        p = end + 1;
    }
}

static bool fits(const char *path) {
    return path && path[0] == '/' && !strchr(path, '\n');
}

/* 64-bit values on every platform (a Windows long has 32 bits) */
static void add_number(strbuf *sb, unsigned long long v, bool negative) {
    char digits[24];
    size_t i = sizeof digits;
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (negative)
        digits[--i] = '-';
    sb_add_n(sb, digits + i, sizeof digits - i);
    sb_add_char(sb, ' ');
}

static void add_signed(strbuf *sb, long long v) {
    add_number(sb, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
}

static void add_stamp(strbuf *sb, char letter, const oneproc_stamp *s, bool has_size) {
    char head[2] = {letter, '\0'};
    sb_add(sb, head);
    add_number(sb, s->dev, false);
    add_number(sb, s->ino, false);
    if (has_size)
        add_signed(sb, s->size);
    add_signed(sb, s->changed_ns);
    sb_add(sb, s->path);
    sb_add_char(sb, '\0');
}

size_t oneproc_record_format(char *out, size_t cap, const oneproc_record *r) {
    if (cap == 0 || !fits(r->base.path) || !fits(r->library) || r->dir_count < 1 ||
        r->dir_count > ONEPROC_RECORD_MAX_DIRS || r->major < 0 || r->major > 99 || r->minor < 0 ||
        r->minor > 999 || r->base.size < 0)
        return 0;
    for (int i = 0; i < r->dir_count; i++)
        if (!fits(r->dir[i].path))
            return 0;
    strbuf sb;
    sb_init(&sb, out, cap);
    add_stamp(&sb, 'B', &r->base, true);
    for (int i = 0; i < r->dir_count; i++)
        add_stamp(&sb, 'D', &r->dir[i], false);
    sb_add(&sb, "L");
    add_number(&sb, (unsigned long long)r->major, false);
    add_number(&sb, (unsigned long long)r->minor, false);
    sb_add(&sb, r->library);
    sb_add_char(&sb, '\0');
    sb_add_char(&sb, '\0');
    return sb.overflow ? 0 : sb.len;
}
