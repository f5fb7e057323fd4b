/* libFuzzer target: which script texts may run as a script launcher's -c
 * program, and the program made of them (launcher/script_text.c). The text
 * comes from a venv's file: any bytes. Checked: no read or write outside the
 * exact-size buffers; a usable text is printable ASCII after its #! line; the program is the
 * prelude on one line, then the text from its first line's end (or all of
 * it), unchanged; a program that does not fit is refused, never cut.
 * needs: launcher/script_text.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "script_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    const char *why = script_text_unusable(text, size);
    if (!why) {
        size_t from = 0; /* a #! line is replaced by the prelude: any bytes */
        if (size >= 2 && text[0] == '#' && text[1] == '!')
            while (from < size && text[from] != '\n' && text[from] != '\r')
                from++;
        for (size_t i = from; i < size; i++)
            if ((unsigned char)text[i] > 0x7e || text[i] == '\0')
                abort();
        script_prelude p = {.set_path0 = size & 1, .name_code = size & 2, .pip_hook = size & 4};
        size_t cap = size + 400;
        char *out = malloc(cap);
        if (out && script_text_program(out, cap, text, size, p)) {
            size_t n = strlen(out);
            const char *nl = memchr(out, '\n', n), *cr = memchr(out, '\r', n);
            const char *end = !nl ? cr : !cr ? nl : nl < cr ? nl : cr;
            size_t prelude = end ? (size_t)(end - out) : n;
            /* everything after the prelude is the text's own bytes */
            size_t tail = n - prelude;
            if (tail > size + 1 || strncmp(out, "import sys as _v;", 17) != 0)
                abort();
            if (size >= 2 && text[0] == '#' && text[1] == '!' &&
                memcmp(out + prelude, text + size - tail, tail) != 0)
                abort();
        }
        char small[8];
        if (script_text_program(small, sizeof small, text, size, p))
            abort(); /* the prelude alone is longer */
        free(out);
    }
    free(text);
    return 0;
}
