/* Put the site-init hook (site-init/, embedded at build time) into every
 * site-packages of a venv, replacing an older copy and its bytecode. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../path.h"
#include "cli.h"
#include "site_init_data.h"

static const char pth_name[] = "_venvshim.pth";
static const char module_name[] = "_venvshim_init";

/* A stale .pyc with the old module's mtime and size could outlive the copy. */
static void remove_cached(const char *site) {
    char cache[VS_PATH_MAX];
    if (snprintf(cache, sizeof cache, "%s/__pycache__", site) >= (int)sizeof cache)
        return;
    DIR *d = opendir(cache);
    if (!d)
        return;
    size_t n = strlen(module_name);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[VS_PATH_MAX];
        if (strncmp(e->d_name, module_name, n) == 0 && e->d_name[n] == '.' &&
            snprintf(path, sizeof path, "%s/%s", cache, e->d_name) < (int)sizeof path)
            unlink(path);
    }
    closedir(d);
}

static bool write_into(const char *site) {
    static const char pth[] = SITE_INIT_PTH_TEXT;
    static const char module[] = SITE_INIT_MODULE_TEXT;
    char path[VS_PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s.py", site, module_name) >= (int)sizeof path ||
        !write_file_atomic(path, module, sizeof module - 1, 0644))
        return false;
    remove_cached(site);
    return snprintf(path, sizeof path, "%s/%s", site, pth_name) < (int)sizeof path &&
           write_file_atomic(path, pth, sizeof pth - 1, 0644);
}

int install_site_init(const char *venv) {
    char lib[VS_PATH_MAX];
    if (snprintf(lib, sizeof lib, "%s/lib", venv) >= (int)sizeof lib)
        return cli_error(CLI_FAILED, "path too long: %s", venv);
    DIR *d = opendir(lib);
    if (!d)
        return cli_error(CLI_FAILED, "cannot read %s: %s", lib, strerror(errno));
    int written = 0, rc = CLI_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && rc == CLI_OK) {
        if (strncmp(e->d_name, "python", 6) != 0 && strncmp(e->d_name, "pypy", 4) != 0)
            continue;
        char site[VS_PATH_MAX];
        if (snprintf(site, sizeof site, "%s/%s/site-packages", lib, e->d_name) >=
                (int)sizeof site ||
            access(site, F_OK) != 0)
            continue;
        if (!write_into(site))
            rc = cli_error(CLI_FAILED, "cannot write the start-up hook into %s: %s", site,
                           strerror(errno));
        written++;
    }
    closedir(d);
    if (rc == CLI_OK && written == 0)
        return cli_error(CLI_FAILED, "no lib/python*/site-packages in %s", venv);
    return rc;
}
