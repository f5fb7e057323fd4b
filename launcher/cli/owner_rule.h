/* The ownership rule, and the walk it is decided on: the one implementation
 * behind every place the POSIX CLI writes in or runs a program from (a venv:
 * venv_access.h; an interpreter it found or was given: safe_exec.h).
 *
 *   The place and every directory above it belong to the caller or root and
 *   are writable by no other user (group- or world-writable counts). Above
 *   the place, a sticky directory such as /tmp is fine: others cannot rename
 *   what they do not own in it; a symbolic link followed in such a directory
 *   must itself be the caller's or root's (its owner may replace it).
 *
 * The walk starts at "/" (a relative path at the current directory) and
 * opens one component at a time with openat(O_NOFOLLOW), each descriptor
 * relative to the previous one and recorded with fstat(2) of that very
 * descriptor. A symbolic link is read (readlinkat) from a directory already
 * recorded and followed by hand, so every directory a link leads through is
 * recorded too, the one the link sits in included: realpath(3) would skip
 * that one, and the link's owner could retarget it after the judgement. What
 * the walk hands back is the descriptor of the place recorded last; the rule
 * is then applied to the record (owner_first_violation) for a uid, so
 * nothing can be swapped in between. SECURITY.md states the rule;
 * tests/unit/test_owner_rule.c, test_trust_owner.py and
 * test_trusted_discovery.py prove it. */
#ifndef VENVSHIM_OWNER_RULE_H
#define VENVSHIM_OWNER_RULE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef enum {
    OWNER_STEP_ABOVE, /* a directory the walk passed through: a sticky one is fine */
    OWNER_STEP_OWN,   /* the place itself (a venv, its bin/, a program and the directories
                       * it reads files from by name): no exception */
    OWNER_STEP_LINK,  /* a symbolic link followed */
} owner_step_kind;

typedef struct {
    owner_step_kind kind;
    char *path; /* as walked (links resolved), for messages */
    struct stat st;
    bool in_shared_dir; /* a link in a directory others may write (a sticky one) */
} owner_step;

/* Every directory, link and file a walk passed, in order. Zero-initialise;
 * owner_trail_free when done. */
typedef struct {
    owner_step *steps;
    int n, cap;
} owner_trail;

/* What owner_walk opens at the end of path. */
enum {
    OWNER_WALK_PROGRAM = 1,  /* a regular file (never a device or FIFO: its type is looked at
                              * before it is opened), opened O_RDONLY for reading and fexecve;
                              * else a directory, opened O_PATH where there is one */
    OWNER_WALK_READABLE = 2, /* the directory opened O_RDONLY (to be read, written in) */
    OWNER_WALK_SHARED = 4,   /* the directory may be sticky: what is taken from it is judged
                              * by itself (a PATH entry) */
    OWNER_WALK_PARTIAL = 8,  /* a missing component ends the walk: -1, errno 0, *missing */
};

/* Walk path as above, appending to t; the place is recorded last (OWN, or
 * ABOVE with OWNER_WALK_SHARED). Its descriptor (close-on-exec; its path in
 * resolved, PATH_MAX bytes, when not NULL), or -1 with errno (0 when
 * OWNER_WALK_PARTIAL stopped at a missing component: *missing is then true).
 * t holds what was passed before a failure too. */
int owner_walk(const char *path, unsigned flags, owner_trail *t, char *resolved, bool *missing);

typedef enum { OWNER_OK, OWNER_NOT_OWNED, OWNER_WRITABLE } owner_verdict;

/* The rule for one step, for a command run as uid. */
owner_verdict owner_judge(const owner_step *s, uid_t uid);

/* The index of the first step of t that breaks the rule for uid (*why says
 * how), or -1. */
int owner_first_violation(const owner_trail *t, uid_t uid, owner_verdict *why);

/* Append a step (venv_access adds bin/); false with errno. */
bool owner_trail_add(owner_trail *t, owner_step_kind kind, const char *path, const struct stat *st,
                     bool in_shared_dir);

void owner_trail_free(owner_trail *t);

#endif
