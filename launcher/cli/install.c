/* venvshim install DIR: turn an existing venv (python -m venv, virtualenv,
 * uv venv) into one whose bin/python* are the native launcher. Only what a
 * venv puts there is replaced: symlinks, copies of an interpreter binary and
 * launchers; a user's own script named bin/python needs --force. Files are
 * read and written relative to the venv's and bin/'s directory descriptors
 * without following links inside: install may run as root in a venv its
 * owner controls. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base_trailer.h"
#include "../cfg.h"
#include "../diag.h"
#include "../path.h"
#include "../plan.h"
#include "../pyname.h"
#include "../script.h"
#include "cli.h"
#include "launcher_variant.h"
#include "report.h"
#include "venv_access.h"

#define MAX_NAMES 64

typedef struct {
    char names[MAX_NAMES][NAME_MAX + 1];
    int count;
    char symlink_base[VS_PATH_MAX]; /* realpath of the first symlink to a real interpreter */
} venv_bin;

/* ELF, Mach-O (thin or fat) or PE: a copy of an interpreter binary, or a
 * launcher. */
static bool is_executable_binary(const unsigned char *h, long n) {
    static const unsigned char magic[][4] = {{0x7f, 'E', 'L', 'F'},    {0xfe, 0xed, 0xfa, 0xce},
                                             {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe},
                                             {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe}};
    for (size_t i = 0; n >= 4 && i < sizeof magic / sizeof magic[0]; i++)
        if (memcmp(h, magic[i], 4) == 0)
            return true;
    return n >= 2 && h[0] == 'M' && h[1] == 'Z';
}

/* A regular bin/<python name> install would replace: CLI_OK, or an error
 * naming it (nothing has been changed yet). */
static int check_replaceable(int bin_fd, const char *bin, const char *name, const char *venv,
                             bool force) {
    unsigned char head[4];
    const char *why = "";
    long n = read_head_at(bin_fd, name, READ_NOFOLLOW, (char *)head, sizeof head, NULL, &why);
    if (n >= 0 && is_executable_binary(head, n))
        return CLI_OK;
    if (force) {
        report_note("replacing %s/%s (--force): not a Python binary\n", bin, name);
        return CLI_OK;
    }
    return cli_error(CLI_FAILED,
                     "%s/%s is not a symlink, a Python binary or a launcher (%s): install "
                     "leaves it alone\nvenvshim: move it away, or replace it with: venvshim "
                     "install --force %s",
                     bin, name,
                     n < 0                              ? why
                     : n >= 2 && !memcmp(head, "#!", 2) ? "a script: a wrapper of yours?"
                                                        : "not an executable binary",
                     shell_word(venv));
}

/* Where the symlink bin/name leads once it leaves bin/: its links to other
 * names in bin/ (python -> python3.12) are read through bin_fd, the first
 * absolute target is resolved (realpath) into real. False for a chain that
 * never leaves bin/ or is too long. */
static bool link_leaves_bin(int bin_fd, const char *name, char *real) {
    char target[VS_PATH_MAX], at[NAME_MAX + 1];
    snprintf(at, sizeof at, "%s", name);
    for (int hops = 0; hops < 8; hops++) {
        ssize_t n = readlinkat(bin_fd, at, target, sizeof target - 1);
        if (n <= 0)
            return false;
        target[n] = '\0';
        if (target[0] == '/')
            return realpath(target, real) != NULL;
        if (strchr(target, '/') || strlen(target) > NAME_MAX)
            return false; /* ../ or a subdirectory: not a venv's layout */
        memcpy(at, target, strlen(target) + 1);
    }
    return false;
}

static int scan_bin(int bin_fd, const char *bin, const char *venv_real, bool force, venv_bin *vb) {
    int fd = dup(bin_fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return cli_error(CLI_FAILED, "cannot read %s: %s", bin, strerror(errno));
    }
    int rc = CLI_OK;
    struct dirent *e;
    while (rc == CLI_OK && (e = readdir(d)) != NULL) {
        if (!pyname_is_interpreter(e->d_name))
            continue;
        struct stat st;
        if (fstatat(bin_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !(S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)))
            continue;
        if (vb->count == MAX_NAMES)
            break;
        if (S_ISREG(st.st_mode) &&
            (rc = check_replaceable(bin_fd, bin, e->d_name, venv_real, force)) != CLI_OK)
            break;
        snprintf(vb->names[vb->count++], sizeof vb->names[0], "%s", e->d_name);
        if (!S_ISLNK(st.st_mode) || vb->symlink_base[0])
            continue;
        char real[PATH_MAX];
        if (!link_leaves_bin(bin_fd, e->d_name, real) || is_launcher_file(real))
            continue;
        /* a symlink to another name inside this venv is not the base */
        size_t n = strlen(venv_real);
        if (strncmp(real, venv_real, n) == 0 && real[n] == '/')
            continue;
        snprintf(vb->symlink_base, sizeof vb->symlink_base, "%s", real);
    }
    closedir(d);
    return rc;
}

/* The pyvenv.cfg text install leaves: the original, with `home` replaced by
 * new_home (when not NULL) and `executable = <add_executable>` appended (when
 * not NULL). malloc'd, NUL-terminated; NULL when out of memory. */
static char *edited_cfg(const char *text, size_t len, const venv_cfg *cfg, const char *new_home,
                        const char *add_executable, size_t *out_len) {
    size_t cap = len + (new_home ? strlen(new_home) : 0) +
                 (add_executable ? strlen(add_executable) : 0) + 32;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t n = 0;
    if (new_home && cfg->home.ptr) {
        size_t before = (size_t)(cfg->home.ptr - text);
        memcpy(out, text, before);
        n = before + (size_t)sprintf(out + before, "%s", new_home);
        size_t after = before + cfg->home.len;
        memcpy(out + n, text + after, len - after);
        n += len - after;
    } else {
        memcpy(out, text, len);
        n = len;
    }
    if (add_executable)
        n += (size_t)sprintf(out + n, "%sexecutable = %s\n",
                             n > 0 && out[n - 1] != '\n' ? "\n" : "", add_executable);
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* Resolve the venv as the launcher will when started as exe, but from the
 * pyvenv.cfg text given (not yet written). 0, or CLI_FAILED after printing
 * the launcher's own error. */
static int resolve_with_text(const char *exe, const char *text, size_t len, vs_plan *plan) {
    static vs_error err;
    vs_invocation inv = {exe, NULL};
    if (locate_venv(&inv, &plan->loc, &err) != 0) { /* paths only: the text is ours */
        diag_print_error(&err);
        return CLI_FAILED;
    }
    if (len >= sizeof plan->loc.cfg_text)
        return cli_error(CLI_FAILED, "%s would grow past 32 KiB", plan->loc.cfg_path);
    memcpy(plan->loc.cfg_text, text, len + 1);
    plan->loc.cfg_len = len;
    if (resolve_base(&plan->loc, &plan->base, &err) != 0) {
        diag_print_error(&err);
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* Decide the pyvenv.cfg the launcher needs and check that it resolves, then
 * write it (only if it changed). Nothing is written when resolution fails. */
static int prepare_cfg(int venv_fd, const char *cfg_path, const char *exe, const char *symlink_base,
                       vs_plan *plan) {
    size_t len;
    const char *why;
    struct stat st;
    char *text = read_file_at(venv_fd, "pyvenv.cfg", READ_CAP_CFG, READ_NOFOLLOW, &len, &st, &why);
    if (!text)
        return cli_error(CLI_FAILED, "cannot read %s: %s", cfg_path, why);
    venv_cfg cfg;
    if (cfg_parse(text, len, &cfg) != CFG_OK) {
        free(text);
        return cli_error(CLI_FAILED, "%s is not a text file", cfg_path);
    }
    bool records_base = cfg.executable.ptr || cfg.base_executable.ptr;
    /* Record the exact base first, so that resolution never guesses (a PyPy
     * venv's python3.9 must not find /usr/bin/python3.9). */
    size_t new_len;
    char *new_text = edited_cfg(text, len, &cfg, NULL,
                                records_base || !symlink_base[0] ? NULL : symlink_base, &new_len);
    int rc = new_text ? resolve_with_text(exe, new_text, new_len, plan) : CLI_FAILED;
    if (rc == CLI_OK && (!records_base || plan->base.chain_depth > 0 || plan->base.from_trailer)) {
        /* A home inside another venv (a nested venv made by CPython 3.8-3.10 or
         * PyPy) is flattened to the real base: PyPy searches its stdlib only
         * from home, and the venv stops depending on the outer one. */
        venv_cfg edited;
        cfg_parse(new_text, new_len, &edited);
        bool flatten = plan->base.chain_depth > 0 || plan->base.from_trailer;
        bool from_trailer = plan->base.from_trailer; /* before the plan is made again */
        char home[VS_PATH_MAX], base[VS_PATH_MAX];
        snprintf(home, sizeof home, "%s", plan->base.home);
        snprintf(base, sizeof base, "%s", plan->base.binary);
        bool add = !edited.executable.ptr && !edited.base_executable.ptr;
        char *final_text = edited_cfg(new_text, new_len, &edited, flatten ? home : NULL,
                                      add ? base : NULL, &new_len);
        free(new_text);
        new_text = final_text;
        rc = new_text ? resolve_with_text(exe, new_text, new_len, plan) : CLI_FAILED;
        if (rc == CLI_OK && flatten)
            report_note("home pointed %s: set home = %s\n",
                        from_trailer
                            ? "to no base (moved or removed, or rewritten by python -m venv "
                              "--upgrade); the launcher ran the base it records"
                            : "into another venv",
                        home);
    }
    if (rc == CLI_OK && (new_len != len || memcmp(new_text, text, len) != 0)) {
        static staged_file s;
        if (!staged_write_at(&s, venv_fd, "pyvenv.cfg", cfg_path, new_text, new_len,
                             st.st_mode & 07777) ||
            !staged_commit(&s))
            rc = cli_error(CLI_FAILED, "cannot update %s: %s", cfg_path, strerror(errno));
        else
            report_note("updated %s (executable = %s)\n", cfg_path, plan->base.binary);
    }
    free(new_text);
    free(text);
    return rc;
}

/* The launcher as install writes it: the built file, then the base it is
 * installed for (base_trailer.h), which a copy made by `python -m venv
 * --copies` keeps. Recorded only under a name that carries the venv's X.Y
 * (the launcher uses nothing else) and for an absolute home (a relative
 * home's base moves with the venv). A new buffer, or NULL (errno set). */
static char *with_base_trailer(char *data, size_t *len, const vs_plan *plan) {
    char trailer[BASE_TRAILER_MAX + 1];
    int major, minor;
    size_t n = 0;
    if (!plan->base.home_relative &&
        pyname_version(path_basename(plan->base.binary), &major, &minor) &&
        major == plan->base.venv_major && minor == plan->base.venv_minor)
        n = base_trailer_format(trailer, sizeof trailer, plan->base.binary);
    char *out = realloc(data, *len + n);
    if (!out) {
        free(data);
        return NULL;
    }
    memcpy(out + *len, trailer, n);
    *len += n;
    return out;
}

/* Is bin/name a symbolic link whose target is exactly target? */
static bool link_is(int bin_fd, const char *name, const char *target) {
    char have[VS_PATH_MAX];
    ssize_t n = readlinkat(bin_fd, name, have, sizeof have - 1);
    if (n < 0)
        return false;
    have[n] = '\0';
    return strcmp(have, target) == 0;
}

/* Put bin/name in place atomically as a relative symlink to target (a name in
 * bin/): a new link renamed over the old entry. Where the file system has no
 * symlinks, a hard link of bin/target, else a copy of the launcher. */
static bool place_link(int bin_fd, const char *bin, const char *name, const char *target,
                       const char *launcher_data, size_t launcher_len) {
    static staged_file s;
    char shown[VS_PATH_MAX];
    if (!path_join(shown, sizeof shown, bin, name))
        return false;
    if (staged_symlink_at(&s, bin_fd, target, name, shown) && staged_commit(&s))
        return true;
    if (staged_link_at(&s, bin_fd, target, name, shown) && staged_commit(&s))
        return true;
    return staged_write_at(&s, bin_fd, name, shown, launcher_data, launcher_len, 0755) &&
           staged_commit(&s);
}

/* Is the venv already as install leaves it: the launcher file with these
 * bytes, every interpreter name a symlink to it, the base recorded? */
static bool all_up_to_date(int bin_fd, const venv_bin *vb, const char *data, size_t len,
                           const char *base) {
    size_t n;
    char *have =
        read_file_at(bin_fd, VS_LAUNCHER_FILE, READ_CAP_FILE, READ_NOFOLLOW, &n, NULL, NULL);
    bool same = have && n == len && memcmp(have, data, len) == 0;
    free(have);
    for (int i = 0; same && i < vb->count; i++)
        same = link_is(bin_fd, vb->names[i], VS_LAUNCHER_FILE);
    return same && link_is(bin_fd, VS_BASE_RECORD, base);
}

static int install_into(const char *venv, int venv_fd, int bin_fd, bool force) {
    char cfg_path[VS_PATH_MAX], bin[VS_PATH_MAX];
    if (!path_join(cfg_path, sizeof cfg_path, venv, "pyvenv.cfg") ||
        !path_join(bin, sizeof bin, venv, "bin"))
        return cli_error(CLI_FAILED, "path too long: %s", venv);
    char launcher[VS_PATH_MAX];
    if (!find_launcher(launcher, sizeof launcher))
        return cli_error(CLI_FAILED, "cannot find venvshim-launcher next to this program; "
                                     "set VENVSHIM_LAUNCHER to its path");
    static venv_bin vb;
    memset(&vb, 0, sizeof vb);
    int rc = scan_bin(bin_fd, bin, venv, force, &vb);
    if (rc)
        return rc;
    if (vb.count == 0)
        return cli_error(CLI_FAILED, "no python or pypy executables in %s", bin);

    size_t launcher_len;
    char *launcher_data = read_whole_file(launcher, &launcher_len);
    if (!launcher_data)
        return cli_error(CLI_FAILED, "cannot read %s: %s", launcher, strerror(errno));
    /* A noexec file system: the symlinks work, a launcher would not start. */
    int noexec = bin_exec_error(bin_fd, launcher_data, launcher_len);
    if (noexec) {
        free(launcher_data);
        return cli_error(CLI_FAILED,
                         "programs in %s cannot be executed (%s: a file system mounted noexec?), "
                         "so the launcher could not start there\nvenvshim: nothing was changed; "
                         "%s stays a symlink venv (move it to another file system to install)",
                         bin, strerror(noexec), venv);
    }
    /* Refuse to install into a venv the launcher could not run: stale home, ... */
    static vs_plan plan;
    char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, bin, vb.names[0])) {
        free(launcher_data);
        return cli_error(CLI_FAILED, "path too long: %s/%s", bin, vb.names[0]);
    }
    if (prepare_cfg(venv_fd, cfg_path, exe, vb.symlink_base, &plan) != CLI_OK) {
        free(launcher_data);
        return cli_error(CLI_FAILED, "%s left unchanged", venv);
    }
    /* The start-up hook only where the launcher needs it: a relative home. */
    if ((rc = site_init_for(venv_fd, venv, plan.base.home_relative)) != CLI_OK) {
        free(launcher_data);
        return rc;
    }
    /* the one-process launcher where wanted and the base allows it */
    const char *why;
    if (launcher_variant_choose(venv_fd, &plan, launcher, sizeof launcher, &why)) {
        free(launcher_data);
        if (!(launcher_data = read_whole_file(launcher, &launcher_len)))
            return cli_error(CLI_FAILED, "cannot read %s: %s", launcher, strerror(errno));
        report_note("one-process mode: the launcher loads the base's libpython\n");
        const char *unrecorded = launcher_variant_record(&plan, launcher_data, launcher_len);
        if (unrecorded)
            report_note("one-process decision not recorded (%s): the launcher makes it at "
                        "each start\n",
                        unrecorded);
    } else if (why) {
        report_note("one-process mode not used (%s): the launcher execs the base\n", why);
    }
    if (!(launcher_data = with_base_trailer(launcher_data, &launcher_len, &plan)))
        return cli_error(CLI_FAILED, "out of memory");
    report_str("base", plan.base.binary);
    report_list("converted");
    if (all_up_to_date(bin_fd, &vb, launcher_data, launcher_len, plan.base.binary)) {
        report_bool("already_installed", true);
        if (report_get_mode() == REPORT_TEXT)
            printf("the venvshim launcher is already installed in %s; base interpreter: %s\n", bin,
                   plan.base.binary);
        free(launcher_data);
        return CLI_OK;
    }
    /* One real launcher file under a name venv does not manage; every
     * bin/python* a symlink to it: `python -m venv --upgrade` skips a symlink
     * but copies the base over a regular file. The base is recorded beside it
     * for a home that venv --upgrade pointed back at this bin/ (resolve.c). */
    static staged_file master, record;
    if (!staged_write_at(&master, bin_fd, VS_LAUNCHER_FILE, bin, launcher_data, launcher_len,
                         0755) ||
        !staged_commit(&master)) {
        free(launcher_data);
        return cli_error(CLI_FAILED, "cannot write %s/%s: %s", bin, VS_LAUNCHER_FILE,
                         strerror(errno));
    }
    report_bool("already_installed", false);
    if (!link_is(bin_fd, VS_BASE_RECORD, plan.base.binary) &&
        (!staged_symlink_at(&record, bin_fd, plan.base.binary, VS_BASE_RECORD, bin) ||
         !staged_commit(&record)))
        /* only venv --upgrade's loop needs it: not worth failing the install */
        fprintf(stderr, "venvshim: warning: cannot record the base in %s/%s: %s\n", bin,
                VS_BASE_RECORD, strerror(errno));
    if (report_get_mode() == REPORT_TEXT)
        printf("installing the venvshim launcher in %s:", bin);
    for (int i = 0; i < vb.count && rc == CLI_OK; i++) {
        if (!link_is(bin_fd, vb.names[i], VS_LAUNCHER_FILE) &&
            !place_link(bin_fd, bin, vb.names[i], VS_LAUNCHER_FILE, launcher_data, launcher_len))
            rc = cli_error(CLI_FAILED, "cannot replace %s/%s: %s", bin, vb.names[i],
                           strerror(errno));
        else if (report_get_mode() == REPORT_TEXT)
            printf(" %s", vb.names[i]);
        else
            report_list_str("converted", vb.names[i]);
    }
    if (report_get_mode() == REPORT_TEXT)
        printf("\nbase interpreter: %s\n", plan.base.binary);
    free(launcher_data);
    return rc;
}

int install_venv(const venv_access *va, bool force) {
    const char *venv = va->path;
    report_str("venv", venv);
    struct stat st;
    if (fstatat(va->venv_fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
        return cli_error(CLI_FAILED,
                         "%s is not a virtual environment (no pyvenv.cfg)\n"
                         "venvshim: create one with: venvshim create %s",
                         venv, shell_word(venv));
    }
    if (va->bin_fd < 0) {
        bool link =
            fstatat(va->venv_fd, "bin", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        return link
                   ? cli_error(CLI_FAILED,
                               "%s/bin is a symbolic link: install converts the venv's own bin/ "
                               "directory",
                               venv)
                   : cli_error(CLI_FAILED, "%s has no bin/ directory; is it a Windows venv?", venv);
    }
    return install_into(venv, va->venv_fd, va->bin_fd, force);
}

int cmd_install(const cli_args *a) {
    report_start(a);
    report_str("command", "install");
    venv_access va;
    int rc = venv_access_open(a, a->operand, &va);
    if (rc == CLI_OK) {
        rc = install_venv(&va, cli_opt(a, "force") != NULL);
        venv_access_close(&va);
    }
    report_finish(rc);
    return rc;
}
