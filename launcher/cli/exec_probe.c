/* Can a program in this venv's bin/ be executed at all? Not on a file system
 * mounted noexec (nor where a security module forbids it): a symlink venv
 * still works there, because its bin/python runs the base from elsewhere,
 * but a launcher copied into bin/ cannot start.
 *
 * Decided without running anything the caller does not own, and without
 * looking a name up after the decision (root may run this in a venv whose
 * owner can rename bin/ or the venv at any moment):
 * 1. fstatvfs(2) of the bin/ descriptor: ST_NOEXEC of the very mount it is on.
 * 2. What the mount flags do not say (a security module's policy) is asked
 *    by a trial exec, but of a descriptor, never of a path: the copy of the
 *    launcher is a new file (O_EXCL, O_NOFOLLOW) written by the caller, mode
 *    0700, so no other user can write it; a read-only descriptor of it is
 *    opened through /proc/self/fd of the written one (no name is looked up)
 *    and checked to be that inode (st_dev, st_ino); the written descriptor is
 *    closed only then, before the exec (else ETXTBSY); the child runs
 *    fexecve(2) of the read-only one. A swap of bin/, of the venv or of the
 *    temporary name changes what a name means, never what a descriptor is:
 *    the only program that can run is the caller's own copy of the launcher,
 *    with PYLAUNCHER_DRYRUN=1 (it prints its plan and exits). The kernel
 *    applies the same noexec and security-module checks to fexecve as to
 *    execve of the path. test_trust_owner.py records every exec of install,
 *    rebase, create and check --fix. */
/* ST_NOEXEC (glibc); where statvfs has no such flag, the trial exec decides */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../path.h"
#include "cli.h"

/* Write the copy through its own descriptor; the written descriptor (still
 * open) and its fstat, or -1. */
static int write_copy(staged_file *s, int bin_fd, const char *launcher, size_t len,
                      struct stat *st) {
    int fd = staged_open_at(s, bin_fd, "python", "bin/python");
    if (fd < 0)
        return -1;
    bool ok = fchmod(fd, 0700) == 0;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, launcher + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    if (ok && fstat(fd, st) == 0)
        return fd;
    close(fd);
    return -1;
}

/* A read-only descriptor of the inode written (its written descriptor wfd),
 * or -1. Reopened through /proc/self/fd, not by its name in bin/: a name
 * the owner of bin/ swapped for a FIFO or a device is never opened. Without
 * /proc there is no trial exec (the mount flags decide alone). */
static int reopen_verified(int wfd, const struct stat *written) {
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", wfd);
    int fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == written->st_dev &&
        st.st_ino == written->st_ino && S_ISREG(st.st_mode))
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

/* fexecve(fd) in a child with its output discarded: 0 when the exec
 * happened, else its errno. */
static int trial_exec(int fd) {
    int report[2];
    if (pipe(report) != 0)
        return 0;
    fcntl(report[0], F_SETFD, FD_CLOEXEC);
    fcntl(report[1], F_SETFD, FD_CLOEXEC); /* closed by a successful exec: EOF */
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY | O_NOCTTY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        /* argv[0] empty: the launcher asks the OS where it is */
        char *argv[] = {"", "-c", "pass", NULL};
        char *envp[] = {"PYLAUNCHER_DRYRUN=1", NULL};
        fexecve(fd, argv, envp);
        int e = errno;
        if (write(report[1], &e, sizeof e) != (ssize_t)sizeof e)
            e = 0;
        _exit(127);
    }
    close(report[1]);
    int error = 0;
    if (pid > 0) {
        while (read(report[0], &error, sizeof error) < 0 && errno == EINTR)
            ;
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(report[0]);
    return error;
}

int bin_exec_error(int bin_fd, const char *launcher, size_t len) {
#ifdef ST_NOEXEC
    struct statvfs vfs;
    if (fstatvfs(bin_fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
        return EACCES;
#endif
    static staged_file s;
    struct stat written;
    int wfd = write_copy(&s, bin_fd, launcher, len, &written);
    if (wfd < 0) {
        staged_discard(&s);
        return 0; /* the real write reports it */
    }
    int rfd = reopen_verified(wfd, &written);
    close(wfd);
    int error = rfd >= 0 ? trial_exec(rfd) : 0;
    if (rfd >= 0)
        close(rfd);
    staged_discard(&s);
    return error == EACCES || error == EPERM ? error : 0;
}

int venv_exec_error(int bin_fd) {
    char launcher[VS_PATH_MAX];
    if (!find_launcher(launcher, sizeof launcher))
        return 0;
    size_t len;
    char *data = read_whole_file(launcher, &len);
    int error = data ? bin_exec_error(bin_fd, data, len) : 0;
    free(data);
    return error;
}
