"""`venvshim relocate` and `install` (and `check --fix`) on hostile venvs: set-user-ID
scripts, activate scripts that outgrow their buffer, zip applications, FIFOs and
devices where files belong, a user's own bin/python, links planted in bin/ or at
the CLI's temporary names, huge and non-UTF-8 scripts, scripts swapped while
relocate reads them. The CLI may be run by root on a venv somebody else
controls: it must never hang, crash, write outside the venv, or leave a
privileged or half-converted file. Real interpreters; an absent one is skipped
with the path looked for."""

import os
import resource
import signal
import stat
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import BUILD_DIR, CLI, LAUNCHER
from hardening_support import SYSTEM_PYTHON, pyenv_python

PY312 = pyenv_python(12)
PY38 = pyenv_python(8)


def base_python():
    """pyenv's 3.12 (fast), else Debian's python3."""
    return PY312 or SYSTEM_PYTHON


def env(**extra):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("PYTHON", "PYLAUNCHER_")) and k not in ("VIRTUAL_ENV",)}
    e["VENVSHIM_LAUNCHER"] = str(LAUNCHER)
    e["LC_ALL"] = "C.UTF-8"
    e.update(extra)
    return e


def run(argv, timeout=30, extra_env=None, **kw):
    """Run argv; a hang fails the test (it is a bug here), it does not stall the run."""
    try:
        return subprocess.run([os.fsencode(a) if isinstance(a, (str, Path)) else a for a in argv],
                              env=env(**(extra_env or {})), capture_output=True,
                              timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{argv} did not finish within {timeout}s (blocked?)", pytrace=False)


def show(r):
    return (f"exit {r.returncode}\nstdout: {r.stdout.decode(errors='replace')}\n"
            f"stderr: {r.stderr.decode(errors='replace')}")


def venvshim(*args, **kw):
    return run([CLI, *args], **kw)


def ok(*args, **kw):
    r = venvshim(*args, **kw)
    assert r.returncode == 0, show(r)
    return r


def make_venv(path, install=True, python=None):
    python = python or base_python()
    if not Path(python).exists():
        pytest.skip(f"interpreter not found: {python}")
    r = run([python, "-m", "venv", "--without-pip", path], timeout=120)
    assert r.returncode == 0, show(r)
    if install:
        ok("install", path)
    return Path(path)


def write_script(venv, name, body="import sys\nprint('RAN', sys.prefix)\n", mode=0o755):
    path = Path(venv) / "bin" / name
    path.write_bytes(b"#!" + os.fsencode(Path(venv) / "bin" / "python") + b"\n" + body.encode())
    os.chmod(path, mode)
    return path


def tree(venv):
    """{relative path: (mode, bytes or link target)} of everything under venv."""
    out = {}
    for root, dirs, files in os.walk(venv):
        for n in dirs + files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, venv)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = (st.st_mode, Path(p).read_bytes())
            else:
                out[rel] = (stat.S_IFMT(st.st_mode), None)
    return out


def is_launcher(path):
    return Path(path).read_bytes().startswith(LAUNCHER.read_bytes())


# ---------------------------------------------------------- 1. privileged bits

@pytest.mark.parametrize("mode", [0o4755, 0o2755, 0o6755], ids=["setuid", "setgid", "both"])
def test_relocate_never_writes_a_set_id_launcher(tmp_path, mode):
    venv = make_venv(tmp_path / "v")
    script = write_script(venv, "tool", mode=mode)
    assert os.stat(script).st_mode & 0o7777 == mode  # the test runs where chmod keeps them
    r = ok("relocate", venv)
    st = os.stat(script)
    assert is_launcher(script), show(r)
    assert st.st_mode & (stat.S_ISUID | stat.S_ISGID) == 0, oct(st.st_mode)
    assert st.st_mode & 0o777 == 0o755
    err = r.stderr.decode()
    assert str(script) in err and "dropped the set-" in err, show(r)
    out = run([script]).stdout.decode()
    assert out.startswith("RAN " + str(venv)), out


def test_check_fix_never_writes_a_set_id_script(tmp_path):
    venv = make_venv(tmp_path / "v1")
    script = write_script(venv, "tool", mode=0o4755)
    moved = tmp_path / "v2"
    os.rename(venv, moved)
    r = venvshim("check", "--fix", moved)
    fixed = moved / "bin" / "tool"
    first = fixed.read_bytes().split(b"\n")[0]
    assert first == b"#!" + os.fsencode(moved / "bin" / "python"), show(r)
    assert os.stat(fixed).st_mode & (stat.S_ISUID | stat.S_ISGID) == 0, show(r)
    assert str(fixed) in r.stderr.decode() and "dropped the set-user-ID bit" in r.stderr.decode()
    del script


def test_install_never_writes_a_set_id_pyvenv_cfg(tmp_path):
    venv = make_venv(tmp_path / "v", install=False)
    cfg = venv / "pyvenv.cfg"
    # no executable key: install records one, so it rewrites the file
    cfg.write_text("".join(l for l in cfg.read_text().splitlines(True)
                           if not l.startswith(("executable", "command"))))
    os.chmod(cfg, 0o6644)
    r = ok("install", venv)
    assert "executable = " in cfg.read_text(), show(r)
    assert os.stat(cfg).st_mode & 0o7777 == 0o644, oct(os.stat(cfg).st_mode)
    assert str(cfg) in r.stderr.decode(), show(r)


# -------------------------------------------- 4. FIFOs and devices, no hangs

@pytest.mark.parametrize("command", ["relocate", "install"])
@pytest.mark.parametrize("what", ["fifo", "/dev/zero"])
def test_a_launcher_path_that_is_not_a_file_fails_at_once(tmp_path, command, what):
    venv = make_venv(tmp_path / "v")
    if what == "fifo":
        what = tmp_path / "fifo"
        os.mkfifo(what)
    r = venvshim(command, venv, timeout=10, extra_env={"VENVSHIM_LAUNCHER": str(what)})
    assert r.returncode == 1, show(r)
    assert b"cannot find venvshim-launcher" in r.stderr, show(r)


