/* Stub of <sys/sysctl.h> (FreeBSD, NetBSD, macOS) for compile checks on Linux. */
#ifndef STUB_SYS_SYSCTL_H
#define STUB_SYS_SYSCTL_H
#include <stddef.h>
#define CTL_KERN 1
#define KERN_PROC 14
#define KERN_PROC_ARGS 48
#define KERN_PROC_PATHNAME 12
int sysctl(const int *name, unsigned int namelen, void *oldp, size_t *oldlenp, const void *newp,
           size_t newlen);
int sysctlbyname(const char *name, void *oldp, size_t *oldlenp, const void *newp, size_t newlen);
#endif
