/* O_PATH (Linux) is a GNU extension in glibc's headers: pin_at below. */
#define _GNU_SOURCE 1

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../path.h"
#include "cli.h"

/* What name leads to, pinned without opening it for reading: an O_PATH
 * descriptor (Linux) of the very file, whose fstat is *seen, so the open
 * that follows reads that file and nothing swapped in since. Where there is
 * no O_PATH, -1 and *seen from stat(2) (fstatat), and the open that follows
 * is checked against it afterwards. -2 with errno when name cannot be looked
 * at. */
static int pin_at(int dirfd, const char *name, bool follow, struct stat *seen) {
#ifdef O_PATH
    int pin = openat(dirfd, name, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (pin >= 0 && fstat(pin, seen) == 0)
        return pin;
    int e = errno;
    if (pin >= 0)
        close(pin);
    errno = e;
    return -2;
#else
    return fstatat(dirfd, name, seen, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0 ? -1 : -2;
#endif
}

/* A final symbolic link is followed only when nobody but its target's owner
 * chose it: the link is root's or the caller's, or its owner owns the target
 * (and could read it anyway); with READ_LINK_PUBLIC, also a target everyone
 * may read (an interpreter in /usr/bin). */
static bool link_may_lead_to(const struct stat *link, const struct stat *target, int flags) {
    if (!(flags & READ_LINK_OWNER) || link->st_uid == 0 || link->st_uid == geteuid() ||
        link->st_uid == target->st_uid)
        return true;
    return (flags & READ_LINK_PUBLIC) && (target->st_mode & S_IROTH);
}

/* Open the pinned file for reading: through /proc/self/fd on Linux (the
 * same file, whatever the name means now); without /proc, or without a pin,
 * by name again. */
static int open_pinned(int pin, int dirfd, const char *name, bool link) {
    int oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    if (pin >= 0) {
        char self[64];
        snprintf(self, sizeof self, "/proc/self/fd/%d", pin);
        int fd = open(self, oflags);
        if (fd >= 0 || errno != ENOENT)
            return fd;
    }
    return openat(dirfd, name, oflags | (link ? 0 : O_NOFOLLOW));
}

/* Open a regular file smaller than cap for reading. Look first (the file is
 * pinned by pin_at, through a final link unless READ_NOFOLLOW): a FIFO,
 * device or socket is never opened (opening a device can have effects of its
 * own: a watchdog, a tape, a new pseudo-terminal; opening a FIFO can block).
 * Then open without blocking (O_NONBLOCK) or taking a terminal (O_NOCTTY),
 * and check with fstat that what was opened is what was looked at. The
 * descriptor (st: its fstat), or -1 with *fail set (and st, for
 * READ_FAIL_KIND, what was there). */
int open_regular(int dirfd, const char *name, size_t cap, int flags, struct stat *st,
                 read_failure *fail) {
    struct stat seen, link_st;
    bool nofollow = flags & READ_NOFOLLOW;
    int pin = pin_at(dirfd, name, false, &link_st);
    if (pin == -2) {
        *fail = (read_failure){READ_FAIL_ERRNO, errno, 0};
        return -1;
    }
    bool link = S_ISLNK(link_st.st_mode);
    seen = link_st;
    if (link && pin >= 0)
        close(pin);
    if (link && nofollow) {
        *fail = (read_failure){READ_FAIL_LINK, ELOOP, link_st.st_mode};
        return -1;
    }
    if (link && (pin = pin_at(dirfd, name, true, &seen)) == -2) {
        *fail = (read_failure){READ_FAIL_ERRNO, errno, 0};
        return -1;
    }
    int fd = -1;
    if (!S_ISREG(seen.st_mode)) {
        *fail =
            (read_failure){READ_FAIL_KIND, S_ISDIR(seen.st_mode) ? EISDIR : EINVAL, seen.st_mode};
        *st = seen;
    } else if ((unsigned long long)seen.st_size >= cap) {
        *fail = (read_failure){READ_FAIL_SIZE, EFBIG, seen.st_mode};
    } else if (link && !link_may_lead_to(&link_st, &seen, flags)) {
        *fail = (read_failure){READ_FAIL_FOREIGN_LINK, EACCES, link_st.st_mode};
    } else {
        fd = open_pinned(pin, dirfd, name, link);
        if (fd < 0) {
            int e = errno;
            struct stat now;
            /* O_NOFOLLOW fails with ELOOP on Linux, EMLINK on FreeBSD */
            bool swapped_in = nofollow && fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
                              S_ISLNK(now.st_mode);
            *fail = swapped_in ? (read_failure){READ_FAIL_LINK, ELOOP, now.st_mode}
                               : (read_failure){READ_FAIL_ERRNO, e, 0};
        }
    }
    if (pin >= 0)
        close(pin);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        *fail = (read_failure){READ_FAIL_ERRNO, errno, 0};
    } else if (!S_ISREG(st->st_mode) || st->st_dev != seen.st_dev || st->st_ino != seen.st_ino) {
        *fail = (read_failure){READ_FAIL_CHANGED, EAGAIN, st->st_mode};
    } else if ((unsigned long long)st->st_size >= cap) {
        *fail = (read_failure){READ_FAIL_SIZE, EFBIG, st->st_mode};
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

/* Up to n bytes; the count, or -1 with errno. */
static long read_full(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (long)got;
}

char *read_regular(int dirfd, const char *name, size_t cap, int flags, size_t *len, struct stat *st,
                   read_failure *fail) {
    int fd = open_regular(dirfd, name, cap, flags, st, fail);
    if (fd < 0)
        return NULL;
    /* st_size bytes: a file that grows meanwhile is read as it was; one that
     * shrinks ends at end of file. With READ_EXACT either is a failure: the
     * file is being written, and what was read is not the file. */
    size_t want = (size_t)st->st_size;
    char *buf = malloc(want + 1);
    long got = buf ? read_full(fd, buf, want) : -1;
    *fail = (read_failure){READ_FAIL_ERRNO, buf ? errno : ENOMEM, 0};
    char more;
    if (got >= 0 && (flags & READ_EXACT) && ((size_t)got != want || read(fd, &more, 1) > 0)) {
        *fail = (read_failure){READ_FAIL_CHANGED, EAGAIN, st->st_mode};
        got = -1;
    }
    close(fd);
    if (got < 0) {
        free(buf);
        errno = fail->err;
        return NULL;
    }
    buf[got] = '\0';
    *len = (size_t)got;
    return buf;
}

/* A failure in the words of the install and relocate messages. */
static const char *fileops_why(const read_failure *f, size_t cap) {
    static char too_large[64];
    mode_t m = f->mode;
    switch (f->what) {
    case READ_FAIL_LINK:
        return "a symbolic link";
    case READ_FAIL_FOREIGN_LINK:
        return "a symbolic link to a file its owner does not own";
    case READ_FAIL_KIND:
        return S_ISDIR(m)    ? "a directory, not a file"
               : S_ISFIFO(m) ? "a FIFO, not a regular file"
               : S_ISSOCK(m) ? "a socket, not a regular file"
                             : "a device, not a regular file";
    case READ_FAIL_SIZE: {
        bool mib = cap >= (size_t)1 << 20;
        snprintf(too_large, sizeof too_large, "larger than %zu %s", mib ? cap >> 20 : cap >> 10,
                 mib ? "MiB" : "KiB");
        return too_large;
    }
    case READ_FAIL_CHANGED:
        return "changed while it was read";
    default:
        return strerror(f->err);
    }
}

char *read_file_at(int dirfd, const char *name, size_t cap, int flags, size_t *len, struct stat *st,
                   const char **why) {
    struct stat own;
    read_failure f;
    char *text = read_regular(dirfd, name, cap, flags, len, st ? st : &own, &f);
    if (!text && why)
        *why = fileops_why(&f, cap);
    errno = text ? errno : f.err;
    return text;
}

long read_head_at(int dirfd, const char *name, int flags, char *buf, size_t n, struct stat *st,
                  const char **why) {
    struct stat own;
    read_failure f;
    int fd = open_regular(dirfd, name, (size_t)-1, flags, st ? st : &own, &f);
    long got = fd < 0 ? -1 : read_full(fd, buf, n);
    if (fd >= 0) {
        f = (read_failure){READ_FAIL_ERRNO, errno, 0};
        close(fd);
    }
    if (got < 0) {
        if (why)
            *why = fileops_why(&f, (size_t)-1);
        errno = f.err;
    }
    return got;
}

char *read_whole_file(const char *path, size_t *len) {
    return read_file_at(AT_FDCWD, path, READ_CAP_FILE, READ_FOLLOW, len, NULL, NULL);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **dir_names_at(int dirfd, const char *name, bool (*skip)(const char *entry), size_t *count) {
    *count = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            (skip && skip(e->d_name)))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            ok = bigger != NULL;
            names = ok ? bigger : names;
        }
        if (ok && !(names[n] = strdup(e->d_name)))
            ok = false;
        n += ok;
    }
    closedir(d);
    if (!ok) {
        dir_names_free(names, n);
        errno = ENOMEM;
        return NULL;
    }
    if (n) /* qsort(NULL, 0) is undefined behaviour */
        qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names ? names : calloc(1, sizeof *names);
}

void dir_names_free(char **names, size_t count) {
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int open_dir_at(int dirfd, const char *name, bool nofollow) {
    return openat(dirfd, name,
                  O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
}

/* s->tmp: a fresh name next to s->name that nothing can have been planted
 * under: a new file (O_CREAT | O_EXCL; its descriptor is returned) or, with
 * link_from, a new hard link to that name, or with symlink_to, a new symbolic
 * link with that target (0 is returned). An existing entry only costs another
 * try with another name. -1 on failure. */
static int create_temporary(staged_file *s, const char *link_from, const char *symlink_to) {
    static unsigned long counter;
    const char *slash = strrchr(s->name, '/');
    int dir_len = slash ? (int)(slash + 1 - s->name) : 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long mix = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^
                            (++counter * 0x9E3779B9ul);
        if (snprintf(s->tmp, sizeof s->tmp, "%.*s.%.64s.venvshim-%08lx", dir_len, s->name,
                     s->name + dir_len, mix & 0xFFFFFFFFul) >= (int)sizeof s->tmp) {
            errno = ENAMETOOLONG;
            break;
        }
        int fd = symlink_to  ? symlinkat(symlink_to, s->dirfd, s->tmp)
                 : link_from ? linkat(s->dirfd, link_from, s->dirfd, s->tmp, 0)
                             : openat(s->dirfd, s->tmp,
                                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    s->tmp[0] = '\0';
    return -1;
}

static bool stage_names(staged_file *s, int dirfd, const char *name, const char *shown) {
    s->dirfd = dirfd;
    s->tmp[0] = '\0';
    s->dropped = 0;
    if (snprintf(s->name, sizeof s->name, "%s", name) >= (int)sizeof s->name) {
        errno = ENAMETOOLONG;
        return false;
    }
    snprintf(s->shown, sizeof s->shown, "%s", shown ? shown : name);
    return true;
}

bool staged_write_at(staged_file *s, int dirfd, const char *name, const char *shown,
                     const char *data, size_t len, unsigned mode) {
    if (!stage_names(s, dirfd, name, shown))
        return false;
    s->dropped = mode & (S_ISUID | S_ISGID);
    int fd = create_temporary(s, NULL, NULL);
    if (fd < 0)
        return false;
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            done += (size_t)w;
    }
    ok = ok && fchmod(fd, mode & 0777) == 0 && fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        staged_discard(s);
        errno = e;
    }
    return ok;
}

int staged_open_at(staged_file *s, int dirfd, const char *name, const char *shown) {
    return stage_names(s, dirfd, name, shown) ? create_temporary(s, NULL, NULL) : -1;
}

bool staged_link_at(staged_file *s, int dirfd, const char *existing, const char *name,
                    const char *shown) {
    return stage_names(s, dirfd, name, shown) && create_temporary(s, existing, NULL) == 0;
}

bool staged_symlink_at(staged_file *s, int dirfd, const char *target, const char *name,
                       const char *shown) {
    return stage_names(s, dirfd, name, shown) && create_temporary(s, NULL, target) == 0;
}

bool staged_commit(staged_file *s) {
    if (!s->tmp[0])
        return false;
    if (renameat(s->dirfd, s->tmp, s->dirfd, s->name) != 0) {
        int e = errno;
        staged_discard(s);
        errno = e;
        return false;
    }
    s->tmp[0] = '\0';
    if (s->dropped) {
        bool both = s->dropped == (S_ISUID | S_ISGID);
        fprintf(stderr, "venvshim: %s: dropped the %s bit%s (venvshim never writes such files)\n",
                s->shown,
                both                    ? "set-user-ID and set-group-ID"
                : s->dropped == S_ISUID ? "set-user-ID"
                                        : "set-group-ID",
                both ? "s" : "");
    }
    return true;
}

void staged_discard(staged_file *s) {
    if (s->tmp[0])
        unlinkat(s->dirfd, s->tmp, 0);
    s->tmp[0] = '\0';
}

bool write_file_atomic(const char *path, const char *data, size_t len, unsigned mode) {
    static staged_file s;
    return staged_write_at(&s, AT_FDCWD, path, path, data, len, mode) && staged_commit(&s);
}

bool is_launcher_file(const char *path) {
    size_t len;
    char *data = read_whole_file(path, &len);
    if (!data)
        return false;
    bool found = has_launcher_marker(data, len);
    free(data);
    return found;
}

/* The CLI's own directory, symlinks resolved. */
static bool self_dir(char *out, size_t cap) {
    char self[VS_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    path_dirname(self);
    return snprintf(out, cap, "%s", self) < (int)cap;
}

#ifndef VENVSHIM_LAUNCHER_FROM_BINDIR /* meson.build passes it */
#define VENVSHIM_LAUNCHER_FROM_BINDIR "../libexec/venvshim/venvshim-launcher"
#endif

bool find_launcher(char *out, size_t cap) {
    const char *explicit_path = getenv("VENVSHIM_LAUNCHER");
    if (explicit_path && explicit_path[0])
        return snprintf(out, cap, "%s", explicit_path) < (int)cap && is_launcher_file(out);
    char dir[VS_PATH_MAX];
    if (!self_dir(dir, sizeof dir))
        return false;
    /* next to the CLI (a build directory), then where meson install put it
     * (relative to bindir, or absolute when libexecdir is outside the prefix),
     * then the default libexec layout */
    const char *relative[] = {"venvshim-launcher", VENVSHIM_LAUNCHER_FROM_BINDIR,
                              "../libexec/venvshim/venvshim-launcher"};
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        int n = relative[i][0] == '/' ? snprintf(out, cap, "%s", relative[i])
                                      : snprintf(out, cap, "%s/%s", dir, relative[i]);
        if (n > 0 && n < (int)cap && is_launcher_file(out))
            return true;
    }
    return false;
}
