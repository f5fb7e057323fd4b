"""rebase and check --fix never run an interpreter from a place another user can write.

Interpreter discovery starts every candidate to learn its version, so a
candidate is a program run as the caller (often root). A stand-in
interpreter (an ELF binary: discovery never runs scripts) touches a marker
file when it runs and answers like CPython 3.11; it is put where a second,
unprivileged user (`vsmisc`, created here) could have put it: a PATH entry
that user owns or anyone can write, a pyenv root, a Homebrew-on-Linux
prefix that is not on PATH. The marker must stay absent and the output say
what was skipped and why. The same stand-in in a root-owned directory does
run: the marker is a real witness (SECURITY.md, "Interpreter discovery")."""

import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CLI, LAUNCHER, clean_env, run

OTHER_USER = "vsmisc"

FAKE_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
    (void)argc;
    close(open(MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    printf("cpython\n3 11 99 final 0\n0\n\n%s\n", argv[0]);
    return 0;
}
"""


@pytest.fixture(scope="module")
def other_uid():
    """The uid of a second, unprivileged user (created if missing)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: creates a second user and runs the CLI as root on its files")
    try:
        return pwd.getpwnam(OTHER_USER).pw_uid
    except KeyError:
        pass
    r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", OTHER_USER], capture_output=True)
    if r.returncode not in (0, 9):  # 9: exists (made by a parallel run)
        pytest.fail(f"useradd {OTHER_USER}: {r.stderr!r}")
    return pwd.getpwnam(OTHER_USER).pw_uid


@pytest.fixture(scope="module")
def fake_binary(tmp_path_factory):
    """Builds a stand-in interpreter for a marker path: returns make(dest, marker)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler (cc) to build the stand-in interpreter")
    src = tmp_path_factory.mktemp("fake-src") / "fake.c"
    src.write_text(FAKE_C)

    def make(dest, marker):
        dest.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([cc, f'-DMARKER="{marker}"', "-o", str(dest), str(src)],
                           capture_output=True)
        assert r.returncode == 0, r.stderr
        return dest
    return make


@pytest.fixture
def venv(tmp_path):
    """A venv for CPython 3.11 whose base is gone (home does not exist)."""
    v = tmp_path / "venv"
    (v / "bin").mkdir(parents=True)
    (v / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    shutil.copy2(LAUNCHER, v / "bin" / "python")
    (v / "pyvenv.cfg").write_text(f"home = {tmp_path / 'gone' / 'bin'}\n"
                                  "include-system-site-packages = false\nversion = 3.11.99\n")
    return v


def chown_tree(top, uid):
    for root, dirs, files in os.walk(top):
        for n in [root, *(os.path.join(root, d) for d in dirs),
                  *(os.path.join(root, f) for f in files)]:
            os.lchown(n, uid, -1)


def rebase_env(**extra):
    return clean_env(PATH=f"{extra.pop('first')}:/usr/bin:/bin", **extra)


def output(r):
    return r.stdout + r.stderr


# What another user controls, and what the skip must name.
PLACES = {
    "dir-owned-by-other": ("owned by vsmisc", None),
    "dir-writable-by-all": ("writable by every user", 0o777),
    "dir-writable-by-group": ("writable by its group", 0o775),
    "file-owned-by-other": ("owned by vsmisc", None),
    "file-writable-by-all": ("writable by every user", 0o757),
    "parent-owned-by-other": ("owned by vsmisc", None),
}


def hostile_path_entry(tmp_path, case, uid, fake_binary, marker):
    """A PATH entry holding the stand-in, exposed to the other user as case says."""
    top = tmp_path / "place"
    bindir = top / "sub" / "bin"
    exe = fake_binary(bindir / "python3.11", marker)
    for d in (top, top / "sub", bindir):
        os.chmod(d, 0o755)
    if case == "dir-owned-by-other":
        os.chown(bindir, uid, -1)
        os.chown(exe, uid, -1)
    elif case == "dir-writable-by-all":
        os.chmod(bindir, 0o777)
    elif case == "dir-writable-by-group":
        os.chown(bindir, 0, pwd.getpwnam(OTHER_USER).pw_gid)
        os.chmod(bindir, 0o775)
    elif case == "file-owned-by-other":
        os.chown(exe, uid, -1)
    elif case == "file-writable-by-all":
        os.chmod(exe, 0o757)
    elif case == "parent-owned-by-other":
        os.chown(top, uid, -1)  # may rename sub/ and put her own bin/ there
    return bindir, exe


@pytest.mark.parametrize("case", list(PLACES))
def test_rebase_never_runs_an_interpreter_another_user_could_have_put_on_path(
        tmp_path, venv, other_uid, fake_binary, case):
    marker = tmp_path / "RAN"
    bindir, exe = hostile_path_entry(tmp_path, case, other_uid, fake_binary, marker)
    r = run([CLI, "rebase", "--dry-run", venv], env=rebase_env(first=bindir))
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    said, _ = PLACES[case]
    skipped = [ln for ln in output(r).splitlines() if b"skipped: " in ln]
    assert skipped and os.fsencode(str(bindir)) in skipped[0], output(r)
    assert said.encode() in skipped[0] and b"not run" in skipped[0], skipped


def test_rebase_json_lists_what_it_skipped_and_why(tmp_path, venv, other_uid, fake_binary):
    marker = tmp_path / "RAN"
    bindir, exe = hostile_path_entry(tmp_path, "dir-owned-by-other", other_uid, fake_binary,
                                     marker)
    r = run([CLI, "rebase", "--dry-run", "--json", venv], env=rebase_env(first=bindir))
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    assert r.returncode == 0, output(r)  # /usr/bin/python3.11 or pyenv's 3.11 serves
    doc = json.loads(r.stdout)
    assert {"path": str(bindir),
            "why": f"{bindir} is owned by {OTHER_USER} (uid {other_uid}), not by you or root"
            } in doc["skipped"], doc
    assert all(not c["path"].startswith(str(bindir)) for c in doc["candidates"]), doc


def test_a_pyenv_root_another_user_owns_is_not_searched(tmp_path, venv, other_uid, fake_binary):
    marker = tmp_path / "RAN"
    root = tmp_path / "pyenv"
    exe = fake_binary(root / "versions" / "3.11.99" / "bin" / "python3.11", marker)
    chown_tree(root, other_uid)
    r = run([CLI, "rebase", "--dry-run", venv],
            env=clean_env(PYENV_ROOT=str(root), PATH="/usr/bin:/bin"))
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    assert f"skipped: {root} (not run: {root} is owned by {OTHER_USER}".encode() in output(r), \
        output(r)


def test_a_linuxbrew_prefix_another_user_owns_is_not_searched(tmp_path, venv, other_uid,
                                                              fake_binary):
    """/home/linuxbrew/.linuxbrew/bin is searched although it is not on PATH:
    only when root or the caller owns it. /home is replaced in a private mount
    namespace, so the machine's own /home is never touched."""
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1): cannot give the test a /home of its own")
    marker = tmp_path / "RAN"
    home = tmp_path / "home"
    prefix = home / "linuxbrew" / ".linuxbrew"
    exe = fake_binary(prefix / "bin" / "python3.11", marker)
    os.chmod(home, 0o755)
    chown_tree(home / "linuxbrew", other_uid)
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr!r}")
    r = run(["unshare", "-m", "--propagation", "private", "sh", "-c",
             'mount --bind "$1" /home && exec "$2" rebase --dry-run "$3"', "sh", home, CLI, venv],
            env=clean_env(PATH="/usr/bin:/bin"))
    assert b"mount:" not in r.stderr, output(r)
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    assert b"skipped: /home/linuxbrew/.linuxbrew/bin (not run: /home/linuxbrew is owned by " \
        b"vsmisc" in output(r), output(r)


def test_check_fix_never_runs_an_interpreter_another_user_owns(tmp_path, venv, other_uid,
                                                               fake_binary):
    marker = tmp_path / "RAN"
    bindir, exe = hostile_path_entry(tmp_path, "dir-owned-by-other", other_uid, fake_binary,
                                     marker)
    root = tmp_path / "pyenv"
    fake_binary(root / "versions" / "3.11.99" / "bin" / "python3.11", marker)
    chown_tree(root, other_uid)
    r = run([CLI, "check", "--fix", venv],
            env=rebase_env(first=bindir, PYENV_ROOT=str(root)))
    assert not marker.exists(), f"a stand-in was run: {output(r)!r}"
    assert f"skipped: {bindir}".encode() in r.stderr, output(r)
    assert f"skipped: {root}".encode() in r.stderr, output(r)


def test_rebase_python_in_a_place_another_user_owns_is_refused(tmp_path, venv, other_uid,
                                                               fake_binary):
    marker = tmp_path / "RAN"
    bindir, exe = hostile_path_entry(tmp_path, "dir-owned-by-other", other_uid, fake_binary,
                                     marker)
    before = (venv / "pyvenv.cfg").read_bytes()
    r = run([CLI, "rebase", venv, "--python", exe])
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    assert r.returncode == 1, output(r)
    assert f"{exe}: not run: {bindir} is owned by {OTHER_USER}".encode() in r.stderr, output(r)
    assert (venv / "pyvenv.cfg").read_bytes() == before


@pytest.mark.parametrize("where", ["root-owned", "under-a-root-owned-sticky-dir"])
def test_the_stand_in_does_run_from_a_place_only_root_can_write(tmp_path, venv, fake_binary,
                                                                 where):
    """The witness works: where only root could have put it, it is run (and
    a root-owned sticky directory above, like /tmp, is no reason to skip)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: the stand-in's directories are root's")
    marker = tmp_path / "RAN"
    top = tmp_path / "safe"
    if where == "under-a-root-owned-sticky-dir":
        top.mkdir()
        os.chmod(top, 0o1777)
        top = top / "inside"
    bindir = top / "bin"
    fake_binary(bindir / "python3.11", marker)
    os.chmod(top, 0o755)
    os.chmod(bindir, 0o755)
    r = run([CLI, "rebase", "--dry-run", venv], env=rebase_env(first=bindir))
    assert marker.exists(), output(r)
    assert b"skipped:" not in output(r), output(r)


def test_rebase_never_runs_a_script_such_as_a_pyenv_shim(tmp_path, venv, fake_binary):
    """docs/lifecycle.md: scripts such as pyenv's shims are never run. The shim sits
    where only root can write, first on PATH; the stand-in after it in PATH is run,
    so discovery did look there, and only the shim's being a script kept it from running."""
    if os.geteuid() != 0:
        pytest.skip("needs root: the directories must be root's")
    shims, ran_shim = tmp_path / "shims", tmp_path / "RAN-SHIM"
    shims.mkdir(mode=0o755)
    shim = shims / "python3.11"
    shim.write_text(f"#!/bin/sh\n: > '{ran_shim}'\nexec /usr/bin/python3 \"$@\"\n")
    shim.chmod(0o755)
    ran_elf = tmp_path / "RAN-ELF"
    bindir = tmp_path / "safe" / "bin"
    fake_binary(bindir / "python3.11", ran_elf)
    os.chmod(bindir.parent, 0o755)
    os.chmod(bindir, 0o755)
    r = run([CLI, "rebase", "--dry-run", venv], env=rebase_env(first=f"{shims}:{bindir}"))
    assert ran_elf.exists(), output(r)
    assert not ran_shim.exists(), f"the shim {shim} was run: {output(r)!r}"


def test_a_skipped_name_reaches_the_terminal_escaped(tmp_path, venv, other_uid, fake_binary):
    """The other user chose the name: its control bytes are shown as \\xNN."""
    marker = tmp_path / "RAN"
    bindir = tmp_path / "evil\x1b]0;owned\x07" / "bin"
    fake_binary(bindir / "python3.11", marker)
    chown_tree(bindir.parent, other_uid)
    r = run([CLI, "rebase", "--dry-run", venv], env=rebase_env(first=bindir))
    assert not marker.exists(), output(r)
    assert b"\x1b" not in output(r) and b"\x07" not in output(r), output(r)
    assert b"skipped: " + os.fsencode(str(tmp_path)) + b"/evil\\x1b]0;owned\\x07/bin" \
        in r.stdout, output(r)


def test_rebase_python_through_a_link_in_another_users_directory_is_refused(tmp_path, venv,
                                                                              other_uid):
    """The link's target is root's, but CPython reads pyvenv.cfg next to the
    path it was started by (and in its parent): that user would choose its
    home, and so the standard library root's process imports."""
    real = Path("/usr/bin/python3.11")
    if not real.exists():
        pytest.skip(f"no interpreter at {real}")
    theirs = tmp_path / "theirs" / "bin"
    theirs.mkdir(parents=True)
    (theirs / "python3.11").symlink_to(real)
    (theirs.parent / "pyvenv.cfg").write_text("home = /nonexistent-stdlib\n")
    chown_tree(theirs.parent, other_uid)
    before = (venv / "pyvenv.cfg").read_bytes()
    r = run([CLI, "rebase", "--dry-run", venv, "--python", theirs / "python3.11"])
    assert r.returncode == 1, output(r)
    assert f"not run: {theirs.parent} is owned by {OTHER_USER}".encode() in r.stderr \
        or f"not run: {theirs} is owned by {OTHER_USER}".encode() in r.stderr, output(r)
    assert (venv / "pyvenv.cfg").read_bytes() == before


@pytest.mark.parametrize("case", ["dir-owned-by-other", "dir-writable-by-all",
                                  "file-owned-by-other"])
def test_create_never_runs_a_python3_another_user_could_have_put_on_path(
        tmp_path, other_uid, fake_binary, case):
    """create runs python3 from PATH, as a shell would, but never one that
    another user could have put there: the entry is skipped, said so, and
    the next python3 on PATH makes the venv."""
    marker = tmp_path / "RAN"
    bindir, exe = hostile_path_entry(tmp_path, case, other_uid, fake_binary, marker)
    os.rename(exe, bindir / "python3")
    r = run([CLI, "create", "--without-pip", tmp_path / "new"],
            env=clean_env(PATH=f"{bindir}:/usr/bin:/bin"))
    assert not marker.exists(), f"{bindir / 'python3'} was run: {output(r)!r}"
    assert r.returncode == 0, output(r)
    assert f"venvshim: skipped {bindir / 'python3'}: ".encode() in r.stderr, output(r)
    assert (tmp_path / "new" / "pyvenv.cfg").is_file()


def test_create_refuses_a_python_another_user_could_have_put_there(tmp_path, other_uid,
                                                                   fake_binary):
    marker = tmp_path / "RAN"
    _, exe = hostile_path_entry(tmp_path, "dir-owned-by-other", other_uid, fake_binary, marker)
    r = run([CLI, "create", "--python", exe, tmp_path / "new"], env=clean_env())
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    assert r.returncode == 1, output(r)
    assert f"venvshim: not running {exe}: ".encode() in r.stderr, output(r)
    assert not (tmp_path / "new").exists()


def test_upgrade_refuses_a_python_another_user_could_have_put_there(tmp_path, venv, other_uid,
                                                                    fake_binary):
    """upgrade runs --python (and its helper with it) as the caller: never
    one another user could have put there; nothing is built beside DIR."""
    marker = tmp_path / "RAN"
    bindir, exe = hostile_path_entry(tmp_path, "dir-owned-by-other", other_uid, fake_binary,
                                     marker)
    before = sorted(os.listdir(tmp_path))
    r = run([CLI, "upgrade", venv, "--python", exe])
    assert not marker.exists(), f"{exe} was run: {output(r)!r}"
    assert r.returncode == 1, output(r)
    assert f"venvshim: not running {exe}: ".encode() in r.stderr, output(r)
    assert f"{bindir} is owned by {OTHER_USER}".encode() in r.stderr, output(r)
    assert sorted(os.listdir(tmp_path)) == before


def safe_stand_in(tmp_path, fake_binary, marker):
    """The stand-in in root-owned 0755 directories: it runs when started
    from there (test_the_stand_in_does_run_from_a_place_only_root_can_write)."""
    safe = tmp_path / "safe"
    exe = fake_binary(safe / "bin" / "python3.11", marker)
    for d in (safe, safe / "bin"):
        os.chmod(d, 0o755)
    return safe, exe


def test_rebase_python_through_a_link_whose_directory_another_user_owns_is_refused(
        tmp_path, venv, other_uid, fake_binary):
    """theirs/link -> safe, run as theirs/link/bin/python3.11: the program,
    its directory and that directory's parent are all root's, but the user
    who owns theirs/ can point the link elsewhere after the judgement, and
    CPython reads pyvenv.cfg through it. The directory a link sits in is
    judged (owner_rule.h)."""
    marker = tmp_path / "RAN"
    safe, _ = safe_stand_in(tmp_path, fake_binary, marker)
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    (theirs / "link").symlink_to(safe)
    chown_tree(theirs, other_uid)
    r = run([CLI, "rebase", "--dry-run", venv, "--python", theirs / "link/bin/python3.11"])
    assert not marker.exists(), f"the stand-in was run: {output(r)!r}"
    assert r.returncode == 1, output(r)
    assert f"not run: {theirs} is owned by {OTHER_USER}".encode() in r.stderr, output(r)


def test_rebase_python_through_another_users_link_in_a_sticky_directory_is_refused(
        tmp_path, venv, other_uid, fake_binary):
    """shared/ is sticky and root's, like /tmp; shared/link -> safe belongs
    to another user, who may replace it at any time (the sticky bit lets the
    owner of an entry remove it)."""
    marker = tmp_path / "RAN"
    safe, _ = safe_stand_in(tmp_path, fake_binary, marker)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    (shared / "link").symlink_to(safe)
    os.lchown(shared / "link", other_uid, -1)
    r = run([CLI, "rebase", "--dry-run", venv, "--python", shared / "link/bin/python3.11"])
    assert not marker.exists(), f"the stand-in was run: {output(r)!r}"
    assert r.returncode == 1, output(r)
    assert (f"not run: {shared / 'link'} (a symbolic link in a directory others can write) "
            f"is owned by {OTHER_USER}").encode() in r.stderr, output(r)


@pytest.mark.parametrize("depth", ["directory", "parent"])
def test_a_python_started_from_a_sticky_directory_is_not_run(tmp_path, venv, other_uid,
                                                            fake_binary, depth):
    """CPython reads pyvenv.cfg in the directory it was started from and in
    that directory's parent: in a sticky directory like /tmp anyone may put
    one there (here another user did), so neither may be sticky."""
    marker = tmp_path / "RAN"
    safe, exe = safe_stand_in(tmp_path, fake_binary, marker)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    started = shared / "python3.11" if depth == "directory" else shared / "bin" / "python3.11"
    started.parent.mkdir(exist_ok=True, mode=0o755)
    started.symlink_to(exe)
    (shared / "pyvenv.cfg").write_text("home = /nonexistent-stdlib\n")
    os.chown(shared / "pyvenv.cfg", other_uid, -1)
    r = run([CLI, "rebase", "--dry-run", venv, "--python", started])
    assert not marker.exists(), f"the stand-in was run: {output(r)!r}"
    assert r.returncode == 1, output(r)
    assert f"not run: {shared} is writable by every user (mode 1777)".encode() in r.stderr, \
        output(r)
