#include "pip_hook.h"

#include <string.h>

#include "contract.h"
#include "fs.h"
#include "path.h"
#include "pyname.h"
#include "strbuf.h"
#include "version_guard.h"

bool pip_hook_present(const vs_location *loc, const vs_base *base) {
    int major = base->venv_major, minor = base->venv_minor;
    const char *family = pyname_family(path_basename(base->binary));
    if (!family || major == 0)
        return false;
    static char venv[VS_PATH_MAX], path[VS_PATH_MAX];
    sb_copy(venv, sizeof venv, loc->cfg_path);
    path_dirname(venv);
    static const char leaf[] = "/site-packages/" VS_PIP_HOOK_MODULE ".py";
    return vg_lib_kind(path, venv, "lib", family, major, minor, "", leaf) == FS_FILE ||
           vg_lib_kind(path, venv, "lib", family, major, minor, "t", leaf) == FS_FILE;
}

bool pip_hook_is_module_run(int argc, char **argv) {
    return argc >= 3 && strcmp(argv[1], "-m") == 0 && strcmp(argv[2], "pip") == 0;
}

bool pip_hook_is_pip_script(const char *name) {
    if (strcmp(name, "pip") == 0 || strcmp(name, "pip3") == 0)
        return true;
    if (strncmp(name, "pip3.", 5) != 0)
        return false;
    const char *digits = name + 5; /* "pip3.12" */
    return *digits && strspn(digits, "0123456789") == strlen(digits);
}
