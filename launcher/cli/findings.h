/* The findings of `venvshim check` (check_report.c): collected, then printed
 * as text or as JSON (docs/json.md). Portable C, shared by the POSIX check
 * and venvshim.exe's (check_win.c). */
#ifndef VENVSHIM_FINDINGS_H
#define VENVSHIM_FINDINGS_H

#include <stddef.h>
#include <stdio.h>

typedef enum { FIND_OK, FIND_INFO, FIND_PROBLEM, FIND_FIXED } find_status;

typedef struct {
    char *check; /* "pyvenv.cfg", "base", "launcher", "script", "movable" */
    find_status status;
    char *path;    /* the file at issue, may be NULL */
    char *message; /* one line */
    char *fix;     /* a command to paste, shown after the message as it is; may be NULL */
} finding;

typedef struct {
    finding *items;
    size_t count, cap;
} report;

void report_add(report *r, const char *check, find_status status, const char *path, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* report_add with a command that fixes it (built with shell_word), shown
 * after the message exactly as it is: text output escapes the message, never
 * the command, so what is pasted is what was quoted. */
void report_add_fix(report *r, const char *check, find_status status, const char *path,
                    const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
size_t report_count(const report *r, find_status status);
void report_print_text(const report *r, const char *venv, FILE *out);
void report_print_json(const report *r, const char *venv, FILE *out);
void report_free(report *r);

/* What report_print_text says after "N problems found": where --fix is not
 * available (Windows), "". */
extern const char *report_fix_hint;

#endif
