/* Who could have put a program where the CLI found it (safe_exec.h). */
#include "safe_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH O_RDONLY /* not Linux: a directory is opened to be read */
#endif

/* True when st (of path) can be trusted; else u->why says why not. */
static bool judge(const char *path, const struct stat *st, untrusted *u) {
    uid_t me = geteuid();
    if (st->st_uid != 0 && st->st_uid != me) {
        struct passwd *pw = getpwuid(st->st_uid);
        snprintf(u->why, sizeof u->why, "%s is owned by %s (uid %ld), not by you or root", path,
                 pw ? pw->pw_name : "another user", (long)st->st_uid);
        return false;
    }
    if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
        return true; /* /tmp: others cannot rename what root or the caller owns in it
                      * (the ownership rule's exception too, venv_access.h) */
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(u->why, sizeof u->why, "%s is writable by %s (mode %04o)", path,
                 st->st_mode & S_IWOTH ? "every user" : "its group",
                 (unsigned)(st->st_mode & 07777));
        return false;
    }
    return true;
}

/* Open real (absolute, as realpath gives it) one component at a time from /,
 * never following a link, judging each directory and then the last
 * component (a directory, or with program a regular file). */
static int walk(const char *real, bool program, untrusted *u) {
    u->why[0] = '\0';
    if (real[0] != '/' || strlen(real) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char done[PATH_MAX] = "/";
    size_t done_len = 1;
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !judge("/", &st, u))
        goto fail;
    for (const char *p = real + 1; *p;) {
        size_t n = strcspn(p, "/");
        char name[NAME_MAX + 1];
        if (n == 0) {
            p++;
            continue;
        }
        if (n > NAME_MAX) {
            errno = ENAMETOOLONG;
            goto fail;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        p += strspn(p, "/");
        bool last = !*p;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            errno = EINVAL; /* realpath leaves none */
            goto fail;
        }
        snprintf(done + done_len, sizeof done - done_len, "%s%s", done_len > 1 ? "/" : "", name);
        done_len = strlen(done);
        int next;
        if (last && program) {
            /* the type first: a device or FIFO is never opened */
            if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                goto fail;
            if (!S_ISREG(st.st_mode)) {
                errno = S_ISLNK(st.st_mode) ? ELOOP : EACCES;
                goto fail;
            }
            next = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        } else {
            next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        close(fd);
        fd = next;
        if (fd < 0 || fstat(fd, &st) != 0)
            goto fail;
        if (last && program ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)) {
            errno = last && program ? EACCES : ENOTDIR; /* swapped since the look, or a link */
            goto fail;
        }
        if (!judge(done, &st, u))
            goto fail;
    }
    return fd;
fail:;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

int safe_open_dir(const char *dir, untrusted *u) {
    char real[PATH_MAX];
    u->why[0] = '\0';
    return realpath(dir, real) ? walk(real, false, u) : -1;
}

int safe_open_program(const char *path, untrusted *u) {
    char real[PATH_MAX], dir[PATH_MAX];
    u->why[0] = '\0';
    /* CPython reads pyvenv.cfg next to the path it was started by and in
     * that directory's parent (getpath), wherever the path links to: a
     * link in another user's directory would let that user choose its home
     * and so its standard library. Both are judged too. */
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        slash[slash == dir] = '\0'; /* "/x" -> "/" */
        int fd = safe_open_dir(dir, u);
        if (fd < 0)
            return -1;
        close(fd);
    }
    return realpath(path, real) ? walk(real, true, u) : -1;
}
