/* Who could have put a program where the CLI found it (safe_exec.h). */
#include "safe_exec.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owner_rule.h"

/* u->why for step s of t, which breaks the rule (why). */
static void say_why(const owner_step *s, owner_verdict why, untrusted *u) {
    if (why == OWNER_NOT_OWNED) {
        struct passwd *pw = getpwuid(s->st.st_uid);
        snprintf(
            u->why, sizeof u->why, "%s%s is owned by %s (uid %ld), not by you or root", s->path,
            s->kind == OWNER_STEP_LINK ? " (a symbolic link in a directory others can write)" : "",
            pw ? pw->pw_name : "another user", (long)s->st.st_uid);
        return;
    }
    snprintf(u->why, sizeof u->why, "%s is writable by %s (mode %04o)", s->path,
             s->st.st_mode & S_IWOTH ? "every user" : "its group",
             (unsigned)(s->st.st_mode & 07777));
}

/* owner_walk(path, flags) judged for the caller: the descriptor, or -1 with
 * u->why set when the rule fails. A path that leads nowhere (missing, not a
 * directory, a loop) is an ordinary failure, whoever owns the directories it
 * passed: there is nothing to skip there. */
static int judged_walk(const char *path, unsigned flags, untrusted *u) {
    owner_trail t = {0};
    bool missing;
    int fd = owner_walk(path, flags, &t, NULL, &missing);
    int e = errno;
    owner_verdict why;
    int bad = fd < 0 && (e == ENOENT || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG)
                  ? -1
                  : owner_first_violation(&t, geteuid(), &why);
    if (bad >= 0) {
        say_why(&t.steps[bad], why, u);
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    owner_trail_free(&t);
    errno = e;
    return fd;
}

int safe_open_dir(const char *dir, untrusted *u) {
    u->why[0] = '\0';
    return judged_walk(dir, OWNER_WALK_SHARED, u);
}

int safe_open_program(const char *path, untrusted *u) {
    char dir[PATH_MAX];
    u->why[0] = '\0';
    /* CPython reads pyvenv.cfg next to the path it was started by and in
     * that directory's parent (getpath), wherever the path links to: a
     * link in another user's directory would let that user choose its home
     * and so its standard library. Both are judged too, as places read by
     * name: a sticky one (/tmp) is not fine there, as anyone may put a
     * pyvenv.cfg in it. */
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        slash[slash == dir] = '\0'; /* "/x" -> "/" */
        int fd = judged_walk(dir, 0, u);
        if (fd < 0)
            return -1;
        close(fd);
    }
    return judged_walk(path, OWNER_WALK_PROGRAM, u);
}
