"""A relocatable venv stays relocatable: console scripts pip installs after
`venvshim create --relocatable` run after the venv moves (twice), and the
relocated activate finds the moved venv in plain sh (dash) too."""

import shutil
import sys
from pathlib import Path

import pytest

from conftest import CLI, PYENV_VERSIONS, clean_env, run

PYENV_311 = PYENV_VERSIONS / "3.11.7" / "bin" / "python3.11"
DASH = shutil.which("dash")

sys.path.insert(0, str(Path(__file__).parent))


def make_wheel(dest, name, script):
    """A pure-Python wheel with one console_scripts entry point."""
    import base64
    import hashlib
    import zipfile
    files = {
        f"{name}/__init__.py": "def main():\n    import sys\n    print('ok', sys.prefix)\n",
        f"{name}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{name}-1.0.dist-info/WHEEL":
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{name}-1.0.dist-info/entry_points.txt": f"[console_scripts]\n{script} = {name}:main\n",
    }
    record = []
    with zipfile.ZipFile(dest / f"{name}-1.0-py3-none-any.whl", "w") as z:
        for n, text in files.items():
            data = text.encode()
            z.writestr(n, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{n},sha256={digest.decode()},{len(data)}")
        record.append(f"{name}-1.0.dist-info/RECORD,,")
        z.writestr(f"{name}-1.0.dist-info/RECORD", "\n".join(record) + "\n")


def test_pip_installed_scripts_survive_two_moves(tmp_path):
    if not PYENV_311.exists():
        pytest.skip(f"no interpreter at {PYENV_311}")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "viapipscript", "via-pip-script")
    make_wheel(wheels, "viadashm", "via-dash-m")
    venv = tmp_path / "a" / "venv"
    r = run([CLI, "create", "--relocatable", "--python", PYENV_311, venv], timeout=300)
    assert r.returncode == 0, r.stderr
    pip = ["--no-index", "--find-links", wheels, "--disable-pip-version-check", "-q"]
    r = run([venv / "bin" / "pip", "install", *pip, "viapipscript"], timeout=300)
    assert r.returncode == 0, r.stderr
    r = run([venv / "bin" / "python", "-m", "pip", "install", *pip, "viadashm"], timeout=300)
    assert r.returncode == 0, r.stderr
    for step in ("b", "c"):
        moved = tmp_path / step / "venv"
        moved.parent.mkdir()
        venv.rename(moved)
        venv = moved
        for script in ("via-pip-script", "via-dash-m"):
            r = run([venv / "bin" / script], env=clean_env(PYLAUNCHER_DEBUG="1"))
            assert r.returncode == 0, f"{script} after the move to {venv}: {r.stderr!r}"
            assert r.stdout.split() == [b"ok", str(venv).encode()]
            # the hook keeps the script's #! line, so its text runs as -c (script_text.h)
            assert b"runs its text as the -c program" in r.stderr, r.stderr


@pytest.mark.skipif(DASH is None, reason="no dash")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/$$/fd is Linux's")
def test_dash_activate_after_a_move(tmp_path):
    if not PYENV_311.exists():
        pytest.skip(f"no interpreter at {PYENV_311}")
    venv = tmp_path / "old" / "venv"
    r = run([CLI, "create", "--relocatable", "--without-pip", "--python", PYENV_311, venv])
    assert r.returncode == 0, r.stderr
    moved = tmp_path / "new"
    (tmp_path / "old").rename(moved)
    moved = moved / "venv"
    r = run([DASH, "-c", f". '{moved}/bin/activate' && echo \"$VIRTUAL_ENV\" && command -v python"
                         " && echo \"[${_venvshim_venv:-}${_venvshim_fd:-}${_venvshim_f:-}]\""],
            env=clean_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().split("\n")[:3] == [str(moved), f"{moved}/bin/python", "[]"]
