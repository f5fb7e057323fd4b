/* Systems without an exchanging rename (the BSDs; macOS could use
 * renameatx_np(RENAME_SWAP), not wired yet): dir_exchange says ENOSYS and
 * venvshim upgrade falls back to two renames. */
#include "dir_swap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int dir_exchange(int dirfd, const char *a, const char *b) {
    (void)dirfd, (void)a, (void)b;
    errno = ENOSYS;
    return -1;
}

int dir_rename_noreplace(int dirfd, const char *from, const char *to) {
    if (faccessat(dirfd, to, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    return renameat(dirfd, from, dirfd, to);
}

int dir_sync_fs(int fd) {
    (void)fd;
    sync();
    return 0;
}
