"""One-process mode (launcher/posix/oneproc.h, docs/design.md "One process").

`VENVSHIM_ONE_PROCESS=1 venvshim install` puts venvshim-launcher-dl in a venv
whose base loads a shared libpython (every pyenv CPython here); that launcher
loads the library the base binary would load and runs the interpreter in its
own process. The oracle is the same venv as `python -m venv` made it (a symlink
venv): every scenario below runs there first, then again after the install,
and must give the same exit status and output. Debian's python3.11 and PyPy
link no shared libpython: install keeps the static launcher, which execs.

One venv per interpreter, shared by the tests of this module (a few seconds
each); the scenarios run once per venv in one batch.
"""

import ast
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import (BUILD_DIR, CLI, PYENV_VERSIONS, clean_env, create_plain_venv, describe,
                      is_installed_launcher, run)

DL = BUILD_DIR / "venvshim-launcher-dl"
STATIC = BUILD_DIR / "venvshim-launcher"
if not DL.is_file():
    pytest.skip(f"{DL} is not built (a sanitizer build does not build it: meson.build)",
                allow_module_level=True)

# What the interpreter reports about itself (one start).
IDENTITY = r"""
import json, os, sys, site
json.dump({
    "executable": sys.executable, "prefix": sys.prefix, "exec_prefix": sys.exec_prefix,
    "base_prefix": sys.base_prefix, "base_exec_prefix": sys.base_exec_prefix,
    "base_executable": getattr(sys, "_base_executable", None), "path": sys.path,
    "argv": sys.argv, "orig_argv": getattr(sys, "orig_argv", None),
    "flags": list(sys.flags), "site": site.getsitepackages() if hasattr(site, "getsitepackages") else None,
    "env": sorted(k for k in os.environ if "PYVENV" in k or "VENVSHIM" in k or k == "PYTHONHOME"),
}, sys.stdout)
"""

MP = r"""
import multiprocessing as mp, sys
def f(x):
    return (sys.executable, sys.prefix, x * 2)
if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    with mp.Pool(1) as p:
        print(p.map(f, [21]))
"""

SCENARIOS = {
    "exit-status": ["-c", "import sys; sys.exit(3)"],
    "sigterm": ["-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"],
    "keyboardinterrupt": ["-c", "raise KeyboardInterrupt"],
    "stdin": ["-c", "import sys; print(sys.stdin.read().upper())"],
    "isolated-nosite": ["-I", "-S", "-c", IDENTITY],
    "E-s-X": ["-E", "-s", "-X", "utf8", "-c", IDENTITY],
    "subprocess": ["-c", "import subprocess, sys; subprocess.run([sys.executable, '-c', "
                         "'import sys; print(sys.prefix, sys.executable)'], check=True)"],
    "execv": ["-c", "import os, sys; sys.stdout.flush(); os.execv(sys.executable, "
                    "[sys.executable, '-c', 'import sys; print(sys.prefix, sys.argv)'])"],
    "extensions": ["-c", "import ssl, sqlite3, ctypes, json; "
                         "ctypes.pythonapi.Py_GetVersion.restype = ctypes.c_char_p; "
                         "print(ssl.OPENSSL_VERSION, sqlite3.sqlite_version, "
                         "ctypes.pythonapi.Py_GetVersion()[:4])"],
    "stderr-error": ["-c", "import nosuchmodule_xyz"],
    "argv": ["-c", "import sys; print(sys.argv)", "a b", "\u00e9", ""],
    "libpython-mapped": ["-c", "print(sorted({l.split()[-1] for l in open('/proc/self/maps') "
                               "if 'libpython' in l}))"],
}
MP_METHODS = ("spawn", "forkserver", "fork")


def is_pyenv(interp):
    return str(interp.path).startswith(str(PYENV_VERSIONS))


class OneProcessVenv:
    def __init__(self, interp, root):
        self.interp = interp
        self.root = root
        self.venv = create_plain_venv(interp, root / "venv")
        self.python = self.venv / "bin" / "python"
        (root / "mp.py").write_text(MP)
        self.before = self.run_all()
        self.install = run([CLI, "install", self.venv], env=clean_env(VENVSHIM_ONE_PROCESS="1"))
        assert self.install.returncode == 0, describe(self.install)
        self.after = self.run_all()

    def scenarios(self):
        for name, args in SCENARIOS.items():
            yield name, args, b"stdin text" if name == "stdin" else None
        yield "identity", ["-c", IDENTITY], None
        yield "nosite", ["-S", "-c", IDENTITY], None
        for method in MP_METHODS:
            yield f"mp-{method}", [str(self.root / "mp.py"), method], None
        out = self.root / "inner"
        yield "venv-inside", ["-c", f"import shutil, subprocess, sys, venv; "
                                    f"shutil.rmtree({str(out)!r}, ignore_errors=True); "
                                    f"venv.create({str(out)!r}); "
                                    f"subprocess.run([{str(out / 'bin' / 'python')!r}, '-c', "
                                    f"'import sys; print(sys.prefix, sys.base_prefix)'], check=True)"], None

    def run_all(self):
        results = {}
        for name, args, stdin in self.scenarios():
            r = run([self.python, *args], input=stdin, cwd=self.root, timeout=120)
            results[name] = (r.returncode, r.stdout, r.stderr)
        return results


@pytest.fixture(scope="module")
def oneproc_venvs(tmp_path_factory):
    cache = {}

    def get(interp):
        if interp.id not in cache:
            try:
                cache[interp.id] = OneProcessVenv(interp, tmp_path_factory.mktemp(f"op-{interp.id}"))
            except Exception as e:  # remember it: do not rebuild for every test
                cache[interp.id] = e
        v = cache[interp.id]
        if isinstance(v, Exception):
            pytest.fail(f"setting up the one-process venv of {interp.id} failed: {v}", pytrace=False)
        return v
    return get


def dry_run_mode(exe, **env):
    r = run([exe], env=clean_env(PYLAUNCHER_DRYRUN="1", **env))
    assert r.returncode == 0, describe(r)
    modes = [l for l in r.stdout.decode().splitlines() if l.startswith("mode: ")]
    assert len(modes) == 1, r.stdout
    return modes[0]


def test_install_chooses_the_launcher_by_the_base(interp, oneproc_venvs):
    """pyenv bases load a shared libpython: the one-process launcher; Debian's and
    PyPy's do not: the static launcher (byte for byte), which execs."""
    v = oneproc_venvs(interp)
    installed = (v.venv / "bin" / ".venvshim-launcher").read_bytes()
    mode = dry_run_mode(v.python)
    if is_pyenv(interp):
        assert is_installed_launcher(installed, DL.read_bytes())
        lib_dir = interp.path.resolve().parent.parent / "lib"
        assert mode.startswith(f"mode: one process, {lib_dir}/libpython3."), mode
        assert b"one-process mode: the launcher loads" in v.install.stdout + v.install.stderr
    else:
        assert is_installed_launcher(installed, STATIC.read_bytes())
        assert mode.startswith("mode: exec, "), mode
        assert b"one-process mode not used" in v.install.stdout + v.install.stderr
    # check accepts the launcher install chose (it would re-install otherwise)
    r = run([CLI, "check", v.venv])
    assert r.returncode == 0 and b"this build's launcher" in r.stdout, describe(r)


@pytest.mark.parametrize("scenario", [*SCENARIOS, "identity", "nosite",
                                      *(f"mp-{m}" for m in MP_METHODS), "venv-inside"])
def test_same_as_the_symlink_venv(interp, oneproc_venvs, scenario):
    """Exit status, stdout and stderr as in the symlink venv: sys.executable,
    prefixes, sys._base_executable, sys.path, flags, argv and orig_argv,
    signals, stdin, child processes (subprocess, os.execv, multiprocessing
    spawn, forkserver and fork, a venv made from inside), extension modules
    (ssl, sqlite3, ctypes reaching the C API), the libpython mapped."""
    v = oneproc_venvs(interp)
    before, after = v.before[scenario], v.after[scenario]
    if not is_pyenv(interp) and b'"orig_argv"' in before[1]:
        # exec mode (the static launcher) starts CPython 3.11+ as its base
        # binary: sys.orig_argv[0] is the base (docs/differences.md, "CPython
        # 3.11+ is started as its base binary"); one-process mode keeps it
        # (pyenv rows compare it). Compare the rest.
        before, after = (before[0], _without_orig_argv0(before[1]), before[2]), \
                        (after[0], _without_orig_argv0(after[1]), after[2])
    assert after == before, (f"{scenario}: symlink venv {before!r}\n"
                             f"one-process venv {after!r}")


def _without_orig_argv0(out):
    report = json.loads(out)
    if report.get("orig_argv"):
        report["orig_argv"] = report["orig_argv"][1:]
    return report


def test_one_process_is_the_callers_process(interp, oneproc_venvs):
    """The PID the caller started is the interpreter's, /proc/self/exe stays the
    launcher and the process name the caller's: nothing was exec'd."""
    v = oneproc_venvs(interp)
    if not is_pyenv(interp):
        pytest.skip(f"{interp.id} runs by exec (no shared libpython)")
    p = subprocess.Popen([v.python, "-c", "import os; print(os.getpid(), os.readlink('/proc/self/exe'), "
                                          "open('/proc/self/comm').read())"],
                         stdout=subprocess.PIPE, env=clean_env())
    out, _ = p.communicate(timeout=60)
    pid, exe, comm = out.decode().split()
    assert int(pid) == p.pid
    assert exe == str(v.venv / "bin" / ".venvshim-launcher")
    assert comm == "python"  # the name the caller ran, as in a symlink venv (docs/differences.md)
    # and VENVSHIM_TWO_PROCESS=1 makes the same launcher exec the base
    r = run([v.python, "-c", "import os; print(os.readlink('/proc/self/exe'))"],
            env=clean_env(VENVSHIM_TWO_PROCESS="1"))
    assert r.stdout.decode().strip() == str(interp.path.resolve()), describe(r)


def test_ld_library_path_is_searched_first(interp, oneproc_venvs, tmp_path):
    """LD_LIBRARY_PATH comes before DT_RUNPATH for the base: a directory there that
    holds the library supplies it (the same file the base maps), one without it
    changes nothing, and an empty (the current directory) or relative entry
    makes the launcher exec so the base's loader decides."""
    v = oneproc_venvs(interp)
    if not is_pyenv(interp):
        pytest.skip(f"{interp.id} runs by exec (no shared libpython)")
    real = interp.path.resolve().parent.parent / "lib"
    lib = next(real.glob("libpython3*.so.1.0"))
    (tmp_path / "llp").mkdir()
    os.symlink(lib, tmp_path / "llp" / lib.name)
    llp = f"/nonexistent:{tmp_path / 'llp'}"
    assert dry_run_mode(v.python, LD_LIBRARY_PATH=llp) == \
        f"mode: one process, {tmp_path / 'llp' / lib.name}"
    assert dry_run_mode(v.python, LD_LIBRARY_PATH="/nonexistent") == f"mode: one process, {lib}"
    assert dry_run_mode(v.python, LD_LIBRARY_PATH="").startswith("mode: one process, ")
    for bad in ("/nonexistent:", "lib", "/x/$LIB"):
        assert dry_run_mode(v.python, LD_LIBRARY_PATH=bad).startswith("mode: exec, LD_LIBRARY_PATH")
    maps = "print(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libpython' in l}))"
    ours = run([v.python, "-c", maps], env=clean_env(LD_LIBRARY_PATH=llp))
    base = run([interp.path, "-c", maps], env=clean_env(LD_LIBRARY_PATH=llp))
    assert ours.returncode == 0 and ours.stdout == base.stdout, (describe(ours), describe(base))
    r = run([v.python, "-c", "import os; print(os.readlink('/proc/self/exe'))"],
            env=clean_env(LD_LIBRARY_PATH="lib"))
    assert r.stdout.decode().strip() == str(interp.path.resolve()), describe(r)


@pytest.fixture(scope="module")
def preload_lib(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler (cc) to build the LD_PRELOAD library")
    d = tmp_path_factory.mktemp("preload")
    (d / "p.c").write_text('#include <unistd.h>\n__attribute__((constructor)) static void hi(void)'
                           ' { write(2, "PRELOADED\\n", 10); }\n')
    r = run([cc, "-shared", "-fPIC", "-o", d / "libp.so", d / "p.c"])
    assert r.returncode == 0, describe(r)
    return d / "libp.so"


def test_ld_preload_loads_once_as_for_the_base(interp, oneproc_venvs, preload_lib):
    """LD_PRELOAD reaches the interpreter's process once, as in the symlink venv
    (the static launcher ignores it; the one-process launcher is that process)."""
    v = oneproc_venvs(interp)
    r = run([v.python, "-c", "pass"], env=clean_env(LD_PRELOAD=str(preload_lib)))
    assert r.returncode == 0 and r.stderr.count(b"PRELOADED") == 1, describe(r)


def test_c_extension_built_here(interp, oneproc_venvs, tmp_path):
    """A C extension compiled against the base's headers imports and calls the C
    API (its symbols come from the libpython the launcher loaded)."""
    v = oneproc_venvs(interp)
    if not is_pyenv(interp):
        pytest.skip(f"{interp.id} runs by exec (no shared libpython)")
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler (cc)")
    info = json.loads(run([v.python, "-c", "import json, sysconfig; print(json.dumps("
                                           "[sysconfig.get_paths()['include'], "
                                           "sysconfig.get_config_var('EXT_SUFFIX')]))"]).stdout)
    (tmp_path / "ext.c").write_text(
        '#include <Python.h>\n'
        'static PyObject *twice(PyObject *s, PyObject *a) { return PyLong_FromLong(2 * PyLong_AsLong(a)); }\n'
        'static PyMethodDef m[] = {{"twice", twice, METH_O, 0}, {0}};\n'
        'static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "ext", 0, -1, m};\n'
        'PyMODINIT_FUNC PyInit_ext(void) { return PyModule_Create(&d); }\n')
    r = run([cc, "-shared", "-fPIC", f"-I{info[0]}", "-o", tmp_path / f"ext{info[1]}", tmp_path / "ext.c"])
    assert r.returncode == 0, describe(r)
    r = run([v.python, "-c", "import ext; print(ext.twice(21))"], cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == b"42", describe(r)
    assert dry_run_mode(v.python).startswith("mode: one process")


# ------------------------------------------------ bases made here: the choice
# A copy of a pyenv base binary with its DT_RUNPATH string rewritten in place
# (same length: '/'s where the template says <PAD>), in a directory of its own whose lib/ holds
# what a test needs: the real library (linked), a broken one, or none.

def newest_pyenv(interps):
    found = [i for i in interps if i.present and is_pyenv(i) and i.kind == "cpython"]
    if not found:
        pytest.skip(f"no pyenv CPython under {PYENV_VERSIONS}")
    return found[-1]


class PatchedBase:
    def __init__(self, interp, runpath):
        self.real = interp.path.resolve()
        self.prefix_real = self.real.parent.parent
        orig = str(self.prefix_real / "lib")
        self.home = Path(tempfile.mkdtemp(dir="/tmp", prefix="op"))
        # "<PAD>" marks where the '/'s go that keep the string's length
        runpath = runpath.replace("HOME", str(self.home))
        pad = len(orig) - len(runpath) + len("<PAD>")
        if pad < 0:
            pytest.skip(f"{orig} is too short to hold {runpath}")
        runpath = runpath.replace("<PAD>", "/" * pad)
        data = self.real.read_bytes()
        old = orig.encode() + b"\0"
        assert data.count(old) == 1, f"{self.real}: DT_RUNPATH {orig} not found once"
        (self.home / "bin").mkdir()
        (self.home / "lib").mkdir()
        self.binary = self.home / "bin" / self.real.name
        self.binary.write_bytes(data.replace(old, runpath.encode() + b"\0"))
        self.binary.chmod(0o755)
        self.libname = next(p.name for p in (self.prefix_real / "lib").glob("libpython3*.so.1.0"))
        stdlib = self.real.name  # python3.12: lib/python3.12
        os.symlink(self.prefix_real / "lib" / stdlib, self.home / "lib" / stdlib)
        self.venv = self.home / "venv"
        (self.venv / "bin").mkdir(parents=True)
        version = self.real.name[len("python"):]
        (self.venv / "pyvenv.cfg").write_text(f"home = {self.home / 'bin'}\nversion = {version}.0\n")
        self.python = self.venv / "bin" / "python"
        shutil.copy2(DL, self.python)

    def link_real_library(self):
        os.symlink(self.prefix_real / "lib" / self.libname, self.home / "lib" / self.libname)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture
def patched():
    made = []

    def make(runpath):
        from conftest import INTERPRETERS
        p = PatchedBase(newest_pyenv(INTERPRETERS), runpath)
        made.append(p)
        return p
    yield make
    for p in made:
        p.cleanup()


MAPS = ("import sys; print(sys.prefix, sys.base_prefix); "
        "print(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libpython' in l}))")


@pytest.mark.parametrize("runpath", ["HOME/<PAD>lib", "$ORIGIN/<PAD>../lib",
                                     "${ORIGIN}/<PAD>../lib"])
def test_the_library_the_base_would_load(patched, runpath):
    """The library comes from the base's DT_RUNPATH, $ORIGIN being the base's
    directory: /proc/self/maps shows the same libpython as when the base runs."""
    p = patched(runpath)
    p.link_real_library()
    mode = dry_run_mode(p.python)
    assert mode.startswith("mode: one process, ") and mode.endswith(p.libname), mode
    ours = run([p.python, "-c", MAPS], env=clean_env(PYLAUNCHER_DEBUG="1"))
    base = run([p.binary, "-c", MAPS])
    assert ours.returncode == 0 and b"one process: Py" in ours.stderr, describe(ours)
    assert ours.stdout.splitlines()[1] == base.stdout.splitlines()[1], (describe(ours), describe(base))
    assert ours.stdout.split()[0] == bytes(p.venv)


def dynamic_offset(path):
    """p_offset of an ELF64 file's PT_DYNAMIC (little-endian, as on x86-64)."""
    import struct
    data = Path(path).read_bytes()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset = struct.unpack_from("<IIQ", data, phoff + i * phentsize)
        if p_type == 2:  # PT_DYNAMIC
            return p_offset
    return None


def test_a_base_whose_dynamic_section_lies_past_12_kib(tmp_path):
    """The launcher reads the first 12 KiB of the base, and up to 64 KiB only when
    its dynamic section lies further in (launcher/posix/oneproc_find.c): a base
    built here with 20 KiB of read-only data before that section still runs in
    one process, with the library it loads itself."""
    from conftest import INTERPRETERS
    interp = newest_pyenv(INTERPRETERS)
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler (cc)")
    real = interp.path.resolve()
    prefix, name = real.parent.parent, real.name  # python3.13
    xy = name[len("python"):]
    if tuple(map(int, xy.split("."))) < (3, 8):
        pytest.skip(f"{name} has no Py_BytesMain")
    home = tmp_path / "base"
    (home / "bin").mkdir(parents=True)
    (home / "lib").mkdir()
    os.symlink(prefix / "lib" / name, home / "lib" / name)  # its standard library
    src = tmp_path / "main.c"
    src.write_text("#include <Python.h>\n"
                   "__attribute__((used)) static const char pad[20480] = {1};\n"
                   "int main(int argc, char **argv) { return Py_BytesMain(argc, argv); }\n")
    binary = home / "bin" / name
    build = subprocess.run([cc, "-o", str(binary), str(src), f"-I{prefix / 'include' / name}",
                            f"-L{prefix / 'lib'}", f"-l{name}", f"-Wl,-rpath,{prefix / 'lib'}",
                            "-Wl,--enable-new-dtags"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert dynamic_offset(binary) > 12 * 1024, "the test base must put PT_DYNAMIC past 12 KiB"
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {home / 'bin'}\nversion = {xy}.0\n")
    python = venv / "bin" / "python"
    shutil.copy2(DL, python)
    mode = dry_run_mode(python)
    libname = next(p.name for p in (prefix / "lib").glob("libpython3*.so.1.0"))
    assert mode == f"mode: one process, {prefix / 'lib' / libname}", mode
    r = run([python, "-c", "import sys; print(sys.prefix)"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert r.returncode == 0 and b"one process: Py" in r.stderr, describe(r)
    assert r.stdout.strip() == bytes(venv)


@pytest.mark.parametrize("setup,reason", [
    ("hwcaps", "hardware-capability subdirectory"),
    ("missing", "not in its DT_RUNPATH"),
    ("relative", "relative entry"),
    ("empty", "empty entry"),
])
def test_what_cannot_be_decided_execs(patched, setup, reason):
    """A search the launcher does not model exactly: the dry run says exec and why,
    and the base runs by exec (its own loader decides)."""
    p = patched({"relative": "lib<PAD>", "empty": "HOME/<PAD>lib:"}.get(setup, "HOME/<PAD>lib"))
    if setup != "missing":
        p.link_real_library()
    if setup == "hwcaps":
        (p.home / "lib" / "glibc-hwcaps").mkdir()
    mode = dry_run_mode(p.python)
    assert mode.startswith("mode: exec, ") and reason in mode, mode
    r = run([p.python, "-c", "import os; print(os.readlink('/proc/self/exe'))"], cwd=p.home)
    direct = run([p.binary, "-c", "import os; print(os.readlink('/proc/self/exe'))"], cwd=p.home)
    assert (r.returncode, r.stdout) == (direct.returncode, direct.stdout), (describe(r), describe(direct))


@pytest.mark.parametrize("library", ["garbage", "no-entry-point"])
def test_a_library_that_fails_falls_back_to_exec(patched, library):
    """The library the ELF names cannot be loaded, or has no main entry: traced,
    then the base is exec'd and fails (or runs) exactly as when started directly;
    never a crash of the launcher."""
    p = patched("HOME/<PAD>lib")
    lib = p.home / "lib" / p.libname
    if library == "garbage":
        lib.write_bytes(b"not an ELF file\n")
    else:
        libz = next((Path(d) / "libz.so.1" for d in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                                       "/lib64", "/usr/lib64", "/usr/lib")
                     if (Path(d) / "libz.so.1").exists()), None)
        if not libz:
            pytest.skip("no libz.so.1 to stand in for a library without Py_BytesMain")
        shutil.copy(libz, lib)
    assert dry_run_mode(p.python).startswith("mode: one process, ")
    r = run([p.python, "-c", "pass"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    direct = run([p.binary, "-c", "pass"])
    assert r.returncode == direct.returncode and r.returncode > 0, (describe(r), describe(direct))
    want = b"cannot load" if library == "garbage" else b"has no main entry"
    assert want in r.stderr and b"venvshim: exec: " in r.stderr, describe(r)


# ------------------------------------------- install's record of the decision
# launcher/oneproc_record.h: install writes its decision into the launcher it
# installs, with what the decision depended on; a start uses it while all of
# that holds, and decides again (as without a record) when anything changed.

RECORD_MAGIC = b"venvshim-oneproc-record/1\0"


def record_lines(launcher):
    data = Path(launcher).read_bytes()
    assert data.count(RECORD_MAGIC) == 1, "the one-process launcher has one record area"
    at = data.index(RECORD_MAGIC) + len(RECORD_MAGIC)
    return data[at:data.index(b"\0\0", at)].split(b"\0") if data[at] else []


def launcher_calls(python, *args, env=None):
    """The system calls of a start, from the launcher's execve to the open of
    libpython (strace): what the launcher itself does before the interpreter."""
    if not shutil.which("strace"):
        pytest.skip("no strace (apt-get install strace)")
    with tempfile.NamedTemporaryFile() as out:
        r = run(["strace", "-qq", "-o", out.name, python, *args], env=env)
        assert r.returncode == 0, describe(r)
        lines = Path(out.name).read_text().splitlines()
    end = next(i for i, l in enumerate(lines) if "libpython3" in l and "openat" in l and "O_RDONLY" in l
               and "ENOENT" not in l)
    return lines[:end]


def test_install_records_the_decision(interp, oneproc_venvs):
    """The library install recorded is the one a start would find, and a start
    uses it: the base is opened once (not again for its ELF), no directory is
    searched for hardware-capability subdirectories, and /proc/self is never
    looked at (the loop check settles on the base's first bytes)."""
    if not is_pyenv(interp):
        pytest.skip(f"{interp.id}: the static launcher, no record")
    v = oneproc_venvs(interp)
    lines = record_lines(v.venv / "bin" / ".venvshim-launcher")
    mode = dry_run_mode(v.python)
    library = mode[len("mode: one process, "):]
    base = os.path.realpath(interp.path)
    # the decision made now (LD_LIBRARY_PATH set: no record) and the library
    # the base maps when it runs itself are the recorded one
    assert dry_run_mode(v.python, LD_LIBRARY_PATH="/nonexistent-venvshim") == mode
    mapped = run([base, "-c", MAPS])
    assert mapped.returncode == 0, describe(mapped)
    assert [os.path.realpath(library)] == [os.path.realpath(m) for m in
                                           ast.literal_eval(mapped.stdout.splitlines()[1].decode())], describe(mapped)
    assert [l[:1] for l in lines] == [b"B", b"D", b"L"], lines
    assert lines[0].endswith(b" " + base.encode()) and lines[2].endswith(b" " + library.encode()), lines
    r = run([v.python, "-c", "pass"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert r.returncode == 0 and b"the library install recorded: " + library.encode() in r.stderr, describe(r)
    calls = launcher_calls(v.python, "-S", "-c", "pass")
    assert sum(f'"{base}"' in l and "openat" in l for l in calls) == 1, calls
    assert not [l for l in calls if "hwcaps" in l or "O_DIRECTORY" in l or "/proc/self" in l], calls
    assert sum(os.path.dirname(library) in l and "stat" in l for l in calls) == 1, calls


@pytest.fixture
def recorded(patched):
    """A base made here, whose venv install converted in one-process mode
    after everything had been still for the "racily clean" second."""
    import time
    p = patched("HOME/<PAD>lib")
    p.link_real_library()
    time.sleep(2.1)
    r = run([CLI, "install", p.venv], env=clean_env(VENVSHIM_ONE_PROCESS="1"))
    assert r.returncode == 0 and b"not recorded" not in r.stdout + r.stderr, describe(r)
    assert record_lines(p.python)[-1].endswith(b"/lib/" + p.libname.encode())
    return p


@pytest.mark.parametrize("change,reason", [
    ("hwcaps", "a directory the loader searches changed"),
    ("new-entry", "a directory the loader searches changed"),
    ("base-replaced", "the base changed"),
    ("home-elsewhere", "it names another base"),
    ("ld-library-path", None),
])
def test_a_record_that_no_longer_holds_is_decided_again(recorded, change, reason, tmp_path):
    """Whatever the record depended on that changed, the start decides as
    without a record, and gets what that decision gets: exec for a
    hardware-capability subdirectory, the library LD_LIBRARY_PATH names first,
    one process again for a base replaced by an identical copy."""
    p = recorded
    env = clean_env(PYLAUNCHER_DEBUG="1")
    want_mode = "mode: one process, "
    if change == "hwcaps":
        (p.home / "lib" / "glibc-hwcaps").mkdir()
        want_mode = "mode: exec, "
    elif change == "new-entry":
        # any entry: the record cannot tell a harmless one from a library
        (p.home / "lib" / "unrelated-entry").write_text("")
    elif change == "base-replaced":
        copy = p.binary.with_name(p.binary.name + ".new")
        shutil.copy2(p.binary, copy)
        os.replace(copy, p.binary)
    elif change == "home-elsewhere":
        other = p.home / "bin2"
        shutil.copytree(p.home / "bin", other, symlinks=True)
        (p.venv / "pyvenv.cfg").write_text(
            (p.venv / "pyvenv.cfg").read_text().replace(f"{p.home / 'bin'}", f"{other}"))
    else:
        libdir = tmp_path / "first"
        libdir.mkdir()
        os.symlink(p.prefix_real / "lib" / p.libname, libdir / p.libname)
        env = clean_env(PYLAUNCHER_DEBUG="1", LD_LIBRARY_PATH=str(libdir))
        want_mode = f"mode: one process, {libdir / p.libname}"
    r = run([p.python, "-c", "import sys; print(sys.prefix)"], env=env)
    assert r.returncode == 0 and r.stdout.strip() == bytes(p.venv), describe(r)
    assert b"the library install recorded" not in r.stderr, describe(r)
    if reason:
        assert f"record does not hold ({reason})".encode() in r.stderr, describe(r)
    mode = dry_run_mode(p.python, **({"LD_LIBRARY_PATH": env["LD_LIBRARY_PATH"]}
                                     if "LD_LIBRARY_PATH" in env else {}))
    assert mode.startswith(want_mode), mode


def test_a_record_naming_another_library_is_not_used(recorded):
    """A record edited to name a library outside the directory it records
    (launcher/oneproc_record.c refuses it) is no record: the start decides,
    and check calls the file another build's launcher, which --fix replaces."""
    p = recorded
    data = bytearray(p.python.read_bytes())
    at = data.index(b"\0L", data.index(RECORD_MAGIC)) + 1
    end = data.index(b"\0", at)
    line = bytes(data[at:end])
    evil = line.replace(b"lib/" + p.libname.encode(), b"x/" + p.libname.encode())
    assert evil != line and len(evil) <= len(line)
    data[at:end] = evil + b"\0" * (len(line) - len(evil))
    p.python.write_bytes(bytes(data))
    r = run([p.python, "-c", "pass"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert r.returncode == 0 and b"the library install recorded" not in r.stderr, describe(r)
    assert b"one process: Py" in r.stderr, describe(r)  # decided again: the real library
    r = run([CLI, "check", p.venv])
    assert r.returncode == 1 and b"are not this build's launcher" in r.stdout, describe(r)
    r = run([CLI, "check", "--fix", p.venv])
    assert r.returncode == 0, describe(r)
    r = run([p.python, "-c", "pass"], env=clean_env(PYLAUNCHER_DEBUG="1"))
    assert b"the library install recorded" in r.stderr, describe(r)


def test_the_choice_persists_until_undone(tmp_path):
    """Once a venv has the one-process launcher, install (and check --fix, rebase,
    which install through it) keep that kind without the variable; =0 undoes it."""
    from conftest import INTERPRETERS
    interp = newest_pyenv(INTERPRETERS)
    venv = create_plain_venv(interp, tmp_path / "v")
    launcher = venv / "bin" / ".venvshim-launcher"
    for env, want in (({"VENVSHIM_ONE_PROCESS": "1"}, DL), ({}, DL),
                      ({"VENVSHIM_ONE_PROCESS": "0"}, STATIC), ({}, STATIC),
                      ({"VENVSHIM_ONE_PROCESS": "1"}, DL)):
        install_env = clean_env(**env)
        if not env:  # unset, even in a run of the suite in one-process mode
            install_env.pop("VENVSHIM_ONE_PROCESS", None)
        r = run([CLI, "install", venv], env=install_env)
        assert r.returncode == 0, describe(r)
        assert is_installed_launcher(launcher.read_bytes(), want.read_bytes()), (env, describe(r))
    # check --fix after a python name was replaced by a copy of the base
    (venv / "bin" / "python").unlink()
    shutil.copy2(interp.path.resolve(), venv / "bin" / "python")
    env = clean_env()
    env.pop("VENVSHIM_ONE_PROCESS", None)
    r = run([CLI, "check", "--fix", venv], env=env)
    assert r.returncode == 0, describe(r)
    assert os.readlink(venv / "bin" / "python") == ".venvshim-launcher"
    assert is_installed_launcher(launcher.read_bytes(), DL.read_bytes())
    assert dry_run_mode(venv / "bin" / "python").startswith("mode: one process, ")


def test_script_launchers_of_a_one_process_venv(tmp_path):
    """`relocate` in a one-process venv writes script launchers of that kind (as the
    pip-exit hook copies bin/python's launcher): the script runs in the launcher's
    own process and reports what it reported as a `#!` text script."""
    from conftest import INTERPRETERS
    interp = newest_pyenv(INTERPRETERS)
    venv = create_plain_venv(interp, tmp_path / "v")
    script = venv / "bin" / "hello"
    script.write_text(f"#!{venv / 'bin' / 'python'}\nimport os, sys\n"
                      "print(sys.argv, sys.executable, sys.prefix, __name__)\nsys.exit(5)\n")
    script.chmod(0o755)
    r = run([CLI, "install", venv], env=clean_env(VENVSHIM_ONE_PROCESS="1"))
    assert r.returncode == 0, describe(r)
    before = run([script, "a b"], cwd=tmp_path)
    env = clean_env()
    env.pop("VENVSHIM_ONE_PROCESS", None)  # unset: relocate keeps the venv's kind
    r = run([CLI, "relocate", venv], env=env)
    assert r.returncode == 0, describe(r)
    data = script.read_bytes()
    assert data.startswith(DL.read_bytes()) and len(data) > len(DL.read_bytes())
    assert dry_run_mode(script).startswith("mode: one process, ")
    after = run([script, "a b"], cwd=tmp_path)
    assert (after.returncode, after.stdout, after.stderr) == \
        (before.returncode, before.stdout, before.stderr) == (5, before.stdout, b""), \
        (describe(before), describe(after))
