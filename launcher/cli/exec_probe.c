/* Can a program in this venv's bin/ be executed at all? Not on a file system
 * mounted noexec (nor where a security module forbids it): a symlink venv
 * still works there, because its bin/python runs the base from elsewhere,
 * but a launcher copied into bin/ cannot start. Asked by a trial exec of a
 * temporary copy of the launcher, which catches every cause, not only the
 * mount flag; PYLAUNCHER_DRYRUN makes the copy exit after printing its plan. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../path.h"
#include "cli.h"

int bin_exec_error(int bin_fd, const char *bin, const char *launcher, size_t len) {
    static staged_file s;
    if (!staged_write_at(&s, bin_fd, "python", bin, launcher, len, 0755))
        return 0; /* the real write reports it */
    char path[VS_PATH_MAX];
    int error = 0;
    if (path_join(path, sizeof path, bin, s.tmp)) {
        char *argv[] = {path, "-c", "pass", NULL};
        char *envp[] = {"PYLAUNCHER_DRYRUN=1", NULL};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        error = posix_spawn(&pid, path, &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        int status;
        if (error == 0) {
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            /* an exec failure the spawn could not report comes back as 127 */
            if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                error = EACCES;
        }
    }
    staged_discard(&s);
    return error == EACCES || error == EPERM ? error : 0;
}

int venv_exec_error(const char *venv) {
    char bin[VS_PATH_MAX], launcher[VS_PATH_MAX];
    if (!path_join(bin, sizeof bin, venv, "bin") || !find_launcher(launcher, sizeof launcher))
        return 0;
    int bin_fd = open_dir_at(AT_FDCWD, bin, true);
    size_t len;
    char *data = bin_fd >= 0 ? read_whole_file(launcher, &len) : NULL;
    int error = data ? bin_exec_error(bin_fd, bin, data, len) : 0;
    free(data);
    if (bin_fd >= 0)
        close(bin_fd);
    return error;
}
