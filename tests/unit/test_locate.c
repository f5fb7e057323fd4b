/* locate_venv on real directory layouts: the launcher's path L from argv[0]
 * (absolute, relative to the CWD, or searched on PATH; normalised lexically,
 * symlinks kept), then pyvenv.cfg next to L or in its parent, following a
 * symlinked L one hop at a time. CPython: Modules/getpath.py (executable from
 * argv[0] or the PATH search; pyvenv.cfg in its directory or the parent),
 * Modules/getpath.c calculate_program_impl, calculate_which and
 * resolve_symlinks (3.7-3.10), Lib/site.py venv(). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "locate.h"

static vs_location loc;
static vs_error err;

static int locate(const char *argv0, const char *path_env) {
    memset(&err, 0, sizeof err);
    vs_invocation inv = {argv0, path_env};
    return locate_venv(&inv, &loc, &err);
}

static void expect_found(int rc, const char *venv_exe_rel, const char *cfg_rel) {
    cr_assert_eq(rc, 0, "locate_venv failed (%d): %s", rc, err.text);
    cr_assert_str_eq(loc.venv_exe, lay_path(venv_exe_rel));
    cr_assert_str_eq(loc.cfg_path, lay_path(cfg_rel));
}

TestSuite(locate, .init = lay_setup, .fini = lay_teardown, .timeout = 20);

/* ---- argv[0] with a slash ---- */

Test(locate, absolute_argv0_cfg_in_parent) {
    lay_venv("venv", "home = /usr/bin\n");
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python", "venv/pyvenv.cfg");
    cr_assert_eq(loc.cfg_len, strlen("home = /usr/bin\n"));
    cr_assert_str_eq(loc.cfg_text, "home = /usr/bin\n");
}

Test(locate, cfg_next_to_launcher) {
    lay_exec("venv/bin/python");
    lay_write("venv/bin/pyvenv.cfg", "home = /bin-copy\n");
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python",
                 "venv/bin/pyvenv.cfg");
    cr_assert_str_eq(loc.cfg_text, "home = /bin-copy\n");
}

Test(locate, cfg_next_to_launcher_preferred_over_parent) {
    /* site.py and the Windows launchers look in bin/ first */
    lay_venv("venv", "home = /parent-copy\n");
    lay_write("venv/bin/pyvenv.cfg", "home = /bin-copy\n");
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python",
                 "venv/bin/pyvenv.cfg");
    cr_assert_str_eq(loc.cfg_text, "home = /bin-copy\n");
}

Test(locate, relative_argv0_against_cwd) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_chdir("venv");
    expect_found(locate("bin/python", NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, dot_relative_argv0_against_cwd) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_chdir("venv/bin");
    expect_found(locate("./python", NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, relative_argv0_with_dotdot) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_mkdir("work");
    lay_chdir("work");
    expect_found(locate("../venv/bin/python", NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, dotdot_dot_and_double_slash_normalised) {
    lay_venv("venv", "home = /usr/bin\n");
    char argv0[4096];
    snprintf(argv0, sizeof argv0, "%s/venv//bin/../bin/./python", lay_root());
    expect_found(locate(argv0, NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, dotdot_applied_lexically_not_through_symlinks) {
    /* link -> venv/bin; physically link/.. is venv, lexically it is the root */
    lay_venv("venv", "home = /usr/bin\n");
    lay_symlink(lay_path("venv/bin"), "link");
    expect_found(locate(lay_path("link/../venv/bin/python"), NULL), "venv/bin/python",
                 "venv/pyvenv.cfg");
}

Test(locate, symlinked_directory_kept_in_path) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_symlink(lay_path("venv"), "alias");
    expect_found(locate(lay_path("alias/bin/python"), NULL), "alias/bin/python",
                 "alias/pyvenv.cfg");
}

Test(locate, launcher_symlink_inside_venv_not_resolved) {
    /* venv/bin/python -> a shared launcher elsewhere: the cfg next to the
     * unresolved path is the one, and L stays the venv path */
    lay_exec("shared/venvshim-launcher");
    lay_write("venv/pyvenv.cfg", "home = /usr/bin\n");
    lay_symlink(lay_path("shared/venvshim-launcher"), "venv/bin/python");
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

/* ---- bare argv[0]: PATH search ----
 * A PATH hit is used only when it is the running executable (here the test
 * binary: the layouts link venv/bin/python to it); otherwise, and for empty
 * or relative entries, which would let the CWD choose, the OS's path is. */

/* venv/bin/python: a symlink to the running test binary, so a PATH hit on it
 * is "this very file" (stat follows the link to the same inode). */
static void self_venv(const char *venv, const char *cfg) {
    char rel[256];
    snprintf(rel, sizeof rel, "%s/bin/python", venv);
    lay_symlink(lay_self_exe(), rel);
    snprintf(rel, sizeof rel, "%s/pyvenv.cfg", venv);
    lay_write(rel, cfg);
}

/* The OS path was used: the test binary's directory, which has no pyvenv.cfg. */
static void expect_os_path(int rc) {
    char self_dir[4096];
    snprintf(self_dir, sizeof self_dir, "%s", lay_self_exe());
    *strrchr(self_dir, '/') = '\0';
    lay_expect_error(rc, &err, EXIT_NO_CFG, self_dir, NULL);
}

Test(locate, bare_name_found_on_path) {
    self_venv("venv", "home = /usr/bin\n");
    lay_mkdir("empty");
    char path_env[8192];
    snprintf(path_env, sizeof path_env, "%s:%s", lay_path("empty"), lay_path("venv/bin"));
    expect_found(locate("python", path_env), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, path_first_match_wins) {
    self_venv("one", "home = /one\n");
    self_venv("two", "home = /two\n");
    char path_env[8192];
    snprintf(path_env, sizeof path_env, "%s:%s", lay_path("one/bin"), lay_path("two/bin"));
    expect_found(locate("python", path_env), "one/bin/python", "one/pyvenv.cfg");
}

Test(locate, path_skips_non_executable) {
    lay_venv("one", "home = /one\n");
    lay_chmod("one/bin/python", 0644);
    self_venv("two", "home = /two\n");
    char path_env[8192];
    snprintf(path_env, sizeof path_env, "%s:%s", lay_path("one/bin"), lay_path("two/bin"));
    expect_found(locate("python", path_env), "two/bin/python", "two/pyvenv.cfg");
}

Test(locate, path_skips_directory_of_that_name) {
    lay_mkdir("one/bin/python");
    lay_write("one/pyvenv.cfg", "home = /one\n");
    self_venv("two", "home = /two\n");
    char path_env[8192];
    snprintf(path_env, sizeof path_env, "%s:%s", lay_path("one/bin"), lay_path("two/bin"));
    expect_found(locate("python", path_env), "two/bin/python", "two/pyvenv.cfg");
}

Test(locate, path_hit_that_is_another_file_is_not_used) {
    /* a decoy venv first on PATH: its python is not the running executable */
    lay_venv("decoy", "home = /decoy\n");
    self_venv("venv", "home = /usr/bin\n");
    char path_env[8192];
    snprintf(path_env, sizeof path_env, "%s:%s", lay_path("decoy/bin"), lay_path("venv/bin"));
    expect_os_path(locate("python", path_env));
}

Test(locate, path_empty_entry_in_middle_is_not_the_cwd) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_chdir("venv/bin");
    expect_os_path(locate("python", "/nonexistent-a::/nonexistent-b"));
}

Test(locate, path_empty_leading_entry_is_not_the_cwd) {
    self_venv("venv", "home = /usr/bin\n"); /* even this very file is not taken from the CWD */
    lay_chdir("venv/bin");
    expect_os_path(locate("python", ":/nonexistent"));
}

Test(locate, path_empty_trailing_entry_is_not_the_cwd) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_chdir("venv/bin");
    expect_os_path(locate("python", "/nonexistent:"));
}

Test(locate, path_dot_and_relative_entries_are_not_searched) {
    self_venv("venv", "home = /usr/bin\n");
    lay_chdir("venv");
    expect_os_path(locate("python", "/nonexistent:bin"));
    lay_chdir("venv/bin");
    expect_os_path(locate("python", ".:./:/nonexistent"));
}

Test(locate, path_entry_normalised_lexically) {
    self_venv("venv", "home = /usr/bin\n");
    char path_env[8192];
    snprintf(path_env, sizeof path_env, "%s/venv//bin/.", lay_root());
    expect_found(locate("python", path_env), "venv/bin/python", "venv/pyvenv.cfg");
}

/* With the CWD deleted, an absolute PATH entry still names the launcher (no
 * CWD is needed for it). */
Test(locate, bare_name_on_absolute_path_entry_with_deleted_cwd) {
    self_venv("venv", "home = /usr/bin\n");
    lay_mkdir("gone");
    lay_chdir("gone");
    cr_assert_eq(rmdir(lay_path("gone")), 0);
    expect_found(locate("python", lay_path("venv/bin")), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, relative_argv0_with_deleted_cwd_is_unusable) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_mkdir("gone");
    lay_chdir("gone");
    cr_assert_eq(rmdir(lay_path("gone")), 0);
    /* a relative argv[0] cannot be made absolute: the OS path (the test binary) is used */
    int rc = locate("../venv/bin/python", NULL);
    cr_assert_eq(rc, EXIT_NO_CFG, "rc %d: %s", rc, err.text);
}

Test(locate, path_cwd_not_searched_without_empty_entry) {
    /* the only python is in the CWD, which PATH does not name: no venv */
    lay_venv("venv", "home = /usr/bin\n");
    lay_chdir("venv/bin");
    int rc = locate("python", "/nonexistent");
    cr_assert_neq(rc, 0, "found %s through an unlisted CWD", loc.venv_exe);
    cr_assert_eq(rc, EXIT_NO_CFG);
}

/* ---- argv[0] is a symlink to a venv's launcher ---- */

Test(locate, symlink_from_outside_followed) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_symlink(lay_path("venv/bin/python"), "outside/proj-python");
    expect_found(locate(lay_path("outside/proj-python"), NULL), "venv/bin/python",
                 "venv/pyvenv.cfg");
}

Test(locate, relative_symlink_target_resolved_against_link_dir) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_symlink("../venv/bin/python", "outside/proj-python");
    lay_mkdir("elsewhere");
    lay_chdir("elsewhere"); /* not the link's directory */
    expect_found(locate(lay_path("outside/proj-python"), NULL), "venv/bin/python",
                 "venv/pyvenv.cfg");
}

Test(locate, symlink_found_via_path) {
    self_venv("venv", "home = /usr/bin\n");
    lay_symlink(lay_path("venv/bin/python"), "userbin/proj-python");
    expect_found(locate("proj-python", lay_path("userbin")), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, symlink_chain_of_two_hops) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_symlink("../venv/bin/python", "b/link2");
    lay_symlink(lay_path("b/link2"), "a/link1");
    expect_found(locate(lay_path("a/link1"), NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

/* LAUNCHER BUG (see the report): a relative symlink target is resolved by the
 * kernel against the link's physical directory. Here the link sits in a
 * symlinked directory (c/alias -> a/b/links), so "../../venv" means a/venv,
 * while lexical joining gives <root>/venv: a decoy venv gets picked. */
Test(locate, relative_symlink_target_in_symlinked_dir_resolved_physically) {
    lay_venv("a/venv", "home = /right\n");
    lay_venv("venv", "home = /decoy\n");
    lay_symlink("../../venv/bin/python", "a/b/links/proj-python");
    lay_symlink(lay_path("a/b/links"), "c/alias");
    int rc = locate(lay_path("c/alias/proj-python"), NULL);
    cr_assert_eq(rc, 0, "locate_venv failed (%d): %s", rc, err.text);
    cr_assert_str_eq(loc.cfg_text, "home = /right\n", "picked %s, not the link's target venv",
                     loc.cfg_path);
    cr_assert_str_eq(loc.cfg_path, lay_path("a/venv/pyvenv.cfg"));
    cr_assert_str_eq(loc.venv_exe, lay_path("a/venv/bin/python"));
}

Test(locate, symlink_followed_one_hop_at_a_time) {
    /* outside/link -> venvA/bin/python -> venvB/bin/python: the first venv met
     * along the chain is the one (not the fully resolved path) */
    lay_write("venvA/pyvenv.cfg", "home = /a\n");
    lay_venv("venvB", "home = /b\n");
    lay_symlink(lay_path("venvB/bin/python"), "venvA/bin/python");
    lay_symlink(lay_path("venvA/bin/python"), "outside/link");
    expect_found(locate(lay_path("outside/link"), NULL), "venvA/bin/python", "venvA/pyvenv.cfg");
    cr_assert_str_eq(loc.cfg_text, "home = /a\n");
}

Test(locate, symlink_loop_is_no_cfg) {
    lay_symlink("b", "outside/a");
    lay_symlink("a", "outside/b");
    int rc = locate(lay_path("outside/a"), NULL);
    lay_expect_error(rc, &err, EXIT_NO_CFG, lay_path("outside"), "loop", NULL);
}

/* ---- which pyvenv.cfg ---- */

Test(locate, no_cfg_is_106) {
    lay_exec("venv/bin/python");
    int rc = locate(lay_path("venv/bin/python"), NULL);
    lay_expect_error(rc, &err, EXIT_NO_CFG, lay_path("venv/bin"), lay_path("venv"), NULL);
}

Test(locate, cfg_two_levels_up_not_used) {
    lay_write("venv/pyvenv.cfg", "home = /usr/bin\n");
    lay_exec("venv/bin/sub/python");
    int rc = locate(lay_path("venv/bin/sub/python"), NULL);
    lay_expect_error(rc, &err, EXIT_NO_CFG, lay_path("venv/bin/sub"), NULL);
}

Test(locate, empty_argv0_falls_back_to_os_path) {
    /* the OS names the test binary, whose directory has no pyvenv.cfg */
    char self_dir[4096];
    snprintf(self_dir, sizeof self_dir, "%s", lay_self_exe());
    *strrchr(self_dir, '/') = '\0';
    int rc = locate("", NULL);
    lay_expect_error(rc, &err, EXIT_NO_CFG, self_dir, NULL);
    rc = locate(NULL, NULL);
    lay_expect_error(rc, &err, EXIT_NO_CFG, self_dir, NULL);
}

Test(locate, cfg_directory_in_bin_then_parent_file_used) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_mkdir("venv/bin/pyvenv.cfg");
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

Test(locate, cfg_directory_alone_is_107) {
    lay_exec("venv/bin/python");
    lay_mkdir("venv/pyvenv.cfg");
    int rc = locate(lay_path("venv/bin/python"), NULL);
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(locate, fifo_cfg_does_not_hang, .timeout = 5) {
    lay_exec("venv/bin/python");
    lay_fifo("venv/pyvenv.cfg");
    int rc = locate(lay_path("venv/bin/python"), NULL);
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(locate, fifo_in_bin_then_parent_file_used, .timeout = 5) {
    lay_venv("venv", "home = /usr/bin\n");
    lay_fifo("venv/bin/pyvenv.cfg");
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python", "venv/pyvenv.cfg");
}

/* CPython 3.11+ reads at most 32 KiB - 1 bytes of pyvenv.cfg */
#define CFG_TAIL "\nhome = /usr/bin\n"

static void write_cfg_of_size(const char *rel, size_t size) {
    static char text[40 * 1024];
    const char *tail = CFG_TAIL;
    size_t fill = size - strlen(tail);
    memset(text, 'x', fill);
    memcpy(text + fill, tail, strlen(tail));
    lay_write_n(rel, text, size);
}

Test(locate, cfg_of_32767_bytes_read_whole) {
    lay_exec("venv/bin/python");
    write_cfg_of_size("venv/pyvenv.cfg", 32767);
    expect_found(locate(lay_path("venv/bin/python"), NULL), "venv/bin/python", "venv/pyvenv.cfg");
    cr_assert_eq(loc.cfg_len, 32767);
    size_t tail = strlen(CFG_TAIL);
    cr_assert_eq(memcmp(loc.cfg_text + 32767 - tail, CFG_TAIL, tail), 0);
}

Test(locate, cfg_of_32768_bytes_is_107) {
    lay_exec("venv/bin/python");
    write_cfg_of_size("venv/pyvenv.cfg", 32768);
    int rc = locate(lay_path("venv/bin/python"), NULL);
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(locate, oversized_cfg_in_bin_is_107_not_skipped) {
    /* an oversized file is an error (CPython would die), not "look elsewhere" */
    lay_venv("venv", "home = /usr/bin\n");
    write_cfg_of_size("venv/bin/pyvenv.cfg", 40000);
    int rc = locate(lay_path("venv/bin/python"), NULL);
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/bin/pyvenv.cfg"), NULL);
}

Test(locate, tracing_does_not_change_the_result) {
    diag_debug = true;
    lay_venv("venv", "home = /usr/bin\n");
    lay_symlink(lay_path("venv/bin/python"), "outside/proj-python");
    lay_capture_stderr();
    int rc = locate(lay_path("outside/proj-python"), NULL);
    const char *trace = lay_captured_stderr();
    diag_debug = false;
    expect_found(rc, "venv/bin/python", "venv/pyvenv.cfg");
    cr_assert_not_null(strstr(trace, lay_path("outside/proj-python")), "trace:\n%s", trace);
    cr_assert_not_null(strstr(trace, lay_path("venv/pyvenv.cfg")), "trace:\n%s", trace);
}
