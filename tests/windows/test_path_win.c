/* path.c with Windows syntax (drives, UNC shares, '\' and '/'), run under
 * Wine by tests/run-windows. Framework-free: prints "ok" / "not ok" lines and
 * exits 1 if any failed. The POSIX syntax is covered by tests/unit. */
#include <stdio.h>
#include <string.h>

#include "path.h"

static int failures, count;

static void expect(const char *what, const char *got, const char *want) {
    count++;
    if (strcmp(got, want) == 0) {
        printf("ok - path: %s\n", what);
    } else {
        failures++;
        printf("not ok - path: %s # got '%s', want '%s'\n", what, got, want);
    }
}

static void norm(const char *in, const char *want) {
    char buf[VS_PATH_MAX], what[300];
    strcpy(buf, in);
    path_normalize(buf);
    snprintf(what, sizeof what, "normalize %s", in);
    expect(what, buf, want);
}

static void dirname_of(const char *in, const char *want) {
    char buf[VS_PATH_MAX], what[300];
    strcpy(buf, in);
    path_dirname(buf);
    snprintf(what, sizeof what, "dirname %s", in);
    expect(what, buf, want);
}

static void absolute(const char *p, bool want) {
    char what[300];
    snprintf(what, sizeof what, "is_absolute %s", p);
    expect(what, path_is_absolute(p) ? "yes" : "no", want ? "yes" : "no");
}

int main(void) {
    absolute("C:\\x", true);
    absolute("c:/x", true);
    absolute("\\\\server\\share\\x", true);
    absolute("\\x", false); /* relative to the current drive */
    absolute("C:x", false); /* relative to C:'s current directory */
    absolute("x\\y", false);

    norm("C:\\a\\.\\b\\..\\c", "C:\\a\\c");
    norm("C:/a//b/", "C:\\a\\b");
    norm("C:\\..\\..\\a", "C:\\a");
    norm("C:\\", "C:\\");
    norm("\\\\srv\\share\\a\\..\\..\\b", "\\\\srv\\share\\b");
    norm("//srv/share/a", "\\\\srv\\share\\a");
    norm("a\\..\\..\\b", "..\\b");

    dirname_of("C:\\a\\b.exe", "C:\\a");
    dirname_of("C:\\a", "C:\\");
    dirname_of("C:\\", "C:\\");
    dirname_of("C:/venv/Scripts/python.exe", "C:/venv/Scripts");
    dirname_of("\\\\srv\\share\\x", "\\\\srv\\share\\");

    char buf[VS_PATH_MAX];
    expect("basename with '\\' and '/'", path_basename("C:\\a/b\\python.exe"), "python.exe");
    path_join(buf, sizeof buf, "C:\\venv", "Scripts");
    expect("join uses '\\'", buf, "C:\\venv\\Scripts");
    path_join(buf, sizeof buf, "C:/venv/", "pyvenv.cfg");
    expect("join after a trailing '/'", buf, "C:/venv/pyvenv.cfg");
    path_absolute(buf, sizeof buf, "D:\\work", "..\\venv\\Scripts\\python.exe");
    expect("absolute against a cwd", buf, "D:\\venv\\Scripts\\python.exe");
    /* "\\x" is rooted on the drive (or share) of the directory it is read
     * against, as Windows and ntpath.join take it: never under that directory */
    path_absolute(buf, sizeof buf, "D:\\work\\venv", "\\Python37");
    expect("root-relative against a drive directory", buf, "D:\\Python37");
    path_absolute(buf, sizeof buf, "\\\\srv\\share\\venv", "\\Python37");
    expect("root-relative against a UNC directory", buf, "\\\\srv\\share\\Python37");
    strcpy(buf, "C:\\");
    path_strip_trailing_sep(buf);
    expect("strip keeps the root C:\\", buf, "C:\\");
    strcpy(buf, "C:\\Python312\\");
    path_strip_trailing_sep(buf);
    expect("strip a trailing '\\'", buf, "C:\\Python312");

    return failures ? 1 : 0;
}
