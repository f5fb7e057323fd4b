/* Interpreters that could serve as a venv's base: what one is (by running it
 * once, the way check does: own process group, deadline, capped output), and
 * where they live on this machine (PATH, the system directories, pyenv, uv,
 * asdf, mise, Homebrew, python.org frameworks). Used by venvshim rebase and
 * check --fix. Off the launcher's hot path. */
#ifndef VENVSHIM_FIND_PYTHONS_H
#define VENVSHIM_FIND_PYTHONS_H

#include <stdbool.h>
#include <stddef.h>

#include "../path.h"

/* What a venv or an interpreter is: implementation, version, ABI. */
typedef struct {
    char impl[16];      /* "cpython", "pypy", ... ("" unknown) */
    int major, minor;   /* -1: unknown */
    int micro;          /* -1: unknown */
    char level[16];     /* releaselevel ("final"), "" unknown */
    int serial;         /* -1: unknown */
    bool free_threaded; /* Py_GIL_DISABLED: the 't' ABI */
    bool debug;         /* 'd' in sys.abiflags */
    bool abi_known;     /* the ABI fields were determined */
} py_kind;

typedef struct {
    char path[VS_PATH_MAX];       /* where it was found */
    char executable[VS_PATH_MAX]; /* its sys.executable: what the venv records */
    char real[VS_PATH_MAX];       /* realpath, to tell copies from links */
    py_kind kind;
} py_found;

/* A directory not searched or a program not run: someone other than the
 * caller or root could write it or a directory above it (safe_exec.h). */
typedef struct {
    char path[VS_PATH_MAX];
    char why[VS_PATH_MAX + 160]; /* names the path at fault, its owner or mode */
} py_skipped;

typedef struct {
    py_found *items;
    size_t count, cap;
    py_skipped *skipped;
    size_t n_skipped, cap_skipped;
} py_list;

typedef enum {
    PROBE_OK,
    PROBE_FAILED,   /* not a Python that answers (or not there) */
    PROBE_UNTRUSTED /* not run: another user could have put it there */
} probe_result;

/* Run python once (bounded) and fill *kind and executable (VS_PATH_MAX):
 * only when it and every directory above it are the caller's or root's
 * (safe_exec.h), and then the very file judged. Otherwise *why (a few words;
 * for PROBE_UNTRUSTED the path at fault and its owner or mode, valid until
 * the next call). */
probe_result py_probe(const char *python, py_kind *kind, char *executable, const char **why);

/* "CPython 3.11.7", "PyPy 3.9.16 (free-threaded)"... into out. */
void py_kind_describe(const py_kind *k, char *out, size_t cap);

/* Every interpreter binary found in the usual places whose file name fits
 * `want` (the implementation's names for want->major.minor), probed, one
 * entry per real file; skip: a directory never searched (the venv's own
 * bin/). Only binaries are run, never scripts (pyenv's shims). A PATH entry,
 * prefix or program another user could write is not searched or run: it goes
 * to out->skipped instead. */
void py_find_all(const py_kind *want, const char *skip, py_list *out);
void py_list_free(py_list *l);

#endif
