/* The hook that keeps a relocatable venv relocatable (site-init/
 * _venvshim_scripts.py, embedded at build time): written by relocate into
 * each lib/python*|pypy* /site-packages, so that console scripts pip writes
 * later become script launchers when pip exits. The launcher loads it only
 * for pip (launcher/pip_hook.h): no other start pays for it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../contract.h"
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

/* An earlier venvshim's hook: a .pth line that site compiled at every start
 * of the venv (~0.3 ms); the launcher now loads the module only for pip. */
#define OLD_HOOK_PTH "_venvshim_relocatable.pth"

static int hook_into(int site_fd, const char *site, void *ctx) {
    bool say = *(const bool *)ctx;
    static const char module[] = SITE_INIT_SCRIPTS_TEXT;
    if (!put(site_fd, site, VS_PIP_HOOK_MODULE ".py", module, sizeof module - 1))
        return cli_error(CLI_FAILED, "cannot write the script hook into %s: %s", site,
                         strerror(errno));
    if (unlinkat(site_fd, OLD_HOOK_PTH, 0) != 0 && errno != ENOENT)
        return cli_error(CLI_FAILED, "cannot remove %s/%s: %s", site, OLD_HOOK_PTH,
                         strerror(errno));
    if (say)
        report_note("  script hook: %s/" VS_PIP_HOOK_MODULE ".py\n", site);
    return CLI_OK;
}

int install_relocatable_hook(int venv_fd, const char *venv, bool say) {
    int visited;
    int rc = for_each_site_packages(venv_fd, venv, hook_into, &say, &visited);
    if (rc < 0)
        return cli_error(CLI_FAILED, "cannot read %s/lib: %s", venv, site_packages_why(errno));
    return rc;
}
