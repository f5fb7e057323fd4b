/* venvshim rebase: a venv whose base interpreter vanished (a removed pyenv or
 * uv Python, an upgraded Homebrew keg) is pointed at another interpreter of
 * the same implementation, X.Y and ABI; its site-packages stay. pyvenv.cfg's
 * home, executable, base-executable and version keys change in one atomic
 * rename, then install's code path re-installs the launcher; if that fails,
 * the old pyvenv.cfg is put back. Anything else (another X.Y, PyPy for
 * CPython) is refused: the packages were built or byte-compiled for the
 * venv's interpreter, and the message says how to recreate the venv. */
#include "rebase.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cfg.h"
#include "../path.h"
#include "../plan.h"
#include "../strbuf.h"
#include "cli.h"
#include "report.h"
#include "find_pythons.h"

/* The value of key in pyvenv.cfg text, by cfg.c's rules (CPython's getpath),
 * copied into out; false when absent. */
static bool cfg_key(const char *text, size_t len, const char *key, char *out, size_t cap) {
    cfg_value v = cfg_find(text, len, key);
    if (!v.ptr)
        return false;
    snprintf(out, cap, "%.*s", (int)v.len, v.ptr);
    return true;
}

/* "cpython" from "CPython", "pypy" from "PyPy". */
static void lower(char *s) {
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

typedef struct {
    py_kind kind;
    bool ext_debug, ext_release; /* extension modules built for a debug / release ABI */
    char site[VS_PATH_MAX];      /* lib/<python3.X|pypy3.X>/site-packages, for messages */
    int version_parts;           /* how many dotted parts the cfg's version has */
} venv_kind;

/* Extension modules say which ABI the packages were built for:
 * foo.cpython-312d-x86_64-linux-gnu.so is a debug build's. Two levels below
 * dir_fd (closed here), links not followed. */
static void scan_extensions(int dir_fd, int depth, venv_kind *v) {
    DIR *d = dir_fd >= 0 ? fdopendir(dir_fd) : NULL;
    if (!d) {
        if (dir_fd >= 0)
            close(dir_fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        const char *tag = strstr(e->d_name, ".cpython-");
        size_t n = strlen(e->d_name);
        if (tag && n > 3 && strcmp(e->d_name + n - 3, ".so") == 0) {
            const char *abi = tag + 9;
            while (*abi >= '0' && *abi <= '9')
                abi++;
            bool debug = false;
            for (; *abi && *abi != '-' && *abi != '.'; abi++)
                debug |= *abi == 'd';
            *(debug ? &v->ext_debug : &v->ext_release) = true;
        } else if (depth > 0 && e->d_type == DT_DIR) {
            scan_extensions(open_dir_at(dirfd(d), e->d_name, true), depth - 1, v);
        }
    }
    closedir(d);
}

/* What the venv was made for: pyvenv.cfg's version (venv) or version_info
 * (virtualenv, uv), its implementation key (virtualenv, uv), else the
 * lib/ layout: lib/pypy3.9 is PyPy's, lib/python3.13t a free-threaded
 * CPython's. */
static bool venv_describe(int venv_fd, const char *venv, const char *text, size_t len,
                          venv_kind *v) {
    memset(v, 0, sizeof *v);
    v->kind.major = v->kind.minor = v->kind.micro = v->kind.serial = -1;
    char val[128];
    if (cfg_key(text, len, "version", val, sizeof val) ||
        cfg_key(text, len, "version_info", val, sizeof val)) {
        int n = sscanf(val, "%d.%d.%d.%15[a-z].%d", &v->kind.major, &v->kind.minor, &v->kind.micro,
                       v->kind.level, &v->kind.serial);
        v->version_parts = n;
        if (n < 2)
            v->kind.major = v->kind.minor = -1;
    }
    if (cfg_key(text, len, "implementation", val, sizeof val) &&
        strlen(val) < sizeof v->kind.impl) {
        lower(val);
        memcpy(v->kind.impl, val, strlen(val) + 1);
    }
    char lib[VS_PATH_MAX];
    if (!path_join(lib, sizeof lib, venv, "lib"))
        return false;
    int lib_fd = open_dir_at(venv_fd, "lib", true);
    DIR *d = lib_fd >= 0 ? fdopendir(lib_fd) : NULL;
    if (!d && lib_fd >= 0)
        close(lib_fd);
    char site_dir[NAME_MAX + 1] = "";
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        int X, Y, used = 0;
        bool pypy = strncmp(e->d_name, "pypy", 4) == 0;
        const char *num = pypy                                   ? e->d_name + 4
                          : strncmp(e->d_name, "python", 6) == 0 ? e->d_name + 6
                                                                 : NULL;
        if (!num || sscanf(num, "%d.%d%n", &X, &Y, &used) != 2)
            continue;
        if (v->kind.major >= 0 && (X != v->kind.major || Y != v->kind.minor))
            continue; /* a stray directory of another version */
        v->kind.major = X;
        v->kind.minor = Y;
        v->kind.free_threaded = strcmp(num + used, "t") == 0;
        if (!v->kind.impl[0] && pypy)
            snprintf(v->kind.impl, sizeof v->kind.impl, "pypy");
        if (!path_join(v->site, sizeof v->site, lib, e->d_name) ||
            !path_join(v->site, sizeof v->site, v->site, "site-packages"))
            v->site[0] = '\0';
        snprintf(site_dir, sizeof site_dir, "%s", e->d_name);
    }
    if (!v->kind.impl[0])
        snprintf(v->kind.impl, sizeof v->kind.impl, "cpython");
    if (d && v->site[0]) {
        int ver_fd = open_dir_at(dirfd(d), site_dir, true);
        scan_extensions(ver_fd >= 0 ? open_dir_at(ver_fd, "site-packages", true) : -1, 2, v);
        if (ver_fd >= 0)
            close(ver_fd);
    }
    if (d)
        closedir(d);
    return v->kind.major >= 0;
}

/* Empty when p can serve the venv, else why not (a phrase). */
static const char *mismatch(const venv_kind *v, const py_kind *p) {
    if (strcmp(v->kind.impl, p->impl) != 0)
        return "another implementation";
    if (v->kind.major != p->major || v->kind.minor != p->minor)
        return "another X.Y version";
    if (v->kind.free_threaded != p->free_threaded)
        return p->free_threaded ? "a free-threaded build, the venv is not"
                                : "not a free-threaded build, the venv is";
    if (v->ext_debug && !p->debug)
        return "not a debug build; the venv's extension modules are";
    if (v->ext_release && !v->ext_debug && p->debug)
        return "a debug build; the venv's extension modules are not";
    return "";
}

static void json_str(const char *s) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* pyvenv.cfg with the keys that name the base replaced in place (each
 * value's bytes, as cfg_parse found them), executable appended when the file
 * records no binary. malloc'd. */
static char *new_cfg(const char *text, size_t len, const venv_kind *v, const py_found *to,
                     size_t *out_len) {
    venv_cfg cfg;
    if (cfg_parse(text, len, &cfg) != CFG_OK)
        return NULL;
    char home[VS_PATH_MAX], version[64], version_info[96];
    snprintf(home, sizeof home, "%s", to->executable);
    path_dirname(home);
    const py_kind *k = &to->kind;
    snprintf(version, sizeof version, "%d.%d.%d", k->major, k->minor, k->micro);
    snprintf(version_info, sizeof version_info, "%d.%d.%d.%s.%d", k->major, k->minor, k->micro,
             k->level, k->serial);
    (void)v;
    struct {
        cfg_value at;
        const char *with;
    } edits[5] = {
        {cfg.home, home},
        {cfg.executable, to->executable},
        {cfg.base_executable, to->executable},
        {cfg.version, version},
        {cfg.version_info, version_info},
    };
    /* each version key keeps its own form: "3.12.1" or "3.12.1.final.0" */
    for (int i = 3; i < 5; i++)
        if (edits[i].at.ptr && !memchr(edits[i].at.ptr, '.', edits[i].at.len))
            edits[i].at.ptr = NULL;
    for (int i = 3; i < 5; i++) {
        if (!edits[i].at.ptr)
            continue;
        int dots = 0;
        for (size_t j = 0; j < edits[i].at.len; j++)
            dots += edits[i].at.ptr[j] == '.';
        edits[i].with = dots >= 4 ? version_info : version;
    }
    size_t cap = len + 6 * VS_PATH_MAX + 64;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t n = 0;
    const char *p = text;
    for (;;) {
        int next = -1; /* the first remaining edit in the file */
        for (int i = 0; i < 5; i++)
            if (edits[i].at.ptr && edits[i].at.ptr >= p &&
                (next < 0 || edits[i].at.ptr < edits[next].at.ptr))
                next = i;
        if (next < 0)
            break;
        memcpy(out + n, p, (size_t)(edits[next].at.ptr - p));
        n += (size_t)(edits[next].at.ptr - p);
        n += (size_t)sprintf(out + n, "%s", edits[next].with);
        p = edits[next].at.ptr + edits[next].at.len;
        edits[next].at.ptr = NULL;
    }
    memcpy(out + n, p, (size_t)(text + len - p));
    n += (size_t)(text + len - p);
    if (!cfg.executable.ptr && !cfg.base_executable.ptr)
        n += (size_t)sprintf(out + n, "%sexecutable = %s\n",
                             n > 0 && out[n - 1] != '\n' ? "\n" : "", to->executable);
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* Would the launcher run `to` with this pyvenv.cfg? Resolved from the text,
 * before anything is written. */
static bool launcher_agrees(const char *venv, const char *text, size_t len, const py_found *to) {
    static vs_plan plan;
    static vs_error err;
    static const char *names[] = {"python", "python3", "pypy3", "pypy"};
    char exe[VS_PATH_MAX];
    struct stat st;
    size_t i = 0;
    for (; i < sizeof names / sizeof names[0]; i++)
        if (path_join(exe, sizeof exe, venv, "bin") && path_join(exe, sizeof exe, exe, names[i]) &&
            lstat(exe, &st) == 0)
            break;
    if (i == sizeof names / sizeof names[0] || len >= sizeof plan.loc.cfg_text)
        return false;
    vs_invocation inv = {exe, NULL};
    if (locate_venv(&inv, &plan.loc, &err) != 0)
        return false;
    memcpy(plan.loc.cfg_text, text, len + 1);
    plan.loc.cfg_len = len;
    if (resolve_base(&plan.loc, &plan.base, &err) != 0) {
        diag_print_error(&err);
        return false;
    }
    char a[PATH_MAX], b[PATH_MAX];
    return realpath(plan.base.binary, a) && realpath(to->executable, b) && strcmp(a, b) == 0;
}

/* "venvshim upgrade DIR --python PY", each path one shell word. */
static void upgrade_command(char *out, size_t cap, const char *venv, const char *python) {
    snprintf(out, cap, "venvshim upgrade %s --python %s", shell_word(venv), shell_word(python));
}

/* What was not searched or run because another user could write it. The
 * names are that user's choice: escaped on their way to a terminal. */
static void print_skipped(FILE *to, const char *indent, const py_list *found) {
    static char line[4 * (VS_PATH_MAX + sizeof found->skipped->why) + 64];
    for (size_t i = 0; i < found->n_skipped; i++) {
        strbuf sb;
        sb_init(&sb, line, sizeof line);
        sb_add(&sb, indent);
        sb_add(&sb, "skipped: ");
        sb_add_escaped(&sb, found->skipped[i].path);
        sb_add(&sb, " (not run: ");
        sb_add_escaped(&sb, found->skipped[i].why);
        sb_add(&sb, ")\n");
        fputs(line, to);
    }
}

static int refuse(const char *venv, const venv_kind *v, const char *python, const py_kind *p,
                  const char *why) {
    char want[96], have[96];
    py_kind x = v->kind;
    x.micro = -1; /* "CPython 3.11": the venv's packages fit any patch release */
    py_kind_describe(&x, want, sizeof want);
    py_kind_describe(p, have, sizeof have);
    static char cmd[SHELL_FIX_CAP];
    upgrade_command(cmd, sizeof cmd, venv, python);
    return cli_error(CLI_FAILED,
                     "%s is %s, %s: the venv %s is for %s (its packages were installed for "
                     "that); nothing changed\nvenvshim: to move the venv to %s with its packages "
                     "(rebuilt beside it, the old one kept): %s",
                     python, have, why, venv, want, have, cmd);
}

/* Only another X.Y of the venv's implementation is installed: name the
 * newest for venvshim upgrade, which rebuilds the venv for it. */
static void suggest_upgrade(const char *venv, const venv_kind *v, const py_list *found) {
    const py_found *best = NULL;
    for (size_t i = 0; i < found->count; i++) {
        const py_kind *k = &found->items[i].kind;
        if (strcmp(k->impl, v->kind.impl) == 0 && k->major == v->kind.major &&
            (!best || k->minor > best->kind.minor))
            best = &found->items[i];
    }
    if (!best)
        return;
    char have[96];
    static char cmd[SHELL_FIX_CAP];
    py_kind_describe(&best->kind, have, sizeof have);
    upgrade_command(cmd, sizeof cmd, venv, best->path);
    fprintf(stderr, "venvshim: or move the venv to %s with its packages: %s\n", have, cmd);
}

static int do_rebase(const venv_access *va, const rebase_options *opt) {
    const char *venv = va->path;
    int venv_fd = va->venv_fd;
    size_t len;
    const char *why;
    struct stat st;
    char *text = read_file_at(venv_fd, "pyvenv.cfg", READ_CAP_CFG, READ_NOFOLLOW, &len, &st, &why);
    if (!text)
        return cli_error(CLI_FAILED, "cannot read %s/pyvenv.cfg: %s", venv, why);
    venv_kind v;
    char bin[VS_PATH_MAX];
    if (!path_join(bin, sizeof bin, venv, "bin"))
        bin[0] = '\0';
    int rc = CLI_FAILED;
    py_list found = {0};
    char *out = NULL;
    if (!venv_describe(venv_fd, venv, text, len, &v)) {
        rc = cli_error(CLI_FAILED,
                       "%s/pyvenv.cfg records no version and %s/lib has no python3.X or pypy3.X "
                       "directory: cannot tell which Python the venv is for",
                       venv, venv);
        goto done;
    }
    char want[96];
    py_kind_describe(&v.kind, want, sizeof want);
    const py_found *chosen = NULL;
    py_found explicit;
    if (opt->python) {
        memset(&explicit, 0, sizeof explicit);
        if (!realpath(opt->python, explicit.path)) {
            rc = cli_error(CLI_FAILED, "%s: %s", opt->python, strerror(errno));
            goto done;
        }
        /* as given (a versioned name stays), made absolute */
        if (opt->python[0] == '/')
            snprintf(explicit.path, sizeof explicit.path, "%s", opt->python);
        probe_result pr = py_probe(explicit.path, &explicit.kind, explicit.executable, &why);
        if (pr != PROBE_OK) {
            rc = cli_error(CLI_FAILED, "%s: %s%s; nothing changed", opt->python,
                           pr == PROBE_UNTRUSTED ? "not run: " : "", why);
            goto done;
        }
        const char *no = mismatch(&v, &explicit.kind);
        if (no[0]) {
            rc = refuse(venv, &v, explicit.executable, &explicit.kind, no);
            goto done;
        }
        chosen = &explicit;
    } else {
        py_find_all(&v.kind, bin, &found);
        size_t exact = 0, usable = 0;
        const py_found *best = NULL, *first_exact = NULL;
        for (size_t i = 0; i < found.count; i++) {
            const py_found *f = &found.items[i];
            if (mismatch(&v, &f->kind)[0])
                continue;
            usable++;
            if (f->kind.micro == v.kind.micro) {
                exact++;
                if (!first_exact)
                    first_exact = f;
            }
            if (!best || f->kind.micro > best->kind.micro)
                best = f;
        }
        chosen = first_exact ? first_exact : best;
        if (!chosen) {
            rc = cli_error(CLI_FAILED,
                           "no %s interpreter found for %s (searched PATH, /usr/bin, "
                           "/usr/local/bin, pyenv, uv, asdf, mise, Homebrew, python.org); "
                           "nothing changed\nvenvshim: install one (e.g. pyenv install %d.%d, uv "
                           "python install %d.%d), then: venvshim rebase %s --python PATH",
                           want, venv, v.kind.major, v.kind.minor, v.kind.major, v.kind.minor,
                           shell_word(venv));
            for (size_t i = 0; i < found.count; i++) {
                char d[96];
                py_kind_describe(&found.items[i].kind, d, sizeof d);
                fprintf(stderr, "venvshim: found %s: %s (%s)\n", found.items[i].path, d,
                        mismatch(&v, &found.items[i].kind));
            }
            suggest_upgrade(venv, &v, &found);
            print_skipped(stderr, "venvshim: ", &found);
            goto done;
        }
        if (opt->only_if_unique && (first_exact ? exact : usable) != 1) {
            rc = cli_error(CLI_FAILED,
                           "%zu interpreters could serve %s: choose one with: venvshim rebase "
                           "%s --python PATH",
                           first_exact ? exact : usable, venv, shell_word(venv));
            goto done;
        }
    }
    size_t out_len;
    out = new_cfg(text, len, &v, chosen, &out_len);
    if (!out) {
        rc = cli_error(CLI_FAILED, "%s/pyvenv.cfg: not a text file, or out of memory", venv);
        goto done;
    }
    char have[96];
    py_kind_describe(&chosen->kind, have, sizeof have);
    if (!launcher_agrees(venv, out, out_len, chosen)) {
        rc = cli_error(CLI_FAILED,
                       "the launcher would not run %s with the new pyvenv.cfg; %s "
                       "left unchanged",
                       chosen->executable, venv);
        goto done;
    }
    bool same = out_len == len && memcmp(out, text, len) == 0;
    if (opt->json) {
        printf("{\"command\": \"rebase\", \"venv\": ");
        json_str(venv);
        printf(", \"for\": ");
        json_str(want);
        printf(", \"chosen\": ");
        json_str(chosen->executable);
        printf(", \"chosen_is\": ");
        json_str(have);
        printf(", \"dry_run\": %s, \"changed\": %s, \"candidates\": [",
               opt->dry_run ? "true" : "false", opt->dry_run || same ? "false" : "true");
        for (size_t i = 0; i < found.count; i++) {
            char d[96];
            py_kind_describe(&found.items[i].kind, d, sizeof d);
            printf("%s{\"path\": ", i ? ", " : "");
            json_str(found.items[i].path);
            printf(", \"is\": ");
            json_str(d);
            printf(", \"unusable_because\": ");
            json_str(mismatch(&v, &found.items[i].kind));
            printf("}");
        }
        printf("], \"skipped\": [");
        for (size_t i = 0; i < found.n_skipped; i++) {
            printf("%s{\"path\": ", i ? ", " : "");
            json_str(found.skipped[i].path);
            printf(", \"why\": ");
            json_str(found.skipped[i].why);
            printf("}");
        }
        printf("]}\n");
    } else {
        printf("%s: %s; base %s: %s\n", venv, want, opt->dry_run ? "would become" : "becomes",
               chosen->executable);
        printf("  chosen: %s (%s%s)\n", chosen->executable, have,
               chosen->kind.micro == v.kind.micro ? ", the patch release the venv records"
                                                  : ", the newest patch release found");
        size_t other_versions = 0;
        for (size_t i = 0; i < found.count; i++) {
            const py_found *f = &found.items[i];
            if (f == chosen)
                continue;
            char d[96];
            py_kind_describe(&f->kind, d, sizeof d);
            const char *no = mismatch(&v, &f->kind);
            if (f->kind.major != v.kind.major || f->kind.minor != v.kind.minor) {
                other_versions++;
                continue;
            }
            printf("  also found: %s (%s%s%s)\n", f->path, d, no[0] ? ": " : "", no);
        }
        if (other_versions)
            printf("  (and %zu interpreter%s of other versions)\n", other_versions,
                   other_versions == 1 ? "" : "s");
        print_skipped(stdout, "  ", &found);
    }
    if (opt->dry_run) {
        if (!opt->json)
            printf("--dry-run: nothing changed\n");
        rc = CLI_OK;
        goto done;
    }
    static staged_file s;
    char cfg_path[VS_PATH_MAX];
    if (!path_join(cfg_path, sizeof cfg_path, venv, "pyvenv.cfg"))
        cfg_path[0] = '\0';
    if (!same &&
        (!staged_write_at(&s, venv_fd, "pyvenv.cfg", cfg_path, out, out_len, st.st_mode & 07777) ||
         !staged_commit(&s))) {
        rc = cli_error(CLI_FAILED, "cannot update %s: %s; nothing changed", cfg_path,
                       strerror(errno));
        goto done;
    }
    /* install's own code path puts this build's launcher in bin/ */
    fflush(stdout);
    int saved = opt->json ? dup(1) : -1;
    if (saved >= 0)
        dup2(2, 1); /* install's progress must not mix with --json */
    rc = install_venv(va, false);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, 1);
        close(saved);
    }
    if (rc != CLI_OK) {
        if (!same &&
            (!staged_write_at(&s, venv_fd, "pyvenv.cfg", cfg_path, text, len, st.st_mode & 07777) ||
             !staged_commit(&s)))
            cli_error(CLI_FAILED, "could not restore %s: %s", cfg_path, strerror(errno));
        else
            cli_error(CLI_FAILED, "re-installing the launcher failed: %s restored", cfg_path);
        goto done;
    }
    if (!opt->json)
        printf("rebased %s onto %s; its site-packages are kept\n", venv, chosen->executable);
done:
    free(out);
    free(text);
    py_list_free(&found);
    return rc;
}

int rebase_venv(const venv_access *va, const rebase_options *opt) {
    struct stat st;
    if (fstatat(va->venv_fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
        return cli_error(CLI_FAILED, "%s is not a virtual environment (no pyvenv.cfg)", va->path);
    return do_rebase(va, opt);
}

int cmd_rebase(const cli_args *a) {
    report_start(a); /* --quiet */
    rebase_options opt = {0};
    opt.python = cli_opt(a, "python");
    opt.dry_run = cli_opt(a, "dry-run") != NULL;
    opt.json = cli_opt(a, "json") != NULL;
    venv_access va;
    int rc = venv_access_open(a, a->operand, &va);
    if (rc == CLI_OK) {
        rc = rebase_venv(&va, &opt);
        venv_access_close(&va);
    }
    return rc;
}
