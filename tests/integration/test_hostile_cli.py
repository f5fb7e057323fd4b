"""`venvshim relocate` and `install` (and `check --fix`) on hostile venvs: set-user-ID
scripts, activate scripts that outgrow their buffer, zip applications, FIFOs and
devices where files belong, a user's own bin/python, links planted in bin/ or at
the CLI's temporary names, huge and non-UTF-8 scripts, scripts swapped while
relocate reads them. The CLI may be run by root on a venv somebody else
controls: it must never hang, crash, write outside the venv, or leave a
privileged or half-converted file. Real interpreters; an absent one is skipped
with the path looked for."""

import os
import re
import resource
import signal
import stat
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import BUILD_DIR, CLI, LAUNCHER, tree_state
from hardening_support import SYSTEM_PYTHON, pyenv_python

PY312 = pyenv_python(12)
PY38 = pyenv_python(8)


def base_python():
    """pyenv's 3.12 (fast), else Debian's python3."""
    return PY312 or SYSTEM_PYTHON


def env(**extra):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("PYTHON", "PYLAUNCHER_")) and k not in ("VIRTUAL_ENV",)}
    e["VENVSHIM_LAUNCHER"] = str(LAUNCHER)
    e["LC_ALL"] = "C.UTF-8"
    e.update(extra)
    return e


def run(argv, timeout=30, extra_env=None, **kw):
    """Run argv; a hang fails the test (it is a bug here), it does not stall the run."""
    try:
        return subprocess.run([os.fsencode(a) if isinstance(a, (str, Path)) else a for a in argv],
                              env=env(**(extra_env or {})), capture_output=True,
                              timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{argv} did not finish within {timeout}s (blocked?)", pytrace=False)


def show(r):
    return (f"exit {r.returncode}\nstdout: {r.stdout.decode(errors='replace')}\n"
            f"stderr: {r.stderr.decode(errors='replace')}")


def venvshim(*args, **kw):
    return run([CLI, *args], **kw)


def ok(*args, **kw):
    r = venvshim(*args, **kw)
    assert r.returncode == 0, show(r)
    return r


def make_venv(path, install=True, python=None):
    python = python or base_python()
    if not Path(python).exists():
        pytest.skip(f"interpreter not found: {python}")
    r = run([python, "-m", "venv", "--without-pip", path], timeout=120)
    assert r.returncode == 0, show(r)
    if install:
        ok("install", path)
    return Path(path)


def write_script(venv, name, body="import sys\nprint('RAN', sys.prefix)\n", mode=0o755):
    path = Path(venv) / "bin" / name
    path.write_bytes(b"#!" + os.fsencode(Path(venv) / "bin" / "python") + b"\n" + body.encode())
    os.chmod(path, mode)
    return path


def is_launcher(path):
    return Path(path).read_bytes().startswith(LAUNCHER.read_bytes())


# ---------------------------------------------------------- 1. privileged bits

@pytest.mark.parametrize("mode", [0o4755, 0o2755, 0o6755], ids=["setuid", "setgid", "both"])
def test_relocate_never_writes_a_set_id_launcher(tmp_path, mode):
    venv = make_venv(tmp_path / "v")
    script = write_script(venv, "tool", mode=mode)
    assert os.stat(script).st_mode & 0o7777 == mode  # the test runs where chmod keeps them
    r = ok("relocate", venv)
    st = os.stat(script)
    assert is_launcher(script), show(r)
    assert st.st_mode & (stat.S_ISUID | stat.S_ISGID) == 0, oct(st.st_mode)
    assert st.st_mode & 0o777 == 0o755
    err = r.stderr.decode()
    assert str(script) in err and "dropped the set-" in err, show(r)
    out = run([script]).stdout.decode()
    assert out.startswith("RAN " + str(venv)), out


def test_check_fix_never_writes_a_set_id_script(tmp_path):
    venv = make_venv(tmp_path / "v1")
    script = write_script(venv, "tool", mode=0o4755)
    moved = tmp_path / "v2"
    os.rename(venv, moved)
    r = venvshim("check", "--fix", moved)
    fixed = moved / "bin" / "tool"
    first = fixed.read_bytes().split(b"\n")[0]
    assert first == b"#!" + os.fsencode(moved / "bin" / "python"), show(r)
    assert os.stat(fixed).st_mode & (stat.S_ISUID | stat.S_ISGID) == 0, show(r)
    # said once: as a check finding (check drops the bit itself before the
    # rewrite) or by the shared writer on stderr
    said = r.stdout.decode() + r.stderr.decode()
    assert re.search(re.escape(str(fixed)) + r": (removed its|dropped the) set-user-ID bit", said), show(r)
    del script


def test_install_never_writes_a_set_id_pyvenv_cfg(tmp_path):
    venv = make_venv(tmp_path / "v", install=False)
    cfg = venv / "pyvenv.cfg"
    # no executable key: install records one, so it rewrites the file
    cfg.write_text("".join(l for l in cfg.read_text().splitlines(True)
                           if not l.startswith(("executable", "command"))))
    os.chmod(cfg, 0o6644)
    r = ok("install", venv)
    assert "executable = " in cfg.read_text(), show(r)
    assert os.stat(cfg).st_mode & 0o7777 == 0o644, oct(os.stat(cfg).st_mode)
    assert str(cfg) in r.stderr.decode(), show(r)


# ------------------------------------------------------- 2. activate rewriting

@pytest.mark.parametrize("n", [5000, 200_000])  # issue 10's file (ASan); a release-build abort
def test_an_activate_that_grows_past_twice_its_size_is_rewritten_whole(tmp_path, n):
    venv = make_venv(tmp_path / "v")
    # each 14-byte line becomes 30 bytes: more than the old buffer of twice the size
    (venv / "bin" / "activate").write_bytes(b"VIRTUAL_ENV=x\n" * n)
    r = ok("relocate", venv, timeout=60)
    text = (venv / "bin" / "activate").read_bytes()
    assert text.count(b'VIRTUAL_ENV="$_venvshim_venv"\n') == n, show(r)
    assert text.endswith(b"unset _venvshim_venv\n")
    assert b"relocatable = true" in (venv / "pyvenv.cfg").read_bytes()


def test_a_failed_write_leaves_the_whole_venv_as_it_was(tmp_path):
    """A file that cannot be written (here: over RLIMIT_FSIZE) stops relocate
    before any file is replaced, and leaves no temporary file behind."""
    venv = make_venv(tmp_path / "v")
    write_script(venv, "tool")
    limit = LAUNCHER.stat().st_size + 4096  # the converted script fits, activate does not
    activate = venv / "bin" / "activate"
    activate.write_bytes(activate.read_bytes() + b"# padding\n" * (limit // 10 + 1000))
    before = tree_state(venv)

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write(2) fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = venvshim("relocate", venv, preexec_fn=limited)
    assert tree_state(venv) == before, show(r)
    assert r.returncode == 1 and b"left unchanged" in r.stderr, show(r)


# ------------------------------------------------------ 3. zip applications

APP_MAIN = """\
import sys
import helper
helper.report()
"""
APP_HELPER = """\
import sys
def report():
    print("APP", sys.prefix, sys.argv[1:])
"""


def zipapp(venv, name, *, python=None):
    """python -m zipapp with -p naming the venv's python: '#!' + zip."""
    src = Path(venv).parent / f"{name}-src"
    src.mkdir()
    (src / "__main__.py").write_text(APP_MAIN)
    (src / "helper.py").write_text(APP_HELPER)
    out = Path(venv) / "bin" / name
    r = run([python or base_python(), "-m", "zipapp", src, "-p", Path(venv) / "bin" / "python",
             "-o", out])
    assert r.returncode == 0, show(r)
    return out


def assert_app_runs(app, venv, args=("a b", "--c")):
    r = run([app, *args])
    assert r.returncode == 0, show(r)
    assert r.stdout.decode().split("\n")[0] == f"APP {venv} {list(args)!r}", show(r)


def test_a_zipapp_keeps_working_after_relocate_and_a_move(tmp_path):
    venv = make_venv(tmp_path / "v")
    app = zipapp(venv, "app")
    assert_app_runs(app, venv)
    r = ok("relocate", venv)
    assert b"script launcher: app" in r.stdout, show(r)
    assert is_launcher(app)
    assert_app_runs(app, venv)
    moved = tmp_path / "moved" / "w"
    moved.parent.mkdir()
    os.rename(venv, moved)
    assert_app_runs(moved / "bin" / "app", moved)
    r = ok("relocate", moved)
    assert b"1 already script launchers" in r.stdout, show(r)
    assert_app_runs(moved / "bin" / "app", moved)


def shiv_like(venv, name, *, relative_offsets, comment=b"", files=300):
    """A '#!' line + a zip whose __main__.py puts a directory inside the archive
    on sys.path (as shiv and pex bootstrap), with enough entries that the
    central directory is larger than the launcher checks (8 KiB). Offsets are
    counted from the file's start (zipapp's way) or from the archive's."""
    path = Path(venv) / "bin" / name
    shebang = b"#!" + os.fsencode(Path(venv) / "bin" / "python") + b"\n"
    main = ("import os, sys\n"
            "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'site-packages'))\n"
            "import dep\n"
            "dep.report()\n")
    with open(path, "wb") as f:
        if not relative_offsets:
            f.write(shebang)
        with zipfile.ZipFile(f, "w") as z:
            z.writestr("__main__.py", main)
            z.writestr("site-packages/dep/__init__.py", APP_HELPER.replace("APP", "SHIV"))
            for i in range(files):
                z.writestr(f"site-packages/filler/m{i:04d}.py", f"X = {i}\n")
            z.comment = comment
    if relative_offsets:
        path.write_bytes(shebang + path.read_bytes())
    os.chmod(path, 0o755)
    return path


@pytest.mark.parametrize("relative_offsets", [False, True], ids=["file-offsets", "zip-offsets"])
@pytest.mark.parametrize("comment", [b"", b"built by hand " * 100], ids=["plain", "commented"])
def test_a_shiv_like_zip_keeps_working_after_relocate_and_a_move(tmp_path, relative_offsets,
                                                                  comment):
    venv = make_venv(tmp_path / "v")
    app = shiv_like(venv, "tool", relative_offsets=relative_offsets, comment=comment)
    expected = f"SHIV {venv} ['x']"
    assert run([app, "x"]).stdout.decode().strip() == expected
    r = ok("relocate", venv)
    assert b"script launcher: tool" in r.stdout, show(r)
    assert run([app, "x"]).stdout.decode().strip() == expected
    moved = tmp_path / "w"
    os.rename(venv, moved)
    r = run([moved / "bin" / "tool", "x"])
    assert r.stdout.decode().strip() == f"SHIV {moved} ['x']", show(r)


def test_a_zip_python_cannot_run_is_left_alone(tmp_path):
    venv = make_venv(tmp_path / "v")
    path = Path(venv) / "bin" / "nomain"
    with open(path, "wb") as f:
        f.write(b"#!" + os.fsencode(venv / "bin" / "python") + b"\n")
        with zipfile.ZipFile(f, "w") as z:
            z.writestr("main.py", "print(1)\n")
    before = path.read_bytes()
    r = ok("relocate", venv)
    assert b"left alone: nomain (its zip archive has no __main__.py)" in r.stdout, show(r)
    assert path.read_bytes() == before


# --------------------------------------------------- 6. zip archive comments

@pytest.mark.parametrize("minor", [8, 12])
def test_a_script_launcher_whose_zip_has_a_comment_runs(tmp_path, minor):
    """Python 3.8+ finds a zip's end record behind a comment; so does the launcher."""
    python = pyenv_python(minor)
    if not python:
        pytest.skip(f"no ~/.pyenv/versions/3.{minor}.*/bin/python3.{minor}")
    venv = make_venv(tmp_path / "v", python=python)
    tool = venv / "bin" / "tool"
    with open(tool, "wb") as f:
        f.write(LAUNCHER.read_bytes())
        with zipfile.ZipFile(f, "a") as z:
            z.writestr("__main__.py", "import sys\nprint('COMMENTED', sys.prefix)\n")
            z.comment = b"a comment " * 50
    os.chmod(tool, 0o755)
    r = run([tool])
    assert r.returncode == 0, show(r)
    assert r.stdout.decode() == f"COMMENTED {venv}\n"


# -------------------------------------------- 4. FIFOs and devices, no hangs

def test_relocate_refuses_a_fifo_pyvenv_cfg_at_once(tmp_path):
    venv = make_venv(tmp_path / "v")
    os.unlink(venv / "pyvenv.cfg")
    os.mkfifo(venv / "pyvenv.cfg")
    before = tree_state(venv)
    r = venvshim("relocate", venv, timeout=10)
    assert r.returncode == 1, show(r)
    assert b"pyvenv.cfg" in r.stderr and b"FIFO" in r.stderr, show(r)
    assert tree_state(venv) == before


def test_relocate_leaves_a_fifo_activate_alone(tmp_path):
    venv = make_venv(tmp_path / "v")
    os.unlink(venv / "bin" / "activate")
    os.mkfifo(venv / "bin" / "activate")
    tool = write_script(venv, "tool")
    r = venvshim("relocate", venv, timeout=10)
    assert r.returncode == 0, show(r)
    assert b"left alone: activate (a FIFO" in r.stdout, show(r)
    assert stat.S_ISFIFO(os.lstat(venv / "bin" / "activate").st_mode)
    assert is_launcher(tool)


@pytest.mark.parametrize("kind", ["fifo", "link-to-fifo", "link-to-dev-zero"])
def test_relocate_never_reads_a_special_file_in_bin(tmp_path, kind):
    venv = make_venv(tmp_path / "v")
    special = venv / "bin" / "special"
    if kind == "fifo":
        os.mkfifo(special)
    elif kind == "link-to-fifo":
        os.mkfifo(tmp_path / "fifo")
        os.symlink(tmp_path / "fifo", special)
    else:
        os.symlink("/dev/zero", special)
    r = venvshim("relocate", venv, timeout=10)
    assert r.returncode == 0, show(r)
    assert os.path.lexists(special) and not is_launcher_path_regular(special)


def opened_by(fifo, action):
    """Did action() open fifo? A writer blocked in open(2) wakes as soon as
    any reader opens the FIFO, even one that closes it at once."""
    woke = threading.Event()

    def writer():
        fd = os.open(fifo, os.O_WRONLY)
        woke.set()
        os.close(fd)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    time.sleep(0.2)  # the writer is in open(2)
    result = action()
    opened = woke.wait(1.0)
    if not opened:  # release the writer
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    t.join(5)
    return opened, result


@pytest.mark.parametrize("command,what", [("relocate", "pyvenv.cfg"), ("relocate", "launcher"),
                                          ("install", "launcher")])
def test_a_fifo_is_never_opened(tmp_path, command, what):
    # looked at before it is opened, as check reads: opening a device can
    # have effects of its own, so the CLI opens nothing but regular files
    venv = make_venv(tmp_path / "v", install=command == "relocate")
    fifo = venv / "pyvenv.cfg" if what == "pyvenv.cfg" else tmp_path / "launcher"
    if what == "pyvenv.cfg":
        os.unlink(fifo)
    os.mkfifo(fifo)
    extra = {"VENVSHIM_LAUNCHER": str(fifo)} if what == "launcher" else None
    opened, r = opened_by(fifo, lambda: venvshim(command, venv, timeout=10, extra_env=extra))
    assert r.returncode == 1, show(r)
    assert not opened, f"{command} opened the FIFO {what}"


def is_launcher_path_regular(p):
    return stat.S_ISREG(os.lstat(p).st_mode)


@pytest.mark.parametrize("command", ["relocate", "install"])
@pytest.mark.parametrize("what", ["fifo", "/dev/zero"])
def test_a_launcher_path_that_is_not_a_file_fails_at_once(tmp_path, command, what):
    venv = make_venv(tmp_path / "v")
    if what == "fifo":
        what = tmp_path / "fifo"
        os.mkfifo(what)
    r = venvshim(command, venv, timeout=10, extra_env={"VENVSHIM_LAUNCHER": str(what)})
    assert r.returncode == 1, show(r)
    assert b"cannot find venvshim-launcher" in r.stderr, show(r)


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_install_with_bin_python_linked_to_a_special_file_ends(tmp_path, target):
    venv = make_venv(tmp_path / "v", install=False)
    if target == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    os.unlink(venv / "bin" / "python")
    os.symlink(target, venv / "bin" / "python")
    r = venvshim("install", venv, timeout=20)
    assert r.returncode in (0, 1) and r.stderr.count(b"\n") <= 4, show(r)


# ------------------------------------------------ 5. a user's own bin/python

WRAPPER = b'#!/bin/sh\n# my own wrapper\nexec "$(dirname "$0")/python3" -X dev "$@"\n'


def test_install_refuses_to_replace_a_users_wrapper(tmp_path):
    venv = make_venv(tmp_path / "v", install=False)
    os.unlink(venv / "bin" / "python")
    (venv / "bin" / "python").write_bytes(WRAPPER)
    os.chmod(venv / "bin" / "python", 0o755)
    before = tree_state(venv)
    r = venvshim("install", venv)
    assert r.returncode == 1, show(r)
    assert str(venv / "bin" / "python").encode() in r.stderr and b"--force" in r.stderr, show(r)
    assert tree_state(venv) == before, "install refused but changed the venv"
    r = ok("install", "--force", venv)
    assert is_launcher(venv / "bin" / "python")
    out = run([venv / "bin" / "python", "-c", "import sys; print(sys.prefix)"]).stdout
    assert out.decode().strip() == str(venv)


def test_install_replaces_copies_of_the_interpreter(tmp_path):
    python = base_python()
    venv = tmp_path / "v"
    r = run([python, "-m", "venv", "--without-pip", "--copies", venv], timeout=120)
    assert r.returncode == 0, show(r)
    assert not os.path.islink(venv / "bin" / "python")
    ok("install", venv)
    assert is_launcher(venv / "bin" / "python")


def test_help_documents_force():
    r = ok("--help")
    assert re.search(rb"install \[--force\][^\n]* DIR", r.stdout), r.stdout


# ------------------------------------------------------ links and swaps

def test_a_linked_activate_is_not_copied_out_of_its_target(tmp_path):
    venv = make_venv(tmp_path / "v")
    secret = tmp_path / "elsewhere" / "secret"
    secret.parent.mkdir()
    secret.write_bytes(b"VIRTUAL_ENV=/root/secret\nexport TOKEN=hunter2\n")
    os.chmod(secret, 0o600)
    os.unlink(venv / "bin" / "activate")
    os.symlink(secret, venv / "bin" / "activate")
    r = ok("relocate", venv)
    assert b"left alone: activate (a symbolic link)" in r.stdout, show(r)
    assert os.readlink(venv / "bin" / "activate") == str(secret)
    assert secret.read_bytes().startswith(b"VIRTUAL_ENV=/root/secret\n")


def test_a_hard_linked_activate_keeps_its_mode_and_its_other_name(tmp_path):
    """relocate wrote every activate 0644: a private file hard-linked as
    bin/activate came out readable by all. The mode is now kept, and the
    rename leaves the other name as it was."""
    venv = make_venv(tmp_path / "v")
    private = tmp_path / "private"
    private.write_bytes(b"VIRTUAL_ENV=/private/path\nexport TOKEN=hunter2\n")
    os.chmod(private, 0o600)
    os.unlink(venv / "bin" / "activate")
    os.link(private, venv / "bin" / "activate")
    r = ok("relocate", venv)
    assert b"location-independent: activate" in r.stdout, show(r)
    assert os.stat(venv / "bin" / "activate").st_mode & 0o777 == 0o600
    assert private.read_bytes() == b"VIRTUAL_ENV=/private/path\nexport TOKEN=hunter2\n"


def test_a_linked_pyvenv_cfg_is_not_replaced_by_a_copy(tmp_path):
    venv = make_venv(tmp_path / "v")
    real = tmp_path / "real.cfg"
    os.rename(venv / "pyvenv.cfg", real)
    os.symlink(real, venv / "pyvenv.cfg")
    before = tree_state(venv)
    r = venvshim("relocate", venv)
    assert r.returncode == 1 and b"a symbolic link" in r.stderr, show(r)
    assert tree_state(venv) == before and b"relocatable" not in real.read_bytes()


@pytest.mark.parametrize("command", ["relocate", "install"])
def test_a_linked_bin_directory_is_refused(tmp_path, command):
    venv = make_venv(tmp_path / "v")
    elsewhere = tmp_path / "elsewhere"
    os.rename(venv / "bin", elsewhere)
    os.symlink(elsewhere, venv / "bin")
    write_script(venv, "tool")
    before = tree_state(elsewhere)
    r = venvshim(command, venv)
    assert r.returncode == 1 and b"symbolic link" in r.stderr, show(r)
    assert tree_state(elsewhere) == before


def test_install_writes_no_hook_through_a_linked_lib(tmp_path):
    venv = make_venv(tmp_path / "v", install=False)
    elsewhere = tmp_path / "system-lib"
    os.rename(venv / "lib", elsewhere)
    os.symlink(elsewhere, venv / "lib")
    r = venvshim("install", venv)
    # an absolute home needs no hook: install does not look into lib/ at all
    assert r.returncode == 0, show(r)
    assert not list(elsewhere.glob("*/site-packages/_venvshim*")), show(r)


def test_a_script_linked_from_outside_is_left_as_it_is(tmp_path):
    venv = make_venv(tmp_path / "v")
    outside = tmp_path / "outside-tool"
    outside.write_bytes(b"#!" + os.fsencode(venv / "bin" / "python") + b"\nprint(1)\n")
    before = outside.read_bytes()
    os.symlink(outside, venv / "bin" / "tool")
    ok("relocate", venv)
    assert os.path.islink(venv / "bin" / "tool") and outside.read_bytes() == before


@pytest.mark.parametrize("command", ["relocate", "install"])
def test_links_planted_at_the_temporary_names_are_not_followed(tmp_path, command):
    """The old temporary names were <file>.venvshim-<pid>.tmp, opened with
    O_CREAT|O_TRUNC: a link planted there sent root's write anywhere. exec
    keeps the shell's pid, so the planted names are the ones the CLI uses."""
    venv = make_venv(tmp_path / "v", install=command == "relocate")
    write_script(venv, "tool")
    if command == "install":  # make install rewrite pyvenv.cfg too
        cfg = venv / "pyvenv.cfg"
        cfg.write_text("".join(l for l in cfg.read_text().splitlines(True)
                               if not l.startswith(("executable", "command"))))
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    names = ["bin/tool", "bin/activate", "bin/activate.fish", "pyvenv.cfg",
             "bin/.venvshim-launcher-$$.tmp", "bin/python", "bin/python3"]
    plant = "; ".join(f'ln -s "$V" "$D/{n}.venvshim-$$.tmp"' for n in names)
    r = run(["/bin/sh", "-c", f'{plant}; exec "$0" {command} "$D"', CLI],
            extra_env={"V": str(victim), "D": str(venv)})
    assert r.returncode == 0, show(r)
    assert victim.read_bytes() == b"precious\n", show(r)


def test_a_huge_script_is_left_alone_quickly(tmp_path):
    venv = make_venv(tmp_path / "v")
    big = write_script(venv, "big")
    with open(big, "r+b") as f:
        f.truncate(100 << 20)  # sparse: 100 MiB that cost nothing to make
    start = time.monotonic()
    r = ok("relocate", venv, timeout=20)
    assert b"left alone: big (larger than 64 MiB)" in r.stdout, show(r)
    assert big.read_bytes()[:2] == b"#!" and time.monotonic() - start < 10


def test_non_utf8_names_are_converted(tmp_path):
    # CPython 3.11+ cannot write activate into a non-UTF-8 directory: made, then renamed
    venv = tmp_path / os.fsdecode(b"d\xffir") / "v"
    venv.parent.mkdir()
    os.rename(make_venv(tmp_path / "clean"), venv)
    name = os.fsdecode(b"t\xfeool")
    tool = write_script(venv, name)
    r = ok("relocate", venv)
    assert b"script launcher: t\xfeool" in r.stdout, show(r)
    assert is_launcher(tool)
    moved = tmp_path / os.fsdecode(b"m\xfdoved")
    os.rename(venv, moved)
    out = run([moved / "bin" / name]).stdout
    assert out == b"RAN " + os.fsencode(moved) + b"\n"


def test_a_script_swapped_for_a_link_while_relocate_runs_leaks_nothing(tmp_path):
    """Another process keeps swapping bin/tool between a script and a link to a
    secret outside the venv whose first line names the venv's python. Whatever
    relocate sees, the secret must never end up inside the venv."""
    venv = make_venv(tmp_path / "v")
    secret = tmp_path / "secret"
    secret.write_bytes(b"#!" + os.fsencode(venv / "bin" / "python") + b"\nTOKEN = 'hunter2'\n")
    os.chmod(secret, 0o600)
    tool = venv / "bin" / "tool"
    script = b"#!" + os.fsencode(venv / "bin" / "python") + b"\nprint('ok')\n"
    stop = threading.Event()

    def swap():
        link, regular = tmp_path / "link", tmp_path / "regular"
        while not stop.is_set():
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(secret, link)
            os.replace(link, tool)
            regular.write_bytes(script)
            os.chmod(regular, 0o755)
            os.replace(regular, tool)

    t = threading.Thread(target=swap, daemon=True)
    t.start()
    try:
        for _ in range(40):
            r = venvshim("relocate", venv, timeout=20)
            assert r.returncode == 0, show(r)
            for p in (venv / "bin").iterdir():
                # the swapper may turn tool into the link between a look and a
                # read: open without following, so only a real file is judged
                try:
                    fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                except OSError:
                    continue
                with os.fdopen(fd, "rb") as f:
                    if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                        continue
                    assert b"hunter2" not in f.read(), f"{p} holds the secret\n{show(r)}"
    finally:
        stop.set()
        t.join()
