/* Windows: the base is exactly home\<name>, the name mapped from the
 * launcher's own file name as CPython's venvlauncher builds do (EXENAME):
 * python.exe, pythonw.exe, python_d.exe, pythonw_d.exe, python3.13t.exe,
 * pythonw3.13t.exe stay themselves, so a copy named like its base runs that
 * base. Any other name (venvlauncher.exe, a console script's launcher) runs
 * python.exe, or pythonw.exe for a GUI-subsystem build. The recorded
 * `executable` key is not used: it names python.exe even in a pythonw venv
 * (the mistake of CPython 3.13.0's venvwlauncher, gh-126084). */
#include "names.h"

#include <string.h>

#include "win_util.h"

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool has_prefix_nocase(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++)
        if (lower(*s) != *prefix)
            return false;
    return true;
}

/* "python" ["w"] [X[.Y]["t"]] ["_d"] ".exe", any case. */
bool win_is_python_name(const char *name) {
    if (!has_prefix_nocase(name, "python"))
        return false;
    const char *p = name + 6;
    if (lower(*p) == 'w')
        p++;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') /* "3.13", not the "." of ".exe" */
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (lower(*p) == 't')
        p++;
    if (has_prefix_nocase(p, "_d"))
        p += 2;
    return has_prefix_nocase(p, ".exe") && p[4] == '\0';
}

void base_names_for(const char *invoked, const char *versioned, base_names *out) {
    (void)versioned;
    out->names[0] = win_is_python_name(invoked) ? invoked
                    : win_is_gui()              ? "pythonw.exe"
                                                : "python.exe";
    out->count = 1;
    out->use_recorded = false;
}
