/* The hook that keeps a relocatable venv relocatable (site-init/
 * _venvshim_relocatable.pth and _venvshim_scripts.py, embedded at build
 * time): written by relocate into each lib/python*|pypy* /site-packages, so
 * that console scripts an installer writes later become script launchers
 * when that Python process exits. Only relocatable venvs get it; ordinary
 * ones pay nothing. */
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

static int hook_into(int site_fd, const char *site, void *ctx) {
    (void)ctx;
    if (!write_hook(site_fd, site))
        return cli_error(CLI_FAILED, "cannot write the script hook into %s: %s", site,
                         strerror(errno));
    report_note("  script hook: %s/_venvshim_relocatable.pth\n", site);
    return CLI_OK;
}

int install_relocatable_hook(const char *venv) {
    int visited;
    int rc = for_each_site_packages(venv, hook_into, NULL, &visited);
    if (rc < 0)
        return cli_error(CLI_FAILED, "cannot read %s/lib: %s", venv, site_packages_why(errno));
    return rc;
}
