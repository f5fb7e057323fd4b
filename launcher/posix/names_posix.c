#include "../names.h"

#include "../pyname.h"

void names_base_for(const char *invoked, const char *versioned, cfg_value recorded,
                    base_names *out) {
    (void)recorded; /* tried as a candidate of its own (use_recorded) */
    /* a launcher copied as `pip` acts as python: home/pip is no interpreter */
    out->names[0] = pyname_is_interpreter(invoked) ? invoked : "";
    out->names[1] = versioned;
    out->names[2] = "python3";
    out->names[3] = "python";
    out->count = 4;
    out->use_recorded = true;
}

void names_repoint_fix(strbuf *sb, const char *venv_dir, const char *cfg_path, const char *version,
                       bool reinstall) {
    /* rebase finds, asks for and checks the Python itself */
    (void)cfg_path, (void)version, (void)reinstall;
    sb_add(sb, "venvshim rebase ");
    sb_add_shell_word(sb, venv_dir);
}

void names_move_fix(strbuf *sb, const char *venv_dir, const char *version,
                    const char *other_python) {
    (void)version;
    sb_add(sb, "move them to it: venvshim upgrade ");
    sb_add_shell_word(sb, venv_dir);
    sb_add(sb, " --python ");
    sb_add_shell_word(sb, other_python);
}

bool names_site_packages(char *out, size_t cap, const char *venv_dir, const char *version) {
    strbuf sb;
    sb_init(&sb, out, cap);
    sb_add(&sb, venv_dir);
    sb_add(&sb, "/lib/python");
    sb_add(&sb, version);
    sb_add(&sb, "/site-packages");
    return !sb.overflow;
}
