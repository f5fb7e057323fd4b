/* Console scripts in a venv's bin/: is each one's interpreter reachable, and
 * after a move or copy, point the stale ones back at this venv (--fix). */
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../path.h"
#include "../plan.h"
#include "../pyname.h"
#include "../script.h"
#include "check.h"
#include "cli.h"
#include "core_open.h"

#define SH_EXEC_PREFIX "'''exec' "
#define SCRIPT_MAX (16u << 20) /* larger is not a script */

static size_t line_end(const char *text, size_t len, size_t from) {
    const char *nl = memchr(text + from, '\n', len - from);
    return nl ? (size_t)(nl - text) : len;
}

void shebang_parse(const char *text, size_t len, shebang *sb) {
    memset(sb, 0, sizeof *sb);
    if (len < 3 || text[0] != '#' || text[1] != '!')
        return;
    size_t end1 = line_end(text, len, 0);
    size_t p = 2;
    while (p < end1 && (text[p] == ' ' || text[p] == '\t'))
        p++;
    size_t q = p;
    while (q < end1 && text[q] != ' ' && text[q] != '\t' && text[q] != '\r')
        q++;
    size_t start = p, stop = q;
    shebang_kind kind = SHEBANG_DIRECT;
    if (q - p == 7 && memcmp(text + p, "/bin/sh", 7) == 0 && end1 < len) {
        /* pip's form for paths too long or with spaces: the path is on line 2 */
        size_t l2 = end1 + 1, end2 = line_end(text, len, l2);
        size_t n = strlen(SH_EXEC_PREFIX);
        if (end2 - l2 > n && memcmp(text + l2, SH_EXEC_PREFIX, n) == 0) {
            start = l2 + n;
            if (text[start] == '"' || text[start] == '\'') {
                char quote = text[start++];
                const char *close = memchr(text + start, quote, end2 - start);
                stop = close ? (size_t)(close - text) : end2;
            } else {
                stop = start;
                while (stop < end2 && text[stop] != ' ')
                    stop++;
            }
            kind = SHEBANG_SH_EXEC;
        }
    }
    if (stop - start >= sizeof sb->interpreter)
        return;
    memcpy(sb->interpreter, text + start, stop - start);
    sb->interpreter[stop - start] = '\0';
    sb->kind = kind;
    sb->start = start;
    sb->end = stop;
}

static bool is_executable_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Same directory (by identity when both exist: a venv reached through a
 * symlinked parent is still this venv). */
static bool same_dir(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

/* Does dir (an interpreter's directory) belong to a venv other than venv? */
static bool in_other_venv(const char *interp, const char *venv) {
    char dir[VS_PATH_MAX], cfg[VS_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", interp);
    path_dirname(dir);
    path_dirname(dir);
    struct stat a, b;
    if (!path_join(cfg, sizeof cfg, dir, "pyvenv.cfg") || stat(cfg, &a) != 0)
        return false;
    return stat(venv, &b) != 0 || stat(dir, &a) != 0 || a.st_dev != b.st_dev ||
           a.st_ino != b.st_ino;
}

/* Does the interpreter path need pip's /bin/sh form: a blank (the kernel
 * ends the #! path there), or longer than the kernel reads of a #! line? */
static bool needs_sh(const char *interp) {
    return strpbrk(interp, " \t") || strlen(interp) > 127;
}

/* Can interp be written into a script at all? A control byte breaks the
 * line. In the /bin/sh form the path sits inside "..." for the shell, where
 * $ ` \ " would run or end something, and inside a ''' string for Python. */
static bool fits_a_script(const char *interp, shebang_kind kind) {
    for (const unsigned char *p = (const unsigned char *)interp; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return (kind != SHEBANG_SH_EXEC && !needs_sh(interp)) || !strpbrk(interp, "\"$`\\'");
}

/* The file with its interpreter replaced; pip's /bin/sh form when the new
 * path cannot go on a #! line. */
static char *rewrite(const char *text, size_t len, const shebang *sb, const char *interp,
                     size_t *out_len) {
    bool sh = needs_sh(interp);
    size_t cap = len + strlen(interp) + 64;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int n;
    if (sb->kind == SHEBANG_DIRECT && sh) {
        size_t rest = line_end(text, len, 0);
        n = snprintf(out, cap, "#!/bin/sh\n'''exec' \"%s\" \"$0\" \"$@\"\n' '''", interp);
        memcpy(out + n, text + rest, len - rest);
        *out_len = (size_t)n + len - rest;
        return out;
    }
    n = snprintf(out, cap, "%.*s%s", (int)sb->start, text, interp);
    memcpy(out + n, text + sb->end, len - sb->end);
    *out_len = (size_t)n + len - sb->end;
    return out;
}

/* A venvshim script launcher: its interpreter is this venv's python, found at
 * run time. Ask the launcher's own plan whether it would start, which also
 * reads the appended payload exactly as the launcher does. */
static void check_script_launcher(const char *path, report *r, int *launchers) {
    static vs_plan plan;
    static vs_error err;
    if (core_plan_for(path, &plan, &err) == 0) {
        report_add(r, "script", FIND_OK, path, "%s is a script launcher; runs %s as %s", path,
                   plan.base.binary, plan_sys_executable(&plan));
        (*launchers)++;
        return;
    }
    char *second_line = strchr(err.text, '\n');
    if (second_line)
        *second_line = '\0';
    report_add(r, "script", FIND_PROBLEM, path, "%s: script launcher would fail (exit %d): %s",
               path, err.code, err.text + strlen("venvshim: "));
}

static void check_one(const char *venv, const char *bin, const char *name, bool fix, report *r,
                      int *into_venv, int *launchers) {
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, bin, name))
        return;
    struct stat st;
    size_t len;
    const char *unread;
    /* Symlinks are not followed (what they point to is not this venv's to
     * fix); FIFOs and devices are reported by check_bin_entries. */
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    char *text = check_read_file(path, SCRIPT_MAX, &len, &st, &unread);
    if (!text)
        return;
    shebang sb;
    shebang_parse(text, len, &sb);
    const char *interp = sb.interpreter;
    char mine[VS_PATH_MAX];
    if (!path_join(mine, sizeof mine, bin, path_basename(interp)))
        mine[0] = '\0';
    if (sb.kind == SHEBANG_NONE) {
        if (has_launcher_marker(text, len))
            check_script_launcher(path, r, launchers);
        /* else not a script (a binary, activate) */
    } else if (!path_is_absolute(interp) || strncmp(interp, "/usr/bin/env", 12) == 0) {
        report_add(r, "script", FIND_INFO, path, "%s: #!%s is looked up on PATH, not checked", path,
                   interp);
    } else {
        char idir[VS_PATH_MAX];
        snprintf(idir, sizeof idir, "%s", interp);
        path_dirname(idir);
        bool ours = same_dir(idir, bin);
        bool exists = is_executable_file(interp);
        bool other = exists && !ours && in_other_venv(interp, venv);
        bool moved = !exists && !ours && strcmp(path_basename(idir), "bin") == 0;
        *into_venv += ours;
        if (ours && exists) {
            report_add(r, "script", FIND_OK, path, "%s runs %s", path, interp);
        } else if ((other || moved) && is_executable_file(mine)) {
            const char *why = other ? "is another venv's python (a copied venv?)"
                                    : "does not exist (a moved venv?)";
            size_t out_len;
            bool fits = fits_a_script(mine, sb.kind);
            char *out = fix && fits ? rewrite(text, len, &sb, mine, &out_len) : NULL;
            /* the shared writer drops set-user/group-ID bits and says so: check may run as root */
            if (out && write_file_atomic(path, out, out_len, (unsigned)(st.st_mode & 07777))) {
                report_add(r, "script", FIND_FIXED, path, "%s: #!%s %s; now runs %s", path, interp,
                           why, mine);
                (*into_venv)++;
            } else if (!fits) {
                report_add(r, "script", FIND_PROBLEM, path,
                           "%s: #!%s %s; this venv's path cannot go into a script safely (it has "
                           "a control character, or a blank and one of \" $ ` \\ '): move the "
                           "venv to a plainer path",
                           path, interp, why);
            } else if (fix) {
                report_add(r, "script", FIND_PROBLEM, path, "%s: #!%s %s; rewriting it failed: %s",
                           path, interp, why, strerror(errno));
            } else {
                report_add(r, "script", FIND_PROBLEM, path,
                           "%s: #!%s %s; 'venvshim check --fix' points it at %s", path, interp, why,
                           mine);
                (*into_venv)++; /* it records this venv's path once fixed */
            }
            free(out);
        } else if (!exists) {
            report_add(r, "script", FIND_PROBLEM, path,
                       "%s: its interpreter %s does not exist; reinstall the package that "
                       "provides it",
                       path, interp);
        } else {
            report_add(r, "script", FIND_OK, path, "%s runs %s (outside this venv)", path, interp);
        }
    }
    free(text);
}

/* Not a console script: dot files, bin/python* (the launcher check's). */
static bool not_a_script(const char *name) {
    return name[0] == '.' || pyname_is_interpreter(name);
}

void check_scripts(const char *venv, bool fix, bool relocatable, report *r) {
    const char *activate = relocatable ? "bin/activate finds the venv from its own location (bash, "
                                         "zsh, fish; sh on Linux), activate.csh keeps the old path"
                                       : "bin/activate* keep the old path";
    char bin[VS_PATH_MAX];
    if (!path_join(bin, sizeof bin, venv, "bin"))
        return;
    size_t count;
    char **names = dir_names_at(AT_FDCWD, bin, not_a_script, &count);
    if (!names)
        return; /* reported by the launcher check */
    int into_venv = 0, launchers = 0;
    for (size_t i = 0; i < count; i++)
        check_one(venv, bin, names[i], fix, r, &into_venv, &launchers);
    dir_names_free(names, count);
    /* A script launcher records no path: it finds ./python at run time. */
    if (launchers)
        report_add(r, "movable", FIND_INFO, NULL,
                   "%d script launcher%s find%s this venv's python at run time and move%s with it",
                   launchers, launchers == 1 ? "" : "s", launchers == 1 ? "s" : "",
                   launchers == 1 ? "s" : "");
    /* script launchers come from venvshim relocate, which also marks
     * pyvenv.cfg; python -m venv --upgrade rewrites pyvenv.cfg and
     * bin/activate*, so the marker and activate's own-location lookup go */
    if (launchers && !relocatable) {
        static char again[SHELL_FIX_CAP];
        snprintf(again, sizeof again, "venvshim relocate %s", shell_word(venv));
        report_add_fix(r, "movable", FIND_INFO, NULL, again,
                       "the script launchers say this venv was relocated, but pyvenv.cfg has no "
                       "relocatable = true (python -m venv --upgrade rewrites it and "
                       "bin/activate*); to mark it again, run ");
    }
    if (into_venv)
        report_add(r, "movable", FIND_INFO, NULL,
                   "%d script%s record%s this venv's path in #!: after a move, run "
                   "'venvshim check --fix NEWDIR'; %s "
                   "(bin/python itself finds pyvenv.cfg next to it and moves freely)",
                   into_venv, into_venv == 1 ? "" : "s", into_venv == 1 ? "s" : "", activate);
    else
        report_add(r, "movable", FIND_INFO, NULL,
                   "no script records this venv's path; %s "
                   "(bin/python itself finds pyvenv.cfg next to it and moves freely)",
                   activate);
}
