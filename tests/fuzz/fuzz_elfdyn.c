/* libFuzzer target: the ELF dynamic-section reader (launcher/elfdyn.c) and the
 * loader search path built from it (launcher/libsearch.c), on arbitrary
 * bytes. Checks their promises: no read outside the buffer (ASan: the input
 * is copied to an allocation of its exact size), every string it keeps is
 * terminated, a libpython name is kept only when one was counted, and every
 * directory libsearch names is absolute. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfdyn.h"
#include "libsearch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    static elfdyn_info info;
    static libsearch_dirs dirs;
    elfdyn_status st = elfdyn_parse(buf, size, &info);
    if (st == ELFDYN_OK) {
        if (!memchr(info.libpython, 0, sizeof info.libpython) ||
            !memchr(info.runpath, 0, sizeof info.runpath) ||
            !memchr(info.rpath, 0, sizeof info.rpath))
            abort();
        if ((info.libpython_count == 0) != (info.libpython[0] == '\0'))
            abort();
        if (!libsearch_dirs_for(&info, "/origin/bin", NULL, &dirs)) {
            if (dirs.count < 1 || dirs.count > LIBSEARCH_MAX_DIRS)
                abort();
            for (int i = 0; i < dirs.count; i++)
                if (dirs.dir[i][0] != '/')
                    abort();
        }
        int major, minor;
        (void)libsearch_version(info.libpython, &major, &minor);
    } else if (!elfdyn_reason(st)[0]) {
        abort();
    }
    free(buf);
    return 0;
}
