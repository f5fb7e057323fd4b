/* The POSIX venvshim's commands (see commands.h). The order here is the
 * order of --help, the man page and the completions. */
#include "cli.h"
#include "commands.h"
#include "venv_access.h"

/* The override of the ownership rule (venv_access.h), in every command that
 * writes in a venv or runs programs there. */
#define TRUST_OTHERS                                                                               \
    {                                                                                              \
        TRUST_OTHERS_OPTION, NULL,                                                                 \
            "act although a user other than you and root owns or can write DIR, its bin/ or a "    \
            "directory above it (refused by default: that user could swap what venvshim writes "   \
            "or "                                                                                  \
            "runs as you)"                                                                         \
    }

const char cli_platform_name[] = "this system";

static const cli_option create_options[] = {
    {"python", "PATH", "the interpreter whose venv module makes DIR (default: python3 from PATH)"},
    {"system-site-packages", NULL, "passed to venv: the base's site-packages are visible in DIR"},
    {"without-pip", NULL, "passed to venv: do not install pip"},
    {"prompt", "NAME", "passed to venv: the prompt prefix activate shows"},
    {"clear", NULL, "passed to venv: empty DIR first"},
    {"upgrade-deps", NULL, "passed to venv: upgrade pip (and setuptools) from the index"},
    {"relocatable", NULL,
     "make DIR movable: a home relative to DIR's parent when the base lives under it, then "
     "relocate"},
    {"without-scm-ignore-files", NULL,
     "write no DIR/.gitignore (written for every base by default, as Python 3.13's venv does)"},
    {"quiet", NULL, "print nothing but errors (and warnings) on success"},
    {"json", NULL, "print one JSON object (docs/json.md) instead of lines of text"},
    TRUST_OTHERS,
    {NULL, NULL, NULL},
};

static const cli_option install_options[] = {
    {"force", NULL, "replace any other file at bin/python* too (a wrapper script of yours)"},
    {"quiet", NULL, "print nothing but errors (and warnings) on success"},
    {"json", NULL, "print one JSON object (docs/json.md) instead of lines of text"},
    TRUST_OTHERS,
    {NULL, NULL, NULL},
};

static const cli_option relocate_options[] = {
    {"quiet", NULL, "print nothing but errors (and warnings) on success"},
    {"json", NULL, "print one JSON object (docs/json.md) instead of lines of text"},
    TRUST_OTHERS,
    {NULL, NULL, NULL},
};

static const cli_option check_options[] = {
    {"json", NULL, "print one JSON object instead of one finding per line"},
    {"fix", NULL,
     "repair what is safe (launchers, scripts of a moved venv, leftover temporary files, "
     "set-user-ID bits); only in a venv of yours that no one else can write"},
    {"quiet", NULL, "print nothing; the exit status tells"},
    {NULL, NULL, NULL},
};

static const cli_option rebase_options[] = {
    {"python", "PATH",
     "the interpreter to use (default: the best one found of the venv's implementation and X.Y)"},
    {"dry-run", NULL, "say what would be done, change nothing"},
    {"json", NULL, "print one JSON object instead of lines of text"},
    {"quiet", NULL, "print nothing but errors (and warnings) on success"},
    TRUST_OTHERS,
    {NULL, NULL, NULL},
};

static const cli_option upgrade_options[] = {
    {"python", "PATH", "the new interpreter: another X.Y, or PyPy of the venv's language version"},
    {"find-links", "DIR",
     "look here for wheels or sdists of compiled distributions (repeatable; before pip's "
     "configured index, if any)"},
    {"dry-run", NULL, "show the plan, change nothing"},
    {"json", NULL, "print one JSON object (docs/json.md) instead of lines of text"},
    {"keep-old", NULL, "keep the old venv as DIR.X.Y.bak (the default)"},
    {"no-keep-old", NULL, "remove the old venv once the new one is in place"},
    {"allow-missing", NULL, "go on without the distributions that cannot be rebuilt (listed)"},
    {"quiet", NULL, "print nothing but errors (and warnings) on success"},
    TRUST_OTHERS,
    {NULL, NULL, NULL},
};

const cli_command cli_commands[] = {
    {"create", "DIR", false, "run PATH -m venv (default: python3 from PATH), then install",
     "The venv's own options are passed to venv; a failed venv run changes nothing more.",
     create_options, cmd_create, NULL},
    {"install", "DIR", false,
     "replace DIR/bin/python* with the launcher; record the base interpreter",
     "Only symlinks, interpreter binaries and launchers are replaced: another file there (a "
     "wrapper script) is refused unless --force is given. It also writes the site-init hook into "
     "the venv's site-packages. Running it again is harmless.",
     install_options, cmd_install, NULL},
    {"check", "DIR", false, "diagnose a venv (any venv, venvshim or not), one finding per line",
     "Each finding is ok, info, problem or fixed. Exit status 0 when healthy (after --fix: when "
     "nothing is left), 1 when problems remain.",
     check_options, cmd_check, NULL},
    {"relocate", "DIR", false,
     "make DIR movable: console scripts become script launchers, activate finds the venv from its "
     "own location, pyvenv.cfg gets relocatable = true",
     NULL, relocate_options, cmd_relocate, NULL},
    {"rebase", "DIR", false,
     "point DIR at another interpreter of the same implementation and X.Y, keeping its packages",
     "For a venv whose base Python was removed or replaced. Without --python, looks on PATH, in "
     "/usr/bin, /usr/local/bin, pyenv, uv, asdf, mise, Homebrew and python.org frameworks; prefers "
     "the venv's exact patch release, else the newest patch of its X.Y. Nothing is run from a "
     "place someone other than you or root can write: it is skipped and listed. Another X.Y or "
     "another implementation is refused and nothing changes.",
     rebase_options, cmd_rebase, NULL},
    {"upgrade", "DIR", false,
     "rebuild DIR with its packages for another X.Y of Python, beside it, then swap it in",
     "Works when the old Python is gone: the venv's files say what it holds. Pure-Python "
     "distributions are re-packed from their installed files, compiled ones come from "
     "--find-links (or pip's configured index), editable ones from their source directory; "
     "what cannot be rebuilt is listed and nothing changes. The new venv is verified, then "
     "exchanged with DIR in one rename; the old one is kept as DIR.X.Y.bak. See docs/lifecycle.md.",
     upgrade_options, cmd_upgrade, NULL},
    CLI_COMMON_COMMANDS,
    {NULL, NULL, false, NULL, NULL, NULL, NULL, NULL},
};
