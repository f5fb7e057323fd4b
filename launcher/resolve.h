/* Step 3: which base interpreter to run for a located venv.
 *
 * `home` must be an existing directory (CPython searches its stdlib from
 * there). The binary is the exact one the venv was made from: the recorded
 * `base-executable` / `executable` key when that file exists, else
 * home/<invoked name>, home/pythonX.Y, home/python3, home/python, never one of
 * another minor version. When home is itself a venv's bin directory (a venv
 * made from inside a venv by CPython 3.8-3.10), the chain is followed to the
 * real base; a cycle, or a base that is this launcher, is an error. When
 * home gives no base at all, the base recorded in the venv's launcher file
 * (base_trailer.h) is used if it is of the venv's X.Y. */
#ifndef VENVSHIM_RESOLVE_H
#define VENVSHIM_RESOLVE_H

#include <stddef.h>

#include "cfg.h"
#include "diag.h"
#include "locate.h"

#define MAX_CHAIN_DEPTH 8

/* What the kernel reads of a `#!` line (Linux's BINPRM_BUF_SIZE). */
#define BASE_HEAD_MAX 256

/* Small members first (see vs_location in locate.h). */
typedef struct {
    int chain_depth;    /* venvs followed through `home` */
    bool home_relative; /* home was relative to its pyvenv.cfg (relhome.h) */
    bool from_trailer;  /* home gave no base: the launcher file's own record (base_trailer.h) */
    /* X.Y from the venv's own pyvenv.cfg (`version` / `version_info`), read
     * once here for every later step; major 0 when it names none */
    int venv_major, venv_minor;
    fs_info binary_info; /* what the probe of binary found: its identity and times */
    /* binary's first bytes, read when it was chosen (fs_probe), for shebang.c */
    unsigned char head[BASE_HEAD_MAX];
    long head_len;            /* -1: not read */
    char binary[VS_PATH_MAX]; /* the base interpreter to exec */
    char home[VS_PATH_MAX];   /* home of the venv whose base it is */
    /* scratch for chained pyvenv.cfg files (two: the one being followed, the next) */
    char cfg_text[2][CFG_MAX_SIZE + 1];
    char cfg_path[2][VS_PATH_MAX];
} vs_base;

int resolve_base(const vs_location *loc, vs_base *base, vs_error *err);

#endif
