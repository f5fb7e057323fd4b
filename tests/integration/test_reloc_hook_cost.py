"""The relocatable venv's script hook (site-packages/_venvshim_scripts.py,
launcher/pip_hook.h) against every interpreter: no .pth file (site would
compile its line at every start: ~0.3 ms), starts that are not pip import
nothing for it, and both ways of running pip, `bin/pip` (a script launcher)
and `python -m pip`, convert the scripts installed meanwhile, with pip's own
sys.argv and exit status. pip itself is faked (a `pip` package in
site-packages)."""

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
    assert (Path(site) / "_venvshim_scripts.py").is_file()
    assert not list(Path(site).glob("*.pth")), "no .pth: the launcher loads the hook for pip"
    return v, site


def version(v):
    r = run([v / "bin/python", "-c", "import sys; print(sys.version_info[0] * 100 + sys.version_info[1])"])
    return int(r.stdout)


def fake_pip(site):
    """pip's __main__ reports what pip would see, then exits 3."""
    pkg = Path(site) / "pip"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(
        "import sys, json\nprint(json.dumps([__name__, __spec__.name, sys.argv[1:], "
        "sys.argv[0].endswith('__main__.py')]))\nsys.exit(3)\n")


def text_script(v, name, body="print('ran')\n"):
    p = v / "bin" / name
    p.write_text(f"#!{v / 'bin/python'}\n{body}")
    p.chmod(0o755)
    return p


def test_hook_imports_nothing_for_other_starts(interp, tmp_path):
    v, _ = relocatable_venv(interp, tmp_path)
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
        # pip's own console script, a script launcher in a relocatable venv
        pip = text_script(v, "pip", "import sys\nimport pip\nprint('pip', sys.argv[1:])\n"
                                    "sys.exit(3)\n")
        r = run([CLI, "relocate", v])
        assert r.returncode == 0, r.stderr
        new = text_script(v, "new-tool")
        r = run([pip, "install", "x"])
        assert (r.returncode, r.stdout) == (3, b"pip ['install', 'x']\n"), r.stderr
    else:
        r = run([v / "bin/python", "-m", "pip", "install", "x"])
        assert r.returncode == 3, r.stderr
        assert json.loads(r.stdout) == ["__main__", "pip.__main__", ["install", "x"], True], \
            "python -m pip must see what it sees without the hook"
    assert new.read_bytes()[:4] == b"\x7fELF", f"{how} did not convert {new}"
    r = run([new])
    assert (r.returncode, r.stdout) == (0, b"ran\n"), r.stderr


def test_a_venv_relocated_by_an_older_venvshim_loses_its_pth(interp, tmp_path):
    """relocate replaces the .pth hook of earlier versions with the module alone."""
    v, site = relocatable_venv(interp, tmp_path)
    old = Path(site) / "_venvshim_relocatable.pth"
    old.write_text("import sys\n")
    r = run([CLI, "relocate", v])
    assert r.returncode == 0, r.stderr
    assert not old.exists()


def test_check_reports_and_fix_replaces_an_older_pth(primary, tmp_path):
    v, site = relocatable_venv(primary, tmp_path)
    old = Path(site) / "_venvshim_relocatable.pth"
    old.write_text("import sys\n")
    r = run([CLI, "check", "--json", v])
    found = [f for f in json.loads(r.stdout)["findings"] if "_venvshim_relocatable.pth" in f["message"]]
    assert [f["status"] for f in found] == ["info"], r.stdout
    r = run([CLI, "check", "--fix", v])
    assert r.returncode == 0 and b"fixed    site-init  replaced" in r.stdout, r.stdout + r.stderr
    assert b"script hook:" not in r.stdout, "check prints findings, not relocate's notes"
    assert not old.exists() and (Path(site) / "_venvshim_scripts.py").is_file()
    r = run([CLI, "check", v])
    assert b"_venvshim_relocatable.pth" not in r.stdout, r.stdout


def test_check_says_how_activate_moves(primary, tmp_path):
    v, _ = relocatable_venv(primary, tmp_path)
    r = run([CLI, "check", v])
    assert b"bin/activate finds the venv from its own location" in r.stdout, r.stdout
    plain = tmp_path / "plain"
    r = run([CLI, "create", "--without-pip", "--python", primary.path, plain])
    assert r.returncode == 0, r.stderr
    r = run([CLI, "check", plain])
    assert b"bin/activate* keep the old path" in r.stdout, r.stdout
