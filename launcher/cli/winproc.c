/* Running programs from venvshim.exe: see winproc.h. */
#include "winproc.h"

#include <string.h>
#include <windows.h>

#define TICK_MS 10

static bool put(wchar_t *out, size_t cap, size_t *len, wchar_t c, size_t times) {
    if (*len + times >= cap)
        return false;
    for (size_t i = 0; i < times; i++)
        out[(*len)++] = c;
    out[*len] = 0;
    return true;
}

/* The MS C runtime's rule, inverted: backslashes are literal unless they come
 * before a '"'; then 2n of them give n, and 2n+1 give n and a literal '"'. */
static bool quote_arg(const wchar_t *a, wchar_t *out, size_t cap, size_t *len) {
    if (*a && !wcspbrk(a, L" \t\n\v\"")) {
        for (; *a; a++)
            if (!put(out, cap, len, *a, 1))
                return false;
        return true;
    }
    if (!put(out, cap, len, L'"', 1))
        return false;
    for (;; a++) {
        size_t slashes = 0;
        while (*a == L'\\') {
            slashes++;
            a++;
        }
        if (!*a) /* doubled: the closing quote must stay a quote */
            return put(out, cap, len, L'\\', 2 * slashes) && put(out, cap, len, L'"', 1);
        if (*a == L'"') {
            if (!put(out, cap, len, L'\\', 2 * slashes + 1) || !put(out, cap, len, L'"', 1))
                return false;
        } else if (!put(out, cap, len, L'\\', slashes) || !put(out, cap, len, *a, 1)) {
            return false;
        }
    }
}

bool winproc_cmdline(const wchar_t *const argv[], wchar_t *out, size_t cap) {
    size_t len = 0;
    if (cap == 0)
        return false;
    out[0] = 0;
    for (int i = 0; argv[i]; i++)
        if ((i > 0 && !put(out, cap, &len, L' ', 1)) || !quote_arg(argv[i], out, cap, &len))
            return false;
    return true;
}

static wchar_t cmdline[32768]; /* CreateProcessW's limit */

static HANDLE open_nul(DWORD access) {
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    return CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0,
                       NULL);
}

static HANDLE inheritable(HANDLE h) {
    HANDLE copy = NULL;
    if (h && h != INVALID_HANDLE_VALUE)
        DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, 0, TRUE,
                        DUPLICATE_SAME_ACCESS);
    return copy;
}

static bool start(const wchar_t *const argv[], HANDLE in, HANDLE out, HANDLE err, DWORD flags,
                  PROCESS_INFORMATION *pi) {
    if (!winproc_cmdline(argv, cmdline, sizeof cmdline / sizeof cmdline[0])) {
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return false;
    }
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in;
    si.hStdOutput = out;
    si.hStdError = err;
    memset(pi, 0, sizeof *pi);
    /* the application name is given: CreateProcessW never searches for argv[0] */
    return CreateProcessW(argv[0], cmdline, NULL, NULL, TRUE, flags, NULL, NULL, &si, pi);
}

bool winproc_run(const wchar_t *const argv[], bool quiet_stdout, unsigned long *code) {
    HANDLE in = inheritable(GetStdHandle(STD_INPUT_HANDLE));
    HANDLE out =
        quiet_stdout ? open_nul(GENERIC_WRITE) : inheritable(GetStdHandle(STD_OUTPUT_HANDLE));
    HANDLE err = inheritable(GetStdHandle(STD_ERROR_HANDLE));
    PROCESS_INFORMATION pi;
    bool ok = start(argv, in, out, err, 0, &pi);
    DWORD saved = GetLastError();
    HANDLE mine[] = {in, out, err};
    for (int i = 0; i < 3; i++)
        if (mine[i] && mine[i] != INVALID_HANDLE_VALUE)
            CloseHandle(mine[i]);
    if (!ok) {
        SetLastError(saved);
        return false;
    }
    CloseHandle(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD c = 1;
    GetExitCodeProcess(pi.hProcess, &c);
    CloseHandle(pi.hProcess);
    *code = c;
    return true;
}

run_status winproc_run_bounded(const wchar_t *const argv[], int limit_ms, char *out, size_t cap,
                               int *exit_code) {
    *exit_code = -1;
    out[0] = 0;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE rd = NULL, wr = NULL, nul_in = open_nul(GENERIC_READ), nul_err = open_nul(GENERIC_WRITE);
    HANDLE job = CreateJobObjectW(NULL, NULL);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    memset(&lim, 0, sizeof lim);
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    PROCESS_INFORMATION pi;
    run_status st = RUN_FAILED;
    if (!job ||
        !SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof lim) ||
        !CreatePipe(&rd, &wr, &sa, 0) || !SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0) ||
        !start(argv, nul_in, wr, nul_err, CREATE_SUSPENDED, &pi))
        goto done;
    if (!AssignProcessToJobObject(job, pi.hProcess)) {
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        goto done;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    CloseHandle(wr);
    wr = NULL;
    size_t len = 0;
    DWORD start_tick = GetTickCount();
    st = RUN_TIMEOUT;
    for (;;) {
        DWORD avail = 0, got = 0;
        while (PeekNamedPipe(rd, NULL, 0, NULL, &avail, NULL) && avail > 0) {
            if (len + 1 >= cap) {
                st = RUN_TOO_MUCH;
                break;
            }
            DWORD want = (DWORD)(cap - 1 - len) < avail ? (DWORD)(cap - 1 - len) : avail;
            if (!ReadFile(rd, out + len, want, &got, NULL) || got == 0)
                break;
            len += got;
        }
        if (st == RUN_TOO_MUCH)
            break;
        if (WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0) {
            /* what it wrote before exiting is in the pipe now */
            while (PeekNamedPipe(rd, NULL, 0, NULL, &avail, NULL) && avail > 0 && len + 1 < cap &&
                   ReadFile(rd, out + len,
                            (DWORD)(cap - 1 - len) < avail ? (DWORD)(cap - 1 - len) : avail, &got,
                            NULL) &&
                   got > 0)
                len += got;
            DWORD c = 1;
            GetExitCodeProcess(pi.hProcess, &c);
            *exit_code = (int)c;
            st = c == 0 ? RUN_OK : RUN_FAILED;
            break;
        }
        if ((int)(GetTickCount() - start_tick) >= limit_ms)
            break;
        Sleep(TICK_MS);
    }
    out[len] = 0;
    TerminateJobObject(job, 1); /* the program, if still running, and all it started */
    CloseHandle(pi.hProcess);
done:;
    HANDLE all[] = {rd, wr, nul_in, nul_err, job};
    for (int i = 0; i < 5; i++)
        if (all[i] && all[i] != INVALID_HANDLE_VALUE)
            CloseHandle(all[i]);
    return st;
}
