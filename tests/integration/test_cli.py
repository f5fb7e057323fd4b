"""5. The venvshim command-line tool: install and create."""

import os
import re

import pytest

from conftest import (CLI, bin_names, create_plain_venv, describe, is_launcher_link, probe,
                      read_cfg, run, semantic_diff)


def bin_contents(venv):
    return {n: (venv / "bin" / n).read_bytes() for n in bin_names(venv)}


def test_install_is_idempotent(primary, tmp_path, launcher_bytes):
    venv = create_plain_venv(primary, tmp_path / "venv")
    oracle = probe([venv / "bin" / "python"])
    first = run([CLI, "install", venv])
    assert first.returncode == 0, describe(first)
    cfg_after_first = (venv / "pyvenv.cfg").read_bytes()
    bin_after_first = bin_contents(venv)
    second = run([CLI, "install", venv])
    assert second.returncode == 0, describe(second)
    assert (venv / "pyvenv.cfg").read_bytes() == cfg_after_first
    assert cfg_after_first.count(b"\nexecutable = ") == 1, cfg_after_first
    assert bin_contents(venv) == bin_after_first
    assert len(set(bin_after_first.values())) == 1, bin_after_first.keys()
    assert launcher_bytes == next(iter(bin_after_first.values()))
    # no leftovers: only the launcher file and the base's record
    assert sorted(n for n in os.listdir(venv / "bin") if "venvshim" in n) == \
        [".venvshim-base", ".venvshim-launcher"]
    report = probe([venv / "bin" / "python"])
    assert not semantic_diff(report, oracle)
    assert report["executable"] == os.fsencode(venv / "bin" / "python")


@pytest.mark.parametrize("what", ["empty-dir", "missing-dir", "cfg-without-bin"])
def test_install_refuses_a_non_venv(tmp_path, what):
    target = tmp_path / "target"
    if what != "missing-dir":
        target.mkdir()
    if what == "cfg-without-bin":
        (target / "pyvenv.cfg").write_text("home = /usr/bin\n")
    before = sorted(os.listdir(target)) if target.exists() else None
    r = run([CLI, "install", target])
    assert r.returncode == 1, describe(r)
    assert r.stderr.startswith(b"venvshim: ") and os.fsencode(target) in r.stderr, describe(r)
    assert (sorted(os.listdir(target)) if target.exists() else None) == before


def test_install_refuses_a_venv_whose_base_is_gone(primary, tmp_path):
    venv = create_plain_venv(primary, tmp_path / "venv")
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(re.sub(r"(?m)^home = .*$", f"home = {tmp_path}/gone/bin",
                          cfg.read_text()).replace("executable = ", "x-executable = "))
    before = cfg.read_bytes()
    r = run([CLI, "install", venv])
    assert r.returncode == 1, describe(r)
    assert r.stderr.startswith(b"venvshim: "), describe(r)
    assert cfg.read_bytes() == before, "install refused but changed pyvenv.cfg"
    assert os.path.islink(venv / "bin" / "python"), "install refused but changed bin/python"


@pytest.mark.parametrize("argv", [[], ["bogus"], ["install"], ["install", "a", "b"],
                                  ["create"], ["create", "d", "--bogus-option"]],
                         ids=["no-command", "bogus", "install-without-dir", "install-two-dirs",
                              "create-without-dir", "create-bad-option"])
def test_usage_errors_exit_2(argv, tmp_path):
    r = run([CLI, *argv], cwd=tmp_path)
    assert r.returncode == 2, describe(r)
    assert r.stderr.startswith(b"venvshim: "), describe(r)
    assert os.listdir(tmp_path) == []


def test_version():
    r = run([CLI, "--version"])
    assert r.returncode == 0, describe(r)
    assert re.fullmatch(rb"venvshim \d+\.\d+\.\d+\S*\n", r.stdout), r.stdout


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(flag):
    r = run([CLI, flag])
    assert r.returncode == 0, describe(r)
    assert r.stdout.startswith(b"usage: venvshim"), r.stdout
    for word in (b"create", b"install", b"--python", b"--system-site-packages", b"--prompt",
                 b"--clear", b"--without-pip"):
        assert word in r.stdout, word


def test_create_with_python_makes_a_working_venvshim_venv(interp, tmp_path, launcher_bytes):
    venv = tmp_path / "venv"
    r = run([CLI, "create", venv, "--python", interp.path, "--without-pip"], timeout=120)
    assert r.returncode == 0, describe(r)
    names = bin_names(venv)
    assert "python" in names, names
    for name in names:
        exe = venv / "bin" / name
        assert is_launcher_link(exe) and exe.read_bytes() == launcher_bytes, exe
        report = probe([exe])
        assert report["executable"] == os.fsencode(exe)
        assert report["prefix"] == os.fsencode(venv)
        assert report["base_prefix"] != os.fsencode(venv)
        assert any(p.startswith(os.fsencode(venv) + b"/") for p in report["sitepackages"])
    cfg = read_cfg(venv / "pyvenv.cfg")
    assert os.path.realpath(cfg["executable"]) == os.path.realpath(interp.path), cfg


def test_create_system_site_packages(primary, tmp_path):
    venv = tmp_path / "venv"
    r = run([CLI, "create", venv, "--python", primary.path, "--without-pip",
             "--system-site-packages"], timeout=120)
    assert r.returncode == 0, describe(r)
    assert read_cfg(venv / "pyvenv.cfg")["include-system-site-packages"] == "true"
    oracle = create_plain_venv(primary, tmp_path / "oracle", system_site=True)
    expected = probe([oracle / "bin" / "python"])
    got = probe([venv / "bin" / "python"])
    base_paths = [p for p in expected["path"] if not p.startswith(os.fsencode(oracle))]
    assert [p for p in got["path"] if not p.startswith(os.fsencode(venv))] == base_paths
    assert any(b"-packages" in p for p in base_paths), expected["path"]


def test_create_prompt(primary, tmp_path):
    venv = tmp_path / "venv"
    r = run([CLI, "create", venv, "--python", primary.path, "--without-pip",
             "--prompt", "my project"], timeout=120)
    assert r.returncode == 0, describe(r)
    assert read_cfg(venv / "pyvenv.cfg")["prompt"] in ("my project", "'my project'")
    assert probe([venv / "bin" / "python"])["prefix"] == os.fsencode(venv)


def test_create_clear(primary, tmp_path):
    venv = tmp_path / "venv"
    argv = [CLI, "create", venv, "--python", primary.path, "--without-pip"]
    assert run(argv, timeout=120).returncode == 0
    (venv / "lib" / "leftover.txt").write_text("x")
    (venv / "bin" / "python").unlink()
    r = run([*argv, "--clear"], timeout=120)
    assert r.returncode == 0, describe(r)
    assert not (venv / "lib" / "leftover.txt").exists()
    assert is_launcher_link(venv / "bin" / "python")
    assert probe([venv / "bin" / "python"])["prefix"] == os.fsencode(venv)


def test_create_fails_cleanly_with_a_missing_python(tmp_path):
    missing = tmp_path / "no-such-python"
    r = run([CLI, "create", tmp_path / "venv", "--python", missing, "--without-pip"])
    assert r.returncode == 1, describe(r)
    assert r.stderr.startswith(b"venvshim: ") and os.fsencode(missing) in r.stderr, describe(r)
    assert not (tmp_path / "venv").exists()
