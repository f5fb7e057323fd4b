/* Which launcher a venv gets: the static one, or the one-process launcher
 * (launcher/posix/oneproc.h) where the base loads a shared libpython and the
 * user asked for it. install, and through it create, rebase and check --fix,
 * ask here; so does check, to know which file is "this build's launcher". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../posix/oneproc.h"
#include "../strbuf.h"
#include "cli.h"
#include "launcher_variant.h"

#define DL_NAME "venvshim-launcher-dl"

/* Is bin/.venvshim-launcher the one-process launcher? */
static bool venv_has_one_process(const char *venv) {
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, venv, "bin/" VS_LAUNCHER_FILE))
        return false;
    size_t len;
    char *data = read_file_at(AT_FDCWD, path, READ_CAP_FILE, READ_NOFOLLOW, &len, NULL, NULL);
    bool found = data && contains_string(data, len, ONEPROC_LAUNCHER_MARKER);
    free(data);
    return found;
}

bool launcher_variant_wanted(const char *venv) {
    const char *v = getenv(ONEPROC_INSTALL_VAR);
    if (v && v[0])
        return strcmp(v, "0") != 0;
    return venv_has_one_process(venv);
}

bool launcher_variant_choose(const char *venv, const vs_plan *plan, char *launcher, size_t cap,
                             const char **why) {
    static oneproc_choice one;
    *why = NULL;
    if (!launcher_variant_wanted(venv))
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

bool launcher_variant_for_venv(const char *venv, char *launcher, size_t cap) {
    static vs_plan plan;
    static vs_error err;
    if (!launcher_variant_wanted(venv))
        return false;
    char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, venv, "bin/python"))
        return false;
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = exe;
    req.traits = platform_traits_current();
    const char *why;
    return plan_make(&req, &plan, &err) == 0 &&
           launcher_variant_choose(venv, &plan, launcher, cap, &why);
}
