/* venvshim.exe create DIR: PYTHON -m venv [options] DIR, then install (as
 * the POSIX create, create.c). The interpreter: --python, else the py
 * launcher's default Python, else python.exe from PATH. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "../fs.h"
#include "../path.h"
#include "../win/win_util.h"
#include "commands.h"
#include "install_win.h"
#include "winproc.h"

/* What CPython 3.13's venv writes (EnvBuilder.create_git_ignore_file). */
static const char scm_ignore_text[] =
    "# Created by venv; see https://docs.python.org/3/library/venv.html\r\n*\r\n";

/* The options passed on to venv as they are. */
static const char *const venv_flags[] = {"--system-site-packages", "--without-pip", "--clear",
                                         "--upgrade-deps"};

static bool is_file(const wchar_t *path) {
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* name in the absolute directories of PATH, in order: never in the current
 * directory, which SearchPathW would look in first, and which an empty, "."
 * or other relative entry (a root-relative "\x" or "C:x" too: the current
 * drive's) would name. An empty App Execution Alias (the Store's python.exe,
 * which opens the Store instead of running Python) is skipped. */
static bool find_on_path(const wchar_t *name, wchar_t *out) {
    static wchar_t path[WIN_PATH_MAX];
    static char narrow[WIN_PATH_MAX * 3];
    DWORD n = GetEnvironmentVariableW(L"PATH", path, WIN_PATH_MAX);
    if (n == 0 || n >= WIN_PATH_MAX)
        return false;
    for (wchar_t *dir = path, *next; dir; dir = next) {
        next = wcschr(dir, L';');
        if (next)
            *next++ = 0;
        if (*dir == L'"') { /* "C:\a;b" is one directory */
            dir++;
            wchar_t *q = wcschr(dir, L'"');
            if (q)
                *q = 0;
        }
        size_t len = wcslen(dir);
        if (len == 0 || len + wcslen(name) + 2 >= WIN_PATH_MAX ||
            !win_narrow(dir, -1, narrow, sizeof narrow) || !path_is_absolute(narrow))
            continue;
        _snwprintf(out, WIN_PATH_MAX, L"%ls%ls%ls", dir,
                   dir[len - 1] == L'\\' || dir[len - 1] == L'/' ? L"" : L"\\", name);
        out[WIN_PATH_MAX - 1] = 0;
        WIN32_FILE_ATTRIBUTE_DATA fa;
        if (!GetFileAttributesExW(out, GetFileExInfoStandard, &fa) ||
            fa.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        if (fa.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT && fa.nFileSizeLow == 0 &&
            fa.nFileSizeHigh == 0)
            continue;
        return true;
    }
    return false;
}

/* The Python `py` runs by default: its sys.executable, asked within the
 * usual limit. False when py is missing or does not answer with a file. */
static bool py_default(wchar_t *py, wchar_t *out) {
    static char answer[RUN_OUTPUT_CAP];
    if (!find_on_path(L"py.exe", py))
        return false;
    const wchar_t *argv[] = {py, L"-c", L"import sys; sys.stdout.write(sys.executable)", NULL};
    int code;
    if (winproc_run_bounded(argv, RUN_LIMIT_MS, answer, sizeof answer, &code) != RUN_OK)
        return false;
    answer[strcspn(answer, "\r\n")] = 0;
    return answer[0] && win_widen(answer, out, WIN_PATH_MAX) && is_file(out);
}

/* Does python's venv take --without-scm-ignore-files (3.13+)? Asked only
 * when that option is given, so such a venv writes no .gitignore either. */
static bool venv_has_scm_option(const wchar_t *python) {
    static char answer[RUN_OUTPUT_CAP];
    const wchar_t *argv[] = {
        python, L"-c",
        L"import sys, venv; sys.exit(not hasattr(venv.EnvBuilder, 'create_git_ignore_file'))",
        NULL};
    int code;
    return winproc_run_bounded(argv, RUN_LIMIT_MS, answer, sizeof answer, &code) == RUN_OK;
}

static bool write_scm_ignore(const wchar_t *wdir) {
    static wchar_t path[WIN_PATH_MAX];
    _snwprintf(path, WIN_PATH_MAX, L"%ls\\.gitignore", wdir);
    path[WIN_PATH_MAX - 1] = 0;
    HANDLE f =
        CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return false;
    DWORD k;
    bool ok = WriteFile(f, scm_ignore_text, sizeof scm_ignore_text - 1, &k, NULL) &&
              k == sizeof scm_ignore_text - 1;
    return CloseHandle(f) && ok;
}

int cmd_create_win(const cli_args *a) {
    static wchar_t wdir[WIN_PATH_MAX], python[WIN_PATH_MAX], py[WIN_PATH_MAX],
        wprompt[WIN_PATH_MAX];
    static char shown[WIN_PATH_MAX * 3];
    const char *dir = a->operand;
    bool quiet = cli_opt(a, "quiet") != NULL;
    if (cli_opt(a, "relocatable"))
        return cli_usage_error(a->cmd,
                               "--relocatable is not available on Windows yet: the Windows "
                               "launchers do not resolve a relative home; create without it");
    if (!win_widen(dir, wdir, WIN_PATH_MAX) || !*dir)
        return cli_error(CLI_FAILED, "%s: not a usable directory name", dir);
    const char *from;
    if (cli_opt(a, "python")) {
        const char *given = cli_opt(a, "python");
        from = "--python";
        if (!win_widen(given, python, WIN_PATH_MAX))
            return cli_error(CLI_FAILED, "--python %s: the path is too long", given);
        /* a bare name is looked up on PATH, as a shell would */
        if (!wcspbrk(python, L"\\/:")) {
            static wchar_t name[WIN_PATH_MAX];
            _snwprintf(name, WIN_PATH_MAX, L"%ls%ls", python, wcschr(python, L'.') ? L"" : L".exe");
            name[WIN_PATH_MAX - 1] = 0;
            if (!find_on_path(name, python))
                return cli_error(CLI_FAILED,
                                 "--python %s: not found on PATH; give the full path of "
                                 "python.exe",
                                 given);
        } else if (!is_file(python)) {
            return cli_error(
                CLI_FAILED, "--python %s: no such file; give the full path of a python.exe", given);
        }
    } else if (py_default(py, python)) {
        from = "the py launcher's default";
    } else if (find_on_path(L"python.exe", python)) {
        from = "python.exe from PATH";
    } else {
        return cli_error(CLI_FAILED,
                         "no Python found: neither py.exe nor python.exe is on PATH; give "
                         "--python C:\\path\\to\\python.exe");
    }
    /* DIR is not judged here: a file, a non-empty directory or an existing
     * venv is venv's to take or refuse, as the POSIX create leaves it. */
    const wchar_t *argv[16];
    static wchar_t flags[4][32];
    int n = 0;
    argv[n++] = python;
    argv[n++] = L"-m";
    argv[n++] = L"venv";
    for (size_t i = 0; i < sizeof venv_flags / sizeof *venv_flags; i++) {
        if (cli_opt(a, venv_flags[i] + 2)) {
            win_widen(venv_flags[i], flags[i], 32);
            argv[n++] = flags[i];
        }
    }
    if (cli_opt(a, "prompt")) {
        if (!win_widen(cli_opt(a, "prompt"), wprompt, WIN_PATH_MAX))
            return cli_error(CLI_FAILED, "--prompt: not valid UTF-8 or too long");
        argv[n++] = L"--prompt";
        argv[n++] = wprompt;
    }
    if (cli_opt(a, "without-scm-ignore-files") && venv_has_scm_option(python))
        argv[n++] = L"--without-scm-ignore-files";
    argv[n++] = wdir;
    argv[n] = NULL;

    win_narrow(python, -1, shown, sizeof shown);
    if (!quiet)
        printf("venvshim: create: %s -m venv %s (the Python: %s)\n", shown, dir, from);
    fflush(stdout);
    unsigned long code;
    if (!winproc_run(argv, quiet, &code))
        return cli_error(CLI_FAILED, "cannot run %s: %s; give --python C:\\path\\to\\python.exe",
                         shown, fs_error_text((int)GetLastError()));
    if (code != 0)
        return cli_error(CLI_FAILED, "'%s -m venv %s' failed (exit status %lu)", shown, dir, code);
    /* Python 3.13's venv writes it itself and takes --without-scm-ignore-files;
     * for older ones create writes it unless asked not to, as on POSIX. */
    if (!cli_opt(a, "without-scm-ignore-files") && !write_scm_ignore(wdir))
        return cli_error(CLI_FAILED,
                         "cannot write %s\\.gitignore: %s (--without-scm-ignore-files skips it)",
                         dir, fs_error_text((int)GetLastError()));
    if (quiet) {
        /* install's summary line goes where venv's output went */
        fflush(stdout);
        if (!freopen("NUL", "w", stdout))
            return cli_error(CLI_FAILED, "cannot silence the output (--quiet)");
    }
    return install_windows_venv(wdir);
}
