#include "version_guard.h"

#include <string.h>

#include "fs.h"
#include "locate.h"
#include "pyname.h"
#include "strbuf.h"

static vg_verdict decide(int major, int minor, int want_major, int want_minor, vg_found *found) {
    found->major = major;
    found->minor = minor;
    return major == want_major && minor == want_minor ? VG_MATCH : VG_MISMATCH;
}

fs_kind vg_lib_kind(char *out, const char *prefix, const char *libdir, const char *fam, int major,
                    int minor, const char *suffix, const char *leaf) {
    strbuf sb;
    sb_init(&sb, out, VS_PATH_MAX);
    sb_add(&sb, prefix);
    sb_add(&sb, strcmp(prefix, "/") == 0 ? "" : "/");
    sb_add(&sb, libdir);
    sb_add(&sb, "/");
    sb_add(&sb, fam);
    sb_add_int(&sb, major);
    sb_add_char(&sb, '.');
    sb_add_int(&sb, minor);
    sb_add(&sb, suffix);
    sb_add(&sb, leaf);
    return sb.overflow ? FS_MISSING : fs_stat(out).kind;
}

static void set_evidence(vg_found *found, const char *a, const char *b, const char *c) {
    strbuf sb;
    sb_init(&sb, found->evidence, sizeof found->evidence);
    sb_add(&sb, a);
    sb_add(&sb, b);
    sb_add(&sb, c);
}

/* Only when names say nothing: the stdlib next to the binary's prefix. The
 * wanted one present (lib or lib64, free-threaded "t" too) is a match; a
 * mismatch needs another version's real stdlib (its os.py), so a leftover
 * site-packages directory of an old version never blocks a working base. */
static vg_verdict by_stdlib(const char *file, int want_major, int want_minor, vg_found *found) {
    const char *fam = pyname_family(path_basename(file));
    if (!fam)
        return VG_UNKNOWN;
    static char prefix[VS_PATH_MAX], probe[VS_PATH_MAX];
    sb_copy(prefix, sizeof prefix, file);
    path_dirname(prefix);
    path_dirname(prefix);
    static const char *const libdirs[2] = {"lib", "lib64"};
    for (int i = 0; i < 2; i++) {
        if (vg_lib_kind(probe, prefix, libdirs[i], fam, want_major, want_minor, "", "") == FS_DIR ||
            vg_lib_kind(probe, prefix, libdirs[i], fam, want_major, want_minor, "t", "") ==
                FS_DIR) {
            set_evidence(found, probe, " exists", "");
            return decide(want_major, want_minor, want_major, want_minor, found);
        }
    }
    /* Rare path (the wanted stdlib is gone): a bounded probe for the other one. */
    for (int minor = 0; minor <= want_minor + 20 && minor < 100; minor++) {
        if (minor == want_minor)
            continue;
        for (int i = 0; i < 2; i++) {
            if (vg_lib_kind(probe, prefix, libdirs[i], fam, want_major, minor, "", "/os.py") ==
                FS_FILE) {
                path_dirname(probe);
                set_evidence(found, "its standard library is ", probe, "");
                return decide(want_major, minor, want_major, want_minor, found);
            }
        }
    }
    return VG_UNKNOWN;
}

vg_verdict vg_check(const char *binary, int want_major, int want_minor, vg_found *found) {
    int major, minor;
    found->evidence[0] = '\0';
    if (pyname_version(path_basename(binary), &major, &minor)) {
        set_evidence(found, "by its name", "", "");
        return decide(major, minor, want_major, want_minor, found);
    }
    static char link[VS_PATH_MAX];
    sb_copy(link, sizeof link, binary);
    for (int hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
        static char target[VS_PATH_MAX], next[VS_PATH_MAX];
        if (fs_readlink(link, target, sizeof target, NULL) < 0)
            return by_stdlib(link, want_major, want_minor, found);
        if (pyname_version(path_basename(target), &major, &minor)) {
            set_evidence(found, "a symlink to ", target, "");
            return decide(major, minor, want_major, want_minor, found);
        }
        if (!locate_follow_link(link, target, next))
            return VG_UNKNOWN;
        sb_copy(link, sizeof link, next);
    }
    return VG_UNKNOWN; /* a symlink loop: stat() already refused it as missing */
}
