"""What root's CLI reads, shows and prints for pasting when the venv is another
user's (issue 19): `check`, `install` and `rebase --dry-run` open only regular
files, even through the launcher's core; `check` shows nothing from a file the
venv's owner could not read; every command printed for pasting is one shell
word per argument; check's passes are linear in the size of bin/; check's text
escapes tell every name apart.

Opens are recorded with `strace -f -y` (the path of each returned descriptor);
a second, unprivileged user (vscheck) owns the hostile links."""

import json
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import make_fake_home, make_fake_venv
from hardening_support import CLI, LAUNCHER, SYSTEM_PYTHON, SYSTEM_VERSION

IS_ROOT = os.geteuid() == 0
pytestmark = [
    pytest.mark.skipif(not CLI.is_file(), reason=f"no venvshim CLI at {CLI}"),
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
]
needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root (a second user owns the links)")
LIMIT = 60  # seconds: a hang guard, never a benchmark


def second_user():
    """The uid of vscheck, an unprivileged user made here once (tolerating
    that it exists); nobody's when useradd is missing."""
    try:
        return pwd.getpwnam("vscheck").pw_uid
    except KeyError:
        pass
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    "vscheck"], capture_output=True)
    try:
        return pwd.getpwnam("vscheck").pw_uid
    except KeyError:
        return 65534


def cli(*args, env_extra=None):
    env = dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER))
    env.update(env_extra or {})
    return subprocess.run(["timeout", "-s", "KILL", str(LIMIT), str(CLI), *map(str, args)],
                          capture_output=True, env=env, timeout=LIMIT + 15)


def strace_env():
    """LeakSanitizer cannot work under ptrace: off in a sanitizer build."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, VENVSHIM_LAUNCHER=str(LAUNCHER),
                ASAN_OPTIONS=f"{asan}:detect_leaks=0" if asan else "detect_leaks=0")


def traced(tmp_path, *args):
    """Run the CLI under strace; (result, trace lines of the CLI's own process)."""
    out = tmp_path / "trace"
    env = strace_env()
    proc = subprocess.run(["timeout", "-s", "KILL", str(LIMIT), "strace", "-f", "-y", "-qq",
                           "-e", "trace=open,openat", "-o", str(out), str(CLI), *map(str, args)],
                          capture_output=True, env=env, timeout=LIMIT + 15)
    lines = out.read_text(errors="replace").splitlines()
    main_pid = lines[0].split()[0] if lines else None
    return proc, [l for l in lines if l.split()[0] == main_pid]


def opened_non_regular(lines):
    """Every open(2) of the CLI that returned a descriptor for anything but a
    regular file or a directory (/dev/null, which the CLI opens itself, aside).
    An O_PATH descriptor opens nothing: it only names the file."""
    bad = []
    for line in lines:
        m = re.search(r"\) = \d+<(.*)>$", line)
        if not m or "O_PATH" in line:
            continue
        path = m.group(1)
        if path == "/dev/null" or path.startswith("/proc/"):
            continue  # its own: /dev/null for children, /proc/self/* (a sanitizer's runtime)
        if not path.startswith("/"):
            bad.append(line)  # pipe:[...], socket:[...]: not a file on a path
            continue
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            # a temporary file it made (O_EXCL), renamed or removed since; or the
            # read-only descriptor of the launcher copy install's exec probe made,
            # checked to be that file (launcher/cli/exec_probe.c) and removed since
            if "O_CREAT|O_EXCL" not in line and not re.search(r"/\.python\.venvshim-[0-9a-f]{8}$",
                                                              path):
                bad.append(line)
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            bad.append(line)
    return bad


def system_venv(root):
    """A venv of Debian's python3 made by the launcher alone (no venv module
    run): bin/python the launcher, pyvenv.cfg home = /usr/bin."""
    exe = make_fake_venv(root, f"home = {SYSTEM_PYTHON.parent}\nversion = {SYSTEM_VERSION}.0\n"
                               .encode())
    return exe.parent.parent


# ------------------------------------------------ 1. only regular files are opened

DEVICE = "/dev/ptmx"  # opening it makes a new pseudo-terminal


def hostile_cfg(tmp_path, where):
    """A venv whose launcher would read a device or a FIFO as pyvenv.cfg: its
    bin/pyvenv.cfg (found before the venv's own), or the pyvenv.cfg of the
    venv its home leads to (a chain)."""
    venv = system_venv(tmp_path / "env")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    if where == "bin-device":
        os.symlink(DEVICE, venv / "bin" / "pyvenv.cfg")
    elif where == "bin-fifo":
        os.symlink(fifo, venv / "bin" / "pyvenv.cfg")
    elif where.startswith("record-"):
        # home gives no base, and the launcher file's record of the base
        # (docs/design.md) names a device or a FIFO under an interpreter's name
        (venv / "pyvenv.cfg").write_text(f"home = {tmp_path}/gone/bin\n"
                                         f"version = {SYSTEM_VERSION}.0\n")
        recorded = tmp_path / "rec" / f"python{SYSTEM_VERSION}"
        recorded.parent.mkdir()
        os.symlink(DEVICE if where == "record-device" else fifo, recorded)
        with open(venv / "bin" / "python", "ab") as f:
            f.write(b"venvshim-base/1\n" + bytes(recorded) + b"\n")
    else:  # chain: home is another venv's bin/, whose pyvenv.cfg is the device
        other = tmp_path / "other"
        (other / "bin").mkdir(parents=True)
        os.symlink(DEVICE, other / "pyvenv.cfg")
        (venv / "pyvenv.cfg").write_text(f"home = {other}/bin\nversion = {SYSTEM_VERSION}.0\n")
    return venv


@pytest.mark.skipif(not os.path.exists(DEVICE), reason=f"no {DEVICE}")
@pytest.mark.parametrize("where", ["bin-device", "bin-fifo", "chain-device", "record-device",
                                   "record-fifo"])
@pytest.mark.parametrize("command", [["check"], ["check", "--json"], ["install"],
                                     ["rebase", "--dry-run"]])
def test_cli_never_opens_a_device_or_fifo_the_venv_names(tmp_path, where, command):
    venv = hostile_cfg(tmp_path, where)
    proc, lines = traced(tmp_path, command[0], venv, *command[1:])
    assert proc.returncode not in (124, 137), proc
    assert any("pyvenv.cfg" in l for l in lines), "the trace saw no pyvenv.cfg look-up"
    bad = opened_non_regular(lines)
    assert not bad, "\n".join(bad)


def test_launcher_start_makes_no_extra_system_call(tmp_path):
    """The CLI's stricter opener is the CLI's: the launcher's own start is
    unchanged (an open, an fstat, a read per pyvenv.cfg; no O_PATH, no
    /proc/self/fd)."""
    venv = system_venv(tmp_path / "env")
    # install's record of the base, at the end of the launcher file (docs/design.md)
    with open(venv / "bin" / "python", "ab") as f:
        f.write(b"venvshim-base/1\n" + bytes(SYSTEM_PYTHON) + b"\n")
    out = tmp_path / "trace"
    subprocess.run(["strace", "-f", "-qq", "-o", str(out), str(venv / "bin" / "python"), "-S",
                    "-c", "pass"], check=True, capture_output=True, timeout=LIMIT)
    calls = []
    for line in out.read_text().splitlines()[1:]:
        if "execve(" in line:
            break
        calls.append(line.split(None, 1)[1])
    assert not [c for c in calls if "O_PATH" in c or "/proc/self/fd" in c], calls
    cfg_opens = [c for c in calls if re.match(r"open(at)?\(.*pyvenv\.cfg", c)]
    assert len(cfg_opens) <= 4, calls  # bin/, venv/, and home's two: one open each
    # the launcher file's record of the base is read only when home gives no base
    # (docs/design.md, "The base the launcher file records"), never on an ordinary start
    own = str(venv / "bin" / "python")
    assert not [c for c in calls if re.match(r"open(at)?\(", c) and own in c], calls


# ------------------------------------------------ 2. nothing shown from a file the owner cannot read

SECRET = "ROOT-ONLY-SECRET"


def root_only_file(tmp_path):
    d = tmp_path / "rootonly"
    d.mkdir(mode=0o700)
    secret = d / "secret.cfg"
    secret.write_text(f"home = /{SECRET}\nversion = 3.{SECRET}\n")
    os.chmod(secret, 0o600)
    return secret


def chown_tree(path, uid):
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, uid)
    os.lchown(path, uid, uid)


@needs_root
@pytest.mark.parametrize("where", ["venv", "bin", "chain"])
def test_check_shows_nothing_from_a_file_behind_another_users_link(tmp_path, where):
    uid = second_user()
    secret = root_only_file(tmp_path)
    venv = system_venv(tmp_path / "env")
    other = tmp_path / "other"
    (other / "bin").mkdir(parents=True)
    if where == "venv":
        (venv / "pyvenv.cfg").unlink()
        os.symlink(secret, venv / "pyvenv.cfg")
    elif where == "bin":
        os.symlink(secret, venv / "bin" / "pyvenv.cfg")
    else:
        (venv / "pyvenv.cfg").write_text(f"home = {other}/bin\nversion = {SYSTEM_VERSION}.0\n")
        os.symlink(secret, other / "pyvenv.cfg")
    chown_tree(venv, uid)
    chown_tree(other, uid)
    for fmt in ([], ["--json"]):
        proc = cli("check", venv, *fmt)
        out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        assert SECRET not in out, out
        assert proc.returncode == 1, out
        assert "symbolic link to a file its owner does not own" in out, out
    for command in (["install", venv], ["rebase", "--dry-run", venv]):
        proc = cli(*command)
        out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        assert SECRET not in out, (command, out)


@needs_root
def test_check_follows_a_link_to_its_owners_own_file(tmp_path):
    """The rule is about whose file it is, not about links: the owner's link
    to the owner's own file is read and shown."""
    uid = second_user()
    venv = system_venv(tmp_path / "env")
    real = tmp_path / "env" / "real.cfg"
    (venv / "pyvenv.cfg").rename(real)
    os.symlink(real, venv / "pyvenv.cfg")
    chown_tree(venv, uid)
    proc = cli("check", venv, "--json")
    doc = json.loads(proc.stdout)
    cfg = [f for f in doc["findings"] if f["check"] == "pyvenv.cfg"]
    assert cfg and cfg[0]["status"] == "ok" and f"home = {SYSTEM_PYTHON.parent}" in cfg[0]["message"], doc


# ------------------------------------------------ 3. printed commands are one word per argument

HOSTILE_NAMES = [
    b"q'x;touch PWNED-quote",
    b"d$(touch PWNED-dollar)",
    b"b`touch PWNED-backtick`",
    b"semi; touch PWNED-semi",
    b"nl\ntouch PWNED-newline",
    b"esc\x1b[31mred",
    b"dq\"x\\y",
    b"bad-\xff\xfe-utf8",
    b"sp ace*?[a]",
]


def words_of(command, cwd):
    """What bash makes of a printed command line (bytes): its words, with the
    command's own name replaced by a function that only prints its
    arguments. Nothing else may run: a PWNED-* file would show it did."""
    assert subprocess.run(["bash", "-n"], input=command, capture_output=True).returncode == 0, command
    head, rest = command.split(b" ", 1)
    script = b"words() { printf '%s\\0' \"$@\"; }\nwords " + rest + b"\n"
    proc = subprocess.run(["bash"], input=script, capture_output=True, cwd=cwd, timeout=10)
    assert proc.returncode == 0, (command, proc)
    assert not list(Path(cwd).glob("PWNED*")), f"the printed command ran something: {command!r}"
    return [head] + proc.stdout.split(b"\0")[:-1]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: n.decode("ascii", "replace")[:12])
def test_printed_fix_is_one_command_with_the_path_as_one_word(tmp_path, name):
    venv = system_venv(tmp_path / "env")
    target = bytes(venv / "bin") + b"/" + name
    Path(os.fsdecode(target)).write_bytes(b"x")
    os.chmod(target, 0o4755)
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    text = cli("check", venv).stdout
    [line] = [l for l in text.split(b"\n") if b"set-user-ID" in l]
    command = line.split(b"or: ", 1)[1]
    assert words_of(command, sandbox) == [b"chmod", b"u-s", target], line
    doc = json.loads(cli("check", venv, "--json").stdout)
    [bad] = [f for f in doc["findings"] if "set-user-ID" in f["message"]]
    if b"\xff" not in name:  # JSON has no bytes that are not UTF-8 (they become U+FFFD)
        assert words_of(bad["fix"].encode(), sandbox) == [b"chmod", b"u-s", target], bad


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: n.decode("ascii", "replace")[:12])
@pytest.mark.parametrize("command", ["install", "relocate"])
def test_create_hint_of_install_and_relocate_is_one_word(tmp_path, name, command):
    """Not a venv: the hint 'create one with: venvshim create ... DIR'."""
    d = bytes(tmp_path) + b"/" + name
    os.mkdir(d)
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    err = cli(command, os.fsdecode(d)).stderr
    [line] = [l for l in err.split(b"\n") if b"create one with: " in l]
    printed = line.split(b"create one with: ", 1)[1]
    words = words_of(printed, sandbox)
    assert words[0] == b"venvshim" and words[-1] == os.fsencode(os.path.realpath(d)), line
    assert words[1:-1] in ([b"create"], [b"create", b"--relocatable"]), line


# ------------------------------------------------ 4. check is linear in bin/

def test_check_with_8000_set_id_files_does_linear_work(tmp_path):
    """8,000 set-ID files: check answers (60 s is a hang guard, not a
    benchmark) with a bounded number of system calls per file (strace -c);
    a pass over bin/ for each file would make 64 million lstat calls."""
    n = 8000
    venv = system_venv(tmp_path / "env")
    for i in range(n):
        p = venv / "bin" / f"s{i}"
        p.write_bytes(b"x")
        os.chmod(p, 0o4755)
    summary = tmp_path / "summary"
    proc = subprocess.run(["timeout", "-s", "KILL", str(LIMIT), "strace", "-f", "-c", "-o",
                           str(summary), str(CLI), "check", str(venv)], capture_output=True,
                          env=strace_env(), timeout=LIMIT + 15)
    assert proc.returncode == 1, f"check did not finish: {proc.returncode}"
    assert proc.stdout.count(b"set-user-ID bit") == n
    total = int(summary.read_text().strip().splitlines()[-1].split()[3])
    assert total <= 20 * n + 5000, f"{total} system calls for {n} set-ID files"


# ------------------------------------------------ 5. one escaping, every name told apart

def test_text_output_tells_every_name_apart(tmp_path):
    """ESC, a literal backslash-x-1-b, a newline and a space: each shown
    differently, as SECURITY.md says (\\xNN, and \\\\ for a backslash)."""
    venv = system_venv(tmp_path / "env")
    names = [b"a\x1bb", b"a\\x1bb", b"n\nl", b"n l", b"t\tx", b"t\\tx"]
    for name in names:
        p = bytes(venv / "bin") + b"/" + name
        Path(os.fsdecode(p)).write_bytes(b"x")
        os.chmod(p, 0o4755)
    out = cli("check", venv).stdout
    lines = [l for l in out.split(b"\n") if b"set-user-ID" in l]
    shown = sorted(l.split(b" has the", 1)[0].rsplit(b"/", 1)[1] for l in lines)
    assert shown == sorted([b"a\\x1bb", b"a\\\\x1bb", b"n\\x0al", b"n l", b"t\\x09x", b"t\\\\tx"]), lines
    assert b"\x1b" not in out and len(lines) == len(names)
