/* libFuzzer target: the #! line reader of venvshim relocate (shebang_read in
 * launcher/cli/relocate_rewrite.c): the plain `#!/path` form and pip's
 * `#!/bin/sh` + `'''exec' "/path" "$0" "$@"` form, on arbitrary bytes. Checks
 * its promises: the interpreter path is a slice of the first two lines with
 * no newline in it, the body starts after it and inside the input, and a
 * form other than a path carries no path.
 * uses: launcher/cli/relocate_rewrite.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/relocate_rewrite.h"

static size_t newlines(const char *p, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size ? size : 1); /* exact size: overreads are ASan findings */
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    shebang_line sb;
    shebang_read(buf, size, &sb);
    if (sb.form == SHEBANG_PATH) {
        if (size < 2 || buf[0] != '#' || buf[1] != '!')
            abort();
        if (sb.interp < 2 || sb.interp + sb.interp_len > size || sb.body > size ||
            sb.body < sb.interp + sb.interp_len)
            abort();
        if (memchr(buf + sb.interp, '\n', sb.interp_len))
            abort(); /* a path spanning lines */
        if (newlines(buf, sb.interp) > 1)
            abort(); /* the path is on line 1 or (pip's form) line 2 */
    } else if (sb.interp || sb.interp_len || sb.body) {
        abort();
    }
    if (!shebang_form_reason(sb.form)[0])
        abort(); /* every form left alone says why */
    free(buf);
    return 0;
}
