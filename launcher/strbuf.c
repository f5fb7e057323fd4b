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

/* Bytes of the UTF-8 sequence starting at p (its lead byte is >= 0xC2), or 0
 * when it is not one: truncated, overlong, a surrogate, beyond U+10FFFF. */
static size_t utf8_len(const unsigned char *p) {
    unsigned char c = p[0];
    size_t n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n == 0 || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* How many bytes at p may reach a terminal as they are (a printable ASCII
 * byte, a UTF-8 character other than a C1 control, a stray byte 0xA0..0xFF),
 * or 0 when the byte at p must be escaped. p[0] is not NUL. */
static size_t text_len(const unsigned char *p) {
    unsigned char c = p[0];
    if (c < 0x20 || c == 0x7f)
        return 0;
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xc2 ? utf8_len(p) : 0;
    if (n == 2 && c == 0xc2 && p[1] <= 0x9f)
        return 0; /* U+0080..U+009F */
    if (n)
        return n;
    return c <= 0x9f ? 0 : 1;
}

static void add_hex_escape(strbuf *sb, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
    sb_add_n(sb, e, 4);
}

void sb_add_escaped(strbuf *sb, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p; /* the common case: text, copied in one piece */
        size_t n;
        while (*p && (n = text_len(p)) != 0)
            p += n;
        sb_add_n(sb, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        unsigned char c = *p++;
        if (c == '\n')
            sb_add(sb, "\\n");
        else if (c == '\r')
            sb_add(sb, "\\r");
        else if (c == '\t')
            sb_add(sb, "\\t");
        else
            add_hex_escape(sb, c);
    }
}

static bool needs_escape(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = text_len(p);
        if (n == 0)
            return true;
        p += n;
    }
    return false;
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

/* $'...': \\, \' and \xHH are the only escapes it needs. */
static void add_dollar_quoted(strbuf *sb, const char *s) {
    sb_add(sb, "$'");
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = text_len(p);
        if (n == 0) {
            add_hex_escape(sb, *p++);
            continue;
        }
        if (*p == '\\' || *p == '\'')
            sb_add_char(sb, '\\');
        sb_add_n(sb, (const char *)p, n);
        p += n;
    }
    sb_add_char(sb, '\'');
}

void sb_add_shell_word(strbuf *sb, const char *s) {
    if (shell_safe(s)) {
        sb_add(sb, s);
        return;
    }
#ifdef _WIN32
    /* cmd.exe and PowerShell: "..." (a Windows path cannot contain '"');
     * POSIX '...' would be part of the word there. */
    sb_add_char(sb, '"');
    sb_add(sb, s);
    sb_add_char(sb, '"');
    return;
#endif
    if (needs_escape(s)) {
        add_dollar_quoted(sb, s);
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

bool sb_copy(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}
