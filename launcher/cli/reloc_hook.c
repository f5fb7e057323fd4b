/* The hook that keeps a relocatable venv relocatable (site-init/
 * _venvshim_relocatable.pth and _venvshim_scripts.py, embedded at build
 * time): written by relocate into each lib/python*|pypy* /site-packages, so
 * that console scripts an installer writes later become script launchers
 * when that Python process exits. Only relocatable venvs get it; ordinary
 * ones pay nothing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../path.h"
#include "cli.h"
#include "report.h"
#include "site_init_data.h"

static bool put(int site_fd, const char *site, const char *name, const char *text, size_t len) {
    static staged_file s;
    char shown[VS_PATH_MAX];
    return path_join(shown, sizeof shown, site, name) &&
           staged_write_at(&s, site_fd, name, shown, text, len, 0644) && staged_commit(&s);
}

static bool write_hook(int site_fd, const char *site) {
    static const char pth[] = SITE_INIT_RELOC_PTH_TEXT;
    static const char module[] = SITE_INIT_SCRIPTS_TEXT;
    /* the module first: the .pth line imports it */
    if (!put(site_fd, site, "_venvshim_scripts.py", module, sizeof module - 1))
        return false;
    return put(site_fd, site, "_venvshim_relocatable.pth", pth, sizeof pth - 1);
}

int install_relocatable_hook(const char *venv) {
    char lib[VS_PATH_MAX];
    if (!path_join(lib, sizeof lib, venv, "lib"))
        return cli_error(CLI_FAILED, "path too long: %s", venv);
    int venv_fd = open_dir_at(AT_FDCWD, venv, false);
    int lib_fd = venv_fd >= 0 ? open_dir_at(venv_fd, "lib", true) : -1;
    if (venv_fd >= 0)
        close(venv_fd);
    DIR *d = lib_fd >= 0 ? fdopendir(lib_fd) : NULL;
    if (!d) {
        if (lib_fd >= 0)
            close(lib_fd);
        return cli_error(CLI_FAILED, "cannot read %s: %s", lib, strerror(errno));
    }
    int rc = CLI_OK;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL && rc == CLI_OK) {
        if (strncmp(ent->d_name, "python", 6) != 0 && strncmp(ent->d_name, "pypy", 4) != 0)
            continue;
        int ver_fd = open_dir_at(lib_fd, ent->d_name, true);
        int site_fd = ver_fd >= 0 ? open_dir_at(ver_fd, "site-packages", true) : -1;
        if (ver_fd >= 0)
            close(ver_fd);
        if (site_fd < 0)
            continue;
        char site[VS_PATH_MAX];
        if (!path_join(site, sizeof site, lib, ent->d_name) ||
            !path_join(site, sizeof site, site, "site-packages") || !write_hook(site_fd, site))
            rc = cli_error(CLI_FAILED, "cannot write the script hook into %s/%s: %s", lib,
                           ent->d_name, strerror(errno));
        else
            report_note("  script hook: %s/_venvshim_relocatable.pth\n", site);
        close(site_fd);
    }
    closedir(d);
    return rc;
}
