"""arm64 checks beyond the integration tests, run by tests/run-arm64 with the
aarch64 build ($VENVSHIM_BUILD_DIR) and Debian's arm64 python3.11
($VENVSHIM_TEST_PYTHON=ID=PATH) under qemu-user-static.

The oracle is the same as everywhere: what the real interpreter reports in a
plain `python -m venv` venv."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

BUILD = Path(os.environ.get("VENVSHIM_BUILD_DIR", "build-arm64")).absolute()
CLI, LAUNCHER = BUILD / "venvshim", BUILD / "venvshim-launcher"
PYTHON = Path(os.environ.get("VENVSHIM_TEST_PYTHON", "=").partition("=")[2])
BASE = PYTHON.parent.parent  # the unpacked tree's usr/: the base's sys.prefix

PROBE = ("import json, site, sys; print(json.dumps({'prefix': sys.prefix, 'base_prefix': sys.base_prefix, "
         "'executable': sys.executable, 'base_executable': getattr(sys, '_base_executable', None), "
         "'site': site.getsitepackages(), 'path': sys.path}))")


@pytest.fixture(scope="module", autouse=True)
def present():
    if not PYTHON.is_file():
        pytest.fail("VENVSHIM_TEST_PYTHON names no interpreter: {!r}".format(str(PYTHON)), pytrace=False)


def run(argv, **kw):
    r = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, **kw)
    assert r.returncode == 0, "{}\nexit {}\n{}\n{}".format(argv, r.returncode, r.stdout[-2000:], r.stderr[-3000:])
    return r.stdout.decode()


def probe(python, root, base):
    """The report, with root replaced by <ROOT> and the base's prefix by
    <BASE>, so that two places and two installations compare."""
    text = run([python, "-c", PROBE], cwd="/").strip()
    return json.loads(text.replace(str(root), "<ROOT>").replace(str(base) + "/", "<BASE>/"))


def converted_venv(python, where):
    run([python, "-m", "venv", "--without-pip", where])
    run([CLI, "install", where])
    return where


@pytest.mark.parametrize("binary", [LAUNCHER, CLI], ids=["launcher", "cli"])
def test_the_build_is_static_aarch64(binary):
    header = run(["readelf", "-h", binary])
    assert "AArch64" in header, header
    segments = run(["readelf", "-l", "-W", binary])
    assert "INTERP" not in segments and "DYNAMIC" not in segments, segments


def test_the_interpreter_is_arm64():
    """(emulated on this x86-64 machine, or native on an arm64 one)"""
    assert run([PYTHON, "-c", "import platform; print(platform.machine())"]).strip() == "aarch64"


def test_a_converted_venv_reports_what_the_plain_venv_did(tmp_path):
    """sys.prefix, base_prefix, executable, site-packages, sys.path: as in the
    plain venv."""
    plain, converted = tmp_path / "plain" / "v", tmp_path / "converted" / "v"
    run([PYTHON, "-m", "venv", "--without-pip", plain])
    converted_venv(PYTHON, converted)
    assert os.path.realpath(converted / "bin" / "python") == str(converted / "bin" / ".venvshim-launcher")
    # the launcher, then the base install records after its image (docs/design.md)
    data, built = (converted / "bin" / ".venvshim-launcher").read_bytes(), LAUNCHER.read_bytes()
    assert data.startswith(built) and re.fullmatch(rb"(venvshim-base/1\n/[^\n\0]*\n)?",
                                                   data[len(built):]), data[len(built):]
    expected = probe(plain / "bin" / "python", plain.parent, BASE)
    got = probe(converted / "bin" / "python", converted.parent, BASE)
    expected.pop("base_executable"), got.pop("base_executable")  # next test
    assert got == expected
    assert expected["prefix"] == "<ROOT>/v" and expected["base_prefix"] == str(BASE)


def test_sys_base_executable_is_what_x86_64_reports(tmp_path):
    """sys._base_executable differs from a plain venv's by design
    (docs/differences.md); on arm64 it must be what the same CPython reports
    natively on this x86-64 machine, for a venv converted by the native CLI."""
    native_python = Path("/usr/bin/python3.11")
    native_cli = Path(os.environ.get("VENVSHIM_NATIVE_BUILD_DIR", "build")).absolute() / "venvshim"
    for need in (native_python, native_cli):
        if not need.is_file():
            pytest.skip("{} is absent: nothing native to compare with".format(need))
    version = "import sys; print(sys.version)"
    if run([native_python, "-c", version]) != run([PYTHON, "-c", version]):
        pytest.skip("{} is another version than {}".format(native_python, PYTHON))
    arm = converted_venv(PYTHON, tmp_path / "arm" / "v")
    native = tmp_path / "native" / "v"
    run([native_python, "-m", "venv", "--without-pip", native])
    run([native_cli, "install", native])
    got = probe(arm / "bin" / "python", arm.parent, BASE)
    expected = probe(native / "bin" / "python", native.parent, "/usr")
    assert got["base_executable"] == expected["base_executable"], (got, expected)


def test_a_relocatable_venv_with_pip_survives_a_move(tmp_path):
    """venvshim create --relocatable (pip from the arm64 python's ensurepip),
    moved: python and the pip script launcher run from the new place."""
    first, moved = tmp_path / "a" / "v", tmp_path / "b" / "w"
    run([CLI, "create", "--python", PYTHON, "--relocatable", first])
    pip = first / "bin" / "pip"
    assert pip.read_bytes()[:4] == b"\x7fELF", "bin/pip is not a script launcher"
    moved.parent.mkdir()
    shutil.move(str(first), str(moved))
    report = probe(moved / "bin" / "python", moved.parent, BASE)
    assert report["prefix"] == "<ROOT>/w" and report["executable"] == "<ROOT>/w/bin/python", report
    assert report["base_prefix"] == str(BASE), report
    assert str(moved / "lib") in run([moved / "bin" / "pip", "--version"], cwd="/")
