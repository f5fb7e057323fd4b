"""The bad-input catalogue: one row per hostile or broken input, each run
against the real launcher binary. Every row asserts the exit code, that the
process was not killed by a signal, that it finished in under a second, and
for errors a message of at most two lines, the first starting "venvshim: " and
naming the offending path. Rows that CPython accepts (CRLF, upper-case key, no
final newline, ...) must run the right base (checked with PYLAUNCHER_DRYRUN)."""

import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hardening_support import (LAUNCHER, SYSTEM_PYTHON, SYSTEM_VERSION, fake_venv, plan, run,
                               system_cfg)

pytestmark = pytest.mark.skipif(not LAUNCHER.is_file(), reason=f"no launcher at {LAUNCHER}")

SYS_HOME = str(SYSTEM_PYTHON.parent)
SYS_BASE = str(SYSTEM_PYTHON)
# A running unprivileged user: root reads everything, so permission rows drop to nobody.
# VENVSHIM_TEST_WRAPPER="valgrind -q --error-exitcode=99": every row under it.
WRAPPER = shlex.split(os.environ.get("VENVSHIM_TEST_WRAPPER", ""))
TIME_LIMIT = 10.0 if WRAPPER else 1.0
DROP_ROOT = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
             if os.geteuid() == 0 else [])


@dataclass
class Case:
    argv: list                # argv[0] first
    code: int                 # expected exit status
    names: list = field(default_factory=list)  # substrings of the first stderr line
    executable: str = None    # when argv[0] is not the file to run
    env: dict = None          # replaces PATH etc. when given
    cwd: str = None
    expect_plan: dict = None  # for accepted inputs: dry-run keys that must match
    unprivileged: bool = False
    self_exe: bool = False    # relies on /proc/self/exe (valgrind's own binary under valgrind)


def launcher_in(tmp, cfg=None, cfg_bytes=None, name="python"):
    return str(fake_venv(tmp / "v", cfg=cfg, cfg_bytes=cfg_bytes, name=name))


def cfg_path(tmp):
    return str(tmp / "v" / "pyvenv.cfg")


def accepted(tmp, cfg=None, cfg_bytes=None, home=SYS_HOME):
    exe = launcher_in(tmp, cfg=cfg, cfg_bytes=cfg_bytes)
    return Case([exe], 0, expect_plan={"home": home, "executable": SYS_BASE, "venv python": exe})


def base_dir(tmp, name="base"):
    d = tmp / name / "bin"
    d.mkdir(parents=True)
    return d


# ---- pyvenv.cfg itself ----

def no_cfg(tmp):
    exe = launcher_in(tmp)
    return Case([exe], 106, [str(tmp / "v" / "bin")])


def cfg_is_directory(tmp):
    exe = launcher_in(tmp)
    (tmp / "v" / "pyvenv.cfg").mkdir()
    return Case([exe], 107, [cfg_path(tmp), "not a regular file"])


def cfg_empty(tmp):
    return Case([launcher_in(tmp, cfg="")], 107, [cfg_path(tmp), "no 'home"])


def cfg_huge(tmp):
    return Case([launcher_in(tmp, cfg=system_cfg() + "#" * 40000 + "\n")], 107,
                [cfg_path(tmp), "32 KiB"])


def cfg_exactly_32k(tmp):
    text = system_cfg()
    return Case([launcher_in(tmp, cfg=text + "#" * (32768 - len(text)))], 107,
                [cfg_path(tmp), "32 KiB"])


def cfg_just_under_32k(tmp):
    text = system_cfg()
    return accepted(tmp, cfg=text + "#" * (32767 - len(text)))


def cfg_binary(tmp):
    return Case([launcher_in(tmp, cfg_bytes=LAUNCHER.read_bytes()[:20000])], 107,
                [cfg_path(tmp), "NUL"])


def cfg_binary_without_nul(tmp):
    data = bytes(b for b in os.urandom(4096) if b not in (0, ord("=")))
    return Case([launcher_in(tmp, cfg_bytes=data)], 107, [cfg_path(tmp)])


def cfg_nul_in_home(tmp):
    return Case([launcher_in(tmp, cfg_bytes=f"home = {SYS_HOME}\0/x\n".encode())], 107,
                [cfg_path(tmp), "NUL"])


def cfg_bom(tmp):
    return Case([launcher_in(tmp, cfg_bytes=b"\xef\xbb\xbf" + system_cfg().encode())], 107,
                [cfg_path(tmp), "byte order mark"])


def cfg_crlf(tmp):
    return accepted(tmp, cfg_bytes=system_cfg().replace("\n", "\r\n").encode())


def cfg_no_final_newline(tmp):
    return accepted(tmp, cfg=f"version = {SYSTEM_VERSION}.0\nhome = {SYS_HOME}")


def cfg_upper_case_key(tmp):
    return accepted(tmp, cfg=f"HOME = {SYS_HOME}\nVersion = {SYSTEM_VERSION}.0\n")


def cfg_duplicate_home_first_wins(tmp):
    return accepted(tmp, cfg=system_cfg(f"home = {tmp}/nonexistent\n"))


def cfg_duplicate_home_first_broken(tmp):
    missing = f"{tmp}/first-home-missing"
    return Case([launcher_in(tmp, cfg=f"home = {missing}\nhome = {SYS_HOME}\n")], 103, [missing])


def cfg_is_fifo(tmp):
    exe = launcher_in(tmp)
    os.mkfifo(tmp / "v" / "pyvenv.cfg")
    return Case([exe], 107, [cfg_path(tmp), "not a regular file"])


def cfg_symlink_to_dev_zero(tmp):
    exe = launcher_in(tmp)
    os.symlink("/dev/zero", tmp / "v" / "pyvenv.cfg")
    return Case([exe], 107, [cfg_path(tmp)])


def cfg_unreadable(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    os.chmod(tmp / "v" / "pyvenv.cfg", 0)
    return Case([exe], 107, [cfg_path(tmp), "Permission denied"], unprivileged=True)


# ---- home ----

def home_relative_missing(tmp):
    # a relative home is resolved against the venv directory (PEP 796)
    return Case([launcher_in(tmp, cfg="home = usr/bin\n")], 103,
                [f"home = {tmp}/v/usr/bin", "does not exist"])


def home_relative_without_the_hook(tmp):
    """A relative home needs the site-init hook, or CPython would resolve it against the CWD."""
    rel = os.path.relpath(SYS_HOME, tmp / "v")
    exe = launcher_in(tmp, cfg=f"home = {rel}\nversion = {SYSTEM_VERSION}.0\n")
    return Case([exe], 107, [cfg_path(tmp), "_venvshim.pth"])


def home_is_file(tmp):
    f = tmp / "a-file"
    f.write_text("")
    return Case([launcher_in(tmp, cfg=f"home = {f}\n")], 103, [str(f), "not a directory"])


def home_empty(tmp):
    return Case([launcher_in(tmp, cfg="home =\nversion = 3.11.2\n")], 107, [cfg_path(tmp), "empty"])


def home_only_whitespace(tmp):
    return Case([launcher_in(tmp, cfg="home =  \t \u3000 \n")], 107, [cfg_path(tmp), "empty"])


def home_key_missing(tmp):
    return Case([launcher_in(tmp, cfg="version = 3.11.2\n")], 107, [cfg_path(tmp), "no 'home"])


def home_does_not_exist(tmp):
    missing = f"{tmp}/moved/bin"
    return Case([launcher_in(tmp, cfg=f"home = {missing}\n")], 103, [missing, "does not exist"])


def home_not_a_directory_fifo(tmp):
    fifo = tmp / "home-fifo"
    os.mkfifo(fifo)
    return Case([launcher_in(tmp, cfg=f"home = {fifo}\n")], 103, [str(fifo), "not a directory"])


def home_too_long(tmp):
    home = "/" + "h" * 5000
    return Case([launcher_in(tmp, cfg=f"home = {home}\n")], 107, [cfg_path(tmp), "longer"])


def home_is_root(tmp):
    return Case([launcher_in(tmp, cfg="home = /\nversion = 3.11.2\n")], 103, ["home = /", "tried"])


def home_unreadable(tmp):
    home = base_dir(tmp)
    os.symlink(SYS_BASE, home / f"python{SYSTEM_VERSION}")
    os.chmod(home, 0)
    return Case([launcher_in(tmp, cfg=f"home = {home}\nversion = {SYSTEM_VERSION}.0\n")], 103,
                [f"home = {home}", "cannot be searched", "Permission denied"], unprivileged=True)


def home_pyvenv_cfg_unreadable(tmp):
    """home is a venv's bin/ whose pyvenv.cfg cannot be read: that file is at fault."""
    fake_venv(tmp / "w", cfg=system_cfg())
    os.chmod(tmp / "w" / "pyvenv.cfg", 0)
    return Case([launcher_in(tmp, cfg=f"home = {tmp}/w/bin\n")], 107,
                [str(tmp / "w" / "pyvenv.cfg"), "Permission denied"], unprivileged=True)


def home_is_the_venv_itself(tmp):
    exe = launcher_in(tmp, cfg=f"home = {tmp}/v/bin\n")
    return Case([exe], 103, [str(tmp / "v" / "bin"), "loop"])


def home_cycle_of_two_venvs(tmp):
    fake_venv(tmp / "w", cfg=f"home = {tmp}/v/bin\n")
    exe = launcher_in(tmp, cfg=f"home = {tmp}/w/bin\n")
    return Case([exe], 103, [str(tmp / "w" / "pyvenv.cfg"), "loop"])


def home_chain_too_deep(tmp):
    for i in range(10):
        fake_venv(tmp / f"c{i}", cfg=f"home = {tmp}/c{i + 1}/bin\n")
    exe = launcher_in(tmp, cfg=f"home = {tmp}/c0/bin\n")
    return Case([exe], 103, [cfg_path(tmp), "more than 8"])


# ---- the base binary in home ----

def base_not_executable(tmp):
    home = base_dir(tmp)
    shutil.copy(SYS_BASE, home / f"python{SYSTEM_VERSION}")
    os.chmod(home / f"python{SYSTEM_VERSION}", 0o644)
    return Case([launcher_in(tmp, cfg=f"home = {home}\nversion = {SYSTEM_VERSION}.0\n")], 103,
                [str(home), "not executable"])


def base_is_directory(tmp):
    home = base_dir(tmp)
    (home / f"python{SYSTEM_VERSION}").mkdir()
    return Case([launcher_in(tmp, cfg=f"home = {home}\nversion = {SYSTEM_VERSION}.0\n")], 103,
                [str(home), "not a file"])


def base_dangling_symlink(tmp):
    home = base_dir(tmp)
    os.symlink(tmp / "gone" / "python3", home / "python3")
    return Case([launcher_in(tmp, cfg=f"home = {home}\nversion = {SYSTEM_VERSION}.0\n")], 103,
                [str(home), "missing"])


def base_symlink_loop(tmp):
    home = base_dir(tmp)
    os.symlink("python3.b", home / "python3")
    os.symlink("python3", home / "python3.b")
    # glibc: "Too many levels of symbolic links"; musl (the static build): "Symbolic link loop"
    return Case([launcher_in(tmp, cfg=f"home = {home}\n")], 103, [str(home), "ymbolic link"])


def base_is_the_launcher(tmp):
    home = base_dir(tmp)
    shutil.copy2(LAUNCHER, home / "python3")
    return Case([launcher_in(tmp, cfg=f"home = {home}\n")], 103,
                [str(home / "python3"), "this launcher"], self_exe=True)


def base_of_another_version(tmp):
    home = base_dir(tmp)
    os.symlink(SYS_BASE, home / "python3.98")
    os.symlink("python3.98", home / "python3")
    return Case([launcher_in(tmp, cfg=f"home = {home}\nversion = 3.97.1\n")], 103,
                [str(home / "python3"), "3.97", "3.98"])


def executable_key_not_python(tmp):
    home = base_dir(tmp)
    return Case([launcher_in(tmp, cfg=f"home = {home}\nexecutable = /bin/sh\n")], 103,
                [str(home), "/bin/sh"])


def executable_key_not_python_falls_back(tmp):
    return accepted(tmp, cfg=system_cfg("executable = /bin/sh\nbase-executable = /etc/passwd\n"))


# ---- how the launcher is invoked ----

def argv0_dangling_symlink(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    (tmp / "elsewhere").mkdir()
    link = tmp / "elsewhere" / "python"
    os.symlink(tmp / "nowhere" / "python", link)
    return Case([str(link)], 0, executable=exe,
                expect_plan={"executable": SYS_BASE, "venv python": exe})


def argv0_dangling_symlink_no_venv(tmp):
    (tmp / "bare").mkdir()
    exe = tmp / "bare" / "python"
    shutil.copy2(LAUNCHER, exe)
    link = tmp / "dangling-python"
    os.symlink(tmp / "nowhere" / "python", link)
    return Case([str(link)], 106, [str(link)], executable=str(exe))


def argv0_symlink_loop(tmp):
    (tmp / "bare").mkdir()
    exe = tmp / "bare" / "python"
    shutil.copy2(LAUNCHER, exe)
    os.symlink("loop-b", tmp / "loop-a")
    os.symlink("loop-a", tmp / "loop-b")
    return Case([str(tmp / "loop-a")], 106, [str(tmp / "loop-a"), "symlink loop"],
                executable=str(exe))


def argv0_nonexistent_file(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    return Case([f"{tmp}/no/such/python"], 0, executable=exe,
                expect_plan={"executable": SYS_BASE, "venv python": exe})


def argv0_bare_name_not_on_path(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    return Case(["python-not-on-path"], 0, executable=exe, env={"PATH": "/nonexistent"},
                expect_plan={"executable": SYS_BASE, "venv python": exe})


def argv0_empty(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    return Case([""], 0, executable=exe, expect_plan={"executable": SYS_BASE, "venv python": exe})


def empty_path_bare_name(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    return Case(["python"], 0, executable=exe, env={"PATH": ""}, cwd="/",
                expect_plan={"executable": SYS_BASE, "venv python": exe})


def empty_path_entry_is_cwd(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    return Case(["python"], 0, executable=exe, env={"PATH": ""}, cwd=str(tmp / "v" / "bin"),
                expect_plan={"executable": SYS_BASE, "venv python": exe})


def path_of_4000_bytes(tmp):
    deep = tmp
    while len(str(deep)) < 4000 - len("/v/bin/python") - 200:
        deep = deep / ("d" * 200)
    deep = deep / ("e" * (4000 - len("/v/bin/python") - len(str(deep)) - 1))
    exe = str(fake_venv(deep / "v", cfg=system_cfg()))
    assert len(exe) == 4000
    return Case([exe], 0, expect_plan={"executable": SYS_BASE, "venv python": exe})


def argv0_longer_than_path_max(tmp):
    exe = launcher_in(tmp, cfg=system_cfg())
    long_argv0 = str(tmp) + "/" + "x/" * 2100 + "python"
    return Case([long_argv0], 106, [str(tmp), "longer than 4095"], executable=exe)


ROWS = [
    no_cfg, cfg_is_directory, cfg_empty, cfg_huge, cfg_exactly_32k, cfg_just_under_32k,
    cfg_binary, cfg_binary_without_nul, cfg_nul_in_home, cfg_bom, cfg_crlf, cfg_no_final_newline,
    cfg_upper_case_key, cfg_duplicate_home_first_wins, cfg_duplicate_home_first_broken,
    cfg_is_fifo, cfg_symlink_to_dev_zero, cfg_unreadable,
    home_relative_missing, home_relative_without_the_hook, home_is_file, home_empty, home_only_whitespace, home_key_missing,
    home_does_not_exist, home_not_a_directory_fifo, home_too_long, home_is_root,
    home_unreadable, home_pyvenv_cfg_unreadable, home_is_the_venv_itself, home_cycle_of_two_venvs, home_chain_too_deep,
    base_not_executable, base_is_directory, base_dangling_symlink, base_symlink_loop,
    base_is_the_launcher, base_of_another_version, executable_key_not_python,
    executable_key_not_python_falls_back,
    argv0_dangling_symlink, argv0_dangling_symlink_no_venv, argv0_symlink_loop,
    argv0_nonexistent_file, argv0_bare_name_not_on_path, argv0_empty, empty_path_bare_name,
    empty_path_entry_is_cwd, path_of_4000_bytes, argv0_longer_than_path_max,
]


@pytest.fixture
def open_tmp():
    """A temporary directory every user can traverse (pytest's is 0700 root)."""
    d = Path(tempfile.mkdtemp(prefix="venvshim-catalogue-", dir="/tmp"))
    os.chmod(d, 0o755)
    yield d
    for root, dirs, _ in os.walk(d):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o755)
            except OSError:
                pass
    shutil.rmtree(d, ignore_errors=True)


def test_catalogue_has_at_least_30_rows():
    assert len(ROWS) >= 30


@pytest.mark.parametrize("row", ROWS, ids=[r.__name__ for r in ROWS])
def test_bad_input(row, open_tmp):
    assert SYSTEM_VERSION, f"{SYSTEM_PYTHON} has no X.Y in its name"
    case = row(open_tmp)
    argv = case.argv
    executable = case.executable
    if case.unprivileged:
        if DROP_ROOT and not shutil.which("setpriv"):
            pytest.skip("running as root and setpriv is missing: cannot test as an unprivileged user")
        argv = DROP_ROOT + [executable or argv[0]] + argv[1:]
        assert executable is None  # argv[0] cannot be chosen through setpriv
    if WRAPPER:
        if executable or case.unprivileged or case.self_exe:
            pytest.skip("argv[0] / the user cannot be chosen through the wrapper")
        argv = WRAPPER + argv
    env = None
    if case.env is not None:
        env = {k: v for k, v in os.environ.items() if k != "PATH"}
        env.update(case.env)
    r = run(argv, executable=executable, env=env, cwd=case.cwd, dry_run=True, timeout=10)
    assert r.code >= 0, f"killed by signal {-r.code}: {r!r}"
    assert r.elapsed < TIME_LIMIT, f"took {r.elapsed:.3f}s: {r!r}"
    assert r.code == case.code, repr(r)
    if case.code == 0:
        got = plan(r)
        for key, want in case.expect_plan.items():
            assert got.get(key) == want, f"{key}: {got.get(key)!r} != {want!r}\n{r!r}"
        assert r.stderr == "", repr(r)
        return
    lines = r.lines()
    assert 1 <= len(lines) <= 2, f"want a one- or two-line message: {r!r}"
    assert all(l.startswith("venvshim: ") for l in lines), repr(r)
    for name in case.names:
        assert name in lines[0], f"{name!r} not in the first line: {r!r}"
    assert r.stdout == "", repr(r)
