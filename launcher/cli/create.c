/* venvshim create DIR: python -m venv, then install (and, with
 * --relocatable, a relative home when possible, then relocate). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define MAX_VENV_ARGS 16

static const char create_usage[] = "see 'venvshim --help'";

int cmd_create(int argc, char **argv) {
    const char *python = "python3";
    const char *dir = NULL;
    bool relocatable = false;
    char *venv_argv[MAX_VENV_ARGS];
    int n = 0;
    venv_argv[n++] = NULL; /* python, filled in below */
    venv_argv[n++] = "-m";
    venv_argv[n++] = "venv";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--python") == 0 || strcmp(a, "--prompt") == 0) {
            if (i + 1 >= argc)
                return cli_error(CLI_USAGE, "%s needs a value; %s", a, create_usage);
            if (a[2] == 'p' && a[3] == 'y')
                python = argv[++i];
            else {
                venv_argv[n++] = "--prompt";
                venv_argv[n++] = argv[++i];
            }
        } else if (strncmp(a, "--python=", 9) == 0) {
            python = a + 9;
        } else if (strncmp(a, "--prompt=", 9) == 0) {
            venv_argv[n++] = "--prompt";
            venv_argv[n++] = (char *)a + 9;
        } else if (strcmp(a, "--system-site-packages") == 0 || strcmp(a, "--without-pip") == 0 ||
                   strcmp(a, "--clear") == 0) {
            venv_argv[n++] = (char *)a;
        } else if (strcmp(a, "--relocatable") == 0) {
            relocatable = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_error(CLI_USAGE, "unknown option '%s'; %s", a, create_usage);
        } else if (dir) {
            return cli_error(CLI_USAGE, "more than one DIR given; %s", create_usage);
        } else {
            dir = a;
        }
        if (n > MAX_VENV_ARGS - 3)
            return cli_error(CLI_USAGE, "too many options; %s", create_usage);
    }
    if (!dir)
        return cli_error(CLI_USAGE, "create: missing DIR; %s", create_usage);
    venv_argv[0] = (char *)python;
    venv_argv[n++] = (char *)dir;
    venv_argv[n] = NULL;

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return cli_error(CLI_FAILED, "fork: %s", strerror(errno));
    if (pid == 0) {
        execvp(python, venv_argv);
        cli_error(CLI_FAILED, "cannot run %s: %s", python, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return cli_error(CLI_FAILED, "waitpid: %s", strerror(errno));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            return CLI_FAILED;
        return cli_error(CLI_FAILED, "'%s -m venv %s' failed (%s %d)", python, dir,
                         WIFEXITED(status) ? "exit status" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    int rc = install_venv(dir);
    if (rc == CLI_OK && relocatable && (rc = relativize_home(dir)) == CLI_OK)
        rc = relocate_venv(dir);
    return rc;
}
