/* The ownership rule and the walk it is decided on (owner_rule.h).
 *
 * Why the walk and not realpath(3) + open(2): the rule must be decided on the
 * directories that are then used. realpath names a path; by the time it is
 * opened, a user who can write one of its directories may have renamed
 * another directory into its place, and it says nothing of the directories
 * its links sat in. Here every directory is a descriptor opened relative to
 * the previous one with O_NOFOLLOW, judged by fstat(2) of that descriptor,
 * and a symbolic link is read (readlinkat) from a directory already
 * recorded, so what the link says was chosen by whoever the rule then
 * judges. */
#define _GNU_SOURCE /* O_PATH (Linux) */
#include "owner_rule.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_STEPS 512 /* directories one walk may hold open */
#define MAX_LINKS 40  /* as Linux's path resolution */
#define OTHERS_WRITE (S_IWGRP | S_IWOTH)

/* The directories on the way need only search permission (a 0711 home):
 * O_PATH where there is one; fstat, openat and readlinkat work through it. */
#ifdef O_PATH
#define WALK_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define WALK_FLAGS (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC)
#endif

void owner_trail_free(owner_trail *t) {
    for (int i = 0; i < t->n; i++)
        free(t->steps[i].path);
    free(t->steps);
    t->steps = NULL;
    t->n = t->cap = 0;
}

bool owner_trail_add(owner_trail *t, owner_step_kind kind, const char *path, const struct stat *st,
                     bool in_shared_dir) {
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 32;
        owner_step *more = realloc(t->steps, (size_t)cap * sizeof *more);
        if (!more)
            return false;
        t->steps = more;
        t->cap = cap;
    }
    owner_step *s = &t->steps[t->n];
    if (!(s->path = strdup(path)))
        return false;
    s->kind = kind;
    s->st = *st;
    s->in_shared_dir = in_shared_dir;
    t->n++;
    return true;
}

owner_verdict owner_judge(const owner_step *s, uid_t uid) {
    bool owned = s->st.st_uid == uid || s->st.st_uid == 0;
    if (s->kind == OWNER_STEP_LINK) /* its directory was judged; only a sticky one lets others in */
        return !s->in_shared_dir || owned ? OWNER_OK : OWNER_NOT_OWNED;
    if (!owned)
        return OWNER_NOT_OWNED;
    if (!(s->st.st_mode & OTHERS_WRITE))
        return OWNER_OK;
    return s->kind == OWNER_STEP_ABOVE && S_ISDIR(s->st.st_mode) && (s->st.st_mode & S_ISVTX)
               ? OWNER_OK
               : OWNER_WRITABLE;
}

int owner_first_violation(const owner_trail *t, uid_t uid, owner_verdict *why) {
    for (int i = 0; i < t->n; i++) {
        if ((*why = owner_judge(&t->steps[i], uid)) != OWNER_OK)
            return i;
    }
    return -1;
}

/* ---- the walk ---- */

typedef struct {
    int fds[MAX_STEPS];
    size_t where_len[MAX_STEPS]; /* where's length at each depth */
    int depth;
    char where[PATH_MAX]; /* the directories opened, as a path */
} dir_stack;

static void stack_pop(dir_stack *d) {
    close(d->fds[--d->depth]);
    d->where[d->where_len[d->depth - 1]] = '\0';
}

static void stack_close(dir_stack *d) {
    while (d->depth > 0)
        close(d->fds[--d->depth]);
}

/* rest = target + "/" + what is left after pos (no "/" when nothing is);
 * false if too long. */
static bool splice_link(char *rest, size_t cap, size_t pos, const char *target) {
    char *tmp = malloc(cap);
    if (!tmp)
        return false;
    int n = snprintf(tmp, cap, "%s%s%s", target, rest[pos] ? "/" : "", rest + pos);
    bool ok = n >= 0 && (size_t)n < cap;
    if (ok)
        memcpy(rest, tmp, (size_t)n + 1);
    free(tmp);
    return ok;
}

/* The program: c, a regular file in the top of d, opened for reading and
 * recorded. Its descriptor, or -1 with errno. */
static int open_program(dir_stack *d, owner_trail *t, const char *c, const char *path,
                        const struct stat *looked) {
    if (!S_ISREG(looked->st_mode)) { /* a device or FIFO is never opened */
        errno = EACCES;
        return -1;
    }
    int fd =
        openat(d->fds[d->depth - 1], c, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int e = fstat(fd, &st) != 0    ? errno
            : !S_ISREG(st.st_mode) ? EACCES /* swapped since the look */
            : !owner_trail_add(t, OWNER_STEP_OWN, path, &st, false) ? errno
                                                                    : 0;
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    snprintf(d->where, sizeof d->where, "%s", path);
    return fd;
}

/* One component c (not "." or "..") below the top of d: follow a link
 * (*rest spliced, *pos reset), open the program (*program_fd) when c is the
 * last component and one is wanted, or open and push a directory. 0, or an
 * errno. */
static int walk_step(dir_stack *d, owner_trail *t, const char *c, bool program, char *rest,
                     size_t cap, size_t *pos, int *links, int *program_fd) {
    int top = d->fds[d->depth - 1];
    struct stat st;
    if (fstatat(top, c, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s%s%s", d->where, d->depth > 1 ? "/" : "", c) >=
        (int)sizeof path)
        return ENAMETOOLONG;
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(top, c, target, sizeof target - 1);
        if (n <= 0)
            return n < 0 ? errno : ENOENT; /* an empty link leads nowhere */
        target[n] = '\0';
        struct stat dir_st;
        if (++*links > MAX_LINKS || fstat(top, &dir_st) != 0)
            return ELOOP;
        if (!owner_trail_add(t, OWNER_STEP_LINK, path, &st, dir_st.st_mode & OTHERS_WRITE))
            return errno;
        if (!splice_link(rest, cap, *pos, target))
            return ENAMETOOLONG;
        *pos = 0;
        if (target[0] == '/')
            while (d->depth > 1)
                stack_pop(d);
        return 0;
    }
    if (program) {
        *program_fd = open_program(d, t, c, path, &st);
        return *program_fd < 0 ? errno : 0;
    }
    if (d->depth == MAX_STEPS)
        return ENAMETOOLONG;
    int fd = openat(top, c, WALK_FLAGS | O_NOFOLLOW);
    if (fd < 0)
        return errno;
    if (fstat(fd, &st) != 0 || !owner_trail_add(t, OWNER_STEP_ABOVE, path, &st, false)) {
        int e = errno;
        close(fd);
        return e;
    }
    d->where_len[d->depth] = strlen(path);
    snprintf(d->where, sizeof d->where, "%s", path);
    d->fds[d->depth++] = fd;
    return 0;
}

/* path made absolute in a buffer of *cap bytes (room for links spliced in),
 * or NULL with errno. */
static char *absolute_copy(const char *path, size_t *cap) {
    *cap = 2 * PATH_MAX + 2;
    char *rest = malloc(*cap);
    if (!rest)
        return NULL;
    if (path[0] == '/') {
        snprintf(rest, *cap, "%s", path);
        return rest;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || snprintf(rest, *cap, "%s/%s", cwd, path) >= (int)*cap) {
        int e = errno ? errno : ENAMETOOLONG;
        free(rest);
        errno = e;
        return NULL;
    }
    return rest;
}

/* The directory on top of d, the place: recorded (OWN, unless it may be
 * shared: its ABOVE record stands) and handed out. */
static int take_dir(dir_stack *d, owner_trail *t, unsigned flags) {
    int top = d->fds[d->depth - 1], fd;
    if (flags & OWNER_WALK_READABLE)
        fd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC);
    else if ((fd = fcntl(top, F_DUPFD_CLOEXEC, 0)) < 0)
        return -1;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 &&
        ((flags & OWNER_WALK_SHARED) || owner_trail_add(t, OWNER_STEP_OWN, d->where, &st, false)))
        return fd;
    int e = errno ? errno : EIO;
    if (fd >= 0)
        close(fd);
    errno = e;
    return -1;
}

int owner_walk(const char *path, unsigned flags, owner_trail *t, char *resolved, bool *missing) {
    bool program = flags & OWNER_WALK_PROGRAM;
    *missing = false;
    if (!path[0]) { /* as open(2) says of "" */
        errno = ENOENT;
        return -1;
    }
    if (program && path[strlen(path) - 1] == '/') { /* as realpath(3) says of "file/" */
        errno = ENOTDIR;
        return -1;
    }
    size_t cap;
    char *rest = absolute_copy(path, &cap);
    if (!rest)
        return -1;
    static dir_stack d;
    d.depth = 0;
    snprintf(d.where, sizeof d.where, "/");
    int err = 0, links = 0, fd = -1;
    struct stat st;
    d.fds[0] = open("/", WALK_FLAGS);
    if (d.fds[0] >= 0)
        d.where_len[d.depth++] = 1;
    if (d.fds[0] < 0 || fstat(d.fds[0], &st) != 0 ||
        !owner_trail_add(t, OWNER_STEP_ABOVE, "/", &st, false))
        err = errno ? errno : EIO;
    for (size_t pos = 0; !err && fd < 0 && rest[pos];) {
        size_t len = strcspn(rest + pos, "/");
        char c[NAME_MAX + 1];
        if (len > NAME_MAX) {
            err = ENAMETOOLONG;
            break;
        }
        memcpy(c, rest + pos, len);
        c[len] = '\0';
        pos += len + (rest[pos + len] == '/');
        if (len == 0 || strcmp(c, ".") == 0)
            continue;
        if (strcmp(c, "..") == 0) {
            if (d.depth > 1)
                stack_pop(&d);
            continue;
        }
        bool last = rest[pos + strspn(rest + pos, "/")] == '\0';
        err = walk_step(&d, t, c, program && last, rest, cap, &pos, &links, &fd);
        if (err == ENOENT && (flags & OWNER_WALK_PARTIAL)) {
            *missing = true;
            break;
        }
    }
    free(rest);
    if (!err && !*missing && fd < 0) {
        if (program) /* the path ended in a directory ("/usr/bin/..") */
            err = EACCES;
        else if ((fd = take_dir(&d, t, flags)) < 0)
            err = errno;
    }
    if (fd >= 0 && resolved)
        snprintf(resolved, PATH_MAX, "%s", d.where);
    stack_close(&d);
    errno = *missing ? 0 : err;
    return err ? -1 : fd;
}
