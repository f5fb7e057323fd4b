/* libFuzzer target: venvshim relocate's activate rewriters (bash/zsh and
 * fish, launcher/cli/relocate_rewrite.c) on arbitrary bytes. Besides the
 * sanitizers' findings (the old rewriter overflowed its buffer on files of
 * many VIRTUAL_ENV lines), it checks their promises: every input line is
 * kept (the bash block adds 20 lines and the final unset 1), the output is
 * NUL-terminated at its length, and rewriting it again finds it done.
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

static void check(const char *in, size_t len, bool fish) {
    outbuf out;
    rewrite_status st =
        fish ? activate_rewrite_fish(in, len, &out) : activate_rewrite_sh(in, len, &out);
    if (st != REWRITE_DONE) {
        if (out.data)
            abort(); /* nothing allocated is left over */
        return;
    }
    if (!out.data || out.data[out.len] != '\0' || out.failed)
        abort();
    size_t want = newlines(in, len);
    if (!fish)
        want += (len > 0 && in[len - 1] != '\n') + 20 + 1;
    if (newlines(out.data, out.len) != want)
        abort(); /* a line lost or invented */
    if (fish && out.len > len + 64)
        abort(); /* only one line changes, by less than its new value */
    /* an exact-size copy again, and the rewrite must recognise its own work */
    char *again = malloc(out.len ? out.len : 1);
    if (!again)
        abort();
    memcpy(again, out.data, out.len);
    outbuf twice;
    rewrite_status st2 = fish ? activate_rewrite_fish(again, out.len, &twice)
                              : activate_rewrite_sh(again, out.len, &twice);
    if (st2 != REWRITE_ALREADY)
        abort();
    free(again);
    ob_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* an exact-size copy: any read past the end is an ASan finding */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    check(buf, size, false);
    check(buf, size, true);
    free(buf);
    return 0;
}
