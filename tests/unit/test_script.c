/* Script launchers (script.c): interpreter names, the ELF image end, the
 * appended zip's end record and central directory, and script_prepare /
 * plan_make on real files (the test binary itself stands in for the
 * launcher: any ELF file with data appended behaves the same). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyname.h"
#include "layout.h"
#include "plan.h"
#include "script.h"

Test(script_name, interpreters_are_not_scripts) {
    const char *yes[] = {"python",      "python3",    "python3.12",  "python3.13t",
                         "python3.12d", "python3.7m", "python3.6dm", "python3.13td",
                         "pypy",        "pypy3",      "pypy3.9"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(pyname_is_interpreter(yes[i]), "%s", yes[i]);
    const char *no[] = {"pip",
                        "pytest",
                        "python-config",
                        "python3.12-config",
                        "python3.",
                        "pythonx",
                        "ipython",
                        "",
                        "python3.12-gdb.py",
                        "pythonista",
                        "python3.x",
                        "python3.12tdmx"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(pyname_is_interpreter(no[i]), "%s", no[i]);
}

/* Windows names as CPython's venvlauncher builds copy them (PC/layout/main.py). */
Test(script_name, windows_interpreter_names) {
    const char *yes[] = {"python.exe",    "pythonw.exe",     "python_d.exe",
                         "pythonw_d.exe", "python3.13t.exe", "pythonw3.13t.exe",
                         "PYTHON.EXE",    "python3.exe",     "python3.13t_d.exe"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(pyname_is_windows_exe(yes[i]), "%s", yes[i]);
    const char *no[] = {"pip.exe", "python",       "python.exe.bak",   "pythonx.exe",
                        "py.exe",  "python3..exe", "venvlauncher.exe", ""};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(pyname_is_windows_exe(no[i]), "%s", no[i]);
}

/* ---- ELF image end ---- */

static long long file_size(const char *path) {
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    return (long long)st.st_size;
}

static size_t read_head(const char *path, unsigned char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    cr_assert(fd >= 0);
    ssize_t got = read(fd, buf, n);
    close(fd);
    cr_assert(got > 0);
    return (size_t)got;
}

Test(elf, a_linked_binary_ends_with_its_section_table) {
    unsigned char head[64];
    size_t n = read_head("/proc/self/exe", head, sizeof head);
    cr_assert_eq(payload_elf_image_end(head, n), file_size("/proc/self/exe"));
}

Test(elf, not_elf_or_too_short_is_unknown) {
    unsigned char head[64];
    memset(head, 0, sizeof head);
    memcpy(head, "#!/bin/sh\n", 10);
    cr_assert_eq(payload_elf_image_end(head, sizeof head), 0);
    size_t n = read_head("/proc/self/exe", head, sizeof head);
    cr_assert_eq(payload_elf_image_end(head, 40), 0);
    (void)n;
}

Test(elf, elf32_big_endian) {
    unsigned char h[52];
    memset(h, 0, sizeof h);
    memcpy(h, "\177ELF", 4);
    h[4] = 1;         /* 32-bit */
    h[5] = 2;         /* big endian */
    h[28 + 3] = 52;   /* phoff */
    h[32 + 2] = 0x10; /* shoff 0x1000 */
    h[42 + 1] = 32;   /* phentsize */
    h[44 + 1] = 2;    /* phnum */
    h[46 + 1] = 40;   /* shentsize */
    h[48 + 1] = 10;   /* shnum */
    cr_assert_eq(payload_elf_image_end(h, sizeof h), 0x1000 + 400);
}

Test(elf, stripped_section_table_is_unknown) {
    unsigned char head[64];
    read_head("/proc/self/exe", head, sizeof head);
    memset(head + 40, 0, 8); /* e_shoff = 0 */
    cr_assert_eq(payload_elf_image_end(head, sizeof head), 0);
}

/* ---- zip end record ---- */

static void put_le(unsigned char *p, unsigned long v, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void eocd(unsigned char *t, unsigned entries, unsigned long cd_size,
                 unsigned long cd_offset) {
    memset(t, 0, 22);
    memcpy(t, "PK\5\6", 4);
    put_le(t + 8, entries, 2);
    put_le(t + 10, entries, 2);
    put_le(t + 12, cd_size, 4);
    put_le(t + 16, cd_offset, 4);
}

Test(payload, plain_launcher_is_none) {
    unsigned char t[22] = {0};
    zip_end end;
    const char *why = "";
    cr_assert_eq(payload_classify(5000, 5000, t, 22, &end, &why), PAYLOAD_NONE);
    cr_assert_eq(payload_classify(5000, 0, t, 22, &end, &why), PAYLOAD_NONE);
}

Test(payload, appended_zip_offsets) {
    unsigned char t[22];
    /* launcher 5000 bytes, local entry 100, central directory 57, end 22 */
    eocd(t, 1, 57, 100);
    zip_end end;
    const char *why = "";
    cr_assert_eq(payload_classify(5179, 5000, t, 22, &end, &why), PAYLOAD_ZIP, "%s", why);
    cr_assert_eq(end.cd_start, 5100);
    cr_assert_eq(end.arc_offset, 5000);
    cr_assert_eq(end.entries, 1);
}

Test(payload, data_after_the_image_without_a_zip_is_corrupt) {
    unsigned char t[22] = {0};
    zip_end end;
    const char *why = NULL;
    cr_assert_eq(payload_classify(5010, 5000, t, 22, &end, &why), PAYLOAD_CORRUPT);
    cr_assert(why && strstr(why, "not a zip"));
}

Test(payload, inconsistent_records_are_corrupt) {
    unsigned char t[22];
    zip_end end;
    const char *why = "";
    eocd(t, 1, 57, 100);
    put_le(t + 20, 5, 2); /* a comment length, but no comment follows */
    cr_assert_eq(payload_classify(5179, 5000, t, 22, &end, &why), PAYLOAD_CORRUPT);
    eocd(t, 1, 4000, 0); /* directory reaching back into the image */
    cr_assert_eq(payload_classify(5179, 5000, t, 22, &end, &why), PAYLOAD_CORRUPT);
    eocd(t, 0, 57, 100); /* no entries */
    cr_assert_eq(payload_classify(5179, 5000, t, 22, &end, &why), PAYLOAD_CORRUPT);
    eocd(t, 1, 57, 100);
    put_le(t + 4, 1, 2); /* multi-disk */
    cr_assert_eq(payload_classify(5179, 5000, t, 22, &end, &why), PAYLOAD_CORRUPT);
}

/* ---- central directory ---- */

static size_t cd_entry(unsigned char *p, const char *name, unsigned long lh) {
    size_t n = strlen(name);
    memset(p, 0, 46);
    memcpy(p, "PK\1\2", 4);
    put_le(p + 28, n, 2);
    put_le(p + 42, lh, 4);
    memcpy(p + 46, name, n);
    return 46 + n;
}

Test(central_directory, finds_main_among_entries) {
    unsigned char cd[256];
    size_t n = cd_entry(cd, "pkg/x.py", 0);
    n += cd_entry(cd + n, "__main__.py", 77);
    payload_entry main;
    const char *why = "";
    cr_assert(payload_find_main(cd, n, 2, &main, &why), "%s", why);
    cr_assert_eq(main.lh_offset, 77);
}

Test(central_directory, the_text_mark_is_the_main_entrys_comment) {
    unsigned char cd[256];
    size_t n = cd_entry(cd, "__main__.py", 0);
    payload_entry main;
    const char *why = "";
    cr_assert(payload_find_main(cd, n, 1, &main, &why), "%s", why);
    cr_assert_not(main.text_mark, "no comment");
    static const char mark[] = PAYLOAD_TEXT_MARK;
    put_le(cd + 32, sizeof mark - 1, 2);
    memcpy(cd + n, mark, sizeof mark - 1);
    cr_assert(payload_find_main(cd, n + sizeof mark - 1, 1, &main, &why), "%s", why);
    cr_assert(main.text_mark);
    cd[n] = 'V';
    cr_assert(payload_find_main(cd, n + sizeof mark - 1, 1, &main, &why), "%s", why);
    cr_assert_not(main.text_mark, "another comment");
}

Test(central_directory, missing_main_or_damage_is_refused) {
    unsigned char cd[256];
    size_t n = cd_entry(cd, "other.py", 0);
    payload_entry lh;
    const char *why = "";
    cr_assert_not(payload_find_main(cd, n, 1, &lh, &why));
    cr_assert(strstr(why, "__main__.py"));
    cr_assert_not(payload_find_main(cd, n, 2, &lh, &why), "more entries than bytes");
    cd[0] = 'X';
    cr_assert_not(payload_find_main(cd, n, 1, &lh, &why));
    cr_assert(strstr(why, "damaged"));
}

/* ---- on files ---- */

/* The test binary + a stored zip holding __main__.py (or damaged). */
static void write_script_launcher(const char *rel, const char *member, bool truncate) {
    lay_copy(lay_self_exe(), rel);
    lay_chmod(rel, 0755);
    static const char body[] = "print('hi')\n";
    size_t name_len = strlen(member), body_len = sizeof body - 1;
    unsigned char zip[512];
    size_t n = 0;
    memset(zip, 0, sizeof zip);
    memcpy(zip, "PK\3\4", 4);
    put_le(zip + 18, body_len, 4);
    put_le(zip + 22, body_len, 4);
    put_le(zip + 26, name_len, 2);
    memcpy(zip + 30, member, name_len);
    memcpy(zip + 30 + name_len, body, body_len);
    n = 30 + name_len + body_len;
    size_t cd_offset = n;
    n += cd_entry(zip + n, member, 0);
    eocd(zip + n, 1, n - cd_offset, cd_offset);
    n += 22;
    FILE *f = fopen(lay_path(rel), "ab");
    cr_assert(f);
    fwrite(zip, 1, truncate ? n - 3 : n, f);
    fclose(f);
}

static vs_plan plan;
static vs_error err;

static int plan_for(const char *rel) {
    memset(&err, 0, sizeof err);
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = lay_path(rel);
    return plan_make(&req, &plan, &err);
}

TestSuite(script_file, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(script_file, runs_with_the_venvs_python) {
    lay_exec("base/bin/python3.12");
    lay_exec("base/bin/tool"); /* home/<invoked name> must not be chosen */
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    write_script_launcher("venv/bin/tool", "__main__.py", false);
    int rc = plan_for("venv/bin/tool");
    cr_assert_eq(rc, 0, "%s", err.text);
    cr_assert_str_eq(plan.script.kind == SCRIPT_NONE ? "" : plan.script.self,
                     lay_path("venv/bin/tool"));
    cr_assert_str_eq(plan_sys_executable(&plan), lay_path("venv/bin/python"));
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/python3.12"));
}

Test(script_file, plain_launcher_under_another_name_is_python) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    lay_copy(lay_self_exe(), "venv/bin/custom");
    lay_chmod("venv/bin/custom", 0755);
    cr_assert_eq(plan_for("venv/bin/custom"), 0, "%s", err.text);
    cr_assert_str_eq(plan.script.kind == SCRIPT_NONE ? "" : plan.script.self, "");
    cr_assert_str_eq(plan_sys_executable(&plan), lay_path("venv/bin/custom"));
}

Test(script_file, damaged_payload_is_105) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    write_script_launcher("venv/bin/cut", "__main__.py", true);
    lay_expect_error(plan_for("venv/bin/cut"), &err, EXIT_BAD_SCRIPT, lay_path("venv/bin/cut"),
                     "not a zip", NULL);
    write_script_launcher("venv/bin/nomain", "main.py", false);
    lay_expect_error(plan_for("venv/bin/nomain"), &err, EXIT_BAD_SCRIPT, "__main__.py", NULL);
}

Test(script_file, no_python_next_to_it_is_103) {
    lay_exec("base/bin/python3.12");
    lay_writef("venv/pyvenv.cfg", "home = %s\n", lay_path("base/bin"));
    write_script_launcher("venv/bin/tool", "__main__.py", false);
    lay_expect_error(plan_for("venv/bin/tool"), &err, EXIT_NO_BASE, lay_path("venv/bin"), NULL);
}

/* ---- zip comments (an archive comment pushes the end record back) ---- */

/* A memory reader for payload_inspect. */
typedef struct {
    const unsigned char *data;
    size_t len;
} mem_file;

static long mem_read(void *ctx, void *buf, size_t n, long long offset) {
    const mem_file *m = ctx;
    if (offset < 0 || (size_t)offset > m->len)
        return -1;
    size_t avail = m->len - (size_t)offset;
    size_t k = n < avail ? n : avail;
    memcpy(buf, m->data + offset, k);
    return (long)k;
}

/* A stored zip holding __main__.py with a comment of comment_len bytes of c
 * (its end record's comment length says claimed), after prefix_len zeros. */
static size_t commented_zip(unsigned char *out, size_t prefix_len, size_t comment_len, char c,
                            size_t claimed) {
    static const char body[] = "print('hi')\n";
    memset(out, 0, prefix_len);
    unsigned char *z = out + prefix_len;
    size_t n = 30 + 11 + sizeof body - 1;
    memset(z, 0, n);
    memcpy(z, "PK\3\4", 4);
    put_le(z + 26, 11, 2);
    memcpy(z + 30, "__main__.py", 11);
    memcpy(z + 41, body, sizeof body - 1);
    size_t cd_offset = n;
    n += cd_entry(z + n, "__main__.py", 0);
    eocd(z + n, 1, n - cd_offset, cd_offset);
    put_le(z + n + 20, claimed, 2);
    n += 22;
    memset(z + n, c, comment_len);
    return prefix_len + n + comment_len;
}

Test(zip_comment, the_end_record_is_found_behind_a_comment) {
    static unsigned char buf[200 + 70000];
    size_t comments[] = {1, 21, 22, 1000, 0xFFFF};
    for (size_t i = 0; i < sizeof comments / sizeof comments[0]; i++) {
        size_t n = commented_zip(buf, 200, comments[i], 'c', comments[i]);
        mem_file m = {buf, n};
        const char *why = "";
        cr_assert_eq(payload_inspect(mem_read, &m, (long long)n, &why), PAYLOAD_ZIP,
                     "comment of %zu bytes: %s", comments[i], why);
    }
}

Test(zip_comment, a_directory_too_large_to_read_leaves_every_field_defined) {
    /* A shiv-sized directory (over 8 KiB) is not read: the entry must still
     * say "no text" with defined values (UBSan once caught a garbage bool). */
    static unsigned char buf[64 * 1024];
    size_t n = commented_zip(buf, 0, 0, 'c', 0);
    size_t cd_start = n - 22 - (46 + 11);
    size_t at = cd_start + 46 + 11;
    unsigned entries = 1;
    char name[16];
    while (at - cd_start < 9000) {
        snprintf(name, sizeof name, "f%05u.py", entries);
        at += cd_entry(buf + at, name, 0);
        entries++;
    }
    eocd(buf + at, entries, at - cd_start, cd_start);
    n = at + 22;
    mem_file m = {buf, n};
    payload_entry main;
    memset(&main, 0xFC, sizeof main);
    const char *why = "";
    cr_assert_eq(payload_inspect_main(mem_read, &m, (long long)n, &main, &why), PAYLOAD_ZIP, "%s",
                 why);
    cr_assert_eq(main.data_at, -1);
    cr_assert(!main.text_mark && main.entries == 0);
}

/* What zipimport trusts without a check (Lib/zipimport.py _get_data: the
 * local header's name and extra lengths, the directory's size and method)
 * is checked: a damaged entry is 105, never a traceback. */
Test(zip_comment, a_damaged_main_entry_is_refused) {
    static unsigned char buf[2000], damaged[2000];
    size_t n = commented_zip(buf, 100, 0, 'c', 0);
    size_t lh = 100, cd = 100 + 30 + 11 + 12;
    put_le(buf + cd + 20, 12, 4); /* the directory's sizes: the body's 12 bytes */
    put_le(buf + cd + 24, 12, 4);
    mem_file m = {buf, n};
    payload_entry main;
    const char *why = "";
    cr_assert_eq(payload_inspect_main(mem_read, &m, (long long)n, &main, &why), PAYLOAD_ZIP, "%s",
                 why);
    cr_assert_eq(main.data_at, (long long)(lh + 30 + 11));
    struct {
        size_t at, width;
        unsigned long value;
        const char *why;
    } cases[] = {
        {lh + 26, 2, 30, "names another file"},
        {lh + 26, 2, 0, "names another file"},
        {lh + 30, 1, 'X', "names another file"},
        {lh + 28, 2, 2000, "runs into"},
        {cd + 20, 4, 100000, "sizes"},
        {cd + 20, 4, 5, "sizes"},
        {cd + 10, 2, 8, "method"},
        {cd + 10, 2, 99, "method"},
        {lh + 8, 2, 8, "method"},
        {lh, 1, 'X', "does not point at file data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(damaged, buf, n);
        put_le(damaged + cases[i].at, cases[i].value, (int)cases[i].width);
        mem_file d = {damaged, n};
        cr_assert_eq(payload_inspect_main(mem_read, &d, (long long)n, &main, &why), PAYLOAD_CORRUPT,
                     "case %zu", i);
        cr_assert(strstr(why, cases[i].why), "case %zu: %s", i, why);
    }
}

Test(zip_comment, a_comment_length_that_does_not_reach_the_end_is_refused) {
    static unsigned char buf[2000];
    size_t n = commented_zip(buf, 100, 10, 'c', 9);
    long at = payload_find_eocd(buf + n - 100, 100);
    cr_assert_eq(at, 100 - 10 - 22);
    zip_end end;
    const char *why = "";
    cr_assert_eq(
        payload_classify_at((long long)n, 100, (long long)(n - 32), buf + n - 32, 22, &end, &why),
        PAYLOAD_CORRUPT);
    cr_assert(strstr(why, "comment"), "%s", why);
    n = commented_zip(buf, 100, 10, 'c', 10);
    cr_assert_eq(
        payload_classify_at((long long)n, 100, (long long)(n - 32), buf + n - 32, 22, &end, &why),
        PAYLOAD_ZIP, "%s", why);
}

Test(zip_comment, the_last_signature_wins_as_in_zipimport) {
    static unsigned char buf[2000];
    size_t n = commented_zip(buf, 0, 30, 'c', 30);
    memcpy(buf + n - 10, "PK\5\6", 4); /* a signature inside the comment */
    cr_assert_eq(payload_find_eocd(buf, n), (long)(n - 10));
    mem_file m = {buf, n};
    const char *why = "";
    /* not an ELF file: the image end is unknown, so a bad record proves nothing */
    cr_assert_eq(payload_inspect(mem_read, &m, (long long)n, &why), PAYLOAD_NONE);
    cr_assert_eq(payload_find_eocd(buf, 3), -1);
}

TestSuite(script_comment_file, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(script_comment_file, a_commented_zip_after_the_launcher_runs) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    lay_copy(lay_self_exe(), "venv/bin/tool");
    lay_chmod("venv/bin/tool", 0755);
    static unsigned char zip[70000];
    size_t n = commented_zip(zip, 0, 5000, 'c', 5000);
    FILE *f = fopen(lay_path("venv/bin/tool"), "ab");
    cr_assert(f);
    fwrite(zip, 1, n, f);
    fclose(f);
    cr_assert_eq(plan_for("venv/bin/tool"), 0, "%s", err.text);
    cr_assert_str_eq(plan.script.kind == SCRIPT_NONE ? "" : plan.script.self,
                     lay_path("venv/bin/tool"));
}

/* ---- Windows console-script launchers: "#!" line before the zip ---- */

/* <exe stand-in> line <zip with comment_len bytes of comment> in buf. */
static size_t win_script(unsigned char *buf, const char *line, size_t comment_len) {
    static unsigned char zip[70000 + 200];
    size_t zlen = commented_zip(zip, 0, comment_len, 'c', comment_len);
    size_t n = 0;
    memset(buf, 0, 512); /* the exe's padding ends in NUL bytes */
    memcpy(buf, "MZ", 2);
    n = 512;
    memcpy(buf + n, line, strlen(line));
    n += strlen(line);
    memcpy(buf + n, zip, zlen);
    return n + zlen;
}

static payload_args_status win_args(const unsigned char *buf, size_t n, char *args, size_t cap,
                                    const char **why) {
    payload_memory m = {buf, n};
    return payload_script_args(payload_read_memory, &m, (long long)n, args, cap, why);
}

Test(win_script, arguments_of_the_shebang_line) {
    static unsigned char buf[80000];
    char args[64];
    const char *why = NULL;
    size_t n = win_script(buf, "#!\"C:\\Program Files\\Python\\python.exe\" -u -X dev\r\n", 0);
    cr_assert_eq(win_args(buf, n, args, sizeof args, &why), PAYLOAD_ARGS_OK);
    cr_assert_str_eq(args, "-u -X dev");
    cr_assert_eq(payload_script_offset(buf, n), 512); /* install's whole-file reader agrees */
    n = win_script(buf, "#!python.exe\n", 1000);      /* a zip comment moves the end record */
    cr_assert_eq(win_args(buf, n, args, sizeof args, &why), PAYLOAD_ARGS_OK, "%s", why);
    cr_assert_str_eq(args, "");
}

Test(win_script, no_shebang_line_or_no_zip) {
    static unsigned char buf[80000];
    char args[8];
    const char *why = NULL;
    size_t n = win_script(buf, "", 0);
    cr_assert_eq(win_args(buf, n, args, sizeof args, &why), PAYLOAD_ARGS_BAD);
    cr_assert(strstr(why, "no '#!' line"), "%s", why);
    cr_assert_eq(payload_script_offset(buf, n), -1);
    n = win_script(buf, "#!python.exe --a-long-argument\n", 0);
    cr_assert_eq(win_args(buf, n, args, sizeof args, &why), PAYLOAD_ARGS_BAD);
    cr_assert(strstr(why, "too long"), "%s", why);
    memset(buf, 'x', 600); /* no zip at all */
    cr_assert_eq(win_args(buf, 600, args, sizeof args, &why), PAYLOAD_ARGS_NO_SCRIPT);
    cr_assert_eq(win_args(buf, 10, args, sizeof args, &why), PAYLOAD_ARGS_NO_SCRIPT);
}

TestSuite(win_script_file, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

/* script_shebang_args reads the file through the seam (fs_file_read_at) and
 * turns each refusal into EXIT_NO_SHEBANG with the file's name. */
Test(win_script_file, exit_code_and_message) {
    static unsigned char buf[80000];
    static vs_error e;
    char args[64];
    size_t n = win_script(buf, "#!python.exe -E\n", 0);
    FILE *f = fopen(lay_path("tool.exe"), "wb");
    cr_assert(f && fwrite(buf, 1, n, f) == n && fclose(f) == 0);
    cr_assert_eq(script_shebang_args(lay_path("tool.exe"), args, sizeof args, &e), 0);
    cr_assert_str_eq(args, "-E");
    n = win_script(buf, "", 0);
    f = fopen(lay_path("nobang.exe"), "wb");
    cr_assert(f && fwrite(buf, 1, n, f) == n && fclose(f) == 0);
    cr_assert_eq(script_shebang_args(lay_path("nobang.exe"), args, sizeof args, &e), 113);
    cr_assert(strstr(e.text, "nobang.exe: no '#!' line"), "%s", e.text);
    lay_write("nozip.exe", "MZ just a program");
    cr_assert_eq(script_shebang_args(lay_path("nozip.exe"), args, sizeof args, &e), 113);
    cr_assert(strstr(e.text, "has no script appended"), "%s", e.text);
    cr_assert_eq(script_shebang_args(lay_path("missing.exe"), args, sizeof args, &e), 113);
    cr_assert(strstr(e.text, "cannot read this launcher's own file"), "%s", e.text);
}
