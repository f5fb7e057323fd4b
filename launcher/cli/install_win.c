/* venvshim.exe install DIR (see install_win.h). It first resolves the venv
 * exactly as the launcher will and refuses, changing nothing, when that
 * fails. Then every Scripts\python*.exe / pythonw*.exe becomes the console /
 * GUI redirector, and every pip console-script launcher keeps its '#!' line
 * and zip but gets the venvshim script launcher (console or GUI, as the old
 * one was) in front. Each file is replaced through a temporary file and
 * MoveFileExW, so it is always the old or the new one. Running it again
 * gives the same result. */
#include "install_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "../cfg.h"
#include "../contract.h"
#include "../locate.h"
#include "../payload.h"
#include "../pyname.h"
#include "../resolve.h"
#include "../strbuf.h"
#include "../win/win_util.h"

typedef struct {
    const wchar_t *name;
    unsigned char *data;
    size_t size;
} blob;

unsigned char *win_read_regular_file(const wchar_t *path, size_t *size) {
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    BY_HANDLE_FILE_INFORMATION info;
    LARGE_INTEGER n;
    unsigned char *data = NULL;
    if (GetFileType(h) == FILE_TYPE_DISK && GetFileInformationByHandle(h, &info) &&
        !(info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) &&
        GetFileSizeEx(h, &n) && n.QuadPart < (64LL << 20) &&
        (data = malloc((size_t)n.QuadPart + 1)) != NULL) {
        size_t got = 0;
        DWORD k = 0;
        while (got < (size_t)n.QuadPart &&
               ReadFile(h, data + got, (DWORD)((size_t)n.QuadPart - got), &k, NULL) && k > 0)
            got += k;
        *size = got;
    }
    CloseHandle(h);
    return data;
}

static bool has_marker(const blob *b) {
    size_t m = strlen(VS_LAUNCHER_MARKER);
    for (size_t i = 0; i + m <= b->size; i++)
        if (memcmp(b->data + i, VS_LAUNCHER_MARKER, m) == 0)
            return true;
    return false;
}

/* venvlauncher.exe & co. next to this venvshim.exe. */
static bool load_launcher(blob *b, const wchar_t *self_dir) {
    wchar_t path[WIN_PATH_MAX];
    _snwprintf(path, WIN_PATH_MAX, L"%ls\\%ls", self_dir, b->name);
    path[WIN_PATH_MAX - 1] = 0;
    b->data = win_read_regular_file(path, &b->size);
    if (b->data && has_marker(b))
        return true;
    char name[MAX_PATH];
    win_narrow(path, -1, name, sizeof name);
    cli_error(CLI_FAILED,
              "%s is missing or not a venvshim launcher; it belongs next to venvshim.exe", name);
    return false;
}

static bool is_gui_exe(const unsigned char *d, size_t size) {
    if (size < 0x40 || d[0] != 'M' || d[1] != 'Z')
        return false;
    unsigned long pe =
        d[0x3c] | d[0x3d] << 8 | (unsigned long)d[0x3e] << 16 | (unsigned long)d[0x3f] << 24;
    /* Subsystem: 2 bytes at offset 68 of the optional header (PE32 and PE32+) */
    size_t at = (size_t)pe + 24 + 68;
    return at + 2 <= size && memcmp(d + pe, "PE\0\0", 4) == 0 &&
           (d[at] | d[at + 1] << 8) == IMAGE_SUBSYSTEM_WINDOWS_GUI;
}

/* path := head + tail, written next to it first, then moved over it. */
static bool replace_file(const wchar_t *path, const blob *head, const unsigned char *tail,
                         size_t tail_len) {
    wchar_t tmp[WIN_PATH_MAX];
    _snwprintf(tmp, WIN_PATH_MAX, L"%ls.venvshim-new", path);
    tmp[WIN_PATH_MAX - 1] = 0;
    DeleteFileW(tmp); /* a leftover; then CREATE_NEW: never write through what is there */
    HANDLE f = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return false;
    DWORD k;
    bool ok = WriteFile(f, head->data, (DWORD)head->size, &k, NULL) && k == head->size &&
              (tail_len == 0 || (WriteFile(f, tail, (DWORD)tail_len, &k, NULL) && k == tail_len));
    ok = CloseHandle(f) && ok;
    if (ok && MoveFileExW(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return true;
    DeleteFileW(tmp);
    return false;
}

/* Bases older than 3.7.2 ignore __PYVENV_LAUNCHER__: no redirector works. */
static bool too_old(const venv_cfg *cfg) {
    cfg_value v = cfg->version.ptr ? cfg->version : cfg->version_info;
    int part[3] = {0, 0, 0}, k = 0;
    for (size_t i = 0; v.ptr && i < v.len && k < 3; i++) {
        if (v.ptr[i] == '.')
            k++;
        else if (v.ptr[i] >= '0' && v.ptr[i] <= '9')
            part[k] = part[k] * 10 + (v.ptr[i] - '0');
        else
            break;
    }
    if (!v.ptr || part[0] != 3)
        return false;
    return part[1] < 7 || (part[1] == 7 && part[2] < 2);
}

/* Each Scripts\python*.exe / pythonw*.exe resolved exactly as the launcher
 * that replaces it will (its name picks the base's file, names_win.c), so
 * install never writes a launcher that exits 103. */
static bool every_name_resolves(const char *scripts, vs_location *loc, vs_error *err) {
    static wchar_t pattern[WIN_PATH_MAX];
    static char name[MAX_PATH * 3];
    static vs_base base;
    if (!win_widen(scripts, pattern, WIN_PATH_MAX - 16))
        return true; /* the caller's own checks report the path */
    wcscat(pattern, L"\\python*.exe");
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(pattern, &fd);
    bool ok = true;
    for (bool more = find != INVALID_HANDLE_VALUE; more && ok; more = FindNextFileW(find, &fd)) {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY ||
            !win_narrow(fd.cFileName, -1, name, sizeof name) || !pyname_is_windows_exe(name))
            continue;
        if (!path_join(loc->venv_exe, sizeof loc->venv_exe, scripts, name))
            ok = diag_fail(err, EXIT_NO_BASE, scripts, "\\", name, ": the path is too long",
                           NULL) == 0;
        else
            ok = resolve_base(loc, &base, err) == 0;
    }
    if (find != INVALID_HANDLE_VALUE)
        FindClose(find);
    return ok;
}

static int check_venv(const char *dir, const char *scripts) {
    static vs_location loc;
    static vs_base base;
    static vs_error err;
    if (fs_stat(scripts).kind != FS_DIR)
        return cli_error(CLI_FAILED,
                         "%s is not a directory: %s is not a Windows virtual "
                         "environment",
                         scripts, dir);
    path_join(loc.venv_exe, sizeof loc.venv_exe, scripts, "python.exe");
    if (fs_stat(loc.venv_exe).kind != FS_FILE)
        return cli_error(CLI_FAILED, "no %s: %s is not a Windows virtual environment", loc.venv_exe,
                         dir);
    near_status st =
        locate_read_cfg_near(scripts, loc.cfg_path, loc.cfg_text, &loc.cfg_len, &loc.cfg_id, &err);
    if (st == NEAR_NONE)
        return cli_error(CLI_FAILED, "no pyvenv.cfg in %s or %s: not a virtual environment",
                         scripts, dir);
    if (st == NEAR_FOUND) {
        venv_cfg cfg;
        if (cfg_parse(loc.cfg_text, loc.cfg_len, &cfg) == CFG_OK && too_old(&cfg))
            return cli_error(CLI_FAILED,
                             "%s: Python before 3.7.2 cannot be redirected (it "
                             "ignores __PYVENV_LAUNCHER__); %s left unchanged",
                             loc.cfg_path, dir);
        if (resolve_base(&loc, &base, &err) == 0 && every_name_resolves(scripts, &loc, &err))
            return CLI_OK;
    }
    fprintf(stderr, "%s\n", err.text);
    return cli_error(CLI_FAILED, "%s left unchanged", dir);
}

int install_windows_venv(const wchar_t *dir_arg) {
    static wchar_t wdir[WIN_PATH_MAX], wscripts[WIN_PATH_MAX], self[WIN_PATH_MAX],
        pattern[WIN_PATH_MAX], path[WIN_PATH_MAX];
    static char dir[VS_PATH_MAX], scripts[VS_PATH_MAX], name[MAX_PATH * 3];
    DWORD n = GetFullPathNameW(dir_arg, WIN_PATH_MAX, wdir, NULL);
    if (n == 0 || n >= WIN_PATH_MAX || !win_narrow(wdir, -1, dir, sizeof dir))
        return cli_error(CLI_FAILED, "cannot make an absolute path of the directory argument");
    path_strip_trailing_sep(dir);
    if (!path_join(scripts, sizeof scripts, dir, "Scripts") ||
        !win_widen(scripts, wscripts, WIN_PATH_MAX))
        return cli_error(CLI_FAILED, "%s: the path is too long", dir);
    int rc = check_venv(dir, scripts);
    if (rc)
        return rc;

    n = GetModuleFileNameW(NULL, self, WIN_PATH_MAX);
    if (n == 0 || n >= WIN_PATH_MAX)
        return cli_error(CLI_FAILED, "cannot tell where venvshim.exe is");
    wchar_t *slash = wcsrchr(self, L'\\');
    if (slash)
        *slash = 0;
    blob console = {L"venvlauncher.exe", NULL, 0}, gui = {L"venvwlauncher.exe", NULL, 0};
    blob script = {L"scriptlauncher.exe", NULL, 0}, scriptw = {L"scriptwlauncher.exe", NULL, 0};
    if (!load_launcher(&console, self) || !load_launcher(&gui, self) ||
        !load_launcher(&script, self) || !load_launcher(&scriptw, self))
        return CLI_FAILED;

    _snwprintf(pattern, WIN_PATH_MAX, L"%ls\\*.exe", wscripts);
    pattern[WIN_PATH_MAX - 1] = 0;
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(pattern, &fd);
    int redirectors = 0, scripts_done = 0, failed = 0;
    for (bool more = find != INVALID_HANDLE_VALUE; more; more = FindNextFileW(find, &fd)) {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        _snwprintf(path, WIN_PATH_MAX, L"%ls\\%ls", wscripts, fd.cFileName);
        path[WIN_PATH_MAX - 1] = 0;
        win_narrow(fd.cFileName, -1, name, sizeof name);
        bool ok;
        if (pyname_is_windows_exe(name)) {
            bool w = name[6] == 'w' || name[6] == 'W';
            ok = replace_file(path, w ? &gui : &console, NULL, 0);
            redirectors += ok;
        } else {
            size_t size;
            unsigned char *data = win_read_regular_file(path, &size);
            long long at = data ? payload_script_offset(data, size) : -1;
            if (at < 0) {
                free(data);
                continue; /* not a console-script launcher: left alone */
            }
            ok = replace_file(path, is_gui_exe(data, size) ? &scriptw : &script, data + at,
                              size - (size_t)at);
            scripts_done += ok;
            free(data);
        }
        if (!ok) {
            failed++;
            cli_error(CLI_FAILED, "cannot replace %s\\%s (in use?): %s", scripts, name,
                      fs_error_text((int)GetLastError()));
        }
    }
    if (find != INVALID_HANDLE_VALUE)
        FindClose(find);
    printf("venvshim: %s: %d interpreter launcher%s, %d console-script launcher%s\n", dir,
           redirectors, redirectors == 1 ? "" : "s", scripts_done, scripts_done == 1 ? "" : "s");
    return failed ? CLI_FAILED : CLI_OK;
}
