"""1. Venv semantics: a venv converted by `venvshim install` reports exactly what
the same venv reported with CPython's / PyPy's own symlinks."""

import json
import os

import pytest

from conftest import (clean_env, create_plain_venv, describe, is_launcher_link, read_cfg, run,
                      semantic_diff, venvshim_install)

SYSTEM_SITE = [pytest.param(False, id="isolated"), pytest.param(True, id="system-site")]


def expected_names(rec):
    names = {"python", "python3", f"python{rec.version}"}
    return names | ({"pypy3"} if rec.interp.kind == "pypy" else set())


@pytest.mark.parametrize("system_site", SYSTEM_SITE)
def test_converted_venv_reports_what_the_symlink_venv_reported(venvs, interp, system_site):
    rec = venvs.converted(interp, system_site=system_site)
    assert expected_names(rec) <= set(rec.names), rec.names
    venv = os.fsencode(rec.venv)
    for name in rec.names:
        before, after = rec.before[name], rec.after[name]
        # the oracle really is a venv of this interpreter
        assert before["prefix"] == venv and before["base_prefix"] != venv, (name, before)
        diff = semantic_diff(after, before)
        assert not diff, f"bin/{name}: (symlink venv, venvshim venv) differ: {diff}"
        assert (after["version"], after["implementation"]) == \
            (before["version"], before["implementation"]), name


@pytest.mark.parametrize("system_site", SYSTEM_SITE)
def test_system_site_packages_flag_is_honoured(venvs, interp, system_site):
    rec = venvs.converted(interp, system_site=system_site)
    after = rec.after["python"]
    venv = os.fsencode(rec.venv)
    outside = [p for p in after["path"] if p and not p.startswith(venv + b"/")
               and "-packages" in os.fsdecode(p)]
    if system_site:
        assert outside, f"no base site-packages on sys.path: {after['path']}"
    else:
        assert not outside, f"base site-packages on sys.path of an isolated venv: {outside}"
    assert any(p.startswith(venv + b"/") for p in after["sitepackages"]), after["sitepackages"]


@pytest.mark.parametrize("system_site", SYSTEM_SITE)
def test_sys_executable_is_the_venv_path_invoked(venvs, interp, system_site):
    rec = venvs.converted(interp, system_site=system_site)
    for name in rec.names:
        assert rec.after[name]["executable"] == os.fsencode(rec.exe(name)), name
        assert rec.after[name]["prefix"] == os.fsencode(rec.venv), name


def test_bin_entries_are_links_to_the_one_launcher_file(venvs, interp, launcher_bytes):
    rec = venvs.converted(interp)
    for name in rec.names:
        exe = rec.exe(name)
        assert is_launcher_link(exe), f"{exe} is not a symlink to bin/.venvshim-launcher"
        assert os.access(exe, os.X_OK), f"{exe} is not executable"
        assert exe.read_bytes() == launcher_bytes, f"{exe} is not the launcher"


def test_pyvenv_cfg_records_the_real_base_executable(venvs, interp):
    rec = venvs.converted(interp)
    cfg = read_cfg(rec.venv / "pyvenv.cfg")
    assert "executable" in cfg, cfg
    exe = cfg["executable"]
    assert os.path.isabs(exe) and os.path.isfile(exe) and os.access(exe, os.X_OK), exe
    # the very interpreter the venv was made with (not e.g. /usr/bin/python3.9 for PyPy)
    assert os.path.realpath(exe) == os.path.realpath(interp.path), exe


IDENTITY = ("import json, os, sys; json.dump([os.fsencode(p).hex() if p else p for p in "
            "[sys.executable, getattr(sys, '_base_executable', None), sys.prefix, "
            "sys.base_prefix] + sys.path], sys.stdout)")


@pytest.mark.parametrize("var", ["PYTHONHOME", "PYTHONEXECUTABLE"])
def test_pythonhome_and_pythonexecutable_act_as_in_the_symlink_venv(interp, var, tmp_path):
    """The launcher leaves both variables alone: sys.executable, the prefixes and
    sys.path follow them as in CPython's own venv. sys._base_executable (item 1)
    too, except that CPython 3.11+ then reports the venv's own python there
    (its getpath does not follow the venv's symlink), venvshim the real base."""
    venv = create_plain_venv(interp, tmp_path / "venv")
    py = venv / "bin" / "python"

    def identity(env):
        r = run([py, "-c", IDENTITY], env=env)
        assert r.returncode == 0, describe(r)
        return json.loads(r.stdout)

    base_prefix = bytes.fromhex(identity(clean_env())[3])
    value = os.fsdecode(base_prefix) if var == "PYTHONHOME" else str(tmp_path / "elsewhere" / "py")
    env = clean_env(**{var: value})
    before = identity(env)
    venvshim_install(venv)
    after, unset = identity(env), identity(clean_env())
    if after[1] != before[1]:
        assert bytes.fromhex(before[1]) == os.fsencode(py), (var, before)
        assert after[1] == unset[1], f"{var}: _base_executable is not the base: {after}"
        before[1] = after[1]
    assert after == before, f"{var}={value}: the venvshim venv differs from the symlink venv"
