/* libFuzzer target: the pyvenv.cfg parsers (CPython 3.11+ rules, the legacy
 * 3.6-3.10 reading used for warnings) and the version parser, on arbitrary
 * bytes. Besides the sanitizers' findings, it checks the parser's promises:
 * every value is a slice of the input, holds no newline and is stripped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

static void check_slice(const char *buf, size_t len, cfg_value v) {
    if (!v.ptr)
        return;
    if (v.ptr < buf || v.ptr + v.len > buf + len)
        abort(); /* a value outside the input */
    if (memchr(v.ptr, '\n', v.len))
        abort(); /* a value spanning lines */
    if (v.len > 0 && (v.ptr[0] == ' ' || v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\r'))
        abort(); /* not stripped */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > CFG_MAX_SIZE)
        return 0; /* the launcher never reads more */
    /* an exact-size copy: any read past the end is an ASan finding */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    venv_cfg cfg;
    if (cfg_parse(buf, size, &cfg) == CFG_OK) {
        if (memchr(buf, '\0', size))
            abort(); /* NUL bytes must be refused */
        check_slice(buf, size, cfg.home);
        check_slice(buf, size, cfg.executable);
        check_slice(buf, size, cfg.base_executable);
        check_slice(buf, size, cfg.version);
        check_slice(buf, size, cfg.version_info);
        int major, minor;
        if (cfg_major_minor(&cfg, &major, &minor) && (major < 0 || minor < 0))
            abort();
        (void)cfg_value_equals(cfg.home, "/usr/bin");
    }
    cfg_value legacy;
    if (cfg_legacy_home(buf, size, &legacy) &&
        (legacy.ptr < buf || legacy.ptr + legacy.len > buf + size))
        abort();
    free(buf);
    return 0;
}
