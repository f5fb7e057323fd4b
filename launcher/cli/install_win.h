/* venvshim.exe install DIR: put the venvshim launchers into a Windows venv.
 * Off the launcher's hot path: stdio and the heap are fine here. */
#ifndef VENVSHIM_INSTALL_WIN_H
#define VENVSHIM_INSTALL_WIN_H

#include <wchar.h>

#include "cli/cli.h" /* CLI_OK, CLI_FAILED, CLI_USAGE, cli_error */

int install_windows_venv(const wchar_t *dir);

/* A regular file (not a directory, device or reparse point: a link planted in
 * Scripts is not read through) of less than 64 MiB, as the POSIX CLI reads,
 * in a heap buffer (one spare byte); NULL when it is not one. */
unsigned char *win_read_regular_file(const wchar_t *path, size_t *size);

/* venvshim.exe create DIR (create_win.c) and check DIR (check_win.c). */
int cmd_create_win(const cli_args *a);
int cmd_check_win(const cli_args *a);

#endif
