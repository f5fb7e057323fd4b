/* script_text.c: which texts can be a script launcher's -c program, and the
 * program made of them (the prelude in the #! line's place). Whether the
 * result behaves like a `#!` script is checked against real interpreters in
 * tests/integration/test_script_text.py. */
#include <criterion/criterion.h>
#include <string.h>

#include "pip_hook.h"
#include "script_text.h"

static const char *unusable(const char *text) {
    return script_text_unusable(text, strlen(text));
}

Test(script_text, console_scripts_as_pip_writes_them_are_usable) {
    cr_assert_null(unusable("#!/v/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
                            "from pkg.cli import main\nif __name__ == '__main__':\n"
                            "    sys.exit(main())\n"));
    cr_assert_null(unusable("#!/bin/sh\n\n\n# -*- coding: utf-8 -*-\nimport sys\n"),
                   "pip's /bin/sh form as relocate stores it: the exec lines emptied");
    cr_assert_null(unusable("#!/v/bin/python\r\nimport sys\r\n"), "CRLF");
    cr_assert_null(unusable(""), "an empty script");
    cr_assert_null(unusable("#!/v/bin/python\n\n   # comment\n@decorator\ndef f(): pass\n"));
    cr_assert_null(unusable("import sys\n"), "no #! line (written by an older venvshim)");
    cr_assert_null(unusable("#!/v/bin/python\nfrom os import path\n"));
    cr_assert_null(unusable("#!/v/bin/python\nfromage = 1\n"));
    cr_assert_null(unusable("#!/v/bin/python\n# vim: set fileencoding=utf_8 :\nx = 1\n"));
    cr_assert_null(unusable("#!/n\xffu\xc3\xa9/bin/python\nimport sys\n"),
                   "any bytes in the #! line: the prelude replaces it");
}

Test(script_text, a_docstring_or_future_import_first_is_not) {
    cr_assert_not_null(unusable("#!/v/bin/python\n\"\"\"Doc.\"\"\"\nimport sys\n"));
    cr_assert_not_null(unusable("#!/v/bin/python\n\n# c\n  'doc'\n"));
    cr_assert_not_null(unusable("#!/v/bin/python\nr'''doc'''\n"));
    cr_assert_not_null(unusable("#!/v/bin/python\nRb\"doc\"\n"));
    cr_assert_not_null(unusable("#!/v/bin/python\n(\"doc\")\n"), "a parenthesised docstring");
    cr_assert_not_null(unusable("#!/v/bin/python\nfrom __future__ import annotations\n"));
    cr_assert_not_null(unusable("#!/v/bin/python\nfrom\t  __future__ import annotations\n"));
    cr_assert_not_null(unusable("#!/v/bin/python\nfrom \\\n __future__ import annotations\n"));
    cr_assert_not_null(unusable("\"\"\"doc\"\"\"\n"), "no #! line, docstring first");
    cr_assert_not_null(unusable("#!/bin/sh\n'''exec' \"/v/bin/python\" \"$0\" \"$@\"\n' '''\n"
                                "import sys\n"),
                       "pip's exec lines, not emptied, would be a docstring");
    cr_assert_not_null(unusable("#!/v/bin/python\n\\\n'doc'\n"));
}

Test(script_text, bytes_and_encodings_python_would_read_otherwise_are_not) {
    cr_assert_not_null(unusable("#!/v/bin/python\nprint('caf\xc3\xa9')\n"), "UTF-8, not ASCII");
    cr_assert_not_null(unusable("#!/v/bin/python\nx = '\x01'\n"));
    cr_assert_not_null(script_text_unusable("#!/v/bin/python\nx\0\n", 18), "a NUL byte");
    cr_assert_not_null(unusable("#!/v/bin/python\n# -*- coding: latin-1 -*-\nx = 1\n"));
    cr_assert_not_null(unusable("# coding=utf-16\nx = 1\n"));
    static char big[SCRIPT_TEXT_MAX + 2];
    memset(big, '#', sizeof big - 1);
    cr_assert_not_null(script_text_unusable(big, sizeof big - 1));
    cr_assert_null(script_text_unusable(big, SCRIPT_TEXT_MAX));
}

static const char *program(const char *text, script_prelude p) {
    static char out[SCRIPT_TEXT_MAX + 1024];
    cr_assert(script_text_program(out, sizeof out, text, strlen(text), p));
    return out;
}

Test(script_text, the_prelude_takes_the_place_of_the_shebang_line) {
    script_prelude all = {.set_path0 = true, .name_code = true};
    const char *p = program("#!/v/bin/python\nimport sys\n", all);
    const char *nl = strchr(p, '\n');
    cr_assert_not_null(nl);
    cr_assert_str_eq(nl, "\nimport sys\n", "line 2 stays line 2");
    cr_assert(strncmp(p, "import sys as _v;", 17) == 0);
    cr_assert_not_null(strstr(p, "_v.path[0]=_a[3];"));
    cr_assert_not_null(strstr(p, "_fix_co_filename"));
    cr_assert_null(memchr(p, '\n', (size_t)(nl - p) - 1), "the prelude is one line");

    p = program("#!/v/bin/python\r\nimport sys\r\n", (script_prelude){0});
    cr_assert_not_null(strstr(p, "del _v,_a\r\nimport sys\r\n"), "CRLF kept");
    cr_assert_null(strstr(p, "_v.path[0]"), "PYTHONSAFEPATH: sys.path[0] left alone");
    cr_assert_null(strstr(p, "_fix_co_filename"));

    p = program("import sys\n", (script_prelude){0});
    cr_assert_not_null(strstr(p, "del _v,_a\nimport sys\n"), "no #! line: a line of its own");
    p = program("#!/v/bin/python", (script_prelude){0});
    cr_assert_str_eq(strstr(p, "del _v,_a"), "del _v,_a", "a #! line without a newline");
}

Test(script_text, a_program_that_does_not_fit_is_refused) {
    char out[64];
    cr_assert_not(script_text_program(out, sizeof out, "#!x\nimport sys\n", 15,
                                      (script_prelude){.set_path0 = true}));
}

Test(pip_hook, only_pips_own_names_and_the_plain_module_run) {
    const char *yes[] = {"pip", "pip3", "pip3.12", "pip3.9"};
    const char *no[] = {"pipx", "pip3.", "pip3.1a", "pip2", "pip-run", "pipenv", "xpip", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(pip_hook_is_pip_script(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(pip_hook_is_pip_script(no[i]), "%s", no[i]);
    char *pip[] = {"python", "-m", "pip", "install"};
    char *pipx[] = {"python", "-m", "pipx"};
    char *opts[] = {"python", "-I", "-m", "pip"};
    char *short_argv[] = {"python", "-m"};
    cr_assert(pip_hook_is_module_run(4, pip));
    cr_assert(pip_hook_is_module_run(3, pip));
    cr_assert_not(pip_hook_is_module_run(3, pipx));
    cr_assert_not(pip_hook_is_module_run(4, opts), "options before -m: not taken over");
    cr_assert_not(pip_hook_is_module_run(2, short_argv));
}

Test(pip_hook, the_prelude_registers_the_hook_only_when_asked) {
    const char *p = program("#!/v/bin/python\nimport sys\n", (script_prelude){.pip_hook = true});
    cr_assert_not_null(strstr(p, "__import__('_venvshim_scripts').at_exit();"));
    p = program("#!/v/bin/python\nimport sys\n", (script_prelude){0});
    cr_assert_null(strstr(p, "_venvshim_scripts"));
}
