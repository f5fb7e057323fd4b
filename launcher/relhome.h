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

#include "plan.h"

#define RELHOME_MARKER_VAR "__VENVSHIM_BASE_EXECUTABLE__"
#define SITE_INIT_PTH "_venvshim.pth"

enum { PYFLAG_E = 1, PYFLAG_I = 2, PYFLAG_S = 4 };

/* Which of -E, -I, -S an interpreter command line sets (CPython's option
 * syntax: grouped flags, -X/-W values, -c/-m and the script end options). */
unsigned python_flags(int argc, char **argv);

/* The prefix getpath would find for home: home or its parent, whichever
 * holds lib/<stdlib>/os.py (stdlib "python3.12" or "pypy3.9"). Never higher:
 * from a bundle that lacks its stdlib, getpath's walk up can reach /lib. */
bool find_base_prefix(const char *home, const char *stdlib, char *prefix, size_t cap);

/* Add the environment changes to plan (base.home_relative set); 0 or an
 * exit code with err filled in. */
int relhome_plan(const vs_request *req, vs_plan *plan, vs_error *err);

#endif
