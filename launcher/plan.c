#include "plan.h"

#include "strbuf.h"

int plan_make(const vs_request *req, vs_plan *plan, vs_error *err) {
    int rc = locate_venv(&req->inv, &plan->loc, err);
    if (rc)
        return rc;
    rc = resolve_base(&plan->loc, &plan->base, err);
    if (rc)
        return rc;
    plan->unset_pyvenv_launcher = req->has_pyvenv_launcher;
    trace("argv[0] for the interpreter: ", plan->loc.venv_exe, NULL);
    if (plan->unset_pyvenv_launcher)
        trace("removing the inherited " PYVENV_LAUNCHER_VAR, NULL);
    return 0;
}

static void print_line(const char *key, const char *value) {
    char line[VS_PATH_MAX + 64];
    strbuf sb;
    sb_init(&sb, line, sizeof line);
    sb_add(&sb, key);
    sb_add(&sb, ": ");
    sb_add(&sb, value);
    sb_add(&sb, "\n");
    write_all(1, line);
}

void plan_print(const vs_plan *plan, int argc, char **argv) {
    print_line("pyvenv.cfg", plan->loc.cfg_path);
    print_line("home", plan->base.home);
    print_line("executable", plan->base.binary);
    print_line("argv[0]", plan->loc.venv_exe);
    for (int i = 1; i < argc; i++) {
        char key[32];
        strbuf sb;
        sb_init(&sb, key, sizeof key);
        sb_add(&sb, "argv[");
        sb_add_int(&sb, i);
        sb_add(&sb, "]");
        print_line(key, argv[i]);
    }
    print_line("environment",
               plan->unset_pyvenv_launcher ? "unset " PYVENV_LAUNCHER_VAR : "unchanged");
}
