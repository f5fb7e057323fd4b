#include "win_util.h"

#include <windows.h>

bool win_widen(const char *s, wchar_t *out, size_t cap) {
    if (cap == 0 || cap > 0x7fffffff)
        return false;
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, out, (int)cap);
    return n > 0;
}

static bool is_sep(wchar_t c) {
    return c == L'\\' || c == L'/';
}

bool win_widen_path(const char *path, wchar_t *out, size_t cap) {
    if (!win_widen(path, out, cap))
        return false;
    size_t n = wcslen(out);
    bool drive =
        ((out[0] | 0x20) >= L'a' && (out[0] | 0x20) <= L'z') && out[1] == L':' && is_sep(out[2]);
    bool unc = is_sep(out[0]) && is_sep(out[1]) && out[2] != L'?' && out[2] != L'.';
    if (n < MAX_PATH || (!drive && !unc))
        return true;
    /* \\?\ turns off all parsing: the path must use '\' only */
    const wchar_t *prefix = drive ? L"\\\\?\\" : L"\\\\?\\UNC";
    size_t skip = drive ? 0 : 1; /* "\\server" -> "\\?\UNC\server" */
    size_t plen = wcslen(prefix);
    if (n - skip + plen >= cap)
        return false;
    wmemmove(out + plen, out + skip, n - skip + 1);
    wmemcpy(out, prefix, plen);
    for (wchar_t *p = out + plen; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    return true;
}

bool win_narrow(const wchar_t *s, int n, char *out, size_t cap) {
    if (cap == 0 || cap > 0x7fffffff)
        return false;
    if (n == 0) {
        out[0] = '\0';
        return true;
    }
    /* with n == -1 the NUL is converted too; otherwise leave room for it */
    int room = n < 0 ? (int)cap : (int)cap - 1;
    int got = WideCharToMultiByte(CP_UTF8, 0, s, n, out, room, NULL, NULL);
    if (got <= 0)
        return false;
    if (n > 0)
        out[got] = '\0';
    return true;
}

const wchar_t *win_strip_verbatim(wchar_t *p) {
    if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) {
        p[6] = L'\\';
        return p + 6;
    }
    return wcsncmp(p, L"\\\\?\\", 4) == 0 ? p + 4 : p;
}

bool win_is_gui(void) {
    /* the PE header of this module is mapped at its base: no system call */
    const unsigned char *base = (const unsigned char *)GetModuleHandleW(NULL);
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)base;
    const IMAGE_NT_HEADERS *nt = (const IMAGE_NT_HEADERS *)(base + dos->e_lfanew);
    return nt->OptionalHeader.Subsystem == IMAGE_SUBSYSTEM_WINDOWS_GUI;
}
