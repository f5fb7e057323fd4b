#include "denied.h"

#include <string.h>

#include "fs.h"
#include "path.h"

bool denied_component(const char *path, char *out, size_t cap) {
    static char prefix[VS_PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof prefix || len >= cap || path[0] != '/')
        return false;
    memcpy(prefix, path, len + 1);
    /* /a, /a/b, ...: the first prefix stat(2) refuses; its parent is the one */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && prefix[i] != '/')
            continue;
        prefix[i] = '\0';
        fs_info info = fs_stat(prefix);
        if (i < len)
            prefix[i] = '/';
        if (info.kind != FS_MISSING)
            continue;
        if (!fs_error_is_denied(info.error))
            return false;
        size_t end = i;
        while (end > 1 && prefix[end - 1] != '/')
            end--;
        if (end > 1)
            end--; /* drop the separator, but keep "/" itself */
        memcpy(out, prefix, end);
        out[end] = '\0';
        return true;
    }
    return false;
}
