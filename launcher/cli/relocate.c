/* venvshim relocate DIR: make a venv movable. Console scripts whose #! names
 * this venv's python become script launchers (the launcher + a zip holding
 * the script as __main__.py), the activate scripts find the venv from their
 * own location, and pyvenv.cfg says `relocatable = true`. Idempotent; a
 * script it does not understand is left alone and reported. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../path.h"
#include "../script.h"
#include "cli.h"

typedef struct {
    char venv[PATH_MAX]; /* realpath */
    char bin[PATH_MAX];
    char *launcher;
    size_t launcher_len;
    int converted, already, left;
} relocation;

static const char *line_end(const char *p, const char *end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* Does the interpreter path of a #! line name this venv's python? */
static bool names_this_venv(const relocation *r, const char *path, size_t len) {
    char target[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
    if (len == 0 || len >= sizeof target)
        return false;
    memcpy(target, path, len);
    target[len] = '\0';
    if (target[0] != '/' || !script_is_interpreter_name(path_basename(target)))
        return false;
    snprintf(dir, sizeof dir, "%s", target);
    path_dirname(dir);
    return realpath(dir, real) && strcmp(real, r->bin) == 0;
}

/* The Python body of a script whose #! runs this venv's python: a plain
 * `#!/venv/bin/python` line, or the /bin/sh form pip writes for long or
 * spaced paths. NULL when the script is not one of those. */
static const char *script_body(const relocation *r, const char *text, size_t len,
                               const char **reason) {
    const char *end = text + len, *l1 = line_end(text, end);
    *reason = "no #! line";
    if (len < 2 || text[0] != '#' || text[1] != '!')
        return NULL;
    static const char sh[] = "#!/bin/sh";
    if ((size_t)(l1 - text) == sizeof sh - 1 && memcmp(text, sh, sizeof sh - 1) == 0) {
        static const char head[] = "'''exec' \"", tail[] = "\" \"$0\" \"$@\"";
        const char *l2 = l1 < end ? l1 + 1 : end, *l2e = line_end(l2, end);
        const char *l3 = l2e < end ? l2e + 1 : end, *l3e = line_end(l3, end);
        size_t n2 = (size_t)(l2e - l2), h = sizeof head - 1, t = sizeof tail - 1;
        *reason = "a /bin/sh script, not one pip wrote for this venv";
        if (n2 <= h + t || memcmp(l2, head, h) != 0 || memcmp(l2e - t, tail, t) != 0 ||
            (size_t)(l3e - l3) != 5 || memcmp(l3, "' '''", 5) != 0)
            return NULL;
        *reason = "its #! names another python";
        return names_this_venv(r, l2 + h, n2 - h - t) ? (l3e < end ? l3e + 1 : end) : NULL;
    }
    const char *p = text + 2;
    while (p < l1 && *p == ' ')
        p++;
    const char *q = l1;
    while (q > p && (q[-1] == '\r' || q[-1] == ' ' || q[-1] == '\t'))
        q--;
    *reason = "its #! line has options";
    if (memchr(p, ' ', (size_t)(q - p)) || memchr(p, '\t', (size_t)(q - p)))
        return NULL;
    *reason = "its #! names another python";
    return names_this_venv(r, p, (size_t)(q - p)) ? (l1 < end ? l1 + 1 : end) : NULL;
}

static bool has_payload(const char *data, size_t len) {
    long long image = elf_image_end((const unsigned char *)data, len);
    return image > 0 && (long long)len > image;
}

static int convert_one(relocation *r, const char *name) {
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, r->bin, name))
        return cli_error(CLI_FAILED, "path too long: %s/%s", r->bin, name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return CLI_OK;
    size_t len;
    char *text = read_whole_file(path, &len);
    if (!text)
        return cli_error(CLI_FAILED, "cannot read %s: %s", path, strerror(errno));
    int rc = CLI_OK;
    const char *reason;
    const char *body = script_body(r, text, len, &reason);
    if (is_launcher_file(path)) {
        r->already += has_payload(text, len);
    } else if (!body) {
        printf("  left alone: %s (%s)\n", name, reason);
        r->left++;
    } else {
        size_t zip_len;
        unsigned char *zip =
            zip_single_file("__main__.py", body, len - (size_t)(body - text), &zip_len);
        char *out = zip ? malloc(r->launcher_len + zip_len) : NULL;
        if (!out) {
            rc = cli_error(CLI_FAILED, "out of memory");
        } else {
            memcpy(out, r->launcher, r->launcher_len);
            memcpy(out + r->launcher_len, zip, zip_len);
            if (write_file_atomic(path, out, r->launcher_len + zip_len, st.st_mode & 07777)) {
                printf("  script launcher: %s\n", name);
                r->converted++;
            } else {
                rc = cli_error(CLI_FAILED, "cannot rewrite %s: %s", path, strerror(errno));
            }
        }
        free(zip);
        free(out);
    }
    free(text);
    return rc;
}

static const char sh_block[] =
    "# venvshim relocate: find the venv from this file's own location\n"
    "if [ -n \"${BASH_VERSION:-}\" ]; then\n"
    "    _venvshim_venv=$(CDPATH= cd -- \"$(dirname -- \"${BASH_SOURCE[0]}\")/..\" && pwd)\n"
    "elif [ -n \"${ZSH_VERSION:-}\" ]; then\n"
    "    _venvshim_venv=$(CDPATH= cd -- \"$(dirname -- \"${(%%):-%%x}\")/..\" && pwd)\n"
    "else\n"
    "    _venvshim_venv=%.*s\n"
    "fi\n";

/* A `[export ]VIRTUAL_ENV=<value>` line of activate: its value, or NULL. */
static const char *venv_assignment(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(e - p) > 7 && memcmp(p, "export ", 7) == 0)
        p += 7;
    return (size_t)(e - p) > 12 && memcmp(p, "VIRTUAL_ENV=", 12) == 0 ? p + 12 : NULL;
}

static bool is_cygpath(const char *v, const char *e) {
    return (size_t)(e - v) > 10 && memcmp(v, "$(cygpath ", 10) == 0;
}

/* bash/zsh `activate`: every VIRTUAL_ENV=<path> takes the path computed by
 * sh_block, which goes after `deactivate nondestructive` (top level in every
 * venv version), or before the first assignment. */
static char *relocate_sh(const char *text, size_t len) {
    const char *end = text + len, *fallback = NULL, *fallback_end = NULL, *anchor = NULL;
    for (const char *p = text; p < end;) {
        const char *e = line_end(p, end), *v = venv_assignment(p, e);
        if (v && !fallback && !is_cygpath(v, e)) {
            fallback = v;
            fallback_end = e;
        }
        static const char deactivate[] = "deactivate nondestructive";
        bool is_deactivate = (size_t)(e - p) == sizeof deactivate - 1 &&
                             memcmp(p, deactivate, sizeof deactivate - 1) == 0;
        if (!anchor && (v || is_deactivate))
            anchor = v ? p : e + 1; /* an assignment follows, so e < end */
        p = e < end ? e + 1 : end;
    }
    if (!fallback)
        return NULL;
    size_t cap = len * 2 + sizeof sh_block + 2 * PATH_MAX;
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    for (const char *p = text; p < end;) {
        if (p == anchor)
            o += sprintf(o, sh_block, (int)(fallback_end - fallback), fallback);
        const char *e = line_end(p, end), *v = venv_assignment(p, e);
        if (v) {
            o += sprintf(o, "%.*s%s", (int)(v - p), p,
                         is_cygpath(v, e) ? "$(cygpath \"$_venvshim_venv\")"
                                          : "\"$_venvshim_venv\"");
        } else {
            memcpy(o, p, (size_t)(e - p));
            o += e - p;
        }
        if (e < end)
            *o++ = '\n';
        p = e < end ? e + 1 : end;
    }
    if (o > out && o[-1] != '\n')
        *o++ = '\n';
    o += sprintf(o, "unset _venvshim_venv\n"); /* keep the user's shell clean */
    return out;
}

/* fish: set -gx VIRTUAL_ENV <path> becomes the sourced file's parent dir. */
static char *relocate_fish(const char *text, size_t len) {
    static const char key[] = "set -gx VIRTUAL_ENV ";
    static const char value[] = "(builtin realpath (status dirname)/..)";
    char *out = malloc(len + sizeof value + 1), *o = out;
    if (!out)
        return NULL;
    bool done = false;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *e = line_end(p, end);
        bool match =
            !done && (size_t)(e - p) > sizeof key - 1 && memcmp(p, key, sizeof key - 1) == 0;
        if (match) {
            o += sprintf(o, "%s%s", key, value);
            done = true;
        } else {
            memcpy(o, p, (size_t)(e - p));
            o += e - p;
        }
        if (e < end)
            *o++ = '\n';
        p = e < end ? e + 1 : end;
    }
    *o = '\0';
    if (!done) {
        free(out);
        return NULL;
    }
    return out;
}

static int relocate_activate(const relocation *r, const char *name, bool fish) {
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, r->bin, name))
        return CLI_OK;
    size_t len;
    char *text = read_whole_file(path, &len);
    if (!text)
        return CLI_OK; /* not every venv has every shell's script */
    int rc = CLI_OK;
    if (strstr(text, fish ? "(status dirname)" : "_venvshim_venv")) {
        free(text);
        return CLI_OK; /* done before */
    }
    char *out = fish ? relocate_fish(text, len) : relocate_sh(text, len);
    if (!out)
        printf("  left alone: %s (no VIRTUAL_ENV line venvshim knows)\n", name);
    else if (write_file_atomic(path, out, strlen(out), 0644))
        printf("  location-independent: %s\n", name);
    else
        rc = cli_error(CLI_FAILED, "cannot rewrite %s: %s", path, strerror(errno));
    free(out);
    free(text);
    return rc;
}

/* Append `relocatable = true` unless pyvenv.cfg has a relocatable key. */
static int mark_cfg(const relocation *r) {
    char path[VS_PATH_MAX];
    if (!path_join(path, sizeof path, r->venv, "pyvenv.cfg"))
        return CLI_FAILED;
    size_t len;
    char *text = read_whole_file(path, &len);
    if (!text)
        return cli_error(CLI_FAILED, "cannot read %s: %s", path, strerror(errno));
    bool found = false;
    for (const char *p = text; *p && !found;) {
        while (*p == ' ' || *p == '\t')
            p++;
        found = strncasecmp(p, "relocatable", 11) == 0 && p[11] && strchr(" \t=", p[11]);
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    int rc = CLI_OK;
    if (!found) {
        char *out = malloc(len + 32);
        int n = out ? snprintf(out, len + 32, "%s%srelocatable = true\n", text,
                               len && text[len - 1] != '\n' ? "\n" : "")
                    : 0;
        if (!out || !write_file_atomic(path, out, (size_t)n, 0644))
            rc = cli_error(CLI_FAILED, "cannot update %s: %s", path, strerror(errno));
        else
            printf("  recorded relocatable = true in %s\n", path);
        free(out);
    }
    free(text);
    return rc;
}

static bool skip_name(const char *name) {
    return name[0] == '.' || script_is_interpreter_name(name) ||
           strncmp(name, "activate", 8) == 0 || strcmp(name, "Activate.ps1") == 0;
}

int relocate_venv(const char *dir) {
    static relocation r;
    memset(&r, 0, sizeof r);
    char cfg[VS_PATH_MAX], launcher[VS_PATH_MAX];
    struct stat st;
    if (!realpath(dir, r.venv))
        return cli_error(CLI_FAILED, "%s: %s", dir, strerror(errno));
    if (!path_join(cfg, sizeof cfg, r.venv, "pyvenv.cfg") || stat(cfg, &st) != 0)
        return cli_error(CLI_FAILED,
                         "%s is not a virtual environment (no pyvenv.cfg); create one with: "
                         "venvshim create --relocatable %s",
                         r.venv, r.venv);
    if (!path_join(r.bin, sizeof r.bin, r.venv, "bin") || stat(r.bin, &st) != 0)
        return cli_error(CLI_FAILED, "%s has no bin/ directory", r.venv);
    if (!find_launcher(launcher, sizeof launcher))
        return cli_error(CLI_FAILED, "cannot find venvshim-launcher next to this program; "
                                     "set VENVSHIM_LAUNCHER to its path");
    r.launcher = read_whole_file(launcher, &r.launcher_len);
    if (!r.launcher || has_payload(r.launcher, r.launcher_len)) {
        free(r.launcher);
        return cli_error(CLI_FAILED, "%s is not a plain launcher binary", launcher);
    }
    printf("relocating %s:\n", r.venv);
    DIR *d = opendir(r.bin);
    if (!d) {
        free(r.launcher);
        return cli_error(CLI_FAILED, "cannot read %s: %s", r.bin, strerror(errno));
    }
    int rc = CLI_OK;
    struct dirent *e;
    while (rc == CLI_OK && (e = readdir(d)) != NULL) {
        if (!skip_name(e->d_name))
            rc = convert_one(&r, e->d_name);
    }
    closedir(d);
    free(r.launcher);
    if (rc == CLI_OK)
        rc = relocate_activate(&r, "activate", false);
    if (rc == CLI_OK)
        rc = relocate_activate(&r, "activate.fish", true);
    if (rc == CLI_OK && access(r.bin, F_OK) == 0) {
        char csh[VS_PATH_MAX];
        if (path_join(csh, sizeof csh, r.bin, "activate.csh") && access(csh, F_OK) == 0)
            printf("  left alone: activate.csh (csh cannot tell which file is being sourced)\n");
    }
    if (rc == CLI_OK)
        rc = mark_cfg(&r);
    if (rc == CLI_OK)
        printf("%d converted, %d already script launchers, %d left alone\n", r.converted, r.already,
               r.left);
    return rc;
}

int cmd_relocate(int argc, char **argv) {
    if (argc != 1 || argv[0][0] == '-')
        return cli_error(CLI_USAGE, "usage: venvshim relocate DIR");
    return relocate_venv(argv[0]);
}
