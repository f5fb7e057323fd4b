/* venvshim relocate DIR: make a venv movable. Console scripts whose #! names
 * this venv's python become script launchers (the launcher + a zip holding
 * the script as __main__.py, or + the script itself when it already is a zip
 * archive: zipapp, shiv, pex), the activate scripts find the venv from their
 * own location, and pyvenv.cfg says `relocatable = true`. Idempotent; a
 * script it does not understand is left alone and reported.
 *
 * Two phases: every new file is computed and written to a temporary file
 * first; only when all of them are ready are they renamed into place, so a
 * failure (or a file that cannot be read) changes nothing. All reads and
 * writes are relative to the venv's and bin/'s directory descriptors, opened
 * once, and never follow a link inside: relocate may run as root in a venv
 * its owner controls. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../path.h"
#include "../pyname.h"
#include "../payload.h"
#include "cli.h"
#include "launcher_variant.h"
#include "relocate_rewrite.h"
#include "report.h"
#include "venv_access.h"

typedef struct {
    staged_file file;
    char done[VS_PATH_MAX + 64]; /* printed once it is in place */
    const char *list;            /* its --json list, NULL: pyvenv.cfg */
    char name[NAME_MAX + 1];
} change;

typedef struct {
    char venv[PATH_MAX]; /* realpath, for messages */
    char bin[VS_PATH_MAX];
    int venv_fd, bin_fd;
    struct stat bin_st;
    char *launcher;
    size_t launcher_len;
    change *changes;
    size_t n_changes, cap_changes;
    int converted, already, left;
} relocation;

/* Stage one new file; false (message printed) when it cannot be written. */
static bool stage(relocation *r, int dirfd, const char *name, const char *data, size_t len,
                  unsigned mode, const char *done, const char *list) {
    if (r->n_changes == r->cap_changes) {
        size_t cap = r->cap_changes ? 2 * r->cap_changes : 16;
        change *bigger = realloc(r->changes, cap * sizeof *bigger);
        if (!bigger) {
            cli_error(CLI_FAILED, "out of memory");
            return false;
        }
        r->changes = bigger;
        r->cap_changes = cap;
    }
    change *c = &r->changes[r->n_changes];
    char shown[VS_PATH_MAX];
    if (!path_join(shown, sizeof shown, dirfd == r->bin_fd ? r->bin : r->venv, name))
        snprintf(shown, sizeof shown, "%s", name);
    if (!staged_write_at(&c->file, dirfd, name, shown, data, len, mode)) {
        cli_error(CLI_FAILED, "cannot write next to %s: %s", shown, strerror(errno));
        return false;
    }
    snprintf(c->done, sizeof c->done, "%s", done);
    c->list = list;
    snprintf(c->name, sizeof c->name, "%s", name);
    r->n_changes++;
    return true;
}

/* Said for every file left alone; counted only for console scripts. */
static void say_left_alone(const char *name, const char *why) {
    report_note("  left alone: %s (%s)\n", name, why);
    report_list_pair("left_alone", "name", name, "why", why);
}

static void left_alone(relocation *r, const char *name, const char *why) {
    say_left_alone(name, why);
    r->left++;
}

/* Is path (a #! line's interpreter) this venv's bin/<python name>? Compared
 * by identity: a venv reached through a symlinked parent is still this one. */
static bool names_this_venv(const relocation *r, const char *path, size_t len) {
    char target[VS_PATH_MAX];
    if (len == 0 || len >= sizeof target || memchr(path, '\0', len))
        return false;
    memcpy(target, path, len);
    target[len] = '\0';
    if (target[0] != '/' || !pyname_is_interpreter(path_basename(target)))
        return false;
    path_dirname(target);
    struct stat st;
    return stat(target, &st) == 0 && st.st_dev == r->bin_st.st_dev && st.st_ino == r->bin_st.st_ino;
}

static bool convert_one(relocation *r, const char *name) {
    struct stat st;
    if (fstatat(r->bin_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
        return true; /* links (in or out of the venv), FIFOs, devices: never read */
    size_t len;
    const char *why;
    char *text = read_file_at(r->bin_fd, name, READ_CAP_FILE, READ_NOFOLLOW, &len, &st, &why);
    if (!text) {
        left_alone(r, name, why); /* swapped since, unreadable or huge */
        return true;
    }
    bool ok = true;
    content_kind kind = classify_content(text, len, &why);
    shebang_line sb;
    shebang_read(text, len, &sb);
    if (kind == CONTENT_LAUNCHER) {
        long long image = payload_elf_image_end((const unsigned char *)text, len);
        if (image > 0 && (long long)len > image) {
            r->already++;
            report_list_str("already", name);
        }
    } else if (sb.form != SHEBANG_PATH) {
        left_alone(r, name, shebang_form_reason(sb.form));
    } else if (!names_this_venv(r, text + sb.interp, sb.interp_len)) {
        left_alone(r, name, shebang_form_reason(SHEBANG_PATH));
    } else if (kind == CONTENT_BAD_ZIP) {
        left_alone(r, name, why);
    } else {
        /* a zip archive is the payload as it is (its #! line included: the
         * launcher ignores it, zipimport finds the archive from its end); a
         * text script becomes __main__.py with its #! line (script_main_text),
         * so the launcher can put its prelude in that line's place and every
         * line keeps its number (script_text.h) */
        size_t zip_len = len;
        char *main_py = kind == CONTENT_ZIP ? NULL : malloc(len ? len : 1);
        unsigned char *zip = main_py ? zip_single_file("__main__.py", main_py,
                                                       script_main_text(text, len, &sb, main_py),
                                                       PAYLOAD_TEXT_MARK, &zip_len)
                                     : NULL;
        free(main_py);
        char *out = kind == CONTENT_ZIP || zip ? malloc(r->launcher_len + zip_len) : NULL;
        char done[NAME_MAX + 32];
        snprintf(done, sizeof done, "  script launcher: %s", name);
        if (!out) {
            cli_error(CLI_FAILED, "out of memory converting %s/%s", r->bin, name);
            ok = false;
        } else {
            memcpy(out, r->launcher, r->launcher_len);
            memcpy(out + r->launcher_len, zip ? (const char *)zip : text, zip_len);
            size_t out_len = r->launcher_len + zip_len;
            if (!launcher_accepts(out, out_len, &why))
                left_alone(r, name, why);
            else if ((ok = stage(r, r->bin_fd, name, out, out_len, st.st_mode & 07777, done,
                                 "converted")))
                r->converted++;
        }
        free(zip);
        free(out);
    }
    free(text);
    return ok;
}

static bool relocate_activate(relocation *r, const char *name, bool fish) {
    size_t len;
    const char *why;
    struct stat st;
    char *text = read_file_at(r->bin_fd, name, READ_CAP_FILE, READ_NOFOLLOW, &len, &st, &why);
    if (!text) {
        if (errno != ENOENT) /* not every venv has every shell's script */
            say_left_alone(name, why);
        return true;
    }
    outbuf out;
    rewrite_status rs =
        fish ? activate_rewrite_fish(text, len, &out) : activate_rewrite_sh(text, len, &out);
    free(text);
    bool ok = rs != REWRITE_NO_MEMORY;
    char done[NAME_MAX + 32];
    snprintf(done, sizeof done, "  location-independent: %s", name);
    if (rs == REWRITE_NO_LINE)
        say_left_alone(name, "no VIRTUAL_ENV line venvshim knows");
    else if (rs == REWRITE_NO_MEMORY)
        cli_error(CLI_FAILED, "out of memory rewriting %s/%s", r->bin, name);
    else if (rs == REWRITE_DONE)
        ok = stage(r, r->bin_fd, name, out.data, out.len, st.st_mode & 07777, done,
                   "location_independent");
    ob_free(&out);
    return ok;
}

/* Append `relocatable = true` unless pyvenv.cfg has a relocatable key. */
static bool mark_cfg(relocation *r, const char *text, size_t len, unsigned mode) {
    bool found = false;
    for (const char *p = text, *end = text + len; p < end && !found;) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        found = (size_t)(end - p) > 11 && strncasecmp(p, "relocatable", 11) == 0 &&
                strchr(" \t=", p[11]) && p[11];
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    if (found)
        return true;
    outbuf out = {0};
    ob_put(&out, text, len);
    if (len && text[len - 1] != '\n')
        ob_put(&out, "\n", 1);
    static const char line[] = "relocatable = true\n";
    ob_put(&out, line, sizeof line - 1);
    char done[PATH_MAX + 64];
    snprintf(done, sizeof done, "  recorded relocatable = true in %s/pyvenv.cfg", r->venv);
    bool ok =
        !out.failed && stage(r, r->venv_fd, "pyvenv.cfg", out.data, out.len, mode, done, NULL);
    if (out.failed)
        cli_error(CLI_FAILED, "out of memory");
    ob_free(&out);
    return ok;
}

static bool skip_name(const char *name) {
    return name[0] == '.' || pyname_is_interpreter(name) || strncmp(name, "activate", 8) == 0 ||
           strcmp(name, "Activate.ps1") == 0;
}

/* Phase one: everything read, checked and staged. False: nothing changed. */
static bool prepare(relocation *r) {
    size_t len;
    const char *why;
    struct stat st;
    char *cfg =
        read_file_at(r->venv_fd, "pyvenv.cfg", READ_CAP_CFG, READ_NOFOLLOW, &len, &st, &why);
    if (!cfg) {
        cli_error(CLI_FAILED, "cannot read %s/pyvenv.cfg: %s", r->venv, why);
        return false;
    }
    unsigned cfg_mode = st.st_mode & 07777;
    size_t n = 0;
    char **names = dir_names_at(r->bin_fd, ".", skip_name, &n);
    if (!names) {
        cli_error(CLI_FAILED, "cannot read %s: %s", r->bin, strerror(errno));
        free(cfg);
        return false;
    }
    bool ok = true;
    report_progress("relocate: reading %zu files in %s", n, r->bin);
    for (size_t i = 0; i < n; i++)
        ok = ok && convert_one(r, names[i]);
    dir_names_free(names, n);
    ok = ok && relocate_activate(r, "activate", false) &&
         relocate_activate(r, "activate.fish", true);
    if (ok && fstatat(r->bin_fd, "activate.csh", &st, AT_SYMLINK_NOFOLLOW) == 0)
        say_left_alone("activate.csh", "csh cannot tell which file is being sourced");
    ok = ok && mark_cfg(r, cfg, len, cfg_mode); /* last: renamed last, it marks the end */
    free(cfg);
    return ok;
}

/* Phase two: rename each staged file into place. */
static bool commit(relocation *r) {
    bool ok = true;
    report_progress("relocate: putting %zu new files in place", r->n_changes);
    for (size_t i = 0; i < r->n_changes; i++) {
        change *c = &r->changes[i];
        if (!ok) {
            staged_discard(&c->file);
        } else if (staged_commit(&c->file)) {
            report_note("%s\n", c->done);
            if (c->list)
                report_list_str(c->list, c->name);
            else
                report_bool("marked_relocatable", true);
        } else {
            cli_error(CLI_FAILED, "cannot replace %s: %s", c->file.shown, strerror(errno));
            ok = false;
        }
    }
    return ok;
}

/* The venv's descriptors from va (the path only names it in messages). */
static int open_venv(relocation *r, const venv_access *va) {
    snprintf(r->venv, sizeof r->venv, "%s", va->path);
    r->venv_fd = va->venv_fd;
    struct stat st;
    if (fstatat(r->venv_fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) != 0)
        return cli_error(CLI_FAILED,
                         "%s is not a virtual environment (no pyvenv.cfg); create one with: "
                         "venvshim create --relocatable %s",
                         r->venv, shell_word(r->venv));
    if (!path_join(r->bin, sizeof r->bin, r->venv, "bin"))
        return cli_error(CLI_FAILED, "path too long: %s", r->venv);
    r->bin_fd = va->bin_fd;
    if (r->bin_fd < 0) {
        bool link =
            fstatat(r->venv_fd, "bin", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        return cli_error(CLI_FAILED, "%s: %s", r->bin,
                         link ? "a symbolic link: relocate converts the venv's own bin/ directory"
                         : va->bin_error == ENOENT ? "no such directory (not a POSIX venv?)"
                                                   : strerror(va->bin_error));
    }
    if (fstat(r->bin_fd, &r->bin_st) != 0)
        return cli_error(CLI_FAILED, "%s: %s", r->bin, strerror(errno));
    return CLI_OK;
}

int relocate_venv(const venv_access *va) {
    static relocation r;
    memset(&r, 0, sizeof r);
    r.venv_fd = r.bin_fd = -1;
    int rc = open_venv(&r, va);
    char launcher[VS_PATH_MAX];
    if (rc == CLI_OK && !find_launcher(launcher, sizeof launcher))
        rc = cli_error(CLI_FAILED, "cannot find venvshim-launcher next to this program; "
                                   "set VENVSHIM_LAUNCHER to its path");
    if (rc == CLI_OK) {
        /* script launchers of the venv's kind, as the pip-exit hook copies bin/python's */
        launcher_variant_for_venv(r.venv_fd, r.venv, launcher, sizeof launcher);
        r.launcher = read_whole_file(launcher, &r.launcher_len);
        long long image =
            r.launcher ? payload_elf_image_end((const unsigned char *)r.launcher, r.launcher_len)
                       : 0;
        if (!r.launcher || (image > 0 && (long long)r.launcher_len > image))
            rc = cli_error(CLI_FAILED, "%s is not a plain launcher binary", launcher);
    }
    /* a relative home (written by hand, or copied in) needs the start-up hook */
    if (rc == CLI_OK && venv_home_is_relative(r.venv_fd) == 1)
        rc = install_site_init(r.venv_fd, r.venv);
    report_str("venv", r.venv);
    report_list("converted");
    report_list("already");
    report_list("left_alone");
    report_list("location_independent");
    report_bool("marked_relocatable", false);
    if (rc == CLI_OK) {
        if (report_get_mode() == REPORT_TEXT)
            printf("relocating %s:\n", r.venv);
        bool ok = prepare(&r);
        if (!ok) {
            for (size_t i = 0; i < r.n_changes; i++)
                staged_discard(&r.changes[i].file);
            rc = cli_error(CLI_FAILED, "%s left unchanged", r.venv);
        } else if (!commit(&r) || install_relocatable_hook(r.venv_fd, r.venv, true) != CLI_OK) {
            rc = CLI_FAILED;
        } else {
            if (report_get_mode() == REPORT_TEXT)
                printf("%d converted, %d already script launchers, %d left alone\n", r.converted,
                       r.already, r.left);
        }
    }
    free(r.launcher);
    free(r.changes);
    return rc; /* the descriptors are va's */
}

int cmd_relocate(const cli_args *a) {
    report_start(a);
    report_str("command", "relocate");
    venv_access va;
    int rc = venv_access_open(a, a->operand, &va);
    if (rc == CLI_OK) {
        rc = relocate_venv(&va);
        venv_access_close(&va);
    }
    report_finish(rc);
    return rc;
}
