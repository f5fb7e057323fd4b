/* The ownership rule and the walk that opens a venv once (venv_access.h).
 *
 * Why the walk and not realpath(3) + open(2): the rule must be decided on the
 * directories that are then used. realpath names a path; by the time it is
 * opened, a user who can write one of its directories may have renamed
 * another directory into its place. Here every directory is a descriptor
 * opened relative to the previous one with O_NOFOLLOW, judged by fstat(2) of
 * that descriptor, and a symbolic link is read (readlinkat) from a directory
 * already judged, so what the link says was chosen by the caller or root. */
#define _GNU_SOURCE /* O_PATH (Linux) */
#include "venv_access.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../strbuf.h"
#include "cli.h"

#define MAX_STEPS 512 /* directories and links one walk may pass */
#define MAX_LINKS 40  /* as Linux's path resolution */
#define OTHERS_WRITE (S_IWGRP | S_IWOTH)

/* The directories on the way need only search permission (a 0711 home):
 * O_PATH where there is one; fstat, openat and readlinkat work through it. */
#ifdef O_PATH
#define WALK_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define WALK_FLAGS (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC)
#endif

typedef enum {
    STEP_ABOVE, /* a directory the walk passed through: a sticky one is fine */
    STEP_VENV,  /* the venv or its bin/: no exception */
    STEP_LINK,  /* a symbolic link followed */
} step_kind;

typedef struct {
    step_kind kind;
    char *path; /* as walked, for messages */
    struct stat st;
    bool in_shared_dir; /* a link in a directory others may write (a sticky one) */
} step;

typedef struct {
    step steps[MAX_STEPS];
    int n;
} trail;

static void trail_free(trail *t) {
    for (int i = 0; i < t->n; i++)
        free(t->steps[i].path);
    t->n = 0;
}

static bool trail_add(trail *t, step_kind kind, const char *path, const struct stat *st,
                      bool in_shared_dir) {
    if (t->n == MAX_STEPS || !(t->steps[t->n].path = strdup(path))) {
        errno = t->n == MAX_STEPS ? ENAMETOOLONG : ENOMEM;
        return false;
    }
    t->steps[t->n].kind = kind;
    t->steps[t->n].st = *st;
    t->steps[t->n].in_shared_dir = in_shared_dir;
    t->n++;
    return true;
}

typedef enum { RULE_OK, RULE_OWNER, RULE_WRITABLE } rule_verdict;

/* The rule for one step, for a command run as uid. */
static rule_verdict judge_step(const step *s, uid_t uid) {
    bool owned = s->st.st_uid == uid || s->st.st_uid == 0;
    if (s->kind == STEP_LINK) /* its directory was judged; only a sticky one lets others in */
        return !s->in_shared_dir || owned ? RULE_OK : RULE_OWNER;
    if (!owned)
        return RULE_OWNER;
    if (!(s->st.st_mode & OTHERS_WRITE))
        return RULE_OK;
    return s->kind == STEP_ABOVE && (s->st.st_mode & S_ISVTX) ? RULE_OK : RULE_WRITABLE;
}

/* The first step that breaks the rule for uid, or -1. */
static int first_violation(const trail *t, uid_t uid, rule_verdict *why) {
    for (int i = 0; i < t->n; i++) {
        if ((*why = judge_step(&t->steps[i], uid)) != RULE_OK)
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

/* rest = target + "/" + what is left after pos; false if too long. */
static bool splice_link(char *rest, size_t cap, size_t pos, const char *target) {
    char *tmp = malloc(cap);
    if (!tmp)
        return false;
    int n = snprintf(tmp, cap, "%s/%s", target, rest + pos);
    bool ok = n >= 0 && (size_t)n < cap;
    if (ok)
        memcpy(rest, tmp, (size_t)n + 1);
    free(tmp);
    return ok;
}

/* One component c (not "." or "..") below the top of d: follow a link
 * (*rest spliced, *pos reset) or open and push a directory. 0, or an errno. */
static int walk_step(dir_stack *d, trail *t, const char *c, char *rest, size_t cap, size_t *pos,
                     int *links) {
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
        if (!trail_add(t, STEP_LINK, path, &st, dir_st.st_mode & OTHERS_WRITE))
            return errno;
        if (!splice_link(rest, cap, *pos, target))
            return ENAMETOOLONG;
        *pos = 0;
        if (target[0] == '/')
            while (d->depth > 1)
                stack_pop(d);
        return 0;
    }
    if (d->depth == MAX_STEPS)
        return ENAMETOOLONG;
    int fd = openat(top, c, WALK_FLAGS | O_NOFOLLOW);
    if (fd < 0)
        return errno;
    if (fstat(fd, &st) != 0 || !trail_add(t, STEP_ABOVE, path, &st, false)) {
        int e = errno;
        close(fd);
        return e;
    }
    d->where_len[d->depth] = strlen(path);
    snprintf(d->where, sizeof d->where, "%s", path);
    d->fds[d->depth++] = fd;
    return 0;
}

/* Walk dir from "/" (a relative dir from the current directory), every
 * directory and link passed recorded in t, the last directory as STEP_VENV.
 * The venv's descriptor (its path in resolved), or -1 with errno. With
 * allow_missing, a missing component ends the walk early with *missing set
 * and -1 returned (errno 0). */
static int walk(const char *dir, bool allow_missing, trail *t, char *resolved, bool *missing) {
    if (!dir[0]) { /* as open(2) says of "" */
        errno = ENOENT;
        return -1;
    }
    size_t cap = 2 * PATH_MAX + 2;
    char *rest = malloc(cap);
    if (!rest)
        return -1;
    if (dir[0] == '/') {
        snprintf(rest, cap, "%s", dir);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) || snprintf(rest, cap, "%s/%s", cwd, dir) >= (int)cap) {
            int e = errno ? errno : ENAMETOOLONG;
            free(rest);
            errno = e;
            return -1;
        }
    }
    static dir_stack d;
    d.depth = 0;
    snprintf(d.where, sizeof d.where, "/");
    int err = 0, links = 0;
    struct stat st;
    d.fds[0] = open("/", WALK_FLAGS);
    if (d.fds[0] >= 0)
        d.where_len[d.depth++] = 1;
    if (d.fds[0] < 0 || fstat(d.fds[0], &st) != 0 || !trail_add(t, STEP_ABOVE, "/", &st, false))
        err = errno ? errno : EIO;
    for (size_t pos = 0; !err && rest[pos];) {
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
        err = walk_step(&d, t, c, rest, cap, &pos, &links);
        if (err == ENOENT && allow_missing) {
            *missing = true;
            break;
        }
    }
    free(rest);
    /* the venv itself opened for reading, through the descriptor walked to */
    int fd = !err && !*missing && d.depth > 0
                 ? openat(d.fds[d.depth - 1], ".", O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC)
                 : -1;
    if (fd >= 0 && fstat(fd, &st) == 0 && trail_add(t, STEP_VENV, d.where, &st, false)) {
        snprintf(resolved, PATH_MAX, "%s", d.where);
    } else if (!err && !*missing) {
        err = errno ? errno : EIO;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    stack_close(&d);
    errno = *missing ? 0 : err;
    return fd;
}

/* ---- the refusal ---- */

static void add_user(strbuf *sb, uid_t uid, bool as_word) {
    struct passwd *pw = getpwuid(uid);
    char name[64];
    if (pw && pw->pw_name[0])
        snprintf(name, sizeof name, "%s", pw->pw_name);
    else
        snprintf(name, sizeof name, "#%lu", (unsigned long)uid); /* sudo -u '#1001' */
    if (as_word) {
        sb_add_shell_word(sb, name);
        return;
    }
    sb_add_escaped(sb, name);
    sb_add(sb, " (uid ");
    sb_add_int(sb, (long)uid);
    sb_add(sb, ")");
}

/* "venvshim CMD [its options as given] DIR", every word quoted for the shell;
 * with_override: --trust-others added, else left out. */
static void add_command(strbuf *sb, const cli_args *a, const char *dir, bool with_override) {
    sb_add(sb, "venvshim ");
    sb_add(sb, a->cmd->name);
    for (int i = 0; a->cmd->options && a->cmd->options[i].name; i++) {
        const cli_option *o = &a->cmd->options[i];
        bool override = strcmp(o->name, TRUST_OTHERS_OPTION) == 0;
        if (override ? !with_override : !a->value[i])
            continue;
        sb_add(sb, " --");
        sb_add(sb, o->name);
        if (o->value && a->value[i]) {
            sb_add_char(sb, ' ');
            sb_add_shell_word(sb, a->value[i]);
        }
    }
    sb_add_char(sb, ' ');
    sb_add_shell_word(sb, dir);
}

static bool same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* What is wrong with step s of t, in words. */
static void add_reason(strbuf *sb, const trail *t, const step *s, rule_verdict why) {
    const step *venv = &t->steps[t->n - 1];
    sb_add_escaped(sb, s->path);
    sb_add(sb, s->kind == STEP_LINK           ? " (a symbolic link in a directory others can write)"
               : venv->kind != STEP_VENV      ? " (a directory above it)"
               : same_file(&s->st, &venv->st) ? " (the venv)"
               : s->kind == STEP_VENV         ? " (its bin/)"
                                              : " (a directory above the venv)");
    if (why == RULE_OWNER) {
        sb_add(sb, " is owned by ");
        add_user(sb, s->st.st_uid, false);
    } else {
        bool g = s->st.st_mode & S_IWGRP, o = s->st.st_mode & S_IWOTH;
        sb_add(sb, g && o ? " is writable by its group and everyone"
                   : g    ? " is writable by its group"
                          : " is writable by everyone");
        char mode[32];
        snprintf(mode, sizeof mode, " (mode %04o)", (unsigned)(s->st.st_mode & 07777));
        sb_add(sb, mode);
    }
}

/* Does a's command offer the override? */
static bool offers_override(const cli_args *a) {
    for (int i = 0; a->cmd->options && a->cmd->options[i].name; i++) {
        if (strcmp(a->cmd->options[i].name, TRUST_OTHERS_OPTION) == 0)
            return true;
    }
    return false;
}

/* Say why the rule failed for the caller, and how to go on safely: as the
 * venv's owner when the rule holds for that user, else by making the
 * directory safe; and the override. */
static void refuse(const cli_args *a, const char *shown, const trail *t, int bad, rule_verdict why,
                   uid_t venv_owner, bool overridden) {
    static char text[4 * PATH_MAX + 1024];
    strbuf sb;
    sb_init(&sb, text, sizeof text);
    const step *s = &t->steps[bad];
    if (overridden)
        sb_add(&sb, "warning: --" TRUST_OTHERS_OPTION ": ");
    add_reason(&sb, t, s, why);
    sb_add(&sb, overridden ? "; going on as asked"
                           : ": another user could choose what venvshim writes or runs as you; "
                             "nothing was changed\nvenvshim: ");
    if (!overridden) {
        rule_verdict owner_why;
        uid_t me = geteuid();
        if (venv_owner != me && venv_owner != 0 && first_violation(t, venv_owner, &owner_why) < 0) {
            sb_add(&sb, "run it as that user instead: sudo -u ");
            add_user(&sb, venv_owner, true);
            sb_add_char(&sb, ' ');
            add_command(&sb, a, shown, false);
        } else if (why == RULE_WRITABLE && s->kind != STEP_LINK) {
            sb_add(&sb, "make it safe first: chmod ");
            bool g = s->st.st_mode & S_IWGRP, o = s->st.st_mode & S_IWOTH;
            sb_add(&sb, g && o ? "go-w " : g ? "g-w " : "o-w ");
            sb_add_shell_word(&sb, s->path);
        } else {
            sb_add(&sb, "move the venv under directories that only you and root can write");
        }
        if (offers_override(a)) {
            sb_add(&sb, "; or, trusting every user who can change it: ");
            add_command(&sb, a, shown, true);
        }
    }
    cli_error(CLI_FAILED, "%s", text);
}

/* The rule on t for the caller: CLI_OK (also when overridden, with a
 * warning), or CLI_FAILED after refusing. */
static int apply_rule(const cli_args *a, const char *shown, const trail *t, uid_t venv_owner,
                      bool *overridden) {
    rule_verdict why;
    int bad = first_violation(t, geteuid(), &why);
    *overridden = false;
    if (bad < 0)
        return CLI_OK;
    *overridden = offers_override(a) && cli_opt(a, TRUST_OTHERS_OPTION) != NULL;
    static bool warned; /* create looks twice (before and after venv): one warning */
    if (!*overridden || !warned)
        refuse(a, shown, t, bad, why, venv_owner, *overridden);
    warned = warned || *overridden;
    return *overridden ? CLI_OK : CLI_FAILED;
}

/* dir as the user named it, made absolute (for the hints). */
static void absolute(const char *dir, char *out) {
    char cwd[PATH_MAX];
    if (dir[0] == '/' || !getcwd(cwd, sizeof cwd) ||
        snprintf(out, PATH_MAX, "%s/%s", cwd, dir) >= PATH_MAX)
        snprintf(out, PATH_MAX, "%s", dir);
}

int venv_access_open(const cli_args *a, const char *dir, venv_access *va) {
    memset(va, 0, sizeof *va);
    va->venv_fd = va->bin_fd = -1;
    static trail t;
    t.n = 0;
    bool missing = false;
    va->venv_fd = walk(dir, false, &t, va->path, &missing);
    if (va->venv_fd < 0) {
        int e = errno;
        trail_free(&t);
        return cli_error(CLI_FAILED, "%s: %s", dir, strerror(e));
    }
    struct stat st;
    fstat(va->venv_fd, &st);
    va->owner = st.st_uid;
    va->bin_fd = open_dir_at(va->venv_fd, "bin", true);
    va->bin_error = va->bin_fd < 0 ? errno : 0;
    char bin[PATH_MAX];
    if (va->bin_fd >= 0 && fstat(va->bin_fd, &st) == 0 &&
        snprintf(bin, sizeof bin, "%s/bin", va->path) < (int)sizeof bin) {
        /* judged before the venv's own step, which stays last */
        step venv_step = t.steps[t.n - 1];
        t.n--;
        if (!trail_add(&t, STEP_VENV, bin, &st, false) ||
            !trail_add(&t, venv_step.kind, venv_step.path, &venv_step.st, false)) {
            free(venv_step.path);
            trail_free(&t);
            venv_access_close(va);
            return cli_error(CLI_FAILED, "%s: %s", dir, strerror(errno));
        }
        free(venv_step.path);
    }
    int rc = apply_rule(a, va->path, &t, va->owner, &va->overridden);
    trail_free(&t);
    if (rc != CLI_OK)
        venv_access_close(va);
    return rc;
}

int venv_access_precheck(const cli_args *a, const char *dir) {
    static trail t;
    t.n = 0;
    bool missing = false;
    char resolved[PATH_MAX], shown[PATH_MAX];
    int fd = walk(dir, true, &t, resolved, &missing);
    int rc = CLI_OK;
    if (fd >= 0)
        close(fd);
    /* the directories walked so far are judged; venv reports any error of
     * its own in its own words */
    if (t.n > 0) {
        absolute(dir, shown);
        bool overridden;
        rc = apply_rule(a, shown, &t, t.steps[t.n - 1].st.st_uid, &overridden);
    }
    trail_free(&t);
    return rc;
}

void venv_access_close(venv_access *va) {
    if (va->bin_fd >= 0)
        close(va->bin_fd);
    if (va->venv_fd >= 0)
        close(va->venv_fd);
    va->bin_fd = va->venv_fd = -1;
}
