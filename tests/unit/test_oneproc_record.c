/* install's record of the one-process decision (oneproc_record.c): what the
 * formatter writes parses back to the same values, and every malformed or
 * truncated area is "no record" (the launcher then decides at the start),
 * never a partial one. */
#include <criterion/criterion.h>
#include <string.h>

#include "oneproc_record.h"

static oneproc_record sample(void) {
    oneproc_record r;
    memset(&r, 0, sizeof r);
    r.base = (oneproc_stamp){.dev = 65024,
                             .ino = 73383,
                             .size = 17600,
                             .changed_ns = 1778312176123456789LL,
                             .path = "/opt/py 3/bin/python3.12"};
    r.dir[0] = (oneproc_stamp){.dev = 1, .ino = 2, .changed_ns = -5, .path = "/opt/lib"};
    r.dir[1] =
        (oneproc_stamp){.dev = UINT64_MAX, .ino = 0, .changed_ns = 7, .path = "/opt/py 3/lib"};
    r.dir_count = 2;
    r.major = 3;
    r.minor = 12;
    r.library = "/opt/py 3/lib/libpython3.12.so.1.0";
    return r;
}

static char area[ONEPROC_RECORD_SIZE];

static size_t format_sample(void) {
    memset(area, 0, sizeof area);
    oneproc_record r = sample();
    return oneproc_record_format(area, sizeof area, &r);
}

Test(oneproc_record, parses_what_format_writes) {
    size_t n = format_sample();
    cr_assert_gt(n, 0);
    cr_assert_eq(area[n - 1], '\0');
    cr_assert_eq(area[n - 2], '\0');
    oneproc_record got;
    cr_assert(oneproc_record_parse(area, sizeof area, &got));
    oneproc_record want = sample();
    cr_assert_eq(got.base.dev, want.base.dev);
    cr_assert_eq(got.base.ino, want.base.ino);
    cr_assert_eq(got.base.size, want.base.size);
    cr_assert_eq(got.base.changed_ns, want.base.changed_ns);
    cr_assert_str_eq(got.base.path, want.base.path);
    cr_assert_eq(got.dir_count, 2);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(got.dir[i].dev, want.dir[i].dev);
        cr_assert_eq(got.dir[i].ino, want.dir[i].ino);
        cr_assert_eq(got.dir[i].changed_ns, want.dir[i].changed_ns);
        cr_assert_str_eq(got.dir[i].path, want.dir[i].path);
    }
    cr_assert_eq(got.major, 3);
    cr_assert_eq(got.minor, 12);
    cr_assert_str_eq(got.library, want.library);
    cr_assert(got.library >= area && got.library < area + sizeof area, "points into the area");
}

Test(oneproc_record, the_area_as_built_is_no_record) {
    memset(area, 0, sizeof area);
    oneproc_record got;
    cr_assert_not(oneproc_record_parse(area, sizeof area, &got));
}

Test(oneproc_record, every_truncation_is_no_record) {
    size_t n = format_sample();
    oneproc_record got;
    /* cut anywhere before the final empty line: never a record */
    for (size_t cut = 0; cut < n - 1; cut++) {
        static char copy[ONEPROC_RECORD_SIZE];
        memcpy(copy, area, cut);
        cr_assert_not(oneproc_record_parse(copy, cut, &got), "cut at %zu", cut);
    }
    cr_assert(oneproc_record_parse(area, n, &got));
}

Test(oneproc_record, every_damaged_byte_is_no_record_or_a_well_formed_one) {
    size_t n = format_sample();
    static char copy[ONEPROC_RECORD_SIZE];
    oneproc_record got;
    const char bad[] = {'\0', 'x', ' ', '-', '/', '9'};
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < sizeof bad; b++) {
            memcpy(copy, area, sizeof area);
            copy[i] = bad[b];
            if (oneproc_record_parse(copy, sizeof copy, &got)) {
                /* still a record: then complete and with absolute paths */
                cr_assert_eq(got.base.path[0], '/');
                cr_assert_eq(got.library[0], '/');
                cr_assert(got.dir_count >= 1 && got.dir_count <= ONEPROC_RECORD_MAX_DIRS);
                for (int d = 0; d < got.dir_count; d++)
                    cr_assert_eq(got.dir[d].path[0], '/');
            }
        }
}

static bool parses(const char *text, size_t len) {
    static char copy[ONEPROC_RECORD_SIZE];
    memset(copy, 0, sizeof copy);
    memcpy(copy, text, len);
    oneproc_record got;
    return oneproc_record_parse(copy, sizeof copy, &got);
}

#define PARSES(lit) parses(lit, sizeof lit - 1)

Test(oneproc_record, refuses_what_is_not_exactly_the_format) {
    cr_assert(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"));
    cr_assert_not(PARSES("B1 2 3 4 /b\0L3 12 /d/libpython3.so\0"), "no directory");
    cr_assert_not(PARSES("D1 2 3 /d\0B1 2 3 4 /b\0L3 12 /d/libpython3.so\0"), "directory first");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0"), "no library");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0D1 2 3 /e\0"),
                  "L not last");
    cr_assert_not(PARSES("B1 2 3 4 /b\0B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"),
                  "two bases");
    cr_assert_not(PARSES("B1 2 3 4 b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"), "relative base");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 d\0L3 12 /d/libpython3.so\0"), "relative directory");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 lib\0"), "relative library");
    cr_assert_not(PARSES("B1 2 -3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"), "negative size");
    cr_assert_not(PARSES("B-1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"), "negative device");
    cr_assert_not(PARSES("B1 2 3 4  /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"), "two spaces");
    cr_assert_not(PARSES("B 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"), "empty number");
    cr_assert_not(PARSES("B18446744073709551616 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"),
                  "device past 64 bits");
    cr_assert(PARSES("B18446744073709551615 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"),
              "the largest device");
    cr_assert_not(PARSES("B1 2 3 9223372036854775808 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"),
                  "time past a signed 64-bit");
    cr_assert(PARSES("B1 2 3 -9223372036854775808 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"),
              "the smallest time");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 1000 /d/libpython3.so\0"), "minor too large");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /e/libpython3.so\0"),
                  "library outside the last directory");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /dd/libpython3.so\0"),
                  "library in a directory the last one's name is a prefix of");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/x/libpython3.so\0"),
                  "library in a subdirectory");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libc.so.6\0"), "not a libpython");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0D1 2 3 /e\0L3 12 /d/libpython3.so\0"),
                  "library in an earlier directory than the last");
    cr_assert(PARSES("B1 2 3 4 /b\0D1 2 3 /d/\0L3 12 /d/libpython3.so\0"), "trailing slash");
    cr_assert(PARSES("B1 2 3 4 /b\0D1 2 3 /\0L3 12 /libpython3.so\0"), "the root");
    cr_assert_not(PARSES("X1 2 3 4 /b\0D1 2 3 /d\0L3 12 /d/libpython3.so\0"), "unknown line");
    cr_assert_not(PARSES("B1 2 3 4 /b\0D1 2 3 /d\0D1 2 3 /d\0D1 2 3 /d\0D1 2 3 /d\0D1 2 3 /d\0"
                         "L3 12 /d/libpython3.so\0"),
                  "more directories than the record holds");
}

Test(oneproc_record, format_refuses_what_would_not_parse_back) {
    oneproc_record r = sample();
    char out[ONEPROC_RECORD_SIZE];
    r.library = "lib/libpython3.12.so";
    cr_assert_eq(oneproc_record_format(out, sizeof out, &r), 0, "relative library");
    r = sample();
    r.dir[1].path = "/a\nb";
    cr_assert_eq(oneproc_record_format(out, sizeof out, &r), 0, "newline in a path");
    r = sample();
    r.dir_count = 0;
    cr_assert_eq(oneproc_record_format(out, sizeof out, &r), 0, "no directory");
    r = sample();
    cr_assert_eq(oneproc_record_format(out, 60, &r), 0, "does not fit");
    static char long_path[2048];
    memset(long_path, 'x', sizeof long_path - 1);
    long_path[0] = '/';
    r.library = long_path;
    cr_assert_eq(oneproc_record_format(out, sizeof out, &r), 0, "a path longer than the area");
}
