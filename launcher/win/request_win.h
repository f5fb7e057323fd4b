/* Building the launcher request on Windows (see request_win.c). */
#ifndef VENVSHIM_REQUEST_WIN_H
#define VENVSHIM_REQUEST_WIN_H

#include <wchar.h>

#include "exec_win.h"
#include "plan.h"

/* Fill *req for this process; insert is what goes between the base program
 * and our command-line tail (a script launcher's " #!args "self""), or NULL. */
void win_request(vs_request *req, const wchar_t *insert);

#endif
