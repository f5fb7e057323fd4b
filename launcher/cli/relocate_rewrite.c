#include "relocate_rewrite.h"

#include <stdlib.h>
#include <string.h>

#include "../payload.h"
#include "cli.h"

void ob_put(outbuf *b, const char *p, size_t n) {
    if (b->failed)
        return;
    if (n + 1 > b->cap - b->len || !b->data) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n + 1) {
            if (cap > ((size_t)-1) / 2) {
                b->failed = true;
                return;
            }
            cap *= 2;
        }
        char *bigger = realloc(b->data, cap);
        if (!bigger) {
            b->failed = true;
            return;
        }
        b->data = bigger;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void ob_puts(outbuf *b, const char *s) {
    ob_put(b, s, strlen(s));
}

void ob_free(outbuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

static const char *line_end(const char *p, const char *end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* memmem(3) is a GNU extension. */
static bool contains(const char *text, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (text[i] == needle[0] && memcmp(text + i, needle, n) == 0)
            return true;
    return false;
}

static rewrite_status finish(outbuf *out) {
    if (out->failed) {
        ob_free(out);
        return REWRITE_NO_MEMORY;
    }
    return REWRITE_DONE;
}

/* ---- activate (bash, zsh) ---- */

static const char sh_block_head[] =
    "# venvshim relocate: find the venv from this file's own location\n"
    "if [ -n \"${BASH_VERSION:-}\" ]; then\n"
    "    _venvshim_venv=$(CDPATH= cd -- \"$(dirname -- \"${BASH_SOURCE[0]}\")/..\" && pwd)\n"
    "elif [ -n \"${ZSH_VERSION:-}\" ]; then\n"
    "    _venvshim_venv=$(CDPATH= cd -- \"$(dirname -- \"${(%):-%x}\")/..\" && pwd)\n"
    "else\n"
    "    # plain sh (dash): no variable names the sourced file, but on Linux the\n"
    "    # shell holds it open; the last descriptor naming a venv's bin/activate\n"
    "    # is the innermost file being sourced\n"
    "    _venvshim_venv=\n"
    "    for _venvshim_fd in /proc/$$/fd/*; do\n"
    "        _venvshim_f=$(readlink \"$_venvshim_fd\" 2>/dev/null) || continue\n"
    "        case $_venvshim_f in\n"
    "            */bin/activate) [ -f \"${_venvshim_f%/bin/activate}/pyvenv.cfg\" ] &&\n"
    "                _venvshim_venv=${_venvshim_f%/bin/activate} ;;\n"
    "        esac\n"
    "    done\n"
    "    unset _venvshim_fd _venvshim_f\n"
    "    [ -n \"$_venvshim_venv\" ] || _venvshim_venv=";
static const char sh_block_tail[] = "\nfi\n";

/* A `[export ]VIRTUAL_ENV=<value>` line of activate: its value, or NULL. */
static const char *venv_assignment(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(e - p) > 7 && memcmp(p, "export ", 7) == 0)
        p += 7;
    return (size_t)(e - p) > 12 && memcmp(p, "VIRTUAL_ENV=", 12) == 0 ? p + 12 : NULL;
}

static bool is_cygpath(const char *v, const char *e) {
    return (size_t)(e - v) > 10 && memcmp(v, "$(cygpath ", 10) == 0;
}

/* The block goes after `deactivate nondestructive` (top level in every venv
 * version), or before the first assignment, whichever comes first. */
rewrite_status activate_rewrite_sh(const char *text, size_t len, outbuf *out) {
    memset(out, 0, sizeof *out);
    if (contains(text, len, "_venvshim_venv"))
        return REWRITE_ALREADY;
    const char *end = text + len, *fallback = NULL, *fallback_end = NULL, *anchor = NULL;
    static const char deactivate[] = "deactivate nondestructive";
    for (const char *p = text; p < end;) {
        const char *e = line_end(p, end), *v = venv_assignment(p, e);
        if (v && !fallback && !is_cygpath(v, e)) {
            fallback = v;
            fallback_end = e;
        }
        bool is_deactivate = (size_t)(e - p) == sizeof deactivate - 1 &&
                             memcmp(p, deactivate, sizeof deactivate - 1) == 0;
        if (!anchor && v)
            anchor = p;
        else if (!anchor && is_deactivate && e < end)
            anchor = e + 1;
        p = e < end ? e + 1 : end;
    }
    if (!fallback || !anchor)
        return REWRITE_NO_LINE;
    for (const char *p = text; p < end;) {
        if (p == anchor) {
            ob_put(out, sh_block_head, sizeof sh_block_head - 1);
            ob_put(out, fallback, (size_t)(fallback_end - fallback));
            ob_put(out, sh_block_tail, sizeof sh_block_tail - 1);
        }
        const char *e = line_end(p, end), *v = venv_assignment(p, e);
        if (v) {
            ob_put(out, p, (size_t)(v - p));
            ob_puts(out,
                    is_cygpath(v, e) ? "$(cygpath \"$_venvshim_venv\")" : "\"$_venvshim_venv\"");
        } else {
            ob_put(out, p, (size_t)(e - p));
        }
        if (e < end)
            ob_put(out, "\n", 1);
        p = e < end ? e + 1 : end;
    }
    if (out->len > 0 && out->data && out->data[out->len - 1] != '\n')
        ob_put(out, "\n", 1);
    ob_puts(out, "unset _venvshim_venv\n"); /* keep the user's shell clean */
    return finish(out);
}

/* ---- activate.fish ---- */

rewrite_status activate_rewrite_fish(const char *text, size_t len, outbuf *out) {
    static const char key[] = "set -gx VIRTUAL_ENV ";
    static const char value[] = "(builtin realpath (status dirname)/..)";
    memset(out, 0, sizeof *out);
    if (contains(text, len, "(status dirname)"))
        return REWRITE_ALREADY;
    bool done = false;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *e = line_end(p, end);
        if (!done && (size_t)(e - p) > sizeof key - 1 && memcmp(p, key, sizeof key - 1) == 0) {
            ob_put(out, key, sizeof key - 1);
            ob_put(out, value, sizeof value - 1);
            done = true;
        } else {
            ob_put(out, p, (size_t)(e - p));
        }
        if (e < end)
            ob_put(out, "\n", 1);
        p = e < end ? e + 1 : end;
    }
    if (!done) {
        ob_free(out);
        return REWRITE_NO_LINE;
    }
    return finish(out);
}

/* ---- #! lines ---- */

void shebang_read(const char *text, size_t len, shebang_line *sb) {
    memset(sb, 0, sizeof *sb);
    const char *end = text + len, *l1 = line_end(text, end);
    sb->form = SHEBANG_ABSENT;
    if (len < 2 || text[0] != '#' || text[1] != '!')
        return;
    static const char sh[] = "#!/bin/sh";
    if ((size_t)(l1 - text) == sizeof sh - 1 && memcmp(text, sh, sizeof sh - 1) == 0) {
        /* pip's form for long or spaced paths:
         *   #!/bin/sh
         *   '''exec' "/venv/bin/python" "$0" "$@"
         *   ' ''' */
        static const char head[] = "'''exec' \"", tail[] = "\" \"$0\" \"$@\"";
        const char *l2 = l1 < end ? l1 + 1 : end, *l2e = line_end(l2, end);
        const char *l3 = l2e < end ? l2e + 1 : end, *l3e = line_end(l3, end);
        size_t n2 = (size_t)(l2e - l2), h = sizeof head - 1, t = sizeof tail - 1;
        sb->form = SHEBANG_SH_OTHER;
        if (n2 <= h + t || memcmp(l2, head, h) != 0 || memcmp(l2e - t, tail, t) != 0 ||
            (size_t)(l3e - l3) != 5 || memcmp(l3, "' '''", 5) != 0)
            return;
        sb->form = SHEBANG_PATH;
        sb->interp = (size_t)(l2 + h - text);
        sb->interp_len = n2 - h - t;
        sb->body = (size_t)((l3e < end ? l3e + 1 : end) - text);
        return;
    }
    const char *p = text + 2;
    while (p < l1 && *p == ' ')
        p++;
    const char *q = l1;
    while (q > p && (q[-1] == '\r' || q[-1] == ' ' || q[-1] == '\t'))
        q--;
    if (memchr(p, ' ', (size_t)(q - p)) || memchr(p, '\t', (size_t)(q - p))) {
        sb->form = SHEBANG_OPTIONS;
        return;
    }
    sb->form = SHEBANG_PATH;
    sb->interp = (size_t)(p - text);
    sb->interp_len = (size_t)(q - p);
    sb->body = (size_t)((l1 < end ? l1 + 1 : end) - text);
}

size_t script_main_text(const char *text, size_t len, const shebang_line *sb, char *out) {
    const char *l1 = line_end(text, text + len);
    size_t n = (size_t)(l1 - text), body = sb->body < len ? sb->body : len;
    memcpy(out, text, n);
    for (size_t i = n; i < body; i++)
        if (text[i] == '\n' || text[i] == '\r')
            out[n++] = text[i];
    memcpy(out + n, text + body, len - body);
    return n + len - body;
}

const char *shebang_form_reason(shebang_form form) {
    switch (form) {
    case SHEBANG_ABSENT:
        return "no #! line";
    case SHEBANG_SH_OTHER:
        return "a /bin/sh script, not one pip wrote for this venv";
    case SHEBANG_OPTIONS:
        return "its #! line has options";
    default:
        return "its #! names another python";
    }
}

/* ---- what a file holds ---- */

/* here, not in fileops.c: pure, so the fuzz targets need no file code */
bool contains_string(const char *data, size_t len, const char *marker) {
    size_t m = strlen(marker);
    for (size_t i = 0; i + m <= len; i++) /* memmem is a GNU extension */
        if (data[i] == marker[0] && memcmp(data + i, marker, m) == 0)
            return true;
    return false;
}

bool has_launcher_marker(const char *data, size_t len) {
    return contains_string(data, len, VS_LAUNCHER_MARKER);
}

typedef struct {
    const unsigned char *data;
    size_t len;
} memory_file;

static long memory_read(void *ctx, void *buf, size_t n, long long offset) {
    const memory_file *m = ctx;
    if (offset < 0 || (unsigned long long)offset > m->len)
        return -1;
    size_t avail = m->len - (size_t)offset, k = n < avail ? n : avail;
    memcpy(buf, m->data + offset, k);
    return (long)k;
}

static payload_status inspect_bytes(const char *data, size_t len, const char **why) {
    memory_file m = {(const unsigned char *)data, len};
    return payload_inspect(memory_read, &m, (long long)len, why);
}

bool launcher_accepts(const char *data, size_t len, const char **why) {
    *why = "it is not a zip archive";
    return inspect_bytes(data, len, why) == PAYLOAD_ZIP;
}

content_kind classify_content(const char *data, size_t len, const char **why) {
    *why = "";
    long long image = payload_elf_image_end((const unsigned char *)data, len);
    bool shebang = len >= 2 && data[0] == '#' && data[1] == '!';
    /* the marker inside the launcher's image, not in data it carries (a
     * zipapp may well hold the string); a launcher never starts with #! */
    size_t scan = image > 0 && (unsigned long long)image < len ? (size_t)image : len;
    if (!shebang && has_launcher_marker(data, scan))
        return CONTENT_LAUNCHER;
    switch (inspect_bytes(data, len, why)) {
    case PAYLOAD_ZIP:
        return CONTENT_ZIP;
    case PAYLOAD_CORRUPT:
        return CONTENT_BAD_ZIP;
    default:
        return CONTENT_TEXT;
    }
}
