/* elfdyn.c and libsearch.c: the base's dynamic section read from synthetic
 * ELF64 images built here, and the loader's search path decided from it. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "elfdyn.h"
#include "libsearch.h"

/* A little-endian ELF64 executable: header, two program headers (PT_LOAD
 * mapping the whole file at vaddr 0x400000, PT_DYNAMIC), the dynamic
 * entries, then the string table. */
enum { PH_OFF = 64, DYN_OFF = 64 + 2 * 56, BASE_VADDR = 0x400000 };

typedef struct {
    unsigned char b[4096];
    size_t len;
    size_t ndyn;
    char strtab[1024];
    size_t strlen_;
} image;

static void put(image *im, size_t off, uint64_t v, size_t n) {
    memcpy(im->b + off, &v, n); /* the tests run on little-endian machines */
}

static uint64_t add_string(image *im, const char *s) {
    uint64_t at = im->strlen_;
    memcpy(im->strtab + at, s, strlen(s) + 1);
    im->strlen_ += strlen(s) + 1;
    return at;
}

static void add_dyn(image *im, uint64_t tag, uint64_t val) {
    put(im, DYN_OFF + im->ndyn * 16, tag, 8);
    put(im, DYN_OFF + im->ndyn * 16 + 8, val, 8);
    im->ndyn++;
}

static void begin(image *im) {
    memset(im, 0, sizeof *im);
    im->strlen_ = 1; /* index 0: the empty string */
}

/* Lay out: dynamic entries (+ DT_STRTAB, DT_STRSZ, DT_NULL), strings after. */
static void finish(image *im) {
    size_t str_off = DYN_OFF + (im->ndyn + 3) * 16;
    add_dyn(im, 5, BASE_VADDR + str_off);
    add_dyn(im, 10, im->strlen_);
    add_dyn(im, 0, 0);
    memcpy(im->b + str_off, im->strtab, im->strlen_);
    im->len = str_off + im->strlen_;
    memcpy(im->b,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    put(im, 16, 2, 2);      /* ET_EXEC */
    put(im, 32, PH_OFF, 8); /* e_phoff */
    put(im, 54, 56, 2);     /* e_phentsize */
    put(im, 56, 2, 2);      /* e_phnum */
    put(im, PH_OFF, 1, 4);  /* PT_LOAD */
    put(im, PH_OFF + 8, 0, 8);
    put(im, PH_OFF + 16, BASE_VADDR, 8);
    put(im, PH_OFF + 32, im->len, 8);
    put(im, PH_OFF + 56, 2, 4); /* PT_DYNAMIC */
    put(im, PH_OFF + 56 + 8, DYN_OFF, 8);
    put(im, PH_OFF + 56 + 16, BASE_VADDR + DYN_OFF, 8);
    put(im, PH_OFF + 56 + 32, im->ndyn * 16, 8);
}

static image im;
static elfdyn_info info;

static void pyenv_like(const char *lib, const char *runpath) {
    begin(&im);
    add_dyn(&im, 1, add_string(&im, lib));
    add_dyn(&im, 1, add_string(&im, "libc.so.6"));
    if (runpath)
        add_dyn(&im, 29, add_string(&im, runpath));
    finish(&im);
}

Test(elfdyn, pyenv_base) {
    pyenv_like("libpython3.12.so.1.0", "/root/.pyenv/versions/3.12.1/lib");
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_OK);
    cr_assert_str_eq(info.libpython, "libpython3.12.so.1.0");
    cr_assert_eq(info.libpython_count, 1);
    cr_assert(info.has_runpath);
    cr_assert_not(info.has_rpath);
    cr_assert_str_eq(info.runpath, "/root/.pyenv/versions/3.12.1/lib");
}

Test(elfdyn, rpath_and_two_libpythons) {
    begin(&im);
    add_dyn(&im, 1, add_string(&im, "libpython3.11.so.1.0"));
    add_dyn(&im, 1, add_string(&im, "libpython3.12.so.1.0"));
    add_dyn(&im, 15, add_string(&im, "/opt/lib"));
    finish(&im);
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_OK);
    cr_assert_eq(info.libpython_count, 2);
    cr_assert_str_eq(info.libpython, "libpython3.11.so.1.0");
    cr_assert(info.has_rpath);
    cr_assert_str_eq(info.rpath, "/opt/lib");
}

Test(elfdyn, no_libpython) {
    pyenv_like("libpypy3.9-c.so", "$ORIGIN/");
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_OK);
    cr_assert_eq(info.libpython_count, 0);
    cr_assert_str_eq(info.libpython, "");
}

Test(elfdyn, every_prefix_is_refused_or_complete) {
    pyenv_like("libpython3.12.so.1.0", "/opt/py/lib");
    for (size_t n = 0; n < im.len; n++) {
        elfdyn_status st = elfdyn_parse(im.b, n, &info);
        cr_assert(st == ELFDYN_TRUNCATED || st == ELFDYN_NOT_ELF, "prefix %zu: %d", n, st);
    }
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_OK);
}

Test(elfdyn, refusals) {
    cr_assert_eq(elfdyn_parse((const unsigned char *)"#!/bin/sh\n", 10, &info), ELFDYN_NOT_ELF);
    pyenv_like("libpython3.12.so.1.0", "/opt");
    im.b[5] = 2; /* big-endian */
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_UNSUPPORTED);
    pyenv_like("libpython3.12.so.1.0", "/opt");
    put(&im, PH_OFF + 56, 6, 4); /* PT_PHDR instead of PT_DYNAMIC: static */
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_UNSUPPORTED);
    pyenv_like("libpython3.12.so.1.0", "/opt");
    im.b[im.len - 1] = 'x'; /* the last string not terminated inside DT_STRSZ */
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_BAD);
    pyenv_like("libpython3.12.so.1.0", "/opt");
    put(&im, PH_OFF + 8, UINT64_MAX - 4, 8); /* a PT_LOAD offset that would wrap */
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_BAD);
    pyenv_like("libpython3.12.so.1.0", "/opt");
    put(&im, 56, 65, 2); /* more program headers than looked at */
    cr_assert_eq(elfdyn_parse(im.b, im.len, &info), ELFDYN_BAD);
}

Test(elfdyn, the_launchers_own_image) {
    /* a real executable of this machine: the test binary, dynamically linked */
    static unsigned char self[64 * 1024];
    FILE *f = fopen("/proc/self/exe", "rb");
    cr_assert(f);
    size_t n = fread(self, 1, sizeof self, f);
    fclose(f);
    elfdyn_status st = elfdyn_parse(self, n, &info);
    cr_assert(st == ELFDYN_OK || st == ELFDYN_TRUNCATED, "%s", elfdyn_reason(st));
    cr_assert_eq(info.libpython_count, 0);
}

static libsearch_dirs dirs;

static const char *search(const char *lib, const char *runpath, const char *rpath,
                          const char *origin, const char *llp) {
    memset(&info, 0, sizeof info);
    strcpy(info.libpython, lib);
    info.libpython_count = lib[0] ? 1 : 0;
    if (runpath) {
        info.has_runpath = true;
        strcpy(info.runpath, runpath);
    }
    if (rpath) {
        info.has_rpath = true;
        strcpy(info.rpath, rpath);
    }
    return libsearch_dirs_for(&info, origin, llp, &dirs);
}

Test(libsearch, runpath_in_order_with_origin) {
    cr_assert_null(search("libpython3.12.so.1.0", "/a/lib/:$ORIGIN/../lib:${ORIGIN}", "/ignored",
                          "/opt/py/bin", ""));
    cr_assert_eq(dirs.count, 3);
    cr_assert_str_eq(dirs.dir[0], "/a/lib");
    cr_assert_str_eq(dirs.dir[1], "/opt/py/bin/../lib");
    cr_assert_str_eq(dirs.dir[2], "/opt/py/bin");
    cr_assert(libsearch_uses_origin(&info));
}

Test(libsearch, ld_library_path_first) {
    cr_assert_null(search("libpython3.12.so.1.0", "/r", NULL, NULL, "/x;/y:/z/"));
    cr_assert_eq(dirs.count, 4);
    cr_assert_str_eq(dirs.dir[0], "/x");
    cr_assert_str_eq(dirs.dir[1], "/y");
    cr_assert_str_eq(dirs.dir[2], "/z/");
    cr_assert_str_eq(dirs.dir[3], "/r");
}

Test(libsearch, refused) {
    const char *lib = "libpython3.12.so.1.0";
    cr_assert_not_null(search("", "/a", NULL, NULL, NULL));                     /* no libpython */
    cr_assert_not_null(search("sub/libpython3.12.so", "/a", NULL, NULL, NULL)); /* a path */
    cr_assert_not_null(search(lib, "/a", NULL, NULL, "/x::/y")); /* LD_LIBRARY_PATH: the CWD */
    cr_assert_not_null(search(lib, "/a", NULL, NULL, "/x:"));
    cr_assert_not_null(search(lib, "/a", NULL, NULL, "lib"));
    cr_assert_not_null(search(lib, "/a", NULL, NULL, "/x/$LIB"));
    cr_assert_not_null(search(lib, NULL, NULL, NULL, NULL));      /* ld.so.cache */
    cr_assert_not_null(search(lib, NULL, "/a", NULL, NULL));      /* DT_RPATH */
    cr_assert_not_null(search(lib, "/a:", NULL, NULL, NULL));     /* empty entry: the CWD */
    cr_assert_not_null(search(lib, "lib", NULL, NULL, NULL));     /* relative: the CWD */
    cr_assert_not_null(search(lib, "/a/$LIB", NULL, NULL, NULL)); /* the loader's own */
    cr_assert_not_null(search(lib, "$ORIGINX/lib", NULL, "/o", NULL));
    cr_assert_not_null(search(lib, "$ORIGIN/lib", NULL, NULL, NULL)); /* unresolved */
    cr_assert_null(search(lib, "/a", NULL, NULL, ""));                /* empty: unset */
}

Test(libsearch, version_from_name) {
    int major, minor;
    cr_assert(libsearch_version("libpython3.6m.so.1.0", &major, &minor));
    cr_assert_eq(major, 3);
    cr_assert_eq(minor, 6);
    cr_assert(libsearch_version("libpython3.13t.so.1.0", &major, &minor));
    cr_assert_eq(minor, 13);
    cr_assert(libsearch_version("libpython3.12.so", &major, &minor));
    cr_assert_not(libsearch_version("libpython3.so", &major, &minor));
    cr_assert_not(libsearch_version("libpython3.12.a", &major, &minor));
    cr_assert_not(libsearch_version("libpypy3.9-c.so", &major, &minor));
}
