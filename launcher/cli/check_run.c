/* Run a program check does not trust (the venv's base interpreter) for one
 * short answer, and always get control back: the program runs in a process
 * group of its own with stdin and stderr on /dev/null, its output is read
 * through a poll()-bounded pipe and capped, and at the time limit, or as
 * soon as it exits, the whole group is killed and the program reaped. No
 * alarm(2) in the child: a program can ignore SIGALRM, and a child it forks
 * keeps the pipe open after it is gone. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_bounded.h"

#define TICK_MS 10 /* how often a quiet pipe is checked for the program's exit */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Has pid exited? Not reaped (WNOWAIT): while it is a zombie its pid, and so
 * its process group's id, cannot be given to another process. */
static bool has_exited(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/* A signal that ends check while a program runs must end the program too:
 * its group is not check's, so the terminal's ^C does not reach it. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_STOP (sizeof stop_signals / sizeof stop_signals[0])
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) {
    stop_signal = sig;
}

extern char **environ;

/* Run the program open at exe_fd: fexecve(3) runs the very file that was
 * judged. macOS has no fexecve: there argv[0] is run by its path, which
 * safe_exec.h found writable only by the caller and root all the way up.
 * Returns only on failure. */
void run_exec_fd(int exe_fd, const char *const argv[]) {
#ifdef __APPLE__
    (void)exe_fd;
    execv(argv[0], (char *const *)argv);
#else
    fexecve(exe_fd, (char *const *)argv, environ);
#endif
}

/* exe_fd >= 0: the program is that descriptor (safe_exec.h: what was judged
 * is what runs), argv[0] only its name; else argv[0] is run by its path. */
static void child(int exe_fd, const char *const argv[], int out_fd, int null_fd) {
    setpgid(0, 0);
    /* Copies above 2 first: dup2 onto 0-2 from a distinct fd always yields an
     * fd without close-on-exec, even when check started with 0-2 closed. */
    int out = fcntl(out_fd, F_DUPFD, 3), null = fcntl(null_fd, F_DUPFD, 3);
    if (out < 0 || null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
        _exit(127);
    close(out);
    close(null);
    close(out_fd);
    /* (check's own handlers end at exec; a blocked mask would not) */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (exe_fd >= 0)
        run_exec_fd(exe_fd, argv);
    else
        execv(argv[0], (char *const *)argv);
    _exit(127);
}

/* How long a process may keep the base's stdout after the base exited. */
#define LINGER_GRACE_MS 300

/* Read what the pipe holds now. False when the output reached the cap. */
static bool drain(int fd, char *out, size_t cap, size_t *n, bool *eof) {
    for (;;) {
        char sink[4096];
        bool keep = *n + 1 < cap;
        ssize_t got = keep ? read(fd, out + *n, cap - 1 - *n) : read(fd, sink, sizeof sink);
        if (got > 0) {
            if (!keep)
                return false;
            *n += (size_t)got;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            *eof = true;
        return true;
    }
}

static void restore(struct sigaction saved[N_STOP]) {
    for (size_t i = 0; i < N_STOP; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
}

static run_status run(int exe_fd, const char *const argv[], int limit_ms, char *out, size_t cap,
                      int *exit_code) {
    out[0] = '\0';
    *exit_code = -1;
    int fds[2];
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0)
        return RUN_FAILED;
    if (pipe(fds) != 0) {
        close(null_fd);
        return RUN_FAILED;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    struct sigaction stop, saved[N_STOP];
    memset(&stop, 0, sizeof stop);
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    stop_signal = 0;
    for (size_t i = 0; i < N_STOP; i++) {
        sigaction(stop_signals[i], NULL, &saved[i]);
        if (saved[i].sa_handler != SIG_IGN) /* nohup's choice stands */
            sigaction(stop_signals[i], &stop, NULL);
    }
    pid_t pid = fork();
    if (pid == 0)
        child(exe_fd, argv, fds[1], null_fd);
    close(fds[1]);
    close(null_fd);
    if (pid < 0) {
        close(fds[0]);
        restore(saved);
        return RUN_FAILED;
    }
    setpgid(pid, pid); /* also here: the group must exist before any kill below */
    fcntl(fds[0], F_SETFL, O_NONBLOCK);

    run_status status = RUN_OK;
    size_t n = 0;
    bool eof = false;
    long long deadline = now_ms() + limit_ms, linger_until = 0;
    for (;;) {
        /* Exited before the drain: everything it wrote is in the pipe now. */
        bool exited = has_exited(pid);
        if (!drain(fds[0], out, cap, &n, &eof)) {
            status = RUN_TOO_MUCH;
            break;
        }
        if (exited && !eof && linger_until == 0)
            /* A child forked just before the exit holds the pipe until its
             * own redirections run: give it a moment to let go. */
            linger_until = now_ms() + LINGER_GRACE_MS;
        if (exited && (eof || now_ms() >= linger_until)) {
            if (!eof)
                status = RUN_LINGERED; /* something it started holds its stdout */
            break;
        }
        long long left = (exited ? linger_until : deadline) - now_ms();
        if (exited && left <= 0)
            continue;
        if (left <= 0 || stop_signal) {
            status = RUN_TIMEOUT;
            break;
        }
        int wait_ms = left < TICK_MS ? (int)left : TICK_MS;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (eof) /* nothing more to read: wait for the exit */
            nanosleep(&(struct timespec){0, (long)wait_ms * 1000000L}, NULL);
        else
            poll(&p, 1, wait_ms);
    }
    /* The leader is not reaped yet, so -pid still names its group. */
    kill(-pid, SIGKILL);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    restore(saved);
    if (stop_signal)
        raise(stop_signal); /* the program is gone: now check ends as asked */
    out[n] = '\0';
    if (status == RUN_OK) {
        *exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
        if (*exit_code != 0)
            status = RUN_FAILED;
    }
    return status;
}

run_status run_bounded(const char *const argv[], int limit_ms, char *out, size_t cap,
                       int *exit_code) {
    return run(-1, argv, limit_ms, out, cap, exit_code);
}

run_status run_bounded_fd(int exe_fd, const char *const argv[], int limit_ms, char *out, size_t cap,
                          int *exit_code) {
    return run(exe_fd, argv, limit_ms, out, cap, exit_code);
}
