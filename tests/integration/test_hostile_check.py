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
import shlex
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
    assert proc.returncode not in (124, 137, -9), f"check hung and was killed after {limit}s: {proc!r}"
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


def test_base_that_stops_itself(tmp_path):
    """A stopped process gets no SIGALRM until continued: only a kill at
    check's own limit ends it."""
    pidfile = tmp_path / "base.pid"
    venv, _ = fake_base_venv(tmp_path, f"echo $$ > {pidfile}\nkill -STOP $$\necho 3.12.1\n")
    try:
        r = check(venv)
        assert r.elapsed < BOUNDED, f"check took {r.elapsed:.1f}s: {r!r}"
        assert r.returncode == 1 and "did not answer" in problems(r.doc, "base")[0]["message"], r
        assert not alive(int(pidfile.read_text()))
    finally:
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text()), 9)
            except ProcessLookupError:
                pass


def test_base_daemon_that_let_go_of_stdout_is_killed(tmp_path):
    """A child that closed its stdout does not hold check up, but it was
    started by check's run: it goes with the group."""
    pidfile = tmp_path / "daemon.pid"
    venv, _ = fake_base_venv(
        tmp_path, f"sleep 60 >/dev/null 2>&1 </dev/null &\necho $! > {pidfile}\necho 3.12.1\n")
    try:
        r = check(venv)
        assert r.returncode == 0 and r.elapsed < QUICK, r
        daemon = int(pidfile.read_text())
        deadline = time.monotonic() + 2
        while alive(daemon) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(daemon), "check left a process of the base running"
    finally:
        if pidfile.exists():
            kill_if_sleeping(int(pidfile.read_text()))


def test_interrupted_check_takes_its_base_along(tmp_path):
    """^C reaches check's process group, not the base's: check itself must
    end the base before it dies of the signal."""
    import signal
    pidfile = tmp_path / "base.pid"
    venv, _ = fake_base_venv(tmp_path, f"trap '' ALRM\necho $$ > {pidfile}\nexec sleep 60\n")
    proc = subprocess.Popen([str(CLI), "check", str(venv)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)),
                            # ^C as a terminal sends it: a suite started with `&` from a
                            # script inherits SIGINT ignored, which check keeps (nohup's way)
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
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


# ------------------------------------------------- FIFOs, devices, odd files

def test_fifo_as_pyvenv_cfg_is_named_not_read(tmp_path):
    venv, _ = fake_base_venv(tmp_path, "echo 3.12.1\n")
    (venv / "pyvenv.cfg").unlink()
    os.mkfifo(venv / "pyvenv.cfg")
    r = check(venv)
    assert r.elapsed < QUICK and r.returncode == 1, r
    [bad] = problems(r.doc, "pyvenv.cfg")
    assert "is a FIFO" in bad["message"], bad


def test_pyvenv_cfg_swapped_for_a_fifo_while_checked(tmp_path):
    """Between check's look at pyvenv.cfg and its read, the name is swapped
    for a FIFO (rename is atomic; anyone who can write the venv can do it).
    Each run must end: the file is opened without blocking and re-checked."""
    venv, _ = fake_base_venv(tmp_path, "echo 3.12.1\n")
    cfg = venv / "pyvenv.cfg"
    good, fifo = tmp_path / "good.cfg", tmp_path / "fifo.cfg"
    stop = threading.Event()

    def swap():
        text = cfg.read_bytes()
        while not stop.is_set():
            good.write_bytes(text)
            os.replace(good, cfg)
            os.mkfifo(fifo)
            os.replace(fifo, cfg)

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        for _ in range(40):
            r = check(venv, limit=10)  # hangs: exit 137, the assertion in check()
    finally:
        stop.set()
        swapper.join()


def test_fifos_and_devices_in_bin_are_problems(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    elsewhere = tmp_path / "fifo"
    os.mkfifo(elsewhere)
    os.mkfifo(venv / "bin" / "tool")
    os.symlink(elsewhere, venv / "bin" / "tool-link")
    os.symlink("/dev/zero", venv / "bin" / "zero")
    r = check(venv)
    assert r.elapsed < QUICK and r.returncode == 1, r
    bad = {Path(f["path"]).name: f["message"] for f in problems(r.doc, "bin")}
    assert "is a FIFO" in bad["tool"], bad
    assert "a FIFO" in bad["tool-link"] and str(elsewhere) in bad["tool-link"], bad
    assert "a character device" in bad["zero"], bad


# ---------------------------------------------- leftovers of a killed run

def dead_pid():
    """The pid of a process that has exited (and was reaped)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_leftover_temporary_files_are_problems_and_fix_removes_them(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    bindir, pid = venv / "bin", dead_pid()
    made = [bindir / f".python3.venvshim-{pid}.tmp",         # install's link of a launcher
            bindir / f".venvshim-launcher-{pid}.tmp",         # install's staged launcher
            bindir / f"hello.venvshim-{pid}.tmp",             # write_file_atomic's
            venv / f"pyvenv.cfg.venvshim-{pid}.tmp",
            # the staged writes' names: no pid, eight hex digits
            bindir / ".python3.venvshim-0badcafe",
            venv / ".pyvenv.cfg.venvshim-00c0ffee"]
    an_hour_ago = time.time() - 3600
    for p in made:
        p.write_bytes(LAUNCHER.read_bytes() if "python" in p.name else b"#!/bin/sh\n")
        p.chmod(0o755)
        os.utime(p, (an_hour_ago, an_hour_ago))
    keep_dir = bindir / f".odd.venvshim-{pid}.tmp"  # named so, but a directory
    keep_dir.mkdir()
    keep_file = bindir / "notes.tmp"                 # not a venvshim name
    keep_file.write_text("mine\n")
    not_ours = [bindir / "x.venvshim-12ab.tmp", bindir / ".x.venvshim-0badcafe1",
                bindir / ".x.venvshim-0BADCAFE", bindir / ".venvshim-launcher-x.tmp"]
    for p in not_ours:
        p.write_text("not venvshim's\n")
        os.utime(p, (an_hour_ago, an_hour_ago))
    target = tmp_path / "precious"
    target.write_text("precious\n")
    keep_link = bindir / f"link.venvshim-{pid}.tmp"  # named so, but a symlink
    os.symlink(target, keep_link)

    r = check(venv)
    assert r.returncode == 1, r
    found = {Path(f["path"]).name for f in problems(r.doc, "leftover")}
    assert found == {p.name for p in made} | {keep_dir.name, keep_link.name}, r.doc

    r = check(venv, "--fix")
    assert [p for p in made if os.path.lexists(p)] == [], r.doc
    assert keep_dir.is_dir() and keep_file.exists() and os.path.islink(keep_link), r.doc
    assert all(p.exists() for p in not_ours), r.doc
    assert target.read_text() == "precious\n"
    fixed = {Path(f["path"]).name for f in findings(r.doc, "leftover", "fixed")}
    assert fixed == {p.name for p in made}, r.doc


def test_temporary_file_of_a_running_process_is_left_alone(tmp_path):
    """A concurrent install's temporary file is not a leftover: its pid is
    alive, or (names without a pid) it is less than a minute old."""
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    with subprocess.Popen(["sleep", "30"]) as running:
        try:
            tmp = venv / "bin" / f"hello.venvshim-{running.pid}.tmp"
            tmp.write_bytes(b"#!/bin/sh\n")
            fresh = venv / "bin" / ".hello.venvshim-0badcafe"
            fresh.write_bytes(b"#!/bin/sh\n")
            r = check(venv, "--fix")
            assert tmp.exists() and fresh.exists(), r.doc
            notes = sorted(f["message"] for f in findings(r.doc, "leftover", "info"))
            assert len(notes) == 2 and "less than 60 s ago" in notes[0], notes
            assert "still running" in notes[1], notes
        finally:
            running.kill()


# ------------------------------------------- more names than install handles

def test_interpreter_names_install_left_as_symlinks_are_counted(tmp_path):
    """install handles a bounded number of names; check must count them all:
    its verdict must match what bin/ really holds."""
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env", install=False)
    for i in range(70):
        os.symlink("python3", venv / "bin" / f"python3.{100 + i}")
    subprocess.run([str(CLI), "install", str(venv)], capture_output=True,
                   env=dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER)))
    names = [n for n in os.listdir(venv / "bin") if n.startswith("python")]

    def left_over(n):  # install makes each name a symlink to bin/.venvshim-launcher
        p = venv / "bin" / n
        return os.path.islink(p) and os.readlink(p) != ".venvshim-launcher"
    links = [n for n in names if left_over(n)]
    r = check(venv)
    if links:
        assert r.returncode == 1, (links, r.doc)
        [bad] = problems(r.doc, "launcher")
        assert f"{len(links)} of {len(names)} interpreters" in bad["message"], bad
        r = check(venv, "--fix")
        links = [n for n in names if left_over(n)]
        assert (r.returncode == 1) == bool(links), (links, r.doc)
    else:
        assert r.returncode == 0, r.doc


# ------------------------------------------------------ set-user-ID bits

def moved_venv_with_script(tmp_path, new_name="moved"):
    """A venv with bin/hello whose #! names the venv's old place."""
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "orig")
    script = venv / "bin" / "hello"
    script.write_text(f"#!{venv}/bin/python\nprint('hello')\n")
    script.chmod(0o755)
    moved = tmp_path / new_name
    os.rename(venv, moved)
    return moved, moved / "bin" / "hello"


def test_fix_never_leaves_set_user_id_bits(tmp_path):
    moved, script = moved_venv_with_script(tmp_path)
    script.chmod(0o6755)
    # the one launcher file; bin/python* are symlinks to it
    launcher = moved / "bin" / ".venvshim-launcher"
    launcher.chmod(0o4755)
    r = check(moved)
    assert r.returncode == 1, r
    flagged = {Path(f["path"]).name for f in problems(r.doc, "bin")}
    assert {"hello", ".venvshim-launcher"} <= flagged, r.doc
    r = check(moved, "--fix")
    assert r.returncode == 0, r.doc
    assert script.read_text().startswith(f"#!{moved}/bin/python\n")
    for p in (script, launcher):
        mode = os.lstat(p).st_mode
        assert not mode & (stat.S_ISUID | stat.S_ISGID), (p, oct(mode))
        assert mode & 0o777 == 0o755, (p, oct(mode))


# --------------------------------------------- what other users may write

def marked_base_venv(tmp_path):
    """A stand-in base that leaves a mark when it is run."""
    mark = tmp_path / "base-ran"
    venv, home = fake_base_venv(tmp_path, f"touch {mark}\necho 3.12.1\n")
    return venv, home, mark


@pytest.mark.parametrize("where,mode", [
    ("pyvenv.cfg", 0o646), ("pyvenv.cfg", 0o664), ("bin", 0o775), ("bin", 0o757),
    (".", 0o777), ("bin/python", 0o757), ("..", 0o777)])
def test_writable_by_other_users_is_a_problem(tmp_path, where, mode):
    venv, _, mark = marked_base_venv(tmp_path)
    target = (venv / where).resolve() if where != "." else venv
    target.chmod(mode)
    r = check(venv)
    assert r.returncode == 1, r.doc
    [bad] = [f for f in problems(r.doc, "trust") if f["path"] == str(target)]
    fix = {0o020: "g-w", 0o002: "o-w", 0o022: "go-w"}[mode & 0o022]
    assert shlex.split(bad["fix"]) == ["chmod", fix, str(target)], bad  # one word per argument
    assert bad["message"].endswith(bad["fix"]), bad
    assert not mark.exists(), "check ran a base that other users could have chosen"


def test_sticky_directories_are_fine(tmp_path):
    """Others may add files to a sticky directory (like /tmp) but not replace
    the owner's: not a problem, for the venv or a parent."""
    venv, _, mark = marked_base_venv(tmp_path)
    venv.chmod(0o1777)
    venv.parent.chmod(0o1777)
    r = check(venv)
    assert r.returncode == 0 and not problems(r.doc, "trust"), r.doc
    assert mark.exists()


def test_base_that_other_users_may_replace_is_not_run(tmp_path):
    venv, home, mark = marked_base_venv(tmp_path)
    home.chmod(0o777)
    r = check(venv)
    assert r.returncode == 1, r.doc
    [bad] = problems(r.doc, "trust")
    assert bad["path"] == str(home) and "chmod go-w" in bad["message"], bad
    assert not mark.exists()


def test_set_user_id_base_is_not_run(tmp_path):
    """No Python interpreter is set-user-ID; check would run it privileged."""
    venv, home, mark = marked_base_venv(tmp_path)
    (home / "python3.12").chmod(0o4755)
    r = check(venv)
    assert r.returncode == 1 and not mark.exists(), r.doc
    [bad] = problems(r.doc, "base")
    assert "set-user-ID" in bad["message"], bad


def test_fix_writes_nothing_where_others_can_write(tmp_path):
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    leftover = venv / "bin" / f"hello.venvshim-{dead_pid()}.tmp"
    leftover.write_bytes(b"#!/bin/sh\n")
    (venv / "bin").chmod(0o777)
    r = check(venv, "--fix")
    assert r.returncode == 1 and leftover.exists(), r.doc
    assert any("--fix writes nothing here" in f["message"] for f in findings(r.doc, "trust")), r.doc


def test_bin_that_is_a_symlink_elsewhere_is_not_written_through(tmp_path):
    """bin -> a directory outside the venv (say ~/.local/bin): --fix would
    rewrite scripts there to run this venv's python."""
    moved, script = moved_venv_with_script(tmp_path)
    outside = tmp_path / "outside-bin"
    os.rename(moved / "bin", outside)
    os.symlink(outside, moved / "bin")
    before = (outside / "hello").read_bytes()
    r = check(moved, "--fix")
    assert r.returncode == 1, r.doc
    assert any("is a symlink" in f["message"] for f in problems(r.doc, "trust")), r.doc
    assert (outside / "hello").read_bytes() == before


needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root (chown to another user)")


@needs_root
@pytest.mark.parametrize("what", ["pyvenv.cfg", "bin", "bin/python"])
def test_file_owned_by_another_user_is_a_problem(tmp_path, what):
    venv, _, mark = marked_base_venv(tmp_path)
    os.lchown(venv / what, NOBODY, NOBODY)
    r = check(venv)
    assert r.returncode == 1, r.doc
    [bad] = problems(r.doc, "trust")
    assert f"owned by uid {NOBODY}" in bad["message"] and "chown 0" in bad["message"], bad
    assert not mark.exists()


@needs_root
def test_root_does_not_run_or_fix_another_users_venv(tmp_path):
    """root checking alice's venv: reading is safe, running what alice chose
    (or writing files as root where alice can plant symlinks) is not."""
    venv, home, mark = marked_base_venv(tmp_path)
    leftover = venv / "bin" / f"hello.venvshim-{dead_pid()}.tmp"
    leftover.write_bytes(b"#!/bin/sh\n")
    for root, dirs, files in os.walk(tmp_path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), NOBODY, NOBODY)
    r = check(venv, "--fix")
    assert not mark.exists(), "root ran the base of another user's venv"
    assert leftover.exists(), "root wrote in another user's venv"
    notes = " ".join(f["message"] for f in findings(r.doc, "trust", "info"))
    assert f"owned by uid {NOBODY}" in notes and "--fix writes nothing here" in notes, r.doc


@needs_root
def test_fix_does_not_change_a_hard_linked_files_mode(tmp_path):
    """bin/tool as a hard link of a set-user-ID program elsewhere: dropping
    the bit through bin/ would change that program for the whole system."""
    venv = real_venv(SYSTEM_PYTHON, tmp_path / "env")
    program = tmp_path / "elsewhere"
    program.write_bytes(b"#!/bin/sh\n")
    program.chmod(0o4755)
    os.link(program, venv / "bin" / "tool")
    r = check(venv, "--fix")
    assert os.stat(program).st_mode & 0o7777 == 0o4755, "check --fix changed a file outside the venv"
    [bad] = [f for f in problems(r.doc, "bin") if f["path"].endswith("/tool")]
    assert "hard link" in bad["message"], bad


# ----------------------------------------- names and paths as attack text



def test_terminal_escapes_in_file_names_are_not_printed(tmp_path):
    moved, script = moved_venv_with_script(tmp_path)
    evil = [os.fsdecode(b"\x1b]0;owned\x07x"), os.fsdecode(b"csi-\xc2\x9b31m"),
            os.fsdecode(b"raw-\x9b31m")]
    for name in evil:
        os.link(script, script.parent / name)
    r = check(moved, json_out=False)
    assert r.returncode == 1, r
    out = r.stdout
    assert b"\x1b" not in out and b"\x07" not in out and b"\x9b" not in out, out
    assert b"\\x1b]0;owned\\x07x" in out and b"csi-\\xc2\\x9b31m" in out, out


def test_json_stays_utf8_for_bytes_no_utf8_sequence_starts_with(tmp_path):
    moved, script = moved_venv_with_script(tmp_path)
    os.link(script, script.parent / os.fsdecode(b"x\xf8\x80\x80y"))
    r = check(moved)  # json.loads of bytes: strict UTF-8
    assert r.returncode == 1, r.doc


def test_fix_does_not_write_shell_syntax_from_the_venvs_path(tmp_path):
    """After a move into a directory named with a blank and $(...), pip's
    /bin/sh form would put the path in double quotes: the shell would run
    the command in it each time the script starts."""
    moved, script = moved_venv_with_script(tmp_path, "moved $(touch pwned)")
    before = script.read_bytes()
    r = check(moved, "--fix")
    if script.read_bytes() != before:  # rewritten after all: show what that does
        subprocess.run([str(script)], cwd=tmp_path, capture_output=True, timeout=30)
        assert not (tmp_path / "pwned").exists(), "the rewritten script ran $(touch pwned)"
    assert r.returncode == 1 and script.read_bytes() == before, r.doc
    [bad] = [f for f in problems(r.doc, "script") if f["path"] == str(script)]
    assert "cannot go into a script safely" in bad["message"], bad


def test_bidirectional_overrides_in_names_are_shown_escaped(tmp_path):
    """U+202E makes 'hello\u202etxt.exe' read as 'helloexe.txt' on a terminal."""
    moved, script = moved_venv_with_script(tmp_path)
    os.link(script, script.parent / "tool\u202etxt.exe")
    r = check(moved, json_out=False)
    assert r.returncode == 1, r
    assert "\u202e".encode() not in r.stdout and b"tool\\u202etxt.exe" in r.stdout, r.stdout


def test_fix_does_not_write_python_code_from_the_venvs_path(tmp_path):
    """A newline in the directory's name would end the #! line; what follows
    it in the name becomes the script's second line, run by `python SCRIPT`."""
    moved, script = moved_venv_with_script(
        tmp_path, "m\n__import__('pathlib').Path('pwned').touch()#")
    before = script.read_bytes()
    r = check(moved, "--fix")
    if script.read_bytes() != before:  # rewritten after all: show what that does
        subprocess.run([str(SYSTEM_PYTHON), str(script)], cwd=tmp_path, capture_output=True,
                       timeout=30)
        assert not (tmp_path / "pwned").exists(), "the rewritten script ran code from the path"
    assert r.returncode == 1 and script.read_bytes() == before, r.doc
