/* venvshim, the command-line tool: everything is in the command table
 * (commands.h, commands_posix.c). */
#include "commands.h"
#include "core_open.h"

int main(int argc, char **argv) {
    core_open_install(); /* the core reads as the CLI does: regular files only */
    return cli_main(argc, argv);
}
