#include "relhome.h"

#include <string.h>

#include "fs.h"
#include "pyname.h"
#include "strbuf.h"

unsigned relhome_python_flags(int argc, char **argv) {
    unsigned flags = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            return flags; /* the script, or "-" for stdin: the rest is the program's */
        if (a[1] == '-') {
            if (a[2] == '\0')
                return flags;
            if (strcmp(a, "--check-hash-based-pycs") == 0)
                i++; /* its value */
            continue;
        }
        for (const char *p = a + 1; *p; p++) {
            if (*p == 'c' || *p == 'm')
                return flags;
            if (*p == 'X' || *p == 'W') {
                if (p[1] == '\0')
                    i++; /* the value is the next argument */
                break;
            }
            flags |= *p == 'E' ? PYFLAG_E : *p == 'I' ? PYFLAG_I : *p == 'S' ? PYFLAG_S : 0;
        }
    }
    return flags;
}

bool relhome_find_base_prefix(const char *home, const char *stdlib, char *prefix, size_t cap) {
    if (!sb_copy(prefix, cap, home))
        return false;
    /* home and its parent only: walking further up, as getpath does, can
     * reach /lib/pythonX.Y, another installation's stdlib */
    for (int level = 0; level < 2; level++) {
        static char landmark[VS_PATH_MAX];
        strbuf sb;
        sb_init(&sb, landmark, sizeof landmark);
        sb_add(&sb, strcmp(prefix, "/") == 0 ? "" : prefix);
        sb_add(&sb, "/lib/");
        sb_add(&sb, stdlib);
        sb_add(&sb, "/os.py");
        diag_trace("stdlib landmark: ", landmark, NULL);
        if (!sb.overflow && fs_stat(landmark).kind == FS_FILE)
            return true;
        path_dirname(prefix);
    }
    return false;
}

/* "python3.12" / "pypy3.9" from the base binary's name, else from pyvenv.cfg. */
static bool stdlib_name(const vs_base *base, char *out, size_t cap) {
    const char *name = path_basename(base->binary);
    int major = base->venv_major, minor = base->venv_minor;
    if (!pyname_version(name, &major, &minor) && major == 0)
        return false;
    strbuf sb;
    sb_init(&sb, out, cap);
    const char *family = pyname_family(name);
    sb_add(&sb, family ? family : "python");
    sb_add_int(&sb, major);
    sb_add_char(&sb, '.');
    sb_add_int(&sb, minor);
    return !sb.overflow;
}

static const char *flag_name(unsigned flags) {
    return flags & PYFLAG_I ? "-I" : flags & PYFLAG_E ? "-E" : "-S";
}

int relhome_prepare(const vs_location *loc, const vs_base *base, unsigned flags,
                    bool has_pythonhome, relhome_env *out, vs_error *err) {
    const char *cfg = loc->cfg_path, *home = base->home;
    out->set_home = false;
    if (flags & (PYFLAG_E | PYFLAG_I))
        return diag_fail(
            err, EXIT_BAD_CFG, flag_name(flags), " cannot be used with the relative home in ", cfg,
            ": Python would then resolve it against the current directory",
            "\nrun without it, or write the absolute 'home = ", home, "' in that file", NULL);
    if (flags & PYFLAG_S)
        return diag_fail(err, EXIT_BAD_CFG, "-S cannot be used with the relative home in ", cfg,
                         ": without site, the launcher's PYTHONHOME would reach child processes",
                         "\nrun without it, or write the absolute 'home = ", home, "' in that file",
                         NULL);
    if (has_pythonhome) {
        diag_trace("PYTHONHOME is set: it decides the base prefix, as in CPython", NULL);
        return 0;
    }
    static char stdlib[32], venv[VS_PATH_MAX], hook[VS_PATH_MAX];
    if (!stdlib_name(base, stdlib, sizeof stdlib))
        return diag_fail(err, EXIT_BAD_CFG, cfg, " has a relative home but no 'version' key, and ",
                         base->binary, " does not name its version",
                         "\nadd 'version = X.Y.Z' (the base Python's version) to that file", NULL);
    if (!relhome_find_base_prefix(home, stdlib, out->pythonhome, sizeof out->pythonhome))
        return diag_fail(
            err, EXIT_NO_BASE, "no standard library (lib/", stdlib, "/os.py) in home = ", home,
            " or its parent (relative home in ", cfg, ")",
            "\ncheck that the base Python was moved together with the virtual environment", NULL);
    /* Without the hook PYTHONHOME would stay in os.environ and reach children. */
    sb_copy(venv, sizeof venv, loc->venv_exe);
    path_dirname(venv);
    path_dirname(venv);
    strbuf sb;
    sb_init(&sb, hook, sizeof hook);
    sb_add(&sb, venv);
    sb_add(&sb, "/lib/");
    sb_add(&sb, stdlib);
    sb_add(&sb, "/site-packages/" VS_SITE_INIT_PTH);
    if (sb.overflow || fs_stat(hook).kind != FS_FILE)
        return diag_fail(err, EXIT_BAD_CFG, cfg,
                         " has a relative home, which needs venvshim's start-up ", "hook ", hook,
                         ", but it is missing", "\nrestore it: venvshim install ", venv, NULL);
    diag_trace("relative home: PYTHONHOME=", out->pythonhome, " for this start only", NULL);
    out->set_home = true;
    return 0;
}
