"""`venvshim upgrade DIR --python PATH`: a venv moves to another X.Y of Python
with its packages (docs/lifecycle.md). Offline, real interpreters: venvs made
with pyenv's 3.11 (a copy of it, then removed) and Debian's 3.11 hold local
projects (console and GUI scripts, package data, a .pth file, a namespace
package, a dependency, a C extension, an editable project; upgrade_inputs.py)
and are upgraded to pyenv's 3.12 and 3.13. (`python -m venv --upgrade` is
test_upgrade.py's.) Every upgrade imports every module, runs every console
script, and compares `pip list` and `pip freeze` before and after."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import upgrade_inputs as ui
from conftest import CLI, DEBIAN_PYTHON, PYENV_VERSIONS, clean_env, describe, run


def pyenv_python(minor):
    found = sorted(PYENV_VERSIONS.glob(f"3.{minor}.*/bin/python3.{minor}"))
    return found[-1] if found else None


PY311, PY312, PY313 = pyenv_python(11), pyenv_python(12), pyenv_python(13)
missing = [n for n, p in (("pyenv 3.11", PY311), ("pyenv 3.12", PY312), ("pyenv 3.13", PY313))
           if p is None]
if missing or not ui.build_tools():
    pytest.skip(f"venvshim upgrade tests need {', '.join(missing) or 'nothing more'} and "
                f"setuptools/wheel wheels under {ui.TEST_WHEELS}", allow_module_level=True)

UPGRADE_TIMEOUT = 900
# offline and the same on every machine: no pip configuration (no index)
ENV = clean_env(PIP_CONFIG_FILE=os.devnull)
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


@pytest.fixture(scope="session")
def inputs(tmp_path_factory):
    """Projects and wheels, built once: w311 (every project for 3.11), and a
    --find-links directory per new Python with its C extension wheel and the
    setuptools/wheel wheels an editable's isolated build needs."""
    root = tmp_path_factory.mktemp("upgrade-inputs")
    src = ui.write_projects(root / "src")
    started = time.monotonic()
    out = {"src": src}
    for minor, py, projects in ((11, PY311, ["alpha", "beta", "cext"]), (12, PY312, ["cext"]),
                                (13, PY313, ["cext"])):
        builder = ui.build_env(py, root / f"build{minor}")
        out[minor] = ui.build_wheels(builder, projects, src, root / f"w3{minor}")
        for w in ui.build_tools():
            shutil.copy(w, out[minor])
    print(f"upgrade inputs built in {time.monotonic() - started:.1f} s")
    return out


def make_old_venv(python, dest, inputs, *, relocatable=False):
    """A 3.11 venv (python's venv, with its pip and setuptools) holding every
    project, the editable one from its source directory."""
    if relocatable:
        r = run([CLI, "create", "--relocatable", "--python", python, dest], env=clean_env(),
                timeout=300)
        assert r.returncode == 0, describe(r)
    else:
        ui.run_ok([python, "-m", "venv", dest])
    pip = [dest / "bin" / "python", "-m", "pip", "install", "--no-index", "-q",
           "--find-links", inputs[11]]
    ui.run_ok(pip + ["vs-beta", "vs-cext"])
    ui.run_ok(pip + ["-e", inputs["src"] / "edit"])
    return dest


def pip_state(venv):
    py = venv / "bin" / "python"
    freeze = ui.run_ok([py, "-m", "pip", "freeze", "--all"])
    listing = json.loads(ui.run_ok([py, "-m", "pip", "list", "--format=json"]))
    return freeze, sorted((d["name"], d["version"], d.get("editable_project_location"))
                          for d in listing)


def bundled_pip_version(python):
    wheel = sorted(Path(python).parents[1].glob("lib/python3.*/ensurepip/_bundled/pip-*.whl"))
    return wheel[-1].name.split("-")[1] if wheel else None


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


def assert_works(venv, minor, when):
    """Every module imports, every console script prints what it should, the
    .pth file ran, the package data is there, and python is the launcher."""
    py = venv / "bin" / "python"
    code = ("import sys, os, json, " + ", ".join(ui.IMPORTS) + "; print(json.dumps("
            "[sys.version_info[:2], sys.prefix, os.environ.get('VS_ALPHA_PTH'), vs_cext.answer(),"
            " alpha.data()]))")
    r = run([py, "-c", code], env=clean_env())
    assert r.returncode == 0, f"{when}: {describe(r)}"
    version, prefix, pth, answer, data = json.loads(r.stdout.decode().splitlines()[-1])
    assert version == [3, minor], when
    assert os.path.realpath(prefix) == os.path.realpath(venv), when
    assert (pth, answer, data) == ("ran", 42, "alpha-data"), when
    for script, says in ui.SCRIPTS.items():
        r = run([venv / "bin" / script], env=clean_env())
        assert r.returncode == 0 and r.stdout.decode().strip() == says, \
            f"{when}: {script}: {describe(r)}"
    assert os.path.islink(venv / "bin" / "python") and \
        os.readlink(venv / "bin" / "python") == ".venvshim-launcher", f"{when}: not a venvshim venv"


def upgrade(venv, python, *extra, expect=0, find_links=None):
    argv = [CLI, "upgrade", venv, "--python", python]
    if find_links:
        argv += ["--find-links", find_links]
    started = time.monotonic()
    r = run(argv + list(extra), env=ENV, timeout=UPGRADE_TIMEOUT)
    took = time.monotonic() - started
    assert r.returncode == expect, describe(r)
    if expect == 0 and "--dry-run" not in extra:
        TIMINGS.append((f"{venv.name} to {Path(python).name} {' '.join(map(str, extra))}".strip(),
                        took))
    return r


def tree_state(root):
    """Every entry under root with its kind, size and mtime: 'nothing changed'."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def siblings(venv):
    return sorted(p.name for p in venv.parent.iterdir())


def test_upgrade_311_to_312_then_313_with_the_old_base_present(inputs, tmp_path):
    venv = make_old_venv(PY311, tmp_path / "proj", inputs)
    before = pip_state(venv)
    upgrade(venv, PY312, find_links=inputs[12])
    assert siblings(venv) == ["proj", "proj.3.11.bak"]
    assert_works(venv, 12, "after 3.11 -> 3.12")
    assert_same_packages(venv, before, PY312, "3.11 -> 3.12")
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "3.12" in cfg and "venvshim-upgrade" not in cfg, cfg
    for f in (venv / "bin").iterdir():
        if f.is_file() and not f.is_symlink() and f.name != ".venvshim-launcher":
            assert b"venvshim-upgrade" not in f.read_bytes(), f
    # the old venv, untouched but for its name
    assert (tmp_path / "proj.3.11.bak" / "lib" / "python3.11" / "site-packages").is_dir()

    upgrade(venv, PY313, "--no-keep-old", find_links=inputs[13])
    assert siblings(venv) == ["proj", "proj.3.11.bak"]
    assert_works(venv, 13, "after 3.12 -> 3.13")
    assert_same_packages(venv, before, PY313, "3.12 -> 3.13")


def test_upgrade_when_the_old_base_is_gone_keeps_a_relocatable_venv_relocatable(inputs, tmp_path):
    # A copy of pyenv's 3.11, removed after the venv is made (the usual case).
    base = ui.copy_python(PY311.parents[1], tmp_path / "py311", "3.11")
    venv = make_old_venv(base, tmp_path / "proj", inputs, relocatable=True)
    before = pip_state(venv)
    shutil.rmtree(tmp_path / "py311")
    r = run([venv / "bin" / "python", "-c", "pass"], env=clean_env())
    assert r.returncode == 103, describe(r)

    upgrade(venv, PY313, find_links=inputs[13])
    assert_works(venv, 13, "after upgrading a venv whose base is gone")
    assert_same_packages(venv, before, PY313, "base gone")
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    venv.rename(moved)
    for script, says in ui.SCRIPTS.items():
        r = run([moved / "bin" / script], env=clean_env())
        assert r.returncode == 0 and r.stdout.decode().strip() == says, \
            f"moved, {script}: {describe(r)}"


@pytest.mark.skipif(not DEBIAN_PYTHON.exists(), reason=f"{DEBIAN_PYTHON} not installed")
def test_upgrade_debian_311_venv_to_312_dry_run_first(inputs, tmp_path):
    venv = make_old_venv(DEBIAN_PYTHON, tmp_path / "deb", inputs)
    before, state = pip_state(venv), tree_state(venv)
    # --find-links is repeatable: every directory counts, not only the last
    empty = tmp_path.parent / f"{tmp_path.name}-empty"
    empty.mkdir()
    r = upgrade(venv, PY312, "--dry-run", "--json", "--find-links", empty,
                find_links=inputs[12])
    report = json.loads(r.stdout)
    assert (report["command"], report["ok"], report["changed"]) == ("upgrade", True, False)
    how = {d["name"]: d["action"] for d in report["plan"]["distributions"]}
    # Debian's pip 23.0.1 does not run on 3.12: the new Python's bundled pip replaces it
    assert how == {"pip": "bundled", "setuptools": "repack", "vs-alpha": "repack",
                   "vs-beta": "repack", "vs-cext": "wheel", "vs-edit": "editable"}, how
    assert tree_state(venv) == state and siblings(venv) == ["deb"]

    r = upgrade(venv, PY312, "--json", find_links=inputs[12])
    report = json.loads(r.stdout)
    assert (report["ok"], report["changed"]) == (True, True)
    assert report["backup"] == str(tmp_path / "deb.3.11.bak")
    assert_works(venv, 12, "Debian 3.11 -> pyenv 3.12")
    assert_same_packages(venv, before, PY312, "Debian")


def test_refusals_change_nothing_and_say_why(inputs, tmp_path):
    venv = make_old_venv(PY311, tmp_path / "v", inputs)
    site = venv / "lib" / "python3.11" / "site-packages"
    state = tree_state(venv)

    # a compiled distribution with no wheel for the new Python
    r = upgrade(venv, PY312, expect=1)
    assert b"vs-cext" in r.stdout and b"no wheel or sdist of 2.0 for CPython 3.12" in r.stdout, \
        describe(r)
    assert b"nothing changed" in r.stderr, describe(r)
    assert tree_state(venv) == state and siblings(venv) == ["v"]

    # a RECORD naming a file outside the venv
    record = next(site.glob("vs_alpha-*.dist-info")) / "RECORD"
    saved = record.read_bytes()
    record.write_bytes(saved + b"../../../../../../../../etc/passwd,,\n")
    state = tree_state(venv)
    r = upgrade(venv, PY312, expect=1, find_links=inputs[12])
    assert b"outside the venv" in r.stdout and b"vs-alpha" in r.stdout, describe(r)
    assert tree_state(venv) == state and siblings(venv) == ["v"]
    record.write_bytes(saved)

    # an editable whose direct_url.json names a directory that is not there
    direct = next(site.glob("vs_edit-*.dist-info")) / "direct_url.json"
    direct.write_text(json.dumps({"url": f"file://{tmp_path}/gone", "dir_info": {"editable": True}}))
    state = tree_state(venv)
    r = upgrade(venv, PY312, expect=1, find_links=inputs[12])
    assert f"{tmp_path}/gone".encode() in r.stdout, describe(r)
    assert tree_state(venv) == state and siblings(venv) == ["v"]

    # the same X.Y is rebase's
    r = upgrade(venv, PY311, expect=1)
    assert b"venvshim rebase" in r.stderr, describe(r)


def test_leftovers_of_an_interrupted_upgrade_are_told_apart(inputs, tmp_path):
    """A crash between the exchange and the rename to .bak leaves the old
    venv at the building name; one before it leaves an unfinished new venv
    there. check names both; check --fix and the next upgrade remove the
    latter and keep the former as .bak; --dry-run only says so."""
    venv = make_old_venv(PY311, tmp_path / "v", inputs)
    # unfinished build: DIR still is the 3.11 venv
    junk = tmp_path / "v.venvshim-upgrade-from-python3.11"
    (junk / "lib").mkdir(parents=True)
    r = run([CLI, "check", venv], env=clean_env())
    assert r.returncode == 1 and b"an unfinished new venv" in r.stdout, describe(r)
    r = upgrade(venv, PY312, "--dry-run", find_links=inputs[12])
    assert b"unfinished upgrade, would be removed" in r.stderr and junk.exists(), describe(r)
    r = upgrade(venv, PY312, find_links=inputs[12])
    assert b"removed" in r.stderr and b"unfinished upgrade" in r.stderr, describe(r)
    assert siblings(venv) == ["v", "v.3.11.bak"]
    r = run([CLI, "check", tmp_path / "v.3.11.bak"], env=clean_env())
    assert b"is the venv as it was before 'venvshim upgrade' moved v" in r.stdout, describe(r)
    # the old venv swapped out: DIR is no longer a 3.11 venv
    (tmp_path / "v.3.11.bak").rename(junk)
    r = run([CLI, "check", venv], env=clean_env())
    assert r.returncode == 1 and b"keeps it as v.3.11.bak" in r.stdout, describe(r)
    r = upgrade(venv, PY313, "--dry-run", find_links=inputs[13])
    assert b"would be kept as v.3.11.bak" in r.stderr and junk.exists(), describe(r)
    r = run([CLI, "check", "--fix", venv], env=clean_env())
    assert b"kept as v.3.11.bak" in r.stdout, describe(r)
    assert siblings(venv) == ["v", "v.3.11.bak"]
    assert_works(venv, 12, "after the leftovers were settled")


def old_or_new(venv, when):
    """The venv at its place works, as the 3.11 one or the 3.12 one."""
    r = run([venv / "bin" / "python", "-c",
             "import sys, alpha, vs_cext, vs_edit; print(sys.version_info[1])"], env=clean_env())
    assert r.returncode == 0, f"{when}: neither the old nor the new venv works: {describe(r)}"
    minor = int(r.stdout.decode().split()[-1])
    assert minor in (11, 12), when
    return minor


def test_killed_at_any_moment_the_venv_is_old_or_new(inputs, tmp_path):
    venv = make_old_venv(PY311, tmp_path / "k", inputs)
    before = pip_state(venv)
    delay, seen = 0.3, []
    for attempt in range(14):
        p = subprocess.Popen([str(CLI), "upgrade", str(venv), "--python", str(PY312),
                              "--find-links", str(inputs[12])], env=dict(ENV, TMPDIR=str(tmp_path)),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            out = p.communicate(timeout=delay)[0]
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # the CLI, the helper, pip: all at once
            out = p.communicate()[0]
        killed = p.returncode == -signal.SIGKILL
        assert killed or p.returncode == 0, f"an unkilled run failed: {out.decode()[-3000:]}"
        minor = old_or_new(venv, f"after a SIGKILL at {delay:.1f} s")
        seen.append((round(delay, 1), minor))
        if not killed or minor == 12:
            break
        delay *= 1.7
    print(f"kills (delay s, venv's minor after): {seen}")
    # whatever was left, the next run finishes the job (or it is done)
    if old_or_new(venv, "before the last run") == 11:
        upgrade(venv, PY312, find_links=inputs[12])
    else:  # killed after the exchange: check --fix keeps the old venv as .bak
        run([CLI, "check", "--fix", venv], env=clean_env())
    assert_works(venv, 12, "after the killed runs")
    assert_same_packages(venv, before, PY312, "after the killed runs")
    assert [n for n in siblings(venv) if n.startswith("k")] == ["k", "k.3.11.bak"], siblings(venv)
