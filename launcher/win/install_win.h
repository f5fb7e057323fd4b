/* venvshim.exe install DIR: put the venvshim launchers into a Windows venv.
 * Off the launcher's hot path: stdio and the heap are fine here. */
#ifndef VENVSHIM_INSTALL_WIN_H
#define VENVSHIM_INSTALL_WIN_H

#include <wchar.h>

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Print "venvshim: <message>" to stderr; returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int install_windows_venv(const wchar_t *dir);

#endif
