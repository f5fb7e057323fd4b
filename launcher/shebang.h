/* A base interpreter that is a `#!` script: the kernel runs the script's
 * interpreter instead, with the script as an argument. When that interpreter
 * is a venvshim launcher (this one, or any other: a launcher ignores the
 * script and runs its own venv's base), the launcher starts again, finds the
 * same venv and the same script, and execs itself forever. So before exec
 * the `#!` chain is followed: at most SHEBANG_MAX_HOPS interpreters (the
 * kernel refuses deeper nesting), each from one read of its first 256 bytes
 * (all the kernel reads), regular files only, never blocking; the
 * `#!/usr/bin/env NAME` form is followed through PATH as env would. A chain
 * that reaches a launcher (our own file, or one carrying the marker), or a
 * relative interpreter (the current directory would choose it), is refused
 * with EXIT_NO_BASE naming the chain. An ELF base (the normal case) costs
 * nothing here: its first bytes were read when it was chosen (fs_probe). */
#ifndef VENVSHIM_SHEBANG_H
#define VENVSHIM_SHEBANG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "resolve.h"

/* Interpreters followed: Linux runs at most five in a row (fs/exec.c
 * exec_binprm), then fails the exec with ELOOP. */
#define SHEBANG_MAX_HOPS 5

/* The interpreter and its one optional argument, as the kernel parses a `#!`
 * line (Linux binfmt_script): the first line of head (at most len bytes),
 * blanks around them dropped. False when head is not a `#!` line, or the
 * interpreter's name does not end within it (the kernel refuses to run that).
 * interp and arg: VS_PATH_MAX bytes each. */
bool shebang_line(const unsigned char *head, size_t len, char *interp, char *arg);

/* 0, or EXIT_NO_BASE with err filled in. base: resolve_base's result (its
 * head); path_env: $PATH for the `env NAME` form (NULL: env's default). */
int shebang_check(const vs_base *base, const char *cfg_path, const char *path_env, vs_error *err);

#endif
