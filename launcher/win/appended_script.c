#include "appended_script.h"

#include <string.h>
#include <windows.h>

#include "strbuf.h"

/* The end of central directory record is 22 bytes plus a comment of at most
 * 64 KiB; the '#!' line sits before the archive. */
#define TAIL_MAX (22 + 65535)
#define SHEBANG_MAX 4096

static unsigned char buf[TAIL_MAX];

static unsigned long le32(const unsigned char *p) {
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
           (unsigned long)p[3] << 24;
}

static bool read_at(HANDLE h, long long offset, unsigned char *out, DWORD n) {
    LARGE_INTEGER pos;
    pos.QuadPart = offset;
    DWORD got = 0;
    return SetFilePointerEx(h, pos, NULL, FILE_BEGIN) && ReadFile(h, out, n, &got, NULL) &&
           got == n;
}

/* Offset of the archive's first byte, from the last n bytes of a file of
 * the given size (tail), or -1. */
static long long archive_start_in(const unsigned char *tail, size_t n, long long size) {
    if (n < 22)
        return -1;
    for (long long i = (long long)n - 22; i >= 0; i--) {
        const unsigned char *e = tail + i;
        if (e[0] == 'P' && e[1] == 'K' && e[2] == 5 && e[3] == 6) {
            long long eocd = size - (long long)n + i;
            long long start = eocd - (long long)le32(e + 12) - (long long)le32(e + 16);
            return start >= 0 ? start : -1;
        }
    }
    return -1;
}

/* Index of the "#!" of the line that ends the n bytes before the archive,
 * or n. The line is the text run before the archive: no newline and no NUL
 * (the exe's padding) inside. */
static size_t shebang_start_in(const unsigned char *before, size_t n) {
    size_t end = n;
    if (end > 0 && before[end - 1] == '\n')
        end--;
    size_t i = end;
    while (i > 0 && before[i - 1] != '\n' && before[i - 1] != '\0')
        i--;
    while (i + 1 < end && !(before[i] == '#' && before[i + 1] == '!'))
        i++;
    return i + 1 < end ? i : n;
}

long long appended_script_offset(const unsigned char *data, size_t size) {
    size_t n = size < TAIL_MAX ? size : TAIL_MAX;
    long long start = archive_start_in(data + size - n, n, (long long)size);
    if (start <= 0)
        return -1;
    size_t before = (size_t)(start < SHEBANG_MAX ? start : SHEBANG_MAX);
    const unsigned char *from = data + start - before;
    size_t i = shebang_start_in(from, before);
    return i == before ? -1 : (long long)(from - data) + (long long)i;
}

static long long archive_start(HANDLE h, long long size) {
    DWORD n = (DWORD)(size < TAIL_MAX ? size : TAIL_MAX);
    if (n < 22 || !read_at(h, size - n, buf, n))
        return -1;
    return archive_start_in(buf, n, size);
}

const char *shebang_args(const char *line, size_t len, size_t *args_len) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '"') {
        for (i++; i < len && line[i] != '"'; i++)
            ;
        if (i < len)
            i++;
    } else {
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
    }
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t end = len;
    while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
        end--;
    *args_len = end - i;
    return line + i;
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
    long long start = GetFileSizeEx(h, &size) ? archive_start(h, size.QuadPart) : -1;
    DWORD n = start > 0 ? (DWORD)(start < SHEBANG_MAX ? start : SHEBANG_MAX) : 0;
    bool ok = n > 0 && read_at(h, start - n, buf, n);
    CloseHandle(h);
    if (!ok)
        return no_script(err, self_utf8,
                         " has no script appended (expected a '#!' line and a zip archive, as pip "
                         "writes them)");
    size_t i = shebang_start_in(buf, n);
    if (i == n)
        return no_script(err, self_utf8, ": no '#!' line before the appended zip archive");
    size_t end = n;
    if (end > 0 && buf[end - 1] == '\n')
        end--;
    size_t alen;
    const char *a = shebang_args((const char *)buf + i + 2, end - i - 2, &alen);
    if (alen >= cap)
        return no_script(err, self_utf8, ": the '#!' line is too long");
    memcpy(args, a, alen);
    args[alen] = '\0';
    return 0;
}
