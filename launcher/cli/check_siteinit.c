/* The site-init hook (_venvshim.pth): the launcher needs it only for a
 * relative home (relhome.h); elsewhere site opens and runs it on every start
 * for nothing, so check --fix takes it out (an older venvshim wrote it into
 * every venv). A relative home without it is the launcher's exit 107, which
 * check_base reports; fix writes the hook back. */
#include <stdio.h>

#include "check.h"
#include "cli.h"

void check_site_init(const char *venv, const venv_cfg *cfg, bool fix, report *r) {
    bool relative = cfg_home_is_relative(cfg);
    int present = 0, done = 0;
    if (site_init_sync(venv, SITE_INIT_COUNT, &present) != CLI_OK)
        return;
    if (relative && !present) {
        if (fix && install_site_init(venv) == CLI_OK)
            report_add(r, "site-init", FIND_FIXED, venv,
                       "wrote the start-up hook _venvshim.pth that a relative home needs");
        else
            report_add(r, "site-init", FIND_PROBLEM, venv,
                       "the relative home needs the start-up hook _venvshim.pth in "
                       "site-packages; 'venvshim check --fix DIR' writes it");
    } else if (!relative && present) {
        if (fix && site_init_sync(venv, SITE_INIT_REMOVE, &done) == CLI_OK && done)
            report_add(r, "site-init", FIND_FIXED, venv,
                       "removed the start-up hook _venvshim.pth: only a relative home needs it");
        else
            report_add(r, "site-init", FIND_INFO, venv,
                       "_venvshim.pth in site-packages is not needed (home is absolute) and "
                       "costs every start; 'venvshim check --fix DIR' removes it");
    }
}
