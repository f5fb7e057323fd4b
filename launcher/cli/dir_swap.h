/* Exchanging two directory entries in one step, for venvshim upgrade: after
 * the exchange the name that held the old venv holds the new one and the
 * other name the old one; a crash leaves either both as before or both
 * swapped, never a missing name. Platform code (dir_swap_linux.c,
 * dir_swap_macos.c, dir_swap_other.c), one file chosen by meson. */
#ifndef VENVSHIM_DIR_SWAP_H
#define VENVSHIM_DIR_SWAP_H

/* Exchange dirfd/a and dirfd/b atomically. 0, or -1 with errno (EINVAL or
 * ENOSYS: this system or file system cannot; the caller falls back). */
int dir_exchange(int dirfd, const char *a, const char *b);

/* Rename dirfd/from to dirfd/to, failing with EEXIST rather than replacing
 * anything at to. 0 or -1 with errno. */
int dir_rename_noreplace(int dirfd, const char *from, const char *to);

/* Flush the file system holding fd (the new venv before it is swapped in). */
int dir_sync_fs(int fd);

#endif
