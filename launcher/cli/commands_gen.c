/* Generated from the command table: the man page venvshim(1) (--help-man)
 * and the bash, zsh and fish completion scripts (--completions SHELL), so
 * packaging never ships a help that differs from the binary's. Only the
 * commands this platform runs are listed. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* ---- roff ---- */

/* text as roff: '-' is a minus (an option's dash), '\' printed as itself,
 * a leading '.' or '\'' not taken for a request. */
static void roff(FILE *out, const char *text) {
    if (text[0] == '.' || text[0] == '\'')
        fputs("\\&", out);
    for (const char *p = text; *p; p++) {
        if (*p == '-')
            fputs("\\-", out);
        else if (*p == '\\')
            fputs("\\e", out);
        else
            fputc(*p, out);
    }
}

static void roff_option(FILE *out, const cli_option *o, bool brackets) {
    fputs(brackets ? "[\\fB\\-\\-" : "\\fB\\-\\-", out);
    roff(out, o->name);
    fputs("\\fR", out);
    if (o->value) {
        fputs(" \\fI", out);
        roff(out, o->value);
        fputs("\\fR", out);
    }
    fputs(brackets ? "]\n" : "\n", out);
}

static void roff_synopsis(FILE *out, const cli_command *c) {
    fputs(".B venvshim ", out);
    roff(out, c->name);
    fputc('\n', out);
    for (const cli_option *o = c->options; o && o->name; o++)
        roff_option(out, o, true);
    if (c->operand)
        fprintf(out, c->operand_optional ? "[\\fI%s\\fR]\n" : "\\fI%s\\fR\n", c->operand);
}

static void roff_tagged(FILE *out, const cli_option *o) {
    fputs(".TP\n", out);
    roff_option(out, o, false);
    roff(out, o->help);
    fputc('\n', out);
}

void cli_print_man(FILE *out) {
    fprintf(out,
            ".TH VENVSHIM 1 \"\" \"venvshim %s\" \"User Commands\"\n"
            ".nh\n.ad l\n" /* options are not words to hyphenate */
            ".SH NAME\nvenvshim \\- give a virtual environment a native bin/python launcher\n"
            ".SH SYNOPSIS\n.B venvshim\n.I command\n[\\fIoptions\\fR]\n.br\n"
            ".B venvshim help\n[\\fIcommand\\fR]\n.br\n.B venvshim\n"
            "[\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR | \\fB\\-\\-completions\\fR "
            "\\fIshell\\fR]\n"
            ".SH DESCRIPTION\n"
            "Give a virtual environment a native bin/python launcher instead of a symlink.\n"
            "The launcher finds pyvenv.cfg next to itself, resolves the base interpreter as\n"
            "Python's own start\\-up would, and runs it.\n"
            ".SH COMMANDS\n",
            VENVSHIM_VERSION);
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        fputs(".SS ", out);
        roff(out, c->name);
        fputs("\n.PP\n", out);
        roff_synopsis(out, c);
        fprintf(out, ".PP\n%c", toupper((unsigned char)c->summary[0]));
        roff(out, c->summary + 1);
        fputs(".\n", out);
        if (c->description) {
            roff(out, c->description);
            fputc('\n', out);
        }
        for (const cli_option *o = c->options; o && o->name; o++)
            roff_tagged(out, o);
    }
    fputs(".SH OPTIONS\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\n", out);
    roff(out, cli_global_options[0].help);
    fputc('\n', out);
    for (const cli_option *o = cli_global_options + 1; o->name; o++)
        roff_tagged(out, o);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B PYLAUNCHER_DEBUG\nWith 1, the launcher traces how it finds the interpreter.\n"
          ".TP\n.B PYLAUNCHER_DRYRUN\nWith 1, the launcher prints its plan instead of running "
          "it.\n"
          ".SH EXIT STATUS\n0 done, 1 failed, 2 usage error.\n"
          ".SH SEE ALSO\n.BR python3 (1)\n",
          out);
}

/* ---- completions ---- */

/* How each shell completes a value called metavar; '@' stands for the
 * command names. */
typedef struct {
    const char *metavar, *bash, *zsh, *fish;
} value_kind;

static const value_kind kinds[] = {
    {"DIR", "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))",
     "_directories", "-x -a '(__fish_complete_directories (commandline -ct))'"},
    {"PATH", "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))", "_files",
     "-r -F"},
    {"SHELL", "COMPREPLY=($(compgen -W 'bash zsh fish' -- \"$cur\"))", "(bash zsh fish)",
     "-x -a 'bash zsh fish'"},
    {"COMMAND", "COMPREPLY=($(compgen -W '@' -- \"$cur\"))", "(@)", "-x -a '@'"},
    {NULL, ":", " ", "-x"}, /* NAME and anything else: no guess */
};

static const value_kind *kind_of(const char *metavar) {
    const value_kind *k = kinds;
    while (k->metavar && strcmp(k->metavar, metavar) != 0)
        k++;
    return k;
}

static void command_names(FILE *out, const char *sep) {
    const char *s = "";
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (c->run) {
            fprintf(out, "%s%s", s, c->name);
            s = sep;
        }
    }
}

/* text for a shell's single quotes, without them: bash and zsh close,
 * escape and reopen; fish escapes with a backslash. brackets: [ ] escaped
 * too (a zsh _arguments description). */
static void quoted_body(FILE *out, const char *text, bool fish, bool brackets) {
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            fputs(fish ? "\\'" : "'\\''", out);
        else if (fish && *p == '\\')
            fputs("\\\\", out);
        else if (brackets && (*p == '[' || *p == ']'))
            fprintf(out, "\\%c", *p);
        else
            fputc(*p, out);
    }
}

static void quoted(FILE *out, const char *text, bool fish) {
    fputc('\'', out);
    quoted_body(out, text, fish, false);
    fputc('\'', out);
}

/* A completion from kinds, '@' expanded. */
static void put_template(FILE *out, const char *template) {
    for (const char *p = template; *p; p++) {
        if (*p == '@')
            command_names(out, " ");
        else
            fputc(*p, out);
    }
}

static void bash_value(FILE *out, const char *metavar) {
    put_template(out, kind_of(metavar)->bash);
}

static void fish_value(FILE *out, const char *metavar) {
    put_template(out, kind_of(metavar)->fish);
}

static void zsh_value(FILE *out, const char *metavar) {
    fprintf(out, ":%s:", metavar);
    put_template(out, kind_of(metavar)->zsh);
}

static void print_bash(FILE *out) {
    fputs("# bash completion for venvshim (generated by venvshim --completions bash)\n"
          "_venvshim() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    COMPREPLY=()\n"
          "    if [[ $COMP_CWORD -eq 1 ]]; then\n"
          "        COMPREPLY=($(compgen -W '",
          out);
    command_names(out, " ");
    for (const cli_option *o = cli_global_options; o->name; o++)
        fprintf(out, " --%s", o->name);
    fputs("' -- \"$cur\"))\n        return\n    fi\n    case ${COMP_WORDS[1]} in\n"
          "    --completions) [[ $COMP_CWORD -eq 2 ]] && ",
          out);
    bash_value(out, "SHELL");
    fputs(" ;;\n    -h|--help) [[ $COMP_CWORD -eq 2 ]] && ", out);
    bash_value(out, "COMMAND");
    fputs(" ;;\n", out);
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        fprintf(out, "    %s)\n        case $prev in\n", c->name);
        for (const cli_option *o = c->options; o && o->name; o++) {
            if (o->value) {
                fprintf(out, "        --%s) ", o->name);
                bash_value(out, o->value);
                fputs("; return ;;\n", out);
            }
        }
        fputs("        esac\n        if [[ $cur == -* ]]; then\n"
              "            COMPREPLY=($(compgen -W '--help",
              out);
        for (const cli_option *o = c->options; o && o->name; o++)
            fprintf(out, " --%s", o->name);
        fputs("' -- \"$cur\"))\n", out);
        if (c->operand) {
            fputs("        else\n            ", out);
            bash_value(out, c->operand);
            fputc('\n', out);
        }
        fputs("        fi ;;\n", out);
    }
    fputs("    esac\n}\ncomplete -F _venvshim venvshim\n", out);
}

static void zsh_option(FILE *out, const cli_option *o) {
    fprintf(out, " \\\n        '--%s%s[", o->name, o->value ? "=" : "");
    quoted_body(out, o->help, false, true);
    fputc(']', out);
    if (o->value)
        zsh_value(out, o->value);
    fputc('\'', out);
}

static void print_zsh(FILE *out) {
    fputs("#compdef venvshim\n"
          "# zsh completion for venvshim (generated by venvshim --completions zsh)\n"
          "_venvshim() {\n"
          "    local -a commands\n"
          "    commands=(\n",
          out);
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        char entry[512];
        snprintf(entry, sizeof entry, "%s:%s", c->name, c->summary);
        fputs("        ", out);
        quoted(out, entry, false);
        fputc('\n', out);
    }
    fputs("    )\n"
          "    if (( CURRENT == 2 )); then\n"
          "        _describe -t commands 'venvshim command' commands\n"
          "        compadd -- --help --version --completions\n"
          "        return\n"
          "    fi\n"
          "    local cmd=$words[2]\n"
          "    shift words\n"
          "    (( CURRENT-- ))\n"
          "    case $cmd in\n"
          "    --completions) _arguments '",
          out);
    zsh_value(out, "SHELL");
    fputs("' ;;\n    -h|--help) _arguments '", out);
    zsh_value(out, "COMMAND");
    fputs("' ;;\n", out);
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        fprintf(out, "    %s)\n        _arguments '(- *)'{-h,--help}'[show this help]'", c->name);
        for (const cli_option *o = c->options; o && o->name; o++)
            zsh_option(out, o);
        if (c->operand) {
            fprintf(out, " \\\n        '%s", c->operand_optional ? "::" : "1");
            zsh_value(out, c->operand);
            fputc('\'', out);
        }
        fputs(" ;;\n", out);
    }
    fputs("    esac\n}\n"
          "if [[ $funcstack[1] == _venvshim ]]; then\n"
          "    _venvshim \"$@\"\n"
          "else\n"
          "    compdef _venvshim venvshim\n"
          "fi\n",
          out);
}

static void print_fish(FILE *out) {
    fputs("# fish completion for venvshim (generated by venvshim --completions fish)\n"
          "complete -c venvshim -f\n",
          out);
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        fprintf(out, "complete -c venvshim -n __fish_use_subcommand -a %s -d ", c->name);
        quoted(out, c->summary, true);
        fputc('\n', out);
    }
    for (const cli_option *o = cli_global_options; o->name; o++) {
        fprintf(out, "complete -c venvshim -n __fish_use_subcommand -l %s%s ", o->name,
                strcmp(o->name, "help") == 0 ? " -s h" : "");
        if (o->value) {
            fish_value(out, o->value);
            fputc(' ', out);
        }
        fputs("-d ", out);
        quoted(out, o->help, true);
        fputc('\n', out);
    }
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (!c->run)
            continue;
        const char *when = "complete -c venvshim -n '__fish_seen_subcommand_from";
        fprintf(out, "%s %s' -s h -l help -d 'show this help'\n", when, c->name);
        for (const cli_option *o = c->options; o && o->name; o++) {
            fprintf(out, "%s %s' -l %s ", when, c->name, o->name);
            if (o->value) {
                fish_value(out, o->value);
                fputc(' ', out);
            }
            fputs("-d ", out);
            quoted(out, o->help, true);
            fputc('\n', out);
        }
        if (c->operand) {
            fprintf(out, "%s %s' ", when, c->name);
            fish_value(out, c->operand);
            fputc('\n', out);
        }
    }
}

bool cli_print_completions(FILE *out, const char *shell) {
    if (strcmp(shell, "bash") == 0)
        print_bash(out);
    else if (strcmp(shell, "zsh") == 0)
        print_zsh(out);
    else if (strcmp(shell, "fish") == 0)
        print_fish(out);
    else
        return false;
    return true;
}
