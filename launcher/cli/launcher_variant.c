/* Which launcher a venv gets: the static one, or the one-process launcher
 * (launcher/posix/oneproc.h) where the base loads a shared libpython and the
 * user asked for it. install, and through it create, rebase, check --fix and
 * upgrade, ask here; so does check, to know which file is "this build's
 * launcher". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../posix/oneproc.h"
#include "../strbuf.h"
#include "cli.h"
#include "core_open.h"
#include "launcher_variant.h"

#define DL_NAME "venvshim-launcher-dl"

/* Is venv_fd's bin/.venvshim-launcher the one-process launcher? Read through
 * the venv's descriptor, links not followed (venv_access.h). */
static bool venv_has_one_process(int venv_fd) {
    int bin_fd = venv_fd >= 0 ? open_dir_at(venv_fd, "bin", true) : -1;
    if (bin_fd < 0)
        return false;
    size_t len;
    char *data =
        read_file_at(bin_fd, VS_LAUNCHER_FILE, READ_CAP_FILE, READ_NOFOLLOW, &len, NULL, NULL);
    close(bin_fd);
    bool found = data && contains_string(data, len, ONEPROC_LAUNCHER_MARKER);
    free(data);
    return found;
}

/* upgrade's old venv had the one-process launcher (launcher_variant_inherit) */
static bool inherited;

void launcher_variant_inherit(int old_venv_fd) {
    inherited = venv_has_one_process(old_venv_fd);
}

bool launcher_variant_wanted(int venv_fd) {
    const char *v = getenv(ONEPROC_INSTALL_VAR);
    if (v && v[0])
        return strcmp(v, "0") != 0;
    return inherited || venv_has_one_process(venv_fd);
}

bool launcher_variant_choose(int venv_fd, const vs_plan *plan, char *launcher, size_t cap,
                             const char **why) {
    oneproc_choice one;
    *why = NULL;
    if (!launcher_variant_wanted(venv_fd))
        return false;
    char dir[VS_PATH_MAX], dl[VS_PATH_MAX];
    sb_copy(dir, sizeof dir, launcher);
    path_dirname(dir);
    if (!path_join(dl, sizeof dl, dir, DL_NAME) || !is_launcher_file(dl)) {
        *why = "no " DL_NAME " beside the launcher";
        return false;
    }
    /* as at start-up, but without LD_LIBRARY_PATH: the venv's users' own */
    oneproc_choose(plan, NULL, &one);
    if (!one.possible) {
        *why = one.reason;
        return false;
    }
    return snprintf(launcher, cap, "%s", dl) < (int)cap;
}

bool launcher_variant_for_venv(int venv_fd, const char *venv, char *launcher, size_t cap) {
    static vs_plan plan;
    static vs_error err;
    if (!launcher_variant_wanted(venv_fd))
        return false;
    char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, venv, "bin/python"))
        return false;
    const char *why;
    return core_plan_for(exe, &plan, &err) == 0 &&
           launcher_variant_choose(venv_fd, &plan, launcher, cap, &why);
}
