/* The base a launcher file records after its ELF image (base_trailer.c) and
 * the launcher's fallback to it when home gives no base (resolve.c): the
 * parser on hostile bytes, the reader on files that are not what they
 * claim, and resolve_base on real layouts where the venv's bin/python is an
 * ELF file (a copy of this test binary) with a trailer appended, as
 * `python -m venv --copies` copies a venvshim launcher. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base_trailer.h"
#include "layout.h"
#include "plan.h"

static base_trailer t;
static const char *why;

static base_trailer_status parse(const char *text, size_t len) {
    why = NULL;
    return base_trailer_parse((const unsigned char *)text, len, &t, &why);
}

static base_trailer_status parse_str(const char *text) {
    return parse(text, strlen(text));
}

Test(base_trailer, parses_what_format_writes) {
    char out[BASE_TRAILER_MAX + 1];
    size_t n = base_trailer_format(out, sizeof out, "/opt/py/bin/python3.9");
    cr_assert_eq(n, strlen(BASE_TRAILER_MAGIC "/opt/py/bin/python3.9\n"));
    cr_assert_eq(memcmp(out, BASE_TRAILER_MAGIC "/opt/py/bin/python3.9\n", n), 0);
    cr_assert_eq(parse(out, n), BASE_TRAILER_OK, "%s", why);
    cr_assert_str_eq(t.path, "/opt/py/bin/python3.9");
    cr_assert_null(why);
}

Test(base_trailer, format_refuses_what_the_parser_would) {
    char out[BASE_TRAILER_MAX + 1];
    cr_assert_eq(base_trailer_format(out, sizeof out, "bin/python3.9"), 0);
    cr_assert_eq(base_trailer_format(out, sizeof out, "/a\n/b/python3.9"), 0);
    cr_assert_eq(base_trailer_format(out, 20, "/opt/py/bin/python3.9"), 0, "does not fit");
    static char longest[VS_PATH_MAX + 8];
    memset(longest, 'a', sizeof longest - 1);
    longest[0] = '/';
    longest[sizeof longest - 1] = '\0';
    cr_assert_eq(base_trailer_format(out, sizeof out, longest), 0);
}

Test(base_trailer, anything_without_the_magic_is_no_trailer) {
    cr_assert_eq(parse_str(""), BASE_TRAILER_NONE);
    cr_assert_eq(parse_str("PK\5\6"), BASE_TRAILER_NONE);
    cr_assert_eq(parse_str("venvshim-base/2\n/usr/bin/python3.9\n"), BASE_TRAILER_NONE);
    cr_assert_eq(parse_str("venvshim-base/1"), BASE_TRAILER_NONE, "shorter than the magic");
    cr_assert_null(why);
}

Test(base_trailer, garbled_trailers_are_refused_with_a_reason) {
    const char *bad[] = {
        BASE_TRAILER_MAGIC,                             /* no path */
        BASE_TRAILER_MAGIC "\n",                        /* empty path */
        BASE_TRAILER_MAGIC "/usr/bin/python3.9",        /* cut: no final newline */
        BASE_TRAILER_MAGIC "python3.9\n",               /* relative */
        BASE_TRAILER_MAGIC "/usr/bin/python3.9\n/x\n",  /* two lines */
        BASE_TRAILER_MAGIC "/usr/bin/python3.9\nextra", /* bytes after it */
        BASE_TRAILER_MAGIC "/usr/bin/python3.9\n\n",    /* an empty second line */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(parse_str(bad[i]), BASE_TRAILER_BAD, "case %zu", i);
        cr_assert_not_null(why, "case %zu gives no reason", i);
    }
    static const char nul[] = BASE_TRAILER_MAGIC "/usr/bin\0/python3.9\n";
    cr_assert_eq(parse(nul, sizeof nul - 1), BASE_TRAILER_BAD, "a NUL inside the path");
}

Test(base_trailer, path_length_limits) {
    static char text[BASE_TRAILER_MAX + 64];
    size_t m = strlen(BASE_TRAILER_MAGIC);
    memcpy(text, BASE_TRAILER_MAGIC, m);
    /* the longest path that fits: VS_PATH_MAX - 1 bytes */
    memset(text + m, 'a', VS_PATH_MAX - 1);
    text[m] = '/';
    text[m + VS_PATH_MAX - 1] = '\n';
    cr_assert_eq(parse(text, m + VS_PATH_MAX), BASE_TRAILER_OK, "%s", why);
    cr_assert_eq(strlen(t.path), VS_PATH_MAX - 1);
    /* one byte more */
    memset(text + m, 'a', VS_PATH_MAX);
    text[m] = '/';
    text[m + VS_PATH_MAX] = '\n';
    cr_assert_eq(parse(text, m + VS_PATH_MAX + 1), BASE_TRAILER_BAD);
}

/* ---- base_trailer_read: a file's ELF image, then the trailer ---- */

static unsigned char *self_bytes(size_t *len) {
    FILE *f = fopen("/proc/self/exe", "rb");
    cr_assert_not_null(f);
    size_t cap = 1 << 16, n = 0;
    unsigned char *data = malloc(cap);
    size_t got;
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            data = realloc(data, cap *= 2);
    }
    fclose(f);
    *len = n;
    return data;
}

/* this test binary (an ELF file whose image ends the file) + extra bytes */
static unsigned char *elf_with(const char *extra, size_t extra_len, size_t *len) {
    size_t n;
    unsigned char *data = self_bytes(&n);
    data = realloc(data, n + extra_len);
    memcpy(data + n, extra, extra_len);
    *len = n + extra_len;
    return data;
}

static base_trailer_status read_mem(const unsigned char *data, size_t len, long long size) {
    payload_memory m = {data, len};
    why = NULL;
    return base_trailer_read(payload_read_memory, &m, size, &t, &why);
}

Test(base_trailer_read, after_an_elf_image) {
    static const char rec[] = BASE_TRAILER_MAGIC "/usr/bin/python3.11\n";
    size_t len;
    unsigned char *data = elf_with(rec, sizeof rec - 1, &len);
    cr_assert_eq(read_mem(data, len, (long long)len), BASE_TRAILER_OK, "%s", why);
    cr_assert_str_eq(t.path, "/usr/bin/python3.11");
    /* and the same file without it */
    cr_assert_eq(read_mem(data, len - (sizeof rec - 1), (long long)(len - (sizeof rec - 1))),
                 BASE_TRAILER_NONE);
    free(data);
}

Test(base_trailer_read, not_elf_is_no_trailer) {
    static const char text[] = "#!/bin/sh\n" BASE_TRAILER_MAGIC "/usr/bin/python3.11\n";
    cr_assert_eq(read_mem((const unsigned char *)text, sizeof text - 1, sizeof text - 1),
                 BASE_TRAILER_NONE);
}

Test(base_trailer_read, huge_tail_is_read_one_bounded_piece) {
    size_t extra = BASE_TRAILER_MAX + 4096;
    char *tail = malloc(extra);
    memset(tail, '/', extra);
    memcpy(tail, BASE_TRAILER_MAGIC, strlen(BASE_TRAILER_MAGIC));
    tail[extra - 1] = '\n';
    size_t len;
    unsigned char *data = elf_with(tail, extra, &len);
    cr_assert_eq(read_mem(data, len, (long long)len), BASE_TRAILER_BAD, "too long");
    memcpy(tail, "PK\3\4", 4); /* a zip (a script launcher): not a trailer */
    free(data);
    data = elf_with(tail, extra, &len);
    cr_assert_eq(read_mem(data, len, (long long)len), BASE_TRAILER_NONE);
    free(data);
    free(tail);
}

Test(base_trailer_read, a_file_that_shrank_since_its_size_was_taken) {
    static const char rec[] = BASE_TRAILER_MAGIC "/usr/bin/python3.11\n";
    size_t len;
    unsigned char *data = elf_with(rec, sizeof rec - 1, &len);
    /* fstat said more bytes than a read then finds: refused, never a guess */
    cr_assert_neq(read_mem(data, len - 5, (long long)len), BASE_TRAILER_OK);
    free(data);
}

/* Swapped between the two reads: the head from one file, the tail from
 * another (what a rename over the path would give a reader that opened it
 * twice; the launcher reads both through one descriptor). */
typedef struct {
    const unsigned char *first, *second;
    size_t first_len, second_len;
    int calls;
} swapping;

static long read_swapping(void *ctx, void *buf, size_t n, long long offset) {
    swapping *s = ctx;
    payload_memory m = s->calls++ == 0 ? (payload_memory){s->first, s->first_len}
                                       : (payload_memory){s->second, s->second_len};
    return payload_read_memory(&m, buf, n, offset);
}

Test(base_trailer_read, bytes_that_change_between_reads_never_crash) {
    static const char rec[] = BASE_TRAILER_MAGIC "/usr/bin/python3.11\n";
    size_t len;
    unsigned char *data = elf_with(rec, sizeof rec - 1, &len);
    static const unsigned char other[] = "#!/bin/sh\nexec /bin/sh\n";
    swapping s = {data, other, len, sizeof other - 1, 0};
    base_trailer_status st = base_trailer_read(read_swapping, &s, (long long)len, &t, &why);
    cr_assert_neq(st, BASE_TRAILER_OK, "the tail was not the file's");
    free(data);
}

/* ---- resolve_base: home gives no base ---- */

static vs_plan plan;
static vs_error err;

static int run(const char *argv0_rel) {
    memset(&err, 0, sizeof err);
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = lay_path(argv0_rel);
    return plan_make(&req, &plan, &err);
}

/* venv/bin/python: an ELF launcher stand-in (this test binary) with a
 * trailer naming base; venv/pyvenv.cfg with cfg. */
static void copied_launcher(const char *venv, const char *base, const char *cfg) {
    char rel[256];
    snprintf(rel, sizeof rel, "%s/bin/python", venv);
    lay_copy(lay_self_exe(), rel);
    lay_chmod(rel, 0755);
    char trailer[BASE_TRAILER_MAX + 1];
    size_t n = base_trailer_format(trailer, sizeof trailer, base);
    cr_assert(n > 0);
    int fd = open(lay_path(rel), O_WRONLY | O_APPEND);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, trailer, n), (ssize_t)n);
    close(fd);
    snprintf(rel, sizeof rel, "%s/pyvenv.cfg", venv);
    lay_write(rel, cfg);
}

static const char *cfg_with_home(const char *home, const char *version) {
    static char text[1024];
    snprintf(text, sizeof text, "home = %s\nversion = %s\n", home, version);
    return text;
}

TestSuite(launcher_record, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(launcher_record, used_when_home_is_gone) {
    lay_exec("base/bin/python3.9");
    copied_launcher("child", lay_path("base/bin/python3.9"),
                    cfg_with_home(lay_path("parent/bin"), "3.9.18"));
    int rc = run("child/bin/python");
    cr_assert_eq(rc, 0, "%s", err.text);
    cr_assert(plan.base.from_trailer);
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/python3.9"));
    cr_assert_str_eq(plan.base.home, lay_path("base/bin"));
    cr_assert_str_eq(plan.argv0, lay_path("child/bin/python"));
}

Test(launcher_record, used_when_home_is_the_venvs_own_bin) {
    /* python -m venv --upgrade run inside a 3.8-3.10 venv writes home = DIR/bin */
    lay_exec("base/bin/python3.9");
    copied_launcher("v", lay_path("base/bin/python3.9"), cfg_with_home(lay_path("v/bin"), "3.9.1"));
    cr_assert_eq(run("v/bin/python"), 0, "%s", err.text);
    cr_assert(plan.base.from_trailer);
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/python3.9"));
}

Test(launcher_record, not_read_when_home_gives_a_base) {
    lay_exec("base/bin/python3.9");
    lay_exec("other/bin/python3.9");
    copied_launcher("v", lay_path("other/bin/python3.9"),
                    cfg_with_home(lay_path("base/bin"), "3.9.1"));
    cr_assert_eq(run("v/bin/python"), 0, "%s", err.text);
    cr_assert_not(plan.base.from_trailer);
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/python3.9"));
}

/* Every refusal falls through to the 103 home gave, with home's message. */
static void expect_refused(const char *recorded, const char *version) {
    copied_launcher("child", recorded, cfg_with_home(lay_path("gone/bin"), version));
    int rc = run("child/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("gone/bin"), "does not exist", NULL);
}

Test(launcher_record, another_x_y_by_name_is_refused) {
    lay_exec("base/bin/python3.8");
    expect_refused(lay_path("base/bin/python3.8"), "3.9.18");
}

Test(launcher_record, a_name_without_x_y_is_refused) {
    lay_exec("base/bin/python3");
    expect_refused(lay_path("base/bin/python3"), "3.9.18");
}

Test(launcher_record, a_venv_without_version_uses_no_record) {
    lay_exec("base/bin/python3.9");
    copied_launcher("child", lay_path("base/bin/python3.9"), "home = /gone/bin\n");
    lay_expect_error(run("child/bin/python"), &err, EXIT_NO_BASE, "/gone/bin", NULL);
}

Test(launcher_record, not_an_interpreter_name_is_refused) {
    lay_exec("base/bin/sh3.9");
    expect_refused(lay_path("base/bin/sh3.9"), "3.9.18");
}

Test(launcher_record, a_fifo_is_refused_without_hanging) {
    lay_fifo("base/bin/python3.9");
    expect_refused(lay_path("base/bin/python3.9"), "3.9.18");
}

Test(launcher_record, a_device_is_refused) {
    lay_mkdir("base/bin");
    lay_symlink("/dev/zero", "base/bin/python3.9");
    expect_refused(lay_path("base/bin/python3.9"), "3.9.18");
}

Test(launcher_record, a_directory_is_refused) {
    lay_mkdir("base/bin/python3.9");
    expect_refused(lay_path("base/bin/python3.9"), "3.9.18");
}

Test(launcher_record, a_file_that_is_not_executable_is_refused) {
    lay_write("base/bin/python3.9", "#!/bin/sh\n");
    lay_chmod("base/bin/python3.9", 0644);
    expect_refused(lay_path("base/bin/python3.9"), "3.9.18");
}

Test(launcher_record, a_missing_base_is_refused) {
    expect_refused(lay_path("base/bin/python3.9"), "3.9.18");
}

Test(launcher_record, this_launcher_is_refused) {
    lay_mkdir("base/bin");
    lay_symlink(lay_self_exe(), "base/bin/python3.9");
    expect_refused(lay_path("base/bin/python3.9"), "3.9.18");
}

Test(launcher_record, a_script_leading_back_to_the_venv_is_refused) {
    /* the `#!` check (shebang.c) runs on the recorded base too */
    lay_writef("base/bin/python3.9", "#!%s\n", lay_path("child/bin/python"));
    lay_chmod("base/bin/python3.9", 0755);
    copied_launcher("child", lay_path("base/bin/python3.9"),
                    cfg_with_home(lay_path("gone/bin"), "3.9.18"));
    int rc = run("child/bin/python");
    cr_assert_eq(rc, EXIT_NO_BASE, "%d %s", rc, err.text);
}

Test(launcher_record, a_garbled_trailer_is_refused) {
    lay_exec("base/bin/python3.9");
    lay_copy(lay_self_exe(), "child/bin/python");
    lay_chmod("child/bin/python", 0755);
    int fd = open(lay_path("child/bin/python"), O_WRONLY | O_APPEND);
    static const char garbled[] = BASE_TRAILER_MAGIC "base/bin/python3.9\n";
    cr_assert_eq(write(fd, garbled, sizeof garbled - 1), (ssize_t)(sizeof garbled - 1));
    close(fd);
    lay_write("child/pyvenv.cfg", cfg_with_home(lay_path("gone/bin"), "3.9.18"));
    lay_chdir(""); /* the relative path would name base/bin/python3.9 from here */
    diag_debug = true;
    lay_capture_stderr();
    int rc = run("child/bin/python");
    const char *traced = lay_captured_stderr();
    diag_debug = false;
    lay_expect_error(rc, &err, EXIT_NO_BASE, "does not exist", NULL);
    cr_assert(strstr(traced, "its base record is not an absolute path"), "%s", traced);
}

Test(launcher_record, bad_pyvenv_cfg_is_not_masked) {
    lay_exec("base/bin/python3.9");
    copied_launcher("child", lay_path("base/bin/python3.9"), "home =\nversion = 3.9.18\n");
    lay_expect_error(run("child/bin/python"), &err, EXIT_BAD_CFG, "'home' is empty", NULL);
}

Test(launcher_record, traced_and_shown_in_the_plan) {
    lay_exec("base/bin/python3.9");
    copied_launcher("child", lay_path("base/bin/python3.9"),
                    cfg_with_home(lay_path("parent/bin"), "3.9.18"));
    diag_debug = true;
    lay_capture_stderr();
    int rc = run("child/bin/python");
    const char *traced = lay_captured_stderr();
    diag_debug = false;
    cr_assert_eq(rc, 0, "%s", err.text);
    cr_assert(strstr(traced, "home gives no base; using the recorded base"), "%s", traced);
    int saved = dup(1); /* plan_print writes to fd 1 */
    char out_path[4096];
    snprintf(out_path, sizeof out_path, "%s", lay_path("plan.txt"));
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    plan_print(&plan, 0, NULL);
    dup2(saved, 1);
    close(saved);
    close(fd);
    char text[8192] = "";
    FILE *f = fopen(out_path, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char want[4200];
    snprintf(want, sizeof want, "base recorded in: %s\n", lay_path("child/bin/python"));
    cr_assert(strstr(text, want), "%s", text);
}

/* ---- a launcher with a trailer is no script launcher ---- */

Test(base_trailer_payload, a_record_is_not_a_damaged_zip) {
    static const char rec[] = BASE_TRAILER_MAGIC "/usr/bin/python3.11\n";
    size_t len;
    unsigned char *data = elf_with(rec, sizeof rec - 1, &len);
    payload_memory m = {data, len};
    const char *w = NULL;
    cr_assert_eq(payload_inspect(payload_read_memory, &m, (long long)len, &w), PAYLOAD_NONE, "%s",
                 w ? w : "");
    free(data);
    static const char garbled[] = BASE_TRAILER_MAGIC "garbled";
    data = elf_with(garbled, sizeof garbled - 1, &len);
    m = (payload_memory){data, len};
    cr_assert_eq(payload_inspect(payload_read_memory, &m, (long long)len, &w), PAYLOAD_NONE);
    free(data);
    static const char other[] = "not a zip, not a record";
    data = elf_with(other, sizeof other - 1, &len);
    m = (payload_memory){data, len};
    cr_assert_eq(payload_inspect(payload_read_memory, &m, (long long)len, &w), PAYLOAD_CORRUPT);
    free(data);
}
