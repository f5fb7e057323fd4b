/* What reaches the terminal (diag.c, strbuf.c): values from files, paths
 * and the environment are escaped where a terminal would act on them; an
 * error keeps its two-line shape whatever a value holds; a printed command
 * stays one shell word per path. */
#include <criterion/criterion.h>
#include <string.h>

#include "diag.h"
#include "strbuf.h"

static const char *escaped(const char *s) {
    static char out[1024];
    strbuf sb;
    sb_init(&sb, out, sizeof out);
    sb_add_escaped(&sb, s);
    return out;
}

Test(escape, text_and_utf8_kept) {
    cr_assert_str_eq(escaped("/usr/bin/python3.12"), "/usr/bin/python3.12");
    cr_assert_str_eq(escaped("/h\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x90\x8d"),
                     "/h\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x90\x8d");
    cr_assert_str_eq(escaped("a\\x1b"), "a\\x1b"); /* a backslash is text */
}

Test(escape, c0_and_del) {
    cr_assert_str_eq(escaped("a\x1b[31mb"), "a\\x1b[31mb");
    cr_assert_str_eq(escaped("\r\n\t\a\x7f"), "\\r\\n\\t\\x07\\x7f");
}

Test(escape, c1_controls_in_utf8_and_raw) {
    /* octal escapes: "\x9b31" would be one hex escape */
    cr_assert_str_eq(escaped("x\302\23331m"), "x\\xc2\\x9b31m");
    cr_assert_str_eq(escaped("x\23331m\205"), "x\\x9b31m\\x85");
    cr_assert_str_eq(escaped("\xc2\xa0"), "\xc2\xa0"); /* U+00A0 is text */
}

Test(escape, other_non_utf8_bytes_kept) {
    cr_assert_str_eq(escaped("bad\xff\xfe-\xe9t\xe9"), "bad\xff\xfe-\xe9t\xe9");
    /* a truncated sequence: its lead byte kept, what follows judged alone */
    cr_assert_str_eq(escaped("\xe2\x80"), "\xe2\\x80");
    cr_assert_str_eq(escaped("\xed\xa0\x80"), "\xed\xa0\\x80"); /* a surrogate: not UTF-8 */
}

Test(fail, two_lines_whatever_the_values_hold) {
    vs_error err;
    diag_fail(&err, EXIT_NO_BASE, "home = ", "/x\n\x1b[2Jvenvshim: fake", " is gone",
              "\nfix it: ", "\nnot a third line", NULL);
    cr_assert_str_eq(err.text, "venvshim: home = /x\\n\\x1b[2Jvenvshim: fake is gone\n"
                               "venvshim: fix it: \\nnot a third line");
    cr_assert_eq(err.code, EXIT_NO_BASE);
}

static const char *word(const char *s) {
    static char out[1024];
    strbuf sb;
    sb_init(&sb, out, sizeof out);
    sb_add_shell_word(&sb, s);
    return out;
}

Test(shell_word, quoting) {
    cr_assert_str_eq(word("/a/b-c_d.e"), "/a/b-c_d.e");
    cr_assert_str_eq(word("/a b/it's"), "'/a b/it'\\''s'");
    cr_assert_str_eq(word("/a\033b\\'c\n"), "$'/a\\x1bb\\\\\\'c\\x0a'");
}
