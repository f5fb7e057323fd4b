/* The one way the POSIX CLI reaches a venv it will write or run programs in
 * (install, relocate, rebase, create, check --fix). It walks from "/" one
 * directory at a time (openat with O_NOFOLLOW | O_DIRECTORY, symbolic links
 * resolved by hand), fstat(2)s each descriptor and decides the ownership rule
 * on those very directories (the walk and the rule are owner_rule.h's, shared
 * with interpreter discovery, safe_exec.h):
 *
 *   the venv, its bin/ and every directory above it (every directory the
 *   walk passed through) are owned by the caller or by root and writable by
 *   no other user; above the venv, a sticky directory such as /tmp is fine
 *   (others cannot rename what they do not own in it), and a symbolic link
 *   followed in one must be the caller's or root's.
 *
 * When it fails, the command changes nothing, exits 1 and prints how to do
 * it safely (sudo -u OWNER ...) and the override (--trust-others). After
 * that the commands work only on the descriptors handed out here: nothing
 * reopens the venv, or a file inside it, by name, and nothing inside it is
 * executed by name. The path is kept for messages only. SECURITY.md states
 * the rule; tests/integration/test_trust_owner.py proves it. */
#ifndef VENVSHIM_VENV_ACCESS_H
#define VENVSHIM_VENV_ACCESS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "commands.h"

/* The override's option name (each command's table lists it). */
#define TRUST_OTHERS_OPTION "trust-others"

typedef struct venv_access {
    char path[PATH_MAX]; /* absolute, links resolved: for messages only */
    int venv_fd;         /* the venv's directory */
    int bin_fd;          /* venv/bin (not followed if a link); -1 when there is none */
    int bin_error;       /* then why: the errno of opening it */
    uid_t owner;         /* of the venv's directory */
    bool overridden;     /* the rule failed and --trust-others was given */
} venv_access;

/* Open dir for a's command and apply the rule (a gives the override and the
 * command line for the hint). CLI_OK, or CLI_FAILED after saying why; va is
 * then closed. */
int venv_access_open(const cli_args *a, const char *dir, venv_access *va);

/* create, before python -m venv runs: the rule on every directory of dir
 * that exists already (dir itself included when it does). CLI_OK or
 * CLI_FAILED, said. */
int venv_access_precheck(const cli_args *a, const char *dir);

void venv_access_close(venv_access *va);

#endif
