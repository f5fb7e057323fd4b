/* Finding and asking interpreters for venvshim rebase (find_pythons.h). */
#include "find_pythons.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "run_bounded.h"
#include "safe_exec.h"

/* One answer, bytes throughout (sys.executable may not be UTF-8). sysconfig
 * only for Py_GIL_DISABLED: -S keeps site (and the user's .pth files) out. */
static const char probe_code[] =
    "import os, sys, sysconfig; v = sys.version_info; "
    "os.write(1, ('%s\\n%d %d %d %s %d\\n%d\\n%s\\n' % (sys.implementation.name, v[0], v[1], "
    "v[2], v[3], v[4], bool(sysconfig.get_config_var('Py_GIL_DISABLED')), "
    "getattr(sys, 'abiflags', ''))).encode('ascii', 'replace') + os.fsencode(sys.executable) + "
    "b'\\n')";

/* ELF or Mach-O: never run a script (a pyenv shim, a wrapper) to ask it. */
static bool is_binary(int fd) {
    unsigned char h[4];
    if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return false;
    static const unsigned char magic[][4] = {{0x7f, 'E', 'L', 'F'},    {0xfe, 0xed, 0xfa, 0xce},
                                             {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe},
                                             {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe}};
    for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
        if (memcmp(h, magic[i], 4) == 0)
            return true;
    return false;
}

static bool next_line(char **p, char **line) {
    char *nl = strchr(*p, '\n');
    if (!nl)
        return false;
    *nl = '\0';
    *line = *p;
    *p = nl + 1;
    return true;
}

probe_result py_probe(const char *python, py_kind *k, char *executable, const char **why) {
    static char out[RUN_OUTPUT_CAP];
    static untrusted u;
    memset(k, 0, sizeof *k);
    k->major = k->minor = k->micro = k->serial = -1;
    executable[0] = '\0';
    if (python[0] != '/') {
        *why = "not an absolute path";
        return PROBE_FAILED;
    }
    if (access(python, X_OK) != 0) {
        *why = strerror(errno);
        return PROBE_FAILED;
    }
    /* Judged and run through one descriptor: nothing can be swapped in
     * between (safe_exec.h). */
    int fd = safe_open_program(python, &u);
    if (fd < 0) {
        *why = u.why[0] ? u.why : strerror(errno);
        return u.why[0] ? PROBE_UNTRUSTED : PROBE_FAILED;
    }
    if (!is_binary(fd)) {
        close(fd);
        *why = "not an executable binary (a script or a shim is not run)";
        return PROBE_FAILED;
    }
    const char *argv[] = {python, "-I", "-S", "-c", probe_code, NULL};
    int code;
    run_status st = run_bounded_fd(fd, argv, RUN_LIMIT_MS, out, sizeof out, &code);
    close(fd);
    if (st != RUN_OK) {
        *why = st == RUN_TIMEOUT  ? "did not answer within 5 s"
               : st == RUN_FAILED ? "failed when asked its version"
                                  : "answered with too much output";
        return PROBE_FAILED;
    }
    char *p = out, *impl, *ver, *ft, *abi, *exe;
    int ft_flag = 0;
    if (!next_line(&p, &impl) || !next_line(&p, &ver) || !next_line(&p, &ft) ||
        !next_line(&p, &abi) || !next_line(&p, &exe) ||
        sscanf(ver, "%d %d %d %15s %d", &k->major, &k->minor, &k->micro, k->level, &k->serial) !=
            5 ||
        sscanf(ft, "%d", &ft_flag) != 1 || strlen(impl) >= sizeof k->impl || exe[0] != '/' ||
        strlen(exe) >= VS_PATH_MAX) {
        *why = "gave an answer a Python interpreter does not";
        return PROBE_FAILED;
    }
    snprintf(k->impl, sizeof k->impl, "%s", impl);
    k->free_threaded = ft_flag != 0;
    k->debug = strchr(abi, 'd') != NULL;
    k->abi_known = true;
    snprintf(executable, VS_PATH_MAX, "%s", exe);
    return PROBE_OK;
}

void py_kind_describe(const py_kind *k, char *out, size_t cap) {
    const char *name = strcmp(k->impl, "cpython") == 0 ? "CPython"
                       : strcmp(k->impl, "pypy") == 0  ? "PyPy"
                       : k->impl[0]                    ? k->impl
                                                       : "Python";
    char ver[48];
    if (k->micro >= 0)
        snprintf(ver, sizeof ver, "%d.%d.%d", k->major, k->minor, k->micro);
    else if (k->major >= 0)
        snprintf(ver, sizeof ver, "%d.%d", k->major, k->minor);
    else
        snprintf(ver, sizeof ver, "(version unknown)");
    snprintf(out, cap, "%s %s%s%s", name, ver, k->free_threaded ? " free-threaded" : "",
             k->debug ? " debug" : "");
}

/* items (count of *cap used, each size bytes) with room for one more:
 * doubled when full (first when empty); NULL when memory runs out. */
static void *grow(void *items, size_t count, size_t *cap, size_t size, size_t first) {
    if (count < *cap)
        return items;
    size_t n = *cap ? 2 * *cap : first;
    void *bigger = realloc(items, n * size);
    if (bigger)
        *cap = n;
    return bigger;
}

static void list_add(py_list *l, const py_found *f) {
    py_found *items = grow(l->items, l->count, &l->cap, sizeof *items, 16);
    if (!items)
        return;
    l->items = items;
    l->items[l->count++] = *f;
}

/* Not searched or not run, and why (once per path). */
static void skipped_add(py_list *l, const char *path, const char *why) {
    for (size_t i = 0; i < l->n_skipped; i++)
        if (strcmp(l->skipped[i].path, path) == 0)
            return;
    py_skipped *items = grow(l->skipped, l->n_skipped, &l->cap_skipped, sizeof *items, 8);
    if (!items)
        return;
    l->skipped = items;
    py_skipped *sk = &l->skipped[l->n_skipped++];
    snprintf(sk->path, sizeof sk->path, "%s", path);
    snprintf(sk->why, sizeof sk->why, "%s", why);
}

/* A directory to search: false (and skipped when another user could write
 * it or a directory above it) when it is not one. */
static bool trusted_dir(py_list *l, const char *dir) {
    static untrusted u;
    int fd = safe_open_dir(dir, &u);
    if (fd >= 0) {
        close(fd);
        return true;
    }
    if (u.why[0])
        skipped_add(l, dir, u.why);
    return false;
}

void py_list_free(py_list *l) {
    free(l->items);
    free(l->skipped);
    memset(l, 0, sizeof *l);
}

/* A directory inside another venv (its parent has pyvenv.cfg): its python is
 * a venv's, not a base. */
static bool in_a_venv(const char *dir) {
    char cfg[VS_PATH_MAX];
    struct stat st;
    return snprintf(cfg, sizeof cfg, "%s/../pyvenv.cfg", dir) < (int)sizeof cfg &&
           stat(cfg, &st) == 0;
}

typedef struct {
    const py_kind *want;
    char skip_real[PATH_MAX];
    py_list *out;
    char (*seen_dirs)[PATH_MAX];
    size_t n_dirs, cap_dirs;
} search;

static void try_file(search *s, const char *dir, const char *name) {
    py_found f;
    memset(&f, 0, sizeof f);
    if (snprintf(f.path, sizeof f.path, "%s/%s", dir, name) >= (int)sizeof f.path)
        return;
    char real[PATH_MAX];
    if (!realpath(f.path, real))
        return;
    for (size_t i = 0; i < s->out->count; i++)
        if (strcmp(s->out->items[i].real, real) == 0)
            return; /* python3 -> python3.11, /bin = /usr/bin: one interpreter */
    snprintf(f.real, sizeof f.real, "%s", real);
    const char *why;
    probe_result pr = py_probe(f.path, &f.kind, f.executable, &why);
    if (pr == PROBE_UNTRUSTED)
        skipped_add(s->out, f.path, why);
    if (pr != PROBE_OK)
        return;
    list_add(s->out, &f);
}

static void search_dir(search *s, const char *dir) {
    char real[PATH_MAX];
    if (!dir[0] || dir[0] != '/' || !realpath(dir, real))
        return;
    if (strcmp(real, s->skip_real) == 0 || in_a_venv(real))
        return;
    size_t rl = strlen(real);
    if (rl >= 6 && strcmp(real + rl - 6, "/shims") == 0)
        return; /* scripts that pick a version: the versions are searched themselves */
    for (size_t i = 0; i < s->n_dirs; i++)
        if (strcmp(s->seen_dirs[i], real) == 0)
            return;
    if (!trusted_dir(s->out, real))
        return; /* a PATH entry or prefix another user could fill: nothing in it runs */
    char(*dirs)[PATH_MAX] = grow(s->seen_dirs, s->n_dirs, &s->cap_dirs, sizeof *dirs, 32);
    if (!dirs)
        return;
    s->seen_dirs = dirs;
    snprintf(s->seen_dirs[s->n_dirs++], PATH_MAX, "%s", real);
    int X = s->want->major, Y = s->want->minor;
    char names[8][32];
    int n = 0;
    if (strcmp(s->want->impl, "pypy") == 0) {
        snprintf(names[n++], sizeof names[0], "pypy%d.%d", X, Y);
        snprintf(names[n++], sizeof names[0], "pypy%d", X);
        snprintf(names[n++], sizeof names[0], "pypy");
    } else {
        snprintf(names[n++], sizeof names[0], "python%d.%d", X, Y);
        snprintf(names[n++], sizeof names[0], "python%d.%dt", X, Y);
        snprintf(names[n++], sizeof names[0], "python%d.%dd", X, Y);
        snprintf(names[n++], sizeof names[0], "python%d", X);
        snprintf(names[n++], sizeof names[0], "python");
    }
    for (int i = 0; i < n; i++)
        try_file(s, real, names[i]);
}

static void search_glob(search *s, const char *pattern) {
    glob_t g;
    if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
        return;
    /* newest version directory first: the order only matters for messages */
    for (size_t i = g.gl_pathc; i-- > 0;)
        search_dir(s, g.gl_pathv[i]);
    globfree(&g);
}

static void search_under(search *s, const char *env, const char *home_rel, const char *tail) {
    const char *root = getenv(env);
    const char *home = getenv("HOME");
    char prefix[VS_PATH_MAX], pattern[VS_PATH_MAX];
    if (root && root[0] == '/')
        snprintf(prefix, sizeof prefix, "%s", root);
    else if (home && home[0] == '/')
        snprintf(prefix, sizeof prefix, "%s/%s", home, home_rel);
    else
        return;
    /* the prefix itself first: one message for it, not one per version */
    if (snprintf(pattern, sizeof pattern, "%s%s", prefix, tail) < (int)sizeof pattern &&
        trusted_dir(s->out, prefix))
        search_glob(s, pattern);
}

void py_find_all(const py_kind *want, const char *skip, py_list *out) {
    search s;
    memset(&s, 0, sizeof s);
    s.want = want;
    s.out = out;
    if (!skip || !realpath(skip, s.skip_real))
        s.skip_real[0] = '\0';
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "");
    for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
         d = strtok_r(NULL, ":", &save))
        search_dir(&s, d);
    free(copy);
    search_dir(&s, "/usr/bin");
    search_dir(&s, "/usr/local/bin");
    search_under(&s, "PYENV_ROOT", ".pyenv", "/versions/*/bin");
    search_under(&s, "UV_PYTHON_INSTALL_DIR", ".local/share/uv/python", "/*/bin");
    search_under(&s, "ASDF_DATA_DIR", ".asdf", "/installs/python/*/bin");
    search_under(&s, "MISE_DATA_DIR", ".local/share/mise", "/installs/python/*/bin");
    search_dir(&s, "/opt/homebrew/bin");
    search_dir(&s, "/home/linuxbrew/.linuxbrew/bin");
    char dir[128];
    snprintf(dir, sizeof dir, "/usr/local/opt/python@%d.%d/bin", want->major, want->minor);
    search_dir(&s, dir);
    snprintf(dir, sizeof dir, "/opt/homebrew/opt/python@%d.%d/bin", want->major, want->minor);
    search_dir(&s, dir);
    snprintf(dir, sizeof dir, "/Library/Frameworks/Python.framework/Versions/%d.%d/bin",
             want->major, want->minor);
    search_dir(&s, dir);
    free(s.seen_dirs);
}
