#include "launcher_win.h"

#include <windows.h>

#include "exec_win.h"
#include "fs.h"
#include "inprocess.h"
#include "msgbox.h"
#include "pathlimit_win.h"
#include "request_win.h"
#include "strbuf.h"
#include "win_util.h"

static bool env_flag(const wchar_t *name) {
    wchar_t v[2];
    DWORD n = GetEnvironmentVariableW(name, v, 2);
    return n > 0; /* set and non-empty (n counts a longer value's size) */
}

void win_launcher_start(void) {
    diag_debug = env_flag(L"PYLAUNCHER_DEBUG");
}

int win_make_plan_for(vs_plan *plan, const char *venv_python, const wchar_t *insert,
                      vs_error *err) {
    static vs_request req;
    win_request(&req, insert);
    int rc = plan_make(&req, plan, err);
    if (rc)
        return rc;
    const char *launcher = venv_python ? venv_python : plan->loc.venv_exe;
    diag_trace(PYVENV_LAUNCHER_VAR " = ", launcher, NULL);
    if (!plan_env_set(plan, PYVENV_LAUNCHER_VAR, launcher))
        return diag_fail(err, EXIT_EXEC_FAILED, "cannot set " PYVENV_LAUNCHER_VAR " to ", launcher,
                         ": the path is too long", NULL);
    return 0;
}

bool win_dry_run(const vs_plan *plan, const wchar_t *insert) {
    if (!env_flag(L"PYLAUNCHER_DRYRUN"))
        return false;
    plan_print(plan, 0, NULL);
    static char line[3 * 32768 + 64], part[3 * 32768];
    strbuf sb;
    sb_init(&sb, line, sizeof line);
    sb_add(&sb, "command line: \"");
    sb_add(&sb, plan->base.binary);
    sb_add(&sb, "\"");
    if (insert && win_narrow(insert, -1, part, sizeof part))
        sb_add(&sb, part);
    if (win_narrow(win_cmdline_tail(GetCommandLineW()), -1, part, sizeof part))
        sb_add(&sb, part);
    sb_add(&sb, "\n");
    fs_write_all(1, line);
    return true;
}

int win_finish(const vs_plan *plan, int rc, const wchar_t *insert, vs_error *err) {
    if (rc == 0 && win_dry_run(plan, insert))
        return 0;
    uint32_t code = 0;
    if (rc == 0)
        rc = win_path_limit(plan, err); /* one process: getpathp truncates it, too */
    if (rc == 0 && !insert)
        win_one_process(plan); /* returns only when it cannot run in this process */
    if (rc == 0)
        rc = win_run(plan, insert, &code, err);
    if (rc == 0)
        ExitProcess(code);
    win_report_error(err); /* stderr, or a message box for a GUI launcher without one */
    return rc;
}
