"""`venvshim upgrade DIR --python PATH`: a venv moves to another X.Y of Python
(or to PyPy of the same language version) with its packages
(docs/lifecycle.md). Offline, real interpreters: venvs made with pyenv's 3.11
(and a copy of it, then removed), Debian's 3.11 and pyenv's 3.9 hold local
projects (console and GUI scripts, package data, a .pth file, a namespace
package, a dependency, a C extension, an editable project; upgrade_inputs.py)
and are upgraded to pyenv's 3.12 and 3.13 and to PyPy 3.9 (its C extension
built with pypy3-dev's headers): from --find-links wheels, an sdist, a local
index named by pip's configuration, pip's wheel cache with that index gone,
and with a distribution left out (--allow-missing). (`python -m venv
--upgrade` is test_upgrade.py's.) Every upgrade imports every module, runs every console
script, and compares `pip list` and `pip freeze` before and after.

CI time: the inputs are built once, by setuptools' backend directly; the old
venvs are made in the background (two at a time) while earlier tests run,
with pip run from its unpacked wheel and nothing byte-compiled; each kind of
upgrade runs once, and the interrupted ones are killed at the phases the
command reports (or, for the swap, at its rename, by strace)."""

import concurrent.futures
import http.server
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import upgrade_inputs as ui
from conftest import BUILD_DIR, CLI, DEBIAN_PYTHON, PYENV_VERSIONS, PYPY, clean_env, describe, \
    run, tree_state


def pyenv_python(minor):
    found = sorted(PYENV_VERSIONS.glob(f"3.{minor}.*/bin/python3.{minor}"))
    return found[-1] if found else None


PY39, PY311, PY312, PY313 = (pyenv_python(m) for m in (9, 11, 12, 13))
missing = [n for n, p in (("pyenv 3.11", PY311), ("pyenv 3.12", PY312), ("pyenv 3.13", PY313))
           if p is None]
if missing or not ui.build_tools():
    pytest.skip(f"venvshim upgrade tests need {', '.join(missing) or 'nothing more'} and "
                f"setuptools/wheel wheels under {ui.TEST_WHEELS}", allow_module_level=True)


def pypy_headers():
    """PyPy's Python.h (Debian: pypy3-dev, tests/run-all installs it), or None."""
    if not PYPY.exists():
        return None
    r = run([PYPY, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
    h = Path(r.stdout.decode().strip()) / "Python.h"
    return h if r.returncode == 0 and h.exists() else None


PYPY_HEADERS = pypy_headers()
FALLBACK_CLI = BUILD_DIR / "venvshim-swap-fallback"  # dir_swap_other.c (meson.build)
STRACE = shutil.which("strace")
UPGRADE_TIMEOUT = 900
# no index, no pip configuration (--no-index), no pip cache (the caller's, or
# one test's, would change what another finds)
ENV = ui.offline_env(PIP_NO_CACHE_DIR="1")
TIMINGS = []  # (what, seconds) of every successful upgrade, reported at the end


@pytest.fixture(scope="module", autouse=True)
def report_timings(request):
    """How long the upgrade of the test venv takes: one line per upgrade in
    the test output (the terminal summary), whatever the capture mode."""
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # what capsys.disabled() does
        for what, took in TIMINGS:
            print(f"venvshim upgrade timing: {what}: {took:.1f} s")


# ---- inputs and old venvs, built once, in the background ----

class Background:
    """Work started early and waited for where it is needed: the inputs,
    then every old venv the selected tests use, two at a time."""

    def __init__(self, root, bases):
        self.root, self.bases = root, bases
        self.pool = concurrent.futures.ThreadPoolExecutor(2)
        self.jobs = {}
        self.lock = threading.Lock()

    def start(self, name, fn, *args):
        with self.lock:
            if name not in self.jobs:
                self.jobs[name] = self.pool.submit(fn, *args)
            return self.jobs[name]

    def get(self, name):
        if name in OLD_VENVS:
            self.start(name, OLD_VENVS[name], self)
        return self.jobs[name].result()


def build_inputs(root):
    """Projects, wheels and an sdist: w311 (every project for 3.11, pure ones
    py3-none-any), w312, w39 and wpypy (the C extension for 3.12, 3.9, PyPy
    3.9), sdist (the C extension's sdist), each --find-links directory with
    the setuptools and wheel wheels an editable's or an sdist's isolated build
    needs (tools-only: nothing else)."""
    started = time.monotonic()
    src = ui.write_projects(root / "src")
    tools = root / "tools"
    for w in ui.build_tools():
        ui.unpack(w, tools)
    out = {"src": src, "cache": root / "pip-cache"}
    out["cache"].mkdir()
    jobs = [(PY311, p, "w311", "wheel") for p in ("alpha", "beta", "cext")]
    jobs += [(PY312, "cext", "w312", "wheel"), (PY313, "cext", "sdist", "sdist")]
    if PY39:
        jobs.append((PY39, "cext", "w39", "wheel"))
    if PYPY_HEADERS:
        jobs.append((PYPY, "cext", "wpypy", "wheel"))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda j: ui.build(j[0], tools, src / j[1], root / j[2], j[3]), jobs))
    for d in {j[2] for j in jobs} | {"tools-only"}:
        out[d] = root / d
        out[d].mkdir(exist_ok=True)
        for w in ui.build_tools():
            shutil.copy(w, out[d])
    print(f"upgrade inputs built in {time.monotonic() - started:.1f} s")
    return out


def make_old_venv(bg, python, name, *, venv_args=(), relocatable=False, pip=True,
                  projects=("vs-beta", "vs-cext"), editable=True, wheels=("w311",)):
    """An old venv made by python: what `python -m venv` makes (pip and
    setuptools as its ensurepip would install them, unless pip=False) holding
    the projects, the editable one from its source directory."""
    inputs = bg.get("inputs")
    dest = bg.root / name
    if relocatable:
        r = run([CLI, "create", "--relocatable", "--without-pip", "--python", python, *venv_args,
                 dest], env=clean_env(), timeout=300)
        assert r.returncode == 0, describe(r)
    else:
        ui.run_ok([python, "-m", "venv", "--without-pip", *venv_args, dest])
    want = list(projects) + (ui.ensurepip_requirements(python) if pip else [])
    if editable:
        want += ["--editable", inputs["src"] / "edit"]
    links = [ui.bundled_wheels(python)] + [inputs[w] for w in wheels]
    ui.install_with(dest, ui.pip_runner(python, inputs["cache"]),
                    [a for d in links for a in ("--find-links", d)] + want)
    if relocatable:  # pip ran from outside: its scripts become script launchers
        r = run([CLI, "relocate", dest], env=clean_env())
        assert r.returncode == 0, describe(r)
    return dest


def gone(bg):
    """Relocatable, made by a copy of pyenv's 3.11 that is then removed (the
    usual case): bin/python exits 103. pip's view of it, taken before."""
    # not in the venv's directory: create --relocatable would record a relative home
    base = ui.copy_python(PY311.parents[1], bg.bases / "py311", "3.11")
    venv = make_old_venv(bg, base, "gone", relocatable=True)
    before = pip_state(venv)
    shutil.rmtree(bg.bases / "py311")
    return venv, before


def fill_pip_cache(bg):
    """pip's wheel cache after pyenv's 3.12 pip installed vs-cext once from
    its sdist on a local index (as into another 3.12 venv: pip builds the
    wheel and keeps it in its cache), the index then gone. (PIP_CACHE_DIR, the
    index's URL.)"""
    inputs = bg.get("inputs")
    cache = bg.root / "pip-cache-of-3.12"
    index = Index(bg.root / "index-for-the-cache",
                  [inputs["sdist"] / "vs-cext-2.0.tar.gz", *ui.build_tools()])
    ui.run_ok([PY312, "-I", ui.pip_runner(PY312, inputs["cache"]), "install", "--no-compile",
               "--target", bg.root / "scratch-3.12", "--index-url", index.url, "vs-cext==2.0"],
              env=ui.offline_env(PIP_CACHE_DIR=str(cache)))
    index.server.shutdown()
    index.server.server_close()
    assert list((cache / "wheels").rglob("vs_cext-2.0-cp312-*.whl")), "pip cached no wheel"
    return cache, index.url


# fixture name -> how Background makes it (only those of the selected tests)
OLD_VENVS = {
    "options_venv": lambda bg: make_old_venv(
        bg, PY311, "opts", venv_args=("--system-site-packages", "--prompt", "old prompt")),
    "gone_venv": gone,
    "debian_venv": lambda bg: make_old_venv(bg, DEBIAN_PYTHON, "deb"),
    "py39_venv": lambda bg: make_old_venv(bg, PY39, "p39", editable=False, wheels=("w311", "w39")),
    "pip_cache": fill_pip_cache,
    "small_venv": lambda bg: make_old_venv(bg, PY311, "small", pip=False,
                                           projects=["vs-alpha", "vs-cext"], editable=False),
    "small_venv_2": lambda bg: make_old_venv(bg, PY311, "twin", pip=False, projects=["vs-alpha"],
                                             editable=False),
    "newer_venv": lambda bg: make_old_venv(bg, PY312, "newer", pip=False,
                                           projects=["vs-alpha", "vs-cext"], editable=False,
                                           wheels=("w311", "w312")),
}
MISSING = {"debian_venv": None if DEBIAN_PYTHON.exists() else f"{DEBIAN_PYTHON} not installed",
           "py39_venv": None if PY39 and PYPY_HEADERS else
           f"the PyPy upgrade needs pyenv's 3.9, {PYPY} and its C headers (pypy3-dev)"}


@pytest.fixture(scope="session")
def background(tmp_path_factory, request):
    """Starts the inputs and the old venvs of the selected tests at once."""
    bg = Background(tmp_path_factory.mktemp("upgrade-old"), tmp_path_factory.mktemp("bases"))
    bg.start("inputs", build_inputs, tmp_path_factory.mktemp("upgrade-inputs"))
    for item in request.session.items:
        if Path(str(item.fspath)) != Path(__file__):
            continue
        for name in getattr(item, "fixturenames", ()):
            if name in OLD_VENVS and not MISSING.get(name):
                bg.start(name, OLD_VENVS[name], bg)
    yield bg
    bg.pool.shutdown(wait=True)


def old_venv(background, name):
    if MISSING.get(name):
        pytest.skip(MISSING[name])
    return background.get(name)


@pytest.fixture
def inputs(background):
    return background.get("inputs")


def old_venv_fixture(name):
    """The fixture `name`: Background's old venv of that name (gone_venv is
    shared by the refusals, which only read it, and its upgrade)."""
    @pytest.fixture(name=name, scope="module" if name == "gone_venv" else "function")
    def fixture(background):
        return old_venv(background, name)
    return fixture


for _name in OLD_VENVS:  # options_venv, gone_venv, debian_venv, py39_venv, small_venv...
    globals()[_name] = old_venv_fixture(_name)


# ---- what the tests look at ----

def pip_state(venv):
    py = venv / "bin" / "python"
    freeze = ui.run_ok([py, "-m", "pip", "freeze", "--all", "--local"], env=ENV)
    listing = json.loads(ui.run_ok([py, "-m", "pip", "list", "--local", "--format=json"], env=ENV))
    return freeze, sorted((d["name"], d["version"], d.get("editable_project_location"))
                          for d in listing)


def bundled_pip_version(python):
    return sorted(ui.bundled_wheels(python).glob("pip-*.whl"))[-1].name.split("-")[1]


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def assert_same_packages(venv, before, python, when):
    """pip list and pip freeze as before; pip itself is the new Python's
    bundled pip when the old one is older (an old pip may not run on it)."""
    freeze, listing = pip_state(venv)
    old_pip = next(v for n, v, _ in before[1] if n == "pip")
    new_pip = next(v for n, v, _ in listing if n == "pip")
    bundled = bundled_pip_version(python)
    assert new_pip == (bundled if version_key(old_pip) < version_key(bundled) else old_pip), when
    drop = lambda lines: [l for l in lines if not l.startswith("pip==")]
    assert drop(freeze.splitlines()) == drop(before[0].splitlines()), when
    assert [x for x in listing if x[0] != "pip"] == [x for x in before[1] if x[0] != "pip"], when


def assert_works(venv, version, when, imports=ui.IMPORTS, scripts=ui.SCRIPTS):
    """Every module imports, every console script prints what it should, the
    .pth file ran, the package data is there, and python is the launcher."""
    py = venv / "bin" / "python"
    code = ("import sys, os, json, " + ", ".join(imports) + "; print(json.dumps("
            "[sys.implementation.name, sys.version_info[:2], sys.prefix,"
            " os.environ.get('VS_ALPHA_PTH'), alpha.data()]))")
    r = run([py, "-c", code], env=clean_env())
    assert r.returncode == 0, f"{when}: {describe(r)}"
    impl, got, prefix, pth, data = json.loads(r.stdout.decode().splitlines()[-1])
    assert [impl, got] == version, when
    assert os.path.realpath(prefix) == os.path.realpath(venv), when
    assert (pth, data) == ("ran", "alpha-data"), when
    for script, says in scripts.items():
        r = run([venv / "bin" / script], env=clean_env())
        assert r.returncode == 0 and r.stdout.decode().strip() == says, \
            f"{when}: {script}: {describe(r)}"
    assert os.path.islink(venv / "bin" / "python") and \
        os.readlink(venv / "bin" / "python") == ".venvshim-launcher", f"{when}: not a venvshim venv"
    # no file names the building location (#! lines, RECORD, direct_url.json,
    # .pth files, a .pyc's co_filename...); a script launcher ignores its #!
    for f in venv.rglob("*"):
        if f.is_file() and not f.is_symlink():
            data = f.read_bytes()
            assert b"venvshim-upgrade" not in data or \
                (f.parent == venv / "bin" and data[:4] == b"\x7fELF"), f"{when}: {f}"


def upgrade(venv, python, *extra, expect=0, find_links=None, env=ENV, cli=CLI):
    argv = [cli, "upgrade", venv, "--python", python]
    if find_links:
        argv += ["--find-links", find_links]
    started = time.monotonic()
    r = run(argv + list(extra), env=env, timeout=UPGRADE_TIMEOUT)
    took = time.monotonic() - started
    assert r.returncode == expect, describe(r)
    if expect == 0 and "--dry-run" not in extra:
        TIMINGS.append((f"{venv.name} to {Path(python).name} {' '.join(map(str, extra))}".strip(),
                        took))
    return r


def traced(env):
    """env for a run under strace: LeakSanitizer (the ASan build,
    tests/run-hardening) cannot work under ptrace."""
    return dict(env, ASAN_OPTIONS=f"{env.get('ASAN_OPTIONS', '')}:detect_leaks=0".lstrip(":"))


def siblings(venv):
    return sorted(p.name for p in venv.parent.iterdir() if p.name.startswith(venv.name + "."))


def check(venv, *args):
    return run([CLI, "check", *args, venv], env=clean_env())


# ---- the upgrades ----

def test_upgrade_to_313_from_an_sdist_keeps_the_venvs_options(options_venv, inputs, tmp_path):
    """pyenv's 3.11 (still installed) to 3.13, the C extension built from its
    sdist in --find-links; include-system-site-packages and prompt carry over."""
    venv = options_venv
    before = pip_state(venv)
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = true" in cfg and "prompt = 'old prompt'" in cfg, cfg
    # --find-links is repeatable: every directory counts, not only the first
    r = upgrade(venv, PY313, "--json", "--find-links", inputs["sdist"], find_links=tmp_path)
    report = json.loads(r.stdout)
    assert (report["ok"], report["changed"]) == (True, True)
    how = {d["name"]: (d["action"], d.get("source", "")) for d in report["plan"]["distributions"]}
    assert how["vs-cext"] == ("sdist", str(inputs["sdist"] / "vs-cext-2.0.tar.gz")), how
    assert report["plan"]["options"] == {"system_site_packages": True, "prompt": "old prompt",
                                         "relocatable": False}
    assert siblings(venv) == ["opts.3.11.bak"]
    assert_works(venv, ["cpython", [3, 13]], "3.11 -> 3.13 from an sdist")
    assert_same_packages(venv, before, PY313, "3.11 -> 3.13")
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = true" in cfg and "prompt = 'old prompt'" in cfg, cfg
    r = run([venv / "bin" / "python", "-c", "import sys; print(sys.path)"], env=clean_env())
    assert str(PY313.parents[1] / "lib" / "python3.13" / "site-packages") in r.stdout.decode()
    # the old venv, untouched but for its name; check says what it is
    bak = venv.parent / "opts.3.11.bak"
    assert (bak / "lib" / "python3.11" / "site-packages").is_dir()
    r = check(bak)
    assert b"is the venv as it was before 'venvshim upgrade' moved opts" in r.stdout, describe(r)


def test_refusals_change_nothing_and_say_why(gone_venv, inputs, tmp_path):
    venv = gone_venv[0]
    assert (venv / "lib" / "python3.11").is_dir(), "runs before the upgrade of gone_venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    state = tree_state(venv)

    # a compiled distribution with no wheel for the new Python
    r = upgrade(venv, PY312, expect=1)
    assert b"vs-cext" in r.stdout and b"no wheel or sdist of 2.0 for CPython 3.12" in r.stdout, \
        describe(r)
    assert b"nothing changed" in r.stderr and b"--allow-missing" in r.stderr, describe(r)
    assert tree_state(venv) == state and siblings(venv) == []

    # a RECORD naming a file outside the venv
    record = next(site.glob("vs_alpha-*.dist-info")) / "RECORD"
    saved = record.read_bytes()
    record.write_bytes(saved + b"../../../../../../../../etc/passwd,,\n")
    state = tree_state(venv)
    r = upgrade(venv, PY312, expect=1, find_links=inputs["w312"])
    assert b"outside the venv" in r.stdout and b"vs-alpha" in r.stdout, describe(r)
    assert tree_state(venv) == state and siblings(venv) == []
    record.write_bytes(saved)

    # an editable whose direct_url.json names a directory that is not there
    direct = next(site.glob("vs_edit-*.dist-info")) / "direct_url.json"
    saved = direct.read_bytes()
    direct.write_text(json.dumps({"url": f"file://{tmp_path}/gone", "dir_info": {"editable": True}}))
    state = tree_state(venv)
    r = upgrade(venv, PY312, expect=1, find_links=inputs["w312"])
    assert f"{tmp_path}/gone".encode() in r.stdout, describe(r)
    assert tree_state(venv) == state and siblings(venv) == []
    direct.write_bytes(saved)

    # the same X.Y is rebase's
    r = upgrade(venv, PY311, expect=1)
    assert b"venvshim rebase" in r.stderr, describe(r)


def test_upgrade_when_the_old_base_is_gone_keeps_a_relocatable_venv_relocatable(
        gone_venv, pip_cache, inputs, tmp_path):
    """The C extension from pip's wheel cache: 3.12's pip built it from the
    sdist of an index that is gone now (fill_pip_cache); pip alone finds a
    cached wheel only through that index, the upgrade offers it itself."""
    venv, before = gone_venv
    cache, gone_index = pip_cache
    r = run([venv / "bin" / "python", "-c", "pass"], env=clean_env())
    assert r.returncode == 103, describe(r)
    env = {k: v for k, v in ENV.items() if k != "PIP_NO_CACHE_DIR"}
    env.update(PIP_CACHE_DIR=str(cache))
    # the index pip built it from is gone: pip's own answer is no
    r = run([PY312, "-I", ui.pip_runner(PY312, inputs["cache"]), "download", "--no-deps", "-d",
             tmp_path / "dl", "--index-url", gone_index, "--retries", "0", "vs-cext==2.0"],
            env=env, timeout=120)
    assert r.returncode != 0 and b"No matching distribution" in r.stderr + r.stdout, describe(r)
    # a cache directory others can write is not used
    wheels = cache / "wheels"
    wheels.chmod(0o777)
    r = upgrade(venv, PY312, "--dry-run", expect=1, find_links=inputs["tools-only"], env=env)
    assert b"no wheel or sdist of 2.0 for CPython 3.12" in r.stdout, describe(r)
    wheels.chmod(0o755)
    # only the editable's build requirements in --find-links
    r = upgrade(venv, PY312, "--no-keep-old", "--json", find_links=inputs["tools-only"], env=env)
    how = {d["name"]: (d["action"], d.get("source", ""))
           for d in json.loads(r.stdout)["plan"]["distributions"]}
    assert how["vs-cext"][0] == "cache" and how["vs-cext"][1].startswith(f"{cache}/wheels/") and \
        "vs_cext-2.0-cp312" in how["vs-cext"][1], how
    assert siblings(venv) == []
    assert_works(venv, ["cpython", [3, 12]], "after upgrading a venv whose base is gone")
    assert_same_packages(venv, before, PY312, "base gone")
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    shutil.move(venv, moved)
    for script, says in ui.SCRIPTS.items():
        r = run([moved / "bin" / script], env=clean_env())
        assert r.returncode == 0 and r.stdout.decode().strip() == says, \
            f"moved, {script}: {describe(r)}"


# ---- interrupted: killed at the phases the command reports ----

class Index:
    """A PEP 503 simple index on 127.0.0.1 (http.server's directory
    listings): /simple/<project>/<files>."""

    def __init__(self, root, files):
        for f in files:  # name-version-....whl, name-version.tar.gz
            name = f.name.split("-")[0] if f.name.endswith(".whl") else f.name.rsplit("-", 1)[0]
            project = re.sub(r"[-_.]+", "-", name).lower()
            (root / "simple" / project).mkdir(parents=True, exist_ok=True)
            shutil.copy(f, root / "simple" / project)
        handler = lambda *a, **kw: Quiet(*a, directory=str(root), **kw)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Quiet(http.server.SimpleHTTPRequestHandler):
    requested = []

    def log_message(self, fmt, *args):
        Quiet.requested.append(self.path)


def killed_at(argv, env, phase, after):
    """Run argv with its output on a terminal, where it reports its phases;
    SIGKILL it (its process group: the CLI, the helper, pip) `after` seconds
    after a line with `phase`. Its output."""
    master, slave = pty.openpty()
    p = subprocess.Popen([str(a) for a in argv], env=env, stdin=subprocess.DEVNULL,
                         stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    out, deadline, seen = b"", time.monotonic() + UPGRADE_TIMEOUT, None
    while time.monotonic() < deadline and p.poll() is None:
        if select.select([master], [], [], 0.1)[0]:
            try:
                out += os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
        if seen is None and phase.encode() in out:
            seen = time.monotonic()
        if seen is not None and time.monotonic() >= seen + after:
            os.killpg(p.pid, signal.SIGKILL)
            break
    p.wait()
    os.close(master)
    assert seen is not None and p.returncode == -signal.SIGKILL, \
        f"not killed at {phase!r}: exit {p.returncode}: {out.decode(errors='replace')[-3000:]}"
    return out.decode(errors="replace")


def old_or_new(venv, when):
    """The venv at its place works, as the 3.11 one or the 3.12 one."""
    r = run([venv / "bin" / "python", "-c",
             "import sys, alpha, vs_cext, vs_edit; print(sys.version_info[1])"], env=clean_env())
    assert r.returncode == 0, f"{when}: neither the old nor the new venv works: {describe(r)}"
    return int(r.stdout.decode().split()[-1])


def test_debian_venv_from_an_index_dry_run_then_killed_at_every_phase(debian_venv, inputs,
                                                                      tmp_path):
    """Debian's 3.11 to pyenv's 3.12, the C extension (and the editable's
    build requirements) from a local index that PIP_INDEX_URL names. Killed
    while it plans, while pip installs, while the new venv is made a venvshim
    venv and verified, and at the rename that follows the exchange: the venv
    is old-and-working or new-and-working each time, check names what is
    left, and the next run (or check --fix) finishes the job."""
    venv = debian_venv
    index = Index(tmp_path / "index", [*inputs["w312"].glob("*.whl")])
    env = dict(ENV, PIP_INDEX_URL=index.url, TMPDIR=str(tmp_path))
    before, state = pip_state(venv), tree_state(venv)

    r = upgrade(venv, PY312, "--dry-run", "--json", env=env)
    report = json.loads(r.stdout)
    assert (report["command"], report["ok"], report["changed"]) == ("upgrade", True, False)
    how = {d["name"]: d["action"] for d in report["plan"]["distributions"]}
    # Debian's pip 23.0.1 does not run on 3.12: the new Python's bundled pip replaces it
    assert how == {"pip": "bundled", "setuptools": "repack", "vs-alpha": "repack",
                   "vs-beta": "repack", "vs-cext": "wheel", "vs-edit": "editable"}, how
    cext = next(d for d in report["plan"]["distributions"] if d["name"] == "vs-cext")
    assert cext["source"].startswith(index.url + "vs-cext/vs_cext-2.0-cp312"), cext
    assert tree_state(venv) == state and siblings(venv) == []

    argv = [CLI, "upgrade", venv, "--python", PY312]
    out = killed_at(argv, env, "upgrade: planning with", 0.5)
    assert old_or_new(venv, f"killed while planning: {out}") == 11 and siblings(venv) == []

    out = killed_at(argv, env, "installing 6 distributions (1 editable)", 1.0)
    assert old_or_new(venv, f"killed while pip installs: {out}") == 11
    assert siblings(venv) == ["deb.venvshim-upgrade-from-python3.11"], out
    # the next run removes that one; killed while the new venv is made a
    # venvshim venv and verified
    out = killed_at(argv, env, "a venvshim venv", 0.5)
    assert "removed deb.venvshim-upgrade-from-python3.11, an unfinished upgrade" in out, out
    assert old_or_new(venv, f"killed while made a venvshim venv: {out}") == 11
    assert siblings(venv) == ["deb.venvshim-upgrade-from-python3.11"], out
    r = check(venv)
    assert r.returncode == 1 and b"an unfinished new venv" in r.stdout, describe(r)

    # the next run removes the unfinished one; killed at the rename after the
    # exchange (the CLI's renameat2 calls: the exchange, then this one)
    if STRACE:
        log = tmp_path / "renames"
        p = subprocess.run([STRACE, "-q", "-o", str(log), "-e", "trace=renameat2",
                            "-e", "signal=none", "-e", "inject=renameat2:signal=SIGKILL:when=2",
                            *map(str, argv)],
                           env=traced(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=UPGRADE_TIMEOUT)
        calls = [c for c in log.read_text().splitlines() if c.startswith("renameat2(")]
        assert p.returncode != 0 and len(calls) == 2 and "RENAME_EXCHANGE" in calls[0] and \
            '"deb.3.11.bak"' in calls[1] and calls[1].endswith("= ?"), \
            f"{log.read_text()}\n{describe(p)}"
        assert b"removed" in p.stderr and b"an unfinished upgrade" in p.stderr, describe(p)
    else:  # the same state, by hand: the old venv back at the building name
        print("strace not found: the crash after the exchange is made by hand")
        upgrade(venv, PY312, env=env)
        (venv.parent / "deb.3.11.bak").rename(venv.parent / "deb.venvshim-upgrade-from-python3.11")
    assert old_or_new(venv, "killed after the exchange") == 12
    assert siblings(venv) == ["deb.venvshim-upgrade-from-python3.11"]
    r = check(venv)
    assert r.returncode == 1 and b"keeps it as deb.3.11.bak" in r.stdout, describe(r)
    r = check(venv, "--fix")
    assert b"kept as deb.3.11.bak" in r.stdout, describe(r)
    assert siblings(venv) == ["deb.3.11.bak"]
    assert_works(venv, ["cpython", [3, 12]], "Debian 3.11 -> pyenv 3.12, after the kills")
    assert_same_packages(venv, before, PY312, "Debian, after the kills")
    assert any(p.startswith("/simple/vs-cext/") for p in Quiet.requested), Quiet.requested
    index.server.shutdown()


# ---- PyPy ----

def test_pypy_of_the_same_language_version_with_a_c_extension(py39_venv, inputs):
    """pyenv's 3.9 to PyPy 3.9: the pure distributions (pip and setuptools
    too) are re-packed, the C extension comes from the PyPy wheel built with
    pypy3-dev's headers (wpypy). Without that wheel (only the CPython 3.9 one
    in --find-links) the upgrade is refused and nothing changes."""
    venv = py39_venv
    before, state = pip_state(venv), tree_state(venv)
    r = upgrade(venv, PYPY, "--dry-run", expect=1, find_links=inputs["w39"])
    assert b"vs-cext" in r.stdout and b"no wheel or sdist of 2.0 for PyPy 3.9" in r.stdout, \
        describe(r)
    assert tree_state(venv) == state and siblings(venv) == []

    r = upgrade(venv, PYPY, "--json", find_links=inputs["wpypy"])
    report = json.loads(r.stdout)
    assert (report["ok"], report["changed"]) == (True, True), report
    how = {d["name"]: (d["action"], Path(d.get("source", "")).name)
           for d in report["plan"]["distributions"]}
    assert how["vs-cext"] == ("wheel", "vs_cext-2.0-pp39-pypy39_pp73-linux_x86_64.whl"), how
    assert {n: a for n, (a, _) in how.items() if n != "vs-cext"} == {
        "pip": "repack", "setuptools": "repack", "vs-alpha": "repack", "vs-beta": "repack"}, how
    assert report["plan"]["to"] == "PyPy 3.9" and not report.get("skipped"), report
    assert (venv / "lib" / "pypy3.9").is_dir() and siblings(venv) == ["p39.3.9.bak"]
    assert_works(venv, ["pypy", [3, 9]], "3.9 -> PyPy 3.9",
                 imports=[m for m in ui.IMPORTS if m != "vs_edit"],
                 scripts={k: v for k, v in ui.SCRIPTS.items() if k != "edit-me"})
    # pip list and pip freeze (--local) as before; pip too: Debian's PyPy
    # bundles pip 23.0.1 (/usr/share/python-wheels), as pyenv's 3.9 does, so
    # the venv's pip is re-packed like the rest
    assert_same_packages(venv, before, PYPY, "3.9 -> PyPy 3.9")
    # what differs, legitimately: without --local, PyPy's own distributions
    # (cffi, greenlet, hpy, readline: in its standard library directory, in
    # every PyPy venv) are listed too
    full = json.loads(ui.run_ok([venv / "bin" / "python", "-m", "pip", "list", "-v",
                                 "--format=json"], env=ENV))
    extra = {d["name"]: d["location"] for d in full if d["name"] not in {n for n, *_ in before[1]}}
    stdlib = run([PYPY, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
    assert extra and set(extra.values()) == {stdlib.stdout.decode().strip()}, (extra, full)


# ---- the two-rename swap of systems without an exchanging rename ----

@pytest.mark.skipif(not FALLBACK_CLI.exists(), reason=f"{FALLBACK_CLI} not built (not Linux)")
@pytest.mark.skipif(STRACE is None, reason="strace not installed (tests/run-all installs it)")
def test_two_rename_swap_of_systems_without_an_exchanging_rename(small_venv, small_venv_2,
                                                                 tmp_path):
    """dir_swap_other.c, linked into venvshim-swap-fallback: the old venv is
    renamed to .bak, then the new one to DIR (strace shows the two renames);
    --allow-missing leaves out the C extension (no 3.12 wheel given) and says
    so. A second venv (pure) is killed between the two renames (strace
    injects SIGKILL into the second): DIR is missing, check and upgrade say
    why and name check --fix, which finishes the swap."""
    log = tmp_path / "renames"
    started = time.monotonic()
    r = run([STRACE, "-q", "-o", log, "-e", "trace=renameat,renameat2", "-e", "signal=none",
             FALLBACK_CLI, "upgrade", small_venv, "--python", PY312, "--allow-missing"],
            env=traced(ENV), timeout=UPGRADE_TIMEOUT)
    assert r.returncode == 0, describe(r)
    assert b"not carried over (--allow-missing): vs-cext 2.0" in r.stdout, describe(r)
    assert not (small_venv / "bin" / "cext-answer").exists()
    TIMINGS.append(("small (a pure and a left-out distribution) to python3.12, two renames",
                    time.monotonic() - started))
    calls = [c for c in log.read_text().splitlines() if c.startswith("renameat")]
    assert "RENAME_EXCHANGE" not in log.read_text()
    ours = [re.findall(r'"(small[^"]*)"', c) for c in calls]
    first = ours.index(["small", "small.3.11.bak"])
    assert ours[first + 1] == ["small.venvshim-upgrade-from-python3.11", "small"], calls
    assert_works(small_venv, ["cpython", [3, 12]], "two renames", imports=["alpha"],
                 scripts={"alpha-hello": ui.SCRIPTS["alpha-hello"]})

    # the same run on its twin, killed at the rename of the new venv to DIR
    twin = small_venv_2
    when = [c.split("(")[0] for c in calls[:first + 2]].count("renameat")
    p = subprocess.run([STRACE, "-q", "-o", str(log), "-e", "trace=renameat", "-e", "signal=none",
                        "-e", f"inject=renameat:signal=SIGKILL:when={when}", FALLBACK_CLI,
                        "upgrade", twin, "--python", PY312], env=traced(ENV),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=UPGRADE_TIMEOUT)
    last = log.read_text().splitlines()[-1]
    assert p.returncode != 0 and '"twin.venvshim-upgrade-from-python3.11"' in last and \
        last.endswith("= ?"), f"{log.read_text()}\n{describe(p)}"
    assert not twin.exists() and siblings(twin) == ["twin.3.11.bak",
                                                    "twin.venvshim-upgrade-from-python3.11"]
    r = check(twin)
    assert r.returncode == 1 and b"interrupted between its two renames" in r.stdout, describe(r)
    state = {p: tree_state(twin.parent / p) for p in siblings(twin)}
    for cli in (CLI, FALLBACK_CLI):  # upgrade, again: not a second build, but what happened
        r = upgrade(twin, PY312, expect=1, cli=cli)
        assert b"interrupted between its two renames" in r.stderr and \
            f"run: venvshim check --fix {twin}\n".encode() in r.stderr, describe(r)
        assert not twin.exists() and {p: tree_state(twin.parent / p) for p in siblings(twin)} \
            == state, describe(r)
    r = check(twin, "--fix")
    assert r.returncode == 0 and b"is now" in r.stdout, describe(r)
    assert_works(twin, ["cpython", [3, 12]], "two renames, killed between them",
                 imports=["alpha"], scripts={"alpha-hello": ui.SCRIPTS["alpha-hello"]})
    assert siblings(twin) == ["twin.3.11.bak"]


def test_leftovers_of_an_interrupted_upgrade_are_told_apart(tmp_path):
    """What a crash leaves: an unfinished new venv at the building name (DIR
    still the old venv), the old venv at the building name (after the
    exchange), or, where the swap is two renames, DIR missing between them.
    check names each; check --fix and the next upgrade remove the first and
    keep the second as .bak; check --fix finishes the third; --dry-run only
    says so."""
    def venv(python, name):
        ui.run_ok([python, "-m", "venv", "--without-pip", tmp_path / name])
        return tmp_path / name

    # unfinished build: DIR still is the 3.11 venv
    v = venv(PY311, "v")
    junk = tmp_path / "v.venvshim-upgrade-from-python3.11"
    (junk / "lib").mkdir(parents=True)
    r = check(v)
    assert r.returncode == 1 and b"an unfinished new venv" in r.stdout, describe(r)
    r = upgrade(v, PY312, "--dry-run")
    assert b"unfinished upgrade, would be removed" in r.stderr and junk.exists(), describe(r)
    r = check(v, "--fix")
    assert b"removed" in r.stdout and not junk.exists(), describe(r)

    # the old venv swapped out: DIR is no longer a 3.11 venv
    w = venv(PY312, "w")
    old = venv(PY311, "w.venvshim-upgrade-from-python3.11")
    r = check(w)
    assert r.returncode == 1 and b"keeps it as w.3.11.bak" in r.stdout, describe(r)
    r = upgrade(w, PY313, "--dry-run")
    assert b"would be kept as w.3.11.bak" in r.stderr and old.exists(), describe(r)
    r = check(w, "--fix")
    assert b"kept as w.3.11.bak" in r.stdout, describe(r)
    assert siblings(w) == ["w.3.11.bak"]
    r = check(tmp_path / "w.3.11.bak")
    assert b"is the venv as it was before 'venvshim upgrade' moved w" in r.stdout, describe(r)

    # two renames, interrupted between them: DIR is missing; check and
    # upgrade name the command that finishes it, quoted for the shell
    venv(PY311, "x y.3.11.bak")
    venv(PY312, "x y.venvshim-upgrade-from-python3.11")
    x = tmp_path / "x y"
    fix = f"venvshim check --fix '{x}'".encode()
    r = check(x)
    assert r.returncode == 1 and b"interrupted between its two renames" in r.stdout and \
        fix in r.stdout, describe(r)
    r = upgrade(x, PY313, expect=1)
    assert b"interrupted between its two renames" in r.stderr and fix in r.stderr, describe(r)
    assert not x.exists() and \
        siblings(x) == ["x y.3.11.bak", "x y.venvshim-upgrade-from-python3.11"]
    r = check(x, "--fix")
    assert r.returncode == 0 and b"is now" in r.stdout, describe(r)
    assert (x / "lib" / "python3.12").is_dir() and siblings(x) == ["x y.3.11.bak"]
    r = check(x)
    assert b"interrupted" not in r.stdout, describe(r)


def dists(venv):
    """name-version of every distribution in the venv's site-packages."""
    return sorted(p.name[:-len(".dist-info")]
                  for p in venv.glob("lib/python3.*/site-packages/*.dist-info"))


def test_an_older_minor_is_a_target_too(newer_venv, inputs):
    """Issue 22: "the next minor (and an older one ...)": a 3.12 venv (a pure
    distribution and the C extension) goes to 3.11, the C extension's 3.11
    wheel from --find-links; the old venv is kept as .3.12.bak."""
    before = dists(newer_venv)
    upgrade(newer_venv, PY311, find_links=inputs["w311"])
    assert_works(newer_venv, ["cpython", [3, 11]], "3.12 to 3.11", imports=["alpha", "vs_cext"],
                 scripts={k: ui.SCRIPTS[k] for k in ("alpha-hello", "cext-answer")})
    assert dists(newer_venv) == before
    assert siblings(newer_venv) == ["newer.3.12.bak"]
