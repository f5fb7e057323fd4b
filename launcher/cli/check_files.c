/* The files check reads and the entries of bin/ it judges, taken as hostile:
 * a FIFO, a device or a huge file where a text file should be, a file
 * swapped between two looks, temporary files a killed venvshim run left,
 * set-user-ID bits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../path.h"
#include "check.h"
#include "cli.h"

#define TEMP_QUIET_SECONDS 60 /* a temporary file older than this is left over */

const char *file_kind(mode_t mode) {
    return S_ISREG(mode)    ? "a regular file"
           : S_ISDIR(mode)  ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISLNK(mode)  ? "a symlink"
                            : "not a regular file";
}

static const char *cannot_read(int error) {
    static char text[128];
    snprintf(text, sizeof text, "cannot be read: %s", strerror(error));
    return text;
}

char *check_read_file(const char *path, size_t max, size_t *len, struct stat *st,
                      const char **why) {
    static char kind[64];
    read_failure f;
    *len = 0;
    *why = NULL;
    /* a link is followed only to its owner's own file: root's check shows
     * nothing (home, a #! line) from a file the venv's owner could not read */
    char *text = read_regular(AT_FDCWD, path, max + 1, READ_FOLLOW | READ_EXACT | READ_LINK_OWNER,
                              len, st, &f);
    if (text)
        return text;
    /* check's words for it: "<path> is a FIFO", "<path> cannot be read: ..." */
    switch (f.what) {
    case READ_FAIL_KIND:
        snprintf(kind, sizeof kind, "is %s", file_kind(f.mode));
        *why = kind;
        break;
    case READ_FAIL_SIZE:
        *why = "is too large";
        break;
    case READ_FAIL_CHANGED:
        *why = "changed while it was read";
        break;
    case READ_FAIL_FOREIGN_LINK:
        *why = "is a symbolic link to a file its owner does not own (not read)";
        break;
    default:
        *why = f.err == ENOMEM ? "cannot be read: out of memory" : cannot_read(f.err);
    }
    return NULL;
}

/* "ends with tag and then n characters of set" */
static bool ends_with_run(const char *name, size_t len, const char *tag, size_t n,
                          const char *set) {
    size_t t = strlen(tag);
    if (len < t + n || strncmp(name + len - n - t, tag, t) != 0)
        return false;
    return strspn(name + len - n, set) == n;
}

/* The names venvshim's writers give their temporary files; *pid: the
 * process that made it, or 0 when the name does not say. Two forms:
 * "NAME.venvshim-PID.tmp", ".NAME.venvshim-PID.tmp" and
 * ".venvshim-launcher-PID.tmp" (cli/fileops.c write_file_atomic and
 * cli/install.c until their staged writes), and ".NAME.venvshim-XXXXXXXX",
 * eight hex digits (cli/fileops.c create_temporary, the staged writes). */
bool is_venvshim_temp(const char *name, long *pid) {
    static const char digits[] = "0123456789";
    size_t len = strlen(name);
    *pid = 0;
    if (name[0] == '.' && ends_with_run(name, len, ".venvshim-", 8, "0123456789abcdef"))
        return len > 1 + 10 + 8; /* something between the dot and the tag */
    if (len < 4 || strcmp(name + len - 4, ".tmp") != 0)
        return false;
    size_t end = len - 4, n = 0;
    while (n < end && n < 11 && strchr(digits, name[end - n - 1]))
        n++;
    if (n == 0 || n > 10)
        return false;
    bool named = end - n > 10 && ends_with_run(name, end, ".venvshim-", n, digits);
    bool staged = end - n == 19 && strncmp(name, ".venvshim-launcher-", 19) == 0;
    if (!named && !staged)
        return false;
    *pid = strtol(name + end - n, NULL, 10);
    return true;
}

static void leftover(const char *path, bool fix, long pid, report *r) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    /* A run in progress has its temporary files for a moment: its process
     * is alive, or (when the name has no pid) the file is new. */
    bool running = pid > 0 ? kill((pid_t)pid, 0) == 0 || errno == EPERM
                           : time(NULL) - st.st_mtime < TEMP_QUIET_SECONDS;
    if (running) {
        if (pid > 0)
            report_add(r, "leftover", FIND_INFO, path,
                       "%s: a temporary file of venvshim process %ld, which is still running", path,
                       pid);
        else
            report_add(r, "leftover", FIND_INFO, path,
                       "%s: a temporary file of a venvshim run less than %d s ago (still "
                       "running?); left alone",
                       path, TEMP_QUIET_SECONDS);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        report_add(r, "leftover", FIND_PROBLEM, path,
                   "%s is named like a venvshim temporary file but is %s: remove it", path,
                   file_kind(st.st_mode));
        return;
    }
    if (fix && unlink(path) == 0) {
        report_add(r, "leftover", FIND_FIXED, path,
                   "%s: removed the temporary file of an interrupted venvshim run", path);
        return;
    }
    report_add(r, "leftover", FIND_PROBLEM, path,
               "%s is the temporary file of an interrupted venvshim run (install, relocate or "
               "check --fix was killed)%s%s; 'venvshim check --fix' removes it",
               path, fix ? ": removing it failed: " : "", fix ? strerror(errno) : "");
}

typedef struct {
    dev_t dev;
    ino_t ino;
} file_id;

/* bin/'s entries, to tell whether every name of a file is in it: the
 * identities of all entries, sorted, made once (on the first set-ID file) so
 * that each question costs a binary search, not a pass over bin/ (8,000
 * set-ID files would otherwise cost 64 million lstat calls). */
typedef struct {
    const char *dir;
    char **names;
    size_t count;
    file_id *ids; /* NULL until needed, or when memory ran out */
    size_t n_ids;
    bool indexed;
} listing;

static int by_id(const void *a, const void *b) {
    const file_id *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void index_listing(listing *l) {
    l->indexed = true;
    l->ids = malloc((l->count ? l->count : 1) * sizeof *l->ids);
    if (!l->ids)
        return;
    for (size_t i = 0; i < l->count; i++) {
        char path[VS_PATH_MAX];
        struct stat st;
        if (path_join(path, sizeof path, l->dir, l->names[i]) && lstat(path, &st) == 0)
            l->ids[l->n_ids++] = (file_id){st.st_dev, st.st_ino};
    }
    qsort(l->ids, l->n_ids, sizeof *l->ids, by_id);
}

/* How many names in the listing are st's file (the launcher has one for
 * each of python, python3, python3.X: hard links of one file). 0 when the
 * listing could not be made: then no name counts as in bin/. */
static nlink_t names_of(listing *l, const struct stat *st) {
    if (!l->indexed)
        index_listing(l);
    if (!l->ids)
        return 0;
    file_id key = {st->st_dev, st->st_ino};
    size_t lo = 0, hi = l->n_ids; /* the first id >= key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_id(&l->ids[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    nlink_t n = 0;
    while (lo < l->n_ids && by_id(&l->ids[lo], &key) == 0)
        n++, lo++;
    return n;
}

/* set-user-ID / set-group-ID bits off, through a descriptor of the very file
 * (never a symlink's target; never a FIFO or device swapped in: open_regular
 * looks before it opens), and only when every name of the file is in bin/: a
 * hard link's mode is also the mode of a file elsewhere (think of
 * ln /usr/bin/passwd bin/). */
static bool drop_id_bits(const char *path, listing *l) {
    struct stat st;
    read_failure f;
    int fd = open_regular(AT_FDCWD, path, (size_t)-1, READ_NOFOLLOW, &st, &f);
    bool ok = fd >= 0 && st.st_nlink == names_of(l, &st) && fchmod(fd, st.st_mode & 0777) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void id_bits(const char *path, const struct stat *st, listing *l, bool fix, report *r) {
    const char *who = st->st_mode & S_ISUID ? "user" : "group";
    const char *bits = (st->st_mode & S_ISUID) && (st->st_mode & S_ISGID) ? "ug-s"
                       : st->st_mode & S_ISUID                            ? "u-s"
                                                                          : "g-s";
    bool elsewhere = st->st_nlink != names_of(l, st);
    if (fix && !elsewhere && drop_id_bits(path, l)) {
        report_add(r, "bin", FIND_FIXED, path, "%s: removed its set-%s-ID bit", path, who);
        return;
    }
    if (elsewhere)
        report_add(r, "bin", FIND_PROBLEM, path,
                   "%s has the set-%s-ID bit (mode %04o) and is a hard link of a file outside "
                   "bin/ (check --fix leaves that file's mode alone): remove it from bin/",
                   path, who, (unsigned)(st->st_mode & 07777));
    else {
        char fix[SHELL_FIX_CAP];
        snprintf(fix, sizeof fix, "chmod %s %s", bits, shell_word(path));
        report_add_fix(r, "bin", FIND_PROBLEM, path, fix,
                       "%s has the set-%s-ID bit (mode %04o): the launcher refuses to run "
                       "privileged (exit 120); 'venvshim check --fix' drops it, or: ",
                       path, who, (unsigned)(st->st_mode & 07777));
    }
}

static void odd_entry(const char *path, listing *l, bool fix, report *r) {
    struct stat st, target;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &target) == 0 && !S_ISREG(target.st_mode) && !S_ISDIR(target.st_mode)) {
            char to[VS_PATH_MAX];
            ssize_t n = readlink(path, to, sizeof to - 1);
            to[n > 0 ? n : 0] = '\0';
            report_add(r, "bin", FIND_PROBLEM, path,
                       "%s is a symlink to %s, %s: nothing a venv's bin/ holds; remove it", path,
                       to, file_kind(target.st_mode));
        }
    } else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        report_add(r, "bin", FIND_PROBLEM, path, "%s is %s: nothing a venv's bin/ holds; remove it",
                   path, file_kind(st.st_mode));
    } else if (S_ISREG(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID))) {
        id_bits(path, &st, l, fix, r);
    }
}

static void scan_dir(const char *dir, bool bin, bool fix, report *r) {
    listing l = {dir, NULL, 0, NULL, 0, false};
    l.names = dir_names_at(AT_FDCWD, dir, NULL, &l.count);
    for (size_t i = 0; i < l.count; i++) {
        char path[VS_PATH_MAX];
        long pid;
        if (!path_join(path, sizeof path, dir, l.names[i]))
            continue;
        if (is_venvshim_temp(l.names[i], &pid))
            leftover(path, fix, pid, r);
        else if (bin)
            odd_entry(path, &l, fix, r);
    }
    dir_names_free(l.names, l.count);
    free(l.ids);
}

void check_bin_entries(const char *venv, bool fix, report *r) {
    char bin[VS_PATH_MAX];
    scan_dir(venv, false, fix, r); /* pyvenv.cfg's temporary file */
    if (path_join(bin, sizeof bin, venv, "bin"))
        scan_dir(bin, true, fix, r);
}
