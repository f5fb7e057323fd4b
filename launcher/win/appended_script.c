#include "appended_script.h"

#include <windows.h>

#include "appended_parse.h"
#include "strbuf.h"

/* The file's tail (end record search), then the bytes before the archive. */
static unsigned char buf[APPENDED_TAIL_MAX];

static bool read_at(HANDLE h, long long offset, unsigned char *out, DWORD n) {
    LARGE_INTEGER pos;
    pos.QuadPart = offset;
    DWORD got = 0;
    return SetFilePointerEx(h, pos, NULL, FILE_BEGIN) && ReadFile(h, out, n, &got, NULL) &&
           got == n;
}

/* -1 and *damaged: an end record is there but points outside the file (a
 * truncated or corrupt archive), which is not the same as no archive. */
static long long archive_start(HANDLE h, long long size, bool *damaged) {
    DWORD n = (DWORD)(size < APPENDED_TAIL_MAX ? size : APPENDED_TAIL_MAX);
    if (n < 22 || !read_at(h, size - n, buf, n))
        return -1;
    long long start = appended_archive_start(buf, n, size);
    for (DWORD i = 0; start < 0 && i + 22 <= n; i++) /* a record whose comment ends the file */
        if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6 &&
            i + 22u + (buf[i + 20] | (unsigned)buf[i + 21] << 8) == n)
            *damaged = true;
    return start;
}

/* No line break in the APPENDED_SHEBANG_MAX bytes before the archive of a
 * longer file: the '#!' line, if any, is longer than we read. */
static bool line_too_long(DWORD n, long long start) {
    if (start <= (long long)n)
        return false;
    for (DWORD i = 0; i + 1 < n; i++)
        if (buf[i] == '\n')
            return false;
    return true;
}

static int no_script(vs_error *err, const char *self, const char *why) {
    return fail(err, EXIT_NO_SCRIPT, self, why,
                "\nreinstall the package that made it (pip install --force-reinstall NAME)", NULL);
}

int appended_script_args(const wchar_t *self, const char *self_utf8, char *args, size_t cap,
                         vs_error *err) {
    HANDLE h =
        CreateFileW(self, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return no_script(err, self_utf8, ": cannot read this launcher's own file");
    LARGE_INTEGER size;
    bool damaged = false;
    long long start = GetFileSizeEx(h, &size) ? archive_start(h, size.QuadPart, &damaged) : -1;
    DWORD n = start > 0 ? (DWORD)(start < APPENDED_SHEBANG_MAX ? start : APPENDED_SHEBANG_MAX) : 0;
    bool ok = n > 0 && read_at(h, start - n, buf, n);
    CloseHandle(h);
    if (damaged)
        return fail(err, EXIT_BAD_SCRIPT, self_utf8,
                    ": its appended zip archive is damaged (truncated or corrupt)",
                    "\nreinstall the package that made it (pip install --force-reinstall NAME)",
                    NULL);
    if (ok && line_too_long(n, start))
        return no_script(err, self_utf8, ": its '#!' line is longer than 4096 bytes");
    if (!ok)
        return no_script(err, self_utf8,
                         " has no script appended (expected a '#!' line and a zip archive, as pip "
                         "writes them)");
    const char *why = appended_args(buf, n, args, cap);
    return why ? no_script(err, self_utf8, why) : 0;
}
