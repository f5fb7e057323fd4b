/* The pure part of venvshim relocate: bytes in, bytes out, no file system, so
 * that libFuzzer can drive every function here (tests/fuzz/fuzz_activate.c,
 * fuzz_shebang.c, fuzz_classify.c). relocate.c does the reading, deciding
 * and writing around them. */
#ifndef VENVSHIM_RELOCATE_REWRITE_H
#define VENVSHIM_RELOCATE_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

/* A growing output buffer: every append checks its room, so no input can
 * outgrow it. On allocation failure `failed` is set and appends stop. */
typedef struct {
    char *data; /* NUL-terminated when not failed */
    size_t len, cap;
    bool failed;
} outbuf;

void ob_put(outbuf *b, const char *p, size_t n);
void ob_free(outbuf *b);

typedef enum {
    REWRITE_DONE,      /* out holds the new text */
    REWRITE_ALREADY,   /* rewritten by an earlier relocate */
    REWRITE_NO_LINE,   /* no VIRTUAL_ENV line venvshim knows */
    REWRITE_NO_MEMORY, /* out of memory */
} rewrite_status;

/* bash/zsh `activate`: every `[export ]VIRTUAL_ENV=<path>` takes the venv
 * computed from the sourced file's own location (plain sh keeps the first
 * path), and the helper variable is unset at the end. */
rewrite_status activate_rewrite_sh(const char *text, size_t len, outbuf *out);

/* fish: the first `set -gx VIRTUAL_ENV <path>` takes the sourced file's
 * parent directory. */
rewrite_status activate_rewrite_fish(const char *text, size_t len, outbuf *out);

/* ---- console scripts ---- */

typedef enum {
    SHEBANG_ABSENT,   /* no #! line */
    SHEBANG_SH_OTHER, /* #!/bin/sh, but not the form pip writes for a venv's python */
    SHEBANG_OPTIONS,  /* a #! line with options */
    SHEBANG_PATH,     /* #!<path> or pip's /bin/sh '''exec' "<path>" form */
} shebang_form;

typedef struct {
    shebang_form form;
    size_t interp, interp_len; /* SHEBANG_PATH: the interpreter path's bytes in text */
    size_t body;               /* SHEBANG_PATH: where the Python text after the #! lines starts */
} shebang_line;

/* Parse the #! line(s) of a script. The path is not checked: relocate asks
 * the file system whether it names this venv's python. */
void shebang_read(const char *text, size_t len, shebang_line *sb);

/* The __main__.py a script launcher gets for a SHEBANG_PATH script (into
 * out, len bytes at most; returns its length): the whole text, its first
 * #! line kept and pip's /bin/sh exec lines emptied, so every line keeps
 * its number and a docstring or __future__ import after them comes first,
 * as it would had pip written a plain #! line. */
size_t script_main_text(const char *text, size_t len, const shebang_line *sb, char *out);

/* Why a script of this form is left alone (a short phrase). */
const char *shebang_form_reason(shebang_form form);

typedef enum {
    CONTENT_TEXT,     /* anything else: a text script, or a binary left to shebang_read */
    CONTENT_LAUNCHER, /* a venvshim launcher (the marker inside its ELF image) */
    CONTENT_ZIP,      /* a zip archive Python can run: a zipapp, shiv or pex */
    CONTENT_BAD_ZIP,  /* ends like a zip, but the launcher would refuse it: *why */
} content_kind;

/* What a file in bin/ holds, judged from its bytes alone. A CONTENT_ZIP file
 * becomes the launcher's payload as it is (offsets need no change: zipimport
 * and the launcher take the archive's start from its end record). */
content_kind classify_content(const char *data, size_t len, const char **why);

/* Is this zip payload one the launcher accepts behind its image? The exact
 * check the launcher makes at start-up (payload_inspect), on the bytes
 * relocate is about to write. */
bool launcher_accepts(const char *data, size_t len, const char **why);

#endif
