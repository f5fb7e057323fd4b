/* Relative `home` (a venv shipped with its interpreter, PEP 796 semantics).
 *
 * resolve.c makes a relative home absolute against the directory holding
 * pyvenv.cfg. No released CPython does that: it would read the same value
 * against the CWD and can load another installation's stdlib. So the plan
 * hands the child the absolute base prefix as PYTHONHOME, plus a private
 * marker naming the base binary; the venv's site-init hook (site-init/)
 * removes both from os.environ at start-up and sets sys._base_executable.
 * Where that cannot hold (-E, -I: PYTHONHOME is ignored; -S: the hook does
 * not run and PYTHONHOME would leak to children; the hook is missing) the
 * launcher refuses with a clear error instead. */
#ifndef VENVSHIM_RELHOME_H
#define VENVSHIM_RELHOME_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "locate.h"
#include "resolve.h"

enum { PYFLAG_E = 1, PYFLAG_I = 2, PYFLAG_S = 4 };

/* Which of -E, -I, -S an interpreter command line sets (CPython's option
 * syntax: grouped flags, -X/-W values, -c/-m and the script end options). */
unsigned relhome_python_flags(int argc, char **argv);

/* The prefix getpath would find for home: home or its parent, whichever
 * holds lib/<stdlib>/os.py (stdlib "python3.12" or "pypy3.9"). Never higher:
 * from a bundle that lacks its stdlib, getpath's walk up can reach /lib. */
bool relhome_find_base_prefix(const char *home, const char *stdlib, char *prefix, size_t cap);

/* What the child needs for a relative home: PYTHONHOME (and the marker
 * naming base->binary), unless the caller set PYTHONHOME itself. */
typedef struct {
    bool set_home; /* false: the caller's PYTHONHOME decides, nothing to add */
    char pythonhome[VS_PATH_MAX];
} relhome_env;

/* The relative-home step of plan_make (base->home_relative set): flags are
 * the interpreter's -E/-I/-S (python_flags; 0 for a script launcher),
 * has_pythonhome whether the caller set PYTHONHOME. Fills out; 0 or an exit
 * code with err filled in. The caller (plan.c) records the environment. */
int relhome_prepare(const vs_location *loc, const vs_base *base, unsigned flags,
                    bool has_pythonhome, relhome_env *out, vs_error *err);

#endif
