/* One process: the python.exe / pythonw.exe redirector loads the base's own
 * pythonXY.dll and runs Py_Main in this process (see inprocess.c). */
#ifndef VENVSHIM_INPROCESS_H
#define VENVSHIM_INPROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"

/* Run the interpreter in this process and return false only when that is not
 * possible before anything ran (then the caller starts the base as a child);
 * otherwise never returns. Only with VENVSHIM_ONE_PROCESS=1 and
 * VENVSHIM_TWO_PROCESS unset. */
bool win_one_process(const vs_plan *plan);

#endif
