/* The launcher's narrow window onto the operating system's file system.
 * Everything above this interface (locate, resolve, plan) is plain C that can
 * be tested on directory layouts; launcher/posix/fs_posix.c and
 * launcher/win/fs_win.c implement it. Each call is one system call unless
 * noted.
 *
 * An `error` value is the OS's own (errno on POSIX, GetLastError() on
 * Windows): the core never compares it with a constant, it asks
 * fs_error_is_missing and shows fs_error_text. */
#ifndef VENVSHIM_FS_H
#define VENVSHIM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { FS_MISSING = 0, FS_FILE, FS_DIR, FS_OTHER } fs_kind;

typedef struct {
    uint64_t dev, ino; /* identity, for loop detection */
} fs_id;

typedef struct {
    fs_kind kind;
    bool executable; /* any execute bit set (as CPython's isxfile checks) */
    long long size;
    fs_id id;
    long long changed_ns; /* status change time (st_ctim), 0 where not known */
    int error;            /* the OS error when kind == FS_MISSING (see fs_error_is_missing) */
} fs_info;

/* stat(2), following symlinks. */
fs_info fs_stat(const char *path);

/* What stat(2) says about path, plus up to cap of its first bytes when it is
 * an executable regular file (*head_len: the count, or -1 when not read), from
 * one open: the base interpreter's `#!` line (shebang.c) costs no second look
 * at the path. Opens non-blocking (a FIFO never hangs it); when the file
 * cannot be opened for reading (execute-only, a socket) it is stat(2)'ed. */
fs_info fs_probe(const char *path, unsigned char *head, size_t cap, long *head_len);

/* readlink(2) into buf (NUL-terminated). Returns the length, or -1 when path
 * is not a symlink or cannot be read (the OS error in *error if not NULL). */
long fs_readlink(const char *path, char *buf, size_t cap, int *error);

typedef enum {
    READ_OK = 0,
    READ_MISSING,     /* no such file */
    READ_NOT_REGULAR, /* exists, but a directory, FIFO, socket, ... */
    READ_TOO_LARGE,   /* cap bytes or more */
    READ_ERROR,       /* open/read failed: permissions, I/O (the OS error in *error) */
} fs_read_status;

/* Read a whole small regular file: open, fstat, read, close. Never blocks on
 * a FIFO. *len excludes the NUL written after the data (buf needs cap + 1). */
fs_read_status fs_read_small_file(const char *path, char *buf, size_t cap, size_t *len, fs_id *id,
                                  int *error);

/* getcwd(3). */
bool fs_getcwd(char *buf, size_t cap);

/* realpath(3) into out (VS_PATH_MAX bytes). Several system calls: only for
 * rare paths (macOS framework builds). */
bool fs_realpath(const char *path, char *out);

/* ---- implemented by the per-OS file: platform_linux.c, platform_bsd.c,
 *      platform_macos.c, platform_other.c ---- */

/* The running executable's path as the OS reports it (Linux /proc/self/exe,
 * FreeBSD/NetBSD sysctl KERN_PROC_PATHNAME, macOS _NSGetExecutablePath).
 * False where the platform cannot say (OpenBSD): argv[0] is all there is. */
bool fs_self_exe(char *buf, size_t cap);

/* A path that stat(2) follows to the running executable (Linux:
 * /proc/self/exe), or NULL: saves a readlink on the loop check. */
const char *fs_self_link(void);

/* The running executable's first bytes as the loader mapped them, *len of
 * them, read without a system call; NULL where the platform cannot say. Lets
 * the loop check tell a base from this launcher by its first bytes: a
 * process's first look at /proc/self costs 10-20 µs, more than the rest of
 * a resolution (docs/hacking.md, "Where a start goes"). */
const unsigned char *fs_self_head(size_t *len);

/* ---- */

/* Identity of the running executable (fs_posix.c, from the two above). */
bool fs_self_info(fs_info *info);

/* True when both regular files have the same bytes (rare path: used only to
 * catch a copy of the launcher posing as a base interpreter). */
bool fs_same_contents(const char *a, const char *b);

/* An open regular file, for reading pieces of it (the script launcher reads
 * its own head and tail). */
typedef struct {
    intptr_t handle; /* a POSIX file descriptor, or a Windows HANDLE */
    long long size;
} fs_file;

/* open + fstat: false (the OS error in *error) when it cannot be opened or is not a
 * regular file (*error 0 then). */
bool fs_file_open(const char *path, fs_file *file, int *error);

/* Up to n bytes at offset (pread); the count read, or -1. */
long fs_file_read_at(const fs_file *file, void *buf, size_t n, long long offset);

void fs_file_close(fs_file *file);

/* strerror(3)-like text for an error value, without locale machinery. */
const char *fs_error_text(int error);

/* The error says "no such file": POSIX ENOENT; Windows ERROR_FILE_NOT_FOUND
 * or ERROR_PATH_NOT_FOUND. */
bool fs_error_is_missing(int error);

/* The error says "permission denied": POSIX EACCES; Windows
 * ERROR_ACCESS_DENIED. */
bool fs_error_is_denied(int error);

/* The error says the process or the system ran out of something, not that
 * the file is wrong: POSIX EMFILE, ENFILE (file descriptors), ENOMEM;
 * Windows ERROR_TOO_MANY_OPEN_FILES, ERROR_NOT_ENOUGH_MEMORY,
 * ERROR_OUTOFMEMORY, ERROR_NO_SYSTEM_RESOURCES. */
bool fs_error_is_exhausted(int error);

/* Write all of s to standard output (fd 1) or standard error (fd 2),
 * retrying short writes; errors are ignored (there is nowhere to report
 * them). */
void fs_write_all(int fd, const char *s);

#endif
