"""4. Launcher errors: the documented exit code, at most two stderr lines all
starting "venvshim: ", naming the pyvenv.cfg or home at fault, no death by
signal, in well under a second; and the PYLAUNCHER_DRYRUN / PYLAUNCHER_DEBUG
switches."""

import os
import shlex
import subprocess
import time

import pytest

from conftest import clean_env, describe, make_fake_home, make_fake_venv, read_cfg, run

EXEC_FAILED, NO_BASE, NO_CFG, BAD_CFG = 101, 103, 106, 107

ERROR_LOCATIONS = {
    "plain": "case",
    "spaces": "dir with spaces/my venv",
    "non-utf8": os.fsdecode(b"bad\xff/venv"),
}


def cfg_text(home):
    return b"home = " + os.fsencode(home) + b"\ninclude-system-site-packages = false\nversion = 3.12.1\n"


# Each builder gets the venv root (not yet created) and returns
# (launcher path, the path the message must name).

def no_cfg(root):
    exe = make_fake_venv(root, None)
    return exe, exe.parent


def cfg_without_home(root):
    exe = make_fake_venv(root, b"include-system-site-packages = false\nversion = 3.12.1\n")
    return exe, root / "pyvenv.cfg"


def empty_home(root):
    exe = make_fake_venv(root, b"home = \nversion = 3.12.1\n")
    return exe, root / "pyvenv.cfg"


def relative_home_without_stdlib(root):
    # resolved against pyvenv.cfg's directory (PEP 796), but no lib/python3.12/os.py
    # there: the launcher never lets Python look further (test_relocatable.py)
    make_fake_home(root.parent / "base" / "bin")
    exe = make_fake_venv(root, b"home = ../base/bin\nversion = 3.12.1\n")
    return exe, root / "pyvenv.cfg"


def cfg_40_kib(root):
    home = make_fake_home(root.parent / "base" / "bin")
    exe = make_fake_venv(root, cfg_text(home) + b"padding = " + b"x" * (40 * 1024) + b"\n")
    return exe, root / "pyvenv.cfg"


def cfg_is_a_directory(root):
    exe = make_fake_venv(root, None)
    (root / "pyvenv.cfg").mkdir()
    return exe, root / "pyvenv.cfg"


def cfg_with_nul_bytes(root):
    home = make_fake_home(root.parent / "base" / "bin")
    exe = make_fake_venv(root, cfg_text(home) + b"prompt = a\0b\n")
    return exe, root / "pyvenv.cfg"


def home_missing(root):
    home = root.parent / "moved-away" / "bin"
    exe = make_fake_venv(root, cfg_text(home))
    return exe, home


def home_is_a_file(root):
    home = make_fake_home(root.parent / "base") / "python3"
    exe = make_fake_venv(root, cfg_text(home))
    return exe, home


def home_without_interpreter(root):
    home = root.parent / "empty-base" / "bin"
    home.mkdir(parents=True)
    (home / "pip").write_bytes(b"#!/bin/sh\n")
    exe = make_fake_venv(root, cfg_text(home))
    return exe, home


def home_is_own_bin(root):
    exe = make_fake_venv(root, cfg_text(root / "bin"))
    return exe, root / "bin"


def two_venvs_pointing_at_each_other(root):
    other = root.parent / "other venv"
    exe = make_fake_venv(root, cfg_text(other / "bin"))
    make_fake_venv(other, cfg_text(root / "bin"))
    return exe, root / "pyvenv.cfg"


def base_not_executable(root):
    home = make_fake_home(root.parent / "base" / "bin", ("python", "python3", "python3.12"),
                          mode=0o644)
    exe = make_fake_venv(root, cfg_text(home))
    return exe, home


def base_cannot_be_executed(root):
    # executable bits, but neither ELF nor #!: execve fails with ENOEXEC
    home = make_fake_home(root.parent / "base" / "bin", ("python3.12",),
                          content=b"\x00\x01 not a program\n")
    exe = make_fake_venv(root, cfg_text(home))
    return exe, home


ERROR_CASES = [
    (no_cfg, NO_CFG),
    (cfg_without_home, BAD_CFG),
    (empty_home, BAD_CFG),
    (relative_home_without_stdlib, NO_BASE),
    (cfg_40_kib, BAD_CFG),
    (cfg_is_a_directory, BAD_CFG),
    (cfg_with_nul_bytes, BAD_CFG),
    (home_missing, NO_BASE),
    (home_is_a_file, NO_BASE),
    (home_without_interpreter, NO_BASE),
    (home_is_own_bin, NO_BASE),
    (two_venvs_pointing_at_each_other, NO_BASE),
    (base_not_executable, NO_BASE),
    (base_cannot_be_executed, EXEC_FAILED),
]


@pytest.mark.parametrize("location", list(ERROR_LOCATIONS))
@pytest.mark.parametrize("build,code", [pytest.param(b, c, id=b.__name__) for b, c in ERROR_CASES])
def test_launcher_error(build, code, location, tmp_path):
    root = tmp_path / ERROR_LOCATIONS[location]
    root.parent.mkdir(parents=True, exist_ok=True)
    exe, named = build(root)
    start = time.monotonic()
    r = run([exe, "-c", "print('python ran')"], timeout=10)
    elapsed = time.monotonic() - start
    assert r.returncode == code, describe(r)  # also: not negative, no death by signal
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert r.stdout == b"", describe(r)  # neither Python nor the stand-in base ran
    lines = r.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and r.stderr.endswith(b"\n"), describe(r)
    assert all(line.startswith(b"venvshim: ") for line in lines), describe(r)
    assert os.fsencode(named) in lines[0], f"first line does not name {named}: {describe(r)}"


def test_recreate_hint_is_a_command_that_works_with_spaces(tmp_path):
    # "venvshim: to keep its packages with another installed Python 3.12:
    # venvshim rebase DIR" must survive copy and paste into a shell when DIR
    # has spaces, and never be a command that deletes the venv's packages
    root = tmp_path / "dir with spaces" / "my venv"
    root.parent.mkdir()
    exe, _ = home_missing(root)
    r = run([exe])
    assert r.returncode == NO_BASE, describe(r)
    hint = r.stderr.decode().split(": venvshim rebase ", 1)
    assert len(hint) == 2 and "--clear" not in hint[1], describe(r)
    assert shlex.split(hint[1]) == [str(root)], f"not one shell word: {hint[1]!r}"


def test_out_of_file_descriptors_is_not_called_a_permissions_problem(tmp_path):
    """With no descriptor left (ulimit -n 3: only 0-2), pyvenv.cfg cannot be
    opened (EMFILE): the message says so, not "fix its permissions"."""
    import resource
    home = make_fake_home(tmp_path / "base" / "bin")
    exe = make_fake_venv(tmp_path / "venv", cfg_text(home))

    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (3, 3))

    r = subprocess.run([exe, "-c", "pass"], env=clean_env(), capture_output=True, timeout=10,
                       preexec_fn=few_descriptors)
    if b"error while loading shared libraries" in r.stderr:
        pytest.skip("a dynamically linked launcher (a sanitizer build): its loader needs "
                    "descriptors before the launcher runs; the shipped static one does not")
    assert r.returncode == BAD_CFG, describe(r)  # pyvenv.cfg could not be read
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and all(l.startswith(b"venvshim: ") for l in lines), describe(r)
    assert b"permission" not in r.stderr.lower() and b"recreate" not in r.stderr, describe(r)
    assert b"too many files open" in lines[1] and b"ulimit -n" in lines[1], describe(r)


def test_error_locations_really_are_unusual():
    assert b" " in os.fsencode(ERROR_LOCATIONS["spaces"])
    with pytest.raises(UnicodeDecodeError):
        os.fsencode(ERROR_LOCATIONS["non-utf8"]).decode("utf-8")


# ------------------------------------------------------- DRYRUN and DEBUG

@pytest.fixture(scope="module")
def rec(venvs, primary):
    return venvs.converted(primary)


def test_dryrun_prints_the_plan_without_running_python(rec, tmp_path):
    marker = tmp_path / "python-ran"
    py = rec.exe("python")
    r = run([py, "-c", f"open({str(marker)!r}, 'w').close()", "second arg"],
            env=clean_env(PYLAUNCHER_DRYRUN="1"))
    assert r.returncode == 0, describe(r)
    assert not marker.exists(), "PYLAUNCHER_DRYRUN=1 ran Python"
    lines = [line.split(": ", 1) for line in r.stdout.decode().splitlines()]
    plan = dict(kv for kv in lines if kv[0] != "environment")
    env = [v for k, v in lines if k == "environment"]
    recorded = read_cfg(rec.venv / "pyvenv.cfg")["executable"]
    assert plan["executable"] == recorded, plan
    assert os.path.realpath(plan["executable"]) == os.path.realpath(rec.interp.path)
    # CPython 3.11+: the base as argv[0], the venv in __PYVENV_LAUNCHER__ (plan.c)
    assert plan["argv[0]"] == plan["executable"]
    assert env == [f"set __PYVENV_LAUNCHER__={py}"], env
    assert plan["pyvenv.cfg"] == str(rec.venv / "pyvenv.cfg")
    assert plan["argv[1]"] == "-c" and plan["argv[3]"] == "second arg"


def test_debug_traces_to_stderr_and_still_runs(rec):
    py = rec.exe("python")
    r = run([py, "-c", "import sys; print(sys.prefix); sys.exit(7)"],
            env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert r.returncode == 7, describe(r)
    assert r.stdout == os.fsencode(rec.venv) + b"\n"
    lines = r.stderr.splitlines()
    assert len(lines) >= 2 and all(line.startswith(b"venvshim: ") for line in lines), describe(r)
    base = read_cfg(rec.venv / "pyvenv.cfg")["executable"].encode()
    assert any(base in line for line in lines), f"the trace does not name {base}: {describe(r)}"


def test_without_switches_the_launcher_is_silent(rec):
    r = run([rec.exe("python"), "-c", "pass"])
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
