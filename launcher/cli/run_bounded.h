/* Running a program that may be hostile, bounded in time and output
 * (check_run.c): check asks a base its version with it, rebase asks each
 * candidate interpreter. Its own header so that rebase's modules need not
 * include check's. */
#ifndef VENVSHIM_RUN_BOUNDED_H
#define VENVSHIM_RUN_BOUNDED_H

#include <stddef.h>

typedef enum {
    RUN_OK,       /* exited 0; out holds what it printed */
    RUN_FAILED,   /* could not start, or exited non-zero or by a signal */
    RUN_TIMEOUT,  /* still running at the limit (or check was interrupted) */
    RUN_TOO_MUCH, /* printed cap bytes or more */
    RUN_LINGERED  /* exited, but a process it started held its stdout */
} run_status;

#define RUN_LIMIT_MS 5000
#define RUN_OUTPUT_CAP (64 * 1024)

/* Run argv[0] (an absolute path) with stdin and stderr on /dev/null, in a
 * process group of its own that is killed when it exits or at limit_ms; its
 * stdout (at most cap - 1 bytes, NUL-terminated) into out. exit_code: its
 * exit status when it exited, else -1. */
run_status run_bounded(const char *const argv[], int limit_ms, char *out, size_t cap,
                       int *exit_code);

/* run_bounded, the program being the open file exe_fd (safe_exec.h), not
 * argv[0]'s path, which is only passed as its name. */
run_status run_bounded_fd(int exe_fd, const char *const argv[], int limit_ms, char *out, size_t cap,
                          int *exit_code);

/* Exec the program open at exe_fd (fexecve: the very file judged; macOS,
 * which has no fexecve: argv[0] by its path). Returns only on failure. */
void run_exec_fd(int exe_fd, const char *const argv[]);

#endif
