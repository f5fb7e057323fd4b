/* venvshim.exe's commands (see commands.h): install, and the POSIX ones it
 * does not have yet, each with what to do instead. */
#include <wchar.h>

#include "commands.h"
#include "install_win.h"
#include "win/win_util.h"

const char cli_platform_name[] = "Windows";

static int cmd_install_win(const cli_args *a) {
    static wchar_t dir[WIN_PATH_MAX];
    if (!win_widen(a->operand, dir, WIN_PATH_MAX))
        return cli_error(CLI_FAILED, "%s: the path is too long", a->operand);
    return install_windows_venv(dir);
}

const cli_command cli_commands[] = {
    {"install", "DIR", false,
     "give DIR's Scripts\\python*.exe and console scripts the venvshim launchers",
     "Scripts\\python*.exe and pythonw*.exe become venvlauncher.exe / venvwlauncher.exe, and "
     "every console-script launcher pip wrote (Scripts\\NAME.exe with an appended script) gets a "
     "launcher that starts the base interpreter directly. For a venv made by py -m venv, "
     "virtualenv or uv.",
     NULL, cmd_install_win, NULL},
    {"create", NULL, false, NULL, NULL, NULL, NULL,
     "run 'py -m venv DIR', then 'venvshim install DIR'"},
    {"check", NULL, false, NULL, NULL, NULL, NULL, NULL},
    {"relocate", NULL, false, NULL, NULL, NULL, NULL, NULL},
    CLI_COMMON_COMMANDS,
    {NULL, NULL, false, NULL, NULL, NULL, NULL, NULL},
};
