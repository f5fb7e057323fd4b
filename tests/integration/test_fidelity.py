"""Issue 12: where a venvshim venv behaved unlike a symlink venv, against real
interpreters: `python -m venv --upgrade`, the site-init hook only where it is
needed, a base the user may not reach, a noexec file system. Absent
interpreters are skipped with the path looked for."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VENVSHIM_BUILD_DIR") or REPO / "build").absolute()
CLI = BUILD / "venvshim"
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
PY312 = PYENV / "3.12.1/bin/python3.12"

EXIT_NO_ACCESS = 121


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run([str(c) for c in cmd], **kw)


def ok(cmd, **kw):
    r = run(cmd, **kw)
    assert r.returncode == 0, f"{cmd} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def need(path):
    if not Path(path).exists():
        pytest.skip(f"no interpreter at {path}")
    return Path(path)


# ------------------------------------- 3. a base this user may not reach

def test_unreachable_base_is_permission_denied_not_missing():
    """CPython's test_subprocess test_user runs sys.executable as nobody; the
    base under a directory nobody may not search must be reported as such."""
    base = need(PY312)
    if os.geteuid() != 0:
        pytest.skip("needs root to run a child as uid 65534")
    # the first directory of the base's path nobody may not search
    blocker = next((p for p in reversed(base.parents)
                    if p != Path("/") and not (p.stat().st_mode & 0o001)), None)
    if blocker is None:
        pytest.skip(f"every directory above {base} is searchable by others")
    top = Path(tempfile.mkdtemp(prefix="vs-access-", dir="/tmp"))
    try:
        top.chmod(0o755)
        venv = top / "v"
        ok([CLI, "create", "--without-pip", "--python", base, venv])
        r = subprocess.run([str(venv / "bin/python"), "-c", "pass"], user=65534,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == EXIT_NO_ACCESS, r
        lines = r.stderr.splitlines()
        assert 1 <= len(lines) <= 2 and all(l.startswith("venvshim: ") for l in lines), r.stderr
        assert "permission denied" in lines[0] and f"({blocker} may not" in lines[0], r.stderr
        assert "does not exist" not in r.stderr and "recreate" not in r.stderr, r.stderr
    finally:
        shutil.rmtree(top)


# ------------------------------------- 2. the site-init hook only where needed

def site_packages(venv):
    return next((venv / "lib").glob("python3.*/site-packages"))


def plant_old_hook(venv):
    """What an older venvshim wrote into every venv, with its bytecode."""
    site = site_packages(venv)
    (site / "_venvshim.pth").write_text("import _venvshim_init\n")
    (site / "_venvshim_init.py").write_text("")
    (site / "__pycache__").mkdir(exist_ok=True)
    (site / "__pycache__" / "_venvshim_init.cpython-312.pyc").write_bytes(b"junk")
    (site / "__pycache__" / "keep.cpython-312.pyc").write_bytes(b"not ours")
    return site


def hook_files(site):
    return sorted(p.name for p in [*site.glob("_venvshim*"), *site.glob("__pycache__/_venvshim*")])


@pytest.mark.parametrize("how", ["install", "check --fix"])
def test_hook_is_removed_from_an_absolute_home_venv(tmp_path, how):
    base = need(PY312)
    venv = tmp_path / "v"
    ok([base, "-m", "venv", "--without-pip", venv])
    site = plant_old_hook(venv)
    if how == "install":
        ok([CLI, "install", venv])
    else:
        ok([CLI, "install", venv])
        site = plant_old_hook(venv)
        before = ok([CLI, "check", venv]).stdout
        assert "_venvshim.pth in site-packages is not needed" in before, before
        assert "removed the start-up hook" in ok([CLI, "check", "--fix", venv]).stdout
    assert hook_files(site) == [], hook_files(site)
    assert (site / "__pycache__" / "keep.cpython-312.pyc").exists()
    # CPython's test_site test_startup_imports skips when site-packages has a .pth
    assert not list(site.glob("*.pth"))
    r = ok([venv / "bin/python", "-c", "import sys; print(sorted(sys.modules))"])
    assert "_venvshim_init" not in r.stdout


# ------------------------------------- 4. a venv on a noexec file system

@pytest.fixture
def noexec_dir(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a noexec tmpfs needs root")
    mnt = tmp_path / "noexec"
    mnt.mkdir()
    r = run(["mount", "-t", "tmpfs", "-o", "noexec", "tmpfs", mnt])
    if r.returncode != 0:
        pytest.skip(f"cannot mount a noexec tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        run(["umount", mnt])


def test_create_on_noexec_keeps_a_working_symlink_venv(noexec_dir):
    base = need(PY312)
    venv = noexec_dir / "v"
    r = ok([CLI, "create", "--without-pip", "--python", base, venv])
    assert "warning" in r.stderr and "noexec" in r.stderr and "symlink venv" in r.stderr, r
    assert (venv / "bin/python").is_symlink()
    assert not [p for p in (venv / "bin").iterdir() if p.name.startswith(".")]
    out = ok([venv / "bin/python", "-c", "import sys; print(sys.prefix)"]).stdout.strip()
    assert out == str(venv)


def test_install_on_noexec_changes_nothing(noexec_dir):
    base = need(PY312)
    venv = noexec_dir / "v"
    ok([base, "-m", "venv", "--without-pip", venv])
    (venv / "pyvenv.cfg").write_text("".join(  # no executable key: install would add one
        l for l in (venv / "pyvenv.cfg").read_text().splitlines(True)
        if not l.startswith(("executable", "command"))))
    before = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink() else None)
              for p in [*(venv / "bin").iterdir(), venv / "pyvenv.cfg"]}
    r = run([CLI, "install", venv])
    assert r.returncode == 1, r
    assert "noexec" in r.stderr and "nothing was changed" in r.stderr, r
    after = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink() else None)
             for p in [*(venv / "bin").iterdir(), venv / "pyvenv.cfg"]}
    assert after == before
    ok([venv / "bin/python", "-c", "pass"])
