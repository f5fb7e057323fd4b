/* Other POSIX systems (OpenBSD, ...): no reliable way to ask the kernel for
 * the running executable's path, so argv[0] is the only source (the launcher
 * says so in its error when argv[0] is unusable). */
#include <unistd.h>

#include "../fs.h"
#include "../platform.h"

bool fs_self_exe(char *buf, size_t cap) {
    (void)buf;
    (void)cap;
    return false;
}

const unsigned char *fs_self_head(size_t *len) {
    (void)len; /* no way to know the image is ELF, or where it starts */
    return NULL;
}

const char *fs_self_link(void) {
    return NULL;
}

/* No portable AT_SECURE or issetugid(): a set-user-ID or set-group-ID exec
 * shows as real and effective IDs that differ. */
bool platform_privileged(void) {
    return getuid() != geteuid() || getgid() != getegid();
}

platform_traits platform_traits_current(void) {
    platform_traits t = {.macos_frameworks = false, .own_script_launchers = false};
    return t;
}
