#include "script.h"

#include <string.h>

#include "fs.h"
#include "payload.h"
#include "pip_hook.h"
#include "pyname.h"
#include "strbuf.h"

static long read_file_at(void *ctx, void *buf, size_t n, long long offset) {
    return fs_file_read_at(ctx, buf, n, offset);
}

/* Inspect the launcher's own file; a stored __main__.py small enough to be
 * a -c program is read into script->text (kind SCRIPT_TEXT). */
static payload_status inspect(vs_script *script, const char **why) {
    fs_file file;
    int error;
    if (!fs_file_open(script->self, &file, &error))
        return PAYLOAD_NONE; /* exec or python will report a file that cannot be read */
    payload_entry main;
    payload_status st = payload_inspect_main(read_file_at, &file, file.size, &main, why);
    script->kind = SCRIPT_ZIP;
    /* Only a text script relocate or the pip-exit hook wrote (marked, and
     * __main__.py alone): a zipapp's __main__.py imports its neighbours from
     * the archive and knows itself as <archive>/__main__.py. */
    if (st == PAYLOAD_ZIP && main.text_mark && main.entries == 1 && main.data_at > 0 &&
        main.method == 0 && main.csize == main.usize && main.csize <= sizeof script->text &&
        fs_file_read_at(&file, script->text, (size_t)main.csize, main.data_at) ==
            (long)main.csize) {
        script->text_len = (size_t)main.csize;
        script->kind = SCRIPT_TEXT;
    }
    fs_file_close(&file);
    return st;
}

/* The file name of the interpreter a text script's `#!` line names, when it
 * is an interpreter's name ("" otherwise: pip's /bin/sh form, a zip). */
static void shebang_name(const vs_script *script, char *out, size_t cap) {
    out[0] = '\0';
    if (script->kind != SCRIPT_TEXT || script->text_len < 3 || memcmp(script->text, "#!", 2) != 0)
        return;
    size_t first = 2; /* the kernel skips blanks after #! */
    while (first < script->text_len && (script->text[first] == ' ' || script->text[first] == '\t'))
        first++;
    size_t end = first;
    while (end < script->text_len && script->text[end] != '\n' && script->text[end] != ' ' &&
           script->text[end] != '\t' && script->text[end] != '\r')
        end++;
    size_t start = end;
    while (start > first && script->text[start - 1] != '/')
        start--;
    if (end - start == 0 || end - start >= cap)
        return;
    memcpy(out, script->text + start, end - start);
    out[end - start] = '\0';
    if (!pyname_is_interpreter(out))
        out[0] = '\0';
}

int script_prepare(vs_location *loc, vs_script *script, vs_error *err) {
    script->kind = SCRIPT_NONE;
    sb_copy(script->self, sizeof script->self, loc->venv_exe);
    const char *why = "";
    payload_status st = inspect(script, &why);
    if (st == PAYLOAD_NONE) {
        script->kind = SCRIPT_NONE;
        return 0;
    }
    if (st == PAYLOAD_CORRUPT)
        return diag_fail(
            err, EXIT_BAD_SCRIPT, loc->venv_exe, " is a venvshim script launcher, but ", why,
            "\nreinstall the package that provides it, or run 'venvshim relocate' on the "
            "virtual environment after restoring a text script",
            NULL);
    diag_trace("script launcher: ", script->self, " carries a zip archive", NULL);
    /* The interpreter's argv[0] must be the venv's python: Python takes
     * sys.executable from it and the venv from sys.executable. */
    static char bin[VS_PATH_MAX];
    sb_copy(bin, sizeof bin, loc->venv_exe);
    path_dirname(bin);
    static char named[64];
    shebang_name(script, named, sizeof named);
    /* the #! line's own name (python3.12, pypy3), as a `#!` start would give */
    const char *names[] = {named, "python", "python3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i][0] && path_join(loc->venv_exe, sizeof loc->venv_exe, bin, names[i]) &&
            fs_stat(loc->venv_exe).kind == FS_FILE)
            return 0;
    }
    return diag_fail(err, EXIT_NO_BASE, "script launcher ", script->self,
                     ": no python or python3 in ", bin, " to run it with",
                     "\nrestore the venv's interpreters: venvshim install <venv>", NULL);
}

/* cwd + "/" + path, as _Py_abspath joins them (a CWD of "/" gives "//"). */
static bool join_verbatim(char *out, size_t cap, const char *cwd, const char *path) {
    strbuf sb;
    sb_init(&sb, out, cap);
    sb_add(&sb, cwd);
    sb_add(&sb, "/");
    sb_add(&sb, path);
    return !sb.overflow;
}

/* PyPy's sys.path[0] for a script: from its absolute path, each symlink to
 * the file followed (a relative target joined to the link's directory),
 * normalised lexically, not a realpath: directory links stay. */
static bool pypy_path0(const char *file, char *out) {
    static char target[VS_PATH_MAX], next[VS_PATH_MAX];
    if (!sb_copy(out, VS_PATH_MAX, file))
        return false;
    for (int hop = 0; hop < MAX_SYMLINK_HOPS && fs_readlink(out, target, sizeof target, NULL) >= 0;
         hop++) {
        path_dirname(out);
        if (!path_absolute(next, sizeof next, out, target))
            return false;
        sb_copy(out, VS_PATH_MAX, next);
    }
    return true;
}

static void run_as_zip(vs_script *script, const char *why) {
    script->kind = SCRIPT_ZIP;
    diag_trace("script launcher: runs its zip (", why, ")", NULL);
}

void script_plan_text(vs_script *script, const vs_location *loc, const char *argv0,
                      const vs_base *base, bool safe_path) {
    if (script->kind != SCRIPT_TEXT)
        return;
    int minor = base->venv_minor;
    if (base->venv_major != 3) {
        run_as_zip(script, "pyvenv.cfg names no Python 3 version");
        return;
    }
    const char *family = pyname_family(path_basename(base->binary));
    bool pypy = family && strcmp(family, "pypy") == 0;
    if (!family) {
        run_as_zip(script, "the base is neither python nor pypy by its name");
        return;
    }
    const char *why = script_text_unusable(script->text, script->text_len);
    if (why) {
        run_as_zip(script, why);
        return;
    }
    /* A: what the kernel passes a `#!` interpreter as the script's path, the
     * path exec was given: argv[0] when it holds a '/', else the PATH hit. */
    script->shown = loc->invoked_as_argv0 ? argv0
                    : loc->has_invoked    ? loc->invoked
                                          : script->self; /* venv_exe before script_prepare */
    /* F (Modules/main.c, config->run_filename): as given before 3.9, made
     * absolute (the CWD joined, not normalised: Python/fileutils.c
     * _Py_abspath) from 3.9; PyPy: os.path.abspath, normalised. */
    static char cwd[VS_PATH_MAX];
    bool relative = !path_is_absolute(script->shown);
    if (relative && !fs_getcwd(cwd, sizeof cwd)) {
        run_as_zip(script, "the current directory is gone");
        return;
    }
    bool made = true;
    if (pypy)
        made = path_absolute(script->file, sizeof script->file, cwd, script->shown);
    else if (relative && minor >= 9)
        made = join_verbatim(script->file, sizeof script->file, cwd, script->shown);
    else
        made = sb_copy(script->file, sizeof script->file, script->shown);
    /* D (Python/pathconfig.c _PyPathConfig_ComputeSysPath0): the directory of
     * the script's real path; PyPy: of F with the file's own links followed. */
    if (pypy)
        made = made && pypy_path0(script->file, script->path0);
    else if (!fs_realpath(script->shown, script->path0))
        made = made && sb_copy(script->path0, sizeof script->path0, script->shown);
    if (!made) {
        run_as_zip(script, "a path is too long");
        return;
    }
    path_dirname(script->path0);
    script_prelude p = {.set_path0 = !(safe_path && minor >= 11),
                        .name_code = !pypy && minor >= 10,
                        .pip_hook = pip_hook_is_pip_script(path_basename(script->self)) &&
                                    pip_hook_present(loc, base)};
    if (!script_text_program(script->program, sizeof script->program, script->text,
                             script->text_len, p)) {
        run_as_zip(script, "its text is too long");
        return;
    }
    diag_trace("script launcher: runs its text as the -c program (sys.argv[0] ", script->shown, ")",
               NULL);
}

int script_argv(const vs_script *script, const char *argv0, int argc, char **argv, char **out) {
    int n = 0;
    out[n++] = (char *)argv0;
    if (script->kind == SCRIPT_TEXT) {
        out[n++] = "-c";
        out[n++] = (char *)script->program;
        out[n++] = (char *)script->shown;
        out[n++] = (char *)script->file;
        out[n++] = (char *)script->path0;
    } else {
        out[n++] = (char *)script->self;
    }
    for (int i = 1; i < argc; i++)
        out[n++] = argv[i];
    out[n] = NULL;
    return n;
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
