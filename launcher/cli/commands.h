/* The CLI's one command table: every command's name, operand, options and
 * help. The dispatcher (cli_main), --help, `venvshim help COMMAND`,
 * `venvshim COMMAND --help`, the usage errors, the man page (--help-man) and
 * the shell completions (--completions SHELL) all read it, so they cannot
 * drift apart. Each platform links its own list (commands_posix.c,
 * commands_win.c); an entry without a run function is a command the
 * platform does not have yet. Portable C: no POSIX or Windows calls here. */
#ifndef VENVSHIM_COMMANDS_H
#define VENVSHIM_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_MAX_OPTIONS 12
#define CLI_MAX_VALUES 32 /* option values on one command line, repeats counted */

typedef struct {
    const char *name;  /* "python": --python */
    const char *value; /* "PATH": takes a value; NULL: a flag */
    const char *help;  /* one line */
} cli_option;

typedef struct cli_command cli_command;

/* What the parser found, for a command's run function. */
typedef struct {
    const cli_command *cmd;
    const char *operand;                /* DIR (COMMAND for help); NULL if none */
    const char *value[CLI_MAX_OPTIONS]; /* per option: NULL absent, "" a flag given */
    /* every option value in command-line order, for options given more than once */
    const char *all_values[CLI_MAX_VALUES];
    unsigned char all_options[CLI_MAX_VALUES]; /* the option each value belongs to */
    size_t n_all;
} cli_args;

struct cli_command {
    const char *name;
    const char *operand;       /* "DIR", "COMMAND"; NULL: takes none */
    bool operand_optional;     /* shown as [COMMAND] */
    const char *summary;       /* one line for the command list */
    const char *description;   /* more for the command's help and the man page; may be NULL */
    const cli_option *options; /* ends with {NULL}; NULL: none */
    int (*run)(const cli_args *a);
    const char *instead; /* run == NULL: what to do on this platform instead */
};

/* The platform's list, ending with {NULL}; and the platform's name for
 * "not available on <platform> yet". */
extern const cli_command cli_commands[];
extern const char cli_platform_name[];

/* The commands every platform has (their run functions live in commands.c). */
int cli_run_help(const cli_args *a);
int cli_run_version(const cli_args *a);
#define CLI_COMMON_COMMANDS                                                                        \
    {"help", "COMMAND", true,         "show this help, or COMMAND's options",                      \
     NULL,   NULL,      cli_run_help, NULL},                                                       \
    {                                                                                              \
        "version", NULL, false, "show the version", NULL, NULL, cli_run_version, NULL              \
    }

/* Parse argv[0] (the program), argv[1] (the command) ... and run it.
 * Exit codes: 0 done, 1 failed, 2 usage error. */
int cli_main(int argc, char **argv);

/* The one style of usage error: "venvshim: CMD: WHAT; try 'venvshim CMD
 * --help'" (cmd NULL: "venvshim: WHAT; try 'venvshim --help'"), on stderr.
 * Returns 2. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The option called name of a's command: its value, "" for a flag given,
 * NULL when absent. name must be one of the command's options. */
const char *cli_opt(const cli_args *a, const char *name);
/* Every value given to the option called name (a repeatable one such as
 * --find-links), in order: up to cap into out; returns how many were given. */
size_t cli_opt_all(const cli_args *a, const char *name, const char **out, size_t cap);

/* The options before a command (--help, --version, --completions SHELL),
 * ending with {NULL}; the hidden --help-man is not among them. */
extern const cli_option cli_global_options[];

/* The command called name in cli_commands, or NULL. */
const cli_command *cli_find_command(const char *name);

/* commands_gen.c: the man page and the completion scripts. */
void cli_print_man(FILE *out);
bool cli_print_completions(FILE *out, const char *shell);

#endif
