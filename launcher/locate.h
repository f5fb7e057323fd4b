/* Step 1 and 2 of the launcher: where am I, and which pyvenv.cfg is mine.
 *
 * The launcher's own path L comes from argv[0] the way CPython derives
 * sys.executable (a slash: made absolute against the CWD and normalised
 * lexically, symlinks kept; a bare name: searched on PATH's absolute entries,
 * and the hit used only when it is this very file), falling back to the OS's
 * idea of the running executable when argv[0] is unusable.
 * pyvenv.cfg is looked for next to L, then in its parent; when neither has
 * one and L is a symlink (`~/bin/proj-python -> /abs/env/bin/python`), the
 * link is followed one hop at a time and the search repeated. */
#ifndef VENVSHIM_LOCATE_H
#define VENVSHIM_LOCATE_H

#include <stddef.h>

#include "cfg.h"
#include "diag.h"
#include "fs.h"
#include "path.h"

#define MAX_SYMLINK_HOPS 40

typedef struct {
    const char *argv0;    /* may be NULL or empty */
    const char *path_env; /* $PATH, may be NULL */
} vs_invocation;

/* Small members first, so they share a page with venv_exe's first bytes: the
 * launcher pays a page fault for each page of a buffer it first writes, and
 * only the start of each path buffer is used (docs/hacking.md, Memory). */
typedef struct {
    size_t cfg_len;
    fs_id cfg_id;
    bool invoked_as_argv0;      /* invoked came from an argv[0] holding a '/' */
    bool has_invoked;           /* invoked is set: symlinks were followed */
    char venv_exe[VS_PATH_MAX]; /* L: absolute, normalised; the child's argv[0] */
    char cfg_path[VS_PATH_MAX];
    char cfg_text[CFG_MAX_SIZE + 1];
    /* when has_invoked: L as first found before symlinks were followed from
     * it (else it is venv_exe): a `#!` line's interpreter would be given this
     * path (a script launcher's sys.argv[0]) */
    char invoked[VS_PATH_MAX];
} vs_location;

/* Returns 0, or an exit code with err filled in. */
int locate_venv(const vs_invocation *inv, vs_location *loc, vs_error *err);

/* Where the symlink at link (whose target text is target) points: the kernel
 * resolves a relative target from the link's *physical* directory, so the
 * directory part is resolved (realpath), the final name kept. out:
 * VS_PATH_MAX bytes. False when that directory does not exist. */
bool locate_follow_link(const char *link, const char *target, char *out);

/* Result of looking for pyvenv.cfg in dir, then in dirname(dir). */
typedef enum {
    NEAR_FOUND,
    NEAR_NONE,
    NEAR_BAD, /* a pyvenv.cfg exists but cannot be used: err says why (107) */
} near_status;

/* Read the first regular pyvenv.cfg of dir/ and dir/.. into text
 * (CFG_MAX_SIZE + 1 bytes); its path goes to cfg_path (found or bad:
 * cfg_path is not written when there is none). */
near_status locate_read_cfg_near(const char *dir, char *cfg_path, char *text, size_t *len,
                                 fs_id *id, vs_error *err);

#endif
