/* version_guard: which Python X.Y a base binary is, from names, symlink
 * targets and the prefix's standard library, on real temporary layouts. */
#include <criterion/criterion.h>
#include <string.h>

#include "pyname.h"
#include "layout.h"
#include "version_guard.h"

TestSuite(version_guard, .init = lay_setup, .fini = lay_teardown);

static vg_found found;

static vg_verdict guard(const char *rel, int major, int minor) {
    memset(&found, 0, sizeof found);
    return vg_check(lay_path(rel), major, minor, &found);
}

static void expect(vg_verdict got, vg_verdict want, int major, int minor, const char *evidence) {
    cr_assert_eq(got, want, "verdict %d, want %d (evidence: %s)", got, want, found.evidence);
    if (want == VG_UNKNOWN)
        return;
    cr_assert_eq(found.major, major);
    cr_assert_eq(found.minor, minor);
    cr_assert(strstr(found.evidence, evidence), "evidence '%s' lacks '%s'", found.evidence,
              evidence);
}

Test(version_guard, versioned_name_decides_without_the_file_system) {
    expect(guard("nowhere/bin/python3.12", 3, 12), VG_MATCH, 3, 12, "name");
    expect(guard("nowhere/bin/python3.12", 3, 11), VG_MISMATCH, 3, 12, "name");
    expect(guard("nowhere/bin/pypy3.9", 3, 10), VG_MISMATCH, 3, 9, "name");
    expect(guard("nowhere/bin/python3.13t", 3, 13), VG_MATCH, 3, 13, "name");
}

Test(version_guard, symlink_to_a_versioned_name) {
    lay_exec("base/bin/python3.12");
    lay_symlink("python3.12", "base/bin/python3");
    expect(guard("base/bin/python3", 3, 11), VG_MISMATCH, 3, 12, "a symlink to python3.12");
    expect(guard("base/bin/python3", 3, 12), VG_MATCH, 3, 12, "python3.12");
}

Test(version_guard, chain_of_generic_names_across_directories) {
    lay_exec("opt/py/bin/python3.10");
    lay_symlink("python3.10", "opt/py/bin/python3");
    lay_symlink("../../opt/py/bin/python3", "usr/bin/python3");
    lay_symlink("python3", "usr/bin/python");
    expect(guard("usr/bin/python", 3, 11), VG_MISMATCH, 3, 10, "python3.10");
}

Test(version_guard, plain_file_with_its_stdlib_matches) {
    lay_exec("prefix/bin/python");
    lay_mkdir("prefix/lib/python3.11");
    expect(guard("prefix/bin/python", 3, 11), VG_MATCH, 3, 11, "lib/python3.11 exists");
}

Test(version_guard, lib64_and_free_threaded_stdlibs_match) {
    lay_exec("a/bin/python3");
    lay_mkdir("a/lib64/python3.12");
    expect(guard("a/bin/python3", 3, 12), VG_MATCH, 3, 12, "lib64/python3.12");
    lay_exec("b/bin/python3");
    lay_mkdir("b/lib/python3.13t");
    expect(guard("b/bin/python3", 3, 13), VG_MATCH, 3, 13, "python3.13t");
}

Test(version_guard, plain_file_upgraded_in_place) {
    lay_exec("prefix/bin/python");
    lay_write("prefix/lib/python3.12/os.py", "");
    expect(guard("prefix/bin/python", 3, 11), VG_MISMATCH, 3, 12, "prefix/lib/python3.12");
}

Test(version_guard, stdlib_of_the_symlinks_final_file_counts) {
    lay_exec("real/bin/python");
    lay_write("real/lib/python3.9/os.py", "");
    lay_mkdir("link/lib/python3.11"); /* the link's own prefix is no evidence */
    lay_symlink("../../real/bin/python", "link/bin/python");
    expect(guard("link/bin/python", 3, 11), VG_MISMATCH, 3, 9, "real/lib/python3.9");
}

Test(version_guard, leftover_directory_without_os_py_is_no_evidence) {
    lay_exec("prefix/bin/python");
    lay_mkdir("prefix/lib/python3.10/site-packages");
    expect(guard("prefix/bin/python", 3, 11), VG_UNKNOWN, 0, 0, NULL);
}

Test(version_guard, no_evidence_at_all) {
    lay_exec("prefix/bin/python");
    expect(guard("prefix/bin/python", 3, 11), VG_UNKNOWN, 0, 0, NULL);
    lay_exec("x/bin/custom-interpreter");
    lay_write("x/lib/python3.12/os.py", "");
    expect(guard("x/bin/custom-interpreter", 3, 11), VG_UNKNOWN, 0, 0, NULL);
}

Test(version_guard, symlink_loop_is_unknown) {
    lay_symlink("python", "loop/bin/python3");
    lay_symlink("python3", "loop/bin/python");
    expect(guard("loop/bin/python3", 3, 11), VG_UNKNOWN, 0, 0, NULL);
}

Test(version_guard, pypy_stdlib) {
    lay_exec("pp/bin/pypy3");
    lay_write("pp/lib/pypy3.9/os.py", "");
    expect(guard("pp/bin/pypy3", 3, 10), VG_MISMATCH, 3, 9, "pypy3.9");
}

Test(version_guard, python_names) {
    cr_assert(pyname_family("python"));
    cr_assert(pyname_family("python3.12"));
    cr_assert(pyname_family("pypy3"));
    cr_assert_not(pyname_family("sh"));
    cr_assert_not(pyname_family("py"));
    cr_assert_not(pyname_family(""));
}
