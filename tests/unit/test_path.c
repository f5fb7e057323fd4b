/* Lexical paths (path.c), bounded strings (strbuf.c) and error texts (diag.c). */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "path.h"
#include "strbuf.h"

/* ---- path_normalize ---- */

#define NORMALIZE(name, input, expected)                                                           \
    Test(path_normalize, name) {                                                                   \
        char buf[64] = input;                                                                      \
        path_normalize(buf);                                                                       \
        cr_assert_str_eq(buf, expected, "normalize('%s')", input);                                 \
    }

NORMALIZE(drops_dot, "/a/./b", "/a/b")
NORMALIZE(collapses_double_slash, "/a//b", "/a/b")
NORMALIZE(collapses_many_slashes, "/a////b///c", "/a/b/c")
NORMALIZE(dotdot_removes_last, "/a/b/..", "/a")
NORMALIZE(dotdot_in_middle, "/a/b/../c", "/a/c")
NORMALIZE(dotdot_twice_to_root, "/a/b/../..", "/")
NORMALIZE(root_dotdot_stays_root, "/..", "/")
NORMALIZE(root_dotdot_then_name, "/../a", "/a")
NORMALIZE(dotdot_beyond_root, "/a/../../b", "/b")
NORMALIZE(relative_dotdot_beyond_start_kept, "a/../..", "..")
NORMALIZE(leading_dot_dropped, "./a", "a")
NORMALIZE(relative_dotdots_cancel, "a/b/../../c", "c")
NORMALIZE(trailing_slash_dropped, "/a/b/", "/a/b")
NORMALIZE(trailing_dot_dropped, "/a/b/.", "/a/b")
NORMALIZE(empty_is_dot, "", ".")
NORMALIZE(dot_is_dot, ".", ".")
NORMALIZE(dot_slash_is_dot, "./", ".")
NORMALIZE(relative_cancels_to_dot, "a/..", ".")
NORMALIZE(root_is_root, "/", "/")
NORMALIZE(slashes_only_is_root, "///", "/")
NORMALIZE(leading_double_slash_collapsed, "//x", "/x")
NORMALIZE(relative_leading_dotdot_kept, "../x", "../x")
NORMALIZE(relative_two_leading_dotdots_kept, "../../x", "../../x")
NORMALIZE(relative_dotdot_after_dotdot_kept, "../a/../../b", "../../b")
NORMALIZE(three_dots_is_a_name, "/a/.../b", "/a/.../b")
NORMALIZE(dot_prefixed_names_kept, "/a/.b/..c/b.", "/a/.b/..c/b.")
NORMALIZE(already_normal_unchanged, "/usr/local/bin/python3", "/usr/local/bin/python3")
NORMALIZE(mixed, "/home//u/./venv/bin/../bin/python", "/home/u/venv/bin/python")

/* ---- path_absolute ---- */

Test(path_absolute, relative_joined_to_cwd) {
    char out[64];
    cr_assert(path_absolute(out, sizeof out, "/home/u", "venv/bin/python"));
    cr_assert_str_eq(out, "/home/u/venv/bin/python");
}

Test(path_absolute, relative_normalised) {
    char out[64];
    cr_assert(path_absolute(out, sizeof out, "/home/u/proj", "../venv/./bin//python"));
    cr_assert_str_eq(out, "/home/u/venv/bin/python");
}

Test(path_absolute, absolute_ignores_cwd_but_is_normalised) {
    char out[64];
    cr_assert(path_absolute(out, sizeof out, "/elsewhere", "/a/b/../c"));
    cr_assert_str_eq(out, "/a/c");
}

Test(path_absolute, cwd_root) {
    char out[64];
    cr_assert(path_absolute(out, sizeof out, "/", "x"));
    cr_assert_str_eq(out, "/x");
}

Test(path_absolute, cwd_with_trailing_slash) {
    char out[64];
    cr_assert(path_absolute(out, sizeof out, "/a/", "b"));
    cr_assert_str_eq(out, "/a/b");
}

Test(path_absolute, too_long_returns_false) {
    char out[8];
    cr_assert_not(path_absolute(out, sizeof out, "/abcdef", "ghij"));
    cr_assert_not(path_absolute(out, sizeof out, "/", "/abcdefgh"));
}

Test(path_absolute, out_may_alias_input) {
    char buf[64] = "/a/./b/../c";
    cr_assert(path_absolute(buf, sizeof buf, "/cwd", buf));
    cr_assert_str_eq(buf, "/a/c");
}

/* ---- path_join ---- */

Test(path_join, adds_one_separator) {
    char out[64];
    cr_assert(path_join(out, sizeof out, "/a", "b"));
    cr_assert_str_eq(out, "/a/b");
}

Test(path_join, no_doubled_separator) {
    char out[64];
    cr_assert(path_join(out, sizeof out, "/a/", "b"));
    cr_assert_str_eq(out, "/a/b");
}

Test(path_join, root_dir) {
    char out[64];
    cr_assert(path_join(out, sizeof out, "/", "b"));
    cr_assert_str_eq(out, "/b");
}

Test(path_join, empty_dir) {
    char out[64];
    cr_assert(path_join(out, sizeof out, "", "b"));
    cr_assert_str_eq(out, "b");
}

Test(path_join, exact_fit) {
    char out[7]; /* "/abc/d" + NUL */
    cr_assert(path_join(out, sizeof out, "/abc", "d"));
    cr_assert_str_eq(out, "/abc/d");
}

Test(path_join, one_byte_short_returns_false) {
    char out[6];
    cr_assert_not(path_join(out, sizeof out, "/abc", "d"));
}

Test(path_join, out_may_alias_dir) {
    char buf[64] = "/venv/bin";
    cr_assert(path_join(buf, sizeof buf, buf, "pyvenv.cfg"));
    cr_assert_str_eq(buf, "/venv/bin/pyvenv.cfg");
}

/* ---- path_dirname / path_basename / path_strip_trailing_sep ---- */

#define DIRNAME(name, input, expected)                                                             \
    Test(path_dirname, name) {                                                                     \
        char buf[64] = input;                                                                      \
        path_dirname(buf);                                                                         \
        cr_assert_str_eq(buf, expected, "dirname('%s')", input);                                   \
    }

DIRNAME(two_components, "/a/b", "/a")
DIRNAME(one_component, "/a", "/")
DIRNAME(root, "/", "/")
DIRNAME(bare_name, "a", "")
/* like os.path.dirname: the last component of "a/b/" is the empty one */
DIRNAME(trailing_slash, "a/b/", "a/b")
DIRNAME(relative_two_components, "a/b", "a")
DIRNAME(doubled_separator_dropped, "/a//b", "/a")
DIRNAME(deep, "/venv/bin/python", "/venv/bin")

#define BASENAME(name, input, expected)                                                            \
    Test(path_basename, name) {                                                                    \
        cr_assert_str_eq(path_basename(input), expected, "basename('%s')", input);                 \
    }

BASENAME(last_component, "/venv/bin/python3.12", "python3.12")
BASENAME(bare_name, "python", "python")
BASENAME(trailing_slash_is_empty, "/a/b/", "")
BASENAME(root_is_empty, "/", "")
BASENAME(relative, "bin/python", "python")

#define STRIP(name, input, expected)                                                               \
    Test(path_strip_trailing_sep, name) {                                                          \
        char buf[64] = input;                                                                      \
        path_strip_trailing_sep(buf);                                                              \
        cr_assert_str_eq(buf, expected, "strip('%s')", input);                                     \
    }

STRIP(removes_one, "/usr/bin/", "/usr/bin")
STRIP(only_one, "/usr/bin//", "/usr/bin/")
STRIP(keeps_root, "/", "/")
STRIP(none_to_remove, "/usr/bin", "/usr/bin")
STRIP(empty, "", "")

Test(path_is_absolute, leading_slash) {
    cr_assert(path_is_absolute("/x"));
    cr_assert(path_is_absolute("/"));
    cr_assert_not(path_is_absolute("x/y"));
    cr_assert_not(path_is_absolute("./x"));
    cr_assert_not(path_is_absolute(""));
}

/* ---- strbuf ---- */

Test(strbuf, appends) {
    char store[32];
    strbuf sb;
    sb_init(&sb, store, sizeof store);
    cr_assert_str_eq(store, "");
    sb_add(&sb, "ab");
    sb_add_char(&sb, 'c');
    sb_add_n(&sb, "defgh", 2);
    cr_assert_str_eq(store, "abcde");
    cr_assert_eq(sb.len, 5);
    cr_assert_not(sb.overflow);
}

Test(strbuf, exact_fit_is_not_overflow) {
    char store[4];
    strbuf sb;
    sb_init(&sb, store, sizeof store);
    sb_add(&sb, "abc");
    cr_assert_str_eq(store, "abc");
    cr_assert_not(sb.overflow);
}

Test(strbuf, overflow_truncates_and_is_remembered) {
    char store[4];
    strbuf sb;
    sb_init(&sb, store, sizeof store);
    sb_add(&sb, "ab");
    cr_assert_not(sb.overflow);
    sb_add(&sb, "cdef");
    cr_assert(sb.overflow);
    cr_assert_str_eq(store, "abc");
    cr_assert_eq(sb.len, 3);
    sb_add(&sb, "");
    cr_assert(sb.overflow, "the flag stays set");
    sb_add_char(&sb, 'z');
    cr_assert_str_eq(store, "abc");
}

Test(strbuf, zero_capacity_is_overflow) {
    char store[1] = {'x'};
    strbuf sb;
    sb_init(&sb, store, 0);
    cr_assert(sb.overflow);
    sb_add(&sb, "a");
    cr_assert_eq(store[0], 'x', "nothing may be written with cap 0");
}

static const char *int_text(long value) {
    static char store[32];
    strbuf sb;
    sb_init(&sb, store, sizeof store);
    sb_add_int(&sb, value);
    cr_assert_not(sb.overflow);
    return store;
}

Test(strbuf, add_int_zero) {
    cr_assert_str_eq(int_text(0), "0");
}

Test(strbuf, add_int_positive) {
    cr_assert_str_eq(int_text(3), "3");
    cr_assert_str_eq(int_text(1012), "1012");
}

Test(strbuf, add_int_negative) {
    cr_assert_str_eq(int_text(-1), "-1");
    cr_assert_str_eq(int_text(-42), "-42");
}

Test(strbuf, add_int_extremes) {
    char expected[32];
    snprintf(expected, sizeof expected, "%ld", LONG_MIN);
    cr_assert_str_eq(int_text(LONG_MIN), expected);
    snprintf(expected, sizeof expected, "%ld", LONG_MAX);
    cr_assert_str_eq(int_text(LONG_MAX), expected);
}

Test(strbuf, add_int_overflow_flagged) {
    char store[3];
    strbuf sb;
    sb_init(&sb, store, sizeof store);
    sb_add_int(&sb, -123);
    cr_assert(sb.overflow);
    cr_assert_str_eq(store, "-1");
}

Test(copy_str, fits) {
    char dst[4];
    cr_assert(sb_copy(dst, sizeof dst, "abc"));
    cr_assert_str_eq(dst, "abc");
}

Test(copy_str, too_long_returns_false) {
    char dst[4] = "zz";
    cr_assert_not(sb_copy(dst, sizeof dst, "abcd"));
}

/* ---- diag: diag_fail() ---- */

Test(diag_fail, prefixes_every_line) {
    static vs_error err;
    int rc = diag_fail(&err, EXIT_BAD_CFG, "first ", "part", "\nsecond line", NULL);
    cr_assert_eq(rc, EXIT_BAD_CFG);
    cr_assert_eq(err.code, EXIT_BAD_CFG);
    cr_assert_str_eq(err.text, "venvshim: first part\nvenvshim: second line");
}

Test(diag_fail, long_text_stays_terminated) {
    static vs_error err;
    static char big[sizeof err.text + 100];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    diag_fail(&err, EXIT_NO_BASE, big, NULL);
    cr_assert_eq(strlen(err.text), sizeof err.text - 1);
    cr_assert_eq(strncmp(err.text, "venvshim: xxx", 13), 0);
}

Test(diag_exit_codes, match_cpython_venvlauncher) {
    /* PC/venvlauncher.c: 101 launch failed, 103 no base, 106 no cfg, 107 bad cfg */
    cr_assert_eq(EXIT_EXEC_FAILED, 101);
    cr_assert_eq(EXIT_NO_BASE, 103);
    cr_assert_eq(EXIT_NO_CFG, 106);
    cr_assert_eq(EXIT_BAD_CFG, 107);
}
