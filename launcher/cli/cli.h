/* venvshim, the command-line tool. Off the launcher's hot path: it may use
 * stdio and the heap freely. Exit codes: 0 done, 1 failed, 2 usage error. */
#ifndef VENVSHIM_CLI_H
#define VENVSHIM_CLI_H

#include <stdbool.h>
#include <stddef.h>

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

int cmd_create(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* Convert the venv at dir (shared by create and install). */
int install_venv(const char *dir);

/* ---- relocatable venvs ---- */
int cmd_relocate(int argc, char **argv);
int relocate_venv(const char *dir);

/* Write the site-init hook into each site-packages under venv/lib. */
int install_site_init(const char *venv);

/* When the base interpreter lives under the venv's parent directory, rewrite
 * home (and executable) in pyvenv.cfg relative to it (PEP 796). */
int relativize_home(const char *venv);

/* One stored entry; offsets count from the archive's start. malloc'd. */
unsigned char *zip_single_file(const char *name, const char *data, size_t len, size_t *out_len);

/* Print "venvshim: <message>" to stderr; returns code. printf-style. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- fileops.c: small file helpers ---- */

/* Whole file into a malloc'd buffer (NUL-terminated); NULL on error. */
char *read_whole_file(const char *path, size_t *len);

/* Write data to path via a temporary file in the same directory, fsync and
 * rename, so readers see the old or the new file, never a partial one. */
bool write_file_atomic(const char *path, const char *data, size_t len, unsigned mode);

/* The launcher binary this CLI installs (checked to carry the marker). */
bool find_launcher(char *out, size_t cap);

/* Does the file at path (or these bytes) carry the launcher marker? */
bool is_launcher_file(const char *path);
bool has_launcher_marker(const char *data, size_t len);

#define LAUNCHER_MARKER "venvshim-launcher-marker "

#endif
