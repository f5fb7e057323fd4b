/* macOS: _NSGetExecutablePath names the running executable; framework builds
 * need the Python.app treatment (framework.c). */
#include <mach-o/dyld.h>
#include <stdint.h>

#include "../fs.h"
#include "../platform.h"

bool fs_self_exe(char *buf, size_t cap) {
    uint32_t size = (uint32_t)cap;
    return _NSGetExecutablePath(buf, &size) == 0 && buf[0] == '/';
}

const unsigned char *fs_self_head(size_t *len) {
    (void)len; /* Mach-O: the loop check asks the kernel */
    return NULL;
}

const char *fs_self_link(void) {
    return NULL;
}

/* Declared by <unistd.h> only outside strict POSIX mode (which this build
 * asks for), so declared here as the manual gives it. */
int issetugid(void);

/* issetugid(): set-user-ID or set-group-ID at exec, or IDs changed since. */
bool platform_privileged(void) {
    return issetugid() != 0;
}

platform_traits platform_traits_current(void) {
    platform_traits t = {.macos_frameworks = true, .own_script_launchers = false};
    return t;
}
