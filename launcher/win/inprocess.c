/* One process instead of two. The venv's Scripts\python.exe loads
 * home\pythonXY.dll (the DLL of the venv's version: pyvenv.cfg `version`;
 * pythonXYt.dll when the base is free-threaded) and calls Py_Main with our own
 * argv. CPython then computes everything from GetModuleFileNameW(NULL), this
 * file, exactly as for a venv holding a copy of python.exe: PC/getpathp.c
 * reads ..\pyvenv.cfg `home`, site.py sets sys.prefix to the venv. So the
 * PID the caller started is the Python process, and nothing sits between it
 * and its console, job or parent.
 *
 * Only with VENVSHIM_ONE_PROCESS=1 (and VENVSHIM_TWO_PROCESS unset). Not
 * possible (the caller falls back to the two-process redirect, before
 * anything ran): no `version`; a nested venv or a
 * relative home (getpath would look for the stdlib next to the other venv or
 * the CWD); a debug (_d) base; the DLL missing, unloadable, another version,
 * or without Py_Main (not CPython). */
#include "inprocess.h"

#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "path.h"
#include "strbuf.h"
#include "win_util.h"

typedef int(__cdecl *py_main_fn)(int, wchar_t **);
typedef const char *(__cdecl *py_version_fn)(void);
typedef void *(WINAPI *add_dll_dir_fn)(const wchar_t *);

static bool env_set(const wchar_t *name) {
    wchar_t v[2];
    return GetEnvironmentVariableW(name, v, 2) > 0;
}

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* python.exe / pythonw.exe -> ""; python3.13t.exe / pythonw3.13t.exe -> "t";
 * anything else (python_d.exe, ...) -> NULL: not a build we load. */
static const char *abi_suffix(const char *name) {
    const char *p = name + 6;
    if (lower(*p) == 'w')
        p++;
    if (lower(p[0]) == '.' && lower(p[1]) == 'e')
        return "";
    while ((*p >= '0' && *p <= '9') || *p == '.')
        p++;
    return lower(*p) == 't' && lower(p[1]) == '.' ? "t" : NULL;
}

static wchar_t wdir[WIN_PATH_MAX], wdll[WIN_PATH_MAX];

static bool add_dir(add_dll_dir_fn add, const char *dir) {
    if (!win_widen(dir, wdir, WIN_PATH_MAX))
        return false;
    if (GetFileAttributesW(wdir) == INVALID_FILE_ATTRIBUTES)
        return true; /* gone: loading the DLL below fails and says so */
    return !add || add(wdir) != NULL;
}

bool win_one_process(const vs_plan *plan) {
    /* Opt-in for now: on 3.7-3.10, getpath gives sys._base_executable = this
     * file in one process, not the base's python.exe (docs/windows.md). */
    if (!env_set(L"VENVSHIM_ONE_PROCESS") || env_set(L"VENVSHIM_TWO_PROCESS"))
        return false;
    if (plan->base.chain_depth > 0 || plan->base.home_relative) {
        diag_trace("two processes: a nested venv or a relative home", NULL);
        return false;
    }
    int major = plan->base.venv_major, minor = plan->base.venv_minor;
    const char *suffix = abi_suffix(path_basename(plan->base.binary));
    if (major != 3 || !suffix) {
        diag_trace("two processes: no 'version' in pyvenv.cfg, or not a python[w].exe base", NULL);
        return false;
    }
    static char home[VS_PATH_MAX], dll[VS_PATH_MAX], xy[16];
    sb_copy(home, sizeof home, plan->base.binary);
    path_dirname(home);
    strbuf sb;
    sb_init(&sb, xy, sizeof xy);
    sb_add_int(&sb, major);
    sb_add(&sb, ".");
    sb_add_int(&sb, minor);
    sb_init(&sb, dll, sizeof dll);
    sb_add(&sb, home);
    sb_add(&sb, "\\python3");
    sb_add_int(&sb, minor);
    sb_add(&sb, suffix);
    sb_add(&sb, ".dll");
    if (sb.overflow || !win_widen_path(dll, wdll, WIN_PATH_MAX) ||
        GetFileAttributesW(wdll) == INVALID_FILE_ATTRIBUTES) {
        diag_trace("two processes: no ", dll, NULL);
        return false;
    }
    /* Extension modules: 3.8+ load them with LOAD_LIBRARY_SEARCH_DEFAULT_DIRS
     * (the AddDllDirectory list, not our Scripts\ for DLLs that sit in
     * home, such as the vcruntime140_1.dll of later x64 releases); 3.7 with
     * the altered search path, which includes the SetDllDirectory folder.
     * home serves both, as the application folder does for the base's own
     * python.exe; home\DLLs is not added: the base's python.exe does not
     * search it either (a .pyd there finds its neighbours through its own
     * folder), so a third-party extension finds the same DLLs in both
     * modes. python3.dll (abi3 extensions) CPython
     * loads itself from next to pythonXY.dll before the first extension
     * module (_Py_CheckPython3: PC/getpathp.c to 3.10, Python/dynload_win.c
     * 3.11+); check_real.py tests it. */
    add_dll_dir_fn add = (add_dll_dir_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"kernel32.dll"), "AddDllDirectory");
    if (!add_dir(add, home) || !SetDllDirectoryW(wdir)) {
        diag_trace("two processes: cannot add ", home, " to the DLL search path", NULL);
        return false;
    }
    HMODULE py = LoadLibraryExW(wdll, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    FARPROC main_proc = py ? GetProcAddress(py, "Py_Main") : NULL;
    FARPROC version_proc = py ? GetProcAddress(py, "Py_GetVersion") : NULL;
    const char *version = version_proc ? ((py_version_fn)(void (*)(void))version_proc)() : "";
    size_t n = strlen(xy);
    if (!main_proc || strncmp(version, xy, n) != 0 || (version[n] >= '0' && version[n] <= '9')) {
        diag_trace("two processes: ", dll, py ? " is not CPython " : " cannot be loaded",
                   py ? xy : "", NULL);
        if (py)
            FreeLibrary(py);
        SetDllDirectoryW(NULL);
        return false;
    }
    diag_trace("one process: Py_Main from ", dll, NULL);
    /* CPython computes sys.executable from this file; an inherited
     * __PYVENV_LAUNCHER__ (our own plan sets one for a child) would override it. */
    SetEnvironmentVariableW(L"__PYVENV_LAUNCHER__", NULL);
    int rc = ((py_main_fn)(void (*)(void))main_proc)(__argc, __wargv);
    ExitProcess((UINT)rc);
}
