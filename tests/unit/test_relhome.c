/* Relative home (resolve.c + relhome.c): PEP 796 semantics, resolved against
 * the directory holding pyvenv.cfg from any CWD; the plan's PYTHONHOME and
 * marker; -E/-I/-S, a missing site-init hook and stale absolute keys refused
 * or ignored. CPython: Modules/getpath.py (with PYTHONHOME set pyvenv.cfg is
 * not read; a relative home is used as it is, so against the CWD) and
 * Modules/getpath.c search_for_prefix (3.6-3.10: against the CWD); PEP 796
 * proposes the pyvenv.cfg directory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "plan.h"
#include "relhome.h"

static unsigned flags_of(int argc, const char **argv) {
    return relhome_python_flags(argc, (char **)argv);
}

Test(python_flags, grouped_and_separate) {
    const char *a[] = {"py", "-I", "x.py"};
    cr_assert_eq(flags_of(3, a), PYFLAG_I);
    const char *b[] = {"py", "-bEu", "-S"};
    cr_assert_eq(flags_of(3, b), PYFLAG_E | PYFLAG_S);
    const char *c[] = {"py", "-X", "dev", "-W", "error", "-Xutf8", "-E"};
    cr_assert_eq(flags_of(7, c), PYFLAG_E);
}

Test(python_flags, program_arguments_are_not_flags) {
    const char *a[] = {"py", "-c", "pass", "-I"};
    cr_assert_eq(flags_of(4, a), 0);
    const char *b[] = {"py", "-Ic", "pass", "-S"};
    cr_assert_eq(flags_of(4, b), PYFLAG_I);
    const char *c[] = {"py", "-m", "pip", "-E"};
    cr_assert_eq(flags_of(4, c), 0);
    const char *d[] = {"py", "script.py", "-I"};
    cr_assert_eq(flags_of(3, d), 0);
    const char *e[] = {"py", "-", "-I"};
    cr_assert_eq(flags_of(3, e), 0);
    const char *f[] = {"py", "--", "-I"};
    cr_assert_eq(flags_of(3, f), 0);
    const char *g[] = {"py", "-X", "-I"}; /* -I is -X's value */
    cr_assert_eq(flags_of(3, g), 0);
    const char *h[] = {"py", "--check-hash-based-pycs", "always", "-S"};
    cr_assert_eq(flags_of(4, h), PYFLAG_S);
}

TestSuite(relhome, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(relhome, base_prefix_is_found_above_home) {
    lay_write("app/python/lib/python3.12/os.py", "");
    lay_mkdir("app/python/bin");
    char prefix[4096];
    cr_assert(
        relhome_find_base_prefix(lay_path("app/python/bin"), "python3.12", prefix, sizeof prefix));
    cr_assert_str_eq(prefix, lay_path("app/python"));
    cr_assert(
        relhome_find_base_prefix(lay_path("app/python"), "python3.12", prefix, sizeof prefix));
    cr_assert_str_eq(prefix, lay_path("app/python"));
    /* never above home's parent: / may hold lib/python3.X (Debian's /lib -> usr/lib) */
    lay_write("lib/python3.99/os.py", "");
    cr_assert_not(
        relhome_find_base_prefix(lay_path("app/python/bin"), "python3.99", prefix, sizeof prefix));
    cr_assert_not(
        relhome_find_base_prefix(lay_path("app/python/bin"), "python3.11", prefix, sizeof prefix));
}

static vs_plan plan;
static vs_error err;

static int plan_with(const char *rel, int argc, const char **argv, bool pythonhome) {
    memset(&err, 0, sizeof err);
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = lay_path(rel);
    req.argc = argc;
    req.argv = (char **)argv;
    req.has_pythonhome = pythonhome;
    return plan_make(&req, &plan, &err);
}

static const char *env_value(const char *name) {
    for (int i = 0; i < plan.env_count; i++)
        if (strcmp(plan.env[i].name, name) == 0)
            return plan.env[i].value ? plan.env[i].value : "(unset)";
    return NULL;
}

/* app/python (a base with a stdlib landmark), app/.venv with home relative. */
static void bundle(const char *cfg_extra) {
    lay_exec("app/python/bin/python3.12");
    lay_write("app/python/lib/python3.12/os.py", "");
    lay_venv("app/.venv", "home = ../python/bin\nversion = 3.12.1\n%s", cfg_extra);
    lay_write("app/.venv/lib/python3.12/site-packages/" VS_SITE_INIT_PTH, "");
}

static const char *no_args[] = {"python"};

Test(relhome, resolved_against_pyvenv_cfg_from_any_cwd) {
    bundle("");
    /* a decoy: from decoy/x, CPython would read ../python/bin as decoy/python/bin */
    lay_exec("decoy/python/bin/python3.12");
    lay_write("decoy/python/lib/python3.12/os.py", "");
    lay_mkdir("decoy/x");
    const char *cwds[] = {"", "decoy/x", "app/.venv/bin", "app/python/lib"};
    for (size_t i = 0; i < sizeof cwds / sizeof cwds[0]; i++) {
        lay_chdir(cwds[i]);
        cr_assert_eq(plan_with("app/.venv/bin/python", 1, no_args, false), 0, "%s", err.text);
        cr_assert(plan.base.home_relative);
        cr_assert_str_eq(plan.base.home, lay_path("app/python/bin"));
        cr_assert_str_eq(plan.base.binary, lay_path("app/python/bin/python3.12"));
        cr_assert_str_eq(env_value("PYTHONHOME"), lay_path("app/python"));
        cr_assert_str_eq(env_value(VS_RELHOME_MARKER_VAR), lay_path("app/python/bin/python3.12"));
        cr_assert_str_eq(plan_sys_executable(&plan), lay_path("app/.venv/bin/python"));
    }
}

Test(relhome, absolute_home_changes_nothing) {
    lay_exec("base/bin/python3.12");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    const char *argv[] = {"python", "-I"};
    cr_assert_eq(plan_with("venv/bin/python", 2, argv, false), 0, "%s", err.text);
    cr_assert_not(plan.base.home_relative);
    cr_assert_null(env_value("PYTHONHOME"));
    cr_assert_null(env_value(VS_RELHOME_MARKER_VAR));
}

Test(relhome, flags_that_defeat_pythonhome_are_107) {
    bundle("");
    const char *i[] = {"python", "-I", "-c", "1"};
    lay_expect_error(plan_with("app/.venv/bin/python", 4, i, false), &err, EXIT_BAD_CFG, "-I",
                     lay_path("app/.venv/pyvenv.cfg"), lay_path("app/python/bin"), NULL);
    const char *e[] = {"python", "-bE"};
    lay_expect_error(plan_with("app/.venv/bin/python", 2, e, false), &err, EXIT_BAD_CFG, "-E",
                     NULL);
    const char *s[] = {"python", "-S"};
    lay_expect_error(plan_with("app/.venv/bin/python", 2, s, false), &err, EXIT_BAD_CFG, "-S",
                     "child processes", NULL);
    const char *ok[] = {"python", "-c", "1", "-I"};
    cr_assert_eq(plan_with("app/.venv/bin/python", 4, ok, false), 0, "%s", err.text);
}

Test(relhome, missing_site_init_hook_is_107) {
    lay_exec("app/python/bin/python3.12");
    lay_write("app/python/lib/python3.12/os.py", "");
    lay_venv("app/.venv", "home = ../python/bin\nversion = 3.12.1\n");
    lay_expect_error(plan_with("app/.venv/bin/python", 1, no_args, false), &err, EXIT_BAD_CFG,
                     VS_SITE_INIT_PTH, "venvshim install", NULL);
}

Test(relhome, no_stdlib_above_home_is_103) {
    lay_exec("app/python/bin/python3.12");
    lay_venv("app/.venv", "home = ../python/bin\nversion = 3.12.1\n");
    lay_write("app/.venv/lib/python3.12/site-packages/" VS_SITE_INIT_PTH, "");
    lay_expect_error(plan_with("app/.venv/bin/python", 1, no_args, false), &err, EXIT_NO_BASE,
                     "lib/python3.12/os.py", lay_path("app/python/bin"), NULL);
}

Test(relhome, users_pythonhome_is_left_to_python) {
    bundle("");
    cr_assert_eq(plan_with("app/.venv/bin/python", 1, no_args, true), 0, "%s", err.text);
    cr_assert_null(env_value("PYTHONHOME"));
    cr_assert_null(env_value(VS_RELHOME_MARKER_VAR));
}

Test(relhome, stale_absolute_executable_is_ignored) {
    /* the old location still exists: a copy, not a move */
    lay_exec("old/python/bin/python3.12");
    char extra[4200];
    snprintf(extra, sizeof extra, "executable = %s\n", lay_path("old/python/bin/python3.12"));
    bundle(extra);
    cr_assert_eq(plan_with("app/.venv/bin/python", 1, no_args, false), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("app/python/bin/python3.12"));
}

Test(relhome, relative_executable_is_relative_to_pyvenv_cfg) {
    lay_exec("app/python/bin/python3.12d");
    bundle("executable = ../python/bin/python3.12d\n");
    lay_chdir("app/python");
    cr_assert_eq(plan_with("app/.venv/bin/python", 1, no_args, false), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("app/python/bin/python3.12d"));
}
