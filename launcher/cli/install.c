/* venvshim install DIR: turn an existing venv (python -m venv, virtualenv,
 * uv venv) into one whose bin/python* are the native launcher. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cfg.h"
#include "../diag.h"
#include "../path.h"
#include "../plan.h"
#include "../script.h"
#include "cli.h"

#define MAX_NAMES 64

typedef struct {
    char names[MAX_NAMES][NAME_MAX + 1];
    int count;
    char symlink_base[VS_PATH_MAX]; /* realpath of the first symlink to a real interpreter */
} venv_bin;

static int scan_bin(const char *bin, const char *venv_real, venv_bin *vb) {
    DIR *d = opendir(bin);
    if (!d)
        return cli_error(CLI_FAILED, "cannot read %s: %s", bin, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!script_is_interpreter_name(e->d_name))
            continue;
        char path[VS_PATH_MAX];
        if (!path_join(path, sizeof path, bin, e->d_name))
            continue;
        struct stat st;
        if (lstat(path, &st) != 0 || !(S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)))
            continue;
        if (vb->count == MAX_NAMES)
            break;
        snprintf(vb->names[vb->count++], sizeof vb->names[0], "%s", e->d_name);
        if (!S_ISLNK(st.st_mode) || vb->symlink_base[0])
            continue;
        char real[PATH_MAX];
        if (!realpath(path, real) || is_launcher_file(real))
            continue;
        /* a symlink to another name inside this venv is not the base */
        size_t n = strlen(venv_real);
        if (strncmp(real, venv_real, n) == 0 && real[n] == '/')
            continue;
        snprintf(vb->symlink_base, sizeof vb->symlink_base, "%s", real);
    }
    closedir(d);
    return CLI_OK;
}

/* The pyvenv.cfg text install leaves: the original, with `home` replaced by
 * new_home (when not NULL) and `executable = <add_executable>` appended (when
 * not NULL). malloc'd, NUL-terminated; NULL when out of memory. */
static char *edited_cfg(const char *text, size_t len, const venv_cfg *cfg, const char *new_home,
                        const char *add_executable, size_t *out_len) {
    size_t cap = len + (new_home ? strlen(new_home) : 0) +
                 (add_executable ? strlen(add_executable) : 0) + 32;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t n = 0;
    if (new_home && cfg->home.ptr) {
        size_t before = (size_t)(cfg->home.ptr - text);
        memcpy(out, text, before);
        n = before + (size_t)sprintf(out + before, "%s", new_home);
        size_t after = before + cfg->home.len;
        memcpy(out + n, text + after, len - after);
        n += len - after;
    } else {
        memcpy(out, text, len);
        n = len;
    }
    if (add_executable)
        n += (size_t)sprintf(out + n, "%sexecutable = %s\n",
                             n > 0 && out[n - 1] != '\n' ? "\n" : "", add_executable);
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* Resolve the venv as the launcher will when started as exe, but from the
 * pyvenv.cfg text given (not yet written). 0, or CLI_FAILED after printing
 * the launcher's own error. */
static int resolve_with_text(const char *exe, const char *text, size_t len, vs_plan *plan) {
    static vs_error err;
    vs_invocation inv = {exe, NULL};
    if (locate_venv(&inv, &plan->loc, &err) != 0) { /* paths only: the text is ours */
        error_print(&err);
        return CLI_FAILED;
    }
    if (len >= sizeof plan->loc.cfg_text)
        return cli_error(CLI_FAILED, "%s would grow past 32 KiB", plan->loc.cfg_path);
    memcpy(plan->loc.cfg_text, text, len + 1);
    plan->loc.cfg_len = len;
    if (resolve_base(&plan->loc, &plan->base, &err) != 0) {
        error_print(&err);
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* Decide the pyvenv.cfg the launcher needs and check that it resolves, then
 * write it (only if it changed). Nothing is written when resolution fails. */
static int prepare_cfg(const char *cfg_path, const char *exe, const char *symlink_base,
                       vs_plan *plan) {
    size_t len;
    char *text = read_whole_file(cfg_path, &len);
    if (!text)
        return cli_error(CLI_FAILED, "cannot read %s: %s", cfg_path, strerror(errno));
    venv_cfg cfg;
    if (cfg_parse(text, len, &cfg) != CFG_OK) {
        free(text);
        return cli_error(CLI_FAILED, "%s is not a text file", cfg_path);
    }
    bool records_base = cfg.executable.ptr || cfg.base_executable.ptr;
    /* Record the exact base first, so that resolution never guesses (a PyPy
     * venv's python3.9 must not find /usr/bin/python3.9). */
    size_t new_len;
    char *new_text = edited_cfg(text, len, &cfg, NULL,
                                records_base || !symlink_base[0] ? NULL : symlink_base, &new_len);
    int rc = new_text ? resolve_with_text(exe, new_text, new_len, plan) : CLI_FAILED;
    if (rc == CLI_OK && (!records_base || plan->base.chain_depth > 0)) {
        /* A home inside another venv (a nested venv made by CPython 3.8-3.10 or
         * PyPy) is flattened to the real base: PyPy searches its stdlib only
         * from home, and the venv stops depending on the outer one. */
        venv_cfg edited;
        cfg_parse(new_text, new_len, &edited);
        bool flatten = plan->base.chain_depth > 0;
        char home[VS_PATH_MAX], base[VS_PATH_MAX];
        snprintf(home, sizeof home, "%s", plan->base.home);
        snprintf(base, sizeof base, "%s", plan->base.binary);
        bool add = !edited.executable.ptr && !edited.base_executable.ptr;
        char *final_text = edited_cfg(new_text, new_len, &edited, flatten ? home : NULL,
                                      add ? base : NULL, &new_len);
        free(new_text);
        new_text = final_text;
        rc = new_text ? resolve_with_text(exe, new_text, new_len, plan) : CLI_FAILED;
        if (rc == CLI_OK && flatten)
            printf("home pointed into another venv: set home = %s\n", home);
    }
    if (rc == CLI_OK && (new_len != len || memcmp(new_text, text, len) != 0)) {
        struct stat st;
        unsigned mode = stat(cfg_path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644;
        if (!write_file_atomic(cfg_path, new_text, new_len, mode))
            rc = cli_error(CLI_FAILED, "cannot update %s: %s", cfg_path, strerror(errno));
        else
            printf("updated %s (executable = %s)\n", cfg_path, plan->base.binary);
    }
    free(new_text);
    free(text);
    return rc;
}

/* Put the launcher at bin/name atomically: a hard link of staged (or a copy
 * when the file system refuses links) renamed over the old entry. */
static bool place_launcher(const char *bin, const char *name, const char *staged,
                           const char *launcher_data, size_t launcher_len) {
    char final_path[VS_PATH_MAX], tmp[VS_PATH_MAX];
    if (!path_join(final_path, sizeof final_path, bin, name) ||
        snprintf(tmp, sizeof tmp, "%s/.%s.venvshim-%ld.tmp", bin, name, (long)getpid()) >=
            (int)sizeof tmp)
        return false;
    unlink(tmp);
    if (link(staged, tmp) == 0) {
        if (rename(tmp, final_path) == 0)
            return true;
        unlink(tmp);
        return false;
    }
    return write_file_atomic(final_path, launcher_data, launcher_len, 0755);
}

/* Is every interpreter entry already a regular file with this launcher's bytes? */
static bool all_up_to_date(const char *bin, const venv_bin *vb, const char *data, size_t len) {
    for (int i = 0; i < vb->count; i++) {
        char path[VS_PATH_MAX];
        struct stat st;
        if (!path_join(path, sizeof path, bin, vb->names[i]) || lstat(path, &st) != 0 ||
            !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
            return false;
        size_t n;
        char *have = read_whole_file(path, &n);
        bool same = have && n == len && memcmp(have, data, len) == 0;
        free(have);
        if (!same)
            return false;
    }
    return true;
}

int install_venv(const char *dir) {
    char venv[PATH_MAX];
    if (!realpath(dir, venv))
        return cli_error(CLI_FAILED, "%s: %s", dir, strerror(errno));
    char cfg_path[VS_PATH_MAX], bin[VS_PATH_MAX];
    struct stat st;
    if (!path_join(cfg_path, sizeof cfg_path, venv, "pyvenv.cfg") ||
        !path_join(bin, sizeof bin, venv, "bin"))
        return cli_error(CLI_FAILED, "path too long: %s", venv);
    if (stat(cfg_path, &st) != 0 || !S_ISREG(st.st_mode))
        return cli_error(CLI_FAILED,
                         "%s is not a virtual environment (no pyvenv.cfg)\n"
                         "venvshim: create one with: venvshim create %s",
                         venv, venv);
    if (stat(bin, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_error(CLI_FAILED, "%s has no bin/ directory; is it a Windows venv?", venv);

    char launcher[VS_PATH_MAX];
    if (!find_launcher(launcher, sizeof launcher))
        return cli_error(CLI_FAILED, "cannot find venvshim-launcher next to this program; "
                                     "set VENVSHIM_LAUNCHER to its path");
    static venv_bin vb;
    memset(&vb, 0, sizeof vb);
    int rc = scan_bin(bin, venv, &vb);
    if (rc)
        return rc;
    if (vb.count == 0)
        return cli_error(CLI_FAILED, "no python or pypy executables in %s", bin);

    /* The start-up hook first: the launcher needs it for a relative home. */
    if ((rc = install_site_init(venv)) != CLI_OK)
        return rc;
    /* Refuse to install into a venv the launcher could not run: stale home, ... */
    static vs_plan plan;
    char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, bin, vb.names[0]))
        return cli_error(CLI_FAILED, "path too long: %s/%s", bin, vb.names[0]);
    if (prepare_cfg(cfg_path, exe, vb.symlink_base, &plan) != CLI_OK)
        return cli_error(CLI_FAILED, "%s left unchanged", venv);

    size_t launcher_len;
    char *launcher_data = read_whole_file(launcher, &launcher_len);
    if (!launcher_data)
        return cli_error(CLI_FAILED, "cannot read %s: %s", launcher, strerror(errno));
    if (all_up_to_date(bin, &vb, launcher_data, launcher_len)) {
        printf("the venvshim launcher is already installed in %s; base interpreter: %s\n", bin,
               plan.base.binary);
        free(launcher_data);
        return CLI_OK;
    }
    char staged[VS_PATH_MAX];
    if (snprintf(staged, sizeof staged, "%s/.venvshim-launcher-%ld.tmp", bin, (long)getpid()) >=
            (int)sizeof staged ||
        !write_file_atomic(staged, launcher_data, launcher_len, 0755)) {
        free(launcher_data);
        return cli_error(CLI_FAILED, "cannot write in %s: %s", bin, strerror(errno));
    }
    printf("installing the venvshim launcher in %s:", bin);
    for (int i = 0; i < vb.count && rc == CLI_OK; i++) {
        if (!place_launcher(bin, vb.names[i], staged, launcher_data, launcher_len))
            rc = cli_error(CLI_FAILED, "cannot replace %s/%s: %s", bin, vb.names[i],
                           strerror(errno));
        else
            printf(" %s", vb.names[i]);
    }
    printf("\nbase interpreter: %s\n", plan.base.binary);
    unlink(staged);
    free(launcher_data);
    return rc;
}

int cmd_install(int argc, char **argv) {
    if (argc != 1 || argv[0][0] == '-')
        return cli_error(CLI_USAGE, "usage: venvshim install DIR");
    return install_venv(argv[0]);
}
