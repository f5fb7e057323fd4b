#include "framework.h"

#include <string.h>

#include "fs.h"
#include "path.h"
#include "strbuf.h"

/* If dir is ".../<Name>.framework/Versions/<V>/bin", put "<Name>" in name and
 * ".../<Name>.framework/Versions/<V>" in version_dir. */
static bool parse_framework_bin(const char *dir, char *name, size_t name_cap, char *version_dir) {
    if (strcmp(path_basename(dir), "bin") != 0)
        return false;
    sb_copy(version_dir, VS_PATH_MAX, dir);
    path_dirname(version_dir); /* .../Versions/<V> */
    static char versions[VS_PATH_MAX];
    sb_copy(versions, sizeof versions, version_dir);
    path_dirname(versions);
    if (strcmp(path_basename(versions), "Versions") != 0)
        return false;
    static char framework[VS_PATH_MAX];
    sb_copy(framework, sizeof framework, versions);
    path_dirname(framework);
    const char *base = path_basename(framework);
    size_t n = strlen(base);
    const char *suffix = ".framework";
    size_t s = strlen(suffix);
    if (n <= s || strcmp(base + n - s, suffix) != 0 || n - s >= name_cap)
        return false;
    memcpy(name, base, n - s);
    name[n - s] = '\0';
    return true;
}

framework_status framework_app_for(const char *binary, char *app, vs_error *err) {
    static char real[VS_PATH_MAX];
    if (!fs_realpath(binary, real))
        return FRAMEWORK_NO;
    static char dir[VS_PATH_MAX];
    sb_copy(dir, sizeof dir, real);
    path_dirname(dir);
    static char name[256], version_dir[VS_PATH_MAX];
    if (!parse_framework_bin(dir, name, sizeof name, version_dir))
        return FRAMEWORK_NO;
    strbuf sb;
    sb_init(&sb, app, VS_PATH_MAX);
    sb_add(&sb, version_dir);
    sb_add(&sb, "/Resources/Python.app/Contents/MacOS/");
    sb_add(&sb, name);
    fs_info info = fs_stat(app);
    diag_trace(binary, " is the stub of the ", name, " framework; its interpreter: ", app, NULL);
    if (!sb.overflow && info.kind == FS_FILE && info.executable)
        return FRAMEWORK_APP;
    diag_fail(err, EXIT_NO_BASE, real, " is a macOS framework stub, but its interpreter ", app,
              " is missing (running the stub would lose the virtual environment)",
              "\nreinstall that Python, or recreate the venv from a complete installation", NULL);
    return FRAMEWORK_BROKEN;
}

bool framework_launcher_value(const char *venv_exe, char *out) {
    static char dir[VS_PATH_MAX];
    sb_copy(dir, sizeof dir, venv_exe);
    path_dirname(dir);
    static char real_dir[VS_PATH_MAX];
    if (!fs_realpath(dir, real_dir))
        return false;
    return path_join(out, VS_PATH_MAX, real_dir, path_basename(venv_exe));
}
