/* See msgbox.h. user32 is loaded only here, at error time, so a launcher
 * that starts normally never maps it (tests/run-windows checks the imports).
 * The box goes through a function pointer: the real MessageBoxW, or the
 * test hook that appends the text to a file. */
#include "msgbox.h"

#include <string.h>
#include <windows.h>

#include "win_util.h"

typedef void (*show_fn)(const wchar_t *text);

static wchar_t wtext[sizeof((vs_error *)0)->text + 2], wlog[WIN_PATH_MAX];

static bool stderr_usable(void) {
    HANDLE h = GetStdHandle(STD_ERROR_HANDLE);
    return h != NULL && h != INVALID_HANDLE_VALUE && GetFileType(h) != FILE_TYPE_UNKNOWN;
}

static void show_box(const wchar_t *text) {
    typedef int(WINAPI * box_fn)(HWND, LPCWSTR, LPCWSTR, UINT);
    HMODULE user32 = LoadLibraryW(L"user32.dll");
    FARPROC proc = user32 ? GetProcAddress(user32, "MessageBoxW") : NULL;
    if (proc)
        ((box_fn)(void (*)(void))proc)(NULL, text, L"venvshim",
                                       MB_OK | MB_ICONERROR | MB_SETFOREGROUND);
}

static void log_box(const wchar_t *text) {
    HANDLE f = CreateFileW(wlog, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return;
    static char utf8[3 * sizeof wtext / sizeof wtext[0]];
    DWORD k;
    if (win_narrow(text, -1, utf8, sizeof utf8))
        WriteFile(f, utf8, (DWORD)strlen(utf8), &k, NULL);
    CloseHandle(f);
}

void win_report_error(const vs_error *err) {
    if (!win_is_gui() || stderr_usable()) {
        diag_print_error(err);
        return;
    }
    show_fn show = show_box;
    DWORD n = GetEnvironmentVariableW(L"VENVSHIM_TEST_MSGBOX_LOG", wlog, WIN_PATH_MAX);
    if (n > 0 && n < WIN_PATH_MAX)
        show = log_box;
    if (win_widen(err->text, wtext, sizeof wtext / sizeof wtext[0]))
        show(wtext);
}
