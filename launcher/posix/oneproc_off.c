/* The static launcher cannot load a library: it always execs (oneproc.h). */
#include "oneproc.h"

const bool oneproc_capable = false;

void oneproc_choose(const vs_plan *plan, const char *ld_library_path, oneproc_choice *c) {
    (void)plan, (void)ld_library_path;
    c->possible = false;
    c->library = "";
    c->reason = "this launcher is the static one";
}

bool oneproc_recorded(const vs_plan *plan, const char *ld_library_path, oneproc_choice *c) {
    (void)plan, (void)ld_library_path, (void)c;
    return false;
}

void oneproc_run(const oneproc_choice *c, const vs_plan *plan, int argc, char **argv) {
    (void)c, (void)plan, (void)argc, (void)argv;
}
