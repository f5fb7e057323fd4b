/* Linux: the kernel names the running executable in /proc/self/exe. */
#include <sys/auxv.h>

#include "../fs.h"
#include "../platform.h"
#include "self_head_elf.h"

bool fs_self_exe(char *buf, size_t cap) {
    return fs_readlink("/proc/self/exe", buf, cap, NULL) > 0;
}

const unsigned char *fs_self_head(size_t *len) {
    return elf_self_head(len);
}

const char *fs_self_link(void) {
    return "/proc/self/exe"; /* stat(2) follows it to the running executable */
}

/* AT_SECURE: the kernel's own verdict (set-user-ID, set-group-ID, file
 * capabilities, LSM transitions); read from the auxiliary vector, no system call. */
bool platform_privileged(void) {
    return getauxval(AT_SECURE) != 0;
}

platform_traits platform_traits_current(void) {
    platform_traits t = {.macos_frameworks = false, .own_script_launchers = false};
    return t;
}
