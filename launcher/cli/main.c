/* venvshim command-line tool: dispatch, --help, --version. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: venvshim <command> [options]\n"
    "\n"
    "Give a virtual environment a native bin/python launcher instead of a symlink.\n"
    "\n"
    "commands:\n"
    "  create DIR [--python PATH] [--system-site-packages] [--without-pip]\n"
    "             [--prompt NAME] [--clear] [--relocatable]\n"
    "        run PATH -m venv (default: python3 from PATH), then install\n"
    "  install [--force] DIR\n"
    "        replace DIR/bin/python* with the launcher; record the base interpreter.\n"
    "        Only symlinks, interpreter binaries and launchers are replaced: another\n"
    "        file there (a wrapper script) is refused unless --force is given\n"
    "  relocate DIR\n"
    "        make DIR movable: console scripts become script launchers, activate\n"
    "        finds the venv from its own location, pyvenv.cfg gets relocatable = true\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version\n"
    "\n"
    "The launcher honours PYLAUNCHER_DEBUG=1 (trace) and PYLAUNCHER_DRYRUN=1 (print the plan).\n";

int main(int argc, char **argv) {
    if (argc < 2)
        return cli_error(CLI_USAGE, "missing command; try 'venvshim --help'");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("venvshim %s\n", VENVSHIM_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "create") == 0)
        return cmd_create(argc - 2, argv + 2);
    if (strcmp(cmd, "install") == 0)
        return cmd_install(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "relocate") == 0)
        return cmd_relocate(argc - 2, argv + 2);
    if (strcmp(cmd, "rebase") == 0)
        return cmd_rebase(argc - 2, argv + 2);
    return cli_error(CLI_USAGE, "unknown command '%s'; try 'venvshim --help'", cmd);
}
