/* venvshim, the command-line tool: everything is in the command table
 * (commands.h, commands_posix.c). */
#include "commands.h"

int main(int argc, char **argv) {
    return cli_main(argc, argv);
}
