/* venvshim upgrade DIR --python PATH: rebuild a venv for another X.Y (or
 * PyPy of the same language version) beside it, verify it, swap it in with
 * one rename; the old venv is kept as DIR.<X.Y>.bak unless --no-keep-old. */
#ifndef VENVSHIM_UPGRADE_H
#define VENVSHIM_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "commands.h"

#define MAX_FIND_LINKS 16

/* DIR.venvshim-upgrade-from-python3.11: the new venv while it is built */
#define UPGRADE_BUILD_INFIX ".venvshim-upgrade-from-"

typedef struct {
    const cli_args *args; /* the command line (cli_args), for the ownership rule's override */
    const char *python;   /* the new interpreter */
    const char *find_links[MAX_FIND_LINKS]; /* absolute directories */
    size_t n_find_links;
    bool dry_run, json, keep_old, allow_missing;
} upgrade_options;

/* CLI_OK when DIR was upgraded (or, dry_run, could be), else CLI_FAILED with
 * DIR unchanged; messages on stderr. */
int upgrade_venv(const char *dir, const upgrade_options *opt);

/* The directory holding the venv open at venv_fd, as base (its last
 * component) is named there: its ".." (no path looked up again), checked to
 * hold venv_fd's directory as base. -1 with errno otherwise. */
int upgrade_open_parent(int venv_fd, const char *base);

/* The leftovers of an interrupted upgrade next to DIR (base: DIR's name,
 * parent_fd: the directory holding it): each DIR.venvshim-upgrade-from-<lib>.
 * While DIR still has lib/<lib> it is an unfinished new venv; once DIR has
 * not, it is the old venv the exchange put there. With act, the first is
 * removed and the second renamed to bak (DIR.<X.Y>.bak). fn gets each; the
 * count, or -1 with errno when the directory cannot be read. */
typedef struct {
    const char *name, *bak;
    bool old_venv; /* the old venv, swapped out; else an unfinished build */
    bool done;     /* act: removed or renamed */
    int error;     /* act, !done: errno */
} upgrade_leftover;
typedef void (*upgrade_leftover_fn)(const upgrade_leftover *l, void *ctx);
int upgrade_leftovers(int parent_fd, const char *base, int venv_fd, bool act,
                      upgrade_leftover_fn fn, void *ctx);

#endif
