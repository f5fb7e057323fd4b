/* Which launcher a venv gets: the static one, or the one-process launcher
 * (launcher/posix/oneproc.h) where the base loads a shared libpython and the
 * user asked for it. install, and through it create, rebase, check --fix and
 * upgrade, ask here; so does check, to know which file is "this build's
 * launcher". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../fs.h"
#include "../oneproc_record.h"
#include "../posix/oneproc.h"
#include "../strbuf.h"
#include "cli.h"
#include "core_open.h"
#include "launcher_variant.h"

#define DL_NAME "venvshim-launcher-dl"

/* Is venv_fd's bin/.venvshim-launcher the one-process launcher? Read through
 * the venv's descriptor, links not followed (venv_access.h). */
static bool venv_has_one_process(int venv_fd) {
    int bin_fd = venv_fd >= 0 ? open_dir_at(venv_fd, "bin", true) : -1;
    if (bin_fd < 0)
        return false;
    size_t len;
    char *data =
        read_file_at(bin_fd, VS_LAUNCHER_FILE, READ_CAP_FILE, READ_NOFOLLOW, &len, NULL, NULL);
    close(bin_fd);
    bool found = data && contains_string(data, len, ONEPROC_LAUNCHER_MARKER);
    free(data);
    return found;
}

/* upgrade's old venv had the one-process launcher (launcher_variant_inherit) */
static bool inherited;

void launcher_variant_inherit(int old_venv_fd) {
    inherited = venv_has_one_process(old_venv_fd);
}

bool launcher_variant_wanted(int venv_fd) {
    const char *v = getenv(ONEPROC_INSTALL_VAR);
    if (v && v[0])
        return strcmp(v, "0") != 0;
    return inherited || venv_has_one_process(venv_fd);
}

/* launcher_variant_choose's last decision, for launcher_variant_record */
static oneproc_choice one;

bool launcher_variant_choose(int venv_fd, const vs_plan *plan, char *launcher, size_t cap,
                             const char **why) {
    one.possible = false;
    *why = NULL;
    if (!launcher_variant_wanted(venv_fd))
        return false;
    char dir[VS_PATH_MAX], dl[VS_PATH_MAX];
    sb_copy(dir, sizeof dir, launcher);
    path_dirname(dir);
    if (!path_join(dl, sizeof dl, dir, DL_NAME) || !is_launcher_file(dl)) {
        *why = "no " DL_NAME " beside the launcher";
        return false;
    }
    /* as at start-up, but without LD_LIBRARY_PATH: the venv's users' own */
    oneproc_choose(plan, NULL, &one);
    if (!one.possible) {
        *why = one.reason;
        return false;
    }
    return snprintf(launcher, cap, "%s", dl) < (int)cap;
}

bool launcher_variant_for_venv(int venv_fd, const char *venv, char *launcher, size_t cap) {
    static vs_plan plan;
    static vs_error err;
    one.possible = false;
    if (!launcher_variant_wanted(venv_fd))
        return false;
    char exe[VS_PATH_MAX];
    if (!path_join(exe, sizeof exe, venv, "bin/python"))
        return false;
    const char *why;
    return core_plan_for(exe, &plan, &err) == 0 &&
           launcher_variant_choose(venv_fd, &plan, launcher, cap, &why);
}

/* Where the record area starts in a launcher file's bytes (oneproc_record.h),
 * or -1: the magic must be there exactly once, with the whole area after it. */
static long long record_area_at(const char *data, size_t len) {
    static const char magic[] = ONEPROC_RECORD_MAGIC; /* with its NUL */
    long long at = -1;
    for (size_t i = 0; i + sizeof magic <= len; i++) { /* memmem is a GNU extension */
        if (data[i] != magic[0] || memcmp(data + i, magic, sizeof magic) != 0)
            continue;
        if (at >= 0)
            return -1;
        at = (long long)i;
    }
    return at >= 0 && (size_t)at + ONEPROC_RECORD_SIZE <= len ? at : -1;
}

/* what the launcher compares (oneproc_dl.c): fs_stat's view, links followed */
static oneproc_stamp stamp_of(const fs_info *info, const char *path) {
    oneproc_stamp s;
    s.dev = info->id.dev;
    s.ino = info->id.ino;
    s.size = info->kind == FS_FILE ? info->size : 0;
    s.changed_ns = info->changed_ns;
    s.path = path;
    return s;
}

const char *launcher_variant_record(const vs_plan *plan, char *data, size_t len) {
    static oneproc_record r;
    oneproc_searched searched;
    if (!one.possible)
        return "no one-process decision";
    if (plan->base.home_relative)
        return "a relative home: the base moves with the venv";
    if (!oneproc_searched_dirs(&searched))
        return "the base's library search goes through $ORIGIN";
    if (searched.count > ONEPROC_RECORD_MAX_DIRS)
        return "the library lies too deep in the search path";
    long long at = record_area_at(data, len);
    if (at < 0)
        return "this launcher has no record area";
    memset(&r, 0, sizeof r);
    fs_info info = fs_stat(plan->base.binary);
    if (info.kind != FS_FILE)
        return "the base cannot be examined";
    r.base = stamp_of(&info, plan->base.binary);
    long long newest = r.base.changed_ns;
    for (int i = 0; i < searched.count; i++) {
        info = fs_stat(searched.dir[i]);
        if (info.kind != FS_DIR)
            return "a directory the loader searches cannot be examined";
        r.dir[i] = stamp_of(&info, searched.dir[i]);
        if (r.dir[i].changed_ns > newest)
            newest = r.dir[i].changed_ns;
    }
    r.dir_count = searched.count;
    /* A change in the clock tick of the one looked at leaves the times equal:
     * record only what has been still for a second (git's "racily clean"). */
    if (newest / 1000000000LL >= (long long)time(NULL) - 1)
        return "the base or its library directory changed within the last second";
    r.major = one.major;
    r.minor = one.minor;
    r.library = one.library;
    size_t skip = sizeof ONEPROC_RECORD_MAGIC;
    char *area = data + at + skip;
    memset(area, 0, ONEPROC_RECORD_SIZE - skip);
    if (oneproc_record_format(area, ONEPROC_RECORD_SIZE - skip, &r) == 0) {
        memset(area, 0, ONEPROC_RECORD_SIZE - skip);
        return "the paths are too long for the record";
    }
    return NULL;
}

bool launcher_variant_same_build(const char *data, size_t len, const char *ours, size_t ours_len) {
    if (len < ours_len)
        return false;
    long long at = record_area_at(ours, ours_len);
    if (at < 0)
        return memcmp(data, ours, ours_len) == 0;
    size_t head = (size_t)at + sizeof ONEPROC_RECORD_MAGIC, tail = (size_t)at + ONEPROC_RECORD_SIZE;
    if (memcmp(data, ours, head) != 0 || memcmp(data + tail, ours + tail, ours_len - tail) != 0)
        return false;
    /* the record: none, or one whose library is the one install would record */
    static oneproc_record r;
    const char *text = data + head;
    if (!text[0])
        return true;
    return oneproc_record_parse(text, tail - head, &r) && one.possible &&
           strcmp(r.library, one.library) == 0;
}
