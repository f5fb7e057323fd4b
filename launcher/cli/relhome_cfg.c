/* create --relocatable: when the base interpreter lives under the venv's
 * parent directory (app/python next to app/.venv), write `home` and
 * `executable` relative to the directory holding pyvenv.cfg (PEP 796), so the
 * whole app/ can move. Otherwise the venv keeps its absolute home: it can
 * then move on this machine, but not without its base. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cfg.h"
#include "../diag.h"
#include "../path.h"
#include "../plan.h"
#include "cli.h"
#include "report.h"
#include "venv_access.h"

/* to relative to from (both absolute, normalised); false if not under root. */
static bool relative_to(const char *from, const char *to, const char *root, char *out, size_t cap) {
    size_t r = strlen(root);
    if (strncmp(to, root, r) != 0 || (to[r] != '/' && to[r] != '\0'))
        return false;
    size_t common = 0;
    for (size_t i = 0;; i++) { /* longest common prefix ending at a component */
        bool end_from = from[i] == '\0' || from[i] == '/';
        bool end_to = to[i] == '\0' || to[i] == '/';
        if (end_from && end_to)
            common = i;
        if (from[i] != to[i] || from[i] == '\0')
            break;
    }
    out[0] = '\0';
    size_t used = 0;
    for (const char *p = from + common; *p; p++) {
        if (*p == '/')
            used += (size_t)snprintf(out + used, cap - used, "%s..", used ? "/" : "");
        if (used >= cap)
            return false;
    }
    const char *rest = to + common + (to[common] == '/');
    if (*rest)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "/" : "", rest);
    if (!used)
        used += (size_t)snprintf(out, cap, ".");
    return used < cap;
}

/* Rewrite the value of every `key = ...` line whose key is in keys. */
static char *rewrite(const char *text, const char *const keys[], const char *const values[],
                     int n) {
    size_t cap = strlen(text) + 3 * PATH_MAX;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t used = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        int hit = -1;
        for (int k = 0; eq && k < n && hit < 0; k++) {
            const char *s = p, *e = eq;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if ((size_t)(e - s) == strlen(keys[k]) && strncasecmp(s, keys[k], (size_t)(e - s)) == 0)
                hit = k;
        }
        if (hit >= 0)
            used += (size_t)snprintf(out + used, cap - used, "%s = %s\n", keys[hit], values[hit]);
        else
            used += (size_t)snprintf(out + used, cap - used, "%.*s%s", (int)len, p, nl ? "\n" : "");
        if (used >= cap) {
            free(out);
            return NULL;
        }
        p = nl ? nl + 1 : p + len;
    }
    return out;
}

int relativize_home(const venv_access *va) {
    const char *venv = va->path;
    char root[PATH_MAX], cfg_path[VS_PATH_MAX], bin_python[VS_PATH_MAX];
    snprintf(root, sizeof root, "%s", venv);
    path_dirname(root);
    if (!path_join(cfg_path, sizeof cfg_path, venv, "pyvenv.cfg") ||
        !path_join(bin_python, sizeof bin_python, venv, "bin/python"))
        return cli_error(CLI_FAILED, "path too long: %s", venv);
    static vs_plan plan;
    static vs_error err;
    vs_request req = {.inv = {bin_python, NULL}, .traits = platform_traits_current()};
    if (plan_make(&req, &plan, &err) != 0) {
        diag_print_error(&err);
        return CLI_FAILED;
    }
    char home[PATH_MAX], exe[PATH_MAX], rel_home[PATH_MAX], rel_exe[PATH_MAX];
    if (!realpath(plan.base.home, home) || !realpath(plan.base.binary, exe))
        return cli_error(CLI_FAILED, "%s: %s", plan.base.home, strerror(errno));
    if (!relative_to(venv, home, root, rel_home, sizeof rel_home) ||
        !relative_to(venv, exe, root, rel_exe, sizeof rel_exe)) {
        report_note("home = %s stays absolute: the base Python is not inside %s\n", plan.base.home,
                    root);
        return CLI_OK;
    }
    size_t len;
    const char *why;
    struct stat st;
    char *text =
        read_file_at(va->venv_fd, "pyvenv.cfg", READ_CAP_CFG, READ_NOFOLLOW, &len, &st, &why);
    if (!text)
        return cli_error(CLI_FAILED, "cannot read %s: %s", cfg_path, why);
    /* base-executable too: an absolute one would pin the old location */
    const char *keys[] = {"home", "executable", "base-executable"};
    const char *values[] = {rel_home, rel_exe, rel_exe};
    char *out = rewrite(text, keys, values, 3);
    int rc = CLI_OK;
    static staged_file s;
    if (!out ||
        !staged_write_at(&s, va->venv_fd, "pyvenv.cfg", cfg_path, out, strlen(out),
                         st.st_mode & 07777) ||
        !staged_commit(&s))
        rc = cli_error(CLI_FAILED, "cannot update %s: %s", cfg_path, strerror(errno));
    else
        report_note("relative home = %s (executable = %s) in %s\n", rel_home, rel_exe, cfg_path);
    free(out);
    free(text);
    /* A relative home needs the start-up hook (relhome.h). */
    if (rc == CLI_OK)
        rc = install_site_init(va->venv_fd, venv);
    /* Check that the launcher runs the venv as written. */
    if (rc == CLI_OK && plan_make(&req, &plan, &err) != 0) {
        diag_print_error(&err);
        rc = CLI_FAILED;
    }
    return rc;
}
