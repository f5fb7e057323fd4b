"""One-process mode across a venv's life (issue 21 item 2, docs/design.md "One
process"): the mode is re-chosen, never silently dropped, by `rebase`, `check
--fix` (which rebases) and `upgrade`, with VENVSHIM_ONE_PROCESS unset: a venv
that had the one-process launcher keeps it where the new base loads a shared
libpython, and gets the static launcher (said, not failed) where it does not.

The base to rebase from is a copy of pyenv's 3.11 (test_rebase.py's way), removed
before the rebase; the new bases are pyenv's 3.11.7 (shared libpython) and
Debian's /usr/bin/python3.11 (none). upgrade: an empty 3.12 venv to pyenv's
3.13 (about a second)."""

import shutil
from pathlib import Path

import pytest

from conftest import (BUILD_DIR, CLI, DEBIAN_PYTHON, PYENV_VERSIONS, clean_env,
                      copy_python_installation, describe, run)

DL = BUILD_DIR / "venvshim-launcher-dl"
if not DL.is_file():
    pytest.skip(f"{DL} is not built (a sanitizer build does not build it: meson.build)",
                allow_module_level=True)

PYENV_311 = PYENV_VERSIONS / "3.11.7" / "bin" / "python3.11"
PYENV_312 = PYENV_VERSIONS / "3.12.1" / "bin" / "python3.12"
PYENV_313 = PYENV_VERSIONS / "3.13.0" / "bin" / "python3.13"
MARKER = b"venvshim-one-process-launcher"  # ONEPROC_LAUNCHER_MARKER (oneproc.h)


def need(*paths):
    for p in paths:
        if not Path(p).exists():
            pytest.skip(f"no interpreter at {p}")


def unset_env(**extra):
    """The mode's variable unset, even when the suite runs in one-process mode."""
    env = clean_env(**extra)
    env.pop("VENVSHIM_ONE_PROCESS", None)
    return env


def one_process(venv):
    """Whether venv's launcher is the one-process kind, and its dry run's mode line."""
    launcher = (venv / "bin" / ".venvshim-launcher").read_bytes()
    r = run([venv / "bin" / "python"], env=unset_env(PYLAUNCHER_DRYRUN="1"))
    assert r.returncode == 0, describe(r)
    mode = [l for l in r.stdout.decode().splitlines() if l.startswith("mode: ")]
    return MARKER in launcher, mode[0] if mode else None


@pytest.fixture
def orphan(tmp_path):
    """A one-process venv made from a copy of pyenv's 3.11.7 holding a module; the
    copy removed (bin/python exits 103)."""
    need(PYENV_311)
    base = copy_python_installation(PYENV_311.parent.parent, tmp_path / "py311")
    venv = tmp_path / "venv"
    r = run([base / "bin" / "python3.11", "-m", "venv", "--without-pip", venv])
    assert r.returncode == 0, describe(r)
    r = run([CLI, "install", venv], env=clean_env(VENVSHIM_ONE_PROCESS="1"))
    assert r.returncode == 0, describe(r)
    assert one_process(venv)[0], describe(r)
    site = next((venv / "lib").glob("*/site-packages"))
    (site / "keepme.py").write_text("VALUE = 'kept'\n")
    shutil.rmtree(base)
    r = run([venv / "bin" / "python", "-c", "pass"], env=unset_env())
    assert r.returncode == 103, describe(r)
    return venv


def reports(venv):
    r = run([venv / "bin" / "python", "-c",
             "import keepme, sys; print(keepme.VALUE, sys.prefix, sys._base_executable)"],
            env=unset_env())
    assert r.returncode == 0, describe(r)
    return r.stdout.decode().split()


def test_rebase_keeps_one_process_where_the_new_base_allows(orphan):
    r = run([CLI, "rebase", orphan, "--python", PYENV_311], env=unset_env())
    assert r.returncode == 0, describe(r)
    kind, mode = one_process(orphan)
    assert kind and mode == f"mode: one process, {PYENV_311.parent.parent}/lib/libpython3.11.so.1.0", \
        (mode, describe(r))
    assert reports(orphan) == ["kept", str(orphan), str(PYENV_311)]


def test_check_fix_rebase_keeps_one_process(orphan):
    # 3.11.7 is the only interpreter of the recorded patch release: --fix rebases onto it
    r = run([CLI, "check", "--fix", orphan], env=unset_env())
    assert r.returncode == 0, describe(r)
    kind, mode = one_process(orphan)
    assert kind and mode.startswith("mode: one process, "), (mode, describe(r))
    assert reports(orphan) == ["kept", str(orphan), str(PYENV_311)]


def test_rebase_onto_a_base_without_shared_libpython_falls_back_to_exec(orphan):
    """Debian's python3.11 links libpython statically: the static launcher, said."""
    need(DEBIAN_PYTHON)
    r = run([CLI, "rebase", orphan, "--python", DEBIAN_PYTHON], env=unset_env())
    assert r.returncode == 0, describe(r)
    assert b"one-process mode not used (" in r.stdout + r.stderr, describe(r)
    kind, mode = one_process(orphan)
    assert not kind and mode == "mode: exec, this launcher is the static one", mode
    assert reports(orphan) == ["kept", str(orphan), str(DEBIAN_PYTHON)]


def test_upgrade_keeps_one_process(tmp_path):
    """The new venv upgrade builds beside the old one gets the old one's kind."""
    need(PYENV_312, PYENV_313)
    venv = tmp_path / "v"
    r = run([PYENV_312, "-m", "venv", "--without-pip", venv])
    assert r.returncode == 0, describe(r)
    r = run([CLI, "install", venv], env=clean_env(VENVSHIM_ONE_PROCESS="1"))
    assert r.returncode == 0 and one_process(venv)[0], describe(r)
    r = run([CLI, "upgrade", venv, "--python", PYENV_313], env=unset_env(), timeout=300)
    assert r.returncode == 0, describe(r)
    kind, mode = one_process(venv)
    assert kind and mode == f"mode: one process, {PYENV_313.parent.parent}/lib/libpython3.13.so.1.0", \
        (mode, describe(r))
    r = run([venv / "bin" / "python", "-c", "import sys; print(sys.prefix, sys.version_info[:2])"],
            env=unset_env())
    assert r.stdout.decode().split(None, 1) == [str(venv), "(3, 13)\n"], describe(r)
