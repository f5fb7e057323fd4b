/* The ownership rule and its walk (launcher/cli/owner_rule.c), the one
 * implementation behind venv_access.c (venvs) and safe_exec.c (interpreters
 * to run): who owns and who may write each directory, link and file the walk
 * passes, on real layouts under /tmp (sticky and root's, fine above).
 * Another user's files need root (chown); without it those tests are skipped
 * and say so. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/owner_rule.h"
#include "layout.h"

#define OTHER_UID 4243 /* nobody's: owns what "another user" owns */

TestSuite(owner_rule, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

static owner_trail trail;
static char resolved[PATH_MAX];

/* owner_walk of rel (in the layout) with flags; the descriptor is closed.
 * 0, or the errno. */
static int walk(const char *rel, unsigned flags) {
    owner_trail_free(&trail);
    bool missing;
    int fd = owner_walk(lay_path(rel), flags, &trail, resolved, &missing);
    int e = errno;
    if (fd < 0)
        return e;
    close(fd);
    return 0;
}

/* The first step of the last walk that breaks the rule for uid, as
 * "path verdict" ("" when none). */
static const char *violation(uid_t uid) {
    static char text[PATH_MAX + 32];
    owner_verdict why;
    int bad = owner_first_violation(&trail, uid, &why);
    if (bad < 0)
        return "";
    snprintf(text, sizeof text, "%s %s", trail.steps[bad].path,
             why == OWNER_NOT_OWNED ? "not-owned" : "writable");
    return text;
}

static const char *expect(const char *rel, const char *verdict) {
    static char text[PATH_MAX + 32];
    snprintf(text, sizeof text, "%s %s", lay_path(rel), verdict);
    return text;
}

static void need_root(void) {
    if (geteuid() != 0)
        cr_skip_test("needs root: gives files to another user (chown)");
}

static void give_away(const char *rel) {
    cr_assert_eq(lchown(lay_path(rel), OTHER_UID, -1), 0, "lchown %s: %s", rel, strerror(errno));
}

Test(owner_rule, callers_own_venv_is_fine) {
    lay_mkdir("home/v/bin");
    lay_chmod("home", 0755);
    cr_assert_eq(walk("home/v", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), "");
    cr_assert_str_eq(resolved, lay_path("home/v"));
    /* every directory from / on is recorded, the venv last as the place */
    cr_assert_str_eq(trail.steps[0].path, "/");
    cr_assert_eq(trail.steps[trail.n - 1].kind, OWNER_STEP_OWN);
}

Test(owner_rule, roots_directories_are_fine_for_any_caller) {
    need_root(); /* the layout is root's only when root made it */
    lay_mkdir("opt/py/bin");
    cr_assert_eq(walk("opt/py/bin", 0), 0);
    cr_assert_str_eq(violation(OTHER_UID + 1), "");
}

Test(owner_rule, another_users_directory_is_not_owned) {
    need_root();
    lay_mkdir("home/them/v");
    give_away("home/them");
    cr_assert_eq(walk("home/them/v", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(0), expect("home/them", "not-owned")); /* root is fine, not them */
    cr_assert_str_eq(violation(geteuid()), expect("home/them", "not-owned"));
    cr_assert_str_eq(violation(OTHER_UID), ""); /* for its owner the rule holds */
}

Test(owner_rule, group_or_world_writable_directory_is_writable) {
    lay_mkdir("a/v");
    lay_chmod("a", 0775);
    cr_assert_eq(walk("a/v", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), expect("a", "writable"));
    lay_chmod("a", 0757);
    cr_assert_eq(walk("a/v", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), expect("a", "writable"));
    lay_chmod("a", 0755);
    lay_chmod("a/v", 0775); /* the venv itself */
    cr_assert_eq(walk("a/v", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), expect("a/v", "writable"));
}

Test(owner_rule, writable_program_is_writable) {
    lay_exec("bin/python3");
    lay_chmod("bin/python3", 0757);
    cr_assert_eq(walk("bin/python3", OWNER_WALK_PROGRAM), 0);
    cr_assert_str_eq(violation(geteuid()), expect("bin/python3", "writable"));
}

Test(owner_rule, sticky_directory_is_fine_above_not_as_the_place) {
    lay_mkdir("shared/v");
    lay_chmod("shared", 01777);
    cr_assert_eq(walk("shared/v", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), "");
    /* a venv, or a directory a program reads pyvenv.cfg from, is no /tmp */
    cr_assert_eq(walk("shared", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), expect("shared", "writable"));
    cr_assert_eq(walk("shared", 0), 0);
    cr_assert_str_eq(violation(geteuid()), expect("shared", "writable"));
    /* a PATH entry may be: each program in it is judged by itself */
    cr_assert_eq(walk("shared", OWNER_WALK_SHARED), 0);
    cr_assert_str_eq(violation(geteuid()), "");
}

Test(owner_rule, another_users_link_in_a_sticky_directory_is_not_owned) {
    need_root();
    lay_mkdir("real/v");
    lay_mkdir("shared");
    lay_chmod("shared", 01777);
    lay_symlink(lay_path("real/v"), "shared/link");
    give_away("shared/link");
    cr_assert_eq(walk("shared/link", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), expect("shared/link", "not-owned"));
    cr_assert_str_eq(resolved, lay_path("real/v"));
    /* in a directory only its owner can write, the directory's owner chose it */
    lay_mkdir("mine");
    lay_symlink(lay_path("real/v"), "mine/link");
    give_away("mine/link");
    cr_assert_eq(walk("mine/link", OWNER_WALK_READABLE), 0);
    cr_assert_str_eq(violation(geteuid()), "");
}

Test(owner_rule, directory_a_link_sits_in_is_judged) {
    need_root();
    /* realpath(theirs/link) = real: theirs/ would never be looked at */
    lay_mkdir("real/bin");
    lay_mkdir("theirs");
    lay_symlink("../real", "theirs/link");
    give_away("theirs");
    cr_assert_eq(walk("theirs/link/bin", 0), 0);
    cr_assert_str_eq(resolved, lay_path("real/bin"));
    cr_assert_str_eq(violation(geteuid()), expect("theirs", "not-owned"));
}

Test(owner_rule, component_swapped_for_a_link_is_walked_as_a_link) {
    need_root();
    lay_mkdir("v/bin");
    lay_mkdir("theirs/bin");
    give_away("theirs");
    cr_assert_eq(walk("v/bin", 0), 0);
    cr_assert_str_eq(violation(geteuid()), "");
    /* v swapped for a link to another user's directory: no longer fine */
    cr_assert_eq(rename(lay_path("v"), lay_path("old")), 0);
    lay_symlink(lay_path("theirs"), "v");
    cr_assert_eq(walk("v/bin", 0), 0);
    cr_assert_str_eq(resolved, lay_path("theirs/bin"));
    cr_assert_str_eq(violation(geteuid()), expect("theirs", "not-owned"));
}

Test(owner_rule, descriptor_stays_what_was_judged_after_a_swap) {
    lay_mkdir("v/bin");
    owner_trail_free(&trail);
    bool missing;
    int fd = owner_walk(lay_path("v"), OWNER_WALK_READABLE, &trail, NULL, &missing);
    cr_assert_geq(fd, 0);
    cr_assert_eq(rename(lay_path("v"), lay_path("judged")), 0);
    lay_mkdir("v/bin"); /* another directory under the old name */
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    const struct stat *judged = &trail.steps[trail.n - 1].st;
    cr_assert(st.st_ino == judged->st_ino && st.st_dev == judged->st_dev);
    struct stat now;
    cr_assert_eq(stat(lay_path("v"), &now), 0);
    cr_assert_neq(now.st_ino, judged->st_ino);
    close(fd);
}

Test(owner_rule, program_is_a_regular_file_reached_through_links) {
    lay_exec("real/bin/python3.11");
    lay_symlink("python3.11", "real/bin/python3");
    cr_assert_eq(walk("real/bin/python3", OWNER_WALK_PROGRAM), 0);
    cr_assert_str_eq(resolved, lay_path("real/bin/python3.11"));
    cr_assert_eq(trail.steps[trail.n - 2].kind, OWNER_STEP_LINK);
    cr_assert_eq(trail.steps[trail.n - 1].kind, OWNER_STEP_OWN);
    lay_fifo("real/bin/fifo"); /* never opened: it would block */
    cr_assert_eq(walk("real/bin/fifo", OWNER_WALK_PROGRAM), EACCES);
    cr_assert_eq(walk("real/bin", OWNER_WALK_PROGRAM), EACCES);
    cr_assert_eq(walk("real/bin/python3/", OWNER_WALK_PROGRAM), ENOTDIR);
}

Test(owner_rule, partial_walk_stops_at_the_missing_component) {
    lay_mkdir("a");
    owner_trail_free(&trail);
    bool missing;
    errno = EINVAL;
    int fd = owner_walk(lay_path("a/new/venv"), OWNER_WALK_PARTIAL, &trail, NULL, &missing);
    cr_assert_eq(fd, -1);
    cr_assert_eq(errno, 0);
    cr_assert(missing);
    cr_assert_str_eq(trail.steps[trail.n - 1].path, lay_path("a"));
    cr_assert_eq(walk("a/new/venv", 0), ENOENT);
}
