#include "cfg.h"

#include <string.h>

/* Length of the whitespace character (as Python's str.isspace() sees it after
 * UTF-8 decoding) starting at p, or 0. */
static size_t space_at(const unsigned char *p, const unsigned char *end) {
    size_t left = (size_t)(end - p);
    if (left == 0)
        return 0;
    unsigned char c = p[0];
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f))
        return 1;
    if (left >= 2 && c == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
        return 2; /* U+0085, U+00A0 */
    if (left < 3)
        return 0;
    if (c == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
        return 3; /* U+1680 */
    if (c == 0xe2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
        return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (c == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
        return 3; /* U+205F */
    if (c == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

/* Length of the whitespace character that ends just before end, or 0. */
static size_t space_before(const unsigned char *start, const unsigned char *end) {
    for (size_t n = 1; n <= 3 && (size_t)(end - start) >= n; n++) {
        if (space_at(end - n, end) == n)
            return n;
    }
    return 0;
}

static cfg_value strip(const char *b, const char *e) {
    const unsigned char *s = (const unsigned char *)b;
    const unsigned char *t = (const unsigned char *)e;
    size_t n;
    while ((n = space_at(s, t)) != 0)
        s += n;
    while ((n = space_before(s, t)) != 0)
        t -= n;
    cfg_value v = {(const char *)s, (size_t)(t - s)};
    return v;
}

static bool key_is(cfg_value key, const char *name) {
    size_t n = strlen(name);
    if (key.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != name[i])
            return false;
    }
    return true;
}

static void set_once(cfg_value *slot, cfg_value v) {
    if (!slot->ptr)
        *slot = v;
}

cfg_status cfg_parse(const char *buf, size_t len, venv_cfg *cfg) {
    memset(cfg, 0, sizeof *cfg);
    if (memchr(buf, '\0', len))
        return CFG_NOT_TEXT;
    cfg->starts_with_bom = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0;

    const char *end = buf + len;
    const char *line = buf;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *line_end = nl ? nl : end;
        const char *eq = memchr(line, '=', (size_t)(line_end - line));
        if (eq) {
            cfg_value key = strip(line, eq);
            cfg_value value = strip(eq + 1, line_end);
            if (key_is(key, "home"))
                set_once(&cfg->home, value);
            else if (key_is(key, "executable"))
                set_once(&cfg->executable, value);
            else if (key_is(key, "base-executable"))
                set_once(&cfg->base_executable, value);
            else if (key_is(key, "version"))
                set_once(&cfg->version, value);
            else if (key_is(key, "version_info"))
                set_once(&cfg->version_info, value);
            if (line == buf && cfg->starts_with_bom) {
                cfg_value unbommed = strip(line + 3, eq);
                cfg->bom_hid_home = key_is(unbommed, "home");
            }
        }
        line = nl ? nl + 1 : end;
    }
    return CFG_OK;
}

cfg_value cfg_find(const char *buf, size_t len, const char *name) {
    const char *end = buf + len;
    for (const char *line = buf; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *line_end = nl ? nl : end;
        const char *eq = memchr(line, '=', (size_t)(line_end - line));
        if (eq && key_is(strip(line, eq), name))
            return strip(eq + 1, line_end);
        line = nl ? nl + 1 : end;
    }
    return (cfg_value){NULL, 0};
}

/* CPython 3.6-3.10: fgets() into an 8 KiB buffer, a line without '\n' ends the
 * parse, '#' comments, then strtok: "home", "=", rest of line. */
#define LEGACY_LINE_MAX 8191

static bool is_delim(char c, const char *delims) {
    return c != '\0' && strchr(delims, c) != NULL;
}

bool cfg_legacy_home(const char *buf, size_t len, cfg_value *home) {
    const char *end = buf + len;
    const char *line = buf;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        if (!nl || (size_t)(nl - line) + 1 > LEGACY_LINE_MAX)
            return false; /* "line has overflowed - bail" */
        const char *p = line;
        line = nl + 1;
        if (*p == '#')
            continue;
        while (p < nl && is_delim(*p, " \t\r"))
            p++;
        const char *tok = p;
        while (p <= nl && !is_delim(*p, " \t\r\n"))
            p++;
        if ((size_t)(p - tok) != 4 || memcmp(tok, "home", 4) != 0)
            continue;
        p++; /* strtok consumed the delimiter that ended the token */
        while (p <= nl && is_delim(*p, " \t"))
            p++;
        tok = p;
        while (p <= nl && !is_delim(*p, " \t"))
            p++;
        if (p - tok != 1 || *tok != '=')
            continue;
        p++;
        while (p <= nl && is_delim(*p, "\r\n"))
            p++;
        if (p > nl)
            continue;
        tok = p;
        while (p < nl && !is_delim(*p, "\r\n"))
            p++;
        home->ptr = tok;
        home->len = (size_t)(p - tok);
        return true;
    }
    return false;
}

static bool parse_int(const char **p, const char *end, int *out) {
    int v = 0;
    const char *s = *p;
    while (s < end && *s >= '0' && *s <= '9' && v < 10000)
        v = v * 10 + (*s++ - '0');
    if (s == *p)
        return false;
    *p = s;
    *out = v;
    return true;
}

bool cfg_major_minor(const venv_cfg *cfg, int *major, int *minor) {
    cfg_value v = cfg->version.ptr ? cfg->version : cfg->version_info;
    if (!v.ptr)
        return false;
    const char *p = v.ptr;
    const char *end = v.ptr + v.len;
    if (!parse_int(&p, end, major) || p >= end || *p != '.')
        return false;
    p++;
    return parse_int(&p, end, minor);
}

bool cfg_value_equals(cfg_value v, const char *s) {
    return v.ptr && strlen(s) == v.len && memcmp(v.ptr, s, v.len) == 0;
}
