#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../path.h"
#include "cli.h"

char *read_whole_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *bigger = realloc(buf, cap + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

bool write_file_atomic(const char *path, const char *data, size_t len, unsigned mode) {
    char tmp[VS_PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.venvshim-%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
        return false;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return false;
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            done += (size_t)w;
    }
    ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return true;
    unlink(tmp);
    return false;
}

bool has_launcher_marker(const char *data, size_t len) {
    const char *marker = LAUNCHER_MARKER;
    size_t m = strlen(marker);
    for (size_t i = 0; i + m <= len; i++) /* memmem is a GNU extension */
        if (data[i] == marker[0] && memcmp(data + i, marker, m) == 0)
            return true;
    return false;
}

bool is_launcher_file(const char *path) {
    size_t len;
    char *data = read_whole_file(path, &len);
    if (!data)
        return false;
    bool found = has_launcher_marker(data, len);
    free(data);
    return found;
}

/* The CLI's own directory, symlinks resolved. */
static bool self_dir(char *out, size_t cap) {
    char self[VS_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    path_dirname(self);
    return snprintf(out, cap, "%s", self) < (int)cap;
}

bool find_launcher(char *out, size_t cap) {
    const char *explicit_path = getenv("VENVSHIM_LAUNCHER");
    if (explicit_path && explicit_path[0])
        return snprintf(out, cap, "%s", explicit_path) < (int)cap && is_launcher_file(out);
    char dir[VS_PATH_MAX];
    if (!self_dir(dir, sizeof dir))
        return false;
    /* next to the CLI (a build directory), then the installed libexec layout */
    const char *relative[] = {"venvshim-launcher", "../libexec/venvshim/venvshim-launcher"};
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        if (snprintf(out, cap, "%s/%s", dir, relative[i]) < (int)cap && is_launcher_file(out))
            return true;
    }
    return false;
}
