/* venvshim upgrade DIR --python PATH: rebuild a venv for another X.Y (or
 * PyPy of the same language version) beside it, verify it, swap it in with
 * one rename; the old venv is kept as DIR.<X.Y>.bak unless --no-keep-old. */
#ifndef VENVSHIM_UPGRADE_H
#define VENVSHIM_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_FIND_LINKS 16

typedef struct {
    const char *python;                     /* the new interpreter */
    const char *find_links[MAX_FIND_LINKS]; /* absolute directories */
    size_t n_find_links;
    bool dry_run, json, keep_old, allow_missing;
} upgrade_options;

/* CLI_OK when DIR was upgraded (or, dry_run, could be), else CLI_FAILED with
 * DIR unchanged; messages on stderr. */
int upgrade_venv(const char *dir, const upgrade_options *opt);

#endif
