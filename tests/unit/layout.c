#include "layout.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX];
static char saved_cwd[PATH_MAX];
static char paths[32][2 * PATH_MAX];
static unsigned next_path;

static int saved_stderr = -1;
static char captured[64 * 1024];

const char *lay_root(void) {
    return root;
}

const char *lay_path(const char *rel) {
    char *out = paths[next_path++ % 32];
    if (rel[0] == '\0')
        snprintf(out, sizeof paths[0], "%s", root);
    else
        snprintf(out, sizeof paths[0], "%s/%s", root, rel);
    return out;
}

void lay_setup(void) {
    cr_assert_not_null(getcwd(saved_cwd, sizeof saved_cwd), "getcwd: %s", strerror(errno));
    char tmpl[] = "/tmp/venvshim-unit-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
    /* /tmp may itself be a symlink: compare paths with what getcwd() reports */
    cr_assert_not_null(realpath(tmpl, root), "realpath %s: %s", tmpl, strerror(errno));
}

static void remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[2 * PATH_MAX];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

void lay_teardown(void) {
    if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
    if (saved_cwd[0] && chdir(saved_cwd) != 0)
        perror("layout: chdir back");
    if (strncmp(root, "/tmp/", 5) == 0 || strstr(root, "/venvshim-unit-"))
        remove_tree(root);
    root[0] = '\0';
}

static void mkdir_p(const char *abs) {
    char buf[2 * PATH_MAX];
    snprintf(buf, sizeof buf, "%s", abs);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            cr_assert_fail("mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        cr_assert_fail("mkdir %s: %s", buf, strerror(errno));
}

void lay_mkdir(const char *rel) {
    mkdir_p(lay_path(rel));
}

static void make_parent(const char *abs) {
    char dir[2 * PATH_MAX];
    snprintf(dir, sizeof dir, "%s", abs);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir_p(dir);
    }
}

void lay_write_n(const char *rel, const char *data, size_t len) {
    char abs[2 * PATH_MAX];
    snprintf(abs, sizeof abs, "%s", lay_path(rel));
    make_parent(abs);
    int fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0, "open %s: %s", abs, strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        cr_assert(n > 0, "write %s: %s", abs, strerror(errno));
        done += (size_t)n;
    }
    close(fd);
}

void lay_write(const char *rel, const char *text) {
    lay_write_n(rel, text, strlen(text));
}

void lay_writef(const char *rel, const char *fmt, ...) {
    static char text[64 * 1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < sizeof text, "lay_writef: text too long");
    lay_write_n(rel, text, (size_t)n);
}

void lay_chmod(const char *rel, mode_t mode) {
    const char *abs = lay_path(rel);
    cr_assert_eq(chmod(abs, mode), 0, "chmod %s: %s", abs, strerror(errno));
}

void lay_exec(const char *rel) {
    lay_write(rel, "#!/bin/sh\n# fake base interpreter for the venvshim unit tests\nexit 0\n");
    lay_chmod(rel, 0755);
}

void lay_symlink(const char *target, const char *rel) {
    char abs[2 * PATH_MAX];
    snprintf(abs, sizeof abs, "%s", lay_path(rel));
    make_parent(abs);
    cr_assert_eq(symlink(target, abs), 0, "symlink %s -> %s: %s", abs, target, strerror(errno));
}

void lay_fifo(const char *rel) {
    char abs[2 * PATH_MAX];
    snprintf(abs, sizeof abs, "%s", lay_path(rel));
    make_parent(abs);
    cr_assert_eq(mkfifo(abs, 0644), 0, "mkfifo %s: %s", abs, strerror(errno));
}

void lay_copy(const char *from, const char *rel) {
    char abs[2 * PATH_MAX];
    snprintf(abs, sizeof abs, "%s", lay_path(rel));
    make_parent(abs);
    int in = open(from, O_RDONLY);
    cr_assert(in >= 0, "open %s: %s", from, strerror(errno));
    int out = open(abs, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(out >= 0, "open %s: %s", abs, strerror(errno));
    char buf[64 * 1024];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            cr_assert(w > 0, "write %s: %s", abs, strerror(errno));
            done += w;
        }
    }
    cr_assert_eq(n, 0, "read %s: %s", from, strerror(errno));
    close(in);
    close(out);
}

void lay_chdir(const char *rel) {
    const char *abs = lay_path(rel);
    cr_assert_eq(chdir(abs), 0, "chdir %s: %s", abs, strerror(errno));
}

void lay_venv(const char *venv, const char *cfg_fmt, ...) {
    static char text[64 * 1024];
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/bin/python", venv);
    lay_write(rel, "launcher stand-in\n");
    lay_chmod(rel, 0755);
    va_list ap;
    va_start(ap, cfg_fmt);
    int n = vsnprintf(text, sizeof text, cfg_fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < sizeof text, "lay_venv: cfg too long");
    snprintf(rel, sizeof rel, "%s/pyvenv.cfg", venv);
    lay_write_n(rel, text, (size_t)n);
}

void lay_capture_stderr(void) {
    const char *file = lay_path(".stderr");
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0, "open %s: %s", file, strerror(errno));
    fflush(stderr);
    saved_stderr = dup(2);
    cr_assert(saved_stderr >= 0, "dup: %s", strerror(errno));
    cr_assert_eq(dup2(fd, 2), 2, "dup2: %s", strerror(errno));
    close(fd);
}

const char *lay_captured_stderr(void) {
    cr_assert(saved_stderr >= 0, "lay_captured_stderr without lay_capture_stderr");
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    saved_stderr = -1;
    const char *file = lay_path(".stderr");
    int fd = open(file, O_RDONLY);
    cr_assert(fd >= 0, "open %s: %s", file, strerror(errno));
    size_t len = 0;
    ssize_t n;
    while (len < sizeof captured - 1 &&
           (n = read(fd, captured + len, sizeof captured - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    captured[len] = '\0';
    return captured;
}

const char *lay_self_exe(void) {
    static char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    cr_assert(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
    self[n] = '\0';
    return self;
}

void lay_expect_error(int rc, const vs_error *err, int code, ...) {
    cr_assert_eq(rc, code, "exit code %d, expected %d; message:\n%s", rc, code, err->text);
    cr_assert_eq(err->code, code, "err.code %d, expected %d", err->code, code);
    const char *prefix = "venvshim: ";
    int lines = 0;
    for (const char *line = err->text; line; lines++) {
        cr_assert(strncmp(line, prefix, strlen(prefix)) == 0,
                  "message line %d does not start with '%s':\n%s", lines + 1, prefix, err->text);
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    cr_assert(lines >= 1 && lines <= 2, "message has %d lines, at most 2 expected:\n%s", lines,
              err->text);
    va_list ap;
    va_start(ap, code);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        cr_assert_not_null(strstr(err->text, s), "message does not mention '%s':\n%s", s,
                           err->text);
    va_end(ap);
}
