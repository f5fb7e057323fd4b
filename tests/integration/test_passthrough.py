"""3. Pass-through: the launcher execs the interpreter, so exit status, signals,
PID, argv bytes, stdin/stdout and the environment are exactly the
interpreter's own (the environment minus an inherited __PYVENV_LAUNCHER__)."""

import json
import os
import signal
import subprocess

import pytest

from conftest import SYSTEM_PYTHON, clean_env, describe, run

ENVB_DUMP = ("import json, os, sys\n"
             "json.dump(sorted([k.hex(), v.hex()] for k, v in os.environb.items()), sys.stdout)")


def child_environb(result):
    assert result.returncode == 0, describe(result)
    return {bytes.fromhex(k): bytes.fromhex(v) for k, v in json.loads(result.stdout)}


def bytes_env(env):
    return {os.fsencode(k): os.fsencode(v) for k, v in env.items()}


@pytest.fixture(scope="module")
def py(venvs, primary):
    """bin/python of the primary interpreter's venvshim venv (shared, read-only)."""
    return venvs.converted(primary).exe("python")


def test_exit_statuses_0_to_255(py):
    codes = list(range(256))
    got = {}
    for start in range(0, 256, 32):  # 32 launchers at a time
        procs = [(n, subprocess.Popen([py, "-S", "-c", f"import sys; sys.exit({n})"],
                                      env=clean_env(), stdin=subprocess.DEVNULL))
                 for n in codes[start:start + 32]]
        for n, p in procs:
            got[n] = p.wait(timeout=60)
    assert got == {n: n for n in codes}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGSEGV],
                         ids=lambda s: signal.Signals(s).name)
def test_death_by_signal_is_passed_through(py, sig):
    # SIGSEGV through os.kill: faulthandler is off, so the default action kills
    r = run([py, "-c", f"import os; os.kill(os.getpid(), {int(sig)})"])
    assert r.returncode == -sig, describe(r)


def test_same_pid_as_the_launcher(py):
    p = subprocess.Popen([py, "-c", "import os; print(os.getpid())"], env=clean_env(),
                         stdout=subprocess.PIPE)
    out, _ = p.communicate(timeout=30)
    assert p.returncode == 0
    assert int(out) == p.pid


def test_argv_bytes_are_passed_exactly(py):
    args = [b"", b" ", b"two words", b"new\nline", b"tab\there", b"\xff\xfe not utf-8",
            "\u00fcn\u00ef\u65e5\u672c".encode(), b"x" * 100_000, b"-c", b"--", b"-",
            b"'\"$HOME`*?\\", b"=", b"-S"]
    code = ("import json, os, sys\n"
            "json.dump([os.fsencode(a).hex() for a in sys.argv], sys.stdout)")
    r = run([py, "-c", code, *args])
    assert r.returncode == 0, describe(r)
    got = [bytes.fromhex(a) for a in json.loads(r.stdout)]
    assert got[0] == b"-c"
    assert got[1:] == args


def test_binary_stdin_is_echoed_byte_exact(py):
    data = os.urandom(3 * 1024 * 1024)
    r = run([py, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
            input=data)
    assert r.returncode == 0, describe(r)
    assert len(r.stdout) == len(data) and r.stdout == data


def test_environment_is_unchanged(venvs, interp):
    py = venvs.converted(interp).exe("python")
    env = bytes_env(clean_env())
    env.update({b"VENVSHIM_T_EMPTY": b"", b"VENVSHIM_T_SPACES": b" a  b ",
                b"VENVSHIM_T_NEWLINE": b"x\ny", b"VENVSHIM_T_BYTES": b"\xff\xfe\x80",
                b"VENVSHIM_T_EQUALS": b"a=b=c", b"VIRTUAL_ENV": b"/some/other/venv"})
    got = child_environb(run([py, "-c", ENVB_DUMP], env=env))
    assert got == env


@pytest.mark.parametrize("extra", [0, 8000, 9000], ids=lambda n: f"{n}-more-variables")
def test_inherited_pyvenv_launcher_is_the_one_thing_removed(venvs, interp, tmp_path, extra):
    """Also with more variables than the launcher's static array holds (8,192,
    launcher/posix/exec_env.c): they take the fallback, an array mapped for
    them, and arrive the same."""
    rec = venvs.converted(interp)
    py = rec.exe("python")
    env = bytes_env(clean_env())
    env.update({b"VENVSHIM_T_%05d" % i: b"v%d" % i for i in range(extra)})
    env[b"__PYVENV_LAUNCHER__"] = os.fsencode(tmp_path / "elsewhere" / "bin" / "python")
    code = ENVB_DUMP + "\nsys.stderr.write(sys.executable + '\\n' + sys.prefix)"
    r = run([py, "-c", code], env=env)
    got = child_environb(r)
    del env[b"__PYVENV_LAUNCHER__"]
    assert got == env
    # and the interpreter (3.11+ would prefer the variable) still gets the venv
    assert r.stderr.decode().splitlines() == [str(py), str(rec.venv)]


@pytest.mark.parametrize("inherit", ["plain", "with-__PYVENV_LAUNCHER__"])
def test_system_python_started_from_the_venv_sees_no_venv(venvs, interp, inherit):
    if not SYSTEM_PYTHON.is_file():
        pytest.skip(f"system Python not found at {SYSTEM_PYTHON}")
    rec = venvs.converted(interp)
    env = clean_env()
    if inherit != "plain":
        env["__PYVENV_LAUNCHER__"] = str(rec.exe("python"))
    code = ("import subprocess, sys\n"
            "sys.exit(subprocess.call([%r, '-c', 'import sys; print(sys.prefix, sys.base_prefix)']))"
            % str(SYSTEM_PYTHON))
    r = run([rec.exe("python"), "-c", code], env=env)
    assert r.returncode == 0, describe(r)
    assert r.stdout.split() == [b"/usr", b"/usr"]
