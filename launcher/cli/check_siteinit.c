/* The site-init hook (_venvshim.pth): the launcher needs it only for a
 * relative home (relhome.h); elsewhere site opens and runs it on every start
 * for nothing, so check --fix takes it out (an older venvshim wrote it into
 * every venv). A relative home without it is the launcher's exit 107, which
 * check_base reports; fix writes the hook back. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"

void check_site_init(int venv_fd, const char *venv, const venv_cfg *cfg, bool fix, report *r) {
    bool relative = cfg_home_is_relative(cfg);
    int present = 0, done = 0;
    if (venv_fd < 0 || site_init_sync(venv_fd, venv, SITE_INIT_COUNT, &present) != CLI_OK)
        return;
    if (relative && !present) {
        if (fix && install_site_init(venv_fd, venv) == CLI_OK)
            report_add(r, "site-init", FIND_FIXED, venv,
                       "wrote the start-up hook _venvshim.pth that a relative home needs");
        else
            report_add(r, "site-init", FIND_PROBLEM, venv,
                       "the relative home needs the start-up hook _venvshim.pth in "
                       "site-packages; 'venvshim check --fix DIR' writes it");
    } else if (!relative && present) {
        if (fix && site_init_sync(venv_fd, venv, SITE_INIT_REMOVE, &done) == CLI_OK && done)
            report_add(r, "site-init", FIND_FIXED, venv,
                       "removed the start-up hook _venvshim.pth: only a relative home needs it");
        else
            report_add(r, "site-init", FIND_INFO, venv,
                       "_venvshim.pth in site-packages is not needed (home is absolute) and "
                       "costs every start; 'venvshim check --fix DIR' removes it");
    }
}

/* An earlier venvshim's script hook in a relocatable venv: a .pth line site
 * ran at every start (~0.3 ms). The launcher now loads the hook module into
 * pip's process only (launcher/pip_hook.h); relocate's hook step replaces
 * the .pth with the module alone. */
#define OLD_RELOC_PTH "_venvshim_relocatable.pth"

static int count_old_pth(int site_fd, const char *site, void *ctx) {
    (void)site;
    if (faccessat(site_fd, OLD_RELOC_PTH, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        ++*(int *)ctx;
    return CLI_OK;
}

void check_old_reloc_hook(int venv_fd, const char *venv, bool fix, report *r) {
    int found = 0, visited;
    if (venv_fd < 0 || for_each_site_packages(venv_fd, venv, count_old_pth, &found, &visited) < 0 ||
        !found)
        return;
    if (fix && install_relocatable_hook(venv_fd, venv, false) == CLI_OK)
        report_add(r, "site-init", FIND_FIXED, venv,
                   "replaced an earlier venvshim's " OLD_RELOC_PTH
                   " (run at every start) with the hook the launcher loads for pip only");
    else
        report_add(r, "site-init", FIND_INFO, venv,
                   OLD_RELOC_PTH
                   " from an earlier venvshim costs every start (~0.3 ms); "
                   "'venvshim check --fix DIR' replaces it with the hook the launcher loads for "
                   "pip only");
}
