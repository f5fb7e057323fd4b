/* Windows: the per-OS part of fs.h and platform.h. */
#include <windows.h>

#include "../fs.h"
#include "../platform.h"
#include "win_util.h"

bool fs_self_exe(char *buf, size_t cap) {
    static wchar_t self[WIN_PATH_MAX];
    DWORD n = GetModuleFileNameW(NULL, self, WIN_PATH_MAX);
    if (n == 0 || n >= WIN_PATH_MAX)
        return false;
    return win_narrow(win_strip_verbatim(self), -1, buf, cap);
}

const unsigned char *fs_self_head(size_t *len) {
    (void)len; /* the loop check asks the OS, which is cheap here */
    return NULL;
}

const char *fs_self_link(void) {
    return NULL;
}

/* Windows has no set-user-ID programs; an elevated token is the caller's own. */
bool platform_privileged(void) {
    return false;
}

platform_traits platform_traits_current(void) {
    platform_traits t = {.macos_frameworks = false, .own_script_launchers = true};
    return t;
}
