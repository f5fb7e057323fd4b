/* How the CLI reports (report.c): lines for people on stdout, progress on a
 * terminal, one JSON object for programs (--json), or nothing but errors
 * (--quiet). The schemas are in docs/json.md. */
#ifndef VENVSHIM_REPORT_H
#define VENVSHIM_REPORT_H

#include <stdbool.h>

#include "commands.h"

typedef enum { REPORT_TEXT, REPORT_QUIET, REPORT_JSON } report_mode;

/* From a command's --json and --quiet (when it has them). --quiet sends
 * stdout, the CLI's and its children's (venv, pip), to /dev/null: errors and
 * warnings stay on stderr. */
void report_start(const cli_args *a);
report_mode report_get_mode(void);

/* A line of what was done: printed in text mode, kept in "notes" with --json. */
void report_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "venvshim: <step>" on stderr, only when stderr is a terminal and in text
 * mode: a long run says what it is doing, a pipe or log gets no noise. */
void report_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The fields of the JSON object, in the order first set (set again:
 * replaced). value NULL: null. */
void report_str(const char *key, const char *value);
void report_bool(const char *key, bool value);
void report_int(const char *key, long value);
/* A value that is JSON text already (upgrade's plan, written by its helper);
 * NULL: null. */
void report_json(const char *key, const char *json);
/* Append to the list key (created empty by report_list). */
void report_list(const char *key);
void report_list_str(const char *key, const char *value);
void report_list_pair(const char *key, const char *k1, const char *v1, const char *k2,
                      const char *v2);
/* Nest what was collected since mark (its fields and notes) as the object
 * key: create's "install" and "relocate". */
typedef struct {
    int fields;
    size_t notes;
} report_pos;
report_pos report_mark(void);
void report_nest(const char *key, report_pos mark);
/* With --json: the object on stdout, with "ok" (rc == 0); then reset. */
void report_finish(int rc);

#endif
