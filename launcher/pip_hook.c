#include "pip_hook.h"

#include <string.h>

#include "cfg.h"
#include "contract.h"
#include "fs.h"
#include "path.h"
#include "pyname.h"
#include "strbuf.h"

bool pip_hook_present(const vs_location *loc, const char *base) {
    venv_cfg cfg;
    int major, minor;
    const char *family = pyname_family(path_basename(base));
    if (!family || cfg_parse(loc->cfg_text, loc->cfg_len, &cfg) != CFG_OK ||
        !cfg_major_minor(&cfg, &major, &minor))
        return false;
    static char venv[VS_PATH_MAX], path[VS_PATH_MAX];
    sb_copy(venv, sizeof venv, loc->cfg_path);
    path_dirname(venv);
    for (int free_threaded = 0; free_threaded < 2; free_threaded++) {
        strbuf sb;
        sb_init(&sb, path, sizeof path);
        sb_add(&sb, venv);
        sb_add(&sb, "/lib/");
        sb_add(&sb, family);
        sb_add_int(&sb, major);
        sb_add(&sb, ".");
        sb_add_int(&sb, minor);
        sb_add(&sb, free_threaded ? "t" : "");
        sb_add(&sb, "/site-packages/" VS_PIP_HOOK_MODULE ".py");
        if (!sb.overflow && fs_stat(path).kind == FS_FILE)
            return true;
    }
    return false;
}

bool pip_hook_is_module_run(int argc, char **argv) {
    return argc >= 3 && strcmp(argv[1], "-m") == 0 && strcmp(argv[2], "pip") == 0;
}

bool pip_hook_is_pip_script(const char *name) {
    if (strcmp(name, "pip") == 0 || strcmp(name, "pip3") == 0)
        return true;
    const char *digits = name + 5; /* "pip3.12" */
    return strncmp(name, "pip3.", 5) == 0 && *digits &&
           strspn(digits, "0123456789") == strlen(digits);
}
