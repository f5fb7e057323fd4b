/* Windows: the base is exactly home\<name>, the name mapped from the
 * launcher's own file name as CPython's venvlauncher builds do (EXENAME):
 * python.exe, pythonw.exe, python_d.exe, pythonw_d.exe, python3.13t.exe,
 * pythonw3.13t.exe stay themselves, so a copy named like its base runs that
 * base; python3.exe / python3.X.exe (virtualenv) run python.exe, as CPython's
 * redirector does; in a free-threaded venv the unversioned ones map to the recorded
 * pythonX.Yt.exe (as venvlaunchert.exe does). Any other name (venvlauncher.exe, a console script's
 * launcher) runs python.exe, or pythonw.exe for a GUI-subsystem build. The recorded `executable`
 * key is not used: it names python.exe even in a pythonw venv (the mistake of CPython 3.13.0's
 * venvwlauncher, gh-126084). */
#include "../names.h"

#include <string.h>

#include "../path.h" /* VS_PATH_MAX */
#include "../pyname.h"
#include "../strbuf.h"
#include "win_util.h"

/* The "X.Yt" of a free-threaded base name ("python3.13t.exe", any case),
 * from the last component of a recorded path; false for other names. */
static bool free_threaded_version(cfg_value recorded, char *ver, size_t cap) {
    if (!recorded.ptr)
        return false;
    size_t start = recorded.len;
    while (start > 0 && recorded.ptr[start - 1] != '\\' && recorded.ptr[start - 1] != '/')
        start--;
    const char *p = recorded.ptr + start, *end = recorded.ptr + recorded.len;
    if (end - p < 12 || !pyname_has_prefix_nocase(p, "python"))
        return false;
    const char *v = p + 6, *q = v;
    while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
        q++;
    if (q == v || q >= end || pyname_lower(*q) != 't' || (size_t)(q + 1 - v) >= cap)
        return false;
    memcpy(ver, v, (size_t)(q + 1 - v));
    ver[q + 1 - v] = '\0';
    return true;
}

void names_base_for(const char *invoked, const char *versioned, cfg_value recorded,
                    base_names *out) {
    (void)versioned;
    out->count = 1;
    out->use_recorded = false;
    if (!pyname_is_windows_exe(invoked)) {
        out->names[0] = win_is_gui() ? "pythonw.exe" : "python.exe";
        return;
    }
    out->names[0] = invoked;
    bool w = pyname_lower(invoked[6]) == 'w';
    const char *v = invoked + 6 + (w ? 1 : 0), *q = v;
    while (*q >= '0' && *q <= '9')
        q++;
    if (*q == '.' && q[1] >= '0' && q[1] <= '9')
        for (q++; *q >= '0' && *q <= '9'; q++)
            ;
    char plain[sizeof out->storage];
    if (q != v && pyname_lower(*q) != 't') {
        /* python3.exe, python3.12.exe (virtualenv writes them): a python.org
         * base has only python.exe, and CPython's own redirector runs that
         * whatever its copy is called (EXENAME), so run python[w][_d].exe. */
        strbuf sb;
        sb_init(&sb, plain, sizeof plain);
        sb_add(&sb, w ? "pythonw" : "python");
        sb_add(&sb, q);
        if (!sb.overflow) {
            memcpy(out->storage, plain, sizeof plain);
            out->names[0] = out->storage;
            invoked = plain;
        }
    }
    /* A free-threaded venv (3.13+) has Scripts\python.exe and pythonw.exe
     * too, but they must run pythonX.Yt.exe / pythonwX.Yt.exe, which the
     * recorded executable names: map the unversioned names to those. */
    const char *rest = invoked + 6 + (w ? 1 : 0); /* "_d.exe" or ".exe" when unversioned */
    char ver[16];
    if ((rest[0] == '.' || rest[0] == '_') && free_threaded_version(recorded, ver, sizeof ver)) {
        strbuf sb;
        sb_init(&sb, out->storage, sizeof out->storage);
        sb_add(&sb, w ? "pythonw" : "python");
        sb_add(&sb, ver);
        sb_add(&sb, rest);
        if (!sb.overflow)
            out->names[0] = out->storage;
    }
}

void names_repoint_fix(strbuf *sb, const char *venv_dir, const char *cfg_path, const char *version,
                       bool reinstall) {
    (void)venv_dir;
    /* the file as one cmd.exe word, in a command that opens it */
    sb_add(sb, "point 'home' at its folder in pyvenv.cfg (notepad ");
    sb_add_shell_word(sb, cfg_path);
    sb_add(sb, ")");
    if (reinstall) {
        sb_add(sb, ", or reinstall Python ");
        sb_add(sb, version[0] ? version : "of its version");
        sb_add(sb, " into home's folder");
    }
}

void names_move_fix(strbuf *sb, const char *venv_dir, const char *version,
                    const char *other_python) {
    sb_add(sb, "list them (pip freeze --path ");
    static char site[VS_PATH_MAX];
    names_site_packages(site, sizeof site, venv_dir, version);
    sb_add_shell_word(sb, site);
    sb_add(sb, " > requirements.txt), recreate the venv with ");
    sb_add_shell_word(sb, other_python);
    sb_add(sb, " and pip install -r requirements.txt");
}

bool names_site_packages(char *out, size_t cap, const char *venv_dir, const char *version) {
    (void)version; /* a Windows venv's Lib has no pythonX.Y level */
    strbuf sb;
    sb_init(&sb, out, cap);
    sb_add(&sb, venv_dir);
    sb_add(&sb, "\\Lib\\site-packages");
    return !sb.overflow;
}
