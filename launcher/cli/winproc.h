/* Running programs from venvshim.exe (create: python -m venv; check: asking
 * a base its version). Each argument is quoted by the rules the MS C runtime
 * and CommandLineToArgvW parse with, so every argument arrives as it was. */
#ifndef VENVSHIM_WINPROC_H
#define VENVSHIM_WINPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "run_bounded.h" /* run_status, RUN_LIMIT_MS, RUN_OUTPUT_CAP */

/* argv (NULL-terminated) as one command line into out (cap wide chars);
 * false if it does not fit. */
bool winproc_cmdline(const wchar_t *const argv[], wchar_t *out, size_t cap);

/* Run argv[0] (a path) with argv, the std handles inherited (stdout on NUL
 * when quiet_stdout), and wait. True and its exit code in *code, or false
 * (GetLastError tells) when it could not be started. */
bool winproc_run(const wchar_t *const argv[], bool quiet_stdout, unsigned long *code);

/* As run_bounded (run_bounded.h): stdin and stderr on NUL, stdout (at most
 * cap - 1 bytes, NUL-terminated) into out, in a job that is killed at
 * limit_ms or as soon as the program exits (nothing it started lingers). */
run_status winproc_run_bounded(const wchar_t *const argv[], int limit_ms, char *out, size_t cap,
                               int *exit_code);

#endif
