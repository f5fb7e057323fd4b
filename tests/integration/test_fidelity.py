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
