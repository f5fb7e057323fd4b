/* Put the site-init hook (site-init/, embedded at build time) into every
 * site-packages of a venv, replacing an older copy and its bytecode; or take
 * it out of a venv that does not need it (only a relative home does: site
 * would open and run it on every start for nothing). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../path.h"
#include "../pyname.h"
#include "cli.h"
#include "report.h"
#include "site_init_data.h"

static const char pth_name[] = VS_SITE_INIT_PTH;
static const char module_name[] = VS_SITE_INIT_MODULE;

/* A stale .pyc with the old module's mtime and size could outlive the copy. */
static void remove_cached(int site_fd) {
    int cache_fd = open_dir_at(site_fd, "__pycache__", true);
    DIR *d = cache_fd >= 0 ? fdopendir(cache_fd) : NULL;
    if (!d) {
        if (cache_fd >= 0)
            close(cache_fd);
        return;
    }
    size_t n = strlen(module_name);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, module_name, n) == 0 && e->d_name[n] == '.')
            unlinkat(cache_fd, e->d_name, 0);
    }
    closedir(d); /* closes cache_fd */
}

static bool write_into(int site_fd, const char *site) {
    static const char pth[] = SITE_INIT_PTH_TEXT;
    static const char module[] = SITE_INIT_MODULE_TEXT;
    static staged_file s;
    char name[64], shown[VS_PATH_MAX];
    snprintf(name, sizeof name, "%s.py", module_name);
    if (!path_join(shown, sizeof shown, site, name) ||
        !staged_write_at(&s, site_fd, name, shown, module, sizeof module - 1, 0644) ||
        !staged_commit(&s))
        return false;
    remove_cached(site_fd);
    return path_join(shown, sizeof shown, site, pth_name) &&
           staged_write_at(&s, site_fd, pth_name, shown, pth, sizeof pth - 1, 0644) &&
           staged_commit(&s);
}

/* Remove the hook and its bytecode from one site-packages; true when
 * something was there. */
static bool remove_from(int site_fd) {
    char name[64];
    snprintf(name, sizeof name, "%s.py", module_name);
    bool had = unlinkat(site_fd, pth_name, 0) == 0;
    had |= unlinkat(site_fd, name, 0) == 0;
    remove_cached(site_fd);
    return had;
}

static bool present_in(int site_fd) {
    struct stat st;
    return fstatat(site_fd, pth_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int for_each_site_packages(int venv_fd, const char *venv, site_packages_fn fn, void *ctx,
                           int *visited) {
    *visited = 0;
    char lib[VS_PATH_MAX];
    if (!path_join(lib, sizeof lib, venv, "lib")) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int lib_fd = open_dir_at(venv_fd, "lib", true);
    int e = errno;
    DIR *d = lib_fd >= 0 ? fdopendir(lib_fd) : NULL;
    if (!d) {
        if (lib_fd >= 0)
            close(lib_fd);
        errno = e;
        return -1;
    }
    int rc = CLI_OK;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL && rc == CLI_OK) {
        if (!pyname_family(ent->d_name))
            continue;
        int ver_fd = open_dir_at(lib_fd, ent->d_name, true);
        int site_fd = ver_fd >= 0 ? open_dir_at(ver_fd, "site-packages", true) : -1;
        if (ver_fd >= 0)
            close(ver_fd);
        if (site_fd < 0)
            continue;
        char site[VS_PATH_MAX];
        if (snprintf(site, sizeof site, "%s/%s/site-packages", lib, ent->d_name) >=
            (int)sizeof site)
            rc = cli_error(CLI_FAILED, "path too long: %s/%s", lib, ent->d_name);
        else
            rc = fn(site_fd, site, ctx);
        close(site_fd);
        ++*visited;
    }
    closedir(d); /* closes lib_fd */
    return rc;
}

/* Why lib/ could not be opened, in words: a link is not followed. */
const char *site_packages_why(int error) {
    return error == ELOOP || error == EMLINK || error == ENOTDIR
               ? "not a directory of the venv's own (a symbolic link?)"
               : strerror(error);
}

typedef struct {
    site_init_mode mode;
    int count; /* removed or present, by mode */
} sync_ctx;

static int sync_one(int site_fd, const char *site, void *ctx) {
    sync_ctx *c = ctx;
    if (c->mode == SITE_INIT_REMOVE)
        c->count += remove_from(site_fd);
    else if (c->mode == SITE_INIT_COUNT)
        c->count += present_in(site_fd);
    else if (!write_into(site_fd, site))
        return cli_error(CLI_FAILED, "cannot write the start-up hook into %s: %s", site,
                         strerror(errno));
    return CLI_OK;
}

int site_init_sync(int venv_fd, const char *venv, site_init_mode mode, int *count) {
    sync_ctx c = {mode, 0};
    int visited;
    int rc = for_each_site_packages(venv_fd, venv, sync_one, &c, &visited);
    *count = mode == SITE_INIT_WRITE ? visited : c.count;
    if (rc < 0) {
        if (mode != SITE_INIT_WRITE)
            return CLI_OK; /* nothing to take out */
        return cli_error(CLI_FAILED, "cannot read %s/lib: %s", venv, site_packages_why(errno));
    }
    if (rc == CLI_OK && visited == 0 && mode == SITE_INIT_WRITE)
        return cli_error(CLI_FAILED, "no lib/python*/site-packages in %s", venv);
    return rc;
}

int install_site_init(int venv_fd, const char *venv) {
    int count;
    return site_init_sync(venv_fd, venv, SITE_INIT_WRITE, &count);
}

bool cfg_home_is_relative(const venv_cfg *cfg) {
    return cfg->home.ptr && cfg->home.len > 0 && cfg->home.ptr[0] != '/';
}

int venv_home_is_relative(int venv_fd) {
    size_t len;
    char *text = read_file_at(venv_fd, "pyvenv.cfg", READ_CAP_CFG, READ_NOFOLLOW, &len, NULL, NULL);
    venv_cfg cfg;
    int rel = !text || cfg_parse(text, len, &cfg) != CFG_OK ? -1 : cfg_home_is_relative(&cfg);
    free(text);
    return rel;
}

int site_init_for(int venv_fd, const char *venv, bool relative_home) {
    int count;
    if (relative_home)
        return site_init_sync(venv_fd, venv, SITE_INIT_WRITE, &count);
    int rc = site_init_sync(venv_fd, venv, SITE_INIT_REMOVE, &count);
    if (rc == CLI_OK && count)
        report_note(
            "removed the start-up hook %s from %d site-packages: only a relative home needs "
            "it\n",
            pth_name, count);
    return rc;
}
