"""`python -m venv --upgrade DIR`, the documented step after a base Python is
updated in place, on a venvshim venv: run from inside the venv (its
bin/python) and from the base. Afterwards the venv must work (its sys.prefix,
the base's base_prefix, its packages importable) and `venvshim check --fix`
must leave it healthy with the launcher back and the packages untouched.

What venv does (CPython's Lib/venv/__init__.py, EnvBuilder.symlink_or_copy and
ensure_directories): a destination that is a symlink is skipped ("can't link
to itself"), a regular file gets the base copied over it; run from inside a
CPython 3.8-3.10 venv, sys._base_executable is the venv's own python, so
pyvenv.cfg gets home = DIR/bin and no executable key."""

import json
import os

import pytest

from conftest import CLI, clean_env, create_plain_venv, describe, run, venvshim_install

MARKER_MODULE = "venvshim_upgrade_marker"
REPORT = ("import json, sys, {m}; print(json.dumps([sys.prefix, sys.base_prefix, "
          "{m}.VALUE]))").format(m=MARKER_MODULE)


def site_packages(venv):
    found = sorted((venv / "lib").glob("*/site-packages"))
    assert len(found) == 1, f"expected one site-packages under {venv}/lib, found {found}"
    return found[0]


def base_prefix(interp):
    r = run([interp.path, "-c", "import sys; print(sys.base_prefix)"], env=clean_env())
    assert r.returncode == 0, describe(r)
    return r.stdout.decode().strip()


def assert_works(venv, interp, when, *, check_base_prefix=True):
    r = run([venv / "bin" / "python", "-c", REPORT], env=clean_env())
    assert r.returncode == 0, f"{when}: {venv}/bin/python failed: {describe(r)}"
    prefix, base, value = json.loads(r.stdout.decode().strip().splitlines()[-1])
    assert os.path.realpath(prefix) == os.path.realpath(venv), f"{when}: sys.prefix {prefix}"
    if check_base_prefix:
        assert os.path.realpath(base) == os.path.realpath(base_prefix(interp)), \
            f"{when}: sys.base_prefix {base}"
    assert value == 42, when


def assert_launcher_back(venv, launcher_bytes):
    bindir = venv / "bin"
    names = [n for n in os.listdir(bindir) if n.startswith(("python", "pypy"))]
    assert names, f"no interpreter names left in {bindir}"
    for n in names:
        assert (bindir / n).read_bytes() == launcher_bytes, \
            f"{bindir / n} is not the launcher after check --fix"


@pytest.mark.parametrize("where", ["inside", "base"])
def test_venv_upgrade_keeps_a_working_venvshim_venv(interp, where, tmp_path, launcher_bytes):
    venv = create_plain_venv(interp, tmp_path / "v")
    venvshim_install(venv)
    marker = site_packages(venv) / f"{MARKER_MODULE}.py"
    marker.write_text("VALUE = 42\n")
    assert_works(venv, interp, "after install")

    python = venv / "bin" / "python" if where == "inside" else interp.path
    r = run([python, "-m", "venv", "--without-pip", "--upgrade", venv], env=clean_env(),
            timeout=120)
    # venv's own exit status is not the point (3.8-3.10 used to fail here):
    # what it leaves is.
    # Known gap: PyPy run with home = DIR/bin (what its venv writes from
    # inside) finds its stdlib but reports sys.base_prefix "/" until
    # check --fix (below) rewrites home; prefix and packages are right.
    pypy_loop = interp.kind == "pypy" and where == "inside"
    assert_works(venv, interp, f"after venv --upgrade from {where} (venv said: {describe(r)})",
                 check_base_prefix=not pypy_loop)

    r = run([CLI, "check", "--fix", venv], env=clean_env())
    r = run([CLI, "check", venv], env=clean_env())
    assert r.returncode == 0, f"check after check --fix: {describe(r)}"
    assert b"this build's launcher" in r.stdout, describe(r)
    assert_launcher_back(venv, launcher_bytes)
    assert_works(venv, interp, "after check --fix")
    assert marker.read_text() == "VALUE = 42\n"
