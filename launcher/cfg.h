/* pyvenv.cfg parsing, exactly as CPython 3.11+ getpath does it:
 * split on '\n', partition each line on the first '=', key stripped (Python's
 * str.strip(), Unicode whitespace included) and lower-cased, value stripped,
 * the first occurrence of a key wins. No comments, no BOM stripping.
 * The parser only reads the buffer; values are slices into it. */
#ifndef VENVSHIM_CFG_H
#define VENVSHIM_CFG_H

#include <stdbool.h>
#include <stddef.h>

/* CPython 3.11+ refuses a pyvenv.cfg of this size or more (fatal at start-up). */
#define CFG_MAX_SIZE (32 * 1024)

typedef struct {
    const char *ptr; /* NULL when the key is absent */
    size_t len;
} cfg_value;

typedef struct {
    cfg_value home;
    cfg_value executable;      /* written by venv 3.11+ and by `venvshim install` */
    cfg_value base_executable; /* written by virtualenv */
    cfg_value version;         /* "3.12.1" (venv), or version_info "3.12.1.final.0" */
    cfg_value version_info;
    bool starts_with_bom; /* CPython does not strip it: a first-line key is lost */
    bool bom_hid_home;    /* the first line would have been `home` without the BOM */
} venv_cfg;

typedef enum {
    CFG_OK = 0,
    CFG_NOT_TEXT, /* contains a NUL byte */
} cfg_status;

cfg_status cfg_parse(const char *buf, size_t len, venv_cfg *cfg);

/* The `home` value CPython 3.6-3.10 would read from the same bytes (their
 * getpath parser: case-sensitive `home`, a lone `=` token, one separator
 * before the value, lines must end in '\n' and be shorter than 8 KiB).
 * Returns false when that parser finds no home. Used to warn that an older
 * interpreter would silently ignore this file's home. */
bool cfg_legacy_home(const char *buf, size_t len, cfg_value *home);

/* X.Y from `version` or `version_info` ("3.12.1" -> major 3, minor 12). */
bool cfg_major_minor(const venv_cfg *cfg, int *major, int *minor);

bool cfg_value_equals(cfg_value v, const char *s);

/* Any other key (name in lower case: "implementation"), by the same rules:
 * the first occurrence's stripped value; .ptr NULL when absent. For the CLI;
 * the launcher reads only what cfg_parse collects. */
cfg_value cfg_find(const char *buf, size_t len, const char *name);

#endif
