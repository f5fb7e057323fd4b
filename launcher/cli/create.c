/* venvshim create DIR: python -m venv, then install (and, with
 * --relocatable, a relative home when possible, then relocate). */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../path.h"
#include "../strbuf.h"
#include "cli.h"
#include "report.h"
#include "safe_exec.h"
#include "venv_access.h"

/* python -m venv, 4 flags, --prompt NAME, --without-scm-ignore-files, DIR, NULL */
#define MAX_VENV_ARGS 12

extern char **environ;

/* What CPython 3.13's venv writes (EnvBuilder.create_git_ignore_file); create
 * writes it for every base, as 3.13 and virtualenv do. */
static const char scm_ignore_text[] =
    "# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n";

/* Does python's venv take --without-scm-ignore-files (3.13+)? Asked only when
 * that option is given, so that such a venv writes no .gitignore either. A
 * python that cannot run says no; the venv run after it reports the error. */
static bool venv_has_scm_option(const char *python) {
    char *argv[] = {
        (char *)python, "-c",
        "import sys, venv; sys.exit(not hasattr(venv.EnvBuilder, 'create_git_ignore_file'))", NULL};
    pid_t pid;
    int status;
    if (posix_spawn(&pid, python, NULL, NULL, argv, environ) != 0)
        return false;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The options that go on to venv as they are (the table's names after "--"). */
static const char *const venv_flags[] = {"--system-site-packages", "--without-pip", "--clear",
                                         "--upgrade-deps"};

static int create(const cli_args *a);

/* The interpreter that runs venv, as a path: --python as given (with a '/'),
 * else the first NAME on PATH that only the caller or root can have put there
 * (safe_exec.h). Entries that are not absolute, and places someone else can
 * write, are skipped, and said so: a shell would run what they hold, but root
 * running create must not. False after saying why. */
static bool trusted_python(const char *python, char *out, size_t cap) {
    static untrusted u;
    if (strchr(python, '/')) {
        int fd = safe_open_program(python, &u);
        if (fd < 0) {
            if (u.why[0])
                cli_error(CLI_FAILED, "not running %s: %s", python, u.why);
            else
                cli_error(CLI_FAILED, "cannot run %s: %s", python, strerror(errno));
            return false;
        }
        close(fd);
        return sb_copy(out, cap, python);
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : ""; *p;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char dir[VS_PATH_MAX];
        if (n > 0 && p[0] == '/' && n < sizeof dir) {
            memcpy(dir, p, n);
            dir[n] = '\0';
            char cand[VS_PATH_MAX];
            if (path_join(cand, sizeof cand, dir, python) && access(cand, X_OK) == 0) {
                int fd = safe_open_program(cand, &u);
                if (fd >= 0) {
                    close(fd);
                    return sb_copy(out, cap, cand);
                }
                if (u.why[0])
                    fprintf(stderr, "venvshim: skipped %s: %s\n", cand, u.why);
            }
        }
        p += n + (end != NULL);
    }
    cli_error(CLI_FAILED, "no %s on PATH that only you or root can write (--python PATH names one)",
              python);
    return false;
}
static int finish(const cli_args *a, const venv_access *va, bool relocatable, bool scm_ignore);

int cmd_create(const cli_args *a) {
    report_start(a);
    int rc = create(a);
    report_finish(rc);
    return rc;
}

static int create(const cli_args *a) {
    static char python[VS_PATH_MAX];
    if (!trusted_python(cli_opt(a, "python") ? cli_opt(a, "python") : "python3", python,
                        sizeof python))
        return CLI_FAILED;
    const char *dir = a->operand;
    bool relocatable = cli_opt(a, "relocatable") != NULL;
    bool scm_ignore = cli_opt(a, "without-scm-ignore-files") == NULL;
    char *venv_argv[MAX_VENV_ARGS];
    int n = 0;
    venv_argv[n++] = NULL; /* python, filled in below */
    venv_argv[n++] = "-m";
    venv_argv[n++] = "venv";
    for (size_t i = 0; i < sizeof venv_flags / sizeof *venv_flags; i++) {
        if (cli_opt(a, venv_flags[i] + 2))
            venv_argv[n++] = (char *)venv_flags[i];
    }
    if (cli_opt(a, "prompt")) {
        venv_argv[n++] = "--prompt";
        venv_argv[n++] = (char *)cli_opt(a, "prompt");
    }
    venv_argv[0] = (char *)python;
    if (!scm_ignore && venv_has_scm_option(python))
        venv_argv[n++] = "--without-scm-ignore-files";
    venv_argv[n++] = (char *)dir;
    venv_argv[n] = NULL;

    report_str("command", "create");
    report_str("venv", dir);
    report_str("python", python);
    report_bool("relocatable", relocatable);
    /* the directories that exist already, before venv writes in them */
    if (venv_access_precheck(a, dir) != CLI_OK)
        return CLI_FAILED;
    report_progress("create: running %s -m venv %s", python, dir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return cli_error(CLI_FAILED, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (report_get_mode() == REPORT_JSON)
            dup2(STDERR_FILENO, STDOUT_FILENO); /* venv's and pip's lines are not JSON */
        execv(python, venv_argv);
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
    /* From here on, the venv venv made, through its descriptors only. */
    static venv_access va;
    if (venv_access_open(a, dir, &va) != CLI_OK)
        return CLI_FAILED;
    int rc = finish(a, &va, relocatable, scm_ignore);
    venv_access_close(&va);
    return rc;
}

static int finish(const cli_args *a, const venv_access *va, bool relocatable, bool scm_ignore) {
    const char *dir = a->operand;
    char ignore_path[VS_PATH_MAX];
    static staged_file s;
    if (scm_ignore && !(path_join(ignore_path, sizeof ignore_path, dir, ".gitignore") &&
                        staged_write_at(&s, va->venv_fd, ".gitignore", ignore_path, scm_ignore_text,
                                        sizeof scm_ignore_text - 1, 0644) &&
                        staged_commit(&s)))
        return cli_error(CLI_FAILED,
                         "cannot write %s/.gitignore: %s (--without-scm-ignore-files skips it)",
                         dir, strerror(errno));
    /* On a noexec file system the symlink venv python made works and a
     * launcher would not: keep it, and say so (exit 0, unless --relocatable
     * asked for what cannot be done there). */
    int noexec = va->bin_fd >= 0 ? venv_exec_error(va->bin_fd) : 0;
    if (noexec) {
        fprintf(stderr,
                "venvshim: warning: programs in %s/bin cannot be executed (%s: a file system "
                "mounted noexec?), so the venvshim launcher could not start there\nvenvshim: %s "
                "is left a working symlink venv%s\n",
                dir, strerror(noexec), dir, relocatable ? "; it was not made relocatable" : "");
        return relocatable ? CLI_FAILED : CLI_OK;
    }
    report_progress("create: installing the launcher in %s/bin", dir);
    report_pos mark = report_mark();
    int rc = install_venv(va, false);
    report_nest("install", mark);
    if (rc == CLI_OK && relocatable) {
        report_progress("create: making %s relocatable", dir);
        mark = report_mark();
        if ((rc = relativize_home(va)) == CLI_OK)
            rc = relocate_venv(va);
        report_nest("relocate", mark);
    }
    return rc;
}
