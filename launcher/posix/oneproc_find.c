/* oneproc_choose: which libpython the base binary would load (oneproc.h). */
#include "oneproc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../elfdyn.h"
#include "../fs.h"
#include "../libsearch.h"
#include "../strbuf.h"

/* The base's dynamic section and strings lie in its first pages: the first
 * 12 KiB hold them in every pyenv build from 3.6 to 3.13 (.dynamic ends at
 * 0x2fc0 at most; the whole python3.12 is 17 KiB). Read that much first, as
 * each page the read fills costs a page fault; a base that needs more is
 * read again up to HEAD_MAX, and one that needs more than that is exec'd. */
#define HEAD_FIRST (12 * 1024)
#define HEAD_MAX (64 * 1024)

/* Subdirectories glibc tries in each search directory before the directory
 * itself (strace of a base's start, glibc 2.36 on x86-64): glibc-hwcaps/<level>/
 * and the legacy tls/, haswell/, xeon_phi/, avx512_1/, x86_64/ trees; plus the
 * AArch64 names, unverified. A library found there would be another file:
 * when one of them exists, the base is exec'd and its loader decides. */
static const char *const hwcap_dirs[] = {"glibc-hwcaps", "tls",    "haswell", "xeon_phi",
                                         "avx512_1",     "x86_64", "aarch64", "atomics"};

/* Look for name in dir as the loader would: 1 found, 0 absent, -1 cannot tell. */
static int look_in(const char *dir, const char *name) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    struct stat st;
    int found = 0;
    for (size_t i = 0; i < sizeof hwcap_dirs / sizeof hwcap_dirs[0] && found == 0; i++)
        if (fstatat(dfd, hwcap_dirs[i], &st, 0) == 0 || errno != ENOENT)
            found = -1;
    if (found == 0) {
        if (fstatat(dfd, name, &st, 0) == 0)
            found = S_ISREG(st.st_mode) ? 1 : -1;
        else if (errno != ENOENT)
            found = -1;
    }
    close(dfd);
    return found;
}

/* One page-aligned struct: the parse, what install's record needs and the
 * directories' first bytes share one page. */
static _Alignas(4096) struct {
    int found;        /* the index in dirs of the directory that held the library, or -1 */
    bool used_origin; /* the search went through $ORIGIN */
    elfdyn_info info;
    libsearch_dirs dirs;
} work;

/* Where the library is (c->library, c->major, c->minor), or why not. */
static const char *find_library(const vs_plan *plan, const char *ld_library_path,
                                oneproc_choice *c) {
    /* page-aligned: HEAD_FIRST bytes fill three pages, not four */
    static _Alignas(4096) unsigned char head[HEAD_MAX];
    work.found = -1;
    work.used_origin = false;
    elfdyn_info *info = &work.info;
    libsearch_dirs *dirs = &work.dirs;
    static char origin[VS_PATH_MAX];
    /* through fs.h: the CLI's stricter opener applies there too (fs_posix.h) */
    long n;
    if (fs_probe(plan->base.binary, head, HEAD_FIRST, &n).kind != FS_FILE || n < 0)
        return "the base cannot be read";
    elfdyn_status st = elfdyn_parse(head, (size_t)n, info);
    if (st == ELFDYN_TRUNCATED && n == HEAD_FIRST) {
        if (fs_probe(plan->base.binary, head, sizeof head, &n).kind != FS_FILE || n < 0)
            return "the base cannot be read";
        st = elfdyn_parse(head, (size_t)n, info);
    }
    if (st != ELFDYN_OK)
        return elfdyn_reason(st);
    const char *origin_dir = NULL;
    if (libsearch_uses_origin(info)) {
        work.used_origin = true;
        if (!fs_realpath(plan->base.binary, origin))
            return "the base's $ORIGIN cannot be resolved";
        path_dirname(origin);
        origin_dir = origin;
    }
    const char *why = libsearch_dirs_for(info, origin_dir, ld_library_path, dirs);
    if (why)
        return why;
    if (!libsearch_version(info->libpython, &c->major, &c->minor) || c->major != 3 || c->minor < 6)
        return "its libpython is not CPython 3.6 or later";
    for (int i = 0; i < dirs->count; i++) {
        int found = look_in(dirs->dir[i], info->libpython);
        if (found < 0)
            return "a directory the loader searches holds a hardware-capability subdirectory "
                   "or cannot be read";
        if (found) {
            /* in place: the directory's slot becomes the library's path */
            work.found = i;
            c->library = dirs->dir[i];
            return path_join(dirs->dir[i], VS_PATH_MAX, dirs->dir[i], info->libpython)
                       ? NULL
                       : "the library's path is too long";
        }
    }
    return "its libpython is not in its DT_RUNPATH (ld.so.cache or a default directory would "
           "supply it)";
}

void oneproc_choose(const vs_plan *plan, const char *ld_library_path, oneproc_choice *c) {
    c->reason = find_library(plan, ld_library_path, c);
    c->possible = c->reason == NULL;
    if (!c->possible) {
        c->library = ""; /* also when a slot was taken, then found too long */
        work.found = -1;
    }
}

bool oneproc_searched_dirs(oneproc_searched *searched) {
    static char found_dir[VS_PATH_MAX];
    searched->count = 0;
    if (work.found < 0 || work.used_origin)
        return false;
    for (int i = 0; i < work.found; i++)
        searched->dir[i] = work.dirs.dir[i];
    /* the found directory's slot holds the library's path now */
    sb_copy(found_dir, sizeof found_dir, work.dirs.dir[work.found]);
    path_dirname(found_dir);
    searched->dir[work.found] = found_dir;
    searched->count = work.found + 1;
    return true;
}
