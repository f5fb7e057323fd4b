"""Output for people and for programs: --json (docs/json.md), --quiet, and
progress lines only when stderr is a terminal. Against real venvs of a real
interpreter."""
import json
import os
import pty
import subprocess

import pytest

from conftest import CLI, DEBIAN_PYTHON, clean_env, describe, run

PYTHON = DEBIAN_PYTHON if DEBIAN_PYTHON.exists() else None
pytestmark = pytest.mark.skipif(PYTHON is None, reason="needs /usr/bin/python3.11")

# console scripts whose #! names the venv's python, and one it cannot convert
SCRIPTS = {"tool-a": "import sys\nprint('a')\n", "tool-b": "print('b')\n"}


def cli_ok(*args):
    r = run([CLI, *map(str, args)])
    assert r.returncode == 0, describe(r)
    return r


def make_venv(path):
    subprocess.run([str(PYTHON), "-m", "venv", "--without-pip", str(path)], check=True,
                   env=clean_env())
    for name, body in SCRIPTS.items():
        p = path / "bin" / name
        p.write_text("#!{}\n{}".format(path / "bin" / "python", body))
        p.chmod(0o755)
    odd = path / "bin" / "odd"
    odd.write_text("#!/bin/sh\necho odd\n")
    odd.chmod(0o755)
    return path


def python_names(venv):
    return sorted(n for n in os.listdir(venv / "bin") if n.startswith("python"))


def test_install_json_lists_each_converted_name(tmp_path):
    venv = make_venv(tmp_path / "v")
    names = python_names(venv)
    d = json.loads(cli_ok("install", "--json", venv).stdout)
    assert d["command"] == "install" and d["ok"] is True
    assert d["venv"] == str(venv.resolve())
    assert sorted(d["converted"]) == names
    assert d["already_installed"] is False
    assert os.path.realpath(d["base"]) == os.path.realpath(PYTHON)
    again = json.loads(cli_ok("install", "--json", venv).stdout)
    assert again["already_installed"] is True and again["converted"] == []


def test_relocate_json_lists_converted_and_left_alone(tmp_path):
    venv = make_venv(tmp_path / "v")
    cli_ok("install", venv)
    d = json.loads(cli_ok("relocate", "--json", venv).stdout)
    assert d["command"] == "relocate" and d["ok"] is True
    assert sorted(d["converted"]) == sorted(SCRIPTS)
    left = {x["name"]: x["why"] for x in d["left_alone"]}
    assert "odd" in left and left["odd"]
    assert "activate" in d["location_independent"]
    assert d["marked_relocatable"] is True
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    # the converted ones are now launchers: a second run reports them so
    again = json.loads(cli_ok("relocate", "--json", venv).stdout)
    assert sorted(again["already"]) == sorted(SCRIPTS) and again["converted"] == []


def test_create_json_nests_install_and_relocate(tmp_path):
    venv = tmp_path / "made"
    d = json.loads(cli_ok("create", "--python", PYTHON, "--without-pip", "--relocatable",
                          "--json", venv).stdout)
    assert d["command"] == "create" and d["ok"] is True and d["relocatable"] is True
    assert sorted(d["install"]["converted"]) == python_names(venv)
    assert d["relocate"]["marked_relocatable"] is True


def test_json_on_failure_is_still_one_object(tmp_path):
    r = run([CLI, "relocate", "--json", tmp_path])  # no pyvenv.cfg
    assert r.returncode == 1
    assert json.loads(r.stdout)["ok"] is False
    assert b"venvshim: " in r.stderr


@pytest.mark.parametrize("argv", [["install"], ["relocate"], ["check"]])
def test_quiet_prints_nothing_on_success(tmp_path, argv):
    venv = make_venv(tmp_path / "v")
    if argv != ["install"]:
        cli_ok("install", venv)
    r = cli_ok(*argv, "--quiet", venv)
    assert r.stdout == b"" and r.stderr == b"", describe(r)


def test_create_quiet(tmp_path):
    r = cli_ok("create", "--python", PYTHON, "--without-pip", "--quiet", tmp_path / "q")
    assert r.stdout == b"" and r.stderr == b"", describe(r)


def run_on_pty(argv):
    """argv with stdout and stderr on a pseudo-terminal: what it printed."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(str(argv[0]), [str(a) for a in argv], clean_env())
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    return out


def test_progress_on_a_terminal_not_in_a_pipe(tmp_path):
    tty = run_on_pty([CLI, "create", "--python", PYTHON, "--without-pip", "--relocatable",
                      tmp_path / "t"])
    assert b"venvshim: create: running " in tty
    assert b"venvshim: relocate: reading " in tty
    piped = cli_ok("create", "--python", PYTHON, "--without-pip", "--relocatable", tmp_path / "p")
    assert b"venvshim: create:" not in piped.stdout + piped.stderr
    assert b"venvshim: relocate:" not in piped.stdout + piped.stderr
    assert piped.stderr == b"", describe(piped)


def test_no_progress_lines_with_json_even_on_a_terminal(tmp_path):
    """docs/json.md: progress lines are never printed with --json (the terminal
    that shows them without it, test_progress_on_a_terminal_not_in_a_pipe, gets none)."""
    tty = run_on_pty([CLI, "create", "--python", PYTHON, "--without-pip", "--relocatable",
                      "--json", tmp_path / "t"])
    assert b"venvshim: create:" not in tty and b"venvshim: relocate:" not in tty, tty
    assert json.loads(tty)["ok"] is True, tty
