/* Stub of macOS <mach/machine.h> for compile checks on Linux. */
#ifndef STUB_MACH_MACHINE_H
#define STUB_MACH_MACHINE_H
typedef int cpu_type_t;
#endif
