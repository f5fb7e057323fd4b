/* Stub of macOS <mach-o/dyld.h> for compile checks on Linux. */
#ifndef STUB_MACH_O_DYLD_H
#define STUB_MACH_O_DYLD_H
#include <stdint.h>
int _NSGetExecutablePath(char *buf, uint32_t *bufsize);
#endif
