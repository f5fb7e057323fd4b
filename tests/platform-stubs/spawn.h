/* The system <spawn.h> plus the Apple extensions the macOS exec step uses. */
#ifndef STUB_SPAWN_H
#define STUB_SPAWN_H
#include_next <spawn.h>
#include <mach/machine.h>
#define POSIX_SPAWN_SETEXEC 0x0040
int posix_spawnattr_setbinpref_np(posix_spawnattr_t *attr, size_t count, cpu_type_t *pref,
                                  size_t *ocount);
#endif
