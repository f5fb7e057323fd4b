#include "script.h"

#include <string.h>

#include "fs.h"
#include "payload.h"
#include "strbuf.h"

static long read_file_at(void *ctx, void *buf, size_t n, long long offset) {
    return fs_file_read_at(ctx, buf, n, offset);
}

static payload_status inspect(const char *path, const char **why) {
    fs_file file;
    int error;
    if (!fs_file_open(path, &file, &error))
        return PAYLOAD_NONE; /* exec or python will report a file that cannot be read */
    payload_status st = payload_inspect(read_file_at, &file, file.size, why);
    fs_file_close(&file);
    return st;
}

int script_prepare(vs_location *loc, char *script, vs_error *err) {
    script[0] = '\0';
    const char *why = "";
    payload_status st = inspect(loc->venv_exe, &why);
    if (st == PAYLOAD_NONE)
        return 0;
    if (st == PAYLOAD_CORRUPT)
        return diag_fail(
            err, EXIT_BAD_SCRIPT, loc->venv_exe, " is a venvshim script launcher, but ", why,
            "\nreinstall the package that provides it, or run 'venvshim relocate' on the "
            "virtual environment after restoring a text script",
            NULL);
    sb_copy(script, VS_PATH_MAX, loc->venv_exe);
    diag_trace("script launcher: ", script, " carries a zip archive", NULL);
    /* The interpreter's argv[0] must be the venv's python: Python takes
     * sys.executable from it and the venv from sys.executable. */
    static char bin[VS_PATH_MAX];
    sb_copy(bin, sizeof bin, loc->venv_exe);
    path_dirname(bin);
    static const char *const names[] = {"python", "python3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (path_join(loc->venv_exe, sizeof loc->venv_exe, bin, names[i]) &&
            fs_stat(loc->venv_exe).kind == FS_FILE)
            return 0;
    }
    return diag_fail(err, EXIT_NO_BASE, "script launcher ", script, ": no python or python3 in ",
                     bin, " to run it with",
                     "\nrestore the venv's interpreters: venvshim install <venv>", NULL);
}

static int no_shebang(vs_error *err, const char *self, const char *why) {
    return diag_fail(err, EXIT_NO_SHEBANG, self, why,
                     "\nreinstall the package that made it (pip install --force-reinstall NAME)",
                     NULL);
}

int script_shebang_args(const char *self, char *args, size_t cap, vs_error *err) {
    fs_file file;
    int error;
    if (!fs_file_open(self, &file, &error))
        return no_shebang(err, self, ": cannot read this launcher's own file");
    const char *why = NULL;
    payload_args_status st = payload_script_args(read_file_at, &file, file.size, args, cap, &why);
    fs_file_close(&file);
    if (st == PAYLOAD_ARGS_NO_SCRIPT)
        return no_shebang(err, self,
                          " has no script appended (expected a '#!' line and a zip archive, as pip "
                          "writes them)");
    if (st == PAYLOAD_ARGS_DAMAGED)
        return diag_fail(
            err, EXIT_BAD_SCRIPT, self,
            ": its appended zip archive is damaged (truncated or corrupt)",
            "\nreinstall the package that made it (pip install --force-reinstall NAME)", NULL);
    return st == PAYLOAD_ARGS_BAD ? no_shebang(err, self, why) : 0;
}
