/* Stand-in for a Windows python.exe in the launcher tests. Reports, as UTF-8
 * lines on stdout: cmdline=<GetCommandLineW()>, module=<its own path>,
 * launcher=<__PYVENV_LAUNCHER__ or "(unset)">, argc=N, argv[i]=... (as
 * CommandLineToArgvW splits them). Then, like CPython, it clears
 * __PYVENV_LAUNCHER__ after reading it. Options after the exit code:
 *   --cat          copy stdin to stdout (no report), for pipe tests
 *   --sleep MS     sleep, then print "woke"
 *   --grandchild   run "<itself> 0" and let it report (to stdout)
 * Exit code: the first argument starting with a digit (decimal or 0x hex), else 0. */
#include <windows.h>
#include <shellapi.h>
#include <stdbool.h>
#include <stdlib.h>
#include <wchar.h>

static HANDLE out;

static void put(const wchar_t *s) {
    char buf[65536];
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, sizeof buf, NULL, NULL);
    DWORD w;
    if (n > 1)
        WriteFile(out, buf, (DWORD)(n - 1), &w, NULL);
}

static void line(const wchar_t *key, const wchar_t *value) {
    put(key);
    put(L"=");
    put(value);
    put(L"\n");
}

static void cat(void) {
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    static char buf[65536];
    DWORD n, w;
    while (ReadFile(in, buf, sizeof buf, &n, NULL) && n > 0)
        if (!WriteFile(out, buf, n, &w, NULL))
            break;
}

static void grandchild(const wchar_t *self) {
    static wchar_t cmd[40000];
    wcscpy(cmd, L"\"");
    wcscat(cmd, self);
    wcscat(cmd, L"\" 0");
    STARTUPINFOW si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    put(L"grandchild:\n");
    if (CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        WaitForSingleObject(pi.hProcess, INFINITE);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
}

int wmain(void) {
    out = GetStdHandle(STD_OUTPUT_HANDLE);
    const wchar_t *cmdline = GetCommandLineW();
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(cmdline, &argc);
    unsigned long code = 0; /* the first argument that is a number (a script path comes first) */
    for (int i = 1; i < argc; i++)
        if (argv[i][0] >= L'0' && argv[i][0] <= L'9') {
            code = wcstoul(argv[i], NULL, 0);
            break;
        }
    bool want_cat = false, want_grandchild = false;
    int sleep_ms = -1;
    for (int i = 2; i < argc; i++) {
        if (wcscmp(argv[i], L"--cat") == 0)
            want_cat = true;
        else if (wcscmp(argv[i], L"--grandchild") == 0)
            want_grandchild = true;
        else if (wcscmp(argv[i], L"--sleep") == 0 && i + 1 < argc)
            sleep_ms = _wtoi(argv[++i]);
    }
    if (want_cat) {
        cat();
        ExitProcess((UINT)code);
    }
    static wchar_t module[40000], launcher[40000];
    DWORD n = GetModuleFileNameW(NULL, module, 40000);
    module[n < 40000 ? n : 0] = 0;
    DWORD ln = GetEnvironmentVariableW(L"__PYVENV_LAUNCHER__", launcher, 40000);
    line(L"cmdline", cmdline);
    line(L"module", module);
    line(L"launcher", ln ? launcher : L"(unset)");
    SetEnvironmentVariableW(L"__PYVENV_LAUNCHER__", NULL); /* as CPython does */
    wchar_t num[16];
    _itow(argc, num, 10);
    line(L"argc", num);
    for (int i = 0; i < argc; i++) {
        wchar_t key[32] = L"argv[";
        _itow(i, key + 5, 10);
        wcscat(key, L"]");
        line(key, argv[i]);
    }
    if (want_grandchild)
        grandchild(module);
    if (sleep_ms >= 0) {
        Sleep((DWORD)sleep_ms);
        put(L"woke\n");
    }
    ExitProcess((UINT)code);
}
