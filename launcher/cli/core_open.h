/* core_open.c: the CLI's opener for the launcher's core (fs_posix.h). */
#ifndef VENVSHIM_CORE_OPEN_H
#define VENVSHIM_CORE_OPEN_H

/* From here on, every file the core reads is opened by open_regular. */
void core_open_install(void);

/* The first file the core was refused since core_open_forget, with why
 * ("PATH (a symbolic link to ...)"), or NULL: what the core then decided is
 * not what the launcher would decide. */
const char *core_open_refused(void);
void core_open_forget(void);

#endif
