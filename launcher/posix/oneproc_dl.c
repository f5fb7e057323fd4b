/* oneproc_run for the launcher that can load a library (oneproc.h):
 * dlopen the libpython the base would load, and call its main entry the way
 * the base's own main() (CPython's Programs/python.c) does. */
#include "oneproc.h"

#include <dlfcn.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../fs.h"
#include "../oneproc_record.h"
#include "../strbuf.h"
#include "exec_env.h"

extern char **environ;

const bool oneproc_capable = true;

__attribute__((used)) static const char oneproc_marker[] = ONEPROC_LAUNCHER_MARKER;

/* install's record (oneproc_record.h): as built, the magic and zeros;
 * install writes the rest into the copy it puts in a venv. */
__attribute__((used)) static const char record_area[ONEPROC_RECORD_SIZE] = ONEPROC_RECORD_MAGIC;

static bool same_file(const oneproc_stamp *s, const fs_info *now) {
    return now->kind != FS_MISSING && now->id.dev == s->dev && now->id.ino == s->ino &&
           now->changed_ns == s->changed_ns;
}

/* Why the record does not hold for plan's base now, or NULL when it does. */
static const char *stale(const oneproc_record *r, const vs_plan *plan) {
    const fs_info *base = &plan->base.binary_info;
    if (strcmp(r->base.path, plan->base.binary) != 0)
        return "it names another base";
    if (!same_file(&r->base, base) || base->size != r->base.size)
        return "the base changed";
    for (int i = 0; i < r->dir_count; i++) {
        fs_info dir = fs_stat(r->dir[i].path);
        if (dir.kind != FS_DIR || !same_file(&r->dir[i], &dir))
            return "a directory the loader searches changed";
    }
    return NULL;
}

bool oneproc_recorded(const vs_plan *plan, const char *ld_library_path, oneproc_choice *c) {
    if (ld_library_path)
        return false; /* searched first: its directories are not in the record */
    /* a pointer the compiler cannot see through: it must not take the bytes
     * for the zeros it compiled in */
    const char *area = record_area;
    __asm__("" : "+r"(area));
    oneproc_record r;
    size_t skip = sizeof ONEPROC_RECORD_MAGIC;
    if (!oneproc_record_parse(area + skip, ONEPROC_RECORD_SIZE - skip, &r))
        return false;
    const char *why = stale(&r, plan);
    if (why) {
        diag_trace("install's one-process record does not hold (", why, "): deciding again", NULL);
        return false;
    }
    c->possible = true;
    c->major = r.major;
    c->minor = r.minor;
    c->library = r.library;
    c->reason = "";
    diag_trace("one process: the library install recorded: ", r.library, NULL);
    return true;
}

typedef int (*bytes_main_fn)(int, char **);
typedef int (*wide_main_fn)(int, wchar_t **);
typedef const char *(*version_fn)(void);
typedef wchar_t *(*decode_fn)(const char *, size_t *);
typedef int (*setup_allocators_fn)(const char *);
typedef void (*set_program_name_fn)(const wchar_t *);

static void *symbol(void *lib, const char *name) {
    return lib && name ? dlsym(lib, name) : NULL;
}

static bool is_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* Py_GetVersion() starts with the X.Y the library's name promised. */
static bool version_matches(void *lib, const oneproc_choice *c) {
    version_fn get = (version_fn)symbol(lib, "Py_GetVersion");
    if (!get)
        return false;
    char xy[32];
    strbuf sb;
    sb_init(&sb, xy, sizeof xy);
    sb_add_int(&sb, c->major);
    sb_add(&sb, ".");
    sb_add_int(&sb, c->minor);
    const char *v = get();
    size_t n = strlen(xy);
    return strncmp(v, xy, n) == 0 && !(v[n] >= '0' && v[n] <= '9');
}

/* 3.6's Programs/python.c: malloc as the raw allocator, argv decoded with
 * Py_DecodeLocale under setlocale(LC_ALL, "") and the old locale restored,
 * then Py_Main on the wide copy. */
static int run_wide(void *lib, wide_main_fn py_main, int argc, char **argv) {
    setup_allocators_fn setup = (setup_allocators_fn)symbol(lib, "_PyMem_SetupAllocators");
    decode_fn decode = (decode_fn)symbol(lib, "Py_DecodeLocale");
    if (setup)
        (void)setup("malloc");
    wchar_t **wargv = calloc((size_t)argc + 1, sizeof *wargv);
    const char *current = setlocale(LC_ALL, NULL);
    char *oldloc = current ? strdup(current) : NULL;
    if (!wargv || !oldloc) {
        diag_trace("out of memory", NULL);
        return 1;
    }
    setlocale(LC_ALL, "");
    for (int i = 0; i < argc; i++) {
        wargv[i] = decode(argv[i], NULL);
        if (!wargv[i]) {
            char num[24];
            strbuf sb;
            sb_init(&sb, num, sizeof num);
            sb_add_int(&sb, i + 1);
            fs_write_all(2, "Fatal Python error: unable to decode the command line argument #");
            fs_write_all(2, num);
            fs_write_all(2, "\n");
            return 1;
        }
    }
    setlocale(LC_ALL, oldloc);
    free(oldloc);
    return py_main(argc, wargv);
}

void oneproc_run(const oneproc_choice *c, const vs_plan *plan, int argc, char **argv) {
    if (!c->possible)
        return;
    /* RTLD_GLOBAL: extension modules find the C API in the global scope, as
     * they do when libpython is the base binary's NEEDED library; RTLD_LAZY
     * binds as the loader binds the base (unless LD_BIND_NOW says otherwise). */
    void *lib = dlopen(c->library, RTLD_LAZY | RTLD_GLOBAL);
    if (!lib) {
        const char *why = dlerror();
        diag_trace("exec: cannot load ", c->library, ": ", why ? why : "?", NULL);
        return;
    }
    /* what each version's Programs/python.c calls */
    const char *entry = c->minor >= 8 ? "Py_BytesMain" : c->minor == 7 ? "_Py_UnixMain" : "Py_Main";
    bytes_main_fn bytes_main = c->minor >= 7 ? (bytes_main_fn)symbol(lib, entry) : NULL;
    wide_main_fn wide_main = c->minor == 6 ? (wide_main_fn)symbol(lib, entry) : NULL;
    bool decodes = symbol(lib, "Py_DecodeLocale") != NULL;
    if ((!bytes_main && !(wide_main && decodes)) || !version_matches(lib, c)) {
        diag_trace("exec: ", c->library, " is not the CPython its name says or has no main entry",
                   NULL);
        dlclose(lib);
        return;
    }
    static vs_error err;
    char **envp = exec_envp(plan, &err);
    if (!envp) {
        diag_print_error(&err);
        exit(err.code);
    }
    char **args = exec_argv(plan, argc, argv);
    if (argc < 1)
        argc = 1;
    /* 3.11+: the plan starts the base as argv[0] with the venv in
     * __PYVENV_LAUNCHER__ (plan.c), so that getpath takes sys._base_executable
     * from argv[0]. In one process, Py_SetProgramName gives getpath the same
     * (config_init_program_name in Python/initconfig.c prefers it to
     * argv[0]), and argv[0] can stay the venv's path, so sys.orig_argv and
     * ps show what exec mode cannot. Only for an ASCII path: before Python's
     * pre-initialisation the locale cannot decode others as the interpreter
     * would; those keep the base as argv[0], as exec mode does. getpath
     * removes the variable from the environment. */
    set_program_name_fn set_name = (set_program_name_fn)symbol(lib, "Py_SetProgramName");
    decode_fn decode = (decode_fn)symbol(lib, "Py_DecodeLocale");
    if (c->minor >= 11 && plan->argv0 != plan->loc.venv_exe && set_name && decode &&
        is_ascii(plan->argv0)) {
        wchar_t *name = decode(plan->argv0, NULL);
        if (name) {
            set_name(name);
            args[0] = (char *)plan->loc.venv_exe;
        }
    }
    environ = envp;
    diag_trace("one process: ", entry, " from ", c->library, NULL);
    exit(bytes_main ? bytes_main(argc, args) : run_wide(lib, wide_main, argc, args));
}
