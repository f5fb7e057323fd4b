/* venvshim.exe's commands (see commands.h): install, create, check, and the
 * POSIX one it does not have yet, with what to do instead. */
#include <wchar.h>

#include "commands.h"
#include "install_win.h"
#include "win/win_util.h"

const char cli_platform_name[] = "Windows";

static const cli_option create_options[] = {
    {"python", "PATH",
     "the python.exe whose venv module makes DIR (default: the py launcher's default Python if "
     "py.exe is on PATH, else python.exe from PATH)"},
    {"system-site-packages", NULL, "passed to venv: the base's site-packages are visible in DIR"},
    {"without-pip", NULL, "passed to venv: do not install pip"},
    {"prompt", "NAME", "passed to venv: the prompt prefix activate shows"},
    {"clear", NULL, "passed to venv: empty DIR first"},
    {"upgrade-deps", NULL, "passed to venv: upgrade pip (and setuptools) from the index"},
    {"relocatable", NULL, "not available on Windows yet (refused, exit 2)"},
    {"without-scm-ignore-files", NULL,
     "write no DIR\\.gitignore (written for every base by default, as Python 3.13's venv does)"},
    {"quiet", NULL, "print nothing but errors (and warnings) on success"},
    {NULL, NULL, NULL},
};

static const cli_option check_options[] = {
    {"json", NULL, "print one JSON object instead of one finding per line"},
    {"fix", NULL, "not available on Windows yet (refused, exit 2)"},
    {"quiet", NULL, "print nothing; the exit status tells"},
    {NULL, NULL, NULL},
};

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
    {"create", "DIR", false,
     "run PYTHON -m venv DIR (default: py's default Python, else python.exe from PATH), then "
     "install",
     "The Python used is printed first. The venv's own options are passed to venv; a failed venv "
     "run changes nothing more. An existing DIR is venv's to take or refuse, as on POSIX.",
     create_options, cmd_create_win, NULL},
    {"check", "DIR", false, "diagnose a venv (any venv, venvshim or not), one finding per line",
     "pyvenv.cfg, the base interpreter as the launchers resolve it and its version, "
     "Scripts\\python*.exe and every console-script launcher. Each finding is ok, info or problem. "
     "Exit status 0 when healthy, 1 when problems remain. --fix is not available on Windows yet: "
     "'venvshim install DIR' re-installs the launchers.",
     check_options, cmd_check_win, NULL},
    {"relocate", NULL, false, NULL, NULL, NULL, NULL, NULL},
    {"upgrade", NULL, false, NULL, NULL, NULL, NULL,
     "make a new venv with the new Python and install the old one's 'pip freeze' into it; "
     "docs/lifecycle.md"},
    CLI_COMMON_COMMANDS,
    {NULL, NULL, false, NULL, NULL, NULL, NULL, NULL},
};
