/* venvshim check: the findings of one run and how they are printed, and the
 * console-script (shebang) inspection. Off the launcher's path: stdio and the
 * heap are fine here. */
#ifndef VENVSHIM_CHECK_H
#define VENVSHIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../cfg.h"
#include "commands.h"
#include "findings.h"

/* ---- check_scripts.c ---- */

typedef enum {
    SHEBANG_NONE,   /* not a script */
    SHEBANG_DIRECT, /* #!/abs/python */
    SHEBANG_SH_EXEC /* pip's #!/bin/sh + '''exec' "/abs/python" "$0" "$@" for long paths */
} shebang_kind;

typedef struct {
    shebang_kind kind;
    char interpreter[4096];
    size_t start, end; /* byte range of the interpreter path in the file */
} shebang;

/* Parse the first lines of a script (text need not be NUL-terminated). */
void shebang_parse(const char *text, size_t len, shebang *sb);

/* Inspect every console script in venv/bin; with fix, rewrite shebangs that
 * point at a moved or copied venv's bin/ to this venv's interpreter. Adds
 * "script" and "movable" findings (relocatable: pyvenv.cfg says relocate
 * made activate find the venv from its own location). */
void check_scripts(const char *venv, bool fix, bool relocatable, report *r);

/* ---- check_files.c ---- */

/* A whole regular file of at most max bytes, malloc'd and NUL-terminated;
 * NULL with *why ("is a FIFO", "is too large", "cannot be read: ...",
 * "changed while it was read", "is a symbolic link to a file its owner does
 * not own") otherwise. The CLI's one reader (read_regular, fileops.c) with
 * READ_EXACT and READ_LINK_OWNER, in check's words. */
char *check_read_file(const char *path, size_t max, size_t *len, struct stat *st, const char **why);

/* "a FIFO", "a character device", ... */
const char *file_kind(mode_t mode);

/* Is name one of venvshim's temporary file names (cli/fileops.c,
 * cli/install.c)? *pid: the process that made it. */
bool is_venvshim_temp(const char *name, long *pid);

/* Leftover temporary files in the venv and bin/ (removed with fix), and in
 * bin/: FIFOs, devices, symlinks to them, set-user/group-ID bits (dropped
 * with fix). Adds "leftover" and "bin" findings. */
void check_bin_entries(const char *venv, bool fix, report *r);

/* ---- check_trust.c ---- */

typedef struct {
    uid_t owner;  /* of the venv directory */
    int problems; /* places other users may write */
    bool may_run; /* nobody else can choose what check would run */
    bool may_fix; /* ... nor race check's writes, and they are the caller's own */
} venv_trust;

/* The venv, its parents, pyvenv.cfg, bin/ and its files: may anyone but the
 * venv's owner (or root) change them? Adds "trust" findings. */
void check_trust(const char *venv, report *r, venv_trust *t);

/* check_upgrade.c: a venv kept by venvshim upgrade (DIR.X.Y.bak), and an
 * interrupted upgrade's leftovers next to DIR (--fix settles them). */
void check_upgrade(int venv_fd, const char *venv, bool fix, report *r);

/* DIR (dir) is missing: was an upgrade on a system without an exchanging
 * rename (dir_swap_other.c) interrupted between its two renames, the old
 * venv already at DIR.X.Y.bak and the new one still at its building name?
 * Then a problem finding (fix: the new venv, under the ownership rule, is
 * renamed to DIR) and true; false when dir's parent holds no such pair. */
bool check_upgrade_missing(const cli_args *a, const char *dir, bool fix, report *r);

/* The same for the base interpreter's file and directories: true when
 * check may run it. */
bool check_trust_base(const char *base, uid_t owner, report *r);

/* ---- check_run.c: see run_bounded.h ---- */
#include "run_bounded.h"

/* ---- check_lineage.c ---- */

struct venv_access;

/* Where the base comes from: home through another venv (a venv made from
 * inside one), a recorded executable that is not what runs (an edited home,
 * venv --upgrade run from inside). Reads pyvenv.cfg itself (after the
 * earlier checks' fixes). Adds "base" findings; with va (--fix, the venv as
 * venv_access opened it) repairs both. */
void check_lineage(const char *venv, const struct venv_access *va, report *r);

/* check.c: venvshim install on the venv --fix opened, its progress on
 * stderr; false without --fix or when it fails. */
bool check_reinstall(void);

/* ---- check_siteinit.c ---- */

/* The start-up hook: needed only with a relative home; with an absolute one,
 * fix removes it (site would run it on every start for nothing). */
void check_site_init(int venv_fd, const char *venv, const venv_cfg *cfg, bool fix, report *r);

/* An earlier venvshim's relocatable-venv hook (_venvshim_relocatable.pth,
 * run at every start): info, and fix replaces it. */
void check_old_reloc_hook(int venv_fd, const char *venv, bool fix, report *r);

#endif
