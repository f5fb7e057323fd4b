"""Script launchers that run their script's text as the -c program
(launcher/script_text.h). The oracle is the same script run as a plain `#!`
script by the kernel, on every interpreter: sys.argv, __file__, sys.path[0],
__name__, __cached__, __doc__, the names the script sees, stdin, exit status
and the traceback's frames (file name on CPython 3.10+, line numbers
everywhere), started by absolute path, relative path, `./` path, a symlinked
directory, a symlink from outside the venv and PATH, before and after the
venv moves. Texts that cannot run that way must fall back to the zip and
still behave."""

import io
import os
import re
import resource
import subprocess
import zipfile

import pytest

from conftest import CLI, clean_env, create_plain_venv, describe, run, venvshim_install

SCRIPT = r'''import sys
import json
if sys.argv[1:] == ["boom"]:
    def inner():
        return 1 / 0
    inner()
if sys.argv[1:] == ["exit"]:
    sys.exit(7)
print(json.dumps({
    "argv": sys.argv,
    "file": __file__,
    "path0": sys.path[0],
    "name": __name__,
    "cached": sys.modules["__main__"].__dict__.get("__cached__", "absent"),
    "doc": __doc__,
    "names": sorted(n for n in globals() if not n.startswith("__")),
    "stdin": sys.stdin.read(),
}))
'''

RAN_TEXT = b"runs its text as the -c program"
RAN_ZIP = b"runs its zip ("


def write(path, text):
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    path.chmod(0o755)


def shebang(venv):
    return b"#!" + os.fsencode(str(venv / "bin" / "python")) + b"\n"


def cases(root, venv_name):
    """(label, argv, cwd, extra env) for each way of starting bin/t."""
    venv = root / venv_name
    path = str(venv / "bin") + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")
    return [
        ("absolute", [venv / "bin" / "t", "a b", "c"], root, {}),
        ("relative", [f"{venv_name}/bin/t", "x"], root, {}),
        ("dot-relative", [f"./{venv_name}/bin/t"], root, {}),
        ("from-bin", ["./t"], venv / "bin", {}),
        ("symlinked-dir", [root / "link" / "bin" / "t", "y"], root, {}),
        ("outside-symlink", [root / "outside" / "t-link", "o"], root, {}),
        ("PATH", ["t", "z"], root, {"PATH": path}),
        ("safe-path", [venv / "bin" / "t"], root, {"PYTHONSAFEPATH": "1"}),
        ("exit-status", [venv / "bin" / "t", "exit"], root, {}),
    ]


def frames(stderr):
    """(file, line, function) of each traceback frame."""
    return re.findall(rb'File "([^"]*)", line (\d+), in (\S+)', stderr)


def observe(root, venv_name, *, debug=False):
    venv = root / venv_name
    for link, target in ((root / "link", venv_name),
                         (root / "outside" / "t-link", venv / "bin" / "t")):
        link.parent.mkdir(exist_ok=True)
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)
    seen = {}
    for label, argv, cwd, extra in cases(root, venv_name):
        if debug:
            extra = dict(extra, PYLAUNCHER_DEBUG="1")
        r = run(argv, cwd=cwd, env=clean_env(**extra), input=b"from stdin\n")
        seen[label] = r
    return seen


def venv_neutral(out):
    """The same answers from the venv before and after its move."""
    return re.sub(rb"(?<![\w])(venv|moved)(?=/bin)", b"<VENV>", out)


def same_run(launched, plain, label):
    got = (launched.returncode, venv_neutral(launched.stdout))
    assert got == (plain.returncode, venv_neutral(plain.stdout)), (
        f"{label}: launcher {describe(launched)}\n  plain #! {describe(plain)}")


def cpython_names_code(interp):
    """CPython 3.10+: the code's file name is the script's (script_text.h)."""
    if interp.kind != "cpython":
        return False
    r = run([interp.path, "-c", "import sys; print(sys.version_info >= (3, 10))"])
    return r.stdout.strip() == b"True"


def test_text_launcher_matches_a_plain_script(interp, tmp_path):
    root = tmp_path.resolve()
    venv = create_plain_venv(interp, root / "venv")
    venvshim_install(venv)
    script = venv / "bin" / "t"
    write(script, shebang(venv) + SCRIPT.encode())
    plain = observe(root, "venv")
    assert plain["absolute"].returncode == 0, describe(plain["absolute"])
    plain_boom = run([script, "boom"], cwd=root)
    assert plain_boom.returncode == 1 and b"ZeroDivisionError" in plain_boom.stderr

    r = run([CLI, "relocate", venv])
    assert r.returncode == 0, describe(r)
    data = script.read_bytes()
    assert data.startswith(b"\x7fELF")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("__main__.py") == shebang(venv) + SCRIPT.encode(), \
            "relocate must keep the whole script, its #! line too"

    for moved in ("venv", "moved"):
        if moved == "moved":
            os.rename(venv, root / "moved")
        seen = observe(root, moved, debug=True)
        for label, r in seen.items():
            assert RAN_TEXT in r.stderr, f"{label}: the text kind did not run: {describe(r)}"
            same_run(r, plain[label], f"{moved}, {label}")

    boom = run([root / "moved" / "bin" / "t", "boom"], cwd=root)
    assert boom.returncode == 1 and boom.stderr.endswith(plain_boom.stderr.splitlines()[-1] + b"\n")
    got, want = frames(boom.stderr), frames(plain_boom.stderr)
    assert [f[1:] for f in got] == [f[1:] for f in want], \
        f"line numbers and functions differ:\n{boom.stderr!r}\n{plain_boom.stderr!r}"
    names = {f[0] for f in got}
    if cpython_names_code(interp):
        assert names == {os.fsencode(str(root / "moved" / "bin" / "t"))}, boom.stderr
    else:
        assert names == {b"<string>"}, boom.stderr


def make_venv(interp, root):
    venv = create_plain_venv(interp, root / "venv")
    venvshim_install(venv)
    return venv


def relocated(venv, name, text):
    script = venv / "bin" / name
    write(script, text)
    plain = run([script, "q"], input=b"")
    r = run([CLI, "relocate", venv])
    assert r.returncode == 0, describe(r)
    assert script.read_bytes().startswith(b"\x7fELF")
    return script, plain


@pytest.mark.parametrize("kind,body", [
    ("docstring", '"""The doc."""\nimport sys\nprint(__doc__, sys.argv[1:])\n'),
    ("future", "from __future__ import annotations\nimport sys\nprint(__doc__, sys.argv[1:])\n"),
    ("non-ascii", "# -*- coding: utf-8 -*-\nimport sys\nprint('caf\u00e9', sys.argv[1:])\n"),
    ("latin-1", "# -*- coding: latin-1 -*-\nimport sys\nprint(repr('\u00e9'), sys.argv[1:])\n"),
])
def test_texts_the_prelude_cannot_precede_run_from_the_zip(primary, tmp_path, kind, body):
    venv = make_venv(primary, tmp_path.resolve())
    encoding = "latin-1" if kind == "latin-1" else "utf-8"
    script, plain = relocated(venv, "t", shebang(venv) + body.encode(encoding))
    assert plain.returncode == 0, describe(plain)
    r = run([script, "q"], env=clean_env(PYLAUNCHER_DEBUG="1"), input=b"")
    assert RAN_ZIP in r.stderr, describe(r)
    assert (r.returncode, r.stdout) == (plain.returncode, plain.stdout), \
        f"{describe(r)}\nplain: {describe(plain)}"


def test_pip_sh_form_keeps_line_numbers_and_a_docstring_after_it(primary, tmp_path):
    """pip's /bin/sh form: its exec lines become empty lines in __main__.py."""
    root = tmp_path.resolve()
    venv = make_venv(primary, root)
    python = str(venv / "bin" / "python")
    head = f"#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\"\n' '''\n"
    text = head + "import sys\nprint(sys.argv[1:])\n\n1/0\n"
    script, plain = relocated(venv, "t", text)
    assert plain.returncode == 1
    with zipfile.ZipFile(script) as z:
        assert z.read("__main__.py") == ("#!/bin/sh\n\n\n" + text[len(head):]).encode()
    r = run([script, "q"], env=clean_env(PYLAUNCHER_DEBUG="1"), input=b"")
    assert RAN_TEXT in r.stderr and r.stdout == plain.stdout, describe(r)
    assert [f[1] for f in frames(r.stderr)] == [f[1] for f in frames(plain.stderr)] == [b"7"]
    # a docstring and a __future__ import after pip's lines: the zip runs it
    text = head + '"""Doc."""\nfrom __future__ import annotations\nprint(__doc__)\n'
    script, _ = relocated(venv, "u", text)
    r = run([script], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert r.returncode == 0 and r.stdout == b"Doc.\n" and RAN_ZIP in r.stderr, describe(r)


def test_only_marked_archives_run_as_text(primary, tmp_path, launcher_bytes):
    """The text kind is for zips relocate and the pip-exit hook write (their
    __main__.py entry carries PAYLOAD_TEXT_MARK). An unmarked single-file
    archive (an older venvshim's relocate, a one-file zipapp) and a deflated
    one run as zips, as they always did: __file__ <file>/__main__.py."""
    venv = make_venv(primary, tmp_path.resolve())
    old = venv / "bin" / "old"
    body = "import sys\nprint('old', sys.argv[1:], __file__)\nsys.exit(5)\n"
    for compress, comment in ((zipfile.ZIP_STORED, b""), (zipfile.ZIP_DEFLATED, b""),
                              (zipfile.ZIP_DEFLATED, b"venvshim:script-text")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            info = zipfile.ZipInfo("__main__.py")
            info.compress_type = compress
            info.comment = comment
            z.writestr(info, body)
        write(old, launcher_bytes + buf.getvalue())
        r = run([old, "q"], env=clean_env(PYLAUNCHER_DEBUG="1"))
        assert r.returncode == 5 and r.stdout == f"old ['q'] {old}/__main__.py\n".encode(), \
            describe(r)
        assert RAN_TEXT not in r.stderr, f"{compress} {comment}: ran as text"
    # the same text, stored and marked: the text kind
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("__main__.py")
        info.comment = b"venvshim:script-text"
        z.writestr(info, body)
    write(old, launcher_bytes + buf.getvalue())
    r = run([old, "q"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert RAN_TEXT in r.stderr and r.stdout == f"old ['q'] {old}\n".encode(), describe(r)


def test_a_command_line_too_long_for_the_text_falls_back_to_the_zip(primary, tmp_path):
    """The text rides on the command line: when that passes the kernel's
    limit (E2BIG) but the zip's shorter one does not, the zip runs."""
    if run([primary.path, "-c", "import sys; sys.orig_argv"]).returncode != 0:
        pytest.skip(f"{primary.path} has no sys.orig_argv (3.10+) to tell which way ran")
    venv = make_venv(primary, tmp_path.resolve())
    filler = "#" + "x" * 70 + "\n"
    text = shebang(venv) + b"import sys\nprint(len(sys.argv), sys.orig_argv[1] == '-c')\n" + \
        (filler * 400).encode()
    script, _ = relocated(venv, "t", text)
    r = run([script, "q"])
    assert r.stdout == b"2 True\n", f"without long arguments the text runs: {describe(r)}"
    env = clean_env(PYLAUNCHER_DEBUG="1")

    def small_stack():  # the kernel allows a quarter of it for arguments: 256 KiB
        resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, resource.getrlimit(
            resource.RLIMIT_STACK)[1]))

    def chunks(total):
        return ["a" * 100_000] * (total // 100_001) + ["b" * (total % 100_001)]

    def fits(total):
        try:
            subprocess.run(["/bin/true", *chunks(total)], env=env, preexec_fn=small_stack)
            return True
        except OSError:
            return False

    low, high = 0, 1 << 20  # the most argument bytes an exec can take, to 1 KiB
    while high - low > 1024:
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    args = chunks(low - 12 * 1024)  # the zip kind's ~100 bytes more fit, the text's 30 KB not
    r = subprocess.run([script, *args], env=env, preexec_fn=small_stack, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if b"venvshim: one process: " in r.stderr:
        # a one-process launcher (VENVSHIM_ONE_PROCESS=1 runs): no exec, no E2BIG, the text runs
        assert r.returncode == 0 and r.stdout == f"{len(args) + 1} True\n".encode(), describe(r)
        return
    assert r.returncode == 0 and r.stdout == f"{len(args) + 1} False\n".encode(), describe(r)
    assert RAN_TEXT in r.stderr, "the text kind should have been tried first"


def test_multiprocessing_spawn_from_a_text_launcher(interp, tmp_path):
    """spawn's children re-run the main module from __main__.__file__ (the
    launcher file, a zip Python can run) as __mp_main__: functions defined in
    the script reach them, as from a plain #! script."""
    venv = make_venv(interp, tmp_path.resolve())
    text = shebang(venv) + (b"import multiprocessing as mp\n\ndef sq(x):\n    return x * x\n\n"
                            b"if __name__ == '__main__':\n    mp.set_start_method('spawn')\n"
                            b"    with mp.Pool(2) as p:\n        print(p.map(sq, [1, 2, 3]))\n")
    script, plain = relocated(venv, "mpt", text)
    assert (plain.returncode, plain.stdout) == (0, b"[1, 4, 9]\n"), describe(plain)
    r = run([script], env=clean_env(PYLAUNCHER_DEBUG="1"), timeout=120)
    assert (r.returncode, r.stdout) == (0, b"[1, 4, 9]\n") and RAN_TEXT in r.stderr, describe(r)


def test_a_non_utf8_venv_path_in_the_shebang_line_still_runs_as_text(primary, tmp_path):
    """The #! line never reaches Python (the prelude takes its place), so a
    venv path that is not UTF-8 does not push the script to the zip. (Run by
    `#!`, CPython refuses such a file: a non-UTF-8 first line.)"""
    root = tmp_path.resolve() / os.fsdecode(b"n\xffu\xc3\xa9")
    venv = create_plain_venv(primary, root / "venv")
    venvshim_install(venv)
    script = venv / "bin" / "t"
    write(script, shebang(venv) + b"import sys\nprint(ascii(sys.argv), ascii(__file__))\n")
    r = run([CLI, "relocate", venv])
    assert r.returncode == 0, describe(r)
    r = run([script, "a"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    want = f"{ascii([str(script), 'a'])} {ascii(str(script))}\n".encode()
    assert RAN_TEXT in r.stderr and (r.returncode, r.stdout) == (0, want), describe(r)


def test_sys_executable_is_the_interpreter_the_shebang_named(interp, tmp_path):
    """A `#!/venv/bin/python3.12` (or pypy3) script reports that file as
    sys.executable; its script launcher must too, not bin/python."""
    venv = make_venv(interp, tmp_path.resolve())
    names = [n for n in os.listdir(venv / "bin")
             if re.fullmatch(r"(python3(\.\d+)?|pypy3)", n)]
    assert names, os.listdir(venv / "bin")
    for name in names:
        text = (b"#!" + os.fsencode(str(venv / "bin" / name)) +
                b"\nimport sys\nprint(sys.executable)\n")
        script, plain = relocated(venv, f"t-{name}", text)
        assert plain.returncode == 0, describe(plain)
        assert plain.stdout.strip() == os.fsencode(str(venv / "bin" / name)), describe(plain)
        r = run([script, "q"], input=b"")
        assert (r.returncode, r.stdout) == (0, plain.stdout), f"{name}: {describe(r)}"
