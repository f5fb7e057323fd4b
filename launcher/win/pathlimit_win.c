/* CPython 3.7-3.10 on Windows copy the program path (__PYVENV_LAUNCHER__,
 * behind the redirector) into MAXPATHLEN + 1 = 257-character buffers in
 * PC/getpathp.c with wcscpy_s, whose overflow is an invalid-parameter abort
 * (0xC0000417 in python3X.dll) with no message. Seen with 3.7.9: a 256-
 * character Scripts\python.exe path starts, 257 aborts. 3.11+ compute paths
 * in Modules/getpath.py without that limit. In one process (inprocess.c)
 * 3.7.9 truncates GetModuleFileNameW's answer to 256 characters instead: a
 * sys.executable that does not exist, no venv. So refuse with the reason. */
#include "pathlimit_win.h"

#include <string.h>
#include <windows.h>

#include "win_util.h"

#define GETPATHP_MAX 256

int win_path_limit(const vs_plan *plan, vs_error *err) {
    int minor = plan->base.venv_minor;
    if (plan->base.venv_major != 3 || minor >= 11)
        return 0; /* unknown or unlimited: let it run */
    static wchar_t w[WIN_PATH_MAX];
    for (int i = 0; i < plan->env_count; i++) {
        const char *v = plan->env[i].value;
        if (strcmp(plan->env[i].name, PYVENV_LAUNCHER_VAR) != 0 || !v ||
            !win_widen(v, w, WIN_PATH_MAX))
            continue;
        if (wcslen(w) > GETPATHP_MAX)
            return diag_fail(err, EXIT_EXEC_FAILED, "cannot run ", plan->base.binary, " for ", v,
                             ": Python 3.",
                             minor == 7   ? "7"
                             : minor == 8 ? "8"
                             : minor == 9 ? "9"
                                          : "10",
                             " aborts when its program path is longer than 256 characters",
                             "\nmove or recreate the virtual environment at a shorter path", NULL);
    }
    return 0;
}
