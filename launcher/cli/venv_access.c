/* Opening a venv once, under the ownership rule (venv_access.h); the rule
 * and the walk are owner_rule.h's, shared with interpreter discovery. */
#include "venv_access.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../strbuf.h"
#include "cli.h"
#include "owner_rule.h"

/* ---- the refusal ---- */

static void add_user(strbuf *sb, uid_t uid, bool as_word) {
    struct passwd *pw = getpwuid(uid);
    char name[64];
    if (pw && pw->pw_name[0])
        snprintf(name, sizeof name, "%s", pw->pw_name);
    else
        snprintf(name, sizeof name, "#%lu", (unsigned long)uid); /* sudo -u '#1001' */
    if (as_word) {
        sb_add_shell_word(sb, name);
        return;
    }
    sb_add_escaped(sb, name);
    sb_add(sb, " (uid ");
    sb_add_int(sb, (long)uid);
    sb_add(sb, ")");
}

/* "venvshim CMD [its options as given] DIR", every word quoted for the shell;
 * with_override: --trust-others added, else left out. */
static void add_command(strbuf *sb, const cli_args *a, const char *dir, bool with_override) {
    sb_add(sb, "venvshim ");
    sb_add(sb, a->cmd->name);
    for (int i = 0; a->cmd->options && a->cmd->options[i].name; i++) {
        const cli_option *o = &a->cmd->options[i];
        bool override = strcmp(o->name, TRUST_OTHERS_OPTION) == 0;
        if (override ? !with_override : !a->value[i])
            continue;
        sb_add(sb, " --");
        sb_add(sb, o->name);
        if (o->value && a->value[i]) {
            sb_add_char(sb, ' ');
            sb_add_shell_word(sb, a->value[i]);
        }
    }
    sb_add_char(sb, ' ');
    sb_add_shell_word(sb, dir);
}

static bool same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* What is wrong with step s of t, in words. */
static void add_reason(strbuf *sb, const owner_trail *t, const owner_step *s, owner_verdict why) {
    const owner_step *venv = &t->steps[t->n - 1];
    sb_add_escaped(sb, s->path);
    sb_add(sb, s->kind == OWNER_STEP_LINK     ? " (a symbolic link in a directory others can write)"
               : venv->kind != OWNER_STEP_OWN ? " (a directory above it)"
               : same_file(&s->st, &venv->st) ? " (the venv)"
               : s->kind == OWNER_STEP_OWN    ? " (its bin/)"
                                              : " (a directory above the venv)");
    if (why == OWNER_NOT_OWNED) {
        sb_add(sb, " is owned by ");
        add_user(sb, s->st.st_uid, false);
    } else {
        bool g = s->st.st_mode & S_IWGRP, o = s->st.st_mode & S_IWOTH;
        sb_add(sb, g && o ? " is writable by its group and everyone"
                   : g    ? " is writable by its group"
                          : " is writable by everyone");
        char mode[32];
        snprintf(mode, sizeof mode, " (mode %04o)", (unsigned)(s->st.st_mode & 07777));
        sb_add(sb, mode);
    }
}

/* Does a's command offer the override? */
static bool offers_override(const cli_args *a) {
    for (int i = 0; a->cmd->options && a->cmd->options[i].name; i++) {
        if (strcmp(a->cmd->options[i].name, TRUST_OTHERS_OPTION) == 0)
            return true;
    }
    return false;
}

/* Say why the rule failed for the caller, and how to go on safely: as the
 * venv's owner when the rule holds for that user, else by making the
 * directory safe; and the override. */
static void refuse(const cli_args *a, const char *shown, const owner_trail *t, int bad,
                   owner_verdict why, uid_t venv_owner, bool overridden) {
    static char text[4 * PATH_MAX + 1024];
    strbuf sb;
    sb_init(&sb, text, sizeof text);
    const owner_step *s = &t->steps[bad];
    if (overridden)
        sb_add(&sb, "warning: --" TRUST_OTHERS_OPTION ": ");
    add_reason(&sb, t, s, why);
    sb_add(&sb, overridden ? "; going on as asked"
                           : ": another user could choose what venvshim writes or runs as you; "
                             "nothing was changed\nvenvshim: ");
    if (!overridden) {
        owner_verdict owner_why;
        uid_t me = geteuid();
        if (venv_owner != me && venv_owner != 0 &&
            owner_first_violation(t, venv_owner, &owner_why) < 0) {
            sb_add(&sb, "run it as that user instead: sudo -u ");
            add_user(&sb, venv_owner, true);
            sb_add_char(&sb, ' ');
            add_command(&sb, a, shown, false);
        } else if (why == OWNER_WRITABLE && s->kind != OWNER_STEP_LINK) {
            sb_add(&sb, "make it safe first: chmod ");
            bool g = s->st.st_mode & S_IWGRP, o = s->st.st_mode & S_IWOTH;
            sb_add(&sb, g && o ? "go-w " : g ? "g-w " : "o-w ");
            sb_add_shell_word(&sb, s->path);
        } else {
            sb_add(&sb, "move the venv under directories that only you and root can write");
        }
        if (offers_override(a)) {
            sb_add(&sb, "; or, trusting every user who can change it: ");
            add_command(&sb, a, shown, true);
        }
    }
    cli_error(CLI_FAILED, "%s", text);
}

/* The rule on t for the caller: CLI_OK (also when overridden, with a
 * warning), or CLI_FAILED after refusing. */
static int apply_rule(const cli_args *a, const char *shown, const owner_trail *t, uid_t venv_owner,
                      bool *overridden) {
    owner_verdict why;
    int bad = owner_first_violation(t, geteuid(), &why);
    *overridden = false;
    if (bad < 0)
        return CLI_OK;
    *overridden = offers_override(a) && cli_opt(a, TRUST_OTHERS_OPTION) != NULL;
    static bool warned; /* create looks twice (before and after venv): one warning */
    if (!*overridden || !warned)
        refuse(a, shown, t, bad, why, venv_owner, *overridden);
    warned = warned || *overridden;
    return *overridden ? CLI_OK : CLI_FAILED;
}

/* dir as the user named it, made absolute (for the hints). */
static void absolute(const char *dir, char *out) {
    char cwd[PATH_MAX];
    if (dir[0] == '/' || !getcwd(cwd, sizeof cwd) ||
        snprintf(out, PATH_MAX, "%s/%s", cwd, dir) >= PATH_MAX)
        snprintf(out, PATH_MAX, "%s", dir);
}

int venv_access_open(const cli_args *a, const char *dir, venv_access *va) {
    memset(va, 0, sizeof *va);
    va->venv_fd = va->bin_fd = -1;
    owner_trail t = {0};
    bool missing;
    va->venv_fd = owner_walk(dir, OWNER_WALK_READABLE, &t, va->path, &missing);
    if (va->venv_fd < 0) {
        int e = errno;
        owner_trail_free(&t);
        return cli_error(CLI_FAILED, "%s: %s", dir, strerror(e));
    }
    struct stat st;
    fstat(va->venv_fd, &st);
    va->owner = st.st_uid;
    va->bin_fd = open_dir_at(va->venv_fd, "bin", true);
    va->bin_error = va->bin_fd < 0 ? errno : 0;
    char bin[PATH_MAX];
    if (va->bin_fd >= 0 && fstat(va->bin_fd, &st) == 0 &&
        snprintf(bin, sizeof bin, "%s/bin", va->path) < (int)sizeof bin) {
        /* judged before the venv's own step, which stays last */
        owner_step venv_step = t.steps[t.n - 1];
        t.n--;
        if (!owner_trail_add(&t, OWNER_STEP_OWN, bin, &st, false) ||
            !owner_trail_add(&t, venv_step.kind, venv_step.path, &venv_step.st, false)) {
            free(venv_step.path);
            owner_trail_free(&t);
            venv_access_close(va);
            return cli_error(CLI_FAILED, "%s: %s", dir, strerror(errno));
        }
        free(venv_step.path);
    }
    int rc = apply_rule(a, va->path, &t, va->owner, &va->overridden);
    owner_trail_free(&t);
    if (rc != CLI_OK)
        venv_access_close(va);
    return rc;
}

int venv_access_precheck(const cli_args *a, const char *dir) {
    owner_trail t = {0};
    bool missing;
    char shown[PATH_MAX];
    int fd = owner_walk(dir, OWNER_WALK_READABLE | OWNER_WALK_PARTIAL, &t, NULL, &missing);
    int rc = CLI_OK;
    if (fd >= 0)
        close(fd);
    /* the directories walked so far are judged; venv reports any error of
     * its own in its own words */
    if (t.n > 0) {
        absolute(dir, shown);
        bool overridden;
        rc = apply_rule(a, shown, &t, t.steps[t.n - 1].st.st_uid, &overridden);
    }
    owner_trail_free(&t);
    return rc;
}

void venv_access_close(venv_access *va) {
    if (va->bin_fd >= 0)
        close(va->bin_fd);
    if (va->venv_fd >= 0)
        close(va->venv_fd);
    va->bin_fd = va->venv_fd = -1;
}
