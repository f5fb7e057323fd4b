/* FreeBSD, DragonFly and NetBSD: no /proc by default; the kernel reports the
 * running executable's path through sysctl (KERN_PROC_PATHNAME). */
#include <sys/types.h>
#include <sys/sysctl.h>
#include <unistd.h>

#include "../fs.h"
#include "../platform.h"
#include "self_head_elf.h"

bool fs_self_exe(char *buf, size_t cap) {
#if defined(VENVSHIM_NETBSD_SYSCTL) /* set by meson.build for NetBSD */
    int mib[4] = {CTL_KERN, KERN_PROC_ARGS, -1, KERN_PROC_PATHNAME};
#else
    int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
#endif
    size_t len = cap;
    if (sysctl(mib, 4, buf, &len, NULL, 0) != 0 || len == 0 || len > cap)
        return false;
    buf[len - 1] = '\0'; /* len counts the terminating NUL */
    return buf[0] == '/';
}

const unsigned char *fs_self_head(size_t *len) {
    return elf_self_head(len);
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
    platform_traits t = {.macos_frameworks = false, .own_script_launchers = false};
    return t;
}
