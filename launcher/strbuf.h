/* Bounded string building into caller-owned storage: no heap, no stdio.
 * A strbuf that overflowed stays NUL-terminated and remembers it, so callers
 * check once at the end instead of after every append. */
#ifndef VENVSHIM_STRBUF_H
#define VENVSHIM_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap; /* bytes available, including the terminating NUL */
    bool overflow;
} strbuf;

void sb_init(strbuf *sb, char *storage, size_t cap);
void sb_add(strbuf *sb, const char *s);
void sb_add_n(strbuf *sb, const char *s, size_t n);
void sb_add_char(strbuf *sb, char c);
void sb_add_int(strbuf *sb, long value);

/* s as one shell word: unchanged when it has only [A-Za-z0-9_./+:@%=,-],
 * else in single quotes (a ' inside becomes '\''), so a printed command can be
 * pasted into a shell even for paths with spaces. A word with a byte that
 * sb_add_escaped would escape is written as $'...' (bash, zsh, ksh) with that
 * byte as \xHH, so the terminal never receives it raw. */
void sb_add_shell_word(strbuf *sb, const char *s);

/* s with every byte a terminal could act on written as an escape: C0 controls
 * and DEL as \n, \r, \t or \xHH; C1 controls (U+0080..U+009F in UTF-8, and
 * raw bytes 0x80..0x9F outside a UTF-8 sequence, which 8-bit terminals obey)
 * as \xHH. Everything else, other non-UTF-8 bytes included, is kept: a path
 * must stay recognisable. For text that came from files, paths or the
 * environment on its way to a terminal (diag.c, plan_print). */
void sb_add_escaped(strbuf *sb, const char *s);

/* Copy src into dst (capacity cap); false if it did not fit. */
bool sb_copy(char *dst, size_t cap, const char *src);

#endif
