/* Windows platform step: run the base interpreter as a child and wait.
 * A Windows process cannot replace itself, so the launcher stays as a thin
 * parent: job object (the child dies with it), console control events left
 * to the child, inheritable std handles, and the child's exact exit code. */
#ifndef VENVSHIM_EXEC_WIN_H
#define VENVSHIM_EXEC_WIN_H

#include <stdint.h>
#include <wchar.h>

#include "../plan.h"

/* Run plan->base.binary with the command line
 *   "<base>" <insert> <raw tail of GetCommandLineW() after argv[0]>
 * (insert may be NULL: the tail follows the quoted base byte for byte), with
 * the plan's environment changes applied. Returns 0 and the child's exit
 * code in *code, or an exit code (101) with err filled in. */
int win_run(const vs_plan *plan, const wchar_t *insert, uint32_t *code, vs_error *err);

/* The part of a command line after argv[0], by the CRT rule: a quoted
 * argv[0] ends at the next '"', an unquoted one at the first space or tab.
 * Leading blanks of the tail are kept. */
const wchar_t *win_cmdline_tail(const wchar_t *cmdline);

#endif
