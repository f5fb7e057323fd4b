/* Windows platform step (see exec_win.h). Mirrors CPython's venvlauncher:
 * job with KILL_ON_JOB_CLOSE | SILENT_BREAKAWAY_OK, control events ignored,
 * inheritable duplicates of the std handles, wait, exact exit code. */
#include "exec_win.h"

#include <windows.h>

#include "../fs.h"
#include "win_util.h"

/* 32767 characters is CreateProcessW's limit for a command line. */
static wchar_t cmdline[32768];
static wchar_t app[WIN_PATH_MAX], base[WIN_PATH_MAX]; /* \\?\ form, plain form */
static wchar_t wname[256], wvalue[WIN_PATH_MAX];

const wchar_t *win_cmdline_tail(const wchar_t *cmd) {
    const wchar_t *p = cmd;
    if (*p == L'"') {
        p++;
        while (*p && *p != L'"')
            p++;
        if (*p)
            p++;
    } else {
        while (*p && *p != L' ' && *p != L'\t')
            p++;
    }
    return p;
}

static BOOL WINAPI ignore_ctrl(DWORD event) {
    (void)event;
    return TRUE; /* the child gets the event too and decides; we wait for it */
}

static bool append(size_t *len, const wchar_t *s) {
    size_t n = wcslen(s);
    if (*len + n >= sizeof cmdline / sizeof cmdline[0])
        return false;
    wmemcpy(cmdline + *len, s, n + 1);
    *len += n;
    return true;
}

static int fail_run(vs_error *err, const vs_plan *plan, const char *why) {
    return diag_fail(
        err, EXIT_EXEC_FAILED, "cannot run ", plan->base.binary, " (from ", plan->loc.cfg_path,
        "): ", why,
        "\ncheck that it is a working Python interpreter for this machine, or recreate "
        "the virtual environment",
        NULL);
}

static bool apply_env(const vs_plan *plan) {
    for (int i = 0; i < plan->env_count; i++) {
        if (!win_widen(plan->env[i].name, wname, 256))
            return false;
        if (plan->env[i].value && !win_widen(plan->env[i].value, wvalue, WIN_PATH_MAX))
            return false;
        if (!SetEnvironmentVariableW(wname, plan->env[i].value ? wvalue : NULL) &&
            plan->env[i].value)
            return false;
    }
    return true;
}

static HANDLE inheritable(DWORD which) {
    HANDLE h = GetStdHandle(which), dup = NULL;
    if (h == NULL || h == INVALID_HANDLE_VALUE)
        return h; /* no console, no redirection: the child gets none either */
    if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &dup, 0, TRUE,
                         DUPLICATE_SAME_ACCESS))
        return h; /* console pseudo-handles may refuse; they are inherited anyway */
    return dup;
}

/* GUI build: do something UI-ish, so Explorer drops the "app starting"
 * cursor (bpo-17290). PeekMessage, unlike GetMessage, never blocks. user32
 * is loaded only here, so the console build never pays for it. */
static void drop_busy_cursor(void) {
    typedef BOOL(WINAPI * peek_fn)(MSG *, HWND, UINT, UINT, UINT);
    HMODULE user32 = LoadLibraryW(L"user32.dll");
    FARPROC proc = user32 ? GetProcAddress(user32, "PeekMessageW") : NULL;
    if (proc) {
        MSG msg;
        ((peek_fn)(void (*)(void))proc)(&msg, NULL, 0, 0, PM_NOREMOVE);
    }
}

static HANDLE make_job(void) {
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job)
        return NULL;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION info;
    ZeroMemory(&info, sizeof info);
    info.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof info)) {
        CloseHandle(job);
        return NULL;
    }
    return job;
}

int win_run(const vs_plan *plan, const wchar_t *insert, uint32_t *code, vs_error *err) {
    size_t len = 0;
    if (!win_widen_path(plan->base.binary, app, WIN_PATH_MAX) ||
        !win_widen(plan->base.binary, base, WIN_PATH_MAX))
        return fail_run(err, plan, "the path is not valid UTF-8 or too long");
    if (!append(&len, L"\"") || !append(&len, base) || !append(&len, L"\"") ||
        (insert && !append(&len, insert)) || !append(&len, win_cmdline_tail(GetCommandLineW())))
        return fail_run(err, plan, "the command line is longer than 32767 characters");
    if (!apply_env(plan))
        return fail_run(err, plan, "cannot set its environment");

    if (win_is_gui())
        drop_busy_cursor();
    HANDLE job = make_job();
    if (!job)
        diag_trace("warning: no job object; the interpreter may outlive this launcher", NULL);
    SetConsoleCtrlHandler(ignore_ctrl, TRUE);

    STARTUPINFOW parent, si;
    GetStartupInfoW(&parent);
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES | (parent.dwFlags & STARTF_USESHOWWINDOW);
    si.wShowWindow = parent.wShowWindow;
    si.hStdInput = inheritable(STD_INPUT_HANDLE);
    si.hStdOutput = inheritable(STD_OUTPUT_HANDLE);
    si.hStdError = inheritable(STD_ERROR_HANDLE);

    PROCESS_INFORMATION pi;
    /* suspended until it is in the job, so no grandchild can escape it */
    /* The plain path first (what Windows and Wine accept for a long path
     * when long paths are enabled), then the \\?\ form win_widen_path made. */
    BOOL started =
        CreateProcessW(base, cmdline, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    DWORD e = started ? 0 : GetLastError(); /* the plain path's error is the telling one */
    if (!started && wcscmp(app, base) != 0) {
        started =
            CreateProcessW(app, cmdline, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    }
    if (!started)
        return fail_run(err, plan, fs_error_text((int)e));
    if (job && !AssignProcessToJobObject(job, pi.hProcess))
        diag_trace("warning: cannot put the interpreter in a job object: ",
                   fs_error_text((int)GetLastError()), NULL);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD rc = 1;
    GetExitCodeProcess(pi.hProcess, &rc);
    *code = rc;
    return 0;
}
