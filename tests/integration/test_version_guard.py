"""Version-mismatch safety on real layouts: a venv whose base was upgraded in
place to another major.minor must be refused (exit 103, both versions and the
fix named) without starting Python, while patch drift and stray directories of
other versions must not block a working base. Bases are real interpreters
(pyenv's, Debian's) arranged the way an upgrade leaves them."""

import os
import shutil
from pathlib import Path

import pytest

from hardening_support import (LAUNCHER, SYSTEM_PYTHON, SYSTEM_VERSION, pyenv_python, real_venv, run,
                               set_launcher_record)


def interpreters():
    """Real CPythons by minor version: pyenv's, then Debian's."""
    found = {}
    for minor in range(6, 20):
        exe = pyenv_python(minor)
        if exe:
            found[f"3.{minor}"] = exe
    if SYSTEM_VERSION and SYSTEM_VERSION not in found:
        found[SYSTEM_VERSION] = SYSTEM_PYTHON
    return found


def two_versions():
    found = interpreters()
    # pyenv builds have an absolute RUNPATH, so a copy of the binary still runs
    usable = {v: p for v, p in found.items() if ".pyenv" in str(p) and int(v.split(".")[1]) >= 8}
    if len(usable) < 2:
        pytest.skip(f"needs two pyenv CPythons >= 3.8 (found {sorted(found)})")
    old, new = sorted(usable, key=lambda v: int(v.split(".")[1]))[-2:]
    return old, usable[old], new, usable[new]


def stdlib_of(python):
    return Path(python).parent.parent / "lib" / Path(python).name


def python_version(venv_python):
    r = run([venv_python, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.prefix)"])
    assert r.code == 0, repr(r)
    return r.stdout.split()


def set_executable(venv, value):
    cfg = venv / "pyvenv.cfg"
    lines = [l for l in cfg.read_text().splitlines() if not l.startswith("executable")]
    cfg.write_text("\n".join(lines + [f"executable = {value}"]) + "\n")


def assert_refused(r, venv, old, new, path):
    assert r.code == 103, repr(r)
    assert r.stdout == "", "Python must not have started: " + repr(r)
    lines = r.lines()
    assert len(lines) == 2 and all(l.startswith("venvshim: ") for l in lines), repr(r)
    assert f"Python {old}" in lines[0] and f"Python {new}" in lines[0], repr(r)
    assert str(venv / "pyvenv.cfg") in lines[0] and str(path) in lines[0], repr(r)
    # the fix keeps the packages: rebase, or upgrade to the Python found
    assert "venvshim rebase " in lines[1] and "venvshim upgrade " in lines[1], repr(r)
    assert f"--python {path}" in lines[1], repr(r)
    assert "-m venv --clear" not in lines[1], repr(r)


def test_symlinked_base_upgraded_in_place(tmp_path):
    """base/bin/python3 -> python3.OLD becomes python3 -> python3.NEW."""
    old, old_exe, new, new_exe = two_versions()
    bindir = tmp_path / "base" / "bin"
    bindir.mkdir(parents=True)
    os.symlink(old_exe, bindir / f"python{old}")
    os.symlink(f"python{old}", bindir / "python3")
    venv = real_venv(bindir / "python3", tmp_path / "env")
    set_executable(venv, bindir / f"python{old}")  # what venvshim records for a symlinked base
    # and the launcher file's record: the old base goes away below (a record naming an
    # old base that still exists runs it: test_check.py test_home_gone_but_the_recorded_base_runs)
    set_launcher_record(venv, bindir / f"python{old}")
    assert python_version(venv / "bin" / "python")[0] == old

    os.unlink(bindir / f"python{old}")
    os.symlink(new_exe, bindir / f"python{new}")
    os.unlink(bindir / "python3")
    os.symlink(f"python{new}", bindir / "python3")
    for name in ("python", "python3", f"python{old}"):
        assert_refused(run([venv / "bin" / name, "-c", "print('started')"]), venv, old, new,
                       bindir / "python3")


def test_regular_file_base_upgraded_in_place(tmp_path):
    """prefix/bin/python is a plain file; only prefix/lib/pythonX.Y tells the version."""
    old, old_exe, new, new_exe = two_versions()
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "lib").mkdir()
    shutil.copy2(old_exe, prefix / "bin" / "python")
    os.symlink(stdlib_of(old_exe), prefix / "lib" / f"python{old}")
    venv = real_venv(prefix / "bin" / "python", tmp_path / "env")
    version, sys_prefix = python_version(venv / "bin" / "python")
    assert version == old

    # "make install" of the new version over the same prefix, old stdlib removed
    os.unlink(prefix / "bin" / "python")
    shutil.copy2(new_exe, prefix / "bin" / "python")
    os.unlink(prefix / "lib" / f"python{old}")
    os.symlink(stdlib_of(new_exe), prefix / "lib" / f"python{new}")
    assert_refused(run([venv / "bin" / "python", "-c", "print('started')"]), venv, old, new,
                   prefix / "bin" / "python")


def test_stray_directory_of_another_version_does_not_block(tmp_path):
    """A leftover lib/pythonX.Y without a stdlib (site-packages only) is no evidence."""
    old, old_exe, new, _ = two_versions()
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "lib" / f"python{new}" / "site-packages").mkdir(parents=True)
    shutil.copy2(old_exe, prefix / "bin" / "python")
    venv = real_venv(prefix / "bin" / "python", tmp_path / "env")
    assert python_version(venv / "bin" / "python")[0] == old


def test_patch_drift_runs(tmp_path):
    """version = X.Y.0 while the base is X.Y.Z: the same site-packages, so it runs."""
    found = interpreters()
    version, exe = sorted(found.items())[-1]
    venv = real_venv(exe, tmp_path / "env")
    cfg = venv / "pyvenv.cfg"
    cfg.write_text("".join(l if not l.startswith("version") else f"version = {version}.0\n"
                           for l in cfg.read_text().splitlines(keepends=True)))
    assert python_version(venv / "bin" / "python")[0] == version


def test_debian_python3_of_another_version_is_refused(tmp_path):
    """Debian after an upgrade: home has python3 -> python3.NEW, no python3.OLD."""
    if not SYSTEM_VERSION:
        pytest.skip("no Debian python3")
    bindir = tmp_path / "usr" / "bin"
    bindir.mkdir(parents=True)
    major, minor = SYSTEM_VERSION.split(".")
    stale = f"{major}.{int(minor) - 1}"
    os.symlink(SYSTEM_PYTHON, bindir / SYSTEM_PYTHON.name)
    os.symlink(SYSTEM_PYTHON.name, bindir / "python3")
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, env / "bin" / "python")
    (env / "pyvenv.cfg").write_text(
        f"home = {bindir}\nversion = {stale}.2\nexecutable = {bindir}/python{stale}\n")
    assert_refused(run([env / "bin" / "python", "-c", "print('started')"]), env, stale,
                   SYSTEM_VERSION, bindir / "python3")


def test_pypy_venv_runs_pypy(tmp_path):
    pypy = shutil.which("pypy3") or "/usr/bin/pypy3"
    if not os.path.exists(pypy):
        pytest.skip("no pypy3")
    venv = real_venv(pypy, tmp_path / "env")
    r = run([venv / "bin" / "python", "-c",
             "import sys, platform; print(platform.python_implementation(), sys.prefix)"])
    assert r.code == 0 and r.stdout.split() == ["PyPy", str(venv)], repr(r)


def test_fix_command_survives_a_path_with_spaces(tmp_path):
    """The printed command, pasted into a shell, names the venv as one word."""
    import shlex
    if not SYSTEM_VERSION:
        pytest.skip("no Debian python3")
    bindir = tmp_path / "base dir" / "bin"
    bindir.mkdir(parents=True)
    os.symlink(SYSTEM_PYTHON, bindir / "python3.98")
    os.symlink("python3.98", bindir / "python3")
    env = tmp_path / "my venv"
    (env / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, env / "bin" / "python")
    (env / "pyvenv.cfg").write_text(f"home = {bindir}\nversion = 3.97.0\n")
    r = run([env / "bin" / "python"])
    assert r.code == 103, repr(r)
    line = r.lines()[1]
    words = shlex.split(line.split(": venvshim rebase ", 1)[1].split(" if one", 1)[0])
    assert words == [str(env)], words
    again = shlex.split(line.split("venvshim upgrade ", 1)[1])
    assert again == [str(env), "--python", str(bindir / "python3")], again
