/* pyvenv.cfg parsing: cfg_parse follows CPython 3.11+ getpath.py
 * (`line.partition('=')`, `key.strip().lower()`, `value.strip()`, first key
 * wins), cfg_legacy_home follows the 3.6-3.10 C parser (fgets + wcstok).
 * CPython: Modules/getpath.py (reading pyvenv.cfg) and Python/pathconfig.c
 * _Py_FindEnvConfigValue (3.7-3.10). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"

static venv_cfg parse_n(const char *text, size_t len) {
    venv_cfg cfg;
    cr_assert_eq(cfg_parse(text, len, &cfg), CFG_OK, "cfg_parse refused the text");
    return cfg;
}

static venv_cfg parse(const char *text) {
    return parse_n(text, strlen(text));
}

static void expect_value(cfg_value v, const char *expected) {
    cr_assert_not_null(v.ptr, "key absent, expected '%s'", expected);
    cr_assert(v.len == strlen(expected) && memcmp(v.ptr, expected, v.len) == 0,
              "value is '%.*s' (%zu bytes), expected '%s' (%zu bytes)", (int)v.len, v.ptr, v.len,
              expected, strlen(expected));
}

static void expect_absent(cfg_value v) {
    cr_assert_null(v.ptr, "key present with value '%.*s', expected absent", (int)v.len, v.ptr);
}

/* ---- cfg_parse: lines and the '=' partition ---- */

Test(cfg_parse, home_with_spaces_around_equals) {
    expect_value(parse("home = /usr/bin\n").home, "/usr/bin");
}

Test(cfg_parse, home_without_spaces) {
    expect_value(parse("home=/usr/bin\n").home, "/usr/bin");
}

Test(cfg_parse, home_among_other_lines) {
    venv_cfg cfg = parse("include-system-site-packages = false\n"
                         "home = /opt/py/bin\n"
                         "prompt = proj\n");
    expect_value(cfg.home, "/opt/py/bin");
}

Test(cfg_parse, crlf_line_endings) {
    venv_cfg cfg = parse("home = /usr/bin\r\nversion = 3.12.1\r\n");
    expect_value(cfg.home, "/usr/bin");
    expect_value(cfg.version, "3.12.1");
}

Test(cfg_parse, trailing_cr_without_newline) {
    expect_value(parse("home = /usr/bin\r").home, "/usr/bin");
}

Test(cfg_parse, lone_cr_does_not_split_lines) {
    /* getpath splits on '\n' only: the '\r' stays inside the value */
    venv_cfg cfg = parse("home = /x\rversion = 3.12.1\n");
    expect_value(cfg.home, "/x\rversion = 3.12.1");
    expect_absent(cfg.version);
}

Test(cfg_parse, several_trailing_crs) {
    expect_value(parse("home = /usr/bin\r\r\n").home, "/usr/bin");
}

Test(cfg_parse, missing_final_newline_still_parsed) {
    expect_value(parse("version = 3.12.1\nhome = /usr/bin").home, "/usr/bin");
}

Test(cfg_parse, key_is_case_insensitive_upper) {
    expect_value(parse("HOME = /usr/bin\n").home, "/usr/bin");
}

Test(cfg_parse, key_is_case_insensitive_mixed) {
    expect_value(parse("Home = /usr/bin\n").home, "/usr/bin");
}

Test(cfg_parse, key_and_value_stripped) {
    expect_value(parse("  \thome \t =  \t /usr/bin \t \n").home, "/usr/bin");
}

Test(cfg_parse, partition_on_first_equals_keeps_rest_of_value) {
    expect_value(parse("home = /opt/a=b=c\n").home, "/opt/a=b=c");
}

Test(cfg_parse, key_containing_equals_is_not_home) {
    /* "home=x = /y": key "home", value "x = /y" */
    expect_value(parse("home=x = /y\n").home, "x = /y");
}

Test(cfg_parse, first_home_wins) {
    expect_value(parse("home = /first\nhome = /second\n").home, "/first");
}

Test(cfg_parse, first_home_wins_across_case) {
    expect_value(parse("HOME = /first\nhome = /second\n").home, "/first");
}

Test(cfg_parse, first_home_wins_even_when_empty) {
    venv_cfg cfg = parse("home =\nhome = /second\n");
    expect_value(cfg.home, "");
}

Test(cfg_parse, no_comment_syntax_hash_space) {
    /* key "# home" is not "home" */
    expect_absent(parse("# home = /x\n").home);
}

Test(cfg_parse, no_comment_syntax_hash_then_real_home) {
    expect_value(parse("#home = /commented\nhome = /real\n").home, "/real");
}

Test(cfg_parse, line_without_equals_ignored) {
    venv_cfg cfg = parse("home /x\nhome\nversion = 3.12.1\n");
    expect_absent(cfg.home);
    expect_value(cfg.version, "3.12.1");
}

Test(cfg_parse, empty_file) {
    venv_cfg cfg = parse("");
    expect_absent(cfg.home);
    expect_absent(cfg.version);
    cr_assert(!cfg.starts_with_bom);
    cr_assert(!cfg.bom_hid_home);
}

Test(cfg_parse, only_newlines) {
    expect_absent(parse("\n\n\r\n").home);
}

Test(cfg_parse, empty_value) {
    expect_value(parse("home =   \n").home, "");
}

Test(cfg_parse, other_keys) {
    venv_cfg cfg = parse("home = /b/bin\n"
                         "executable = /b/bin/python3.12\n"
                         "base-executable = /b/bin/python3\n"
                         "version = 3.12.1\n"
                         "version_info = 3.12.1.final.0\n");
    expect_value(cfg.executable, "/b/bin/python3.12");
    expect_value(cfg.base_executable, "/b/bin/python3");
    expect_value(cfg.version, "3.12.1");
    expect_value(cfg.version_info, "3.12.1.final.0");
}

Test(cfg_parse, other_keys_case_insensitive) {
    venv_cfg cfg = parse("Executable = /x\nBASE-EXECUTABLE = /y\nVersion = 3.9\n");
    expect_value(cfg.executable, "/x");
    expect_value(cfg.base_executable, "/y");
    expect_value(cfg.version, "3.9");
}

Test(cfg_parse, absent_keys_are_null) {
    venv_cfg cfg = parse("home = /x\n");
    expect_absent(cfg.executable);
    expect_absent(cfg.base_executable);
    expect_absent(cfg.version);
    expect_absent(cfg.version_info);
}

Test(cfg_parse, prefix_of_key_does_not_match) {
    venv_cfg cfg = parse("homes = /a\nhom = /b\nhome_dir = /c\n");
    expect_absent(cfg.home);
}

/* ---- cfg_parse: byte order mark and NUL ---- */

Test(cfg_parse, bom_before_home_hides_it) {
    venv_cfg cfg = parse("\xef\xbb\xbfhome = /usr/bin\nversion = 3.12.1\n");
    expect_absent(cfg.home);
    cr_assert(cfg.starts_with_bom);
    cr_assert(cfg.bom_hid_home);
    expect_value(cfg.version, "3.12.1");
}

Test(cfg_parse, bom_before_upper_case_home_hides_it) {
    venv_cfg cfg = parse("\xef\xbb\xbfHOME = /usr/bin\n");
    expect_absent(cfg.home);
    cr_assert(cfg.bom_hid_home);
}

Test(cfg_parse, bom_with_home_on_later_line) {
    venv_cfg cfg = parse("\xef\xbb\xbfversion = 3.12.1\nhome = /usr/bin\n");
    expect_value(cfg.home, "/usr/bin");
    cr_assert(cfg.starts_with_bom);
    cr_assert(!cfg.bom_hid_home);
    /* the BOM stays in the first key, so `version` is lost too */
    expect_absent(cfg.version);
}

Test(cfg_parse, no_bom_no_flags) {
    venv_cfg cfg = parse("home = /usr/bin\n");
    cr_assert(!cfg.starts_with_bom);
    cr_assert(!cfg.bom_hid_home);
}

Test(cfg_parse, nul_byte_is_not_text) {
    const char text[] = "home = /usr/bin\nver\0sion = 3.12\n";
    venv_cfg cfg;
    cr_assert_eq(cfg_parse(text, sizeof text - 1, &cfg), CFG_NOT_TEXT);
}

Test(cfg_parse, nul_byte_as_last_byte_is_not_text) {
    const char text[] = "home = /usr/bin\n\0";
    venv_cfg cfg;
    cr_assert_eq(cfg_parse(text, sizeof text - 1, &cfg), CFG_NOT_TEXT);
}

Test(cfg_parse, reads_only_len_bytes) {
    const char text[] = "home = /a\nhome = /b\n";
    /* the first 8 bytes: "home = /" -> value "/" */
    expect_value(parse_n(text, 8).home, "/");
}

/* ---- cfg_parse: Python's str.strip() whitespace ---- */

/* Every character for which Python's str.isspace() is true, UTF-8 encoded,
 * except '\n' (which ends the line first). Generated with
 * [c for c in range(0x110000) if chr(c).isspace()] on CPython 3.11. */
static const char *const python_spaces[] = {
    "\t",           "\x0b",         "\x0c",
    "\r",           "\x1c",         "\x1d",
    "\x1e",         "\x1f",         " ",
    "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80",
    "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
    "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85",
    "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88",
    "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
    "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
    "\xe3\x80\x80",
};

Test(cfg_parse, every_python_whitespace_stripped_from_value) {
    for (size_t i = 0; i < sizeof python_spaces / sizeof python_spaces[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "home =%s/x%s%s\n", python_spaces[i], python_spaces[i],
                 python_spaces[i]);
        venv_cfg cfg = parse(text);
        cr_assert(cfg.home.ptr && cfg.home.len == 2 && memcmp(cfg.home.ptr, "/x", 2) == 0,
                  "whitespace #%zu not stripped: '%.*s'", i, (int)cfg.home.len,
                  cfg.home.ptr ? cfg.home.ptr : "");
    }
}

Test(cfg_parse, every_python_whitespace_stripped_from_key) {
    for (size_t i = 0; i < sizeof python_spaces / sizeof python_spaces[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "%shome%s= /x\n", python_spaces[i], python_spaces[i]);
        cr_assert_not_null(parse(text).home.ptr, "whitespace #%zu not stripped from the key", i);
    }
}

Test(cfg_parse, nbsp_and_ideographic_space_stripped) {
    /* U+00A0 and U+3000 around key and value */
    venv_cfg cfg = parse("\xc2\xa0home\xe3\x80\x80=\xe3\x80\x80/usr/bin\xc2\xa0\n");
    expect_value(cfg.home, "/usr/bin");
}

Test(cfg_parse, line_separator_and_control_separators_stripped) {
    /* U+2028, \x1c..\x1f, \v, \f are str.isspace() */
    venv_cfg cfg = parse("\x1c\x1dhome\x1e\x1f=\v\xe2\x80\xa8/usr/bin\f\x1f\n");
    expect_value(cfg.home, "/usr/bin");
}

Test(cfg_parse, mixed_whitespace_run_stripped) {
    expect_value(parse("home = \xc2\xa0 \xe3\x80\x80\t/x \xe2\x80\xa9\xc2\x85 \r\n").home, "/x");
}

Test(cfg_parse, inner_whitespace_kept) {
    expect_value(parse("home = /my dir/with\xc2\xa0nbsp\n").home, "/my dir/with\xc2\xa0nbsp");
}

/* Characters that look like spaces, or share bytes with them, but are not
 * str.isspace(): U+200B, U+2060, U+FEFF, U+180E, U+00A9, U+202A, U+2030,
 * U+3001, U+1681, U+00E9. */
static const char *const not_python_spaces[] = {
    "\xe2\x80\x8b", "\xe2\x81\xa0", "\xef\xbb\xbf", "\xe1\xa0\x8e", "\xc2\xa9",
    "\xe2\x80\xaa", "\xe2\x80\xb0", "\xe3\x80\x81", "\xe1\x9a\x81", "\xc3\xa9",
};

Test(cfg_parse, non_whitespace_non_ascii_kept) {
    for (size_t i = 0; i < sizeof not_python_spaces / sizeof not_python_spaces[0]; i++) {
        char text[64], expected[32];
        snprintf(text, sizeof text, "home = %s/x%s\n", not_python_spaces[i], not_python_spaces[i]);
        snprintf(expected, sizeof expected, "%s/x%s", not_python_spaces[i], not_python_spaces[i]);
        venv_cfg cfg = parse(text);
        cr_assert(cfg.home.ptr && cfg.home.len == strlen(expected) &&
                      memcmp(cfg.home.ptr, expected, cfg.home.len) == 0,
                  "character #%zu was stripped: '%.*s'", i, (int)cfg.home.len,
                  cfg.home.ptr ? cfg.home.ptr : "");
    }
}

Test(cfg_parse, accented_value_kept) {
    expect_value(parse("home = /opt/caf\xc3\xa9\n").home, "/opt/caf\xc3\xa9");
}

Test(cfg_parse, non_utf8_bytes_kept_exact) {
    expect_value(parse("home = /opt/\xff\xfe/bin\xff\n").home, "/opt/\xff\xfe/bin\xff");
}

Test(cfg_parse, lone_latin1_nbsp_byte_is_not_whitespace) {
    /* a lone \xa0 or \x85 byte is invalid UTF-8: surrogateescape makes it
     * U+DCA0 / U+DC85, which Python does not strip */
    expect_value(parse("home = \xa0/x\xa0\n").home, "\xa0/x\xa0");
    expect_value(parse("home = /x\x85\n").home, "/x\x85");
}

Test(cfg_parse, truncated_multibyte_space_is_not_whitespace) {
    /* \xe3\x80 without its last byte is two undecodable bytes */
    expect_value(parse("home = /x\xe3\x80\n").home, "/x\xe3\x80");
}

Test(cfg_parse, whitespace_only_key_with_nbsp_is_not_home) {
    expect_absent(parse("ho\xc2\xa0me = /x\n").home);
}

/* ---- cfg_major_minor ---- */

static bool major_minor(const char *text, int *major, int *minor) {
    venv_cfg cfg = parse(text);
    *major = *minor = -1;
    return cfg_major_minor(&cfg, major, minor);
}

Test(cfg_major_minor, three_part_version) {
    int major, minor;
    cr_assert(major_minor("version = 3.12.1\n", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 12);
}

Test(cfg_major_minor, two_part_version) {
    int major, minor;
    cr_assert(major_minor("version = 3.9\n", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 9);
}

Test(cfg_major_minor, version_info_when_no_version) {
    int major, minor;
    cr_assert(major_minor("version_info = 3.13.0.final.0\n", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 13);
}

Test(cfg_major_minor, version_preferred_over_version_info) {
    int major, minor;
    cr_assert(major_minor("version_info = 3.13.0.final.0\nversion = 3.12.1\n", &major, &minor));
    cr_assert_eq(minor, 12);
}

Test(cfg_major_minor, release_candidate_suffix) {
    int major, minor;
    cr_assert(major_minor("version = 3.14.0rc1\n", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 14);
}

Test(cfg_major_minor, garbage_refused) {
    int major, minor;
    cr_assert_not(major_minor("version = garbage\n", &major, &minor));
    cr_assert_not(major_minor("version = 3\n", &major, &minor));
    cr_assert_not(major_minor("version = 3.\n", &major, &minor));
    cr_assert_not(major_minor("version = 3.x\n", &major, &minor));
    cr_assert_not(major_minor("version = .12\n", &major, &minor));
    cr_assert_not(major_minor("version =\n", &major, &minor));
}

Test(cfg_major_minor, no_version_keys) {
    int major, minor;
    cr_assert_not(major_minor("home = /usr/bin\n", &major, &minor));
}

/* ---- cfg_value_equals ---- */

Test(cfg_value_equals, compares_length_and_bytes) {
    venv_cfg cfg = parse("home = /usr/bin\n");
    cr_assert(cfg_value_equals(cfg.home, "/usr/bin"));
    cr_assert_not(cfg_value_equals(cfg.home, "/usr/bi"));
    cr_assert_not(cfg_value_equals(cfg.home, "/usr/bin/"));
    cr_assert_not(cfg_value_equals(cfg.version, ""));
}

/* ---- cfg_legacy_home: CPython 3.6-3.10 ---- */

static bool legacy(const char *text, cfg_value *home) {
    home->ptr = NULL;
    home->len = 0;
    return cfg_legacy_home(text, strlen(text), home);
}

Test(cfg_legacy_home, spaced_home_found) {
    cfg_value home;
    cr_assert(legacy("home = /usr/bin\n", &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, crlf_found) {
    cfg_value home;
    cr_assert(legacy("home = /usr/bin\r\n", &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, tab_separators) {
    cfg_value home;
    cr_assert(legacy("home\t=\t/usr/bin\n", &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, several_spaces_before_equals) {
    cfg_value home;
    cr_assert(legacy("home   = /usr/bin\n", &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, leading_whitespace) {
    cfg_value home;
    cr_assert(legacy("  \thome = /usr/bin\n", &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, trailing_spaces_kept) {
    cfg_value home;
    cr_assert(legacy("home = /usr/bin  \n", &home));
    expect_value(home, "/usr/bin  ");
}

Test(cfg_legacy_home, later_line) {
    cfg_value home;
    cr_assert(
        legacy("include-system-site-packages = false\nhome = /usr/bin\nversion = 3.9.2\n", &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, first_home_wins) {
    cfg_value home;
    cr_assert(legacy("home = /first\nhome = /second\n", &home));
    expect_value(home, "/first");
}

Test(cfg_legacy_home, no_spaces_not_found) {
    cfg_value home;
    cr_assert_not(legacy("home=/usr/bin\n", &home));
}

Test(cfg_legacy_home, no_space_after_equals_not_found) {
    cfg_value home;
    cr_assert_not(legacy("home =/usr/bin\n", &home));
}

Test(cfg_legacy_home, no_space_before_equals_not_found) {
    cfg_value home;
    cr_assert_not(legacy("home= /usr/bin\n", &home));
}

Test(cfg_legacy_home, two_spaces_after_equals_keep_a_space) {
    /* only one separator is consumed: 3.10 reads home = " /usr/bin" */
    cfg_value home;
    bool found = legacy("home =  /usr/bin\n", &home);
    cr_assert_not(found && cfg_value_equals(home, "/usr/bin"),
                  "the legacy parser must not see '/usr/bin'");
    cr_assert(found);
    expect_value(home, " /usr/bin");
}

Test(cfg_legacy_home, upper_case_not_found) {
    cfg_value home;
    cr_assert_not(legacy("HOME = /usr/bin\n", &home));
    cr_assert_not(legacy("Home = /usr/bin\n", &home));
}

Test(cfg_legacy_home, last_line_without_newline_not_found) {
    cfg_value home;
    cr_assert_not(legacy("version = 3.9.2\nhome = /usr/bin", &home));
}

Test(cfg_legacy_home, hash_first_byte_is_comment) {
    cfg_value home;
    cr_assert(legacy("#home = /commented\nhome = /real\n", &home));
    expect_value(home, "/real");
}

Test(cfg_legacy_home, hash_after_space_is_not_a_comment_but_no_match) {
    cfg_value home;
    cr_assert_not(legacy(" #home = /x\n", &home));
}

Test(cfg_legacy_home, empty_value_not_found) {
    cfg_value home;
    cr_assert_not(legacy("home = \n", &home));
    cr_assert_not(legacy("home =\n", &home));
}

Test(cfg_legacy_home, bom_not_found) {
    cfg_value home;
    cr_assert_not(legacy("\xef\xbb\xbfhome = /usr/bin\n", &home));
}

Test(cfg_legacy_home, empty_text) {
    cfg_value home;
    cr_assert_not(legacy("", &home));
}

/* fgets(buf, 8192): a line of 8190 bytes + '\n' fits, 8191 + '\n' does not
 * and ends the parse ("line has overflowed - bail"). */
static char long_text[16 * 1024];

static const char *long_line_then_home(size_t line_bytes) {
    memset(long_text, 'x', line_bytes);
    strcpy(long_text + line_bytes, "\nhome = /usr/bin\n");
    return long_text;
}

Test(cfg_legacy_home, line_of_8190_bytes_before_home_ok) {
    cfg_value home;
    cr_assert(legacy(long_line_then_home(8190), &home));
    expect_value(home, "/usr/bin");
}

Test(cfg_legacy_home, line_of_8191_bytes_before_home_stops_parse) {
    cfg_value home;
    cr_assert_not(legacy(long_line_then_home(8191), &home));
}

Test(cfg_legacy_home, long_line_does_not_affect_new_parser) {
    expect_value(parse(long_line_then_home(9000)).home, "/usr/bin");
}

/* cfg_find: any key, by cfg_parse's rules (key stripped and case-folded,
 * value stripped, first occurrence wins, a line without '=' skipped). */
Test(cfg_find, other_keys_by_the_same_rules) {
    const char *text =
        "home = /x\n  Implementation\t=  CPython \r\nimplementation = PyPy\nnoequals\n";
    cfg_value v = cfg_find(text, strlen(text), "implementation");
    cr_assert(cfg_value_equals(v, "CPython"), "%.*s", (int)v.len, v.ptr);
    cr_assert_null(cfg_find(text, strlen(text), "noequals").ptr);
    cr_assert_null(cfg_find(text, strlen(text), "version").ptr);
    v = cfg_find(text, strlen(text), "home");
    cr_assert(cfg_value_equals(v, "/x"));
}
