/* Words of the commands the CLI prints for a person to paste: every one is
 * built by sb_add_shell_word (strbuf.h), the project's one quoting function. */
#include "../strbuf.h"
#include "cli.h"

#define SHELL_WORD_SLOTS 8
/* $'\xHH' per byte at worst, and the quotes */
#define SHELL_WORD_CAP (4 * VS_PATH_MAX + 8)

const char *shell_word(const char *s) {
    static char slots[SHELL_WORD_SLOTS][SHELL_WORD_CAP];
    static unsigned next;
    char *out = slots[next++ % SHELL_WORD_SLOTS];
    strbuf sb;
    sb_init(&sb, out, SHELL_WORD_CAP);
    sb_add_shell_word(&sb, s);
    /* a cut-off word could end inside its quotes: a placeholder instead */
    return sb.overflow ? "'(a path too long to show)'" : out;
}
