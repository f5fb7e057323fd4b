"""`venvshim install` on venvs made by other tools than `python -m venv`.

virtualenv is real (Debian's python3-virtualenv). uv cannot be installed on
this machine (no PyPI access, no Debian package), so its layout is written by
hand as uv >= 0.5 writes it: pyvenv.cfg with home, implementation, uv,
version_info and include-system-site-packages (no executable key), bin/python
a symlink to the base interpreter as given (not canonicalised, uv PR #8433),
python3 and python3.X symlinks to python. In both cases the real interpreter
is the oracle: what it reports through the tool's own symlinks must not change
after `venvshim install`."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import (INTERPRETERS, bin_names, describe, is_launcher_link, probe, read_cfg, run,
                      semantic_diff, venvshim_install)

VIRTUALENV = ["/usr/bin/python3", "-m", "virtualenv"]
CPYTHONS = [i for i in INTERPRETERS if i.kind == "cpython"]


@pytest.fixture(params=CPYTHONS, ids=[i.id for i in CPYTHONS])
def cpython(request):
    """Each CPython found (PyPy has no uv/virtualenv layout difference worth a row)."""
    request.param.require()
    return request.param


def have_virtualenv():
    return subprocess.run([*VIRTUALENV, "--version"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def version_of(interp):
    r = run([interp.path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    assert r.returncode == 0, describe(r)
    return r.stdout.decode().strip()


def assert_same_after_install(venv):
    names = bin_names(venv)
    before = {n: probe([venv / "bin" / n]) for n in names}
    venvshim_install(venv)
    for n in names:
        exe = venv / "bin" / n
        assert is_launcher_link(exe), f"{exe} is not a symlink to bin/.venvshim-launcher"
        after = probe([exe])
        assert semantic_diff(after, before[n]) == {}, f"{n}: {semantic_diff(after, before[n])}"
        assert after["executable"] == os.fsencode(exe)
    cfg = read_cfg(venv / "pyvenv.cfg")
    recorded = cfg.get("base-executable") or cfg.get("executable")
    assert recorded and Path(recorded).is_file(), f"no usable base recorded: {cfg}"
    return names


def test_virtualenv_venv_converts_with_identical_semantics(cpython, tmp_path):
    interp = cpython
    if not have_virtualenv():
        pytest.skip("virtualenv not installed (Debian package python3-virtualenv)")
    venv = tmp_path / "ve"
    r = run([*VIRTUALENV, "-q", "--no-pip", "--no-setuptools", "--no-wheel", "-p", interp.path,
             venv], timeout=180)
    assert r.returncode == 0, describe(r)
    assert "virtualenv" in read_cfg(venv / "pyvenv.cfg")
    assert_same_after_install(venv)


def make_uv_layout(interp, venv, *, system_site=False):
    """The files `uv venv --python <interp> venv` writes that matter to Python."""
    version = version_of(interp)
    major_minor = ".".join(version.split(".")[:2])
    (venv / "bin").mkdir(parents=True)
    (venv / "lib" / f"python{major_minor}" / "site-packages").mkdir(parents=True)
    if not (venv / "lib64").exists():
        (venv / "lib64").symlink_to("lib")
    base = Path(interp.path)
    (venv / "pyvenv.cfg").write_text(
        f"home = {base.parent}\n"
        "implementation = CPython\n"
        "uv = 0.5.11\n"
        f"version_info = {version}\n"
        f"include-system-site-packages = {'true' if system_site else 'false'}\n"
        "prompt = uvproject\n")
    (venv / "bin" / "python").symlink_to(base)
    (venv / "bin" / "python3").symlink_to("python")
    (venv / "bin" / f"python{major_minor}").symlink_to("python")


@pytest.mark.parametrize("system_site", [False, True], ids=["isolated", "system-site"])
def test_uv_layout_converts_with_identical_semantics(cpython, system_site, tmp_path):
    interp = cpython
    venv = tmp_path / "uvenv"
    make_uv_layout(interp, venv, system_site=system_site)
    names = assert_same_after_install(venv)
    assert set(names) >= {"python", "python3"}
    # uv's key names for the version: the launcher must still know X.Y
    dry = run([venv / "bin" / "python3"], env={**os.environ, "PYLAUNCHER_DRYRUN": "1"})
    assert dry.returncode == 0, describe(dry)
