/* Errors and tracing: one place decides what the user reads on stderr.
 * No stdio and no heap: messages are built in fixed buffers and written with
 * write(2), so the launcher's hot path stays small and allocation-free. */
#ifndef VENVSHIM_DIAG_H
#define VENVSHIM_DIAG_H

#include <stdbool.h>

#include "path.h"

/* Exit codes: those of CPython's own venv launcher (PC/venvlauncher.c). */
enum {
    EXIT_EXEC_FAILED = 101, /* the base interpreter could not be started */
    EXIT_NO_BASE = 103,     /* no usable base interpreter (home missing, loop, ...) */
    EXIT_BAD_SCRIPT = 105,  /* a script launcher whose appended zip is damaged */
    EXIT_NO_CFG = 106,      /* no pyvenv.cfg next to the launcher or in its parent */
    EXIT_BAD_CFG = 107,     /* pyvenv.cfg unreadable or invalid */
    EXIT_PRIVILEGED = 120,  /* venvshim's own: started set-user-ID / set-group-ID */
    EXIT_NO_ACCESS = 121,   /* venvshim's own: home exists but this user may not reach it */
};

typedef struct {
    int code; /* 0: no error */
    char text[2 * VS_PATH_MAX + 1024];
} vs_error;

/* Set by the launcher from PYLAUNCHER_DEBUG; tests may set it directly. */
extern bool diag_debug;

/* Record an error: the arguments (const char *, ending with NULL) are
 * concatenated after "venvshim: ". The first argument that starts with "\n"
 * begins the second line (the fix), which gets the prefix too. Control
 * characters anywhere else are escaped (sb_add_escaped): values from files,
 * paths and the environment reach the terminal as text. Returns code, for
 * `return fail(...)`. */
int fail(vs_error *err, int code, ...);

/* Write err to stderr (with a final newline). */
void error_print(const vs_error *err);

/* With diag_debug set: "venvshim: " + the NULL-terminated strings, escaped as
 * in fail(), to stderr. */
void trace(const char *first, ...);

/* Write all of s to a file descriptor (retrying short writes). */
void write_all(int fd, const char *s);

#endif
