/* libFuzzer target: install's record of the one-process decision
 * (launcher/oneproc_record.c), parsed from arbitrary bytes in an exact-size
 * buffer (any read outside it is an ASan finding); a record that parses must
 * be complete, with absolute paths inside the buffer, and format must write
 * it back to bytes that parse to the same record.
 * needs: launcher/oneproc_record.c (run-fuzz skips this target while it is absent)
 * fuzz-seconds: 5 (a parser of a few lines: CI time is better spent elsewhere) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oneproc_record.h"

static void inside(const char *p, const char *buf, size_t size) {
    if (p < buf || p >= buf + size || p[0] != '/')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    oneproc_record r, again;
    if (oneproc_record_parse(copy, size, &r)) {
        if (r.dir_count < 1 || r.dir_count > ONEPROC_RECORD_MAX_DIRS)
            abort();
        inside(r.base.path, copy, size);
        inside(r.library, copy, size);
        for (int i = 0; i < r.dir_count; i++)
            inside(r.dir[i].path, copy, size);
        static char out[4 * ONEPROC_RECORD_SIZE];
        size_t n = oneproc_record_format(out, sizeof out, &r);
        if (n > 0 &&
            (!oneproc_record_parse(out, n, &again) || strcmp(again.library, r.library) != 0 ||
             again.base.changed_ns != r.base.changed_ns || again.dir_count != r.dir_count))
            abort(); /* format and parse disagree */
    }
    free(copy);
    return 0;
}
