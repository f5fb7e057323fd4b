/* Errors and tracing: one place decides what the user reads on stderr.
 * No stdio and no heap: messages are built in fixed buffers and written with
 * fs_write_all (fs.h), so the launcher's hot path stays small and allocation-free. */
#ifndef VENVSHIM_DIAG_H
#define VENVSHIM_DIAG_H

#include <stdbool.h>

#include "contract.h" /* the exit codes */
#include "path.h"

typedef struct {
    int code; /* 0: no error */
    char text[2 * VS_PATH_MAX + 1024];
} vs_error;

/* The argument lists below end with NULL: the compiler checks that they do
 * (GCC: -Wformat, Clang: -Wsentinel, both in -Wall: "missing sentinel in
 * function call"). */
#if defined(__GNUC__) || defined(__clang__)
#define DIAG_SENTINEL __attribute__((sentinel))
#else
#define DIAG_SENTINEL
#endif

/* Set by the launcher from PYLAUNCHER_DEBUG; tests may set it directly. */
extern bool diag_debug;

/* Record an error: the arguments (const char *, ending with NULL) are
 * concatenated after "venvshim: ". The first argument that starts with "\n"
 * begins the second line (the fix), which gets the prefix too. Control
 * characters anywhere else are escaped (sb_add_escaped): values from files,
 * paths and the environment reach the terminal as text. Returns code, for
 * `return diag_fail(...)`. */
int diag_fail(vs_error *err, int code, ...) DIAG_SENTINEL;

/* The fix when an error is the process's or the system's, not the file's
 * (fs_error_is_exhausted): permissions or a new venv would not help. */
#define DIAG_HINT_EXHAUSTED                                                                        \
    "\nthe process has too many files open or too little memory (see ulimit -n): close "           \
    "some, or raise the limit, and try again"

/* Write err to stderr (with a final newline). */
void diag_print_error(const vs_error *err);

/* With diag_debug set: "venvshim: " + the NULL-terminated strings, escaped as
 * in diag_fail(), to stderr. */
void diag_trace(const char *first, ...) DIAG_SENTINEL;

#endif
