/* How the plan hands the interpreter its venv (plan.c): CPython 3.11+ started
 * as the base binary with __PYVENV_LAUNCHER__ = the venv's python reports the
 * venv as sys.executable and sys.prefix and the exact base as
 * sys._base_executable (Modules/getpath.py); 3.6-3.10 and PyPy ignore the
 * variable, so they get argv[0] = the venv's python and no variable. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "plan.h"

static vs_plan plan;
static vs_error err;

static int plan_of(const char *rel, bool inherited_var) {
    memset(&err, 0, sizeof err);
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = lay_path(rel);
    req.has_pyvenv_launcher = inherited_var;
    return plan_make(&req, &plan, &err);
}

static const char *launcher_var(void) {
    for (int i = 0; i < plan.env_count; i++)
        if (strcmp(plan.env[i].name, PYVENV_LAUNCHER_VAR) == 0)
            return plan.env[i].value ? plan.env[i].value : "(unset)";
    return NULL;
}

TestSuite(plan_identity, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(plan_identity, cpython_311_and_later_get_the_base_as_argv0_and_the_venv_in_the_variable) {
    const char *versions[] = {"3.11", "3.12", "3.13", "3.14"};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        char base[64], cfg[256];
        snprintf(base, sizeof base, "b%zu/bin/python%s", i, versions[i]);
        lay_exec(base);
        snprintf(cfg, sizeof cfg, "v%zu", i);
        char home[4096];
        snprintf(home, sizeof home, "%s", lay_path(base));
        *strrchr(home, '/') = '\0';
        lay_venv(cfg, "home = %s\nversion = %s.1\nexecutable = %s\n", home, versions[i],
                 lay_path(base));
        char exe[64];
        snprintf(exe, sizeof exe, "v%zu/bin/python", i);
        cr_assert_eq(plan_of(exe, true), 0, "%s", err.text);
        cr_assert_str_eq(plan.argv0, lay_path(base));
        cr_assert_str_eq(launcher_var(), lay_path(exe), "%s", versions[i]);
        cr_assert_str_eq(plan_sys_executable(&plan), lay_path(exe));
    }
}

Test(plan_identity, cpython_310_keeps_the_venv_as_argv0_and_drops_an_inherited_variable) {
    lay_exec("base/bin/python3.10");
    lay_venv("venv", "home = %s\nversion = 3.10.13\n", lay_path("base/bin"));
    cr_assert_eq(plan_of("venv/bin/python", true), 0, "%s", err.text);
    cr_assert_str_eq(plan.argv0, lay_path("venv/bin/python"));
    cr_assert_str_eq(launcher_var(), "(unset)");
    cr_assert_eq(plan_of("venv/bin/python", false), 0, "%s", err.text);
    cr_assert_null(launcher_var());
}

Test(plan_identity, pypy_keeps_the_venv_as_argv0) {
    /* PyPy ignores the variable: its sys.executable would be the base */
    lay_exec("base/bin/pypy3.11");
    lay_venv("venv", "home = %s\nversion = 3.11.11\nexecutable = %s\n", lay_path("base/bin"),
             lay_path("base/bin/pypy3.11"));
    cr_assert_eq(plan_of("venv/bin/python", false), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/pypy3.11"));
    cr_assert_str_eq(plan.argv0, lay_path("venv/bin/python"));
    cr_assert_null(launcher_var());
}

Test(plan_identity, an_unversioned_base_or_no_version_keeps_the_venv_as_argv0) {
    /* the name alone must say CPython X.Y: a generic python3 may be anything */
    lay_exec("base/bin/python3");
    lay_venv("venv", "home = %s\nversion = 3.12.1\n", lay_path("base/bin"));
    cr_assert_eq(plan_of("venv/bin/python3", false), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/python3"));
    cr_assert_str_eq(plan.argv0, lay_path("venv/bin/python3"));
    cr_assert_null(launcher_var());
    lay_exec("b2/bin/python3.12");
    lay_venv("v2", "home = %s\n", lay_path("b2/bin"));
    cr_assert_eq(plan_of("v2/bin/python3.12", false), 0, "%s", err.text);
    cr_assert_str_eq(plan.argv0, lay_path("v2/bin/python3.12"));
    cr_assert_null(launcher_var());
}

Test(plan_identity, a_generic_base_linked_to_a_versioned_one_gives_that_file_as_argv0) {
    /* `executable` unusable, home/python chosen: a symlink venv's bin/python
     * resolves to python3.12, so sys._base_executable names that file */
    lay_exec("base/bin/python3.12");
    lay_symlink("python3.12", "base/bin/python");
    lay_venv("venv", "home = %s\nversion = 3.12.1\nexecutable = %s\n", lay_path("base/bin"),
             lay_path("venv/bin/.venvshim-launcher"));
    cr_assert_eq(plan_of("venv/bin/python", false), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("base/bin/python"));
    cr_assert_str_eq(plan.argv0, lay_path("base/bin/python3.12"));
    cr_assert_str_eq(launcher_var(), lay_path("venv/bin/python"));
}
