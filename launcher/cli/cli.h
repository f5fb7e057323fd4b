/* venvshim, the command-line tool. Off the launcher's hot path: it may use
 * stdio and the heap freely. Exit codes: 0 done, 1 failed, 2 usage error. */
#ifndef VENVSHIM_CLI_H
#define VENVSHIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "../cfg.h"
#include "../path.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

int cmd_create(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rebase(int argc, char **argv); /* rebase.c */

/* Convert the venv at dir (shared by create and install). */
int install_venv(const char *dir);
/* With force, a bin/python* that is not a symlink, an interpreter binary or a
 * launcher (a user's wrapper script) is replaced too; without, it is refused. */
int install_venv_with(const char *dir, bool force);

/* ---- relocatable venvs ---- */
int cmd_relocate(int argc, char **argv);
int relocate_venv(const char *dir);

/* relocate: the hook that converts console scripts installed later (reloc_hook.c). */
int install_relocatable_hook(const char *venv);

/* Write the site-init hook into each site-packages under venv/lib. */
int install_site_init(const char *venv);

/* When the base interpreter lives under the venv's parent directory, rewrite
 * home (and executable) in pyvenv.cfg relative to it (PEP 796). */
int relativize_home(const char *venv);

/* One stored entry; offsets count from the archive's start. malloc'd. */
unsigned char *zip_single_file(const char *name, const char *data, size_t len, size_t *out_len);

/* Print "venvshim: <message>" to stderr; returns code. printf-style. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- fileops.c: small file helpers ---- */

/* What the CLI reads at most: scripts, launchers, activate scripts... */
#define READ_CAP_FILE ((size_t)64 << 20)
/* ... and pyvenv.cfg, as the launcher reads it. */
#define READ_CAP_CFG ((size_t)CFG_MAX_SIZE)

enum { READ_FOLLOW = 0, READ_NOFOLLOW = 1 };

/* Every file the CLI reads goes through here: openat(2) with O_NONBLOCK and
 * O_NOCTTY (and O_NOFOLLOW with READ_NOFOLLOW), then fstat(2) of what was
 * opened: only a regular file smaller than cap is read, so a FIFO, a device
 * (/dev/zero) or a swapped-in link never blocks, streams or misleads. name is
 * relative to dirfd (AT_FDCWD: an ordinary path). Returns the bytes, malloc'd
 * and NUL-terminated; st (if not NULL) gets the fstat of the file read. NULL
 * on failure, with errno set and *why (if not NULL) a few words for the
 * message: "not a regular file", "a symbolic link", "larger than 64 MiB"... */
char *read_file_at(int dirfd, const char *name, size_t cap, int flags, size_t *len, struct stat *st,
                   const char **why);

/* The first n bytes (fewer if the file is shorter) of a regular file, with
 * the same checks and no size cap: the count, or -1 (errno, *why). */
long read_head_at(int dirfd, const char *name, int flags, char *buf, size_t n, struct stat *st,
                  const char **why);

/* read_file_at(AT_FDCWD, path, READ_CAP_FILE, READ_FOLLOW, len, NULL, NULL). */
char *read_whole_file(const char *path, size_t *len);

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
/* Like staged_write_at, but the temporary file is a new hard link to
 * existing, another name in dirfd (one launcher file for every bin/python*). */
bool staged_link_at(staged_file *s, int dirfd, const char *existing, const char *name,
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

#define LAUNCHER_MARKER "venvshim-launcher-marker "

#endif
