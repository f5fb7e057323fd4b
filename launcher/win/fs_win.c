/* Windows implementation of fs.h: wide APIs only. Paths arrive as UTF-8 and
 * are converted here (win_widen_path adds \\?\ to long absolute paths). */
#include "../fs.h"

#include <io.h>
#include <string.h>
#include <windows.h>

#include "../path.h"
#include "../strbuf.h"
#include "win_util.h"

static wchar_t wide_a[WIN_PATH_MAX], wide_b[WIN_PATH_MAX];

/* Open for attributes and identity; directories too (backup semantics). */
static HANDLE open_existing(const wchar_t *path, DWORD access) {
    return CreateFileW(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
}

static void fill_info(fs_info *info, const BY_HANDLE_FILE_INFORMATION *fi) {
    info->kind = (fi->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? FS_DIR : FS_FILE;
    info->executable = info->kind == FS_FILE; /* Windows has no execute bit */
    info->size = (long long)(((unsigned long long)fi->nFileSizeHigh << 32) | fi->nFileSizeLow);
    info->id.dev = fi->dwVolumeSerialNumber;
    info->id.ino = ((uint64_t)fi->nFileIndexHigh << 32) | fi->nFileIndexLow;
    info->changed_ns = 0; /* not used on Windows (oneproc_record.h is ELF only) */
    info->error = 0;
}

static fs_info stat_wide(const wchar_t *path) {
    fs_info info;
    memset(&info, 0, sizeof info);
    HANDLE h = open_existing(path, 0);
    BY_HANDLE_FILE_INFORMATION fi;
    if (h == INVALID_HANDLE_VALUE) {
        info.kind = FS_MISSING;
        info.error = (int)GetLastError();
        return info;
    }
    if (GetFileType(h) != FILE_TYPE_DISK) {
        info.kind = FS_OTHER;
    } else if (!GetFileInformationByHandle(h, &fi)) {
        info.kind = FS_MISSING;
        info.error = (int)GetLastError();
    } else {
        fill_info(&info, &fi);
    }
    CloseHandle(h);
    return info;
}

fs_info fs_stat(const char *path) {
    if (!win_widen_path(path, wide_a, WIN_PATH_MAX)) {
        fs_info info;
        memset(&info, 0, sizeof info);
        info.error = ERROR_FILENAME_EXCED_RANGE;
        return info;
    }
    return stat_wide(wide_a);
}

fs_info fs_probe(const char *path, unsigned char *head, size_t cap, long *head_len) {
    (void)head;
    (void)cap;
    *head_len = -1; /* no `#!` on Windows: CreateProcessW runs only executables */
    return fs_stat(path);
}

long fs_readlink(const char *path, char *buf, size_t cap, int *error) {
    /* Symlinks are not followed hop by hop on Windows: the launcher's own
     * path comes from GetModuleFileNameW, and CreateFileW follows links. */
    (void)path;
    (void)buf;
    (void)cap;
    if (error)
        *error = ERROR_NOT_A_REPARSE_POINT;
    return -1;
}

fs_read_status fs_read_small_file(const char *path, char *buf, size_t cap, size_t *len, fs_id *id,
                                  int *error) {
    *len = 0;
    *error = 0;
    if (!win_widen_path(path, wide_a, WIN_PATH_MAX)) {
        *error = ERROR_FILENAME_EXCED_RANGE;
        return READ_ERROR;
    }
    HANDLE h = open_existing(wide_a, GENERIC_READ);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        *error = (int)e;
        return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? READ_MISSING : READ_ERROR;
    }
    BY_HANDLE_FILE_INFORMATION fi;
    fs_read_status status = READ_OK;
    if (GetFileType(h) != FILE_TYPE_DISK) {
        status = READ_NOT_REGULAR;
    } else if (!GetFileInformationByHandle(h, &fi)) {
        *error = (int)GetLastError();
        status = READ_ERROR;
    } else if (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        status = READ_NOT_REGULAR;
    } else if (fi.nFileSizeHigh != 0 || fi.nFileSizeLow >= cap) {
        status = READ_TOO_LARGE;
    } else {
        fs_info info;
        fill_info(&info, &fi);
        *id = info.id;
        size_t total = 0, want = fi.nFileSizeLow;
        while (total < want) {
            DWORD got = 0;
            if (!ReadFile(h, buf + total, (DWORD)(want - total), &got, NULL)) {
                *error = (int)GetLastError();
                status = READ_ERROR;
                break;
            }
            if (got == 0)
                break; /* the file shrank */
            total += got;
        }
        *len = total;
        buf[total] = '\0';
    }
    CloseHandle(h);
    return status;
}

bool fs_getcwd(char *buf, size_t cap) {
    DWORD n = GetCurrentDirectoryW(WIN_PATH_MAX, wide_a);
    return n > 0 && n < WIN_PATH_MAX && win_narrow(wide_a, -1, buf, cap);
}

bool fs_realpath(const char *path, char *out) {
    if (!win_widen_path(path, wide_a, WIN_PATH_MAX))
        return false;
    HANDLE h = open_existing(wide_a, 0);
    if (h == INVALID_HANDLE_VALUE)
        return false;
    DWORD n = GetFinalPathNameByHandleW(h, wide_b, WIN_PATH_MAX, FILE_NAME_NORMALIZED);
    CloseHandle(h);
    return n > 0 && n < WIN_PATH_MAX &&
           win_narrow(win_strip_verbatim(wide_b), -1, out, VS_PATH_MAX);
}

bool fs_self_info(fs_info *info) {
    DWORD n = GetModuleFileNameW(NULL, wide_b, WIN_PATH_MAX);
    if (n == 0 || n >= WIN_PATH_MAX)
        return false;
    *info = stat_wide(wide_b);
    return info->kind == FS_FILE;
}

static bool same_contents_wide(const wchar_t *a, const wchar_t *b) {
    HANDLE fa = open_existing(a, GENERIC_READ);
    if (fa == INVALID_HANDLE_VALUE)
        return false;
    HANDLE fb = open_existing(b, GENERIC_READ);
    if (fb == INVALID_HANDLE_VALUE) {
        CloseHandle(fa);
        return false;
    }
    bool same = true;
    static char ba[4096], bb[4096];
    for (;;) {
        DWORD na = 0, nb = 0;
        if (!ReadFile(fa, ba, sizeof ba, &na, NULL) || !ReadFile(fb, bb, sizeof bb, &nb, NULL) ||
            na != nb || memcmp(ba, bb, na) != 0) {
            same = false;
            break;
        }
        if (na == 0)
            break;
    }
    CloseHandle(fa);
    CloseHandle(fb);
    return same;
}

bool fs_file_open(const char *path, fs_file *file, int *error) {
    *error = 0;
    file->handle = (intptr_t)INVALID_HANDLE_VALUE;
    if (!win_widen_path(path, wide_a, WIN_PATH_MAX)) {
        *error = ERROR_FILENAME_EXCED_RANGE;
        return false;
    }
    HANDLE h = open_existing(wide_a, GENERIC_READ);
    if (h == INVALID_HANDLE_VALUE) {
        *error = (int)GetLastError();
        return false;
    }
    BY_HANDLE_FILE_INFORMATION fi;
    if (GetFileType(h) != FILE_TYPE_DISK || !GetFileInformationByHandle(h, &fi) ||
        (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        CloseHandle(h); /* not a regular file: *error stays 0 */
        return false;
    }
    file->handle = (intptr_t)h;
    file->size = (long long)(((unsigned long long)fi.nFileSizeHigh << 32) | fi.nFileSizeLow);
    return true;
}

long fs_file_read_at(const fs_file *file, void *buf, size_t n, long long offset) {
    size_t total = 0;
    while (total < n) {
        OVERLAPPED at;
        memset(&at, 0, sizeof at);
        unsigned long long pos = (unsigned long long)offset + total;
        at.Offset = (DWORD)pos;
        at.OffsetHigh = (DWORD)(pos >> 32);
        DWORD got = 0;
        if (!ReadFile((HANDLE)file->handle, (char *)buf + total, (DWORD)(n - total), &got, &at))
            return GetLastError() == ERROR_HANDLE_EOF ? (long)total : -1;
        if (got == 0)
            break;
        total += got;
    }
    return (long)total;
}

void fs_file_close(fs_file *file) {
    if ((HANDLE)file->handle != INVALID_HANDLE_VALUE)
        CloseHandle((HANDLE)file->handle);
    file->handle = (intptr_t)INVALID_HANDLE_VALUE;
}

bool fs_same_contents(const char *a, const char *b) {
    return win_widen_path(a, wide_a, WIN_PATH_MAX) && win_widen_path(b, wide_b, WIN_PATH_MAX) &&
           same_contents_wide(wide_a, wide_b);
}

bool fs_error_is_missing(int error) {
    return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

bool fs_error_is_denied(int error) {
    return error == ERROR_ACCESS_DENIED;
}

bool fs_error_is_exhausted(int error) {
    return error == ERROR_TOO_MANY_OPEN_FILES || error == ERROR_NOT_ENOUGH_MEMORY ||
           error == ERROR_OUTOFMEMORY || error == ERROR_NO_SYSTEM_RESOURCES;
}

/* The C runtime's _write, as before the seam had this call: the console and
 * pipes see the same bytes (text mode: "\n" written as "\r\n"). */
void fs_write_all(int fd, const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        int w = _write(fd, s, n > 0x40000000 ? 0x40000000 : (unsigned)n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

const char *fs_error_text(int error) {
    switch (error) {
    case ERROR_FILE_NOT_FOUND:
        return "file not found";
    case ERROR_PATH_NOT_FOUND:
        return "path not found";
    case ERROR_ACCESS_DENIED:
        return "access denied";
    case ERROR_SHARING_VIOLATION:
        return "the file is in use by another process";
    case ERROR_BAD_EXE_FORMAT:
        return "not a valid Windows program for this machine";
    case ERROR_FILENAME_EXCED_RANGE:
        return "the file name is too long";
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return "not enough memory";
    case 740: /* ERROR_ELEVATION_REQUIRED, missing from MinGW's headers */
        return "the program needs elevation";
    default:
        break;
    }
    static char text[40];
    strbuf sb;
    sb_init(&sb, text, sizeof text);
    sb_add(&sb, "Windows error ");
    sb_add_int(&sb, error);
    return text;
}
