"""The relocatable venv's script hook (_venvshim_relocatable.pth) against
every interpreter: starts that cannot be pip import nothing for it (the hook
used to import atexit and register a lambda at every start), and both ways
of running pip, `bin/pip` and `python -m pip`, still convert the scripts
installed meanwhile. pip itself is faked (a `pip` package in site-packages):
the hook only asks whether pip was imported."""

import json
from pathlib import Path

import pytest

from conftest import CLI, run

IMPORTS = ("import sys, json; print(json.dumps(sorted(m for m in "
           "('atexit', '_venvshim_scripts') if m in sys.modules)))")


def relocatable_venv(interp, tmp_path):
    v = tmp_path / "v"
    r = run([CLI, "create", "--relocatable", "--without-pip", "--python", interp.path, v])
    assert r.returncode == 0, r.stderr
    site = run([v / "bin/python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    assert site.returncode == 0, site.stderr
    site = site.stdout.decode().strip()
    assert (Path(site) / "_venvshim_relocatable.pth").is_file()
    return v, site


def version(v):
    r = run([v / "bin/python", "-c", "import sys; print(sys.version_info[0] * 100 + sys.version_info[1])"])
    return int(r.stdout)


def fake_pip(site):
    pkg = Path(site) / "pip"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text("")


def text_script(v, name, body="print('ran')\n"):
    p = v / "bin" / name
    p.write_text(f"#!{v / 'bin/python'}\n{body}")
    p.chmod(0o755)
    return p


def test_hook_imports_nothing_for_other_starts(interp, tmp_path):
    v, _ = relocatable_venv(interp, tmp_path)
    if version(v) < 308:
        pytest.skip("3.6/3.7 set sys.argv after site runs: the hook must register on every start")
    r = run([v / "bin/python", "-c", IMPORTS])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [], r.stdout
    script = text_script(v, "tool", IMPORTS + "\n")
    r = run([script, "a", "b"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [], r.stdout


@pytest.mark.parametrize("how", ["bin/pip", "python -m pip"])
def test_hook_converts_at_pips_exit(interp, tmp_path, how):
    v, site = relocatable_venv(interp, tmp_path)
    fake_pip(site)
    new = text_script(v, "new-tool")
    assert new.read_bytes()[:2] == b"#!"
    if how == "bin/pip":
        # as pip's own console script: a text #! script importing pip
        # (relocate made the real one a launcher; this one is converted too)
        pip = text_script(v, "pip", "import pip\n")
        r = run([pip, "install", "x"])
    else:
        r = run([v / "bin/python", "-m", "pip", "install", "x"])
    assert r.returncode == 0, r.stderr
    assert new.read_bytes()[:4] == b"\x7fELF", f"{how} did not convert {new}"
    r = run([new])
    assert (r.returncode, r.stdout) == (0, b"ran\n"), r.stderr
