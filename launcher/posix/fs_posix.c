/* POSIX implementation of fs.h. */
#include "../fs.h"
#include "../path.h"
#include "fs_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* POSIX 2008's st_ctim; macOS spells it st_ctimespec */
#ifdef __APPLE__
#define CHANGE_TIME(st) ((st)->st_ctimespec)
#else
#define CHANGE_TIME(st) ((st)->st_ctim)
#endif

static void fill_info(fs_info *info, const struct stat *st) {
    if (S_ISREG(st->st_mode))
        info->kind = FS_FILE;
    else if (S_ISDIR(st->st_mode))
        info->kind = FS_DIR;
    else
        info->kind = FS_OTHER;
    info->executable = (st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
    info->size = (long long)st->st_size;
    info->id.dev = (uint64_t)st->st_dev;
    info->id.ino = (uint64_t)st->st_ino;
    info->changed_ns =
        (long long)CHANGE_TIME(st).tv_sec * 1000000000LL + (long long)CHANGE_TIME(st).tv_nsec;
    info->error = 0;
}

static fs_opener opener; /* NULL in the launcher (fs_posix.h) */

void fs_posix_set_opener(fs_opener chosen) {
    opener = chosen;
}

/* Open path for reading, with its fstat in *st: a descriptor (of any kind of
 * file: the callers check), or -1 with errno and st->st_mode 0 unless the
 * opener found something it would not open. The launcher's way is one open(2)
 * and one fstat(2). No O_CLOEXEC: every reader closes before any exec, and
 * musl would spend an extra fcntl(2) on it. */
static int open_stat(const char *path, fs_open_purpose purpose, struct stat *st) {
    if (opener)
        return opener(path, purpose, st);
    st->st_mode = 0;
    /* O_NONBLOCK: opening a FIFO must not hang the launcher */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd >= 0 && fstat(fd, st) != 0) {
        int error = errno;
        close(fd);
        st->st_mode = 0;
        errno = error;
        return -1;
    }
    return fd;
}

fs_info fs_stat(const char *path) {
    fs_info info;
    memset(&info, 0, sizeof info);
    struct stat st;
    if (stat(path, &st) != 0) {
        info.kind = FS_MISSING;
        info.error = errno;
        return info;
    }
    fill_info(&info, &st);
    return info;
}

fs_info fs_probe(const char *path, unsigned char *head, size_t cap, long *head_len) {
    *head_len = -1;
    fs_info info;
    memset(&info, 0, sizeof info);
    struct stat st;
    int fd = open_stat(path, FS_OPEN_BINARY, &st);
    if (fd < 0) {
        int error = errno;
        if (st.st_mode != 0) { /* the opener looked and did not open */
            fill_info(&info, &st);
            return info;
        }
        if (!opener && error != ENOENT && error != ENOTDIR && error != ELOOP &&
            error != ENAMETOOLONG)
            return fs_stat(path); /* it exists (execute-only?): stat says what it is */
        info.kind = FS_MISSING;
        info.error = error;
        return info;
    }
    fill_info(&info, &st);
    if (info.kind == FS_FILE && info.executable && cap > 0) {
        ssize_t n;
        while ((n = read(fd, head, cap)) < 0 && errno == EINTR)
            ;
        *head_len = n;
    }
    close(fd);
    return info;
}

long fs_readlink(const char *path, char *buf, size_t cap, int *error) {
    ssize_t n = readlink(path, buf, cap);
    if (n < 0 || (size_t)n >= cap) {
        if (error)
            *error = n < 0 ? errno : ENAMETOOLONG;
        return -1;
    }
    buf[n] = '\0';
    return (long)n;
}

fs_read_status fs_read_small_file(const char *path, char *buf, size_t cap, size_t *len, fs_id *id,
                                  int *error) {
    *len = 0;
    *error = 0;
    struct stat st;
    int fd = open_stat(path, FS_OPEN_CONFIG, &st);
    if (fd < 0) {
        *error = errno;
        if (st.st_mode != 0)
            return READ_NOT_REGULAR; /* the opener saw it and left it closed */
        return errno == ENOENT || errno == ENOTDIR ? READ_MISSING : READ_ERROR;
    }
    fs_read_status status = READ_OK;
    if (!S_ISREG(st.st_mode)) {
        status = READ_NOT_REGULAR;
    } else if ((unsigned long long)st.st_size >= cap) {
        status = READ_TOO_LARGE;
    } else {
        id->dev = (uint64_t)st.st_dev;
        id->ino = (uint64_t)st.st_ino;
        /* st_size bytes; a short count means EOF (the file shrank). */
        size_t total = 0;
        size_t want = (size_t)st.st_size;
        while (total < want) {
            ssize_t n = read(fd, buf + total, want - total);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                *error = errno;
                status = READ_ERROR;
                break;
            }
            if (n == 0)
                break;
            total += (size_t)n;
        }
        *len = total;
        buf[total < cap ? total : cap] = '\0';
    }
    close(fd);
    return status;
}

bool fs_getcwd(char *buf, size_t cap) {
    return getcwd(buf, cap) != NULL;
}

bool fs_realpath(const char *path, char *out) {
    return realpath(path, out) != NULL; /* out has VS_PATH_MAX >= PATH_MAX bytes: no heap */
}

bool fs_self_info(fs_info *info) {
    /* The running executable does not change: asked once (locate and resolve
     * both need it), so no path is stat'ed twice. */
    static bool asked, known;
    static fs_info self_info;
    if (!asked) {
        static char self[VS_PATH_MAX];
        const char *path = fs_self_link();
        if (!path && fs_self_exe(self, sizeof self))
            path = self;
        if (path)
            self_info = fs_stat(path);
        known = path && self_info.kind == FS_FILE;
        asked = true;
    }
    *info = self_info;
    return known;
}

bool fs_same_contents(const char *a, const char *b) {
    struct stat st;
    int fa = open_stat(a, FS_OPEN_BINARY, &st);
    if (fa >= 0 && !S_ISREG(st.st_mode)) {
        close(fa);
        fa = -1;
    }
    if (fa < 0)
        return false;
    int fb = open_stat(b, FS_OPEN_BINARY, &st);
    if (fb >= 0 && !S_ISREG(st.st_mode)) {
        close(fb);
        fb = -1;
    }
    if (fb < 0) {
        close(fa);
        return false;
    }
    bool same = true;
    static char ba[4096], bb[4096];
    for (;;) {
        ssize_t na = read(fa, ba, sizeof ba);
        ssize_t nb = read(fb, bb, sizeof bb);
        if (na < 0 || nb < 0 || na != nb || memcmp(ba, bb, (size_t)na) != 0) {
            same = false;
            break;
        }
        if (na == 0)
            break;
    }
    close(fa);
    close(fb);
    return same;
}

bool fs_file_open(const char *path, fs_file *file, int *error) {
    *error = 0;
    struct stat st;
    int fd = open_stat(path, FS_OPEN_BINARY, &st);
    file->handle = -1;
    if (fd < 0) {
        *error = st.st_mode != 0 ? 0 : errno; /* 0: there, but not a regular file */
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return false;
    }
    file->handle = fd;
    file->size = (long long)st.st_size;
    return true;
}

long fs_file_read_at(const fs_file *file, void *buf, size_t n, long long offset) {
    size_t total = 0;
    while (total < n) {
        ssize_t got =
            pread((int)file->handle, (char *)buf + total, n - total, (off_t)(offset + total));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        total += (size_t)got;
    }
    return (long)total;
}

void fs_file_close(fs_file *file) {
    if (file->handle >= 0)
        close((int)file->handle);
    file->handle = -1;
}

const char *fs_error_text(int error) {
    return strerror(error);
}

bool fs_error_is_missing(int error) {
    return error == ENOENT;
}

bool fs_error_is_denied(int error) {
    return error == EACCES;
}

bool fs_error_is_exhausted(int error) {
    return error == EMFILE || error == ENFILE || error == ENOMEM;
}

void fs_write_all(int fd, const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}
