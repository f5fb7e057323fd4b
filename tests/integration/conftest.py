"""Shared helpers for the venvshim integration tests.

Every test asserts what a *real* interpreter reports: the oracle is a plain
`python -m venv --without-pip` symlink venv probed before `venvshim install`
converts it. Interpreters: every ~/.pyenv/versions/3.* (3.6 ... 3.13 are
expected), Debian's /usr/bin/python3.11 and PyPy's /usr/bin/pypy3. An absent
interpreter is skipped with the path it was looked for at, never dropped.

The build directory is $VENVSHIM_BUILD_DIR (default: <repo>/build); it must
hold venvshim-launcher and venvshim. With VENVSHIM_ONE_PROCESS=1 in the
environment the suite runs in one-process mode: `venvshim install` (which sees
the variable) puts the one-process launcher where the base allows it, and the
tests that copy the launcher copy that one (venvshim-launcher-dl).
"""

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("VENVSHIM_BUILD_DIR") or REPO / "build").absolute()
ONE_PROCESS = os.environ.get("VENVSHIM_ONE_PROCESS") == "1"
LAUNCHER = BUILD_DIR / ("venvshim-launcher-dl" if ONE_PROCESS else "venvshim-launcher")
CLI = BUILD_DIR / "venvshim"

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
EXPECTED_PYENV_MINORS = range(6, 14)  # 3.6 ... 3.13
DEBIAN_PYTHON = Path("/usr/bin/python3.11")
PYPY = Path("/usr/bin/pypy3")
SYSTEM_PYTHON = Path("/usr/bin/python3")

# python, python3, python3.12, python3.13t, pypy, pypy3, pypy3.9
INTERPRETER_NAME = re.compile(r"(python|pypy)(\d+(\.\d+)?t?)?\Z")

# What the interpreter reports. Strings are sent as the hex of their
# os.fsencode() bytes, so non-UTF-8 paths survive any locale and any version.
PROBE = r"""
import json, os, site, sys, sysconfig
def b(s):
    return None if s is None else os.fsencode(s).hex()
json.dump({
    "executable": b(sys.executable),
    "prefix": b(sys.prefix),
    "exec_prefix": b(sys.exec_prefix),
    "base_prefix": b(sys.base_prefix),
    "base_exec_prefix": b(sys.base_exec_prefix),
    "path": [b(p) for p in sys.path],
    "sitepackages": [b(p) for p in site.getsitepackages()],
    "purelib": b(sysconfig.get_paths()["purelib"]),
    "argv0": b(sys.argv[0]),
    "version": "%d.%d" % sys.version_info[:2],
    "implementation": sys.implementation.name,
    "pid": os.getpid(),
}, sys.stdout)
"""
PROBE_TEXT_KEYS = ("version", "implementation", "pid")

# What must be identical between a symlink venv and the same venv converted.
SEMANTIC_KEYS = ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix", "path",
                 "sitepackages", "purelib")

# Where test venvs live, relative to a fresh temporary directory.
LOCATIONS = {
    "plain": "venv",
    "spaces": "dir with  spaces/my venv",
    "non-ascii": "\u00fcn\u00ef\u65e5\u672c/v\u00ebnv",  # ünï日本/vënv
    "non-utf8": os.fsdecode(b"bad\xff\xfedir/v\xffenv"),
}


# ---------------------------------------------------------------- interpreters

class Interp:
    """One base interpreter; absent ones are kept so they can be skipped loudly."""

    def __init__(self, id, path, kind, description, where=None):
        self.id = id
        self.path = Path(path)
        self.kind = kind  # "cpython" or "pypy"
        self.description = description
        self.where = where or str(path)

    @property
    def present(self):
        return self.path.is_file() and os.access(self.path, os.X_OK)

    def require(self):
        if not self.present:
            pytest.skip(f"{self.description} not found at {self.where}")

    def __repr__(self):
        return f"Interp({self.id}, {self.path})"


def _version_key(name):
    return tuple(int(x) for x in re.findall(r"\d+", name))


def discover_interpreters():
    # VENVSHIM_TEST_PYTHON=ID=PATH: that one interpreter instead of the list
    # below (tests/run-arm64: an arm64 CPython under emulation).
    only = os.environ.get("VENVSHIM_TEST_PYTHON")
    if only:
        id, sep, path = only.partition("=")
        assert sep and path, f"VENVSHIM_TEST_PYTHON={only!r}: expected ID=PATH"
        return [Interp(id, path, "cpython", f"{id} (VENVSHIM_TEST_PYTHON)")]
    interps = []
    seen_minors = set()
    dirs = sorted(PYENV_VERSIONS.glob("3.*"), key=lambda d: _version_key(d.name)) \
        if PYENV_VERSIONS.is_dir() else []
    for d in dirs:
        m = re.match(r"3\.(\d+)", d.name)
        if not m:
            continue
        seen_minors.add(int(m.group(1)))
        interps.append(Interp(f"pyenv-{d.name}", d / "bin" / "python3", "cpython",
                              f"pyenv CPython {d.name}"))
    for minor in EXPECTED_PYENV_MINORS:
        if minor not in seen_minors:
            interps.append(Interp(f"pyenv-3.{minor}", PYENV_VERSIONS / f"3.{minor}.x/bin/python3",
                                  "cpython", f"pyenv CPython 3.{minor}",
                                  where=f"{PYENV_VERSIONS}/3.{minor}.*/bin/python3"))
    interps.sort(key=lambda i: _version_key(i.id))
    interps.append(Interp("debian-3.11", DEBIAN_PYTHON, "cpython", "Debian CPython 3.11"))
    interps.append(Interp("pypy3", PYPY, "pypy", "PyPy 3 (apt-get install pypy3)"))
    return interps


INTERPRETERS = discover_interpreters()


def pytest_generate_tests(metafunc):
    # Any test asking for `interp` runs once per expected interpreter.
    if "interp" in metafunc.fixturenames:
        metafunc.parametrize("interp", INTERPRETERS, ids=[i.id for i in INTERPRETERS],
                             indirect=True)


@pytest.fixture
def interp(request):
    i = request.param
    i.require()
    return i


@pytest.fixture(scope="session")
def primary():
    """The interpreter for pass-through tests: pyenv 3.12 if present."""
    cpythons = [i for i in INTERPRETERS if i.kind == "cpython" and i.present]
    for i in cpythons:
        if i.id.startswith("pyenv-3.12"):
            return i
    if cpythons:
        return cpythons[-1]
    pytest.skip(f"no CPython found (looked at {PYENV_VERSIONS}/3.*/bin/python3 and {DEBIAN_PYTHON})")


# --------------------------------------------------------------- build output

@pytest.fixture(scope="session", autouse=True)
def built():
    missing = [str(p) for p in (LAUNCHER, CLI) if not (p.is_file() and os.access(p, os.X_OK))]
    if missing:
        pytest.fail(f"venvshim is not built: missing {', '.join(missing)} "
                    f"(set VENVSHIM_BUILD_DIR or run: meson setup build && meson compile -C build)",
                    pytrace=False)


# What install appends to the launcher file: the base it was installed for
# (launcher/base_trailer.h), used only when home gives no base.
LAUNCHER_RECORD = re.compile(rb"venvshim-base/1\n/[^\n\0]*\n\Z")


ONEPROC_RECORD_MAGIC = b"venvshim-oneproc-record/1\0"
ONEPROC_RECORD_SIZE = 1024  # launcher/oneproc_record.h


def without_oneproc_record(data):
    """data with the one-process launcher's record area emptied, as built
    (launcher/oneproc_record.h): install writes its decision there."""
    at = data.find(ONEPROC_RECORD_MAGIC)
    if at < 0 or data.count(ONEPROC_RECORD_MAGIC) != 1:
        return data
    start = at + len(ONEPROC_RECORD_MAGIC)
    end = at + ONEPROC_RECORD_SIZE
    return data[:start] + bytes(end - start) + data[end:]


def is_installed_launcher(data, built):
    """data is the launcher file built (bytes) as install writes it: the same
    bytes, the one-process record filled in or not, optionally followed by the
    record of the base."""
    data = without_oneproc_record(bytes(data))
    return data == built or (data.startswith(built) and
                             LAUNCHER_RECORD.match(data, len(built)) is not None)


class _InstalledLauncher(bytes):
    """Compares equal to the launcher as install writes it (is_installed_launcher).
    In one-process mode install puts the static launcher where the base links no
    shared libpython (Debian's python3.11, PyPy): either file is the launcher."""

    def __eq__(self, other):
        kinds = [bytes(self)]
        if ONE_PROCESS:
            kinds.append((BUILD_DIR / "venvshim-launcher").read_bytes())
        return any(is_installed_launcher(other, k) for k in kinds)

    def __ne__(self, other):
        return not self == other

    __hash__ = bytes.__hash__


@pytest.fixture(scope="session")
def launcher_bytes():
    return _InstalledLauncher(LAUNCHER.read_bytes())


# ----------------------------------------------------------------- processes

def clean_env(**extra):
    """os.environ minus PYTHON*, __PYVENV_LAUNCHER__, VIRTUAL_ENV, PYLAUNCHER_*.

    LC_ALL=C.UTF-8 makes every version decode paths alike, and keeps 3.7+
    from coercing a C locale (which would add LC_CTYPE to the environment)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "PYLAUNCHER_"))
           and k not in ("__PYVENV_LAUNCHER__", "VIRTUAL_ENV")}
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


def run(argv, *, env=None, cwd=None, input=None, timeout=60):
    """Run argv (str, bytes or Path items) with captured bytes output."""
    return subprocess.run(list(argv), env=clean_env() if env is None else env, cwd=cwd,
                          input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def tree_state(root):
    """{relative path: (mode, bytes or link target)} of everything under root:
    compared before and after, "nothing changed"."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = (st.st_mode, Path(p).read_bytes())
            else:
                out[rel] = (stat.S_IFMT(st.st_mode), None)
    return out


def describe(result):
    return (f"exit status {result.returncode}\n"
            f"stdout: {result.stdout[-2000:]!r}\nstderr: {result.stderr[-3000:]!r}")


def decode_probe(data):
    out = {}
    for key, value in data.items():
        if key in PROBE_TEXT_KEYS or value is None:
            out[key] = value
        elif isinstance(value, list):
            out[key] = [bytes.fromhex(v) for v in value]
        else:
            out[key] = bytes.fromhex(value)
    return out


def parse_probe(result, what):
    assert result.returncode == 0, f"probe of {what!r} failed: {describe(result)}"
    try:
        return decode_probe(json.loads(result.stdout))
    except ValueError:
        raise AssertionError(f"probe of {what!r} printed no JSON: {describe(result)}")


def probe(cmd, *, cwd=None, env=None):
    """Run cmd (argv prefix: the interpreter) with -c PROBE; the report as a dict.

    Path values are bytes; "path" and "sitepackages" are lists of bytes."""
    return parse_probe(run([*cmd, "-c", PROBE], cwd=cwd, env=env), cmd)


def semantic_diff(actual, expected, keys=SEMANTIC_KEYS):
    """{key: (expected, actual)} for every key that differs."""
    return {k: (expected[k], actual[k]) for k in keys if actual[k] != expected[k]}


def relativize(report, root, marker=b"<VENV>"):
    """The report with the leading `root` of every path replaced by marker."""
    root = os.fsencode(root)

    def sub(v):
        if v == root or v.startswith(root + b"/"):
            return marker + v[len(root):]
        return v

    out = dict(report)
    for k, v in report.items():
        if isinstance(v, bytes):
            out[k] = sub(v)
        elif isinstance(v, list):
            out[k] = [sub(x) for x in v]
    return out


# ---------------------------------------------------------------------- venvs

def is_utf8(p):
    try:
        os.fsencode(p).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def copy_python_installation(prefix, dest):
    """A copy of the installation at prefix (a pyenv version) with what it needs to
    start, for tests that remove a venv's base: its test suite, caches, headers
    and static library (most of its size) are left out."""
    xy = re.search(r"\d+\.\d+", Path(prefix).name).group(0)
    shutil.copytree(prefix, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("test", "tests", "__pycache__", "idlelib",
                                                  "tkinter", "site-packages", "include", "share",
                                                  f"config-{xy}-*", "*.a"))
    return Path(dest)


def create_plain_venv(interp, dest, *, system_site=False):
    """`interp -m venv --without-pip dest`: the oracle, a symlink venv.

    CPython 3.11+ and PyPy cannot write their activate scripts into a
    non-UTF-8 directory, so such a venv is created under a clean name and
    renamed: a --without-pip venv holds no absolute path to itself that the
    interpreter uses (only activate scripts and the informational `command`)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = dest
    if not is_utf8(dest):
        clean_dir = next(d for d in dest.parents if is_utf8(d))
        target = clean_dir / "clean-name-venv-staging"
    argv = [interp.path, "-m", "venv", "--without-pip"]
    if system_site:
        argv.append("--system-site-packages")
    r = run([*argv, target], timeout=120)
    assert r.returncode == 0, f"{interp.path} -m venv {target} failed: {describe(r)}"
    if target != dest:
        os.rename(target, dest)
    return dest


def venvshim_install(venv):
    r = run([CLI, "install", venv])
    assert r.returncode == 0, f"venvshim install {venv} failed: {describe(r)}"
    return r


def bin_names(venv):
    """Interpreter names in venv/bin (python, python3, python3.X, pypy3, ...)."""
    bindir = Path(venv) / "bin"
    return sorted(n for n in os.listdir(bindir)
                  if INTERPRETER_NAME.match(n)
                  and (os.path.islink(bindir / n) or os.path.isfile(bindir / n)))


def read_cfg(path):
    """pyvenv.cfg as CPython 3.11+ reads it: first value of each lower-cased key."""
    cfg = {}
    for line in Path(path).read_bytes().split(b"\n"):
        key, sep, value = line.partition(b"=")
        if sep:
            cfg.setdefault(key.strip().lower().decode("utf-8", "surrogateescape"),
                           os.fsdecode(value.strip()))
    return cfg


class VenvRecord:
    """A symlink venv probed by every name, then converted and probed again."""

    def __init__(self, interp, venv, version, names, before, after):
        self.interp = interp
        self.venv = venv
        self.version = version  # "3.12"
        self.names = names
        self.before = before  # name -> probe of the symlink venv (the oracle)
        self.after = after    # name -> probe of the same venv after venvshim install

    def exe(self, name="python"):
        return self.venv / "bin" / name


class VenvStore:
    """Session cache of converted venvs. Tests must not modify them."""

    def __init__(self, factory):
        self._factory = factory
        self._cache = {}

    def converted(self, interp, location="plain", system_site=False):
        key = (interp.id, location, system_site)
        if key not in self._cache:
            try:
                self._cache[key] = self._build(interp, location, system_site)
            except Exception as e:  # remember it: do not rebuild for every test
                self._cache[key] = e
        value = self._cache[key]
        if isinstance(value, Exception):
            pytest.fail(f"setting up the {location} venv of {interp.id} failed: {value}",
                        pytrace=False)
        return value

    def _build(self, interp, location, system_site):
        base = self._factory.mktemp(f"{interp.id}-{location}{'-ssp' if system_site else ''}")
        venv = create_plain_venv(interp, base / LOCATIONS[location], system_site=system_site)
        # CPython 3.6-3.8 make no bin/python3.X: add it as 3.9+ do (a symlink
        # to python3), so that every venv is probed by its versioned name too.
        version = probe([venv / "bin" / "python"])["version"]
        versioned = venv / "bin" / f"python{version}"
        if not os.path.lexists(versioned):
            os.symlink("python3", versioned)
        names = bin_names(venv)
        before = {n: probe([venv / "bin" / n]) for n in names}
        venvshim_install(venv)
        after = {n: probe([venv / "bin" / n]) for n in names}
        return VenvRecord(interp, venv, version, names, before, after)


@pytest.fixture(scope="session")
def venvs(tmp_path_factory):
    return VenvStore(tmp_path_factory)


def make_fake_venv(root, cfg, *, name="python"):
    """root/bin/<name> = a copy of the launcher; root/pyvenv.cfg = cfg (bytes),
    or no pyvenv.cfg when cfg is None. Returns the launcher path."""
    root = Path(root)
    (root / "bin").mkdir(parents=True, exist_ok=True)
    exe = root / "bin" / name
    shutil.copy2(LAUNCHER, exe)
    if cfg is not None:
        (root / "pyvenv.cfg").write_bytes(cfg)
    return exe


def make_fake_home(root, names=("python3",), *, mode=0o755, content=None):
    """A directory holding a stand-in interpreter that only reports it ran."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    body = content if content is not None else b'#!/bin/sh\necho FAKE-PYTHON-RAN "$0" "$@"\n'
    for n in names:
        (root / n).write_bytes(body)
        os.chmod(root / n, mode)
    return root


def is_regular_file(p):
    return stat.S_ISREG(os.lstat(p).st_mode)


LAUNCHER_FILE = ".venvshim-launcher"


def is_launcher_link(p):
    """install's layout: bin/<name> a relative symlink to the one launcher file
    bin/.venvshim-launcher, itself a regular file (python -m venv --upgrade
    leaves symlinks alone)."""
    p = Path(p)
    return (os.path.islink(p) and os.readlink(p) == LAUNCHER_FILE
            and is_regular_file(p.parent / LAUNCHER_FILE))


def pytest_report_header(config):
    present = ", ".join(i.id for i in INTERPRETERS if i.present) or "none"
    absent = ", ".join(i.id for i in INTERPRETERS if not i.present) or "none"
    return [f"venvshim build: {BUILD_DIR}", f"interpreters: {present}; absent (skipped): {absent}"]
