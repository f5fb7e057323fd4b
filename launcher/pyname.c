#include "pyname.h"

#include <string.h>

const char *pyname_family(const char *name) {
    if (strncmp(name, "python", 6) == 0)
        return "python";
    return strncmp(name, "pypy", 4) == 0 ? "pypy" : NULL;
}

const char *pyname_after_family(const char *name) {
    const char *fam = pyname_family(name);
    return fam ? name + strlen(fam) : NULL;
}

bool pyname_version(const char *name, int *major, int *minor) {
    const char *p = pyname_after_family(name);
    if (!p || *p < '0' || *p > '9')
        return false;
    int a = 0, b = 0;
    while (*p >= '0' && *p <= '9' && a < 1000)
        a = a * 10 + (*p++ - '0');
    if (*p++ != '.' || *p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9' && b < 1000)
        b = b * 10 + (*p++ - '0');
    *major = a;
    *minor = b;
    return true;
}

bool pyname_is_interpreter(const char *name) {
    const char *p = pyname_after_family(name);
    if (!p)
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    /* ABI flags: t free-threaded, d debug, m pymalloc (3.7 and older) */
    for (int i = 0; i < 3 && *p && strchr("tdm", *p); i++)
        p++;
    return *p == '\0';
}

char pyname_lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool pyname_has_prefix_nocase(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++)
        if (pyname_lower(*s) != *prefix)
            return false;
    return true;
}

bool pyname_is_windows_exe(const char *name) {
    if (!pyname_has_prefix_nocase(name, "python"))
        return false;
    const char *p = name + 6;
    if (pyname_lower(*p) == 'w')
        p++;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') /* "3.13", not the "." of ".exe" */
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (pyname_lower(*p) == 't')
        p++;
    if (pyname_has_prefix_nocase(p, "_d"))
        p += 2;
    return pyname_has_prefix_nocase(p, ".exe") && p[4] == '\0';
}
