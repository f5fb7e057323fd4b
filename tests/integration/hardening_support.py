"""Helpers shared by the hardening tests (bad-input catalogue, version guard,
`venvshim check`), on top of conftest's. Everything runs the real binaries of
the build under test: $VENVSHIM_BUILD_DIR (default build/; the sanitizer build
in tests/run-hardening)."""

import os
import re
import subprocess
import time
from pathlib import Path

from conftest import CLI, LAUNCHER, make_fake_venv  # the build under test (VENVSHIM_BUILD_DIR)

# Debian's own interpreter: the base for layouts that need any real Python.
SYSTEM_PYTHON = Path(os.path.realpath("/usr/bin/python3"))
_m = re.fullmatch(r"python(\d+)\.(\d+)", SYSTEM_PYTHON.name)
SYSTEM_VERSION = f"{_m.group(1)}.{_m.group(2)}" if _m else None

PYENV = Path.home() / ".pyenv" / "versions"


def pyenv_python(minor):
    """~/.pyenv/versions/3.<minor>.*/bin/python3.<minor>, or None."""
    for d in sorted(PYENV.glob(f"3.{minor}.*")) if PYENV.is_dir() else []:
        exe = d / "bin" / f"python3.{minor}"
        if exe.is_file() and os.access(exe, os.X_OK):
            return exe
    return None


RECORD_MAGIC = b"venvshim-base/1\n"  # launcher/base_trailer.h


def set_launcher_record(venv, base):
    """Make bin/.venvshim-launcher record base (install records the base it
    resolved, after the launcher's ELF image: docs/design.md)."""
    launcher = venv / "bin" / ".venvshim-launcher"
    data = launcher.read_bytes()
    at = data.rfind(RECORD_MAGIC)
    assert at > 0 and data[at:].endswith(b"\n"), "install wrote no record of the base"
    launcher.write_bytes(data[:at] + RECORD_MAGIC + bytes(base) + b"\n")


class Result:
    def __init__(self, proc, elapsed):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.elapsed = elapsed

    def lines(self):
        return [l for l in self.stderr.splitlines() if l.strip()]

    def __repr__(self):
        return f"exit {self.code} in {self.elapsed:.3f}s\nstdout: {self.stdout!r}\nstderr: {self.stderr!r}"


def run(argv, executable=None, env=None, cwd=None, timeout=10, dry_run=False, extra_env=None):
    """Run argv (argv[0] may differ from executable) and time it."""
    full_env = dict(os.environ if env is None else env)
    full_env.pop("PYLAUNCHER_DEBUG", None)
    if dry_run:
        full_env["PYLAUNCHER_DRYRUN"] = "1"
    full_env.update(extra_env or {})
    start = time.monotonic()
    proc = subprocess.run([str(a) for a in argv], executable=str(executable) if executable else None,
                          env=full_env, cwd=cwd, capture_output=True, text=True,
                          errors="replace", timeout=timeout)
    return Result(proc, time.monotonic() - start)


def plan(result):
    """The dry run's 'key: value' lines as a dict (first occurrence), plus
    "venv python": the path the interpreter takes as sys.executable, the
    __PYVENV_LAUNCHER__ the plan sets (CPython 3.11+), else argv[0]."""
    out = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(": ")
        out.setdefault(key, value)
        if key == "environment" and value.startswith("set __PYVENV_LAUNCHER__="):
            out["venv python"] = value.partition("=")[2]
    out.setdefault("venv python", out.get("argv[0]"))
    return out


def fake_venv(root, cfg=None, cfg_bytes=None, name="python"):
    """root/bin/<name> = a copy of the launcher, root/pyvenv.cfg = cfg (text) or cfg_bytes."""
    data = cfg_bytes if cfg_bytes is not None else None if cfg is None else cfg.encode()
    return make_fake_venv(root, data, name=name)


def system_cfg(extra=""):
    """A pyvenv.cfg whose base is Debian's python3."""
    return f"home = {SYSTEM_PYTHON.parent}\nversion = {SYSTEM_VERSION}.0\n{extra}"


def real_venv(python, path, install=True):
    """python -m venv --without-pip path, then venvshim install."""
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(path)], check=True,
                   capture_output=True)
    if install:
        subprocess.run([str(CLI), "install", str(path)], check=True, capture_output=True,
                       env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)))
    return Path(path)
