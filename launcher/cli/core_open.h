/* core_open.c: the CLI's opener for the launcher's core (fs_posix.h). */
#ifndef VENVSHIM_CORE_OPEN_H
#define VENVSHIM_CORE_OPEN_H

#include "../plan.h"

/* From here on, every file the core reads is opened by open_regular. */
void core_open_install(void);

/* The first file the core was refused since core_open_forget, with why
 * ("PATH (a symbolic link to ...)"), or NULL: what the core then decided is
 * not what the launcher would decide. */
const char *core_open_refused(void);
void core_open_forget(void);

/* The plan the launcher would make when started as exe (a venv's bin/python,
 * a script launcher), its files read through this opener: plan_make's
 * result. core_open_refused() then says whether a file was refused on the
 * way (core_open_forget is called first). */
int core_plan_for(const char *exe, vs_plan *plan, vs_error *err);

#endif
