/* A `#!` base (shebang.c): the kernel's parsing of the line, and the chain
 * check before exec on real layouts. The running test binary stands in for
 * "this launcher" (same file), a copy of it for "another launcher" (it links
 * shebang.c, so it carries the marker string). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "plan.h"
#include "shebang.h"

static char interp[VS_PATH_MAX], arg[VS_PATH_MAX];

static bool parse(const char *head) {
    interp[0] = arg[0] = '\0';
    return shebang_line((const unsigned char *)head, strlen(head), interp, arg);
}

Test(shebang_line, interpreter_and_one_argument) {
    cr_assert(parse("#!/usr/bin/python3\nimport sys\n"));
    cr_assert_str_eq(interp, "/usr/bin/python3");
    cr_assert_str_eq(arg, "");
    cr_assert(parse("#! \t/usr/bin/env  python3 -u \t\nx"));
    cr_assert_str_eq(interp, "/usr/bin/env");
    cr_assert_str_eq(arg, "python3 -u"); /* Linux passes the rest as one argument */
    cr_assert(parse("#!/bin/sh"));       /* no newline, short file: the line ends with the file */
    cr_assert_str_eq(interp, "/bin/sh");
}

Test(shebang_line, not_runnable) {
    cr_assert_not(parse("#/bin/sh\n"));
    cr_assert_not(parse("\x7f"
                        "ELF"));
    cr_assert_not(parse("#!\n"));
    cr_assert_not(parse("#!   \t \n/bin/sh"));
    cr_assert_not(parse(""));
    /* no newline in the kernel's 256 bytes and the name not ended: ENOEXEC */
    char head[300] = "#!/";
    memset(head + 3, 'x', 290);
    head[293] = '\0';
    cr_assert_not(parse(head));
    /* ...but a name that ends inside them runs, its argument cut */
    memcpy(head, "#!/bin/sh ", 10);
    cr_assert(parse(head));
    cr_assert_str_eq(interp, "/bin/sh");
    cr_assert_eq(strlen(arg), 255 - 10);
}

Test(shebang_line, nul_ends_the_name_and_the_argument) {
    const unsigned char head[] = "#!/bin/sh\0junk -x\n";
    cr_assert(shebang_line(head, sizeof head - 1, interp, arg));
    cr_assert_str_eq(interp, "/bin/sh");
    cr_assert_str_eq(arg, "");
}

/* ---- the chain, through plan_make ---- */

static vs_plan plan;
static vs_error err;

static int run(const char *path_env) {
    memset(&err, 0, sizeof err);
    vs_request req;
    memset(&req, 0, sizeof req);
    req.inv.argv0 = lay_path("venv/bin/python");
    req.inv.path_env = path_env;
    return plan_make(&req, &plan, &err);
}

/* home/python3 = a script whose first line is fmt */
static void base_script(const char *line) {
    lay_writef("home/python3", "%s\nexit 0\n", line);
    lay_chmod("home/python3", 0755);
    lay_venv("venv", "home = %s\n", lay_path("home"));
}

TestSuite(shebang, .init = lay_setup, .fini = lay_teardown, .timeout = 30);

Test(shebang, ordinary_script_base_accepted) {
    base_script("#!/bin/sh");
    cr_assert_eq(run(NULL), 0, "%s", err.text);
    cr_assert_str_eq(plan.base.binary, lay_path("home/python3"));
}

Test(shebang, this_launcher_as_interpreter_refused) {
    char line[4400];
    snprintf(line, sizeof line, "#!%s", lay_self_exe());
    base_script(line);
    lay_expect_error(run(NULL), &err, EXIT_NO_BASE, lay_path("home/python3"), lay_self_exe(),
                     "'#!' script", NULL);
}

Test(shebang, another_launcher_found_by_its_marker) {
    lay_copy(lay_self_exe(), "other/bin/python");
    lay_chmod("other/bin/python", 0755);
    lay_writef("wrap/w", "#! %s -E\n", lay_path("other/bin/python"));
    lay_chmod("wrap/w", 0755);
    char line[4400];
    snprintf(line, sizeof line, "#!%s", lay_path("wrap/w"));
    base_script(line);
    lay_expect_error(run(NULL), &err, EXIT_NO_BASE, lay_path("wrap/w"),
                     lay_path("other/bin/python"), NULL);
}

Test(shebang, env_form_follows_path) {
    lay_symlink(lay_self_exe(), "pathdir/python3");
    base_script("#!/usr/bin/env python3");
    char path_env[4200];
    snprintf(path_env, sizeof path_env, "/nonexistent:%s:/usr/bin", lay_path("pathdir"));
    lay_expect_error(run(path_env), &err, EXIT_NO_BASE, "/usr/bin/env python3",
                     lay_path("pathdir/python3"), NULL);
    /* env -S splits the line: its program is the first word not VAR=value */
    base_script("#!/usr/bin/env -S  A=1 python3 -u");
    lay_expect_error(run(path_env), &err, EXIT_NO_BASE, lay_path("pathdir/python3"), NULL);
    /* env finding nothing, other options, or a name with blanks: not followed */
    base_script("#!/usr/bin/env python3");
    cr_assert_eq(run("/nonexistent"), 0, "%s", err.text);
    const char *lines[] = {"#!/usr/bin/env -i python3", "#!/usr/bin/env python3 -u",
                           "#!/usr/bin/env A=1 python3", "#!/usr/bin/env -S -i python3",
                           "#!/usr/bin/env"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        base_script(lines[i]);
        cr_assert_eq(run(path_env), 0, "%s: %s", lines[i], err.text);
    }
}

/* env searches an empty or relative PATH entry (the current directory) like
 * any other: a base it would reach through one is refused, found or not. */
Test(shebang, env_form_through_a_relative_path_entry_refused) {
    lay_writef("pathdir/python3", "#!/bin/sh\nexit 0\n");
    lay_chmod("pathdir/python3", 0755);
    base_script("#!/usr/bin/env python3");
    const char *before[] = {"", ".", "rel/dir"};
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
        char path_env[4200];
        snprintf(path_env, sizeof path_env, "/nonexistent:%s:%s", before[i], lay_path("pathdir"));
        lay_expect_error(run(path_env), &err, EXIT_NO_BASE, "relative PATH entry",
                         "/usr/bin/env python3", NULL);
    }
    cr_assert_neq(run(""), 0, "PATH=\"\" is the current directory");
    /* after the entry env finds it in, a relative entry is never searched */
    char path_env[4200];
    snprintf(path_env, sizeof path_env, "%s::.", lay_path("pathdir"));
    cr_assert_eq(run(path_env), 0, "%s", err.text);
}

Test(shebang, relative_interpreter_refused) {
    base_script("#!python3");
    lay_expect_error(run(NULL), &err, EXIT_NO_BASE, lay_path("home/python3"),
                     "relative interpreter", NULL);
}

Test(shebang, unreadable_or_odd_interpreters_left_to_exec) {
    const char *lines[] = {"#!/nonexistent/python", "#!/dev/null", "#!/tmp", "#!   "};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        base_script(lines[i]);
        cr_assert_eq(run(NULL), 0, "%s: %s", lines[i], err.text);
    }
    lay_fifo("fifo");
    char line[4400];
    snprintf(line, sizeof line, "#!%s", lay_path("fifo"));
    base_script(line);
    cr_assert_eq(run(NULL), 0, "a FIFO interpreter: %s", err.text);
}

Test(shebang, chain_deeper_than_the_kernel_allows_is_left_to_exec) {
    char prev[4200];
    snprintf(prev, sizeof prev, "%s", lay_self_exe());
    for (int i = 0; i < SHEBANG_MAX_HOPS + 1; i++) { /* s/0 -> self, s/1 -> s/0, ... */
        char rel[32];
        snprintf(rel, sizeof rel, "s/%d", i);
        lay_writef(rel, "#!%s\n", prev);
        lay_chmod(rel, 0755);
        snprintf(prev, sizeof prev, "%s", lay_path(rel));
    }
    char line[4400];
    snprintf(line, sizeof line, "#!%s", prev);
    base_script(line);
    cr_assert_eq(run(NULL), 0, "%s", err.text); /* 7 interpreters: the kernel says ELOOP */
    /* base -> s/3 -> s/2 -> s/1 -> s/0 -> self: five, as many as the kernel runs */
    snprintf(line, sizeof line, "#!%s", lay_path("s/3"));
    base_script(line);
    cr_assert_eq(run(NULL), EXIT_NO_BASE, "%s", err.text);
}
