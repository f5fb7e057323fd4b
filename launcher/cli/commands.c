/* The dispatcher, the option parser and the help texts, all read from the
 * platform's command table (commands.h). */
#include "commands.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 80       /* help lines wrap here */
#define HELP_COLUMN 30 /* an option's help starts here */

const cli_option cli_global_options[] = {
    {"help", NULL, "show this help (with COMMAND: that command's help)"},
    {"version", NULL, "show the version"},
    {"completions", "SHELL", "print a completion script for bash, zsh or fish"},
    {NULL, NULL, NULL},
};

static const char tagline[] =
    "Give a virtual environment a native bin/python launcher instead of a symlink.";
static const char env_note[] =
    "The launcher honours PYLAUNCHER_DEBUG=1 (trace) and PYLAUNCHER_DRYRUN=1 (print the plan).\n"
    "Exit codes: 0 done, 1 failed, 2 usage error.\n";

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("venvshim: ", stderr);
    if (cmd)
        fprintf(stderr, "%s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "; try 'venvshim %s --help'\n", cmd->name);
    else
        fputs("; try 'venvshim --help'\n", stderr);
    return 2;
}

const cli_command *cli_find_command(const char *name) {
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

static int option_count(const cli_command *c) {
    int n = 0;
    while (c->options && c->options[n].name)
        n++;
    return n;
}

const char *cli_opt(const cli_args *a, const char *name) {
    int n = option_count(a->cmd);
    for (int i = 0; i < n; i++) {
        if (strcmp(a->cmd->options[i].name, name) == 0)
            return a->value[i];
    }
    /* a typo in a run function, not in the user's input */
    fprintf(stderr, "venvshim: internal error: '%s' has no option --%s\n", a->cmd->name, name);
    abort();
}

size_t cli_opt_all(const cli_args *a, const char *name, const char **out, size_t cap) {
    cli_opt(a, name); /* aborts on a name the command does not have */
    size_t n = 0;
    for (size_t i = 0; i < a->n_all; i++) {
        if (strcmp(a->cmd->options[a->all_options[i]].name, name) != 0)
            continue;
        if (n < cap)
            out[n] = a->all_values[i];
        n++;
    }
    return n;
}

/* ---- wrapped output ---- */

typedef struct {
    FILE *out;
    int col, indent;
    bool fresh; /* nothing written on this line after the indent */
} wrapper;

static void put_word(wrapper *w, const char *word, size_t len) {
    if (!w->fresh && w->col + 1 + (int)len > WIDTH) {
        fprintf(w->out, "\n%*s", w->indent, "");
        w->col = w->indent;
    } else if (!w->fresh) {
        fputc(' ', w->out);
        w->col++;
    }
    fwrite(word, 1, len, w->out);
    w->col += (int)len;
    w->fresh = false;
}

static void put_text(wrapper *w, const char *text) {
    while (*text) {
        while (*text == ' ')
            text++;
        size_t len = strcspn(text, " ");
        if (len)
            put_word(w, text, len);
        text += len;
    }
}

/* "[--python PATH]", "[--force]", "DIR", "[COMMAND]" */
static void put_synopsis(wrapper *w, const cli_command *c) {
    char word[128];
    for (const cli_option *o = c->options; o && o->name; o++) {
        int n = snprintf(word, sizeof word, o->value ? "[--%s %s]" : "[--%s]", o->name,
                         o->value ? o->value : "");
        put_word(w, word, (size_t)n);
    }
    if (c->operand) {
        int n = snprintf(word, sizeof word, c->operand_optional ? "[%s]" : "%s", c->operand);
        put_word(w, word, (size_t)n);
    }
}

/* lead, the command's name, its synopsis wrapped under itself. */
static void put_synopsis_line(FILE *out, const char *lead, const cli_command *c) {
    int col = fprintf(out, "%s%s", lead, c->name);
    wrapper w = {out, col, col + 1, false};
    put_synopsis(&w, c);
}

static void put_option(FILE *out, const char *left, const char *help) {
    int col = fprintf(out, "  %s", left);
    if (col + 2 > HELP_COLUMN) {
        fputc('\n', out);
        col = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - col, "");
    wrapper w = {out, HELP_COLUMN, HELP_COLUMN, true};
    put_text(&w, help);
    fputc('\n', out);
}

static void put_options(FILE *out, const cli_option *options, bool with_help) {
    char left[128];
    for (const cli_option *o = options; o && o->name; o++) {
        if (strcmp(o->name, "help") == 0)
            continue;
        snprintf(left, sizeof left, o->value ? "--%s %s" : "--%s", o->name,
                 o->value ? o->value : "");
        put_option(out, left, o->help);
    }
    if (with_help)
        put_option(out, "-h, --help", "show this help");
}

/* A one-line summary as a sentence: capital first letter, final period. */
static void put_sentence(wrapper *w, const char *text) {
    char sentence[512];
    snprintf(sentence, sizeof sentence, "%s.", text);
    sentence[0] = (char)toupper((unsigned char)sentence[0]);
    put_text(w, sentence);
}

static void print_command_help(FILE *out, const cli_command *c) {
    put_synopsis_line(out, "usage: venvshim ", c);
    fputs("\n\n", out);
    wrapper w = {out, 0, 0, true};
    put_sentence(&w, c->summary);
    if (c->description)
        put_text(&w, c->description);
    fputs("\n\noptions:\n", out);
    put_options(out, c->options, true);
}

static void print_main_help(FILE *out) {
    fprintf(out,
            "usage: venvshim <command> [options]\n"
            "       venvshim help COMMAND | venvshim COMMAND --help\n\n%s\n\ncommands:\n",
            tagline);
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        put_synopsis_line(out, "  ", c);
        fputs("\n        ", out);
        wrapper w = {out, 8, 8, true};
        put_text(&w, c->summary);
        fputc('\n', out);
    }
    fputs("\noptions:\n", out);
    put_option(out, "-h, --help", cli_global_options[0].help);
    put_options(out, cli_global_options, false);
    fprintf(out, "\n%s", env_note);
}

/* ---- parsing ---- */

static bool is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Fill a from args (the words after the command's name). -1: go on and run;
 * otherwise the exit code (0 after printing the help). */
static int parse(const cli_command *c, int argc, char **args, cli_args *a) {
    int nopt = option_count(c);
    *a = (cli_args){.cmd = c};
    for (int i = 0; i < argc && strcmp(args[i], "--") != 0; i++) {
        if (is_help(args[i])) {
            print_command_help(stdout, c);
            return 0;
        }
    }
    bool operands_only = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = args[i];
        if (!operands_only && strcmp(arg, "--") == 0) {
            operands_only = true;
            continue;
        }
        if (operands_only || arg[0] != '-' || arg[1] == '\0') {
            if (!c->operand || a->operand)
                return cli_usage_error(c, "unexpected argument '%s'", arg);
            a->operand = arg;
            continue;
        }
        size_t len = strcspn(arg + 2, "=");
        int k = 0;
        while (k < nopt && !(arg[1] == '-' && strlen(c->options[k].name) == len &&
                             strncmp(c->options[k].name, arg + 2, len) == 0))
            k++;
        if (k == nopt || nopt > CLI_MAX_OPTIONS)
            return cli_usage_error(c, "unknown option '%.*s'", (int)(arg[1] == '-' ? len + 2 : 2),
                                   arg);
        const cli_option *o = &c->options[k];
        const char *value = arg[2 + len] == '=' ? arg + 3 + len : NULL;
        if (!o->value && value)
            return cli_usage_error(c, "option '--%s' takes no value", o->name);
        if (o->value && !value && i + 1 < argc)
            value = args[++i];
        if (o->value && (!value || !*value))
            return cli_usage_error(c, "option '--%s' needs a value (%s)", o->name, o->value);
        a->value[k] = o->value ? value : "";
        if (o->value) {
            if (a->n_all == CLI_MAX_VALUES)
                return cli_usage_error(c, "more than %d option values", CLI_MAX_VALUES);
            a->all_values[a->n_all] = value;
            a->all_options[a->n_all++] = (unsigned char)k;
        }
    }
    if (c->operand && !c->operand_optional && !a->operand)
        return cli_usage_error(c, "missing %s", c->operand);
    return -1;
}

static int run_command(const cli_command *c, int argc, char **args) {
    if (!c->run)
        return cli_usage_error(NULL, "%s: not available on %s yet%s%s%s", c->name,
                               cli_platform_name, c->instead ? " (" : "",
                               c->instead ? c->instead : "", c->instead ? ")" : "");
    cli_args a;
    int rc = parse(c, argc, args, &a);
    return rc >= 0 ? rc : c->run(&a);
}

int cli_run_help(const cli_args *a) {
    if (!a->operand) {
        print_main_help(stdout);
        return 0;
    }
    const cli_command *c = cli_find_command(a->operand);
    if (!c || !c->run)
        return cli_usage_error(a->cmd, "unknown command '%s'", a->operand);
    print_command_help(stdout, c);
    return 0;
}

int cli_run_version(const cli_args *a) {
    (void)a;
    printf("venvshim %s\n", VENVSHIM_VERSION);
    return 0;
}

int cli_main(int argc, char **argv) {
    if (argc < 2)
        return cli_usage_error(NULL, "missing command");
    const char *first = argv[1];
    if (is_help(first))
        return run_command(cli_find_command("help"), argc - 2, argv + 2);
    if (strcmp(first, "--version") == 0)
        return run_command(cli_find_command("version"), argc - 2, argv + 2);
    if (strcmp(first, "--help-man") == 0) {
        if (argc > 2)
            return cli_usage_error(NULL, "unexpected argument '%s'", argv[2]);
        cli_print_man(stdout);
        return 0;
    }
    if (strncmp(first, "--completions", 13) == 0 && (first[13] == '\0' || first[13] == '=')) {
        const char *shell = first[13] ? first + 14 : argc > 2 ? argv[2] : "";
        int used = first[13] ? 2 : 3;
        if (argc > used)
            return cli_usage_error(NULL, "unexpected argument '%s'", argv[used]);
        if (!cli_print_completions(stdout, shell))
            return cli_usage_error(NULL, "--completions needs bash, zsh or fish, not '%s'", shell);
        return 0;
    }
    if (first[0] == '-')
        return cli_usage_error(NULL, "unknown option '%s'", first);
    const cli_command *c = cli_find_command(first);
    if (!c)
        return cli_usage_error(NULL, "unknown command '%s'", first);
    return run_command(c, argc - 2, argv + 2);
}
