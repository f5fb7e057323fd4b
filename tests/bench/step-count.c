/* Counts the user-space instructions a program executes until its first
 * execve (single-stepping under ptrace): the launcher's own work on the real
 * path, which callgrind cannot report because the exec replaces it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: stepcount PROGRAM [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0); /* stopped after its own exec */
    ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
    unsigned long steps = 0;
    for (;;) {
        if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0)
            break;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) || WIFSIGNALED(status))
            break;
        if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            printf("%lu\n", steps);
            return 0;
        }
        steps++;
    }
    printf("no exec after %lu\n", steps);
    return 1;
}
