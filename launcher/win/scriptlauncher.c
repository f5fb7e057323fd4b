/* scriptlauncher.exe / scriptwlauncher.exe: a console script (pip.exe, ...)
 * in a venv's Scripts\ directory. Where pip's launcher starts
 * Scripts\python.exe, which starts the base (three processes), this starts
 * the base interpreter directly with venv semantics (two processes):
 *   "<home>\python.exe" [#! args] "<this .exe>" <raw tail of our command line>
 * with __PYVENV_LAUNCHER__ = Scripts\python.exe (pythonw.exe for the GUI
 * build), so sys.executable is the venv's python. The venv is the one this
 * file sits in; the '#!' line's interpreter is not used (it may be stale
 * after a move), only its arguments. */
#include <windows.h>

#include "../contract.h"
#include "../script.h"
#include "../fs.h"
#include "launcher_win.h"
#include "strbuf.h"
#include "win_util.h"

/* `venvshim install` recognises a launcher by this string. */
__attribute__((used)) static const char launcher_marker[] = VS_LAUNCHER_MARKER VENVSHIM_VERSION;

int wmain(void) {
    static vs_plan plan;
    static vs_error err;
    static wchar_t self[WIN_PATH_MAX], insert[3 * 4096 + WIN_PATH_MAX];
    static char self_utf8[VS_PATH_MAX], venv_python[VS_PATH_MAX], args[4096];
    win_launcher_start();

    DWORD n = GetModuleFileNameW(NULL, self, WIN_PATH_MAX);
    int rc = 0;
    if (n == 0 || n >= WIN_PATH_MAX || !fs_self_exe(self_utf8, sizeof self_utf8))
        rc = diag_fail(&err, EXIT_NO_CFG, "cannot tell where this launcher is", NULL);
    if (rc == 0)
        rc = script_shebang_args(self_utf8, args, sizeof args, &err);
    if (rc == 0) {
        sb_copy(venv_python, sizeof venv_python, self_utf8);
        path_dirname(venv_python);
        if (!path_join(venv_python, sizeof venv_python, venv_python,
                       win_is_gui() ? "pythonw.exe" : "python.exe"))
            rc = diag_fail(&err, EXIT_NO_CFG, "the launcher's path is too long: ", self_utf8, NULL);
    }
    if (rc == 0) {
        /* " <args> "<self>"": the script is this file, run as a zip archive */
        static char ins[sizeof insert];
        strbuf sb;
        sb_init(&sb, ins, sizeof ins);
        if (args[0]) {
            sb_add(&sb, " ");
            sb_add(&sb, args);
        }
        sb_add(&sb, " \"");
        sb_add(&sb, self_utf8);
        sb_add(&sb, "\"");
        if (sb.overflow || !win_widen(ins, insert, sizeof insert / sizeof insert[0]))
            rc = diag_fail(&err, EXIT_NO_SHEBANG, "the '#!' line of ", self_utf8,
                           " is not valid UTF-8 or too long", NULL);
    }
    if (rc == 0)
        rc = win_make_plan_for(&plan, venv_python, insert, &err);
    /* CPython takes sys.executable and the venv from __PYVENV_LAUNCHER__: a
     * launcher outside Scripts\, or a venv without its python.exe, would run
     * with a sys.executable that does not exist (and maybe the wrong prefix). */
    if (rc == 0 && fs_stat(venv_python).kind != FS_FILE)
        rc = diag_fail(&err, EXIT_NO_BASE, self_utf8, " must sit next to its venv's ",
                       path_basename(venv_python), ", but ", venv_python, " is missing",
                       "\nmove it back into the venv's Scripts directory, or restore that file "
                       "(venvshim install VENV)",
                       NULL);
    return win_finish(&plan, rc, insert, &err);
}
