"""`venvshim check` against a venv built by an attacker, or left broken by a
killed venvshim run: a base interpreter that never answers, FIFOs and devices
where files should be, leftover temporary files, more interpreter names than
install handles, set-user-ID bits, files other users may write, and names
and paths that carry terminal escapes or shell syntax.

Every run of check is wrapped in `timeout -s KILL`: a regression that hangs
fails here (exit 137) instead of hanging the suite. Stand-in base interpreters
are shell scripts named python3.X in a fake home (conftest.make_fake_home)."""

import json
import os
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import make_fake_home, make_fake_venv
from hardening_support import CLI, LAUNCHER, SYSTEM_PYTHON, SYSTEM_VERSION, real_venv

pytestmark = pytest.mark.skipif(not CLI.is_file(), reason=f"no venvshim CLI at {CLI}")

HARD_LIMIT = 25  # seconds before `timeout` kills check: it hangs
QUICK = 3.0      # a check whose base misbehaves right away (check's own limit is 5 s)
BOUNDED = 9.0    # a check that had to wait for its limit on the base
IS_ROOT = os.geteuid() == 0
NOBODY = 65534


def check(venv, *args, json_out=True, limit=HARD_LIMIT, stdin=subprocess.DEVNULL):
    argv = ["timeout", "-s", "KILL", str(limit), CLI, "check", venv, *args]
    if json_out:
        argv.append("--json")
    start = time.monotonic()
    proc = subprocess.run([str(a) for a in argv], capture_output=True, stdin=stdin,
                          timeout=limit + 15,
                          env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)))
    proc.elapsed = time.monotonic() - start
    assert proc.returncode not in (124, 137), f"check hung and was killed after {limit}s: {proc!r}"
    proc.text = proc.stdout.decode("utf-8", "replace")
    proc.doc = json.loads(proc.stdout) if json_out else None
    return proc


def findings(doc, name=None, status=None):
    return [f for f in doc["findings"]
            if (name is None or f["check"] == name) and (status is None or f["status"] == status)]


def problems(doc, name=None):
    return findings(doc, name, "problem")


def alive(pid):
    """A running (not zombie) process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def kill_if_sleeping(pid):
    """Clean up a stand-in's `sleep` that escaped check (by pid, checked to be ours)."""
    try:
        if alive(pid) and b"sleep" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, 9)
    except (FileNotFoundError, ProcessLookupError):
        pass


def fake_base_venv(tmp_path, body, version="3.12"):
    """tmp/env: the launcher as bin/python, pyvenv.cfg home = tmp/home, whose
    only interpreter python<version> is the shell script body."""
    home = make_fake_home(tmp_path / "home", names=[f"python{version}"],
                          content=b"#!/bin/sh\n" + body.encode())
    venv = tmp_path / "env"
    make_fake_venv(venv, f"home = {home}\nversion = {version}.1\n".encode())
    return venv, home


# ------------------------------------------------------------ base interpreter

def test_reference_a_stand_in_that_answers_is_healthy(tmp_path):
    """The layout of the tests below is sound: a quick, honest stand-in passes."""
    venv, _ = fake_base_venv(tmp_path, "echo 3.12.1\n")
    r = check(venv)
    assert r.returncode == 0 and r.doc["healthy"], r
    assert r.elapsed < QUICK, r.elapsed
    [ok] = findings(r.doc, "base", "ok")
    assert "is Python 3.12.1" in ok["message"], ok


def test_base_whose_child_keeps_stdout_open(tmp_path):
    """The base answers and exits, but a child it started holds the pipe: check
    must not wait for that child (60 s), and must kill it."""
    pidfile = tmp_path / "child.pid"
    venv, _ = fake_base_venv(
        tmp_path, f"sleep 60 </dev/null 2>/dev/null &\necho $! > {pidfile}\necho 3.12.1\n")
    try:
        r = check(venv)
        assert r.elapsed < QUICK, f"check waited {r.elapsed:.1f}s for the base's child: {r!r}"
        assert r.returncode == 1, r
        [bad] = problems(r.doc, "base")
        assert "left a process" in bad["message"], bad
        child = int(pidfile.read_text())
        deadline = time.monotonic() + 2
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child), "check left the base's child running"
    finally:
        if pidfile.exists():
            kill_if_sleeping(int(pidfile.read_text()))


def test_base_that_ignores_sigalrm_and_sleeps(tmp_path):
    """A base immune to alarm(2) is still stopped at check's time limit."""
    pidfile = tmp_path / "base.pid"
    venv, _ = fake_base_venv(tmp_path, f"trap '' ALRM\necho $$ > {pidfile}\nexec sleep 60\n")
    try:
        r = check(venv)
        assert r.elapsed < BOUNDED, f"check took {r.elapsed:.1f}s: {r!r}"
        assert r.returncode == 1, r
        [bad] = problems(r.doc, "base")
        assert "did not answer within" in bad["message"], bad
        assert not alive(int(pidfile.read_text())), "check left the base running"
    finally:
        if pidfile.exists():
            kill_if_sleeping(int(pidfile.read_text()))


def test_base_that_closes_stdout_and_hangs(tmp_path):
    """End of output is not the end of the process: still bounded."""
    venv, _ = fake_base_venv(tmp_path, "trap '' ALRM\nexec >&- sleep 60\n")
    r = check(venv)
    assert r.elapsed < BOUNDED, f"check took {r.elapsed:.1f}s: {r!r}"
    assert r.returncode == 1, r
    [bad] = problems(r.doc, "base")
    assert "did not answer within" in bad["message"], bad


def test_base_that_escapes_into_its_own_session(tmp_path):
    """A child that setsid()s leaves check's process group: check cannot kill
    it, but must not wait for it either."""
    pidfile = tmp_path / "child.pid"
    venv, _ = fake_base_venv(
        tmp_path,
        f"setsid sleep 60 </dev/null 2>/dev/null &\necho $! > {pidfile}\necho 3.12.1\n")
    try:
        r = check(venv)
        assert r.elapsed < QUICK, f"check took {r.elapsed:.1f}s: {r!r}"
        assert r.returncode == 1 and "left a process" in problems(r.doc, "base")[0]["message"], r
    finally:
        if pidfile.exists():
            kill_if_sleeping(int(pidfile.read_text()))


def test_base_that_floods_its_output(tmp_path):
    """Output is capped; a base that ignores SIGPIPE and keeps writing is stopped."""
    venv, _ = fake_base_venv(tmp_path, "trap '' PIPE ALRM\n"
                                       "while :; do echo 3.12.1; done 2>/dev/null\n")
    r = check(venv)
    assert r.elapsed < BOUNDED, f"check took {r.elapsed:.1f}s: {r!r}"
    assert r.returncode == 1 and problems(r.doc, "base"), r


def test_base_cannot_read_checks_stdin(tmp_path):
    """The base gets /dev/null as stdin: a prompt cannot stall check (or read
    the user's terminal)."""
    venv, _ = fake_base_venv(tmp_path, "read answer\necho 3.12.1\n")
    rfd, wfd = os.pipe()  # stays open and empty while check runs
    try:
        r = check(venv, stdin=rfd)
    finally:
        os.close(rfd)
        os.close(wfd)
    assert r.elapsed < QUICK, f"check took {r.elapsed:.1f}s: {r!r}"
    assert r.returncode == 0, r


def test_base_cannot_write_to_checks_terminal(tmp_path):
    """The base's stderr goes nowhere: no escape sequences on the user's terminal."""
    venv, _ = fake_base_venv(tmp_path, "printf '\\033]0;owned\\007INJECTED' >&2\necho 3.12.1\n")
    r = check(venv, json_out=False)
    assert r.returncode == 0, r
    assert b"INJECTED" not in r.stderr and b"\033" not in r.stderr + r.stdout, r


def test_interrupted_check_takes_its_base_along(tmp_path):
    """^C reaches check's process group, not the base's: check itself must
    end the base before it dies of the signal."""
    import signal
    pidfile = tmp_path / "base.pid"
    venv, _ = fake_base_venv(tmp_path, f"trap '' ALRM\necho $$ > {pidfile}\nexec sleep 60\n")
    proc = subprocess.Popen([str(CLI), "check", str(venv)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)))
    try:
        deadline = time.monotonic() + 3
        while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.02)
        base = int(pidfile.read_text())
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == -signal.SIGINT
        time.sleep(0.1)
        assert not alive(base), "check died but left its base running"
    finally:
        proc.kill()
        proc.wait()
        if pidfile.exists():
            kill_if_sleeping(int(pidfile.read_text()))
