/* venvlauncher.exe / venvwlauncher.exe: a venv's Scripts\python.exe and
 * pythonw.exe. Same steps as the POSIX launcher (locate -> pyvenv.cfg ->
 * resolve -> plan), then run the base as a child, since Windows cannot exec:
 * "<home>\python.exe" + the raw tail of our command line, with
 * __PYVENV_LAUNCHER__ naming this file so the interpreter knows its venv.
 * The GUI build is this file linked for the windows subsystem. */

#include "../contract.h"
#include "launcher_win.h"
#include "plan.h"

/* `venvshim install` recognises a launcher by this string. */
__attribute__((used)) static const char launcher_marker[] = VS_LAUNCHER_MARKER VENVSHIM_VERSION;

int wmain(void) {
    static vs_plan plan;
    static vs_error err;
    win_launcher_start();
    int rc = win_make_plan(&plan, &err);
    return win_finish(&plan, rc, NULL, &err);
}
