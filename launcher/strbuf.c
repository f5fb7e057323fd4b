#include "strbuf.h"

#include <string.h>

void sb_init(strbuf *sb, char *storage, size_t cap) {
    sb->data = storage;
    sb->len = 0;
    sb->cap = cap;
    sb->overflow = cap == 0;
    if (cap > 0)
        storage[0] = '\0';
}

void sb_add_n(strbuf *sb, const char *s, size_t n) {
    if (sb->cap == 0)
        return;
    size_t room = sb->cap - 1 - sb->len;
    if (n > room) {
        n = room;
        sb->overflow = true;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_add(strbuf *sb, const char *s) {
    sb_add_n(sb, s, strlen(s));
}

void sb_add_char(strbuf *sb, char c) {
    sb_add_n(sb, &c, 1);
}

void sb_add_int(strbuf *sb, long value) {
    char digits[24];
    size_t i = sizeof digits;
    unsigned long v = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (value < 0)
        digits[--i] = '-';
    sb_add_n(sb, digits + i, sizeof digits - i);
}

static bool shell_safe(const char *s) {
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!plain && !strchr("_./+:@%=,-", c))
            return false;
    }
    return true;
}

void sb_add_shell_word(strbuf *sb, const char *s) {
    if (shell_safe(s)) {
        sb_add(sb, s);
        return;
    }
    sb_add_char(sb, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_add(sb, "'\\''");
        else
            sb_add_char(sb, *s);
    }
    sb_add_char(sb, '\'');
}

bool copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}
