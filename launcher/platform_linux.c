/* Linux: the kernel names the running executable in /proc/self/exe. */
#include "fs.h"
#include "platform.h"

bool fs_self_exe(char *buf, size_t cap) {
    return fs_readlink("/proc/self/exe", buf, cap, NULL) > 0;
}

const char *fs_self_link(void) {
    return "/proc/self/exe"; /* stat(2) follows it to the running executable */
}

platform_traits platform_traits_current(void) {
    platform_traits t = {.macos_frameworks = false};
    return t;
}
