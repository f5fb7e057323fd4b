#include "script_text.h"

#include <string.h>

#include "contract.h"
#include "strbuf.h"

/* A line of text: [start, end) without its terminator; next is where the
 * following line starts. Python ends lines at "\n", "\r\n" or a lone "\r". */
typedef struct {
    size_t start, end, next;
} text_line;

static text_line line_at(const char *text, size_t len, size_t start) {
    size_t end = start;
    while (end < len && text[end] != '\n' && text[end] != '\r')
        end++;
    size_t next = end;
    if (next < len)
        next += text[next] == '\r' && next + 1 < len && text[next + 1] == '\n' ? 2 : 1;
    return (text_line){start, end, next};
}

static bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\f';
}

static bool is_ident(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool starts_with(const char *text, size_t len, size_t at, const char *s) {
    size_t n = strlen(s);
    return at + n <= len && memcmp(text + at, s, n) == 0;
}

/* The encoding a coding cookie names in this line (CPython's rule,
 * Lib/tokenize.py cookie_re: a comment holding "coding[:=]" and a name), or
 * len 0 when there is none. */
static size_t cookie(const char *text, text_line l, size_t *name_at) {
    size_t i = l.start;
    while (i < l.end && is_blank(text[i]))
        i++;
    if (i == l.end || text[i] != '#')
        return 0;
    for (; i + 7 <= l.end; i++) {
        if (memcmp(text + i, "coding", 6) != 0 || (text[i + 6] != ':' && text[i + 6] != '='))
            continue;
        size_t n = i + 7;
        while (n < l.end && (text[n] == ' ' || text[n] == '\t'))
            n++;
        size_t from = n;
        while (n < l.end && (is_ident(text[n]) || text[n] == '-' || text[n] == '.'))
            n++;
        if (n > from) {
            *name_at = from;
            return n - from;
        }
    }
    return 0;
}

/* UTF-8 under any of the spellings CPython normalises to it
 * (Parser/tokenizer.c get_normal_name), or "utf8". */
static bool names_utf8(const char *name, size_t len) {
    char low[16];
    if (len >= sizeof low)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        low[i] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    low[len] = '\0';
    return strcmp(low, "utf8") == 0 || strcmp(low, "utf-8") == 0 || strncmp(low, "utf-8-", 6) == 0;
}

/* Why the first statement from line `from` on cannot follow a prelude
 * statement the same way: a docstring would stop being __doc__, and
 * `from __future__` must come first. NULL when it can. */
static const char *first_statement(const char *text, size_t len, size_t from) {
    for (size_t at = from; at < len;) {
        text_line l = line_at(text, len, at);
        size_t i = l.start;
        while (i < l.end && is_blank(text[i]))
            i++;
        at = l.next;
        if (i == l.end || text[i] == '#')
            continue; /* blank or comment */
        if (text[i] == '@')
            return NULL;
        if (!is_ident(text[i]) || (text[i] >= '0' && text[i] <= '9'))
            return "its first statement may be a docstring";
        size_t word = i;
        while (i < l.end && is_ident(text[i]))
            i++;
        if (i < l.end && (text[i] == '\'' || text[i] == '"'))
            return "it starts with a docstring";
        if (i - word == 4 && memcmp(text + word, "from", 4) == 0) {
            while (i < l.end && is_blank(text[i]))
                i++;
            if (i == l.end || text[i] == '\\' || starts_with(text, l.end, i, "__future__"))
                return "it starts with 'from __future__ import'";
        }
        return NULL;
    }
    return NULL;
}

const char *script_text_unusable(const char *text, size_t len) {
    if (len > SCRIPT_TEXT_MAX)
        return "its text is larger than the -c limit";
    text_line first = line_at(text, len, 0), second = line_at(text, len, first.next);
    bool shebang = starts_with(text, len, 0, "#!");
    /* the #! line's bytes never reach Python: the prelude takes its place */
    for (size_t i = shebang ? first.end : 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c > 0x7e)
            return "its text is not printable ASCII";
    }
    size_t at;
    for (int k = 0; k < 2; k++) {
        size_t n = cookie(text, k ? second : first, &at);
        if (n && !names_utf8(text + at, n))
            return "it declares an encoding other than UTF-8";
    }
    return first_statement(text, len, shebang ? first.next : 0);
}

bool script_text_program(char *out, size_t cap, const char *text, size_t len, script_prelude p) {
    strbuf sb;
    sb_init(&sb, out, cap);
    /* argv is [-c, A, F, D, args...]: sys.argv becomes [A, args...] */
    sb_add(&sb, "import sys as _v;_a=_v.argv;__file__=_a[2];__cached__=None;");
    if (p.set_path0)
        sb_add(&sb, "_v.path[0]=_a[3];");
    sb_add(&sb, "_a[:4]=_a[1:2];");
    if (p.name_code)
        sb_add(&sb, "__import__('_imp')._fix_co_filename(_v._getframe().f_code,__file__);");
    if (p.pip_hook)
        sb_add(&sb, "__import__('" VS_PIP_HOOK_MODULE "').at_exit();");
    sb_add(&sb, "del _v,_a");
    size_t skip = 0;
    if (len >= 2 && text[0] == '#' && text[1] == '!')
        skip = line_at(text, len, 0).end; /* its terminator stays: line numbers do not move */
    else
        sb_add(&sb, "\n");
    sb_add_n(&sb, text + skip, len - skip);
    return !sb.overflow;
}
