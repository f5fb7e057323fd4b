/* macOS framework builds, decided on Linux: the plan for python.org, Homebrew
 * and free-threaded (PythonT) layouts built in temporary directories. The
 * framework's bin/ stub must never be what runs. */
/* Paths here are short temporary ones; a truncation would fail an assertion. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "layout.h"
#include "plan.h"

/* A venv at <root>/env whose pyvenv.cfg has home = <root>/<home_rel>. */
static void make_venv(const char *home_rel, const char *version) {
    lay_venv("env", "home = %s\nversion = %s\n", lay_path(home_rel), version);
}

/* rel with the given contents and mode (parents created). */
static void write_file(const char *rel, const char *text, mode_t mode) {
    lay_write(rel, text);
    lay_chmod(rel, mode);
}

static int plan_for(const char *invoked, bool macos, bool inherited_launcher, vs_plan *plan,
                    vs_error *err) {
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = lay_path(invoked);
    req.has_pyvenv_launcher = inherited_launcher;
    req.traits.macos_frameworks = macos;
    return plan_make(&req, plan, err);
}

static vs_plan plan;
static vs_error err;

#define PYORG "Library/Frameworks/Python.framework/Versions/3.12"

static void python_org_layout(void) {
    write_file(PYORG "/bin/python3.12", "stub", 0755);
    lay_symlink("python3.12", PYORG "/bin/python3");
    write_file(PYORG "/Resources/Python.app/Contents/MacOS/Python", "app", 0755);
    make_venv(PYORG "/bin", "3.12.1");
}

TestSuite(framework, .init = lay_setup, .fini = lay_teardown);

Test(framework, python_org_runs_the_app_binary_not_the_stub) {
    python_org_layout();
    cr_assert_eq(plan_for("env/bin/python", true, false, &plan, &err), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary,
                     lay_path(PYORG "/Resources/Python.app/Contents/MacOS/Python"));
    cr_assert_str_neq(plan.base.binary, lay_path(PYORG "/bin/python3.12"));
}

Test(framework, argv0_is_the_app_and_the_venv_goes_in_pyvenv_launcher) {
    python_org_layout();
    cr_assert_eq(plan_for("env/bin/python", true, false, &plan, &err), 0, "%s", err.text);
    cr_assert_str_eq(plan.argv0, plan.base.binary);
    cr_assert_eq(plan.env_count, 1);
    cr_assert_str_eq(plan.env[0].name, "__PYVENV_LAUNCHER__");
    cr_assert_str_eq(plan.env[0].value, lay_path("env/bin/python"));
}

Test(framework, pyvenv_launcher_resolves_the_directory_but_not_the_final_link) {
    python_org_layout();
    /* the user runs the venv through a symlinked directory and a symlinked name */
    lay_symlink(lay_path("env"), "alias");
    lay_symlink("python", "env/bin/py");
    cr_assert_eq(plan_for("alias/bin/py", true, false, &plan, &err), 0, "%s", err.text);
    cr_assert_str_eq(plan.env[0].value, lay_path("env/bin/py"));
}

Test(framework, an_inherited_pyvenv_launcher_is_replaced_not_removed) {
    python_org_layout();
    cr_assert_eq(plan_for("env/bin/python", true, true, &plan, &err), 0, "%s", err.text);
    cr_assert_eq(plan.env_count, 1);
    cr_assert_not_null(plan.env[0].value);
    cr_assert_str_eq(plan.env[0].value, lay_path("env/bin/python"));
}

Test(framework, homebrew_opt_symlinks_lead_to_the_framework_app) {
    const char *cellar = "opt/homebrew/Cellar/python@3.12/3.12.1";
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/Frameworks/Python.framework/Versions/3.12/bin/python3.12",
             cellar);
    write_file(path, "stub", 0755);
    snprintf(path, sizeof path,
             "%s/Frameworks/Python.framework/Versions/3.12/Resources/Python.app/Contents/MacOS/"
             "Python",
             cellar);
    write_file(path, "app", 0755);
    char bin[PATH_MAX];
    snprintf(bin, sizeof bin, "%s/bin", cellar);
    lay_mkdir(bin);
    snprintf(path, sizeof path, "%s/python3.12", bin);
    lay_symlink("../Frameworks/Python.framework/Versions/3.12/bin/python3.12", path);
    lay_mkdir("opt/homebrew/opt");
    lay_symlink("../Cellar/python@3.12/3.12.1", "opt/homebrew/opt/python@3.12");
    make_venv("opt/homebrew/opt/python@3.12/bin", "3.12.1");

    cr_assert_eq(plan_for("env/bin/python", true, false, &plan, &err), 0, "%s", err.text);
    char expected[PATH_MAX];
    snprintf(expected, sizeof expected,
             "%s/%s/Frameworks/Python.framework/Versions/3.12/Resources/Python.app/Contents/"
             "MacOS/Python",
             lay_root(), cellar);
    cr_assert_str_eq(plan.base.binary, expected);
    cr_assert_str_eq(plan.env[0].value, lay_path("env/bin/python"));
}

Test(framework, free_threaded_framework_uses_its_own_name) {
    const char *v = "Library/Frameworks/PythonT.framework/Versions/3.13";
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/bin/python3.13t", v);
    write_file(path, "stub", 0755);
    snprintf(path, sizeof path, "%s/Resources/Python.app/Contents/MacOS/PythonT", v);
    write_file(path, "app", 0755);
    snprintf(path, sizeof path, "%s/bin", v);
    make_venv(path, "3.13.0");
    write_file("env/bin/python3.13t", "launcher", 0755);

    cr_assert_eq(plan_for("env/bin/python3.13t", true, false, &plan, &err), 0, "%s", err.text);
    snprintf(path, sizeof path, "%s/Resources/Python.app/Contents/MacOS/PythonT", v);
    cr_assert_str_eq(plan.base.binary, lay_path(path));
    cr_assert_str_eq(plan.env[0].value, lay_path("env/bin/python3.13t"));
}

Test(framework, a_stub_without_its_app_is_an_error_never_the_stub) {
    write_file(PYORG "/bin/python3.12", "stub", 0755);
    make_venv(PYORG "/bin", "3.12.1");
    cr_assert_eq(plan_for("env/bin/python", true, false, &plan, &err), EXIT_NO_BASE);
    cr_assert(strstr(err.text, "venvshim: ") == err.text);
    cr_assert(strstr(err.text, "framework stub"), "%s", err.text);
    cr_assert(strstr(err.text, "Python.app/Contents/MacOS/Python"), "%s", err.text);
}

Test(framework, other_platforms_exec_the_binary_unchanged) {
    python_org_layout();
    cr_assert_eq(plan_for("env/bin/python", false, false, &plan, &err), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path(PYORG "/bin/python3.12"));
    /* 3.12: the base as argv[0], the venv in __PYVENV_LAUNCHER__ (plan.c) */
    cr_assert_str_eq(plan.argv0, lay_path(PYORG "/bin/python3.12"));
    cr_assert_str_eq(plan_sys_executable(&plan), lay_path("env/bin/python"));
    cr_assert_eq(plan.env_count, 1);
}

Test(framework, a_plain_install_on_macos_is_not_treated_as_a_framework) {
    write_file("usr/local/bin/python3.12", "python", 0755);
    make_venv("usr/local/bin", "3.12.1");
    cr_assert_eq(plan_for("env/bin/python", true, false, &plan, &err), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("usr/local/bin/python3.12"));
    cr_assert_str_eq(plan.argv0, lay_path("usr/local/bin/python3.12"));
    cr_assert_str_eq(plan_sys_executable(&plan), lay_path("env/bin/python"));
    cr_assert_eq(plan.env_count, 1);
}

Test(framework, a_bin_dir_outside_versions_is_not_a_framework) {
    write_file("Python.framework/bin/python3.12", "python", 0755);
    make_venv("Python.framework/bin", "3.12.1");
    cr_assert_eq(plan_for("env/bin/python", true, false, &plan, &err), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("Python.framework/bin/python3.12"));
}
