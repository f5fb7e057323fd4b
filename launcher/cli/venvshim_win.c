/* venvshim.exe, the Windows command-line tool: install, --help, --version.
 * (`create` is POSIX-only for now: on Windows run `py -m venv DIR`, then
 * `venvshim install DIR`.) */
#include <stdio.h>
#include <wchar.h>

#include "install_win.h"

static const char usage_text[] =
    "usage: venvshim install DIR\n"
    "\n"
    "Give a Windows virtual environment (made by py -m venv, virtualenv or uv) the venvshim\n"
    "launchers: Scripts\\python*.exe and pythonw*.exe become venvlauncher.exe /\n"
    "venvwlauncher.exe, and every console-script launcher pip wrote (Scripts\\NAME.exe with an\n"
    "appended script) gets a launcher that starts the base interpreter directly.\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version\n"
    "\n"
    "The launchers honour PYLAUNCHER_DEBUG=1 (trace) and PYLAUNCHER_DRYRUN=1 (print the plan).\n"
    "Exit codes: 0 done, 1 failed, 2 usage error.\n";

int wmain(int argc, wchar_t **argv) {
    if (argc < 2)
        return cli_error(CLI_USAGE, "missing command; try 'venvshim --help'");
    const wchar_t *cmd = argv[1];
    if (wcscmp(cmd, L"-h") == 0 || wcscmp(cmd, L"--help") == 0 || wcscmp(cmd, L"help") == 0) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (wcscmp(cmd, L"--version") == 0 || wcscmp(cmd, L"version") == 0) {
        printf("venvshim %s\n", VENVSHIM_VERSION);
        return CLI_OK;
    }
    if (wcscmp(cmd, L"install") == 0) {
        if (argc != 3 || argv[2][0] == L'-')
            return cli_error(CLI_USAGE, "usage: venvshim install DIR");
        return install_windows_venv(argv[2]);
    }
    if (wcscmp(cmd, L"create") == 0)
        return cli_error(CLI_USAGE, "'create' is not available on Windows: run 'py -m venv DIR', "
                                    "then 'venvshim install DIR'");
    return cli_error(CLI_USAGE, "unknown command; try 'venvshim --help'");
}
