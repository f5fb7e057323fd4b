"""venvshim rebase and check --fix for a venv whose base interpreter vanished.

A copy of a pyenv CPython 3.11 serves as the base; the venv gets a package;
the copy is removed; rebase points the venv at Debian's or pyenv's 3.11 and
the package still imports. Another X.Y and another implementation are refused
with pyvenv.cfg left byte for byte as it was."""

import shutil
from pathlib import Path

import pytest

from conftest import CLI, DEBIAN_PYTHON, PYENV_VERSIONS, PYPY, copy_python_installation, run

PYENV_311 = PYENV_VERSIONS / "3.11.7" / "bin" / "python3.11"
PYENV_312 = PYENV_VERSIONS / "3.12.1" / "bin" / "python3.12"
PYENV_39 = PYENV_VERSIONS / "3.9.18" / "bin" / "python3.9"


def need(*paths):
    for p in paths:
        if not Path(p).exists():
            pytest.skip(f"no interpreter at {p}")


def add_package(venv):
    site = next((venv / "lib").glob("*/site-packages"))
    (site / "keepme.py").write_text("VALUE = 'kept'\n")
    return site


@pytest.fixture
def orphan(tmp_path):
    """A venvshim venv made from a copy of pyenv's 3.11.7, the copy removed."""
    need(PYENV_311)
    base = copy_python_installation(PYENV_311.parent.parent, tmp_path / "py311")
    venv = tmp_path / "venv"
    r = run([base / "bin" / "python3.11", "-m", "venv", "--without-pip", venv])
    assert r.returncode == 0, r.stderr
    r = run([CLI, "install", venv])
    assert r.returncode == 0, r.stderr
    add_package(venv)
    shutil.rmtree(base)
    r = run([venv / "bin" / "python", "-c", "pass"])
    assert r.returncode == 103, r.stderr
    return venv


def imports_package(venv):
    return run([venv / "bin" / "python", "-c",
                "import keepme, sys; print(keepme.VALUE, '%d.%d.%d' % sys.version_info[:3])"])


def test_rebase_onto_debian_keeps_packages(orphan):
    need(DEBIAN_PYTHON)
    r = run([CLI, "rebase", orphan, "--python", DEBIAN_PYTHON])
    assert r.returncode == 0, r.stderr
    out = imports_package(orphan)
    assert out.returncode == 0, out.stderr
    actual = run([DEBIAN_PYTHON, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    assert out.stdout.split() == [b"kept", actual.stdout.strip()]
    cfg = (orphan / "pyvenv.cfg").read_text()
    assert f"home = {DEBIAN_PYTHON.parent}\n" in cfg
    assert f"executable = {DEBIAN_PYTHON}\n" in cfg
    assert f"version = {actual.stdout.strip().decode()}\n" in cfg


def test_rebase_without_python_prefers_the_recorded_patch_release(orphan):
    r = run([CLI, "rebase", orphan])
    assert r.returncode == 0, r.stderr
    assert f"chosen: {PYENV_311}".encode() in r.stdout, r.stdout
    out = imports_package(orphan)
    assert out.stdout.split() == [b"kept", b"3.11.7"], out.stderr


def test_dry_run_changes_nothing(orphan):
    before = (orphan / "pyvenv.cfg").read_bytes()
    r = run([CLI, "rebase", orphan, "--dry-run", "--json"])
    assert r.returncode == 0, r.stderr
    assert b'"dry_run": true' in r.stdout
    assert (orphan / "pyvenv.cfg").read_bytes() == before


def test_another_minor_version_is_refused(orphan):
    need(PYENV_312)
    before = (orphan / "pyvenv.cfg").read_bytes()
    r = run([CLI, "rebase", orphan, "--python", PYENV_312])
    assert r.returncode == 1
    assert b"another X.Y version" in r.stderr and b"venvshim upgrade " in r.stderr, r.stderr
    assert (orphan / "pyvenv.cfg").read_bytes() == before


@pytest.mark.parametrize("venv_python,other", [(PYPY, PYENV_39), (PYENV_39, PYPY)],
                         ids=["pypy-venv-onto-cpython", "cpython-venv-onto-pypy"])
def test_another_implementation_is_refused(tmp_path, venv_python, other):
    need(venv_python, other)
    venv = tmp_path / "venv"
    assert run([venv_python, "-m", "venv", "--without-pip", venv]).returncode == 0
    assert run([CLI, "install", venv]).returncode == 0
    before = (venv / "pyvenv.cfg").read_bytes()
    r = run([CLI, "rebase", venv, "--python", other])
    assert r.returncode == 1
    assert b"another implementation" in r.stderr, r.stderr
    assert (venv / "pyvenv.cfg").read_bytes() == before
    assert run([venv / "bin" / "python", "-c", "pass"]).returncode == 0


def test_pypy_venv_rebases_onto_pypy(tmp_path):
    need(PYPY)
    venv = tmp_path / "venv"
    assert run([PYPY, "-m", "venv", "--without-pip", venv]).returncode == 0
    assert run([CLI, "install", venv]).returncode == 0
    r = run([CLI, "rebase", venv, "--dry-run"])
    assert r.returncode == 0, r.stderr
    assert b"PyPy 3." in r.stdout and b"chosen: /" in r.stdout, r.stdout


def test_usage_errors_exit_2(tmp_path):
    for argv in ([], [tmp_path, "--bogus"], [tmp_path, "--python", ""]):
        r = run([CLI, "rebase", *argv])
        assert r.returncode == 2 and b"try 'venvshim rebase --help'" in r.stderr, r.stderr


def test_check_names_rebase_and_fix_rebases(orphan):
    r = run([CLI, "check", orphan])
    assert r.returncode == 1
    assert f"venvshim rebase {orphan}".encode() in r.stdout, r.stdout
    # 3.11.7 is the only interpreter of the recorded patch release: --fix uses it
    r = run([CLI, "check", "--fix", orphan])
    assert r.returncode == 0, r.stdout + r.stderr
    out = imports_package(orphan)
    assert out.stdout.split() == [b"kept", b"3.11.7"], out.stderr
