/* Choosing the base interpreter (resolve.c, plan.c) on real directory
 * layouts: home must be an existing absolute directory; the recorded
 * executable when it exists, else home/<invoked name>, home/pythonX.Y,
 * home/python3, home/python, never another minor version; venvs chained
 * through home are followed, loops and this launcher refused.
 * CPython: Modules/getpath.py (3.11+: home from pyvenv.cfg, base_executable
 * as home/<basename>, then home/python3 and home/python3.X, gh-99204) and
 * Modules/getpath.c calculate_read_pyenv (3.6-3.10: home starts the prefix
 * search). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pyname.h"
#include "layout.h"
#include "plan.h"
#include "resolve.h"

/* ---- pyname_version ---- */

static bool version_of(const char *name, int *major, int *minor) {
    *major = *minor = -1;
    return pyname_version(name, major, minor);
}

Test(pyname_version, python_x_y) {
    int major, minor;
    cr_assert(version_of("python3.12", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 12);
}

Test(pyname_version, pypy_x_y) {
    int major, minor;
    cr_assert(version_of("pypy3.9", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 9);
}

Test(pyname_version, free_threaded_suffix) {
    int major, minor;
    cr_assert(version_of("python3.13t", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 13);
}

Test(pyname_version, major_only_is_generic) {
    int major, minor;
    cr_assert_not(version_of("python3", &major, &minor));
}

Test(pyname_version, unversioned_names) {
    int major, minor;
    cr_assert_not(version_of("python", &major, &minor));
    cr_assert_not(version_of("python-config", &major, &minor));
    cr_assert_not(version_of("pythonx", &major, &minor));
    cr_assert_not(version_of("python3.", &major, &minor));
    cr_assert_not(version_of("pypy", &major, &minor));
    cr_assert_not(version_of("jython3.12", &major, &minor));
    cr_assert_not(version_of("", &major, &minor));
}

/* ---- resolve_base / plan_make on layouts ---- */

static vs_plan plan;
static vs_error err;

static int run_with(const char *argv0_rel, bool inherited_pyvenv_launcher) {
    memset(&err, 0, sizeof err);
    vs_request req;
    memset(&req, 0, sizeof req); /* Linux traits: no macOS framework handling */
    req.inv.argv0 = lay_path(argv0_rel);
    req.inv.path_env = NULL;
    req.has_pyvenv_launcher = inherited_pyvenv_launcher;
    return plan_make(&req, &plan, &err);
}

static int run(const char *argv0_rel) {
    return run_with(argv0_rel, false);
}

static void expect_base(int rc, const char *binary_rel, const char *home_rel) {
    cr_assert_eq(rc, 0, "plan_make failed (%d): %s", rc, err.text);
    cr_assert_str_eq(plan.base.binary, lay_path(binary_rel));
    cr_assert_str_eq(plan.base.home, lay_path(home_rel));
}

TestSuite(resolve, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(resolve, invoked_name_in_home) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
    cr_assert_eq(plan.base.chain_depth, 0);
    /* the child's argv[0]: the venv path, absolute */
    cr_assert_str_eq(plan.loc.venv_exe, lay_path("venv/bin/python"));
    cr_assert_str_eq(plan.loc.cfg_path, lay_path("venv/pyvenv.cfg"));
    cr_assert_eq(plan.env_count, 0, "the environment is left alone");
}

Test(resolve, invoked_name_preferred_over_versioned_and_generic) {
    lay_exec("base/bin/python");
    lay_exec("base/bin/python3");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    lay_exec("venv/bin/python3");
    expect_base(run("venv/bin/python3"), "base/bin/python3", "base/bin");
}

Test(resolve, versioned_name_when_invoked_name_missing) {
    lay_exec("base/bin/python3");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

Test(resolve, versioned_name_from_version_info) {
    lay_exec("base/bin/python3");
    lay_exec("base/bin/python3.13");
    lay_venv("venv", "home = %s\nversion_info = 3.13.0.final.0\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3.13", "base/bin");
}

Test(resolve, python3_when_no_versioned_name) {
    lay_exec("base/bin/python3");
    lay_exec("base/bin/python3.11"); /* another minor: never chosen by name */
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3", "base/bin");
}

Test(resolve, python_last) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    lay_exec("venv/bin/python3");
    expect_base(run("venv/bin/python3"), "base/bin/python", "base/bin");
}

Test(resolve, no_version_key_uses_generic_names) {
    lay_exec("base/bin/python3");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3", "base/bin");
}

Test(resolve, non_executable_candidate_skipped) {
    lay_write("base/bin/python", "not executable\n");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

Test(resolve, directory_candidate_skipped) {
    lay_mkdir("base/bin/python");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

Test(resolve, no_executable_candidate_is_103) {
    lay_write("base/bin/python", "not executable\n");
    lay_write("base/bin/python3", "not executable\n");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("base/bin"), lay_path("venv/pyvenv.cfg"),
                     lay_path("base/bin/python3"), NULL);
}

Test(resolve, generic_python3_linked_to_other_minor_refused) {
    lay_exec("base/bin/python3.11");
    lay_symlink("python3.11", "base/bin/python3");
    lay_venv("venv", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("base/bin"), lay_path("venv/pyvenv.cfg"),
                     "3.9", NULL);
}

Test(resolve, generic_python3_two_hops_to_other_minor_refused) {
    lay_exec("base/bin/python3.11");
    lay_symlink("python3.11", "base/bin/py-alias");
    lay_symlink("py-alias", "base/bin/python3");
    lay_venv("venv", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, refused_python3_falls_through_to_python) {
    lay_exec("base/bin/python3.11");
    lay_symlink("python3.11", "base/bin/python3");
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    lay_exec("venv/bin/python3");
    expect_base(run("venv/bin/python3"), "base/bin/python", "base/bin");
}

Test(resolve, generic_python3_linked_to_same_minor_accepted_unresolved) {
    lay_exec("base/real/python3.9");
    lay_symlink("../real/python3.9", "base/bin/python3");
    lay_venv("venv", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    /* the symlink in home is what runs (as CPython's base_executable), not its target */
    expect_base(run("venv/bin/python"), "base/bin/python3", "base/bin");
}

Test(resolve, generic_python3_link_accepted_without_version) {
    lay_exec("base/bin/python3.11");
    lay_symlink("python3.11", "base/bin/python3");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3", "base/bin");
}

Test(resolve, invoked_versioned_name_of_other_minor_refused) {
    lay_exec("base/bin/python3.11");
    lay_exec("base/bin/python3.9");
    lay_venv("venv", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    lay_exec("venv/bin/python3.11");
    expect_base(run("venv/bin/python3.11"), "base/bin/python3.9", "base/bin");
}

/* ---- recorded executable keys ---- */

Test(resolve, executable_key_wins_when_it_exists) {
    lay_exec("base/bin/python");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nexecutable = %s\nversion = 3.12.1\n", lay_path("base/bin"),
             lay_path("base/bin/python3.12"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

Test(resolve, base_executable_key_wins_when_it_exists) {
    lay_exec("base/bin/python");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nbase-executable = %s\nversion = 3.12.1\n", lay_path("base/bin"),
             lay_path("base/bin/python3.12"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

Test(resolve, executable_key_outside_home_loses_to_home) {
    /* home edited to another installation of the same X.Y: CPython takes the
     * stdlib from home, so home's binary runs, never the recorded one */
    lay_exec("base/bin/python");
    lay_exec("opt/py/python3.12");
    lay_venv("venv", "home = %s\nexecutable = %s\nversion = 3.12.1\n", lay_path("base/bin"),
             lay_path("opt/py/python3.12"));
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
}

Test(resolve, executable_key_in_an_alias_of_home_used) {
    /* venv writes home unresolved and executable resolved */
    lay_exec("opt/py/bin/python3.12");
    lay_exec("opt/py/bin/python");
    lay_symlink("opt/py", "alias");
    lay_venv("venv", "home = %s\nexecutable = %s\nversion = 3.12.1\n", lay_path("alias/bin"),
             lay_path("opt/py/bin/python3.12"));
    expect_base(run("venv/bin/python"), "opt/py/bin/python3.12", "alias/bin");
}

Test(resolve, executable_key_linked_from_home_used) {
    /* home/python3.12 a link into the installation (Homebrew's bin/) */
    lay_exec("cellar/py/bin/python3.12");
    lay_mkdir("brew/bin");
    lay_symlink("../../cellar/py/bin/python3.12", "brew/bin/python3.12");
    lay_venv("venv", "home = %s\nexecutable = %s\nversion = 3.12.1\n", lay_path("brew/bin"),
             lay_path("cellar/py/bin/python3.12"));
    expect_base(run("venv/bin/python"), "cellar/py/bin/python3.12", "brew/bin");
}

Test(resolve, missing_executable_key_falls_back_to_invoked_name) {
    lay_exec("base/bin/python");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nexecutable = %s\nversion = 3.12.1\n", lay_path("base/bin"),
             lay_path("base/bin/python3.12-gone"));
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
}

Test(resolve, relative_executable_key_ignored) {
    lay_exec("base/bin/python");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nexecutable = python3.12\nversion = 3.12.1\n",
             lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
}

Test(resolve, executable_key_inside_another_venv_ignored) {
    /* venv 3.11+ run from inside a venv records that venv's python */
    lay_exec("base/bin/python");
    lay_venv("outer", "home = %s\n", lay_path("base/bin"));
    lay_venv("venv", "home = %s\nexecutable = %s\n", lay_path("base/bin"),
             lay_path("outer/bin/python"));
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
}

Test(resolve, executable_key_must_be_an_interpreter_name) {
    /* python3.12-config is a shell script; the version guard reads 3.12 in
     * its name, so only the name rule keeps it from being run */
    const char *names[] = {"python3.12-config", "python3.12-gdb.py", "pythonista", "python3.x"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lay_exec("base/bin/python3.12");
        char rel[64];
        snprintf(rel, sizeof rel, "tools/%s", names[i]);
        lay_exec(rel);
        lay_venv("venv", "home = %s\nexecutable = %s\nbase-executable = %s\nversion = 3.12.1\n",
                 lay_path("base/bin"), lay_path(rel), lay_path(rel));
        expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
    }
}

Test(resolve, executable_key_with_abi_flags_used) {
    lay_exec("base/bin/python3.7");
    lay_exec("base/bin/python3.7m");
    lay_venv("venv", "home = %s\nbase-executable = %s\nversion = 3.7.16\n", lay_path("base/bin"),
             lay_path("base/bin/python3.7m"));
    expect_base(run("venv/bin/python"), "base/bin/python3.7m", "base/bin");
}

Test(resolve, launcher_named_like_a_script_runs_no_script_from_home) {
    /* a plain launcher copied as bin/pip acts as python: home/pip is a
     * console script, not an interpreter */
    lay_exec("base/bin/pip");
    lay_exec("base/bin/python3");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    lay_exec("venv/bin/pip");
    expect_base(run("venv/bin/pip"), "base/bin/python3", "base/bin");
}

Test(resolve, executable_key_of_other_minor_ignored) {
    lay_exec("base/bin/python3.11");
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nexecutable = %s\nversion = 3.12.1\n", lay_path("base/bin"),
             lay_path("base/bin/python3.11"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

/* ---- home ---- */

Test(resolve, no_cfg_is_106) {
    lay_exec("venv/bin/python");
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_CFG, lay_path("venv/bin"), NULL);
}

Test(resolve, no_home_is_107) {
    lay_venv("venv", "version = 3.12.1\nexecutable = /usr/bin/python3.12\n");
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), "home", NULL);
}

Test(resolve, bom_hidden_home_is_107_and_says_so) {
    lay_exec("base/bin/python");
    lay_venv("venv", "\xef\xbb\xbfhome = %s\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), "byte order mark", NULL);
}

Test(resolve, comment_is_not_home_107) {
    lay_exec("base/bin/python");
    lay_venv("venv", "# home = %s\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, empty_cfg_is_107) {
    lay_venv("venv", "%s", "");
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, home_longer_than_path_max_is_107) {
    static char long_home[VS_PATH_MAX + 10];
    long_home[0] = '/';
    memset(long_home + 1, 'h', sizeof long_home - 2);
    long_home[sizeof long_home - 1] = '\0';
    lay_venv("venv", "home = %s\n", long_home);
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, empty_home_is_107) {
    lay_venv("venv", "home =\nversion = 3.12.1\n");
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), "home", NULL);
}

Test(resolve, whitespace_home_is_107) {
    lay_venv("venv", "home = \xc2\xa0 \t\n");
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

/* A relative home (PEP 796, relative to pyvenv.cfg): tests/unit/test_relhome.c. */

Test(resolve, missing_home_is_103_naming_it) {
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("moved/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("moved/bin"), lay_path("venv/pyvenv.cfg"),
                     NULL);
}

Test(resolve, home_that_is_a_file_is_103) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin/python3.12"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("base/bin/python3.12"),
                     lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, home_trailing_slash_stripped) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s/\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
}

Test(resolve, home_with_crlf_and_unicode_spaces) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "version = 3.12.1\r\nHome\xe3\x80\x80=\xc2\xa0%s \r\n", lay_path("base/bin"));
    expect_base(run("venv/bin/python"), "base/bin/python3.12", "base/bin");
}

Test(resolve, nul_in_cfg_is_107) {
    lay_exec("base/bin/python");
    lay_exec("venv/bin/python");
    char text[8192];
    int n = snprintf(text, sizeof text, "home = %s\n", lay_path("base/bin"));
    text[n++] = '\0';
    text[n++] = '\n';
    lay_write_n("venv/pyvenv.cfg", text, (size_t)n);
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, cfg_of_32767_bytes_with_home_at_the_end) {
    static char text[32767];
    char tail[4096];
    int n = snprintf(tail, sizeof tail, "\nhome = %s\n", lay_path("base/bin"));
    memset(text, '#', sizeof text - (size_t)n);
    memcpy(text + sizeof text - (size_t)n, tail, (size_t)n);
    lay_exec("base/bin/python");
    lay_exec("venv/bin/python");
    lay_write_n("venv/pyvenv.cfg", text, sizeof text);
    expect_base(run("venv/bin/python"), "base/bin/python", "base/bin");
}

Test(resolve, cfg_of_32768_bytes_is_107) {
    static char text[32768];
    char tail[4096];
    int n = snprintf(tail, sizeof tail, "\nhome = %s\n", lay_path("base/bin"));
    memset(text, '#', sizeof text - (size_t)n);
    memcpy(text + sizeof text - (size_t)n, tail, (size_t)n);
    lay_exec("base/bin/python");
    lay_exec("venv/bin/python");
    lay_write_n("venv/pyvenv.cfg", text, sizeof text);
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("venv/pyvenv.cfg"), NULL);
}

/* ---- the launcher's own path and the environment ---- */

Test(resolve, argv0_symlink_from_outside_plans_venv_path) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    lay_symlink(lay_path("venv/bin/python"), "outside/proj-python");
    expect_base(run("outside/proj-python"), "base/bin/python", "base/bin");
    cr_assert_str_eq(plan.loc.venv_exe, lay_path("venv/bin/python"));
}

Test(resolve, invoked_name_is_the_venv_name_not_the_symlink_name) {
    lay_exec("base/bin/python3");
    lay_exec("base/bin/proj-python"); /* must not be picked: it is not the venv's name */
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    lay_exec("venv/bin/python3");
    lay_symlink(lay_path("venv/bin/python3"), "outside/proj-python");
    expect_base(run("outside/proj-python"), "base/bin/python3", "base/bin");
    cr_assert_str_eq(plan.loc.venv_exe, lay_path("venv/bin/python3"));
}

Test(resolve, inherited_pyvenv_launcher_is_unset) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    expect_base(run_with("venv/bin/python", true), "base/bin/python", "base/bin");
    cr_assert_eq(plan.env_count, 1);
    cr_assert_str_eq(plan.env[0].name, "__PYVENV_LAUNCHER__");
    cr_assert_null(plan.env[0].value, "removed, not set");
}

/* ---- venvs chained through home ---- */

Test(resolve, chained_venv_followed_to_real_base) {
    lay_exec("base/bin/python");
    lay_exec("base/bin/python3.9");
    lay_venv("outer", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    lay_venv("inner", "home = %s\nversion = 3.9.18\n", lay_path("outer/bin"));
    expect_base(run("inner/bin/python"), "base/bin/python", "base/bin");
    cr_assert_eq(plan.base.chain_depth, 1);
    cr_assert_str_eq(plan.loc.venv_exe, lay_path("inner/bin/python"));
    cr_assert_str_eq(plan.loc.cfg_path, lay_path("inner/pyvenv.cfg"));
}

Test(resolve, chained_venv_with_cfg_in_its_bin) {
    lay_exec("base/bin/python");
    lay_exec("outer/bin/python");
    lay_writef("outer/bin/pyvenv.cfg", "home = %s\n", lay_path("base/bin"));
    lay_venv("inner", "home = %s\n", lay_path("outer/bin"));
    expect_base(run("inner/bin/python"), "base/bin/python", "base/bin");
    cr_assert_eq(plan.base.chain_depth, 1);
}

Test(resolve, chained_venv_without_home_is_107_naming_its_cfg) {
    lay_venv("outer", "version = 3.9.18\n");
    lay_venv("inner", "home = %s\n", lay_path("outer/bin"));
    int rc = run("inner/bin/python");
    lay_expect_error(rc, &err, EXIT_BAD_CFG, lay_path("outer/pyvenv.cfg"), NULL);
}

static void make_chain(int follows) {
    /* v0 -> v1 -> ... -> v<follows> -> base */
    lay_exec("base/bin/python");
    for (int i = 0; i <= follows; i++) {
        char venv[32], next[32];
        snprintf(venv, sizeof venv, "v%d", i);
        snprintf(next, sizeof next, "v%d/bin", i + 1);
        lay_venv(venv, "home = %s\n", i == follows ? lay_path("base/bin") : lay_path(next));
    }
}

Test(resolve, chain_of_eight_followed) {
    make_chain(MAX_CHAIN_DEPTH);
    expect_base(run("v0/bin/python"), "base/bin/python", "base/bin");
    cr_assert_eq(plan.base.chain_depth, MAX_CHAIN_DEPTH);
}

Test(resolve, chain_longer_than_eight_is_103) {
    make_chain(MAX_CHAIN_DEPTH + 1);
    int rc = run("v0/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("v0/pyvenv.cfg"), NULL);
}

Test(resolve, home_is_own_bin_is_a_loop_103) {
    lay_venv("venv", "home = %s\n", lay_path("venv/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("venv/pyvenv.cfg"), "loop", NULL);
}

Test(resolve, home_is_own_bin_with_cfg_in_bin_is_a_loop_103) {
    lay_exec("venv/bin/python");
    lay_writef("venv/bin/pyvenv.cfg", "home = %s\n", lay_path("venv/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, lay_path("venv/bin/pyvenv.cfg"), "loop", NULL);
}

Test(resolve, two_venvs_pointing_at_each_other_103) {
    lay_venv("a", "home = %s\n", lay_path("b/bin"));
    lay_venv("b", "home = %s\n", lay_path("a/bin"));
    int rc = run("a/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, "loop", lay_path("a/pyvenv.cfg"), NULL);
}

Test(resolve, loop_through_symlinked_home_103) {
    /* the loop is found by file identity, not by comparing path strings */
    lay_venv("venv", "home = %s\n", lay_path("alias/bin"));
    lay_symlink(lay_path("venv"), "alias");
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, "loop", NULL);
}

/* ---- the base must not be this launcher ---- */

Test(resolve, symlink_to_this_launcher_is_103) {
    lay_mkdir("base/bin");
    lay_symlink(lay_self_exe(), "base/bin/python");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, "this launcher", lay_path("base/bin/python"),
                     lay_path("venv/pyvenv.cfg"), NULL);
}

Test(resolve, copy_of_this_launcher_is_103) {
    lay_copy(lay_self_exe(), "base/bin/python");
    lay_chmod("base/bin/python", 0755);
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    int rc = run("venv/bin/python");
    lay_expect_error(rc, &err, EXIT_NO_BASE, "this launcher", lay_path("base/bin/python"), NULL);
}

/* ---- tracing (PYLAUNCHER_DEBUG) ---- */

static const char *traced_run(const char *argv0_rel, int *rc) {
    diag_debug = true;
    lay_capture_stderr();
    *rc = run(argv0_rel);
    const char *out = lay_captured_stderr();
    diag_debug = false;
    return out;
}

Test(resolve, tracing_names_cfg_and_chosen_base) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    int rc;
    const char *trace = traced_run("venv/bin/python", &rc);
    expect_base(rc, "base/bin/python3.12", "base/bin");
    cr_assert_not_null(strstr(trace, lay_path("venv/pyvenv.cfg")), "trace:\n%s", trace);
    cr_assert_not_null(strstr(trace, lay_path("base/bin/python3.12")), "trace:\n%s", trace);
    for (const char *line = trace; *line;) {
        cr_assert_eq(strncmp(line, "venvshim: ", 10), 0, "unprefixed trace line:\n%s", trace);
        const char *nl = strchr(line, '\n');
        cr_assert_not_null(nl, "trace line without newline:\n%s", trace);
        line = nl + 1;
    }
    /* tracing does not change the plan */
    cr_assert_str_eq(plan.loc.venv_exe, lay_path("venv/bin/python"));
}

Test(resolve, tracing_warns_when_old_cpython_reads_home_differently) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home=%s\n", lay_path("base/bin"));
    int rc;
    const char *trace = traced_run("venv/bin/python", &rc);
    expect_base(rc, "base/bin/python", "base/bin");
    cr_assert_not_null(strstr(trace, "3.10"), "no warning for 'home=' without spaces:\n%s", trace);
}

Test(resolve, tracing_no_old_cpython_warning_for_canonical_home) {
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\n", lay_path("base/bin"));
    int rc;
    const char *trace = traced_run("venv/bin/python", &rc);
    expect_base(rc, "base/bin/python", "base/bin");
    cr_assert_null(strstr(trace, "3.10"), "spurious warning:\n%s", trace);
}

Test(resolve, tracing_explains_refused_other_minor) {
    lay_exec("base/bin/python3.11");
    lay_symlink("python3.11", "base/bin/python3");
    lay_exec("base/bin/python");
    lay_venv("venv", "home = %s\nversion = 3.9.18\n", lay_path("base/bin"));
    lay_exec("venv/bin/python3");
    int rc;
    const char *trace = traced_run("venv/bin/python3", &rc);
    expect_base(rc, "base/bin/python", "base/bin");
    cr_assert_not_null(strstr(trace, "python3.11"), "refusal not traced:\n%s", trace);
}
