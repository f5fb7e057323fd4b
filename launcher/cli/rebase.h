/* venvshim rebase DIR [--python PATH] [--dry-run] [--json]: point a venv at
 * another interpreter of the same implementation, X.Y and ABI, keeping its
 * site-packages. */
#ifndef VENVSHIM_REBASE_H
#define VENVSHIM_REBASE_H

#include <stdbool.h>

#include "venv_access.h"

typedef struct {
    const char *python; /* --python, or NULL: search */
    bool dry_run;
    bool json;
    bool only_if_unique; /* check --fix: act only when one candidate is the obvious one */
} rebase_options;

/* CLI_OK when the venv va opened was rebased (or, dry_run, would be), else
 * CLI_FAILED with nothing changed; messages on stderr. */
int rebase_venv(const venv_access *va, const rebase_options *opt);

#endif
