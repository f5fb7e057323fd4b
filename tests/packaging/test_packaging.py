"""Packaging: the wheel, the sdist, the virtualenv creator, tox, pipx, meson install.

Everything is built from this checkout into a temporary directory: the wheel
with `pip wheel --no-build-isolation` (Debian's meson-python), installed into a
fresh venv of Debian's /usr/bin/python3 made with --system-site-packages, so
that Debian's virtualenv and tox see the plugin. Every venv made along the way
is checked by running it: its bin/python must be the launcher the installation
carries (byte for byte, with the marker `venvshim install` recognises), and a
real interpreter started through it must report the venv as sys.prefix.
No network: pip runs with --no-index; virtualenv seeds from its bundled wheels.
Run by tests/run-packaging, which installs the Debian packages it needs.
"""

import base64
import glob
import hashlib
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
TIMEOUT = 600


def launcher_marker():
    """The marker string, read from the C source that defines it."""
    for header in sorted(glob.glob(str(REPO / "launcher" / "**" / "*.h"), recursive=True)):
        m = re.search(r'#define\s+(?:VS_)?LAUNCHER_MARKER\s+"([^"]+)"', Path(header).read_text())
        if m:
            return m.group(1).encode()
    raise AssertionError("no #define LAUNCHER_MARKER under launcher/")


MARKER = launcher_marker()


def clean_env(**extra):
    """The caller's environment without anything that would steer venvshim,
    pip, virtualenv or tox elsewhere; pip never goes to the network."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VENVSHIM_LAUNCHER", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME",
                        "PYTHONUSERBASE", "__PYVENV_LAUNCHER__", "PIP_REQUIRE_VIRTUALENV",
                        "PIP_USER", "PIP_TARGET", "PIP_PREFIX")
           and not k.startswith(("VIRTUALENV_", "TOX_", "PIPX_"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(argv, *, env=None, cwd=None, check=True):
    r = subprocess.run([str(a) for a in argv], env=env or clean_env(), cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    if check:
        assert r.returncode == 0, describe(r)
    return r


def describe(r):
    return "{}\nexit status {}\n--- stdout\n{}\n--- stderr\n{}".format(
        " ".join(map(str, r.args)), r.returncode, r.stdout.decode(errors="replace")[-4000:],
        r.stderr.decode(errors="replace")[-4000:])


def is_static_elf(path):
    """No PT_INTERP program header: no dynamic loader (64-bit little-endian ELF)."""
    data = Path(path).read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, path
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return all(struct.unpack_from("<I", data, phoff + i * phentsize)[0] != 3 for i in range(phnum))


PROBE = "import json, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.executable]))"


def assert_launcher_venv(venv, launcher, env=None):
    """venv/bin/python* lead to a copy of launcher (the marker included), and a
    real interpreter started through bin/python runs in the venv."""
    venv = Path(venv)
    expected = Path(launcher).read_bytes()
    assert MARKER in expected, "{} lacks the launcher marker".format(launcher)
    names = sorted(n for n in os.listdir(venv / "bin") if re.fullmatch(r"python[0-9.]*", n))
    assert "python" in names, names
    for n in names:
        p = venv / "bin" / n
        # install's layout: each name a relative link to the one launcher file
        # bin/.venvshim-launcher (python -m venv --upgrade leaves links alone)
        assert p.is_symlink() and os.readlink(p) == ".venvshim-launcher", \
            "{} is not a link to .venvshim-launcher".format(p)
        real = venv / "bin" / ".venvshim-launcher"
        assert not real.is_symlink(), "{} is a symlink".format(real)
        # the launcher, then the base install records after its image (docs/design.md)
        data = p.read_bytes()
        assert data == expected or (data.startswith(expected) and re.fullmatch(
            rb"venvshim-base/1\n/[^\n\0]*\n", data[len(expected):])), \
            "{} is not {}".format(p, launcher)
    out = run([venv / "bin" / "python", "-c", PROBE], cwd="/", env=env).stdout
    prefix, base_prefix, executable = __import__("json").loads(out)
    assert os.path.realpath(prefix) == os.path.realpath(venv)
    assert base_prefix != prefix
    assert executable == str(venv / "bin" / "python")
    # the site-init hook the CLI embeds: written only for a relative home
    relative = any(line.split("=", 1)[1].strip().startswith(".")
                   for line in (venv / "pyvenv.cfg").read_text().splitlines()
                   if line.split("=", 1)[0].strip() == "home")
    hooks = glob.glob(str(venv / "lib" / "*" / "site-packages" / "_venvshim.pth"))
    assert bool(hooks) == relative, (venv, hooks)


def platform_tag():
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("packaging")


RELEASE_TAGS = "manylinux_2_17_{0}.manylinux2014_{0}.musllinux_1_1_{0}"
MACHINES = {"x86_64": "Advanced Micro Devices X86-64", "aarch64": "AArch64"}  # readelf -h


def release_wheel(arch):
    """The wheel .ci/release-build made for arch ($VENVSHIM_RELEASE_DIR, set by
    tests/run-packaging), tagged for an index by .ci/wheel_tags.py."""
    release = os.environ.get("VENVSHIM_RELEASE_DIR")
    if not release:
        pytest.fail("VENVSHIM_RELEASE_DIR is not set: run tests/run-packaging (it builds the release wheels)",
                    pytrace=False)
    wheels = sorted(Path(release).glob("venvshim-*-py3-none-{}.whl".format(RELEASE_TAGS.format(arch))))
    assert len(wheels) == 1, (release, sorted(os.listdir(release)))
    return wheels[0]


@pytest.fixture(scope="session")
def wheel():
    """The x86-64 release wheel: the one this machine installs."""
    return release_wheel(platform_tag().split("_", 1)[1])


@pytest.fixture(scope="session")
def tools(work, wheel):
    """A venv of Debian's python3 (system site-packages: virtualenv, tox) with the wheel."""
    venv = work / "tools"
    run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", wheel])
    return venv


def tools_env(tools, **extra):
    return clean_env(PATH="{}:{}".format(tools / "bin", os.environ.get("PATH", "")),
                     VIRTUALENV_OVERRIDE_APP_DATA=tools.parent / "virtualenv-app-data", **extra)


def tools_launcher(tools):
    return tools / "libexec" / "venvshim" / "venvshim-launcher"


# --------------------------------------------------------------------- wheel

def test_wheel_name_and_contents(wheel):
    arch = platform_tag().split("_", 1)[1]
    assert re.fullmatch(r"venvshim-[0-9][^-]*-py3-none-{}\.whl".format(re.escape(RELEASE_TAGS.format(arch))),
                        wheel.name), wheel.name
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        data = next(n.split("/")[0] for n in names if n.endswith(".data/scripts/venvshim"))
        expected = {data + "/scripts/venvshim",
                    data + "/data/libexec/venvshim/venvshim-launcher",
                    data + "/purelib/venvshim/__init__.py",
                    data + "/purelib/venvshim/__main__.py",
                    data + "/purelib/venvshim/virtualenv_plugin.py"}
        assert expected <= names, sorted(names)
        assert not [n for n in names if n.endswith(".so")], sorted(names)
        distinfo = data.replace(".data", ".dist-info")
        eps = z.read(distinfo + "/entry_points.txt").decode()
        assert re.search(r"\[virtualenv\.create\]\s*\nvenvshim\s*=\s*venvshim\.virtualenv_plugin:VenvshimCreator",
                         eps), eps
        assert "Root-Is-Purelib: false" in z.read(distinfo + "/WHEEL").decode()
        launcher = z.read(data + "/data/libexec/venvshim/venvshim-launcher")
    assert MARKER in launcher


@pytest.mark.parametrize("arch", sorted(MACHINES))
def test_every_elf_file_in_the_wheel_fits_its_tags(arch, work):
    """What the tags promise: every ELF file is built for the wheel's
    architecture and statically linked (no program interpreter, no dynamic
    section, so no NEEDED library and no glibc or musl symbol version: it runs
    on manylinux_2_17 and musllinux_1_1 alike). WHEEL and RECORD agree with
    the name. The size is printed (-rA): a wheel over 1 MiB needs a reason."""
    wheel = release_wheel(arch)
    tags = ["py3-none-" + t for t in RELEASE_TAGS.format(arch).split(".")]
    dest = work / ("elf-" + arch)
    elves = []
    with zipfile.ZipFile(wheel) as z:
        distinfo = next(n.split("/")[0] for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
        assert re.findall(r"^Tag: (.*)$", z.read(distinfo + "/WHEEL").decode(), re.M) == tags
        for line in z.read(distinfo + "/RECORD").decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            if digest:
                data = z.read(name)
                assert int(size) == len(data), name
                assert digest == "sha256=" + base64.urlsafe_b64encode(
                    hashlib.sha256(data).digest()).rstrip(b"=").decode(), name
        for info in z.infolist():
            data = z.read(info)
            if data[:4] == b"\x7fELF":
                path = dest / info.filename
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                elves.append((info.filename, path))
    assert sorted(n.rsplit("/", 1)[1] for n, _ in elves) == ["venvshim", "venvshim-launcher"], elves
    for name, path in elves:
        header = run(["readelf", "-h", path]).stdout.decode()
        assert re.search(r"Machine:\s+{}$".format(re.escape(MACHINES[arch])), header, re.M), (name, header)
        segments = run(["readelf", "-l", "-W", path]).stdout.decode()
        assert "INTERP" not in segments, "{} asks for a dynamic loader".format(name)
        dynamic = run(["readelf", "-d", "-W", path]).stdout.decode()
        assert "(NEEDED)" not in dynamic and "There is no dynamic section" in dynamic, (name, dynamic)
    size = wheel.stat().st_size
    print("{}: {} bytes".format(wheel.name, size))
    assert size <= 1024 * 1024, "{} is {} bytes: over 1 MiB needs a reason (docs/install.md)".format(wheel.name, size)


def wheel_targets():
    """(id, interpreter, arch, environment) for every interpreter found, as
    the integration tests find them, plus the arm64 python3.11 under qemu."""
    spec = importlib.util.spec_from_file_location(
        "integration_conftest", REPO / "tests" / "integration" / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    targets = [(i.id, i, "x86_64", {}) for i in conftest.discover_interpreters()]
    sysroot = os.environ.get("VENVSHIM_ARM64_SYSROOT")
    arm = conftest.Interp("arm64-3.11", Path(sysroot or "/nonexistent") / "usr/bin/python3.11", "cpython",
                          "Debian's arm64 python3.11 under qemu (tests/arm64/sysroot; needs qemu-aarch64 in binfmt_misc)")
    targets.append((arm.id, arm, "aarch64", {"QEMU_LD_PREFIX": sysroot or ""}))
    return targets


@pytest.mark.parametrize("target", wheel_targets(), ids=lambda t: t[0])
def test_the_wheel_installs_into_a_venv_of_every_interpreter(target, work):
    """pip (the venv's own, offline) installs the release wheel; its CLI then
    makes a venvshim venv of that interpreter that runs."""
    id, interp, arch, extra = target
    interp.require()
    env = clean_env(**extra)
    venv = work / ("pip-" + id)
    run([interp.path, "-m", "venv", venv], env=env)
    pip = run([venv / "bin" / "python", "-m", "pip", "--version"], env=env).stdout.decode()
    version = tuple(int(x) for x in re.match(r"pip (\d+)\.(\d+)", pip).groups())
    r = run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", release_wheel(arch)], env=env,
            check=False)
    if version < (19, 3):  # manylinux2014 is the oldest tag the wheel has
        assert r.returncode != 0 and b"is not a supported wheel on this platform" in r.stderr, describe(r)
        pytest.xfail("pip {}.{} predates the manylinux2014 tag (19.3): pip install -U pip first".format(*version))
    assert r.returncode == 0, describe(r)
    cli = venv / "bin" / "venvshim"
    assert run([cli, "--version"], env=env).stdout.startswith(b"venvshim ")
    made = work / ("pip-made-" + id)
    # under qemu, the CLI's walk from "/" needs the sysroot's view of the host
    # (tests/arm64/in-emulation says why)
    wrap = ["bash", str(REPO / "tests" / "arm64" / "in-emulation")] if "QEMU_LD_PREFIX" in extra else []
    run(wrap + [cli, "create", "--python", interp.path, "--without-pip", made], env=env, cwd="/")
    assert_launcher_venv(made, venv / "libexec" / "venvshim" / "venvshim-launcher", env=env)


def test_wheel_launcher_is_static(tools):
    launcher = tools_launcher(tools)
    assert os.access(launcher, os.X_OK)
    assert is_static_elf(launcher), "{} has a dynamic loader".format(launcher)
    if shutil.which("musl-gcc"):  # the small musl build, as from meson setup
        assert launcher.stat().st_size <= 64 * 1024, launcher.stat().st_size


def test_installed_layout_is_meson_install_layout(tools):
    """bin/venvshim and libexec/venvshim/venvshim-launcher under one prefix."""
    assert (tools / "bin" / "venvshim").is_file()
    assert tools_launcher(tools).is_file()
    assert shutil.which("venvshim", path=tools_env(tools)["PATH"]) == str(tools / "bin" / "venvshim")


# ----------------------------------------------------- the installed commands

def test_installed_cli_create_install_check(tools, work):
    env = tools_env(tools)
    made = work / "cli-create"
    r = run(["venvshim", "create", "--python", SYSTEM_PYTHON, "--without-pip", made], env=env, cwd="/")
    assert_launcher_venv(made, tools_launcher(tools))

    plain = work / "cli-install"
    run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", plain])
    assert (plain / "bin" / "python").is_symlink()
    run(["venvshim", "install", plain], env=env, cwd="/")
    assert_launcher_venv(plain, tools_launcher(tools))

    r = run(["venvshim", "check", made], env=env)
    assert r.stdout.decode().rstrip().endswith("healthy"), describe(r)
    assert "this build's launcher" in r.stdout.decode(), describe(r)


def test_installed_cli_relocate(tools, work):
    """create --relocatable with pip, move the venv, run its pip script launcher."""
    env = tools_env(tools)
    first = work / "reloc-a"
    run(["venvshim", "create", "--python", SYSTEM_PYTHON, "--relocatable", first], env=env)
    assert_launcher_venv(first, tools_launcher(tools))
    pip = (first / "bin" / "pip").read_bytes()
    assert pip.startswith(b"\x7fELF") and MARKER in pip, "bin/pip is not a script launcher"
    moved = work / "reloc-b"
    first.rename(moved)
    r = run([moved / "bin" / "pip", "--version"], env=clean_env(), cwd="/")
    assert str(moved / "lib") in r.stdout.decode(), describe(r)
    assert_launcher_venv(moved, tools_launcher(tools))


def test_python_m_venvshim(tools, work):
    env = tools_env(tools)
    direct = run(["venvshim", "--version"], env=env).stdout
    assert run([tools / "bin" / "python", "-m", "venvshim", "--version"], env=env).stdout == direct
    made = work / "python-m"
    run([tools / "bin" / "python", "-m", "venvshim", "create", "--python", SYSTEM_PYTHON, "--without-pip",
         made], env=env, cwd="/")
    assert_launcher_venv(made, tools_launcher(tools))
    r = run([tools / "bin" / "python", "-m", "venvshim", "no-such-command"], env=env, check=False)
    assert r.returncode == 2 and r.stderr.startswith(b"venvshim: "), describe(r)


@pytest.mark.parametrize("scheme", ["user", "target"])
def test_other_pip_schemes(scheme, wheel, work):
    """pip install --user / --target: the CLI still finds its launcher."""
    root = work / ("scheme-" + scheme)
    extra = {}
    if scheme == "user":
        extra["PYTHONUSERBASE"] = root
        args = ["--user", "--break-system-packages"]
    else:
        args = ["--target", root]
        extra["PYTHONPATH"] = root
    env = clean_env(**extra)
    run([SYSTEM_PYTHON, "-m", "pip", "install", "--no-deps"] + args + [wheel], env=env)
    cli = root / "bin" / "venvshim"
    launcher = root / "libexec" / "venvshim" / "venvshim-launcher"
    made = root.parent / ("scheme-venv-" + scheme)
    run([cli, "create", "--python", SYSTEM_PYTHON, "--without-pip", made], env=clean_env(), cwd="/")
    assert_launcher_venv(made, launcher)
    r = run([SYSTEM_PYTHON, "-c", "import venvshim; print(venvshim.cli_path())"], env=env, cwd="/")
    assert r.stdout.decode().strip() == str(cli)
    assert run([SYSTEM_PYTHON, "-m", "venvshim", "--version"], env=env).stdout.startswith(b"venvshim ")


# ---------------------------------------------------------------- virtualenv

@pytest.mark.parametrize("seed", ["no-seed", "seed"])
@pytest.mark.parametrize("how", ["flag", "env"])
def test_virtualenv_creator(tools, work, how, seed):
    dest = work / "virtualenv-{}-{}".format(how, seed)
    args = [tools / "bin" / "python", "-m", "virtualenv"]
    extra = {}
    if how == "flag":
        args += ["--creator", "venvshim"]
    else:
        extra["VIRTUALENV_CREATOR"] = "venvshim"
    if seed == "no-seed":
        args.append("--no-seed")
    r = run(args + [dest], env=tools_env(tools, **extra), cwd=work)
    assert "VenvshimCreator" in r.stdout.decode(), describe(r)
    assert_launcher_venv(dest, tools_launcher(tools))
    cfg = (dest / "pyvenv.cfg").read_text()
    assert re.search(r"^virtualenv = ", cfg, re.M), cfg  # virtualenv's keys survive
    assert re.search(r"^executable = /", cfg, re.M), cfg  # and so does install's
    assert (dest / ".gitignore").is_file()
    pip = dest / "bin" / "pip"
    if seed == "no-seed":
        assert not pip.exists()
        return
    assert pip.read_bytes().startswith("#!{}\n".format(dest / "bin" / "python").encode())
    r = run([pip, "--version"], env=clean_env(), cwd="/")
    assert str(dest / "lib") in r.stdout.decode(), describe(r)
    r = run([dest / "bin" / "python", "-c", "import setuptools, wheel"], env=clean_env(), cwd="/")


def test_virtualenv_default_creator_unchanged(tools, work):
    """Installing the plugin must not change what a plain `virtualenv DIR` makes."""
    r = run([tools / "bin" / "python", "-m", "virtualenv", "--help"], env=tools_env(tools))
    assert "venvshim" in r.stdout.decode()  # offered ...
    assert re.search(r"\(builtin = (?!venvshim)[^)]+\)", r.stdout.decode()), describe(r)  # ... not default
    dest = work / "virtualenv-default"
    run([tools / "bin" / "python", "-m", "virtualenv", "--no-seed", dest], env=tools_env(tools))
    assert (dest / "bin" / "python").is_symlink()


TOX_INI = """\
[tox]
skipsdist = true
envlist = py

[testenv]
commands = python -m unittest discover -s tests -v
"""

TOX_TEST = """\
import os, sys, unittest

class InTheToxEnv(unittest.TestCase):
    def test_prefix_is_the_tox_env(self):
        self.assertEqual(os.path.realpath(sys.prefix), os.path.realpath(os.environ["VIRTUAL_ENV"]))

    def test_python_is_the_launcher(self):
        with open(os.path.join(sys.prefix, "bin", "python"), "rb") as f:
            self.assertIn({marker!r}, f.read())

    def test_seeded(self):
        import pip  # noqa: F401
"""


def test_tox_with_the_plugin(tools, work):
    project = work / "tox-project"
    (project / "tests").mkdir(parents=True)
    (project / "tox.ini").write_text(TOX_INI)
    (project / "tests" / "test_env.py").write_text(TOX_TEST.format(marker=MARKER))
    r = run([tools / "bin" / "python", "-m", "tox"], env=tools_env(tools, VIRTUALENV_CREATOR="venvshim"),
            cwd=project)
    out = r.stdout.decode() + r.stderr.decode()
    assert "Ran 3 tests" in out and "commands succeeded" in out, describe(r)
    assert_launcher_venv(project / ".tox" / "py", tools_launcher(tools))


# ---------------------------------------------------------------------- pipx

def test_pipx_install(wheel, work):
    pipx = shutil.which("pipx")
    if not pipx:
        pytest.skip("pipx not installed (Debian package pipx)")
    home, bindir = work / "pipx-home", work / "pipx-bin"
    env = clean_env(PIPX_HOME=home, PIPX_BIN_DIR=bindir)
    run([pipx, "install", wheel], env=env)
    assert sorted(os.listdir(bindir)) == ["venvshim"]  # only the CLI is exposed
    made = work / "pipx-made"
    run([bindir / "venvshim", "create", "--python", SYSTEM_PYTHON, "--without-pip", made],
        env=clean_env(), cwd="/")
    assert_launcher_venv(made, home / "venvs" / "venvshim" / "libexec" / "venvshim" / "venvshim-launcher")


# --------------------------------------------------------------------- sdist

def test_sdist_builds_the_same_wheel(wheel, work):
    if not (REPO / ".git").exists():
        pytest.skip("{} is not a git checkout: meson dist (the sdist) needs one".format(REPO))
    sd = work / "sdist"
    run([SYSTEM_PYTHON, "-m", "build", "--sdist", "--no-isolation", "-o", sd, REPO])
    tars = list(sd.glob("venvshim-*.tar.gz"))
    assert len(tars) == 1, tars
    shutil.unpack_archive(str(tars[0]), str(sd))
    src = sd / tars[0].name[:-len(".tar.gz")]
    assert (src / "PKG-INFO").is_file() and (src / "pyproject.toml").is_file()
    out = sd / "dist"
    run([SYSTEM_PYTHON, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", out, src])
    (built,) = list(out.glob("*.whl"))
    again = Path(run([SYSTEM_PYTHON, REPO / ".ci" / "wheel_tags.py", built, out]).stdout.decode().strip())
    assert again.name == wheel.name
    with zipfile.ZipFile(wheel) as a, zipfile.ZipFile(again) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for n in a.namelist():  # every file byte for byte: the binaries too (reproducible)
            assert a.read(n) == b.read(n), n


# ------------------------------------------------------------- meson install

@pytest.fixture(scope="session")
def meson_build(work):
    build = work / "meson-build"
    run(["meson", "setup", build, REPO, "--prefix=/opt/venvshim-test", "-Dunit_tests=disabled"])
    run(["meson", "compile", "-C", build])
    return build


def test_meson_install_destdir(meson_build, work):
    stage = work / "stage"
    run(["meson", "install", "-C", meson_build, "--no-rebuild", "--destdir", stage])
    prefix = stage / "opt" / "venvshim-test"
    cli, launcher = prefix / "bin" / "venvshim", prefix / "libexec" / "venvshim" / "venvshim-launcher"
    assert cli.is_file() and launcher.is_file()
    made = work / "staged-made"
    run([cli, "create", "--python", SYSTEM_PYTHON, "--without-pip", made], env=clean_env(), cwd="/")
    assert_launcher_venv(made, launcher)
    # The prefix is not compiled in: the installed tree works wherever it is moved.
    moved = work / "elsewhere" / "prefix"
    moved.parent.mkdir()
    prefix.rename(moved)
    again = work / "moved-made"
    run([moved / "bin" / "venvshim", "create", "--python", SYSTEM_PYTHON, "--without-pip", again],
        env=clean_env(), cwd="/")
    assert_launcher_venv(again, moved / "libexec" / "venvshim" / "venvshim-launcher")


GENERATED = {  # installed file -> how the shell that reads it checks its syntax
    "share/bash-completion/completions/venvshim": ["bash", "-n"],
    "share/zsh/site-functions/_venvshim": ["zsh", "-n"],
    "share/fish/vendor_completions.d/venvshim.fish": ["fish", "-n"],
}


def test_meson_install_man_page_and_completions(meson_build, work):
    """venvshim(1) and the completions are generated from the built CLI and installed."""
    stage = work / "stage-docs"
    run(["meson", "install", "-C", meson_build, "--no-rebuild", "--destdir", stage])
    prefix = stage / "opt" / "venvshim-test"
    cli = prefix / "bin" / "venvshim"
    man = prefix / "share" / "man" / "man1" / "venvshim.1"
    assert man.read_bytes() == run([cli, "--help-man"]).stdout
    r = run(["man", "--warnings", "-l", man], env=clean_env(MANWIDTH="80"))
    assert r.stderr == b"", r.stderr
    for command in ("create", "install", "check", "relocate", "rebase"):
        assert b"venvshim " + command.encode() in r.stdout
    for rel, check in GENERATED.items():
        path = prefix / rel
        shell = path.suffix.lstrip(".") or ("zsh" if path.name.startswith("_") else "bash")
        assert path.read_bytes() == run([cli, "--completions", shell]).stdout, rel
        run(check + [path])


def test_meson_install_custom_libexecdir(meson_build, work):
    build = work / "meson-build-libexec"
    run(["meson", "setup", build, REPO, "--prefix=/opt/venvshim-test", "-Dunit_tests=disabled",
         "--libexecdir=lib/x86_64-linux-gnu"])
    run(["meson", "compile", "-C", build])
    stage = work / "stage-libexec"
    run(["meson", "install", "-C", build, "--no-rebuild", "--destdir", stage])
    prefix = stage / "opt" / "venvshim-test"
    made = work / "libexec-made"
    run([prefix / "bin" / "venvshim", "create", "--python", SYSTEM_PYTHON, "--without-pip", made],
        env=clean_env(), cwd="/")
    assert_launcher_venv(made, prefix / "lib" / "x86_64-linux-gnu" / "venvshim" / "venvshim-launcher")
