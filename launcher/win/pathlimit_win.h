/* The base's own path-length limit, where it is known (pathlimit_win.c). */
#ifndef VENVSHIM_PATHLIMIT_WIN_H
#define VENVSHIM_PATHLIMIT_WIN_H

#include "plan.h"

/* 0, or EXIT_EXEC_FAILED with err filled in when the base would abort. */
int win_path_limit(const vs_plan *plan, vs_error *err);

#endif
