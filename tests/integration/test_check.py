"""`venvshim check DIR [--json] [--fix]` on real venvs: healthy, base removed,
base upgraded to another minor version, scripts left stale by a move or a
copy, launchers from another build, a plain (non-venvshim) venv, and usage
errors. Exit 0 healthy, 1 problems, 2 usage; --json prints one JSON object."""

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import is_installed_launcher
from hardening_support import (CLI, LAUNCHER, SYSTEM_PYTHON, SYSTEM_VERSION, pyenv_python,
                               real_venv, run, set_launcher_record)

pytestmark = pytest.mark.skipif(not CLI.is_file(), reason=f"no venvshim CLI at {CLI}")


def check(*args):
    return run([CLI, "check", *map(str, args)], extra_env={"VENVSHIM_LAUNCHER": str(LAUNCHER)},
               timeout=60)


def check_json(*args):
    r = check(*args, "--json")
    doc = json.loads(r.stdout)  # the whole of stdout: exactly one JSON object
    assert isinstance(doc, dict), r
    return r, doc


def findings(doc, check_name, status=None):
    return [f for f in doc["findings"]
            if f["check"] == check_name and (status is None or f["status"] == status)]


def symlink_base(tmp_path, exe, version):
    """tmp/base/bin/pythonX.Y -> a real interpreter, python3 -> pythonX.Y."""
    bindir = tmp_path / "base" / "bin"
    bindir.mkdir(parents=True)
    os.symlink(exe, bindir / f"python{version}")
    os.symlink(f"python{version}", bindir / "python3")
    return bindir


def record_executable(venv, value):
    cfg = venv / "pyvenv.cfg"
    lines = [l for l in cfg.read_text().splitlines() if not l.startswith("executable")]
    cfg.write_text("\n".join(lines + [f"executable = {value}"]) + "\n")


@pytest.fixture(scope="module")
def pip_venv(tmp_path_factory):
    """A real venv with pip (real console scripts), converted by venvshim."""
    path = tmp_path_factory.mktemp("pipvenv") / "env"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(path)], check=True, capture_output=True)
    subprocess.run([str(CLI), "install", str(path)], check=True, capture_output=True,
                   env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)))
    return path


def test_healthy_venv(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    r = check(venv)
    assert r.code == 0, r
    assert r.stdout.rstrip().endswith("healthy"), r
    assert f"{SYSTEM_PYTHON} is Python {SYSTEM_VERSION}." in r.stdout, r
    r, doc = check_json(venv)
    assert r.code == 0 and doc["healthy"] is True and doc["problems"] == 0, r
    assert doc["venv"] == str(venv)
    assert findings(doc, "launcher", "ok") and findings(doc, "base", "ok"), doc
    assert {f["status"] for f in doc["findings"]} <= {"ok", "info"}, doc


def test_plain_venv_is_diagnosed_not_failed(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env", install=False)
    r, doc = check_json(venv)
    assert r.code == 0 and doc["healthy"] is True, r
    [info] = findings(doc, "launcher", "info")
    assert "not a venvshim venv" in info["message"] and "symlink" in info["message"], info


def test_base_removed(tmp_path):
    bindir = symlink_base(tmp_path, SYSTEM_PYTHON, SYSTEM_VERSION)
    venv = real_venv(bindir / "python3", tmp_path / "env")
    record_executable(venv, bindir / f"python{SYSTEM_VERSION}")
    set_launcher_record(venv, bindir / f"python{SYSTEM_VERSION}")  # removed with base/ below
    assert check(venv).code == 0
    shutil.rmtree(tmp_path / "base")
    r = check(venv)
    assert r.code == 1, r
    assert f"home = {bindir}" in r.stdout and "does not exist" in r.stdout, r
    assert "venvshim rebase" in r.stdout, r  # the fix that keeps the packages is explained
    r, doc = check_json(venv)
    assert r.code == 1 and doc["healthy"] is False and doc["problems"] >= 1, r
    [problem] = findings(doc, "base", "problem")
    assert "exit 103" in problem["message"], problem


def test_home_gone_but_the_recorded_base_runs(tmp_path):
    """home leads nowhere, the base recorded in the launcher file still
    exists (python -m venv --copies from inside a 3.6-3.10 venv, its parent
    removed; here a directory of links removed): the launcher runs the
    recorded base, check says so and what runs, --fix writes its directory
    into home (docs/design.md, "The base the launcher file records")."""
    bindir = symlink_base(tmp_path, SYSTEM_PYTHON, SYSTEM_VERSION)
    venv = real_venv(bindir / "python3", tmp_path / "env")
    set_launcher_record(venv, SYSTEM_PYTHON.resolve())
    shutil.rmtree(tmp_path / "base")
    ran = run([venv / "bin" / "python", "-c", "import sys; print(sys.prefix)"], timeout=60)
    assert ran.code == 0 and ran.stdout.strip() == str(venv), ran
    r, doc = check_json(venv)
    [problem] = findings(doc, "base", "problem")
    assert r.code == 1 and f"home = {bindir} gives no base" in problem["message"], problem
    assert str(SYSTEM_PYTHON.resolve()) in problem["message"], problem
    assert problem["fix"] == f"venvshim check --fix {venv}", problem
    r = check(venv, "--fix")
    assert r.code == 0 and "wrote its directory into home" in r.stdout, r
    assert f"home = {SYSTEM_PYTHON.resolve().parent}\n" in (venv / "pyvenv.cfg").read_text()
    r = check(venv)
    assert r.code == 0 and r.stdout.rstrip().endswith("healthy"), r


def test_a_record_of_another_x_y_is_not_run(tmp_path):
    """The recorded base is used only when its name carries pyvenv.cfg's X.Y:
    otherwise home's own error, exit 103."""
    bindir = symlink_base(tmp_path, SYSTEM_PYTHON, SYSTEM_VERSION)
    venv = real_venv(bindir / "python3", tmp_path / "env")
    other = tmp_path / "other" / "python3.99"
    other.parent.mkdir()
    os.symlink(SYSTEM_PYTHON, other)
    set_launcher_record(venv, other)
    shutil.rmtree(tmp_path / "base")
    ran = run([venv / "bin" / "python", "-c", "pass"], timeout=60)
    assert ran.code == 103 and f"home = {bindir}" in ran.stderr, ran


def test_a_stale_record_of_the_base_is_reported_and_rewritten(tmp_path):
    """The launcher file records another base than the one that runs (an
    edited home, say): check names both, --fix re-installs the record."""
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    stale = tmp_path / "old" / f"python{SYSTEM_VERSION}"
    stale.parent.mkdir()
    os.symlink(SYSTEM_PYTHON, stale)
    set_launcher_record(venv, stale)
    r, doc = check_json(venv)
    [problem] = findings(doc, "launcher", "problem")
    assert r.code == 1 and f"records the base {stale}, not the base that runs" in problem["message"]
    r = check(venv, "--fix")
    assert r.code == 0, r
    data = (venv / "bin" / ".venvshim-launcher").read_bytes()
    assert data.endswith(b"venvshim-base/1\n" + bytes(SYSTEM_PYTHON) + b"\n"), data[-80:]
    assert check(venv).code == 0


def two_pyenv():
    found = [(m, pyenv_python(m)) for m in range(8, 20)]
    found = [(f"3.{m}", p) for m, p in found if p]
    if len(found) < 2:
        pytest.skip("needs two pyenv CPythons >= 3.8")
    return found[-2][0], found[-2][1], found[-1][0], found[-1][1]


def test_base_upgraded_to_another_minor(tmp_path):
    old, old_exe, new, new_exe = two_pyenv()
    bindir = symlink_base(tmp_path, old_exe, old)
    venv = real_venv(bindir / "python3", tmp_path / "env")
    record_executable(venv, bindir / f"python{old}")
    # the old base is gone (a record naming an old base that still exists runs it:
    # test_home_gone_but_the_recorded_base_runs)
    set_launcher_record(venv, bindir / f"python{old}")
    os.unlink(bindir / f"python{old}")
    os.symlink(new_exe, bindir / f"python{new}")
    os.unlink(bindir / "python3")
    os.symlink(f"python{new}", bindir / "python3")
    r, doc = check_json(venv)
    assert r.code == 1, r
    [problem] = findings(doc, "base", "problem")
    assert f"Python {old}" in problem["message"] and f"Python {new}" in problem["message"], problem


def test_mismatch_the_file_system_cannot_show_is_found_by_asking(tmp_path):
    """A plain-file python with no lib/pythonX.Y: the launcher has no evidence,
    check asks the interpreter and reports the mismatch."""
    old, old_exe, new, new_exe = two_pyenv()
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(old_exe, prefix / "bin" / "python")
    venv = real_venv(prefix / "bin" / "python", tmp_path / "env")
    assert check(venv).code == 0
    os.unlink(prefix / "bin" / "python")
    shutil.copy2(new_exe, prefix / "bin" / "python")
    r = check(venv)
    assert r.code == 1, r
    assert f"is Python {new}." in r.stdout and f"the venv is for {old}" in r.stdout, r


def test_patch_drift_is_information(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    cfg = venv / "pyvenv.cfg"
    cfg.write_text("".join(f"version = {SYSTEM_VERSION}.0\n" if l.startswith("version") else l
                           for l in cfg.read_text().splitlines(keepends=True)))
    r, doc = check_json(venv)
    assert r.code == 0, r
    [drift] = [f for f in findings(doc, "base", "info") if "patch drift" in f["message"]]
    assert f"{SYSTEM_VERSION}.0" in drift["message"], drift


def copy_of(template, dest):
    """A copy of the template venv whose scripts point at the copy (what a fresh venv has)."""
    shutil.copytree(template, dest, symlinks=True)
    r = check(dest, "--fix")
    assert r.code == 0, r
    return dest


def test_stale_shebangs_after_a_move_are_fixed(pip_venv, tmp_path):
    orig = copy_of(pip_venv, tmp_path / "orig")
    moved = tmp_path / "moved dir" / "env"  # a space: pip's /bin/sh form is needed
    moved.parent.mkdir()
    os.rename(orig, moved)
    r, doc = check_json(moved)
    assert r.code == 1, r
    stale = findings(doc, "script", "problem")
    assert {Path(f["path"]).name for f in stale} >= {"pip", "pip3"}, doc
    assert all("does not exist (a moved venv?)" in f["message"] for f in stale), stale
    with pytest.raises(FileNotFoundError):  # really broken: the kernel finds no interpreter
        run([moved / "bin" / "pip", "--version"])

    r, doc = check_json(moved, "--fix")
    assert r.code == 0 and doc["healthy"] is True and doc["fixed"] == len(stale), r
    assert (moved / "bin" / "pip").read_text().startswith(
        f"#!/bin/sh\n'''exec' \"{moved}/bin/python3")
    pip = run([moved / "bin" / "pip", "--version"], timeout=60)
    assert pip.code == 0 and str(moved / "lib") in pip.stdout, pip
    assert check(moved).code == 0


def test_copied_venv_runs_the_originals_python(pip_venv, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(pip_venv, copy, symlinks=True)
    r, doc = check_json(copy)
    assert r.code == 1, r
    problems = findings(doc, "script", "problem")
    assert problems and all("another venv's python" in f["message"] for f in problems), doc
    r, doc = check_json(copy, "--fix")
    assert r.code == 0, r
    first_line = (copy / "bin" / "pip").read_text().splitlines()[0]
    assert first_line.startswith(f"#!{copy}/bin/python3"), first_line
    pip = run([copy / "bin" / "pip", "--version"], timeout=60)
    assert pip.code == 0 and str(copy / "lib") in pip.stdout, pip


def test_launcher_from_another_build_is_reinstalled(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    other = venv / "bin" / "python3"
    data = other.read_bytes() + b"\0another build"
    other.unlink()
    other.write_bytes(data)
    other.chmod(0o755)
    r, doc = check_json(venv)
    assert r.code == 1, r
    [problem] = findings(doc, "launcher", "problem")
    assert "another venvshim build" in problem["message"], problem
    r, doc = check_json(venv, "--fix")
    assert r.code == 0 and findings(doc, "launcher", "fixed"), r
    assert is_installed_launcher(other.read_bytes(), LAUNCHER.read_bytes())
    assert check(venv).code == 0


def test_not_a_venv(tmp_path):
    r = check(tmp_path)
    assert r.code == 1 and "not a virtual environment" in r.stdout, r
    r, doc = check_json(tmp_path / "missing")
    assert r.code == 1 and doc["healthy"] is False, r


def test_bad_pyvenv_cfg(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "pyvenv.cfg").write_bytes(b"\xef\xbb\xbfhome = /usr/bin\n")
    r, doc = check_json(tmp_path)
    assert r.code == 1, r
    [problem] = findings(doc, "pyvenv.cfg", "problem")
    assert "byte order mark" in problem["message"], problem


def test_json_escapes_odd_paths(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / 'we"ird\\ \x01 \xe9')
    r, doc = check_json(venv)
    assert r.code == 0 and doc["venv"] == str(venv), r


@pytest.mark.parametrize("args", [[], ["--bogus", "x"], ["a", "b"]])
def test_usage_errors_exit_2(args):
    r = check(*args)
    assert r.code == 2 and r.stderr.startswith("venvshim: "), r
    assert r.stderr.endswith("; try 'venvshim check --help'\n"), r


def test_json_stays_valid_for_a_path_that_is_not_utf8(tmp_path):
    venv = Path(os.fsdecode(bytes(tmp_path) + b"/env-\xff"))
    (venv / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, venv / "bin" / "python")
    (venv / "pyvenv.cfg").write_text(f"home = {SYSTEM_PYTHON.parent}\nversion = {SYSTEM_VERSION}.0\n")
    r = subprocess.run([CLI, "check", venv, "--json"], capture_output=True, timeout=60,
                       env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)))
    doc = json.loads(r.stdout.decode("utf-8"))  # strict: the bytes themselves must be UTF-8
    assert doc["venv"] == f"{tmp_path}/env-\ufffd", doc
    assert r.returncode == 0, r


def all_interpreters():
    found = [pyenv_python(m) for m in range(6, 20)]
    found = [p for p in found if p] + [SYSTEM_PYTHON]
    if os.path.exists("/usr/bin/pypy3"):
        found.append(Path("/usr/bin/pypy3"))
    return found


@pytest.mark.parametrize("python", all_interpreters(), ids=str)
def test_fresh_venv_of_every_interpreter_is_healthy(python, tmp_path):
    venv = real_venv(python, tmp_path / "env")
    r, doc = check_json(venv)
    assert r.code == 0 and doc["healthy"] is True, r
    [base] = findings(doc, "base", "ok")
    assert " is Python 3." in base["message"], base


def script_launcher_venv(tmp_path):
    """A venvshim venv whose bin/hello `venvshim relocate` made a script launcher."""
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    script = venv / "bin" / "hello"
    script.write_text(f"#!{venv}/bin/python\nprint('hello')\n")
    script.chmod(0o755)
    r = run([CLI, "relocate", str(venv)], extra_env={"VENVSHIM_LAUNCHER": str(LAUNCHER)})
    assert r.code == 0, r
    assert script.read_bytes()[:4] == b"\x7fELF", "relocate did not make a script launcher"
    return venv, script


def test_script_launcher_is_checked_through_its_payload(tmp_path):
    venv, script = script_launcher_venv(tmp_path)
    r, doc = check_json(venv)
    assert r.code == 0 and doc["healthy"] is True, r
    [ok] = [f for f in findings(doc, "script", "ok") if f["path"] == str(script)]
    assert "script launcher" in ok["message"] and f"as {venv}/bin/python" in ok["message"], ok


def test_script_launcher_with_a_damaged_payload_is_a_problem(tmp_path):
    venv, script = script_launcher_venv(tmp_path)
    data = script.read_bytes()
    script.write_bytes(data[:-30])  # the zip's end record is gone
    ran = subprocess.run([str(script)], capture_output=True)
    assert ran.returncode == 105, ran  # what the launcher itself says
    r, doc = check_json(venv)
    assert r.code == 1 and doc["healthy"] is False, r
    [bad] = [f for f in findings(doc, "script", "problem") if f["path"] == str(script)]
    assert "exit 105" in bad["message"] and "zip" in bad["message"], bad


def test_base_of_another_xy_names_upgrade_as_one_command(tmp_path):
    """The base answers another X.Y than pyvenv.cfg's (no evidence stopped
    the launcher): check names venvshim upgrade, every path one shell word."""
    new = pyenv_python(12)
    if SYSTEM_VERSION == "3.12" or not new:
        pytest.skip(f"needs pyenv 3.12 and a system Python of another X.Y ({SYSTEM_PYTHON})")
    base = tmp_path / "b"
    base.mkdir()
    shutil.copy2(new, base / f"python{SYSTEM_VERSION}")  # the name of the venv's X.Y
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "it's a venv")
    cfg = venv / "pyvenv.cfg"
    cfg.write_text("".join(f"home = {base}\n" if l.startswith("home") else l
                           for l in cfg.read_text().splitlines(True)
                           if not l.startswith("executable")))
    r, doc = check_json(venv)
    bad = [f for f in findings(doc, "base", "problem") if "fix" in f]
    assert r.code == 1 and len(bad) == 1, r
    assert "is Python 3.12" in bad[0]["message"] and bad[0]["message"].endswith(bad[0]["fix"]), bad
    assert shlex.split(bad[0]["fix"]) == ["venvshim", "upgrade", str(venv), "--python",
                                          str(base / f"python{SYSTEM_VERSION}")], bad
