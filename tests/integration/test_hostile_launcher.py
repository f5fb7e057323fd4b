"""The launcher against a hostile caller, directory, environment or file
(issue 10): a set-user-ID copy, a decoy python in the current directory or on
PATH, an empty PYTHONHOME, a `#!` base that leads back to a launcher, a tiny
stack, an `executable` key naming a shell script, control characters on their
way to the terminal; then FIFOs, huge and truncated files, long lines and
paths. Every run is bounded by a timeout, so an exec loop fails the test
instead of hanging it.

Runs against $VENVSHIM_BUILD_DIR (the plain or the sanitizer build); with
VENVSHIM_TEST_WRAPPER (tests/run-hardening: valgrind) the launcher runs under
it, and the tests that need a chosen argv[0], a set-user-ID bit or a small
stack, which a wrapper cannot pass on, are skipped."""

import io
import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from hardening_support import CLI, LAUNCHER, PYENV, SYSTEM_PYTHON, SYSTEM_VERSION, real_venv

WRAPPER = shlex.split(os.environ.get("VENVSHIM_TEST_WRAPPER", ""))
ROOT = os.geteuid() == 0
NOBODY = 65534
MARKER = b"MARKER-RAN"
MARKER_SCRIPT = b'#!/bin/sh\necho MARKER-RAN "$0" "$@"\n'


def sanitized():
    data = LAUNCHER.read_bytes()
    return b"__asan_init" in data or b"__ubsan_handle" in data


# ------------------------------------------------------------------ helpers

def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "PYLAUNCHER_")) and k != "__PYVENV_LAUNCHER__"}
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


def launch(argv, *, executable=None, env=None, cwd=None, timeout=10, wrap=True):
    """Run argv (bytes output); a timeout is a failure (an exec loop), never a hang."""
    argv = [os.fsencode(a) if isinstance(a, (str, Path)) else a for a in argv]
    if WRAPPER and wrap:
        if executable is not None:
            pytest.skip("argv[0] cannot be chosen through the wrapper")
        argv = [os.fsencode(w) for w in WRAPPER] + argv
    try:
        return subprocess.run(argv, executable=executable, env=clean_env() if env is None else env,
                              cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{argv} did not finish in {timeout}s (an exec loop?): "
                    f"stdout {e.stdout!r} stderr {e.stderr!r}")


def show(r):
    return f"exit {r.returncode}\nstdout: {r.stdout[-1500:]!r}\nstderr: {r.stderr[-2500:]!r}"


def error_lines(r, code):
    """The launcher's error: exit code, no output, one or two 'venvshim: ' lines."""
    assert r.returncode == code, show(r)
    assert r.stdout == b"" and MARKER not in r.stderr, show(r)
    lines = r.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and all(l.startswith(b"venvshim: ") for l in lines), show(r)
    return lines


def plan_of(r):
    assert r.returncode == 0, show(r)
    out = {}
    for line in r.stdout.decode("utf-8", "surrogateescape").splitlines():
        key, _, value = line.partition(": ")
        out.setdefault(key, value)
    return out


def launcher_copy(path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(LAUNCHER, path)
    return path


def fake_venv(root, cfg, name="python"):
    """root/bin/<name>: a copy of the launcher; root/pyvenv.cfg: cfg (str or bytes)."""
    root = Path(root)
    exe = launcher_copy(root / "bin" / name)
    (root / "pyvenv.cfg").write_bytes(cfg if isinstance(cfg, bytes) else cfg.encode())
    return exe


def script(path, body=MARKER_SCRIPT, mode=0o755):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    os.chmod(path, mode)
    return path


def marker_home(root):
    """A directory whose python, python3 and python3.X only say they ran."""
    for name in ("python", "python3", f"python{SYSTEM_VERSION}"):
        script(Path(root) / name)
    return Path(root)


@pytest.fixture
def open_tmp():
    """A temporary directory every user can traverse (pytest's is 0700 root)."""
    d = Path(tempfile.mkdtemp(prefix="venvshim-hostile-", dir="/tmp"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def system_venv(tmp_path_factory):
    """A real venv of Debian's python3, converted by `venvshim install`."""
    return real_venv(SYSTEM_PYTHON, tmp_path_factory.mktemp("sysvenv") / "venv")


# ------------------------------------------ 1. set-user-ID / set-group-ID

needs_root = pytest.mark.skipif(not ROOT, reason="needs root: a set-ID copy owned by another user")
no_wrapper = pytest.mark.skipif(bool(WRAPPER), reason="a wrapper does not pass on set-ID bits")


def at_secure(path):
    """AT_SECURE of a process started from path (a copy of Debian's python3)."""
    r = subprocess.run([path, "-c", "import ctypes; print(ctypes.CDLL(None).getauxval(23))"],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r
    return int(r.stdout)


DROP_TO_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


@needs_root
@no_wrapper
@pytest.mark.parametrize("kind", ["setuid", "setgid", "file-capabilities"])
def test_privileged_launcher_refuses_to_run(open_tmp, kind):
    """Owned by nobody and run by root (set-ID), or run by nobody with a file
    capability: the kernel sets AT_SECURE, and the launcher exits 120 before
    reading anything the caller controls."""
    if kind == "file-capabilities" and not (shutil.which("setcap") and shutil.which("setpriv")):
        pytest.skip("setcap or setpriv missing")
    home = marker_home(open_tmp / "home")
    venv = open_tmp / "venv"
    exe = fake_venv(venv, f"home = {home}\nexecutable = {home}/python3\n")
    probe = open_tmp / "probe-python"
    shutil.copy2(SYSTEM_PYTHON, probe)
    prefix = []
    for f in (exe, probe):
        if kind == "setuid":
            os.chown(f, NOBODY, -1)
            os.chmod(f, 0o4755)
        elif kind == "setgid":
            os.chown(f, -1, NOBODY)
            os.chmod(f, 0o2755)
        else:
            subprocess.run(["setcap", "cap_net_raw+ep", f], check=True)
            prefix = DROP_TO_NOBODY
    r = subprocess.run(prefix + [probe, "-c", "import ctypes; print(ctypes.CDLL(None).getauxval(23))"],
                       capture_output=True, timeout=30, cwd="/")
    assert r.stdout == b"1\n", f"the copy does not run with AT_SECURE, the test is void: {r}"
    for extra in ({}, {"PYLAUNCHER_DRYRUN": "1"}, {"PYLAUNCHER_DEBUG": "1"}):
        r = launch(prefix + [exe, "-c", "pass"], env=clean_env(**extra), cwd="/")
        lines = error_lines(r, 120)
        assert lines[0].startswith(b"venvshim: " + bytes(exe) + b" was started with rights"), show(r)
        assert b"set-user-ID, set-group-ID or file capabilities" in lines[0], show(r)
        assert b"chmod u-s,g-s" in lines[1], show(r)
    # the same file without the privilege runs (the refusal is about it, not the file)
    subprocess.run(["setcap", "-r", exe], capture_output=True) if prefix else os.chmod(exe, 0o755)
    r = launch(prefix + [exe, "-c", "pass"], cwd="/")
    assert r.returncode == 0 and MARKER in r.stdout, show(r)


# --------------------------------- 2. a bare argv[0]: PATH and the current directory

def decoy_dir(root):
    """root/python + root/pyvenv.cfg naming a marker interpreter."""
    home = marker_home(root / "decoy-home")
    root.mkdir(parents=True, exist_ok=True)
    launcher_copy(root / "python")
    (root / "pyvenv.cfg").write_text(f"home = {home}\nexecutable = {home}/python3\n")
    return root


@pytest.mark.parametrize("path_env", [".:/usr/bin", ":/usr/bin", "/usr/bin:", "/usr/bin::/bin",
                                      "./:/usr/bin", "decoy:/usr/bin", "DECOY:/usr/bin"])
def test_current_directory_cannot_choose_the_venv(system_venv, tmp_path, path_env):
    """argv[0] = 'python' with a relative PATH entry (or, DECOY, an absolute one
    naming another file): the decoy's pyvenv.cfg must never be read."""
    cwd = tmp_path / "cwd"
    decoy = decoy_dir(cwd)
    if "decoy" in path_env:
        (cwd / "decoy").symlink_to(".")
    path_env = path_env.replace("DECOY", str(decoy))
    exe = system_venv / "bin" / "python"
    r = launch(["python", "-c", "import sys; print(sys.prefix)"], executable=exe, cwd=cwd,
               env=clean_env(PATH=path_env))
    assert MARKER not in r.stdout, f"the decoy's interpreter ran: {show(r)}"
    assert r.returncode == 0 and r.stdout.strip() == bytes(system_venv), show(r)
    dry = plan_of(launch(["python"], executable=exe, cwd=cwd,
                         env=clean_env(PATH=path_env, PYLAUNCHER_DRYRUN="1")))
    assert dry["pyvenv.cfg"] == str(system_venv / "pyvenv.cfg"), dry


def test_path_symlink_to_the_launcher_still_names_its_venv(system_venv, tmp_path):
    """A PATH hit that is this very file through a symlink keeps its venv."""
    userbin = tmp_path / "userbin"
    userbin.mkdir()
    (userbin / "proj-python").symlink_to(system_venv / "bin" / "python")
    r = launch(["proj-python", "-c", "import sys; print(sys.prefix)"],
               executable=system_venv / "bin" / "python", env=clean_env(PATH=f"{userbin}:/usr/bin"))
    assert r.returncode == 0 and r.stdout.strip() == bytes(system_venv), show(r)


# ------------------------------------------------- 3. an empty PYTHON* variable

def test_empty_pythonhome_is_unset_for_a_relative_home(tmp_path):
    """CPython 3.7+ ignores an empty PYTHONHOME, so the launcher must still hand
    a relative home's base over (fake base, dry run: fast, any build)."""
    base = tmp_path / "app" / "python"
    script(base / "bin" / "python3.12", b"#!/bin/sh\nexit 0\n")
    (base / "lib" / "python3.12").mkdir(parents=True)
    (base / "lib" / "python3.12" / "os.py").write_text("")
    venv = tmp_path / "app" / ".venv"
    exe = fake_venv(venv, "home = ../python/bin\nversion = 3.12.1\n"
                          "executable = ../python/bin/python3.12\n")
    (venv / "lib" / "python3.12" / "site-packages").mkdir(parents=True)
    (venv / "lib" / "python3.12" / "site-packages" / "_venvshim.pth").write_text("")
    dry = launch([exe], env=clean_env(PYTHONHOME="", PYLAUNCHER_DRYRUN="1"))
    assert dry.returncode == 0, show(dry)
    assert f"environment: set PYTHONHOME={base}".encode() in dry.stdout, show(dry)


BUNDLE_BASE = PYENV / "3.12.1"


@pytest.mark.skipif(not (BUNDLE_BASE / "bin/python3.12").exists(),
                    reason=f"no CPython at {BUNDLE_BASE}")
def test_empty_pythonhome_bundle_ignores_the_current_directory(tmp_path):
    """A real relocatable bundle (relative home) run with PYTHONHOME= from a
    directory where CPython's own reading of the relative home finds another
    installation: the bundle's base must still be used."""
    app = tmp_path / "app"
    skip = shutil.ignore_patterns("test", "tests", "idlelib", "tkinter", "turtledemo",
                                  "site-packages", "ensurepip", "config-*", "*.a")
    shutil.copytree(BUNDLE_BASE, app / "python", symlinks=True, ignore=skip)
    (app / "python/lib/python3.12/site-packages").mkdir()
    r = subprocess.run([CLI, "create", "--relocatable", "--without-pip", "--python",
                        app / "python/bin/python3.12", app / ".venv"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "relative home = ../python/bin" in r.stdout, r
    moved = tmp_path / "moved" / "app"
    moved.parent.mkdir()
    app.rename(moved)
    decoy = tmp_path / "decoy"  # from decoy/x, ../python/bin is another installation
    (decoy / "x").mkdir(parents=True)
    (decoy / "python").symlink_to(BUNDLE_BASE)
    code = "import json, os, sys; print(json.dumps([sys.prefix, sys.base_prefix, os.__file__]))"
    r = launch([moved / ".venv/bin/python", "-c", code], cwd=decoy / "x",
               env=clean_env(PYTHONHOME=""), timeout=60)
    assert r.returncode == 0, show(r)
    prefix, base_prefix, os_file = json.loads(r.stdout)
    assert prefix == str(moved / ".venv"), r.stdout
    assert base_prefix == str(moved / "python"), f"base from the CWD: {r.stdout}"
    assert os_file.startswith(str(moved / "python/lib/")), r.stdout


def test_empty_pyvenv_launcher_is_still_removed(tmp_path):
    """site.py on macOS (3.6-3.10) tests `'__PYVENV_LAUNCHER__' in os.environ`:
    even an empty one would choose the venv, so it is removed."""
    exe = fake_venv(tmp_path / "v", f"home = {marker_home(tmp_path / 'h')}\n")
    dry = plan_of(launch([exe], env=clean_env(__PYVENV_LAUNCHER__="", PYLAUNCHER_DRYRUN="1")))
    assert dry["environment"] == "unset __PYVENV_LAUNCHER__", dry


def test_empty_switches_are_off(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {marker_home(tmp_path / 'h')}\n")
    r = launch([exe, "x"], env=clean_env(PYLAUNCHER_DRYRUN="", PYLAUNCHER_DEBUG=""))
    assert r.returncode == 0 and r.stdout.startswith(MARKER) and r.stderr == b"", show(r)


# ------------------------------------------------------- 4. exec loops via `#!`

def loop_refused(r, *chain):
    lines = error_lines(r, 103)
    assert b"'#!' script" in lines[0], show(r)
    for p in chain:
        assert os.fsencode(str(p)) in lines[0], f"{p} not in the chain: {show(r)}"


def test_shebang_base_run_by_its_own_launcher(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    base = script(tmp_path / "h" / "python", f"#!{exe}\nprint('hi')\n".encode())
    loop_refused(launch([exe, "-c", "pass"]), base, exe)


def test_shebang_base_through_two_scripts(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    wrapper = script(tmp_path / "w" / "wrapper", f"#! {exe} -E \n".encode())
    base = script(tmp_path / "h" / "python3", f"#!{wrapper}\n".encode())
    loop_refused(launch([exe]), base, wrapper, exe)


def test_shebang_bases_of_two_venvs_point_at_each_other(tmp_path):
    a = fake_venv(tmp_path / "a", f"home = {tmp_path / 'ha'}\n")
    b = fake_venv(tmp_path / "b", f"home = {tmp_path / 'hb'}\n")
    script(tmp_path / "ha" / "python", f"#!{b}\n".encode())
    script(tmp_path / "hb" / "python", f"#!{a}\n".encode())
    loop_refused(launch([a]), tmp_path / "ha" / "python", b)  # another launcher: the marker


@pytest.mark.parametrize("line", ["#!/usr/bin/env python", "#!/usr/bin/env -S A=1 python -E"])
def test_shebang_env_base_finds_the_launcher_on_path(tmp_path, line):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    script(tmp_path / "h" / "python", line.encode() + b"\n")
    r = launch([exe], env=clean_env(PATH=f"{exe.parent}:/usr/bin:/bin"))
    loop_refused(r, line[2:], exe)


@pytest.mark.parametrize("path", [":/usr/bin:/bin", ".:/usr/bin:/bin", "/nonexistent:sub/..:/usr/bin"],
                         ids=["empty-entry", "dot-entry", "relative-entry"])
def test_shebang_env_base_never_lets_a_relative_path_entry_choose(tmp_path, path):
    """SECURITY.md, "Relative PATH entries": env would find python3 in the
    current directory first; the launcher refuses (103), nothing runs."""
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    script(tmp_path / "h" / "python3", b"#!/usr/bin/env python3\n")
    (tmp_path / "cwd" / "sub").mkdir(parents=True)
    script(tmp_path / "cwd" / "python3")  # what the current directory would pick
    r = launch([exe], env=clean_env(PATH=path), cwd=tmp_path / "cwd")
    lines = error_lines(r, 103)
    assert b"relative PATH entry" in lines[0] and b"/usr/bin/env python3" in lines[0], show(r)


def test_shebang_env_base_with_a_relative_entry_after_it_runs(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    script(tmp_path / "h" / "python3", b"#!/usr/bin/env mypython\n")
    script(tmp_path / "pathdir" / "mypython", b"#!/bin/sh\necho FROM-PATHDIR\n")
    script(tmp_path / "cwd" / "mypython")
    r = launch([exe], env=clean_env(PATH=f"{tmp_path / 'pathdir'}::.:/usr/bin:/bin"),
               cwd=tmp_path / "cwd")  # /usr/bin: where the valgrind wrapper is found
    assert r.returncode == 0 and r.stdout == b"FROM-PATHDIR\n", show(r)


def test_shebang_base_reached_through_a_symlink(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    target = script(tmp_path / "elsewhere" / "python3", f"#!{exe}\n".encode())
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "python").symlink_to(target)
    loop_refused(launch([exe]), tmp_path / "h" / "python", exe)


def test_shebang_relative_interpreter_is_refused(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    script(tmp_path / "h" / "python", b"#!python3\n")
    script(tmp_path / "python3")  # what the CWD would pick
    r = launch([exe], cwd=tmp_path)
    lines = error_lines(r, 103)
    assert b"relative interpreter" in lines[0], show(r)


def test_shebang_base_to_a_real_interpreter_runs(tmp_path):
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\nversion = {SYSTEM_VERSION}.0\n")
    script(tmp_path / "h" / "python", f'#!/bin/sh\nexec {SYSTEM_PYTHON} "$@"\n'.encode())
    r = launch([exe, "-c", "print(42)"])  # a `#!` base loses argv[0], so not the venv: it runs
    assert r.returncode == 0 and r.stdout == b"42\n", show(r)


@pytest.mark.parametrize("case", ["fifo", "directory", "itself", "seven-hops", "no-newline",
                                  "blank", "sparse-1GiB"])
def test_shebang_oddities_end_quickly(tmp_path, case):
    """Nothing in a `#!` chain may hang, crash or loop the launcher; where
    the kernel cannot run the base, exec fails (101) or the chain is refused."""
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path / 'h'}\n")
    base = tmp_path / "h" / "python"
    target = tmp_path / "t"
    if case == "fifo":
        os.mkfifo(target)
        script(base, f"#!{target}\n".encode())
    elif case == "directory":
        target.mkdir()
        script(base, f"#!{target}\n".encode())
    elif case == "itself":
        script(base, f"#!{base}\n".encode())
    elif case == "seven-hops":  # deeper than the kernel allows, ending at the launcher
        prev = exe
        for i in range(7):
            prev = script(tmp_path / f"s{i}", f"#!{prev}\n".encode())
        script(base, f"#!{prev}\n".encode())
    elif case == "no-newline":  # the interpreter's name cut off at 256 bytes: ENOEXEC
        script(base, b"#!" + str(exe).encode() + b"/" + b"x" * 300)
    elif case == "blank":
        script(base, b"#!   \n")
    elif case == "sparse-1GiB":  # a huge interpreter is read only in part
        with open(target, "wb") as f:
            f.write(b"\x7fELF")
            f.truncate(1 << 30)
        os.chmod(target, 0o755)
        script(base, f"#!{target}\n".encode())
    r = launch([exe, "-c", "pass"])
    assert r.returncode in (101, 103), show(r)
    if WRAPPER and b"EXEC FAILED" in r.stderr:
        return  # valgrind ends itself when execve fails; memcheck errors would exit 99
    error_lines(r, r.returncode)


# -------------------------------------------------------- 5. a small stack

STACK_KIB = 32


def small_stack(argv, env, cwd=None):
    """argv under `ulimit -s 32`: the kernel's random stack offset (up to
    8 KiB) and the environment leave the launcher about 20 KiB."""
    return launch(["bash", "-c", f'ulimit -s {STACK_KIB} && exec "$@"', "bash", *argv],
                  wrap=False, env=env, cwd=cwd)


@pytest.mark.skipif(bool(WRAPPER), reason="the stack limit would apply to the wrapper")
@pytest.mark.skipif(sanitized(), reason="sanitizer builds need a large stack of their own")
def test_launcher_runs_with_a_32_kib_stack(system_venv, tmp_path):
    """Every path of the launcher with a 32 KiB stack: no SIGSEGV. Python
    itself needs more, so what runs is echo (named python3) or a dry run."""
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
    debug = {**env, "PYLAUNCHER_DEBUG": "1", "PYLAUNCHER_DRYRUN": "1"}
    echo_home = tmp_path / "echo-home"
    echo_home.mkdir()
    (echo_home / "python3").symlink_to(shutil.which("echo"))
    py = fake_venv(tmp_path / "ev", f"home = {echo_home}\n")
    r = small_stack([py, "hello"], env)
    assert r.returncode == 0 and r.stdout == b"hello\n", show(r)
    # a real venv, traced; bare argv[0] on PATH through a symlink (realpath)
    r = small_stack([system_venv / "bin" / "python", "-c", "pass"], debug)
    assert r.returncode == 0 and b"base interpreter" in r.stderr, show(r)
    (tmp_path / "ub").mkdir()
    (tmp_path / "ub" / "proj-python").symlink_to(py)
    r = launch(["bash", "-c", f"ulimit -s {STACK_KIB} && exec proj-python hi"], wrap=False,
               env={**env, "PYLAUNCHER_DEBUG": "1", "PATH": f"{tmp_path / 'ub'}:/usr/bin:/bin"})
    assert r.returncode == 0 and r.stdout == b"hi\n", show(r)
    # errors, traced: a missing home, another version, a `#!` loop; a chain of venvs
    missing = fake_venv(tmp_path / "m", f"home = {tmp_path}/gone\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "python3.98").symlink_to(SYSTEM_PYTHON)
    (other / "python3").symlink_to("python3.98")
    mismatch = fake_venv(tmp_path / "mm", f"home = {other}\nversion = 3.97.1\n")
    loop = fake_venv(tmp_path / "l", f"home = {tmp_path / 'lh'}\n")
    script(tmp_path / "lh" / "python", f"#!{loop}\n".encode())
    prev = SYSTEM_PYTHON.parent
    for i in range(8):
        chained = fake_venv(tmp_path / f"c{i}", f"home = {prev}\nversion = {SYSTEM_VERSION}.0\n")
        prev = chained.parent
    for exe, code in ((missing, 103), (mismatch, 103), (loop, 103), (chained, 0)):
        r = small_stack([exe], debug)
        assert r.returncode == code, show(r)
    # a script launcher: the launcher with a zip appended, run as bin/tool
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as z:
        z.writestr("__main__.py", "print('tool')")
    tool = py.parent / "tool"
    tool.write_bytes(LAUNCHER.read_bytes() + payload.getvalue())
    os.chmod(tool, 0o755)
    r = small_stack([tool, "x"], env)
    assert r.returncode == 0 and r.stdout == bytes(tool) + b" x\n", show(r)


# ------------------------------------- 6. interpreter names for recorded keys

@pytest.mark.parametrize("key", ["executable", "base-executable"])
@pytest.mark.parametrize("name", [f"python{SYSTEM_VERSION}-config", "python3-gdb.py",
                                  "pythonista", "python3.x"])
def test_recorded_executable_must_be_an_interpreter_name(tmp_path, key, name):
    fake = script(tmp_path / "tools" / name)
    exe = fake_venv(tmp_path / "v", f"home = {SYSTEM_PYTHON.parent}\n"
                                    f"version = {SYSTEM_VERSION}.0\n{key} = {fake}\n",
                    name=f"python{SYSTEM_VERSION}")
    dry = plan_of(launch([exe], env=clean_env(PYLAUNCHER_DRYRUN="1")))
    assert dry["executable"] == f"{SYSTEM_PYTHON.parent}/python{SYSTEM_VERSION}", dry
    r = launch([exe, "-c", "print('real')"])
    assert r.returncode == 0 and r.stdout == b"real\n", show(r)


def test_launcher_named_like_a_script_runs_no_script_from_home(tmp_path):
    """A plain launcher copied as `pip` acts as python: home/pip is not run."""
    home = marker_home(tmp_path / "h")
    script(home / "pip")
    os.remove(home / "python")
    exe = fake_venv(tmp_path / "v", f"home = {home}\n", name="pip")
    dry = plan_of(launch([exe], env=clean_env(PYLAUNCHER_DRYRUN="1")))
    assert dry["executable"] == str(home / "python3"), dry


# ------------------------------------------------ 7. control characters

HOSTILE = b"\x1b]0;owned\x07\x1b[2J\rfake\x9b31m\xc2\x9b1m"


def assert_escaped(data):
    for raw in (b"\x1b", b"\x07", b"\r", b"\x9b"):
        assert raw not in data, f"raw {raw!r} reached the terminal: {data!r}"


def test_control_characters_in_home_are_escaped(tmp_path):
    exe = fake_venv(tmp_path / "v", b"home = /nonexistent/" + HOSTILE + b"\n")
    r = launch([exe])
    lines = error_lines(r, 103)
    assert_escaped(r.stderr)
    assert b"\\x1b]0;owned\\x07\\x1b[2J\\rfake\\x9b31m\\xc2\\x9b1m" in lines[0], show(r)
    r = launch([exe], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert r.returncode == 103 and r.stderr.count(b"\\x1b]0;owned") >= 2, show(r)
    assert_escaped(r.stderr)


def test_control_characters_in_paths_are_escaped(tmp_path):
    """A venv directory whose name holds a newline and escapes: the error keeps
    its two lines, the dry run its one line per key, the fix stays pasteable."""
    root = Path(os.fsdecode(bytes(tmp_path) + b"/v\nvenvshim: fake line " + HOSTILE))
    exe = fake_venv(root, f"home = {tmp_path}/gone\nversion = 3.12.1\n")
    r = launch([exe])
    lines = error_lines(r, 103)
    assert_escaped(r.stderr)
    assert b"\\nvenvshim: fake line" in lines[0], show(r)
    fix = lines[1].split(b": venvshim rebase ", 1)[1]
    words = subprocess.run(["bash", "-c", b'printf "%s\\0" ' + fix],
                           capture_output=True).stdout.split(b"\0")
    assert bytes(root) in words, f"the fix does not name the venv as one shell word: {fix!r}"
    ok = fake_venv(tmp_path / "ok", f"home = {SYSTEM_PYTHON.parent}\n")
    dry = launch([ok, "a\nb", HOSTILE], env=clean_env(PYLAUNCHER_DRYRUN="1"))
    assert dry.returncode == 0 and b"argv[1]: a\\nb\n" in dry.stdout, show(dry)
    assert_escaped(dry.stdout)


def test_non_utf8_paths_stay_recognisable(tmp_path):
    """Only what a terminal acts on is escaped: other bytes of a non-UTF-8
    path are kept, so the path can still be found in the message."""
    home = bytes(tmp_path) + b"/gone-\xff\xfe-\xe9t\xe9"
    exe = fake_venv(tmp_path / "v", b"home = " + home + b"\n")
    lines = error_lines(launch([exe]), 103)
    assert home in lines[0], lines


# ------------------------------------------ more hostile files and callers

def test_fifo_base_candidate_does_not_hang(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    os.mkfifo(home / "python3")
    os.mkfifo(home / "python")
    exe = fake_venv(tmp_path / "v", f"home = {home}\nexecutable = {home}/python3\n")
    lines = error_lines(launch([exe]), 103)
    assert b"not a file" in lines[0], lines


@pytest.mark.skipif(ROOT and shutil.which("setpriv") is None,
                    reason="root reads everything and setpriv is missing")
def test_execute_only_base_still_runs(open_tmp):
    """A base the launcher may run but not read (mode 0711) is stat'ed instead
    of read: it runs (as nobody when the tests run as root)."""
    home = open_tmp / "h"
    home.mkdir()
    base = home / f"python{SYSTEM_VERSION}"
    shutil.copy2(SYSTEM_PYTHON, base)
    os.chmod(base, 0o711)
    exe = fake_venv(open_tmp / "v", f"home = {home}\nversion = {SYSTEM_VERSION}.0\n")
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] if ROOT else []
    r = launch(drop + [exe, "-S", "-c", "print(1)"], wrap=not drop, cwd="/")
    assert r.returncode == 0 and r.stdout == b"1\n", show(r)


def test_long_path_entries_and_names_do_not_crash(system_venv):
    exe = system_venv / "bin" / "python"
    path_env = ":".join(["/" + "x" * 5000, "rel" * 2000, "/" * 4100, ":" * 100, "/usr/bin"])
    r = launch(["python", "-c", "import sys; print(sys.prefix)"], executable=exe,
               env=clean_env(PATH=path_env))
    assert r.returncode == 0 and r.stdout.strip() == bytes(system_venv), show(r)
    r = launch(["p" * 100000], executable=exe, env=clean_env(PATH="/usr/bin",
                                                              PYLAUNCHER_DRYRUN="1"))
    assert r.returncode in (0, 106) and r.returncode >= 0, show(r)


@pytest.mark.parametrize("swap", ["fifo", "dev-zero", "directory", "socket"])
def test_cfg_that_is_not_a_file_ends_at_once(tmp_path, swap):
    exe = fake_venv(tmp_path / "v", f"home = {SYSTEM_PYTHON.parent}\n")
    cfg = tmp_path / "v" / "pyvenv.cfg"
    cfg.unlink()
    if swap == "fifo":
        os.mkfifo(cfg)
    elif swap == "dev-zero":
        cfg.symlink_to("/dev/zero")
    elif swap == "directory":
        cfg.mkdir()
    else:
        import socket
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(cfg))
    error_lines(launch([exe]), 107)


# ------------------------------------------------------------------ the launcher file's record of the base

RECORD = b"venvshim-base/1\n"  # launcher/base_trailer.h


@pytest.mark.parametrize("record", ["fifo", "dev-zero", "directory", "not-executable",
                                    "other-x-y", "relative", "garbled", "huge", "cut"])
def test_a_hostile_record_of_the_base_falls_through_to_103(tmp_path, record):
    """home gives no base and the launcher file's record of the base is not a
    usable interpreter of the venv's X.Y: the launcher exits 103 with home's
    own message, at once; nothing runs (docs/design.md, "The base the
    launcher file records")."""
    gone = tmp_path / "gone" / "bin"
    exe = fake_venv(tmp_path / "v", f"home = {gone}\nversion = {SYSTEM_VERSION}.0\n")
    named = tmp_path / "rec" / f"python{SYSTEM_VERSION}"
    named.parent.mkdir()
    tail = RECORD + bytes(named) + b"\n"
    if record == "fifo":
        os.mkfifo(named)
    elif record == "dev-zero":
        named.symlink_to("/dev/zero")
    elif record == "directory":
        named.mkdir()
    elif record == "not-executable":
        script(named, mode=0o644)
    elif record == "other-x-y":
        script(named.with_name("python3.99"))
        tail = RECORD + bytes(named.with_name("python3.99")) + b"\n"
    elif record == "relative":
        script(named)
        tail = RECORD + b"rec/" + os.fsencode(named.name) + b"\n"
    elif record == "garbled":
        script(named)
        tail = RECORD + bytes(named) + b"\0\n"
    elif record == "huge":
        script(named)
        tail = RECORD + bytes(named) + b"/" * (1 << 20) + b"\n"
    else:  # cut: no final newline
        script(named)
        tail = RECORD + bytes(named)
    with open(exe, "ab") as f:
        f.write(tail)
    lines = error_lines(launch([exe], cwd=tmp_path), 103)
    assert str(gone).encode() in lines[0] and b"does not exist" in lines[0], show(launch([exe]))


def test_a_record_of_the_base_runs_when_home_gives_none(tmp_path):
    """The same layout with a usable record: that base runs (a script's $0 is its own path)."""
    exe = fake_venv(tmp_path / "v", f"home = {tmp_path}/gone/bin\nversion = {SYSTEM_VERSION}.0\n")
    named = script(tmp_path / "rec" / f"python{SYSTEM_VERSION}")
    with open(exe, "ab") as f:
        f.write(RECORD + bytes(named) + b"\n")
    r = launch([exe, "x"])
    assert r.returncode == 0 and r.stdout.split() == [MARKER, bytes(named), b"x"], show(r)
