/* The CLI's reporting: see report.h. The JSON object is built as text, one
 * field at a time, and printed once at the end, so a failure half-way still
 * gives one complete object. */
#include "report.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELDS 24

typedef struct {
    char key[32];
    char *text; /* the rendered value; a list without its closing ']' */
    bool list;
} field;

static report_mode mode = REPORT_TEXT;
static field fields[MAX_FIELDS];
static int n_fields;
static int base;    /* slot() looks from here: the fields since report_mark */
static char *notes; /* the "notes" list, kept apart so it comes last */

/* Append printf output to *buf (realloc'd). Out of memory: *buf unchanged. */
static void cat(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(char **buf, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int add = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t have = *buf ? strlen(*buf) : 0;
    char *bigger = add >= 0 ? realloc(*buf, have + (size_t)add + 1) : NULL;
    if (!bigger)
        return;
    va_start(ap, fmt);
    vsnprintf(bigger + have, (size_t)add + 1, fmt, ap);
    va_end(ap);
    *buf = bigger;
}

static void cat_json_str(char **buf, const char *s) {
    if (!s) {
        cat(buf, "null");
        return;
    }
    cat(buf, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cat(buf, "\\%c", *p);
        else if (*p < 0x20)
            cat(buf, "\\u%04x", *p);
        else
            cat(buf, "%c", *p);
    }
    cat(buf, "\"");
}

static field *slot(const char *key, bool list) {
    for (int i = base; i < n_fields; i++) {
        if (strcmp(fields[i].key, key) == 0) {
            if (!list || !fields[i].list) {
                free(fields[i].text);
                fields[i].text = NULL;
                fields[i].list = list;
            }
            return &fields[i];
        }
    }
    if (n_fields == MAX_FIELDS)
        return NULL;
    field *f = &fields[n_fields++];
    snprintf(f->key, sizeof f->key, "%s", key);
    f->text = NULL;
    f->list = list;
    return f;
}

void report_start(const cli_args *a) {
    mode = cli_opt(a, "json") ? REPORT_JSON : cli_opt(a, "quiet") ? REPORT_QUIET : REPORT_TEXT;
    if (mode == REPORT_QUIET) {
        fflush(stdout);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            close(null);
        }
    }
}

report_mode report_get_mode(void) {
    return mode;
}

void report_note(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (mode == REPORT_JSON) {
        char line[4096];
        vsnprintf(line, sizeof line, fmt, ap);
        line[strcspn(line, "\n")] = '\0';
        const char *start = line + strspn(line, " ");
        cat(&notes, notes ? ", " : "");
        cat_json_str(&notes, start);
    } else {
        vprintf(fmt, ap);
    }
    va_end(ap);
}

void report_progress(const char *fmt, ...) {
    if (mode != REPORT_TEXT || !isatty(STDERR_FILENO))
        return;
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fputs("venvshim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void report_str(const char *key, const char *value) {
    field *f = slot(key, false);
    if (f)
        cat_json_str(&f->text, value);
}

void report_bool(const char *key, bool value) {
    field *f = slot(key, false);
    if (f)
        cat(&f->text, "%s", value ? "true" : "false");
}

void report_int(const char *key, long value) {
    field *f = slot(key, false);
    if (f)
        cat(&f->text, "%ld", value);
}

void report_json(const char *key, const char *json) {
    field *f = slot(key, false);
    if (f)
        cat(&f->text, "%s", json ? json : "null");
}

static field *list_slot(const char *key) {
    field *f = slot(key, true);
    if (f && !f->text)
        cat(&f->text, "[");
    return f;
}

void report_list(const char *key) {
    list_slot(key);
}

void report_list_str(const char *key, const char *value) {
    field *f = list_slot(key);
    if (!f)
        return;
    cat(&f->text, "%s", f->text && strcmp(f->text, "[") ? ", " : "");
    cat_json_str(&f->text, value);
}

void report_list_pair(const char *key, const char *k1, const char *v1, const char *k2,
                      const char *v2) {
    field *f = list_slot(key);
    if (!f)
        return;
    cat(&f->text, "%s{", f->text && strcmp(f->text, "[") ? ", " : "");
    cat_json_str(&f->text, k1);
    cat(&f->text, ": ");
    cat_json_str(&f->text, v1);
    cat(&f->text, ", ");
    cat_json_str(&f->text, k2);
    cat(&f->text, ": ");
    cat_json_str(&f->text, v2);
    cat(&f->text, "}");
}

/* The fields from `from` on and the notes from byte `notes_from` on, as one
 * object, malloc'd; those fields and notes are removed. */
static char *take(int from, size_t notes_from) {
    char *out = NULL;
    cat(&out, "{");
    for (int i = from; i < n_fields; i++) {
        cat(&out, "%s", i > from ? ", " : "");
        cat_json_str(&out, fields[i].key);
        cat(&out, ": %s%s", fields[i].text ? fields[i].text : "null", fields[i].list ? "]" : "");
        free(fields[i].text);
    }
    const char *mine = notes && strlen(notes) > notes_from ? notes + notes_from : "";
    if (mine[0] == ',')
        mine += 2;
    cat(&out, "%s\"notes\": [%s]}", n_fields > from ? ", " : "", mine);
    n_fields = from;
    if (notes)
        notes[notes_from < strlen(notes) ? notes_from : strlen(notes)] = '\0';
    if (notes && !notes[0]) {
        free(notes);
        notes = NULL;
    }
    return out;
}

report_pos report_mark(void) {
    report_pos p = {n_fields, notes ? strlen(notes) : 0};
    base = n_fields;
    return p;
}

void report_nest(const char *key, report_pos mark) {
    char *obj = take(mark.fields, mark.notes);
    base = 0;
    field *f = slot(key, false);
    if (f && obj)
        cat(&f->text, "%s", obj);
    free(obj);
}

void report_finish(int rc) {
    if (mode != REPORT_JSON)
        return;
    field *f = slot("ok", false);
    if (f)
        cat(&f->text, "%s", rc == 0 ? "true" : "false");
    char *obj = take(0, 0);
    if (obj)
        printf("%s\n", obj);
    free(obj);
    fflush(stdout);
}
