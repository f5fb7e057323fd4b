/* What the Windows entry points (python.exe redirector, script launchers)
 * share before they differ: tracing flags, the plan, the dry run. */
#ifndef VENVSHIM_LAUNCHER_WIN_H
#define VENVSHIM_LAUNCHER_WIN_H

#include <stdbool.h>
#include <wchar.h>

#include "plan.h"

/* Read PYLAUNCHER_DEBUG. */
void win_launcher_start(void);

/* locate + resolve from GetModuleFileNameW, then set __PYVENV_LAUNCHER__ to
 * the launcher's path (or to venv_python, when not NULL). insert: what goes
 * before our command-line tail (request_win.h). 0 or an exit code. */
int win_make_plan_for(vs_plan *plan, const char *venv_python, const wchar_t *insert, vs_error *err);
#define win_make_plan(plan, err) win_make_plan_for((plan), NULL, NULL, (err))

/* With PYLAUNCHER_DRYRUN set: print the plan and the command line that
 * would run, and return true. */
bool win_dry_run(const vs_plan *plan, const wchar_t *insert);

/* The common end of a Windows entry point: with rc == 0, the dry run or
 * win_run (then ExitProcess with the child's code); else the error. */
int win_finish(const vs_plan *plan, int rc, const wchar_t *insert, vs_error *err);

#endif
