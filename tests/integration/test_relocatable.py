"""Relocatable venvs against real interpreters: script launchers, `venvshim
relocate`, `create --relocatable`, and a venv shipped with its interpreter
(relative `home`). Absent interpreters are skipped with the path looked for.
Self-contained: only $VENVSHIM_BUILD_DIR (default <repo>/build) is shared."""

import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VENVSHIM_BUILD_DIR") or REPO / "build").absolute()
CLI = BUILD / "venvshim"
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"

PIP_PYTHONS = {
    "cpython3.8": PYENV / "3.8.18/bin/python3.8",
    "cpython3.12": PYENV / "3.12.1/bin/python3.12",
    "debian3.11": Path("/usr/bin/python3.11"),
}
FAST_PYTHON = PYENV / "3.12.1/bin/python3.12"
BUNDLE_BASES = {"3.8": PYENV / "3.8.18", "3.12": PYENV / "3.12.1"}

# Nothing the launcher sets may survive into the program or its children.
PROBE = r"""
import json, os, subprocess, sys
child = subprocess.run(["/usr/bin/python3", "-c",
    "import json, os, sys; print(json.dumps([sys.prefix, sys.base_prefix, "
    "{k: v for k, v in os.environ.items() if k in ('PYTHONHOME', '__VENVSHIM_BASE_EXECUTABLE__')}]))"],
    capture_output=True, text=True, check=True)
print(json.dumps({"prefix": sys.prefix, "base_prefix": sys.base_prefix,
    "os_file": os.__file__, "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None),
    "home": getattr(sys, "_home", None),
    "leaked": {k: v for k, v in os.environ.items() if k in ('PYTHONHOME', '__VENVSHIM_BASE_EXECUTABLE__')},
    "child": json.loads(child.stdout)}))
"""


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run([str(c) for c in cmd], **kw)


def ok(cmd, **kw):
    r = run(cmd, **kw)
    assert r.returncode == 0, f"{cmd} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def need(path):
    if not Path(path).exists():
        pytest.skip(f"interpreter not found: {path}")


def probe(python, cwd="/", args=()):
    return json.loads(ok([python, *args, "-c", PROBE], cwd=cwd).stdout)


def make_wheel(dest, dist, script, message):
    """A wheel with one module and one console_scripts entry point, built by
    hand (no network, no build backend)."""
    module = f"{dist}_mod"
    info = f"{dist}-1.0.dist-info"
    files = {
        f"{module}/__init__.py": (
            "import os, sys\n"
            "def main():\n"
            f"    print({message!r}, sys.prefix, json_args(), sep='\\n')\n"
            "    return int(os.environ.get('EXIT_WITH', '0'))\n"
            "def json_args():\n"
            "    import json; return json.dumps(sys.argv[1:])\n"
        ),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[console_scripts]\n{script} = {module}:main\n",
    }
    path = Path(dest) / f"{dist}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
        z.writestr(f"{info}/RECORD", "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n")
    return path


def pip_install(venv, wheel):
    ok([venv / "bin/pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check",
        "-q", wheel])


def check_venv(venv, scripts):
    """python, pip and every entry point run inside venv from CWD /."""
    assert probe(venv / "bin/python")["prefix"] == str(venv)
    pip = ok([venv / "bin/pip", "--version", "--disable-pip-version-check"], cwd="/").stdout
    assert str(venv / "lib") in pip, pip
    for script, message in scripts.items():
        out = ok([venv / "bin" / script, "x y", "--z"], cwd="/").stdout.splitlines()
        assert out[:2] == [message, str(venv)], out
        assert json.loads(out[2]) == ["x y", "--z"]


# ------------------------------------------------------ a venv with pip, moved

@pytest.mark.parametrize("name", sorted(PIP_PYTHONS))
def test_pip_venv_survives_moves(tmp_path, name):
    base = PIP_PYTHONS[name]
    need(base)
    if run([base, "-c", "import ensurepip"]).returncode != 0:
        pytest.skip(f"{base} has no ensurepip (Debian: apt-get install python3-venv)")
    ok([CLI, "create", "--relocatable", "--python", base, tmp_path / "v1"])
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    pip_install(tmp_path / "v1", make_wheel(wheels, "alpha", "alpha-cmd", "ALPHA"))
    # the relocatable venv's exit hook already made it a script launcher
    assert (tmp_path / "v1/bin/alpha-cmd").read_bytes()[:4] == b"\x7fELF"
    out = ok([CLI, "relocate", tmp_path / "v1"]).stdout
    assert "0 converted" in out, out

    v2 = tmp_path / "renamed venv"  # a space, too
    (tmp_path / "v1").rename(v2)
    check_venv(v2, {"alpha-cmd": "ALPHA"})

    # pip installs after the move; its script is converted as pip exits.
    pip_install(v2, make_wheel(wheels, "beta", "beta-cmd", "BETA"))
    out = ok([CLI, "relocate", v2]).stdout
    assert "0 converted" in out, out
    v3 = tmp_path / "third"
    v2.rename(v3)
    check_venv(v3, {"alpha-cmd": "ALPHA", "beta-cmd": "BETA"})
    again = ok([CLI, "relocate", v3]).stdout
    assert "0 converted" in again, again


# ------------------------------------- script launchers on a pip-less venv

def make_venv(tmp_path, rel="dir with space/v\u00e9nv"):
    need(FAST_PYTHON)
    v = tmp_path / rel
    ok([CLI, "create", "--without-pip", "--python", FAST_PYTHON, v])
    return v


@pytest.fixture
def venv(tmp_path):
    return make_venv(tmp_path)


def write_script(venv, name, body, polyglot=False):
    python = venv / "bin/python"
    head = (f"#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\"\n' '''\n" if polyglot
            else f"#!{python}\n")
    path = venv / "bin" / name
    path.write_text(head + body)
    path.chmod(0o755)
    return path


def relocate(venv):
    return ok([CLI, "relocate", venv]).stdout


BODY = '''"""A docstring first, then a __future__ import (breaks /bin/sh polyglots)."""
from __future__ import annotations
import os, sys
mode = sys.argv[1]
if mode == "exit":
    sys.exit(int(sys.argv[2]))
if mode == "signal":
    os.kill(os.getpid(), int(sys.argv[2]))
if mode == "argv":
    print("\\0".join(sys.argv[2:]), end="")
if mode == "stdin":
    sys.stdout.write(sys.stdin.read().upper())
if mode == "where":
    print(sys.prefix, sys.executable, sys.argv[0], sep="\\n")
'''


# pip writes a plain #! line, or the /bin/sh form when the path has a space
@pytest.mark.parametrize("rel,polyglot", [("plain/venv", False), ("with space/v\u00e9nv", True)],
                         ids=["shebang", "sh-polyglot"])
def test_script_launcher_passes_everything_through(tmp_path, rel, polyglot):
    venv = make_venv(tmp_path, rel)
    script = write_script(venv, "tool", BODY, polyglot)
    out = relocate(venv)
    assert "script launcher: tool" in out
    data = script.read_bytes()
    assert data.startswith(b"\x7fELF") and zipfile.is_zipfile(io.BytesIO(data))
    assert run([script, "exit", "0"]).returncode == 0
    assert run([script, "exit", "42"]).returncode == 42
    assert run([script, "signal", str(int(signal.SIGTERM))]).returncode == -signal.SIGTERM
    args = ["a b", "", "\u00fcn\u00ef", "-c", "--", "*"]
    assert run([script, "argv", *args]).stdout == "\0".join(args)
    assert run([script, "stdin"], input="hello\n").stdout == "HELLO\n"
    prefix, exe, argv0 = run([script, "where"], cwd="/").stdout.splitlines()
    assert (prefix, exe, argv0) == (str(venv), str(venv / "bin/python"), str(script))
    # started by name from PATH, and through a symlink from outside the venv
    env = dict(os.environ, PATH=f"{venv / 'bin'}:/usr/bin:/bin")
    assert run(["tool", "where"], env=env, cwd="/").stdout.splitlines()[0] == str(venv)
    link = venv.parent / "tool-link"
    link.symlink_to(script)
    assert run([link, "where"], cwd="/").stdout.splitlines()[0] == str(venv)


# (offset from the entry's local header "lh" or directory entry "cd", field format, value):
# damage zipimport would trust and end in a traceback (exit 1) over
ENTRY_DAMAGE = {
    "local-name-length-longer": ("lh", 26, "<H", 30),
    "local-name-length-zero": ("lh", 26, "<H", 0),
    "local-extra-length": ("lh", 28, "<H", 2000),
    "directory-size-too-large": ("cd", 20, "<I", 100000),
    "directory-size-too-small": ("cd", 20, "<I", 5),
    "directory-method-deflate": ("cd", 10, "<H", 8),
    "directory-method-unknown": ("cd", 10, "<H", 99),
}


@pytest.mark.parametrize("damage", ["truncated", "garbage", "no-main", *ENTRY_DAMAGE])
def test_corrupt_payload_is_a_clear_error(venv, damage):
    script = write_script(venv, "tool", BODY, polyglot=True)
    relocate(venv)
    data = script.read_bytes()
    if damage in ENTRY_DAMAGE:
        where, offset, fmt, value = ENTRY_DAMAGE[damage]
        cd = data.rindex(b"PK\x01\x02")
        at = (cd if where == "cd" else data.rindex(b"PK\x03\x04", 0, cd)) + offset
        data = bytearray(data)
        struct.pack_into(fmt, data, at, value)
        data = bytes(data)
    elif damage == "truncated":
        data = data[:-7]
    elif damage == "garbage":
        data = data + b"junk"
    else:
        zip_start = data.rindex(b"PK\x03\x04")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("other.py", "print('x')\n")
        data = data[:zip_start] + buf.getvalue()
    script.write_bytes(data)
    r = run([script, "exit", "3"])
    assert r.returncode == 105, r
    lines = r.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and all(l.startswith("venvshim: ") for l in lines), r.stderr
    assert str(script) in lines[0] and "Traceback" not in r.stderr


def test_relocate_leaves_unknown_scripts_alone(venv, tmp_path):
    other = write_script(venv, "other", "print(1)\n")
    other.write_text("#!/usr/bin/python3\nprint(1)\n")
    opts = write_script(venv, "opts", "print(1)\n")
    opts.write_text(f"#!{venv / 'bin/python'} -E\nprint(1)\n")
    shell = venv / "bin/shell"
    shell.write_text("#!/bin/sh\necho hi\n")
    before = {p: p.read_bytes() for p in (other, opts, shell)}
    out = relocate(venv)
    for p in before:
        assert p.read_bytes() == before[p]
        assert f"left alone: {p.name}" in out
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    relocate(venv)
    assert (venv / "pyvenv.cfg").read_text().count("relocatable") == 1


SHELLS = {  # $VIRTUAL_ENV, the python found on PATH, and no helper variable left behind
    "bash": ["bash", "-c", 'source "$0/bin/activate" && echo "$VIRTUAL_ENV" && '
             'command -v python && echo "${_venvshim_venv-unset}"'],
    "zsh": ["zsh", "-c", 'source "$0/bin/activate" && echo "$VIRTUAL_ENV" && '
            'whence python && echo "${_venvshim_venv-unset}"'],
    "fish": ["fish", "-c", 'source "$argv[1]/bin/activate.fish"; and echo "$VIRTUAL_ENV"; '
             'and command -v python'],
}


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_activate_follows_the_moved_venv(venv, tmp_path, shell):
    if not shutil.which(shell):
        pytest.skip(f"{shell} not installed (apt-get install {shell})")
    relocate(venv)
    moved = tmp_path / "moved venv"
    venv.rename(moved)
    out = ok(SHELLS[shell] + [moved], cwd="/").stdout.splitlines()  # $0 / $argv[1]
    assert out[:2] == [str(moved), str(moved / "bin/python")], out
    assert out[2:] == ([] if shell == "fish" else ["unset"]), out


# ------------------------------------------------ a venv shipped with its base

def copy_base(src, dest):
    skip = shutil.ignore_patterns("test", "tests", "idlelib", "tkinter", "turtledemo",
                                  "site-packages", "ensurepip", "config-*", "*.a")
    shutil.copytree(src, dest, symlinks=True, ignore=skip)
    for version in (dest / "lib").glob("python3.*"):
        (version / "site-packages").mkdir(exist_ok=True)


@pytest.fixture(params=sorted(BUNDLE_BASES))
def bundle(request, tmp_path):
    src = BUNDLE_BASES[request.param]
    need(src)
    app = tmp_path / "app"
    copy_base(src, app / "python")
    python = next((app / "python/bin").glob("python3.*[0-9]"))
    out = ok([CLI, "create", "--relocatable", "--without-pip", "--python", python,
              app / ".venv"]).stdout
    assert "relative home = ../python/bin" in out, out
    moved = tmp_path / "elsewhere" / "moved app"
    moved.parent.mkdir()
    app.rename(moved)
    # A decoy: from CWD decoy/x, CPython's CWD-relative reading of
    # ../python/bin would find another installation's stdlib.
    decoy = tmp_path / "decoy"
    (decoy / "x").mkdir(parents=True)
    (decoy / "python").symlink_to(src)
    return moved, decoy


def test_bundle_runs_from_any_cwd(bundle):
    app, decoy = bundle
    venv, base = app / ".venv", app / "python"
    for cwd in ["/", app, venv / "bin", decoy / "x", base / "lib"]:
        for exe in ["python", "python3"]:
            r = probe(venv / "bin" / exe, cwd=cwd)
            assert r["prefix"] == str(venv), (cwd, r)
            assert r["base_prefix"] == str(base), (cwd, r)
            assert r["os_file"].startswith(str(base) + "/lib/"), (cwd, r)
            assert r["base_executable"].startswith(str(base / "bin/python3")), r
            assert r["home"] == str(base / "bin"), r  # site.py stored "../python/bin"
            assert r["leaked"] == {}, r
            assert r["child"] == ["/usr", "/usr", {}], r


def test_bundle_script_launcher(bundle):
    app, decoy = bundle
    venv = app / ".venv"
    script = write_script(venv, "probe", PROBE, polyglot=True)  # "moved app" has a space
    assert "script launcher: probe" in relocate(venv)
    r = json.loads(ok([script], cwd=decoy / "x").stdout)
    assert (r["prefix"], r["base_prefix"]) == (str(venv), str(app / "python"))
    assert r["leaked"] == {} and r["child"] == ["/usr", "/usr", {}], r


def test_bundle_refuses_flags_that_would_defeat_it(bundle):
    app, decoy = bundle
    python = app / ".venv/bin/python"
    for flags in (["-I"], ["-E"], ["-S"], ["-bIu"], ["-X", "dev", "-E"]):
        r = run([python, *flags, "-c", "print(1)"], cwd=decoy / "x")
        assert r.returncode == 107, (flags, r)
        lines = r.stderr.splitlines()
        assert len(lines) == 2 and all(l.startswith("venvshim: ") for l in lines), r.stderr
        assert str(app / ".venv/pyvenv.cfg") in lines[0] and r.stdout == ""
    # options after -c belong to the program
    assert ok([python, "-c", "import sys; print(sys.argv[1:])", "-I"]).stdout.strip() == "['-I']"


def test_bundle_without_site_init_is_refused(bundle):
    app, _ = bundle
    for pth in (app / ".venv/lib").glob("*/site-packages/_venvshim.pth"):
        pth.unlink()
    r = run([app / ".venv/bin/python", "-c", "1"])
    assert r.returncode == 107 and "venvshim install" in r.stderr, r
    ok([CLI, "install", app / ".venv"])
    assert probe(app / ".venv/bin/python")["prefix"] == str(app / ".venv")


def test_site_init_is_replaced_cleanly(bundle):
    app, _ = bundle
    venv = app / ".venv"
    site = next((venv / "lib").glob("python3.*/site-packages"))
    module = site / "_venvshim_init.py"
    module.write_text("raise SystemExit('stale copy')\n")
    (site / "__pycache__").mkdir(exist_ok=True)
    stale = site / "__pycache__" / "_venvshim_init.cpython-312.pyc"
    stale.write_bytes(b"junk")
    ok([CLI, "install", venv])
    assert module.read_text() == (REPO / "site-init/_venvshim_init.py").read_text()
    assert (site / "_venvshim.pth").read_text() == (REPO / "site-init/_venvshim.pth").read_text()
    assert not stale.exists()
    assert probe(venv / "bin/python")["prefix"] == str(venv)


def test_absolute_home_venv_has_no_site_init(venv):
    """Only a relative home needs the hook (issue 12, item 2)."""
    site = next((venv / "lib").glob("python3.*/site-packages"))
    assert not list(site.glob("_venvshim*")), list(site.iterdir())
    out = ok([venv / "bin/python", "-c", "import sys; print('_venvshim_init' in sys.modules)"])
    assert out.stdout.strip() == "False"


def test_relocatable_venv_with_an_outside_base_keeps_an_absolute_home(tmp_path):
    need(FAST_PYTHON)
    out = ok([CLI, "create", "--relocatable", "--without-pip", "--python", FAST_PYTHON,
              tmp_path / "v"]).stdout
    assert "stays absolute" in out, out
    cfg = (tmp_path / "v/pyvenv.cfg").read_text()
    assert f"home = {FAST_PYTHON.parent}" in cfg and "relocatable = true" in cfg, cfg
    (tmp_path / "v").rename(tmp_path / "w")
    r = probe(tmp_path / "w/bin/python")
    assert r["prefix"] == str(tmp_path / "w") and r["leaked"] == {}, r


def test_relocate_usage_errors(tmp_path):
    r = run([CLI, "relocate"])
    assert r.returncode == 2 and r.stderr.startswith("venvshim: "), r
    r = run([CLI, "relocate", tmp_path])
    assert r.returncode == 1 and "no pyvenv.cfg" in r.stderr and str(tmp_path) in r.stderr, r
    assert len(r.stderr.splitlines()) == 1


def test_check_counts_script_launchers_as_such(tmp_path):
    """After relocate, a script launcher records no path: check must not say
    it "records this venv's path in #!" (issue 12, item 5)."""
    venv = make_venv(tmp_path, "plain/venv")
    write_script(venv, "tool", "print(1)\n")
    before = ok([CLI, "check", venv]).stdout
    assert "1 script records this venv's path in #!" in before, before
    relocate(venv)
    out = ok([CLI, "check", venv]).stdout
    assert "records this venv's path in #!" not in out, out
    assert "1 script launcher finds this venv's python at run time" in out, out


def test_check_says_when_venv_upgrade_dropped_the_relocatable_mark(tmp_path):
    """python -m venv --upgrade rewrites pyvenv.cfg (and bin/activate*): the
    relocated venv still moves (tests/workflow-ab `upgrade`), but the mark is
    gone. check says so, with a command that, pasted, marks it again."""
    venv = make_venv(tmp_path, "with space/v\u00e9nv")
    write_script(venv, "tool", "print(1)\n", polyglot=True)  # pip's form for a path with a space
    relocate(venv)
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    marked = ok([CLI, "check", venv]).stdout
    assert "pyvenv.cfg has no relocatable = true" not in marked, marked
    ok([FAST_PYTHON, "-m", "venv", "--upgrade", "--without-pip", venv])
    assert "relocatable" not in (venv / "pyvenv.cfg").read_text()
    out = ok([CLI, "check", venv]).stdout
    line = [l for l in out.splitlines() if "pyvenv.cfg has no relocatable = true" in l]
    assert line, out
    command = line[0].split("to mark it again, run ", 1)[1]
    ok(["bash", "-c", command], env=dict(os.environ, PATH=f"{CLI.parent}:{os.environ['PATH']}"))
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    again = ok([CLI, "check", venv]).stdout
    assert "pyvenv.cfg has no relocatable = true" not in again, again
