"""Issue 19: root's CLI never acts for one user on what another user controls.

The ownership rule (launcher/cli/venv_access.h): install, relocate, rebase,
upgrade, create and check --fix refuse a venv that a user other than the caller and
root owns or can write, or one below such a directory, and change nothing;
--trust-others overrides. Whatever is given, the commands work on the
descriptors the one walk opened: nothing inside the venv is executed by name
(recorded with strace), and a swap of bin/ or of the venv path by its owner
while a command runs (an inotify racer, a few seconds at most) neither runs
the owner's program nor sends a write to another venv.

Runs as root with a second, unprivileged user (vsowner, created if absent);
skipped otherwise. Real interpreters; an absent one is skipped with the path
looked for."""

import hashlib
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import CLI, LAUNCHER
from hardening_support import SYSTEM_PYTHON, pyenv_python

OTHER = "vsowner"
OVERRIDE = "--trust-others"
BASE = pyenv_python(12) or SYSTEM_PYTHON
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (a second user owns venvs)")


def env(**extra):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("PYTHON", "PYLAUNCHER_")) and k != "VIRTUAL_ENV"}
    e["VENVSHIM_LAUNCHER"] = str(LAUNCHER)
    e["LC_ALL"] = "C.UTF-8"
    e.update(extra)
    return e


def run(argv, timeout=120, extra_env=None, **kw):
    return subprocess.run([str(a) for a in argv], env=env(**(extra_env or {})), capture_output=True,
                          text=True, timeout=timeout, **kw)


def show(r):
    return f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"


@pytest.fixture(scope="session")
def other():
    """The second user's (uid, gid): created when absent (another test file
    may create it too, so an existing one is fine)."""
    try:
        pw = pwd.getpwnam(OTHER)
    except KeyError:
        r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", OTHER], capture_output=True, text=True)
        if r.returncode not in (0, 9):  # 9: it exists (made meanwhile)
            pytest.skip(f"cannot create the user {OTHER}: {r.stderr.strip()}")
        pw = pwd.getpwnam(OTHER)
    return pw.pw_uid, pw.pw_gid


@pytest.fixture
def play():
    """A directory under /tmp that the second user can traverse (pytest's own
    is 0700): root-owned, 0755; /tmp above it is root's and sticky."""
    d = Path(tempfile.mkdtemp(prefix="vs-trust-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def need_base():
    if not BASE or not Path(BASE).exists():
        pytest.skip(f"no base interpreter (looked for pyenv 3.12 and {SYSTEM_PYTHON})")
    return Path(BASE)


def make_venv(path, owner=None):
    r = run([need_base(), "-m", "venv", "--without-pip", path])
    assert r.returncode == 0, show(r)
    if owner:
        chown_tree(path, owner)
    return path


def chown_tree(path, owner):
    uid, gid = owner
    os.lchown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)


def snapshot(top):
    """Every entry under top: type, mode, owner, link target or content hash."""
    out = {}
    for root, dirs, files in os.walk(top):
        for name in [""] + dirs + files:
            p = os.path.join(root, name) if name else root
            st = os.lstat(p)
            what = (os.readlink(p) if stat.S_ISLNK(st.st_mode)
                    else hashlib.sha256(Path(p).read_bytes()).hexdigest()
                    if stat.S_ISREG(st.st_mode) else None)
            out[os.path.relpath(p, top)] = (st.st_mode, st.st_uid, what)
    return out


def is_launcher_link(p):
    return p.is_symlink() and os.readlink(p) == ".venvshim-launcher"


# ------------------------------------------------------------ the refusals

def unsafe_layout(play, owner, case):
    """(venv, the directory to name in a hint) for each way the rule fails."""
    if case == "venv-owned-by-other":
        return make_venv(play / "v", owner)
    if case == "parent-writable-by-others":
        shared = play / "shared"
        shared.mkdir()
        shared.chmod(0o777)  # no sticky bit: anyone may rename the venv
        return make_venv(shared / "v")
    if case == "parent-owned-by-other":
        home = play / "home"
        home.mkdir()
        v = make_venv(home / "v", owner)
        chown_tree(home, owner)
        return v
    if case == "bin-owned-by-other":
        v = make_venv(play / "v")
        os.lchown(v / "bin", *owner)
        return v
    raise AssertionError(case)


CASES = ["venv-owned-by-other", "parent-writable-by-others", "parent-owned-by-other",
         "bin-owned-by-other"]
COMMANDS = {
    "install": lambda v: ["install", v],
    "relocate": lambda v: ["relocate", v],
    "rebase": lambda v: ["rebase", "--python", need_base(), v],
    "check --fix": lambda v: ["check", "--fix", v],
    # refused before the new interpreter is asked anything: any X.Y will do
    "upgrade": lambda v: ["upgrade", "--python", need_base(), v],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_refused_changes_nothing_and_says_how(play, other, case, command):
    venv = unsafe_layout(play, other, case)
    before = snapshot(play)
    r = run([CLI, *COMMANDS[command](venv)])
    assert r.returncode == 1, show(r)
    assert snapshot(play) == before, f"{command} changed the venv it refused\n{show(r)}"
    assert "nothing was changed" in r.stderr, show(r)
    name = command.split()[0]
    if case in ("venv-owned-by-other", "parent-owned-by-other"):
        assert f"sudo -u {OTHER} venvshim {name}" in r.stderr and str(venv) in r.stderr, show(r)
    elif case == "parent-writable-by-others":
        assert f"chmod go-w {venv.parent}" in r.stderr, show(r)
    if name != "check":  # check --fix writes only in the caller's own venv: no override
        assert f"venvshim {name} " in r.stderr and OVERRIDE in r.stderr, show(r)


@pytest.mark.parametrize("case", ["parent-writable-by-others", "parent-owned-by-other"])
def test_create_refused_below_another_users_directory(play, other, case):
    unsafe_layout(play, other, case)
    parent = play / ("shared" if case == "parent-writable-by-others" else "home")
    before = snapshot(play)
    r = run([CLI, "create", "--without-pip", "--python", need_base(), parent / "new"])
    assert r.returncode == 1, show(r)
    assert snapshot(play) == before and not (parent / "new").exists(), show(r)
    assert OVERRIDE in r.stderr and "nothing was changed" in r.stderr, show(r)
    if case == "parent-owned-by-other":
        assert f"sudo -u {OTHER} venvshim create" in r.stderr, show(r)


def test_hint_is_quoted_for_the_shell(play, other):
    """The printed command is pasted into root's shell: a hostile venv name
    stays one word (strbuf.h sb_add_shell_word)."""
    venv = make_venv(play / "v'; touch pwned; '", other)
    r = run([CLI, "install", venv])
    assert r.returncode == 1, show(r)
    line = next(l for l in r.stderr.splitlines() if "sudo -u" in l)
    cmd = line[line.index("sudo -u"):].split("; or,")[0]
    words = subprocess.run(["bash", "-c", 'printf "%s\\n" ' + cmd],
                           capture_output=True, text=True).stdout.splitlines()
    assert words == ["sudo", "-u", OTHER, "venvshim", "install", str(venv)], (line, words)


def test_override_works_and_warns(play, other):
    venv = make_venv(play / "v", other)
    r = run([CLI, "install", OVERRIDE, venv])
    assert r.returncode == 0, show(r)
    assert "warning" in r.stderr and OVERRIDE in r.stderr, show(r)
    assert is_launcher_link(venv / "bin/python")
    out = run([venv / "bin/python", "-c", "import sys; print(sys.prefix)"])
    assert out.returncode == 0 and out.stdout.strip() == str(venv), show(out)
    r = run([CLI, "relocate", OVERRIDE, venv])
    assert r.returncode == 0, show(r)


def test_root_owned_sticky_parent_is_accepted(play):
    sticky = play / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp
    venv = make_venv(sticky / "v")
    r = run([CLI, "install", venv])
    assert r.returncode == 0 and "warning" not in r.stderr, show(r)
    assert is_launcher_link(venv / "bin/python")


def test_link_planted_in_a_sticky_directory_is_refused(play, other):
    """/tmp/link -> root's venv, the link the other user's: she chooses which
    venv root's command works on."""
    sticky = play / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    venv = make_venv(play / "rootvenv")
    link = sticky / "link"
    link.symlink_to(venv)
    os.lchown(link, *other)
    before = snapshot(play)
    r = run([CLI, "install", link])
    assert r.returncode == 1 and "symbolic link" in r.stderr, show(r)
    assert snapshot(play) == before


# ------------------------------------------- nothing in the venv is executed

def traced_execs(argv, tmp_path):
    """Run argv under strace -f; its exit status and the file each execve /
    execveat named ("" for an exec of a descriptor)."""
    strace = shutil.which("strace")
    if not strace:
        pytest.skip("strace is not installed")
    log = tmp_path / "strace.log"
    # LeakSanitizer cannot run under ptrace (the sanitizer build of tests/run-hardening)
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    r = run([strace, "-f", "-qq", "-s", "4096", "-e", "trace=execve,execveat", "-o", log, *argv],
            timeout=300, extra_env={"ASAN_OPTIONS": asan})
    named = []
    for line in log.read_text(errors="replace").splitlines():
        m = re.search(r'\bexecve\("((?:[^"\\]|\\.)*)"', line) or \
            re.search(r'\bexecveat\([^,]*, "((?:[^"\\]|\\.)*)"', line)
        if m:
            named.append(m.group(1))
    return r, named


def assert_nothing_inside(venv, named, r):
    real = os.path.realpath(venv)
    inside = [n for n in named if n and (n.startswith(str(venv) + "/") or
                                         os.path.realpath(n).startswith(real + "/"))]
    assert not inside, f"executed by name inside the venv: {inside}\n{show(r)}"
    assert named, "strace recorded no exec at all"


@pytest.mark.parametrize("command", ["install", "rebase", "create"])
def test_no_exec_by_name_inside_another_users_venv(play, other, tmp_path, command):
    if command == "create":
        home = play / "home"
        home.mkdir()
        os.chown(home, *other)
        venv = home / "v"
        argv = [CLI, "create", OVERRIDE, "--without-pip", "--python", need_base(), venv]
    else:
        venv = make_venv(play / "v", other)
        argv = [CLI, *COMMANDS[command](venv)[:-1], OVERRIDE, venv]
    r, named = traced_execs(argv, tmp_path)
    assert r.returncode == 0, show(r)
    assert_nothing_inside(venv, named, r)
    assert is_launcher_link(venv / "bin/python")


def test_upgrade_of_another_users_venv_runs_nothing_in_it(play, other, tmp_path):
    """upgrade --trust-others on her venv: only the new interpreter (the
    descriptor judged) and the venv built beside hers run; nothing in hers."""
    old, new = Path("/usr/bin/python3.11"), pyenv_python(12)
    if not old.exists() or not new:
        pytest.skip(f"needs {old} and pyenv 3.12 (another X.Y to upgrade to)")
    venv = play / "v"
    assert run([old, "-m", "venv", "--without-pip", venv]).returncode == 0
    chown_tree(venv, other)
    r, named = traced_execs([CLI, "upgrade", OVERRIDE, "--python", new, venv], tmp_path)
    assert r.returncode == 0, show(r)
    assert_nothing_inside(play / "v.3.11.bak", named, r)  # hers, now kept under that name
    assert_nothing_inside(venv, named, r)
    assert is_launcher_link(venv / "bin/python") and list(venv.glob("lib/python3.12")), show(r)


def test_no_exec_by_name_in_check_fix_reinstall(play, tmp_path):
    """check --fix on root's own venv whose bin/python was put back as a
    symlink to the base: it re-installs, and runs nothing in bin/ by name."""
    venv = make_venv(play / "v")
    assert run([CLI, "install", venv]).returncode == 0
    (venv / "bin/python").unlink()
    (venv / "bin/python").symlink_to(need_base())
    r, named = traced_execs([CLI, "check", "--fix", venv], tmp_path)
    assert is_launcher_link(venv / "bin/python"), show(r)
    assert_nothing_inside(venv, named, r)


# --------------------------------------------------------------- the racers

RACER = r"""
import ctypes, os, select, struct, sys, time
watch_dir, trigger, action = sys.argv[1], sys.argv[2], sys.argv[3:]
libc = ctypes.CDLL(None, use_errno=True)
IN_OPEN, IN_CREATE, IN_MOVED_TO = 0x20, 0x100, 0x80
fd = libc.inotify_init1(os.O_NONBLOCK)
mask = IN_OPEN if trigger.startswith("open:") else IN_CREATE
assert libc.inotify_add_watch(fd, watch_dir.encode(), mask) >= 0
want = trigger.split(":", 1)[1]
print("ready", flush=True)
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    if not select.select([fd], [], [], 0.05)[0]:
        continue
    data = os.read(fd, 65536)
    i = 0
    while i < len(data):
        wd, m, cookie, n = struct.unpack_from("iIII", data, i)
        name = data[i + 16:i + 16 + n].rstrip(b"\0").decode()
        i += 16 + n
        if not name.startswith(want):
            continue
        if action[0] == "swap-bin":          # bin/ -> bin.old; a new bin/ with my program
            venv, marker = action[1], action[2]
            os.rename(venv + "/bin", venv + "/bin.old")
            os.mkdir(venv + "/bin")
            p = venv + "/bin/" + name
            with open(p, "w") as f:
                f.write("#!/bin/sh\nid -u > " + marker + "\n")
            os.chmod(p, 0o755)
        elif action[0] == "swap-venv":       # the venv -> a link to another venv
            venv, target = action[1], action[2]
            os.rename(venv, venv + ".old")
            os.symlink(target, venv)
        print("swapped", name, flush=True)
        sys.exit(0)
print("no trigger", flush=True)
"""


def start_racer(other, *args):
    uid, gid = other
    p = subprocess.Popen(["/usr/bin/python3", "-c", RACER, *map(str, args)], user=uid, group=gid,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready", p.stderr.read()
    return p


def finish_racer(p):
    out, err = p.communicate(timeout=10)
    return out + err


def test_install_racer_never_runs_the_swapped_in_program(play, other):
    """The high finding: between writing the trial copy of the launcher and
    starting it, the venv's owner renames bin/ and puts her program under
    the copy's name. root must run neither it nor anything in her new bin/,
    and write nothing there."""
    home = play / "home"
    home.mkdir()
    os.chown(home, *other)
    marker = play / "marker"  # written by her program if root runs it
    swaps = 0
    for attempt in range(3):
        venv = make_venv(home / f"v{attempt}", other)
        racer = start_racer(other, venv / "bin", "create:.python.", "swap-bin", venv, marker)
        r = run([CLI, "install", OVERRIDE, venv])
        said = finish_racer(racer)
        assert not marker.exists(), f"root ran the owner's program\n{said}\n{show(r)}"
        if "swapped" in said:
            swaps += 1
            swapped_in = sorted(os.listdir(venv / "bin"))
            assert len(swapped_in) == 1 and swapped_in[0].startswith(".python."), swapped_in
            assert is_launcher_link(venv / "bin.old/python"), show(r)  # the venv named
    assert swaps, "the racer never swapped bin/: the test proved nothing"


@pytest.mark.parametrize("command", ["relocate", "rebase"])
def test_venv_swapped_mid_command_gets_no_write_elsewhere(play, other, command):
    """The medium finding: relocate and rebase reopened the venv by path
    after working on descriptors; a swap of the path sent the hook module
    (relocate) or the re-install (rebase) into root's other venv."""
    victim = make_venv(play / "victim")
    victim_before = snapshot(victim)
    home = play / "home"
    home.mkdir()
    os.chown(home, *other)
    swaps = 0
    for attempt in range(3):
        venv = make_venv(home / f"v{attempt}", other)
        if command == "rebase":  # the base vanished: rebase has work to do
            cfg = venv / "pyvenv.cfg"
            cfg.write_text(cfg.read_text().replace(str(need_base().parent), "/nonexistent/bin"))
        racer = start_racer(other, venv, "open:pyvenv.cfg", "swap-venv", venv, victim)
        argv = ([CLI, "relocate", OVERRIDE, venv] if command == "relocate" else
                [CLI, "rebase", "--python", need_base(), OVERRIDE, venv])
        r = run(argv)
        said = finish_racer(racer)
        swaps += "swapped" in said
        assert snapshot(victim) == victim_before, \
            f"{command} wrote into a venv it was not given\n{said}\n{show(r)}"
        if "swapped" in said and r.returncode == 0:
            old = Path(str(venv) + ".old")
            if command == "relocate":
                assert list(old.glob("lib/python*/site-packages/_venvshim_scripts.py")), show(r)
            else:
                assert is_launcher_link(old / "bin/python"), show(r)
    assert swaps, "the racer never swapped the venv: the test proved nothing"
