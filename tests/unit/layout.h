/* Real directory layouts for the unit tests that touch the file system.
 *
 * Each test gets a fresh directory under /tmp (mkdtemp, symlinks resolved so
 * that getcwd() agrees with it). Paths passed to lay_* are relative to that
 * root; lay_path() turns them into absolute ones. Any failure to build the
 * layout aborts the test with a message: a test never runs on a half-built
 * tree. Use lay_setup / lay_teardown as Criterion .init / .fini. */
#ifndef VENVSHIM_TEST_LAYOUT_H
#define VENVSHIM_TEST_LAYOUT_H

#include <stddef.h>
#include <sys/types.h>

#include "diag.h"

void lay_setup(void);    /* create the root, remember the working directory */
void lay_teardown(void); /* back to the old working directory, remove the root */

const char *lay_root(void);

/* root + "/" + rel (rel "" gives the root). The result lives in one of 32
 * rotating buffers: enough for one test expression, copy it to keep it. */
const char *lay_path(const char *rel);

void lay_mkdir(const char *rel); /* mkdir -p */

/* Create or replace a file (parents created). */
void lay_write(const char *rel, const char *text);
void lay_write_n(const char *rel, const char *data, size_t len);
void lay_writef(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void lay_chmod(const char *rel, mode_t mode);

/* A fake interpreter: a small script, mode 755. */
void lay_exec(const char *rel);

/* rel becomes a symlink whose target is exactly `target` (relative or not). */
void lay_symlink(const char *target, const char *rel);

void lay_fifo(const char *rel);

/* Copy the file at the absolute path from to rel, keeping nothing but bytes. */
void lay_copy(const char *from, const char *rel);

void lay_chdir(const char *rel);

/* A venv: <venv>/bin/python (an executable stand-in for the launcher) and
 * <venv>/pyvenv.cfg with the formatted text. */
void lay_venv(const char *venv, const char *cfg_fmt, ...) __attribute__((format(printf, 2, 3)));

/* Collect what the code under test writes to file descriptor 2. */
void lay_capture_stderr(void);
const char *lay_captured_stderr(void); /* ends the capture; the text stays valid */

/* The running test binary (readlink of /proc/self/exe). */
const char *lay_self_exe(void);

/* Assert a launcher error: rc and err->code equal code; the text is one or two
 * lines, each starting "venvshim: "; it contains every string given (a
 * NULL-terminated list). */
void lay_expect_error(int rc, const vs_error *err, int code, ...);

#endif
