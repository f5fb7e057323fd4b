/* venvshim.exe install DIR: put the venvshim launchers into a Windows venv.
 * Off the launcher's hot path: stdio and the heap are fine here. */
#ifndef VENVSHIM_INSTALL_WIN_H
#define VENVSHIM_INSTALL_WIN_H

#include <wchar.h>

#include "cli/cli.h" /* CLI_OK, CLI_FAILED, CLI_USAGE, cli_error */

int install_windows_venv(const wchar_t *dir);

/* venvshim.exe create DIR (create_win.c) and check DIR (check_win.c). */
int cmd_create_win(const cli_args *a);
int cmd_check_win(const cli_args *a);

#endif
