/* Small Windows helpers shared by fs_win.c, exec_win.c and launcher/win/:
 * the UTF-8 <-> UTF-16 boundary (paths are UTF-8 everywhere above fs.h) and
 * which subsystem this executable was linked for. No heap: callers own the
 * buffers. */
#ifndef VENVSHIM_WIN_UTIL_H
#define VENVSHIM_WIN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* Longest wide path handled: Windows' own limit for \\?\ paths. */
#define WIN_PATH_MAX 32768

/* UTF-8 -> UTF-16, NUL-terminated. False on invalid UTF-8 or overflow. */
bool win_widen(const char *s, wchar_t *out, size_t cap);

/* Like win_widen for a file-system path: an absolute path of MAX_PATH or
 * more gets the \\?\ (or \\?\UNC\) prefix, with '/' turned into '\', so long
 * paths work without the process-wide long-path opt-in. */
bool win_widen_path(const char *path, wchar_t *out, size_t cap);

/* UTF-16 -> UTF-8 (n wide chars, or -1 for NUL-terminated). */
bool win_narrow(const wchar_t *s, int n, char *out, size_t cap);

/* In place: "\\?\C:\x" -> "C:\x", "\\?\UNC\srv\x" -> "\\srv\x". Paths are
 * shown to users and passed to Python without the prefix. */
const wchar_t *win_strip_verbatim(wchar_t *p);

/* True when this executable is a GUI-subsystem program (venvwlauncher). */
bool win_is_gui(void);

#endif
