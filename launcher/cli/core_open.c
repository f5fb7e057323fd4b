/* How the launcher's core opens files when the CLI calls it (check, install,
 * rebase --dry-run resolve the base exactly as the launcher would): through
 * the CLI's one opener, open_regular (fileops.c), so that root running the
 * CLI on another user's venv never opens a device, FIFO or socket that venv
 * names, and never reads through that user's link a file the user could not
 * read. The launcher itself keeps its plain open(2) (fs_posix.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "../posix/fs_posix.h"
#include "cli.h"
#include "core_open.h"

static char refused[VS_PATH_MAX + 128];

static int core_open(const char *path, fs_open_purpose purpose, struct stat *st) {
    read_failure f;
    /* pyvenv.cfg's text may be shown (home, version, error messages): only
     * through a link to its owner's own file; an interpreter's bytes are
     * never shown but its #! line, and interpreters live behind links to
     * /usr/bin and the like */
    int flags = READ_FOLLOW | READ_LINK_OWNER | (purpose == FS_OPEN_BINARY ? READ_LINK_PUBLIC : 0);
    int fd = open_regular(AT_FDCWD, path, (size_t)-1, flags, st, &f);
    if (fd >= 0)
        return fd;
    if (f.what != READ_FAIL_KIND)
        st->st_mode = 0;
    if (f.what == READ_FAIL_FOREIGN_LINK && !refused[0])
        snprintf(refused, sizeof refused, "%s (a symbolic link to a file its owner does not own)",
                 path);
    errno = f.err;
    return -1;
}

void core_open_install(void) {
    fs_posix_set_opener(core_open);
}

const char *core_open_refused(void) {
    return refused[0] ? refused : NULL;
}

void core_open_forget(void) {
    refused[0] = '\0';
}
