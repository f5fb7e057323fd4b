/* venvshim, the command-line tool. Off the launcher's hot path: it may use
 * stdio and the heap freely. Exit codes: 0 done, 1 failed, 2 usage error. */
#ifndef VENVSHIM_CLI_H
#define VENVSHIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "../cfg.h"
#include "../contract.h" /* CLI_OK, CLI_FAILED, CLI_USAGE, VS_LAUNCHER_MARKER */
#include "../path.h"
#include "commands.h"

/* A venv opened under the ownership rule (venv_access.h, POSIX). */
typedef struct venv_access venv_access;

/* The commands' run functions (commands_posix.c lists them). */
int cmd_create(const cli_args *a);
int cmd_install(const cli_args *a);
int cmd_check(const cli_args *a);
int cmd_relocate(const cli_args *a);
int cmd_rebase(const cli_args *a);  /* rebase.c */
int cmd_upgrade(const cli_args *a); /* upgrade.c */

/* Convert the venv va opened (install, create, rebase, check --fix). With
 * force, a bin/python* that is not a symlink, an interpreter binary or a
 * launcher (a user's wrapper script) is replaced too; without, it is refused. */
int install_venv(const venv_access *va, bool force);

/* exec_probe.c: 0 when a program in bin/ (bin_fd) can be executed, else
 * EACCES or EPERM: the mount is noexec, or a trial exec of the descriptor of
 * a temporary copy of the launcher (never of a name) was refused. The copy
 * is removed again. */
int bin_exec_error(int bin_fd, const char *launcher, size_t len);
/* The same with this CLI's launcher (0 when it cannot be found or read:
 * install reports that). */
int venv_exec_error(int bin_fd);

/* ---- relocatable venvs ---- */
int relocate_venv(const venv_access *va);

/* relocate: the hook that converts console scripts installed later (reloc_hook.c). */
/* say: report each site-packages written (relocate; check reports a finding) */
int install_relocatable_hook(int venv_fd, const char *venv, bool say);

/* Write the site-init hook into each site-packages under venv/lib. venv_fd
 * is the venv's directory, venv its path for messages (here and below). */
int install_site_init(int venv_fd, const char *venv);
/* The hook is needed only with a relative home: write it (count: the
 * site-packages written), remove it with its bytecode (count: those it was
 * taken from) or only count the site-packages holding it. */
typedef enum { SITE_INIT_WRITE, SITE_INIT_REMOVE, SITE_INIT_COUNT } site_init_mode;
int site_init_sync(int venv_fd, const char *venv, site_init_mode mode, int *count);

/* Each lib/python*|pypy* /site-packages of venv_fd, opened without following a
 * link (install and relocate may run as root in a venv its owner controls:
 * a lib/ pointing at a system directory must receive nothing). fn gets the
 * directory and its path, and returns CLI_OK or an error it has reported,
 * which stops the walk. Returns fn's last result, or -1 with errno when lib/
 * cannot be opened; *visited counts the site-packages seen. */
typedef int (*site_packages_fn)(int site_fd, const char *site, void *ctx);
int for_each_site_packages(int venv_fd, const char *venv, site_packages_fn fn, void *ctx,
                           int *visited);
const char *site_packages_why(int error);
/* Write it when the home is relative, else remove it (saying so). */
int site_init_for(int venv_fd, const char *venv, bool relative_home);
bool cfg_home_is_relative(const venv_cfg *cfg);
/* 1 relative, 0 absolute (or none), -1 pyvenv.cfg unreadable. */
int venv_home_is_relative(int venv_fd);

/* When the base interpreter lives under the venv's parent directory, rewrite
 * home (and executable) in pyvenv.cfg relative to it (PEP 796). */
int relativize_home(const venv_access *va);

/* One stored entry; offsets count from the archive's start. malloc'd. */
unsigned char *zip_single_file(const char *name, const char *data, size_t len, const char *comment,
                               size_t *out_len);

/* s as one word for the shell that will read a printed command (shell_word.c,
 * through sb_add_shell_word): quoted when it needs to be, control bytes as
 * $'\xHH'. The result lives until SHELL_WORD_SLOTS (8) more calls, so one
 * printf may quote up to 8 words. */
const char *shell_word(const char *s);
/* Room for a printed command of a few such words. */
#define SHELL_FIX_CAP (4 * (4 * VS_PATH_MAX + 8))

/* Print "venvshim: <message>" to stderr; returns code. printf-style. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- fileops.c: small file helpers ---- */

/* What the CLI reads at most: scripts, launchers, activate scripts... */
#define READ_CAP_FILE ((size_t)64 << 20)
/* ... and pyvenv.cfg, as the launcher reads it. */
#define READ_CAP_CFG ((size_t)CFG_MAX_SIZE)

/* READ_NOFOLLOW: a symbolic link at the name is refused, not followed.
 * READ_EXACT: a file that shrinks or grows while it is read is a failure
 * (READ_FAIL_CHANGED) rather than read as far as it goes.
 * READ_LINK_OWNER: a final link is followed only when it is root's or the
 * caller's or its owner owns the file it leads to (READ_FAIL_FOREIGN_LINK
 * otherwise): root never reads, through another user's link, a file that
 * user could not read. READ_LINK_PUBLIC: also when that file is readable by
 * everyone (an interpreter in /usr/bin). */
enum {
    READ_FOLLOW = 0,
    READ_NOFOLLOW = 1,
    READ_EXACT = 2,
    READ_LINK_OWNER = 4,
    READ_LINK_PUBLIC = 8,
};

/* Why a read failed: what, the errno that goes with it, and the file's mode
 * (READ_FAIL_KIND: a directory, FIFO, device, socket). */
typedef struct {
    enum {
        READ_FAIL_ERRNO,        /* err: from lstat, open, fstat or read */
        READ_FAIL_LINK,         /* a symbolic link, with READ_NOFOLLOW */
        READ_FAIL_KIND,         /* not a regular file: never opened */
        READ_FAIL_SIZE,         /* cap bytes or more */
        READ_FAIL_CHANGED,      /* swapped or resized between the looks */
        READ_FAIL_FOREIGN_LINK, /* with READ_LINK_OWNER: a link to another user's file */
    } what;
    int err;
    mode_t mode;
} read_failure;

/* The CLI's one way to open a file for reading: every file the CLI reads,
 * itself or through the launcher's core (core_open.c), is opened here. It
 * looks before opening: on Linux an O_PATH descriptor pins the file the name
 * leads to (through a final link unless READ_NOFOLLOW) and fstat(2) says what
 * it is; elsewhere lstat/stat. Only a regular file smaller than cap is
 * opened, so a FIFO, a device (/dev/ptmx, a watchdog) or a socket is never
 * opened at all. It then opens with O_NONBLOCK and O_NOCTTY (through
 * /proc/self/fd/N: the pinned file itself; without /proc, by name with
 * O_NOFOLLOW unless the name was a link followed on purpose) and checks with
 * fstat(2) that what it opened is what it looked at. name is relative to
 * dirfd (AT_FDCWD: an ordinary path). The descriptor (O_CLOEXEC), st its
 * fstat; or -1 with *fail set (READ_FAIL_KIND: st is what was found). */
int open_regular(int dirfd, const char *name, size_t cap, int flags, struct stat *st,
                 read_failure *fail);

/* The whole of a file open_regular opens: the bytes, malloc'd and
 * NUL-terminated; st gets the fstat of the file read. NULL on failure, with
 * errno and *fail set. */
char *read_regular(int dirfd, const char *name, size_t cap, int flags, size_t *len, struct stat *st,
                   read_failure *fail);

/* read_regular with *why (if not NULL) a few words for install's and
 * relocate's messages: "a symbolic link", "a FIFO, not a regular file",
 * "larger than 64 MiB"...; st may be NULL. */
char *read_file_at(int dirfd, const char *name, size_t cap, int flags, size_t *len, struct stat *st,
                   const char **why);

/* The first n bytes (fewer if the file is shorter) of a regular file, with
 * the same checks and no size cap: the count, or -1 (errno, *why). */
long read_head_at(int dirfd, const char *name, int flags, char *buf, size_t n, struct stat *st,
                  const char **why);

/* read_file_at(AT_FDCWD, path, READ_CAP_FILE, READ_FOLLOW, len, NULL, NULL). */
char *read_whole_file(const char *path, size_t *len);

/* The entries of the directory dirfd/name ("." for dirfd itself) but "."
 * and ".." and those skip (if not NULL) says to skip, sorted (stable
 * output); free with dir_names_free. NULL with errno when the directory
 * cannot be read or memory runs out. */
char **dir_names_at(int dirfd, const char *name, bool (*skip)(const char *entry), size_t *count);
void dir_names_free(char **names, size_t count);

/* A directory to work in: open(2) O_DIRECTORY, and O_NOFOLLOW when nofollow,
 * so later *at calls cannot be sent elsewhere by a swapped path. -1 on error. */
int open_dir_at(int dirfd, const char *name, bool nofollow);

/* A file written next to its final name, not yet in place. */
typedef struct {
    int dirfd;               /* AT_FDCWD or a directory's descriptor (not owned) */
    char name[VS_PATH_MAX];  /* the final name, relative to dirfd */
    char tmp[VS_PATH_MAX];   /* the temporary name, "" when there is none */
    char shown[VS_PATH_MAX]; /* the path to name in messages */
    unsigned dropped;        /* S_ISUID | S_ISGID taken out of the mode */
} staged_file;

/* Write data to a new temporary file next to dirfd/name, created with O_EXCL
 * and O_NOFOLLOW (a link planted under any name is never followed), and fsync
 * it. The mode never keeps set-user-ID or set-group-ID: venvshim writes
 * console scripts and launchers, and a privileged copy of either would run
 * code as its owner; staged_commit reports a dropped bit on stderr, naming
 * shown. Nothing at name changes until staged_commit. False with errno on
 * failure (no temporary file is left). */
bool staged_write_at(staged_file *s, int dirfd, const char *name, const char *shown,
                     const char *data, size_t len, unsigned mode);
/* Create the temporary file (mode 0600) and return its descriptor, open for
 * writing, for a caller that writes it itself; -1 with errno. */
int staged_open_at(staged_file *s, int dirfd, const char *name, const char *shown);
/* Like staged_write_at, but the temporary file is a new hard link to
 * existing, another name in dirfd (one launcher file for every bin/python*). */
bool staged_link_at(staged_file *s, int dirfd, const char *existing, const char *name,
                    const char *shown);
/* Like staged_write_at, but the temporary file is a new symbolic link to
 * target (written as given, never followed). */
bool staged_symlink_at(staged_file *s, int dirfd, const char *target, const char *name,
                       const char *shown);
/* renameat(2) the temporary file over the name. False (temporary removed) on
 * failure. */
bool staged_commit(staged_file *s);
/* Remove the temporary file (harmless after a commit). */
void staged_discard(staged_file *s);

/* staged_write_at + staged_commit on a plain path: readers see the old or
 * the new file, never a partial one. */
bool write_file_atomic(const char *path, const char *data, size_t len, unsigned mode);

/* The launcher binary this CLI installs (checked to carry the marker). */
bool find_launcher(char *out, size_t cap);

/* Does the file at path (or these bytes) carry the launcher marker? */
bool is_launcher_file(const char *path);
bool has_launcher_marker(const char *data, size_t len);
/* Do the len bytes at data contain the string marker (without its NUL)? */
bool contains_string(const char *data, size_t len, const char *marker);

#endif
