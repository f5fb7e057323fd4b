/* venvshim.exe check DIR [--json] [--quiet]: what is wrong with a Windows
 * venv, in the POSIX check's words and formats (findings.h): pyvenv.cfg as
 * the launcher reads it, the base as the launcher resolves it and its
 * version, Scripts\python*.exe, and every console-script launcher's '#!'
 * line and zip. Exit 0 healthy, 1 problems. No --fix on Windows yet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "../cfg.h"
#include "../contract.h"
#include "../locate.h"
#include "../path.h"
#include "../payload.h"
#include "../pyname.h"
#include "../resolve.h"
#include "../strbuf.h"
#include "../win/win_util.h"
#include "commands.h"
#include "findings.h"
#include "install_win.h"
#include "winproc.h"

/* A regular file under 64 MiB (install_win.c reads launchers the same way). */
static unsigned char *read_exe(const char *path, size_t *size) {
    static wchar_t w[WIN_PATH_MAX];
    *size = 0;
    return win_widen_path(path, w, WIN_PATH_MAX) ? win_read_regular_file(w, size) : NULL;
}

static bool has_marker(const unsigned char *d, size_t size) {
    size_t m = strlen(VS_LAUNCHER_MARKER);
    for (size_t i = 0; i + m <= size; i++)
        if (memcmp(d + i, VS_LAUNCHER_MARKER, m) == 0)
            return true;
    return false;
}

/* The error text of the launcher as one line, without its "venvshim: ". */
static void one_line(const char *text, char *out, size_t cap) {
    size_t n = 0;
    for (const char *p = text; *p && n + 4 < cap;) {
        if (strncmp(p, "venvshim: ", 10) == 0) {
            p += 10;
        } else if (*p == '\n') {
            memcpy(out + n, "; ", 2);
            n += 2;
            p++;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = 0;
}

/* pyvenv.cfg found and parsed exactly as the launcher does (the same
 * core reader); false: nothing else can be checked. */
static bool check_cfg(const char *venv, const char *scripts, vs_location *loc, venv_cfg *cfg,
                      report *r) {
    static vs_error err;
    near_status st = locate_read_cfg_near(scripts, loc->cfg_path, loc->cfg_text, &loc->cfg_len,
                                          &loc->cfg_id, &err);
    if (st == NEAR_NONE) {
        report_add(r, "pyvenv.cfg", FIND_PROBLEM, venv,
                   "no pyvenv.cfg in %s or %s: %s is not a virtual environment (create one with: "
                   "venvshim create \"%s\")",
                   scripts, venv, venv, venv);
        return false;
    }
    static char line[sizeof err.text];
    if (st == NEAR_BAD) {
        one_line(err.text, line, sizeof line);
        report_add(r, "pyvenv.cfg", FIND_PROBLEM, loc->cfg_path, "%s (the launcher would exit %d)",
                   line, err.code);
        return false;
    }
    const char *bad = NULL;
    if (cfg_parse(loc->cfg_text, loc->cfg_len, cfg) != CFG_OK)
        bad = "contains NUL bytes: it is not a text file";
    else if (!cfg->home.ptr)
        bad = cfg->bom_hid_home ? "starts with a UTF-8 byte order mark that hides 'home'"
                                : "has no 'home = <directory of the base python>' line";
    if (bad) {
        report_add(r, "pyvenv.cfg", FIND_PROBLEM, loc->cfg_path, "%s %s; recreate the venv",
                   loc->cfg_path, bad);
        return false;
    }
    cfg_value v = cfg->version.ptr ? cfg->version : cfg->version_info;
    report_add(r, "pyvenv.cfg", FIND_OK, loc->cfg_path, "%s: home = %.*s, version %.*s",
               loc->cfg_path, (int)cfg->home.len, cfg->home.ptr, v.ptr ? (int)v.len : 7,
               v.ptr ? v.ptr : "unknown");
    return true;
}

/* X.Y from the pythonXY.dll next to the base (python37.dll, python312.dll;
 * python3.dll is the stable ABI's and says nothing): the cheap evidence. */
static bool dll_version(const char *base, int *major, int *minor, char *dll, size_t cap) {
    static wchar_t pattern[WIN_PATH_MAX];
    static char dir[VS_PATH_MAX];
    sb_copy(dir, sizeof dir, base);
    path_dirname(dir);
    if (!win_widen(dir, pattern, WIN_PATH_MAX - 16))
        return false;
    wcscat(pattern, L"\\python3*.dll");
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(pattern, &fd);
    int found = 0;
    for (bool more = find != INVALID_HANDLE_VALUE; more; more = FindNextFileW(find, &fd)) {
        const wchar_t *d = fd.cFileName + 6; /* after "python" */
        size_t n = wcsspn(d, L"0123456789");
        if (n < 2 || n > 3 || _wcsicmp(d + n, L".dll") != 0)
            continue;
        *major = d[0] - L'0';
        *minor = (int)wcstol(d + 1, NULL, 10);
        win_narrow(fd.cFileName, -1, dll, cap);
        found++;
    }
    if (find != INVALID_HANDLE_VALUE)
        FindClose(find);
    return found == 1;
}

/* "X.Y.Z" of the base, by running it (isolated, no site) for at most
 * RUN_LIMIT_MS; whatever it starts is killed with it. */
static run_status ask_version(const char *base, char *out, size_t cap) {
    static wchar_t wbase[WIN_PATH_MAX];
    static char answer[RUN_OUTPUT_CAP];
    if (!win_widen(base, wbase, WIN_PATH_MAX))
        return RUN_FAILED;
    const wchar_t *argv[] = {
        wbase, L"-I", L"-S", L"-c", L"import sys; print('%d.%d.%d' % sys.version_info[:3])", NULL};
    int code;
    run_status st = winproc_run_bounded(argv, RUN_LIMIT_MS, answer, sizeof answer, &code);
    answer[strcspn(answer, "\r\n")] = 0;
    snprintf(out, cap, "%s", answer);
    return st == RUN_OK && !out[0] ? RUN_FAILED : st;
}

static void check_base(const char *venv, vs_location *loc, const venv_cfg *cfg, report *r) {
    static vs_base base;
    static vs_error err;
    static char line[sizeof err.text];
    if (resolve_base(loc, &base, &err) != 0) {
        one_line(err.text, line, sizeof line);
        report_add(r, "base", FIND_PROBLEM, NULL, "%s (the launcher would exit %d)", line,
                   err.code);
        return;
    }
    const char *exe = base.binary;
    int major, minor;
    if (!cfg_major_minor(cfg, &major, &minor)) {
        report_add(r, "base", FIND_INFO, exe,
                   "%s; pyvenv.cfg records no version, so it cannot be compared", exe);
        return;
    }
    char actual[64], dll[MAX_PATH * 3];
    int amaj = 0, amin = 0;
    run_status st = ask_version(exe, actual, sizeof actual);
    if (st == RUN_TIMEOUT || st == RUN_TOO_MUCH) {
        report_add(r, "base", FIND_PROBLEM, exe,
                   "%s %s when asked its version (killed with what it started): a Python "
                   "interpreter does not; is %s what the venv should run?",
                   exe, st == RUN_TIMEOUT ? "did not answer within 5 s" : "printed 64 KiB or more",
                   exe);
        return;
    }
    if (st == RUN_OK && sscanf(actual, "%d.%d", &amaj, &amin) == 2) {
        if (amaj != major || amin != minor) {
            report_add(r, "base", FIND_PROBLEM, exe,
                       "%s is Python %s but the venv is for %d.%d: recreate it: venvshim create "
                       "--clear --python \"%s\" \"%s\"",
                       exe, actual, major, minor, exe, venv);
            return;
        }
        report_add(r, "base", FIND_OK, exe, "%s is Python %s", exe, actual);
        return;
    }
    /* it could not be run: the DLL's name is the evidence left */
    if (dll_version(exe, &amaj, &amin, dll, sizeof dll)) {
        bool same = amaj == major && amin == minor;
        report_add(r, "base", same ? FIND_OK : FIND_PROBLEM, exe,
                   "%s: Python %d.%d by %s next to it%s%d.%d (it could not be run to ask)", exe,
                   amaj, amin, dll, same ? "; the venv is for " : ", but the venv is for ", major,
                   minor);
        return;
    }
    report_add(r, "base", FIND_INFO, exe,
               "%s: Python %d.%d (no evidence either way; it could not be run to ask)", exe, major,
               minor);
}

/* FindFirstFileW over scripts\<glob>: INVALID_HANDLE_VALUE when nothing
 * matches or the path is too long. */
static HANDLE find_in(const char *scripts, const wchar_t *glob, WIN32_FIND_DATAW *fd) {
    static wchar_t pattern[WIN_PATH_MAX];
    if (!win_widen(scripts, pattern, WIN_PATH_MAX - 16))
        return INVALID_HANDLE_VALUE;
    wcscat(pattern, glob);
    return FindFirstFileW(pattern, fd);
}

/* Scripts\python*.exe: the venvshim launchers, or not (yet). */
static void check_launchers(const char *venv, const char *scripts, report *r) {
    static char name[MAX_PATH * 3], path[VS_PATH_MAX], example[VS_PATH_MAX + 64];
    WIN32_FIND_DATAW fd;
    HANDLE find = find_in(scripts, L"\\python*.exe", &fd);
    int count = 0, ours = 0;
    example[0] = 0;
    for (bool more = find != INVALID_HANDLE_VALUE; more; more = FindNextFileW(find, &fd)) {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY ||
            !win_narrow(fd.cFileName, -1, name, sizeof name) || !pyname_is_windows_exe(name) ||
            !path_join(path, sizeof path, scripts, name))
            continue;
        count++;
        size_t size;
        unsigned char *data = read_exe(path, &size);
        if (data && has_marker(data, size))
            ours++;
        else if (!example[0])
            snprintf(example, sizeof example, "Scripts\\%s is %s", name,
                     data ? "not a venvshim launcher" : "not a readable regular file");
        free(data);
    }
    if (find != INVALID_HANDLE_VALUE)
        FindClose(find);
    if (count == 0)
        report_add(r, "launcher", FIND_PROBLEM, scripts,
                   "%s has no python.exe or pythonw.exe; recreate the venv", scripts);
    else if (ours == 0)
        report_add(r, "launcher", FIND_INFO, scripts,
                   "not a venvshim venv (%s); 'venvshim install \"%s\"' adds the launchers",
                   example, venv);
    else if (ours < count)
        report_add(r, "launcher", FIND_PROBLEM, scripts,
                   "%d of %d interpreters in %s are not venvshim launchers (%s); 'venvshim install "
                   "\"%s\"' puts them back",
                   count - ours, count, scripts, example, venv);
    else
        report_add(r, "launcher", FIND_OK, scripts, "%d interpreter%s in %s %s venvshim launcher%s",
                   count, count == 1 ? "" : "s", scripts, count == 1 ? "is a" : "are",
                   count == 1 ? "" : "s");
}

/* Every other Scripts\*.exe with a zip appended: a console-script launcher,
 * read as the script launcher reads itself (payload.h). */
static void check_scripts(const char *venv, const char *scripts, report *r) {
    static char name[MAX_PATH * 3], path[VS_PATH_MAX], args[4096];
    WIN32_FIND_DATAW fd;
    HANDLE find = find_in(scripts, L"\\*.exe", &fd);
    int good = 0, foreign = 0;
    for (bool more = find != INVALID_HANDLE_VALUE; more; more = FindNextFileW(find, &fd)) {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY ||
            !win_narrow(fd.cFileName, -1, name, sizeof name) || pyname_is_windows_exe(name) ||
            !path_join(path, sizeof path, scripts, name))
            continue;
        size_t size;
        unsigned char *data = read_exe(path, &size);
        if (!data)
            continue;
        payload_memory mem = {data, size};
        const char *why = NULL;
        payload_args_status st = payload_script_args(payload_read_memory, &mem, (long long)size,
                                                     args, sizeof args, &why);
        bool ours = has_marker(data, size);
        free(data);
        if (st == PAYLOAD_ARGS_NO_SCRIPT)
            continue; /* a plain program: not ours to judge */
        if (st == PAYLOAD_ARGS_OK) {
            good += ours;
            foreign += !ours;
            continue;
        }
        report_add(r, "script", FIND_PROBLEM, path,
                   "%s%s (the script launcher would exit %d); reinstall the package that made it "
                   "(pip install --force-reinstall)",
                   path,
                   st == PAYLOAD_ARGS_DAMAGED ? ": its appended zip is damaged (truncated?)"
                   : why                      ? why
                                              : ": no usable '#!' line",
                   st == PAYLOAD_ARGS_DAMAGED ? EXIT_BAD_SCRIPT : EXIT_NO_SHEBANG);
    }
    if (find != INVALID_HANDLE_VALUE)
        FindClose(find);
    if (good)
        report_add(r, "script", FIND_OK, scripts, "%d console-script launcher%s in %s %s sound",
                   good, good == 1 ? "" : "s", scripts, good == 1 ? "is" : "are");
    if (foreign)
        report_add(r, "script", FIND_INFO, scripts,
                   "%d console-script launcher%s in %s %s not venvshim's; 'venvshim install "
                   "\"%s\"' gives them the script launcher",
                   foreign, foreign == 1 ? "" : "s", scripts, foreign == 1 ? "is" : "are", venv);
}

int cmd_check_win(const cli_args *a) {
    static wchar_t wdir[WIN_PATH_MAX], full[WIN_PATH_MAX];
    static char venv[VS_PATH_MAX], scripts[VS_PATH_MAX];
    static vs_location loc;
    if (cli_opt(a, "fix"))
        return cli_usage_error(a->cmd, "--fix is not available on Windows yet; 'venvshim install "
                                       "DIR' re-installs the launchers");
    bool json = cli_opt(a, "json") != NULL, quiet = cli_opt(a, "quiet") != NULL;
    report r = {0};
    report_fix_hint = ""; /* no --fix here (yet) */
    DWORD n = win_widen(a->operand, wdir, WIN_PATH_MAX)
                  ? GetFullPathNameW(wdir, WIN_PATH_MAX, full, NULL)
                  : 0;
    DWORD attr = n && n < WIN_PATH_MAX ? GetFileAttributesW(full) : INVALID_FILE_ATTRIBUTES;
    venv_cfg cfg;
    if (n == 0 || n >= WIN_PATH_MAX || !win_narrow(full, -1, venv, sizeof venv)) {
        snprintf(venv, sizeof venv, "%s", a->operand);
        report_add(&r, "pyvenv.cfg", FIND_PROBLEM, a->operand, "%s: the path is too long",
                   a->operand);
    } else if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
        report_add(&r, "pyvenv.cfg", FIND_PROBLEM, venv, "%s: %s", venv,
                   attr == INVALID_FILE_ATTRIBUTES ? "no such directory" : "not a directory");
    } else {
        path_strip_trailing_sep(venv);
        if (!path_join(scripts, sizeof scripts, venv, "Scripts") ||
            !path_join(loc.venv_exe, sizeof loc.venv_exe, scripts, "python.exe"))
            report_add(&r, "pyvenv.cfg", FIND_PROBLEM, venv, "%s: the path is too long", venv);
        else if (check_cfg(venv, scripts, &loc, &cfg, &r)) {
            check_base(venv, &loc, &cfg, &r);
            check_launchers(venv, scripts, &r);
            check_scripts(venv, scripts, &r);
        }
    }
    if (json)
        report_print_json(&r, venv, stdout);
    else if (!quiet)
        report_print_text(&r, venv, stdout);
    int rc = report_count(&r, FIND_PROBLEM) ? CLI_FAILED : CLI_OK;
    report_free(&r);
    return rc;
}
