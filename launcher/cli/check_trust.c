/* Who, besides the venv's owner, may change what the venv runs: its
 * directory and every parent (a writable parent lets its writer swap the
 * whole venv), pyvenv.cfg (it names the base), bin/ and the files in it (the
 * launchers and scripts that run). A directory with the sticky bit (/tmp) is
 * fine: others cannot rename or remove what they do not own in it. root owns
 * everything anyway, so files owned by root or by the venv's owner are fine.
 * check runs the base and writes with --fix only where nobody else can
 * interfere (SECURITY.md). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../path.h"
#include "check.h"
#include "cli.h"

/* "g-w" / "o-w" / "go-w" for a mode others may write, else NULL. */
static const char *write_fix(const struct stat *st) {
    if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
        return NULL;
    bool g = st->st_mode & S_IWGRP, o = st->st_mode & S_IWOTH;
    return g && o ? "go-w" : g ? "g-w" : o ? "o-w" : NULL;
}

/* One problem finding when users other than owner may change path (as
 * described by st). what: "pyvenv.cfg", "a parent of the venv", ... True
 * when it found one. */
static bool judge(report *r, const char *path, const struct stat *st, uid_t owner, const char *what,
                  const char *consequence) {
    const char *fix = write_fix(st);
    static char command[SHELL_FIX_CAP];
    if (fix) {
        snprintf(command, sizeof command, "chmod %s %s", fix, shell_word(path));
        report_add_fix(r, "trust", FIND_PROBLEM, path, command,
                       "%s (%s) is writable by %s (mode %04o): %s; fix: ", path, what,
                       fix[1] == 'o'   ? "its group and everyone"
                       : fix[0] == 'g' ? "its group"
                                       : "everyone",
                       (unsigned)(st->st_mode & 07777), consequence);
        return true;
    }
    if (st->st_uid != owner && st->st_uid != 0) {
        snprintf(command, sizeof command, "chown %lu %s", (unsigned long)owner, shell_word(path));
        report_add_fix(r, "trust", FIND_PROBLEM, path, command,
                       "%s (%s) is owned by uid %lu, not by the venv's owner (uid %lu): %s; fix "
                       "(as root): ",
                       path, what, (unsigned long)st->st_uid, (unsigned long)owner, consequence);
        return true;
    }
    return false;
}

/* dir and each of its parents up to "/". */
static int judge_parents(report *r, const char *dir, uid_t owner, const char *what,
                         const char *consequence) {
    char p[VS_PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    int found = 0;
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0)
            found += judge(r, p, &st, owner, what, consequence);
        if (strcmp(p, "/") == 0 || !p[0])
            return found;
        path_dirname(p);
    }
}

/* Regular files directly in bin/ (symlinks are judged where they point: the
 * base, or a script check reads). */
static int judge_bin_files(report *r, const char *bin, uid_t owner) {
    size_t count;
    char **names = dir_names_at(AT_FDCWD, bin, NULL, &count);
    int found = 0;
    for (size_t i = 0; i < count; i++) {
        char path[VS_PATH_MAX];
        struct stat st;
        if (path_join(path, sizeof path, bin, names[i]) && lstat(path, &st) == 0 &&
            S_ISREG(st.st_mode))
            found += judge(r, path, &st, owner, "a program in bin/",
                           "another user can change what it runs");
    }
    dir_names_free(names, count);
    return found;
}

void check_trust(const char *venv, report *r, venv_trust *t) {
    memset(t, 0, sizeof *t);
    struct stat st;
    if (stat(venv, &st) != 0)
        return; /* reported with pyvenv.cfg */
    t->owner = st.st_uid;
    int found = 0;
    char parent[VS_PATH_MAX];
    snprintf(parent, sizeof parent, "%s", venv);
    path_dirname(parent);
    found +=
        judge(r, venv, &st, t->owner, "the venv", "another user can replace pyvenv.cfg or bin/");
    found += judge_parents(r, parent, t->owner, "a parent of the venv",
                           "another user can replace the whole venv");
    char cfg[VS_PATH_MAX], bin[VS_PATH_MAX];
    if (path_join(cfg, sizeof cfg, venv, "pyvenv.cfg") && stat(cfg, &st) == 0)
        found += judge(r, cfg, &st, t->owner, "pyvenv.cfg",
                       "another user can choose the interpreter it runs");
    if (path_join(bin, sizeof bin, venv, "bin") && lstat(bin, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            char target[VS_PATH_MAX];
            ssize_t n = readlink(bin, target, sizeof target - 1);
            target[n > 0 ? n : 0] = '\0';
            report_add(r, "trust", FIND_PROBLEM, bin,
                       "%s is a symlink to %s: a venv's bin/ is a directory of its own, and check "
                       "--fix does not write through it; recreate the venv",
                       bin, target);
            found++;
        } else if (S_ISDIR(st.st_mode)) {
            found +=
                judge(r, bin, &st, t->owner, "bin/", "another user can replace the programs in it");
            found += judge_bin_files(r, bin, t->owner);
        }
    }
    uid_t me = geteuid();
    t->problems = found;
    t->may_run = found == 0 && (t->owner == me || t->owner == 0);
    t->may_fix = found == 0 && t->owner == me;
    if (found == 0 && t->owner != me && t->owner != 0)
        report_add(r, "trust", FIND_INFO, venv,
                   "%s is owned by uid %lu and check runs as uid %lu: its base interpreter is not "
                   "run and --fix changes nothing; run check as its owner",
                   venv, (unsigned long)t->owner, (unsigned long)me);
}

bool check_trust_base(const char *base, uid_t owner, report *r) {
    char real[PATH_MAX], dir[VS_PATH_MAX];
    struct stat st;
    if (!realpath(base, real) || stat(real, &st) != 0)
        return true; /* nothing there to run: the launcher's plan said so */
    int found = judge(r, real, &st, owner, "the base interpreter",
                      "another user can change what the venv runs");
    if (st.st_mode & (S_ISUID | S_ISGID)) { /* no Python is; check would run it with privileges */
        report_add(r, "base", FIND_PROBLEM, real,
                   "%s has the set-%s-ID bit (mode %04o): not a Python interpreter, and not run",
                   real, st.st_mode & S_ISUID ? "user" : "group", (unsigned)(st.st_mode & 07777));
        found++;
    }
    snprintf(dir, sizeof dir, "%s", real);
    path_dirname(dir);
    found += judge_parents(r, dir, owner, "a directory of the base interpreter",
                           "another user can replace the interpreter the venv runs");
    return found == 0;
}
