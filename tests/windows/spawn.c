/* Test driver: run the exact command line in %RAW_CMDLINE% (std handles
 * inherited) and print "exit=<the child's 32-bit exit code>", which the
 * POSIX side of Wine cannot see (it keeps only the low 8 bits). */
#include <windows.h>
#include <stdio.h>

int wmain(void) {
    static wchar_t cmd[32768];
    if (!GetEnvironmentVariableW(L"RAW_CMDLINE", cmd, 32768)) {
        fputs("spawn: RAW_CMDLINE is not set\n", stderr);
        return 2;
    }
    STARTUPINFOW si = {.cb = sizeof si};
    /* NO_STDERR=1: start it as a double-click would leave it, no stderr */
    if (GetEnvironmentVariableW(L"NO_STDERR", NULL, 0)) {
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
        si.hStdError = NULL;
    }
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        printf("spawn-failed=%lu\n", GetLastError());
        return 2;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    printf("exit=%lu\n", (unsigned long)code);
    return 0;
}
