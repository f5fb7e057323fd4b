/* The one place where a Windows entry point (python.exe redirector, script
 * launcher) builds its vs_request: zeroed, then every field filled from this
 * process -- the interpreter's command line as the child will get it, and
 * PYTHONHOME -- so the relative-home step (relhome.c) sees the same thing
 * from both. No heap: the split arguments live in static buffers. */
#include "request_win.h"

#include <string.h>
#include <windows.h>

#include "win_util.h"

#define MAX_ARGS 8192
static char *args[MAX_ARGS + 1];
static char text[3 * 32768 + MAX_ARGS];
static wchar_t line[32768];

/* The MS C runtime's rule (CommandLineToArgvW for the arguments after
 * argv[0]): blanks split outside quotes, 2n backslashes + '"' give n
 * backslashes and toggle quoting, 2n+1 give n and a literal '"', and "" inside
 * quotes is a literal '"'. Returns argc (args[0] is ""). */
static int split(const wchar_t *p) {
    static wchar_t arg[32768];
    static char empty[1];
    size_t used = 0;
    int argc = 0;
    args[argc++] = empty;
    for (;;) {
        while (*p == L' ' || *p == L'\t')
            p++;
        if (!*p || argc >= MAX_ARGS)
            break;
        size_t n = 0;
        bool quoted = false;
        while (*p && (quoted || (*p != L' ' && *p != L'\t'))) {
            size_t bs = 0;
            while (*p == L'\\') {
                bs++;
                p++;
            }
            if (*p == L'"') {
                for (size_t i = 0; i < bs / 2; i++)
                    arg[n++] = L'\\';
                if (bs % 2) {
                    arg[n++] = L'"';
                } else if (quoted && p[1] == L'"') {
                    arg[n++] = L'"';
                    p++;
                } else {
                    quoted = !quoted;
                }
                p++;
            } else {
                for (size_t i = 0; i < bs; i++)
                    arg[n++] = L'\\';
                if (*p && (quoted || (*p != L' ' && *p != L'\t')))
                    arg[n++] = *p++;
            }
        }
        arg[n] = 0;
        if (!win_narrow(arg, -1, text + used, sizeof text - used))
            break; /* not representable: the options before it still count */
        args[argc++] = text + used;
        used += strlen(text + used) + 1;
    }
    args[argc] = NULL;
    return argc;
}

void win_request(vs_request *req, const wchar_t *insert) {
    memset(req, 0, sizeof *req);
    req->inv.argv0 = NULL; /* Windows: our path comes from GetModuleFileNameW */
    req->inv.path_env = NULL;
    req->has_pyvenv_launcher = false; /* overwritten by the plan, never removed */
    req->traits = platform_traits_current();
    /* what the interpreter will see after its own name: insert + our tail */
    size_t n = 0;
    if (insert) {
        n = wcslen(insert);
        if (n >= sizeof line / sizeof line[0])
            n = 0;
        wmemcpy(line, insert, n);
    }
    const wchar_t *tail = win_cmdline_tail(GetCommandLineW());
    size_t t = wcslen(tail);
    if (n + t >= sizeof line / sizeof line[0])
        t = sizeof line / sizeof line[0] - 1 - n;
    wmemcpy(line + n, tail, t);
    line[n + t] = 0;
    req->argc = split(line);
    req->argv = args;
    /* CPython ignores an empty PYTHONHOME (_Py_GetEnv), so do we */
    wchar_t v[2];
    req->has_pythonhome = GetEnvironmentVariableW(L"PYTHONHOME", v, 2) > 0;
}
