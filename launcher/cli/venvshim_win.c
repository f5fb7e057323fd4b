/* venvshim.exe, the Windows command-line tool: the same command table as the
 * POSIX venvshim (commands.h), with the commands of commands_win.c. The
 * arguments arrive as UTF-16 and are parsed as UTF-8, as the core works. */
#include <stdlib.h>
#include <wchar.h>

#include "commands.h"
#include "install_win.h"
#include "win/win_util.h"

int wmain(int argc, wchar_t **argv) {
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return cli_error(CLI_FAILED, "out of memory");
    for (int i = 0; i < argc; i++) {
        size_t cap = wcslen(argv[i]) * 3 + 1; /* UTF-8 needs at most 3 bytes per UTF-16 unit */
        args[i] = malloc(cap);
        if (!args[i] || !win_narrow(argv[i], -1, args[i], cap))
            return cli_error(CLI_FAILED, "cannot read argument %d as UTF-16", i);
    }
    return cli_main(argc, args);
}
