/* Findings of `venvshim check`: collected, then printed as text or JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pathsep.h"
#include "findings.h"

const char *report_fix_hint = "; 'venvshim check --fix DIR' repairs what is safe to repair";

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

static void add(report *r, const char *check, find_status status, const char *path, const char *fix,
                const char *fmt, va_list ap) {
    if (r->count == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        finding *items = realloc(r->items, cap * sizeof *items);
        if (!items)
            return; /* out of memory: the finding is lost, the run goes on */
        r->items = items;
        r->cap = cap;
    }
    /* One formatting pass (open_memstream is POSIX only; formatting twice,
     * measure then write, trips GCC 12's -Wformat-truncation under
     * -fsanitize=undefined at -O2: a path on which fmt is NULL). A finding is
     * one line: 16 KiB holds three full paths and more. A newline in a name
     * stays one: the printers escape it. */
    static char line[16384];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    finding *f = &r->items[r->count++];
    f->check = strdup(check);
    f->status = status;
    f->path = dup_or_null(path);
    f->message = n < 0 ? NULL : strdup(line);
    f->fix = dup_or_null(fix);
}

void report_add(report *r, const char *check, find_status status, const char *path, const char *fmt,
                ...) {
    va_list ap;
    va_start(ap, fmt);
    add(r, check, status, path, NULL, fmt, ap);
    va_end(ap);
}

void report_add_fix(report *r, const char *check, find_status status, const char *path,
                    const char *fix, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    add(r, check, status, path, fix, fmt, ap);
    va_end(ap);
}

size_t report_count(const report *r, find_status status) {
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        n += r->items[i].status == status;
    return n;
}

static const char *status_name(find_status s) {
    switch (s) {
    case FIND_OK:
        return "ok";
    case FIND_INFO:
        return "info";
    case FIND_PROBLEM:
        return "problem";
    default:
        return "fixed";
    }
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p) {
    size_t n = p[0] >= 0xf5 ? 0 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* no overlong forms, no surrogates, nothing above U+10FFFF */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return n;
}

/* A JSON string: quotes, backslashes and control bytes escaped. Paths are
 * bytes: a byte that is not valid UTF-8 becomes U+FFFD so the output stays
 * valid JSON (the "path" is for reading; the file system has the truth). */
static void json_string(FILE *out, const char *s) {
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p);
        } else if (*p < 0x80) {
            fputc(*p, out);
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", out);
            } else {
                fwrite(p, 1, n, out);
                p += n - 1;
            }
        }
    }
    fputc('"', out);
}

/* Text for a terminal, check's one escaping: file names and #! lines are
 * the venv's, so a control byte (ESC starts a terminal command; a newline
 * would start a line that looks like a finding), a C1 control
 * (U+0080-U+009F, CSI among them) or a byte that is not UTF-8 is shown as
 * \xNN, never sent, and a bidirectional override as \uNNNN. A backslash is
 * shown as \\ (on POSIX, where a name can hold one), so no two names are
 * shown alike. */
static void text_string(FILE *out, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        size_t n = *p < 0x80 ? 1 : utf8_len(p);
        if (*p == '\\' && !PATH_WINDOWS) {
            fputs("\\\\", out);
        } else if (*p < 0x20 || *p == 0x7f || n == 0 || (p[0] == 0xc2 && p[1] < 0xa0)) {
            fprintf(out, "\\x%02x", *p);
        } else if (n == 3 && p[0] == 0xe2 &&
                   ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
                    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))) {
            /* U+202A-202E, U+2066-2069: bidirectional overrides reorder
             * what the terminal shows (a name could read as another) */
            fprintf(out, "\\u%04x", p[1] == 0x80 ? 0x2000 + (p[2] - 0x80) : 0x2040 + (p[2] - 0x80));
            p += 2;
        } else {
            fwrite(p, 1, n, out);
            p += n - 1;
        }
    }
}

void report_print_text(const report *r, const char *venv, FILE *out) {
    fputs("venvshim check ", out);
    text_string(out, venv);
    fputc('\n', out);
    for (size_t i = 0; i < r->count; i++) {
        const finding *f = &r->items[i];
        fprintf(out, "  %-8s %-10s ", status_name(f->status), f->check);
        text_string(out, f->message ? f->message : "");
        if (f->fix)
            fputs(f->fix, out); /* shell_word's: nothing a terminal acts on */
        fputc('\n', out);
    }
    size_t problems = report_count(r, FIND_PROBLEM), fixed = report_count(r, FIND_FIXED);
    if (problems == 0)
        fprintf(out, "healthy%s\n", fixed ? " (after the fixes above)" : "");
    else
        fprintf(out, "%zu problem%s found%s\n", problems, problems == 1 ? "" : "s",
                fixed ? " (some fixed, see above)" : report_fix_hint);
}

void report_print_json(const report *r, const char *venv, FILE *out) {
    size_t problems = report_count(r, FIND_PROBLEM);
    fputs("{\"venv\": ", out);
    json_string(out, venv);
    fprintf(out, ", \"healthy\": %s, \"problems\": %zu, \"fixed\": %zu, \"findings\": [",
            problems ? "false" : "true", problems, report_count(r, FIND_FIXED));
    for (size_t i = 0; i < r->count; i++) {
        const finding *f = &r->items[i];
        fputs(i ? ", {\"check\": " : "{\"check\": ", out);
        json_string(out, f->check);
        fprintf(out, ", \"status\": \"%s\", \"path\": ", status_name(f->status));
        json_string(out, f->path);
        fputs(", \"message\": ", out);
        if (f->fix) { /* the message as text output shows it, and the command apart */
            size_t n = strlen(f->message ? f->message : "") + strlen(f->fix) + 1;
            char *whole = malloc(n);
            if (whole)
                snprintf(whole, n, "%s%s", f->message ? f->message : "", f->fix);
            json_string(out, whole ? whole : f->message);
            free(whole);
            fputs(", \"fix\": ", out);
            json_string(out, f->fix);
        } else {
            json_string(out, f->message);
        }
        fputc('}', out);
    }
    fputs("]}\n", out);
}

void report_free(report *r) {
    for (size_t i = 0; i < r->count; i++) {
        free(r->items[i].check);
        free(r->items[i].path);
        free(r->items[i].message);
        free(r->items[i].fix);
    }
    free(r->items);
    r->items = NULL;
    r->count = r->cap = 0;
}
