"""venvshim create follows CPython 3.13's venv conventions for every base:
the SCM ignore file (and --without-scm-ignore-files), and --upgrade-deps.

The oracle is CPython itself: 3.13's `python -m venv` for the ignore file, the
base's own `-m venv --upgrade-deps` for the upgrade."""

import os
import zipfile

import pytest

from conftest import CLI, INTERPRETERS, PYENV_VERSIONS, clean_env, describe, is_launcher_link, probe, run


def cpython(minor):
    """The newest present pyenv CPython 3.<minor>, or None."""
    for i in reversed(INTERPRETERS):
        if i.kind == "cpython" and i.id.startswith(f"pyenv-3.{minor}.") and i.present:
            return i
    return None


@pytest.fixture(scope="module")
def scm_ignore_text(tmp_path_factory):
    """What CPython 3.13's venv writes into .gitignore, by running it."""
    py313 = cpython(13)
    if py313 is None:
        pytest.skip(f"pyenv CPython 3.13 not found at {PYENV_VERSIONS}/3.13.*/bin/python3 (the oracle)")
    oracle = tmp_path_factory.mktemp("oracle") / "venv"
    r = run([py313.path, "-m", "venv", "--without-pip", oracle], timeout=120)
    assert r.returncode == 0, describe(r)
    return (oracle / ".gitignore").read_bytes()


def create(venv, interp, *options, env=None, timeout=120):
    r = run([CLI, "create", venv, "--python", interp.path, *options], env=env, timeout=timeout)
    assert r.returncode == 0, describe(r)
    return r


def test_create_writes_cpython_313s_scm_ignore_file(interp, tmp_path, scm_ignore_text):
    venv = tmp_path / "venv"
    create(venv, interp, "--without-pip")
    assert (venv / ".gitignore").read_bytes() == scm_ignore_text
    assert probe([venv / "bin" / "python"])["prefix"] == os.fsencode(venv)


def test_create_without_scm_ignore_files(interp, tmp_path):
    venv = tmp_path / "venv"
    create(venv, interp, "--without-pip", "--without-scm-ignore-files")
    assert not os.path.lexists(venv / ".gitignore")
    assert probe([venv / "bin" / "python"])["prefix"] == os.fsencode(venv)


@pytest.mark.parametrize("option", [[], ["--without-scm-ignore-files"]], ids=["default", "without"])
def test_existing_gitignore_as_cpython_313_treats_it(option, tmp_path, scm_ignore_text):
    """Into a directory with a .gitignore of its own: 3.13 replaces it by
    default and keeps it with --without-scm-ignore-files; so does create,
    whatever the base (checked with the oldest and the newest CPython)."""
    py313 = cpython(13)
    own = b"# the user's own\n!keep.txt\n"
    oracle = tmp_path / "oracle"
    oracle.mkdir()
    (oracle / ".gitignore").write_bytes(own)
    r = run([py313.path, "-m", "venv", "--without-pip", *option, oracle], timeout=120)
    assert r.returncode == 0, describe(r)
    expected = (oracle / ".gitignore").read_bytes()
    assert expected == (own if option else scm_ignore_text)
    for interp in {cpython(6) or py313, py313}:
        venv = tmp_path / ("venv-" + interp.id)
        venv.mkdir()
        (venv / ".gitignore").write_bytes(own)
        create(venv, interp, "--without-pip", *option)
        assert (venv / ".gitignore").read_bytes() == expected, interp


def fake_wheel(directory, name, version):
    """A minimal valid wheel holding only metadata: enough for pip to install
    it as an upgrade and for importlib.metadata to report its version."""
    path = directory / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: venvshim-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(path, "w") as z:
        for n, text in files.items():
            z.writestr(n, text)
        z.writestr(f"{info}/RECORD", "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n")
    return path


VERSION_OF = "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))"


def test_create_upgrade_deps_as_cpython_venv(tmp_path, launcher_bytes):
    """--upgrade-deps reaches the base's venv, which upgrades its core
    dependencies through the venv's python: a local index offers a newer
    setuptools, so the upgrade is visible (bases 3.9-3.11 list setuptools)."""
    base = cpython(11) or cpython(10) or cpython(9)
    if base is None:
        pytest.skip(f"no pyenv CPython 3.9-3.11 under {PYENV_VERSIONS} (their venv upgrades setuptools)")
    index = tmp_path / "index"
    index.mkdir()
    fake_wheel(index, "setuptools", "999.0")
    env = clean_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(index), PIP_DISABLE_PIP_VERSION_CHECK="1")

    oracle = tmp_path / "oracle"
    r = run([base.path, "-m", "venv", "--upgrade-deps", oracle], env=env, timeout=300)
    assert r.returncode == 0, describe(r)
    expected = run([oracle / "bin" / "python", "-c", VERSION_OF, "setuptools"]).stdout
    assert expected == b"999.0\n"  # the oracle did upgrade

    venv = tmp_path / "venv"
    create(venv, base, "--upgrade-deps", env=env, timeout=300)
    python = venv / "bin" / "python"
    assert is_launcher_link(python) and python.read_bytes() == launcher_bytes
    assert run([python, "-c", VERSION_OF, "setuptools"]).stdout == expected

    plain = tmp_path / "plain"
    create(plain, base, env=env, timeout=300)
    assert run([plain / "bin" / "python", "-c", VERSION_OF, "setuptools"]).stdout != expected
