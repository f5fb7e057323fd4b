/* Linux: renameat2(2), RENAME_EXCHANGE and RENAME_NOREPLACE (3.15+; a file
 * system without them says EINVAL), called by number because older C
 * libraries have no wrapper; syncfs(2). */
#define _GNU_SOURCE
#include "dir_swap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int renameat2_(int dirfd, const char *from, const char *to, unsigned flags) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, dirfd, from, dirfd, to, flags);
#else
    (void)dirfd, (void)from, (void)to, (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

int dir_exchange(int dirfd, const char *a, const char *b) {
    return renameat2_(dirfd, a, b, RENAME_EXCHANGE);
}

int dir_rename_noreplace(int dirfd, const char *from, const char *to) {
    int rc = renameat2_(dirfd, from, to, RENAME_NOREPLACE);
    if (rc == 0 || (errno != EINVAL && errno != ENOSYS))
        return rc;
    /* no RENAME_NOREPLACE here: renameat(2) replaces only an empty
     * directory, and a file or non-empty directory at to is refused */
    if (faccessat(dirfd, to, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    return renameat(dirfd, from, dirfd, to);
}

int dir_sync_fs(int fd) {
    return syncfs(fd);
}
