/* Time process starts for the benchmark (tests/bench/bench.py).
 *
 *   spawn-timer ROUNDS NAME PROGRAM [ARG...] [--- NAME PROGRAM [ARG...]]...
 *
 * Each round starts every command once, in an order rotated by one per round,
 * so drifts in machine load hit all commands alike (interleaved runs). A start
 * is timed from posix_spawn to wait4 with CLOCK_MONOTONIC; stdin and stdout
 * are /dev/null, stderr is inherited. Two untimed warm-up rounds come first.
 * The child's CPU time (user + system from wait4's rusage, covering every
 * image the process exec'd) is kept too: time spent waiting for a CPU on a
 * busy machine is not in it. Output: two lines per command, "NAME wall t1 ..."
 * and "NAME cpu t1 ...", in microseconds, in round order. A command that fails
 * (non-zero exit, signal) stops everything with exit status 1, so a broken
 * setup never turns into a timing. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct {
    const char *name;
    char **argv;
    double *wall, *cpu;
} command;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double tv_us(struct timeval tv) {
    return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

/* One start of cmd: wall-clock microseconds (-1 on failure), CPU time in *cpu. */
static double time_one(const command *cmd, double *cpu) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
    pid_t pid;
    double start = now_us();
    int rc = posix_spawn(&pid, cmd->argv[0], &fa, NULL, cmd->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "spawn-timer: cannot start %s: %s\n", cmd->argv[0], strerror(rc));
        return -1;
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("spawn-timer: wait4");
        return -1;
    }
    double elapsed = now_us() - start;
    *cpu = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn-timer: %s (%s) failed: status 0x%x\n", cmd->name, cmd->argv[0],
                status);
        return -1;
    }
    return elapsed;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: spawn-timer ROUNDS NAME PROGRAM [ARG...] [--- NAME PROGRAM "
                        "[ARG...]]...\n");
        return 2;
    }
    long rounds = strtol(argv[1], NULL, 10);
    if (rounds < 1) {
        fprintf(stderr, "spawn-timer: ROUNDS must be a positive number\n");
        return 2;
    }
    command *cmds = calloc((size_t)argc, sizeof *cmds);
    if (!cmds)
        return 1;
    int n = 0;
    for (int i = 2; i < argc;) {
        if (i + 1 >= argc || strcmp(argv[i + 1], "---") == 0) {
            fprintf(stderr, "spawn-timer: command '%s' has no program\n", argv[i]);
            return 2;
        }
        cmds[n].name = argv[i];
        cmds[n].argv = &argv[i + 1];
        int j = i + 1;
        while (j < argc && strcmp(argv[j], "---") != 0)
            j++;
        argv[j < argc ? j : argc] = NULL; /* argv[argc] is NULL already */
        cmds[n].wall = calloc((size_t)rounds, sizeof(double));
        cmds[n].cpu = calloc((size_t)rounds, sizeof(double));
        if (!cmds[n].wall || !cmds[n].cpu)
            return 1;
        n++;
        i = j + 1;
    }
    double cpu;
    for (int warm = 0; warm < 2; warm++)
        for (int k = 0; k < n; k++)
            if (time_one(&cmds[k], &cpu) < 0)
                return 1;
    for (long r = 0; r < rounds; r++) {
        for (int k = 0; k < n; k++) {
            command *c = &cmds[(k + r) % n];
            double t = time_one(c, &cpu);
            if (t < 0)
                return 1;
            c->wall[r] = t;
            c->cpu[r] = cpu;
        }
    }
    for (int k = 0; k < n; k++) {
        printf("%s wall", cmds[k].name);
        for (long r = 0; r < rounds; r++)
            printf(" %.1f", cmds[k].wall[r]);
        printf("\n%s cpu", cmds[k].name);
        for (long r = 0; r < rounds; r++)
            printf(" %.0f", cmds[k].cpu[r]);
        printf("\n");
    }
    return 0;
}
