#!/usr/bin/env python3
"""The Windows launchers in front of a REAL Windows CPython, under Wine.

Usage: check_real.py BUILD_DIR. The interpreter is the folder named by
VENVSHIM_WINDOWS_PYTHON, else ../shared/windows-cpython-3.7.9 relative to the
repository (an embeddable 3.7.9 whose python37._pth has `import site`); with
neither, prints a '# ' line and checks nothing. Every check runs once per
launcher mode (MODES). TAP-like output as check_windows.py.
Under Wine, real CPython aborts when a std stream is a regular file: every
run here uses pipes or /dev/null.
"""
import glob
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

# The script launcher's exit code for a file with no usable '#!' line. One
# place, so it can follow launcher/contract.h (EXIT_NO_SHEBANG).
EXIT_NO_SCRIPT = 113

BUILD = os.path.abspath(sys.argv[1])
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WINE = os.environ.get("MESON_EXE_WRAPPER", "wine")
W = os.path.join(BUILD, "launcher/win")
LAUNCHER, WLAUNCHER = os.path.join(W, "venvlauncher.exe"), os.path.join(W, "venvwlauncher.exe")
SCRIPT, SCRIPTW = os.path.join(W, "scriptlauncher.exe"), os.path.join(W, "scriptwlauncher.exe")
VENVSHIM = os.path.join(W, "venvshim.exe")
CHILD = os.path.join(BUILD, "tests/windows/child.exe")
CHILDW = os.path.join(BUILD, "tests/windows/childw.exe")
SPAWN = os.path.join(BUILD, "tests/windows/spawn.exe")



def default_real():
    """../shared/windows-cpython-3.7.9 next to the repository; for a git
    worktree, next to the main checkout as well."""
    tops = [REPO]
    try:
        common = subprocess.run(["git", "-C", REPO, "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True).stdout.strip()
        if common:
            tops.append(os.path.dirname(os.path.abspath(os.path.join(REPO, common))))
    except OSError:
        pass
    for top in tops:
        cand = os.path.join(top, "..", "shared", "windows-cpython-3.7.9")
        if os.path.isfile(os.path.join(cand, "python.exe")):
            return cand
    return os.path.join(REPO, "..", "shared", "windows-cpython-3.7.9")


REAL = os.path.abspath(os.environ.get("VENVSHIM_WINDOWS_PYTHON") or default_real())
if not os.path.isfile(os.path.join(REAL, "python.exe")):
    print(f"# skipped: no real Windows CPython at {REAL} (set VENVSHIM_WINDOWS_PYTHON to a "
          "folder with python.exe)")
    sys.exit(0)
print(f"# real Windows CPython: {REAL}")

# (name, environment): every check below runs in each mode.
MODES = [("two-process", {"VENVSHIM_TWO_PROCESS": "1"}),
         ("one-process", {"VENVSHIM_ONE_PROCESS": "1"})]

TMP = tempfile.mkdtemp(prefix="vs-winreal-")
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    n = len(results)
    if cond:
        print(f"ok {n} - {name}", flush=True)
    else:
        detail = str(detail).replace("\n", "\\n")[:700]
        print(f"not ok {n} - {name} # {detail}", flush=True)


def win(path):
    return "Z:" + os.path.normpath(path).replace("/", "\\")


def wine_start_failure(p):
    return (b"Windows error 1359" in p.stderr
            or (p.returncode == 1 and not p.stdout and b"venvshim:" not in p.stderr
                and b"Traceback" not in p.stderr))


MODE_ENV = {}


def run(exe, args=(), env=None, stdin=b"", timeout=60, binary=False):
    e = dict(os.environ)
    e.update(MODE_ENV)
    e.update(env or {})
    cmd = [WINE, exe, *args]
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, env=e, timeout=timeout)
    except subprocess.TimeoutExpired as t:
        p = subprocess.CompletedProcess(cmd, -1, t.stdout or b"", (t.stderr or b"") + b"(timeout)")
        return (p.returncode, p.stdout, p.stderr) if binary else (-1, "", "(timeout)")
    if wine_start_failure(p):
        print(f"# retried once after a Wine start-up failure: {os.path.basename(exe)} "
              f"exit {p.returncode}, stderr {p.stderr[-160:]!r}", flush=True)
        p = subprocess.run(cmd, input=stdin, capture_output=True, env=e, timeout=timeout)
    if binary:
        return p.returncode, p.stdout, p.stderr
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def write_cfg(venv, home, version="3.7.9"):
    with open(os.path.join(venv, "pyvenv.cfg"), "wb") as f:
        f.write(f"home = {win(home)}\r\ninclude-system-site-packages = false\r\n"
                f"version = {version}\r\n".encode())


# What the interpreter reports about itself, as one JSON line on stdout (or
# into the file named by argv[1] for pythonw, whose streams may be None).
REPORT = r"""
import json, os, sys, ctypes
buf = ctypes.create_unicode_buffer(32768)
ctypes.windll.kernel32.GetModuleFileNameW(None, buf, 32768)
info = dict(prefix=sys.prefix, base_prefix=sys.base_prefix, executable=sys.executable,
            base_executable=getattr(sys, "_base_executable", None), path=sys.path,
            argv=sys.argv, pid=os.getpid(), module=buf.value,
            launcher=os.environ.get("__PYVENV_LAUNCHER__"))
"""
REPORT_OUT = REPORT + r"""
print(json.dumps(info))
sys.exit(int(os.environ.get("EXIT_WITH", "0")))
"""


def make_venv(name, home=REAL, scripts=None):
    venv = os.path.join(TMP, name)
    s = os.path.join(venv, "Scripts")
    os.makedirs(s)
    os.makedirs(os.path.join(venv, "Lib", "site-packages"))
    for fname, src in (scripts or {"python.exe": LAUNCHER, "pythonw.exe": WLAUNCHER}).items():
        shutil.copy(src, os.path.join(s, fname))
    write_cfg(venv, home)
    with open(os.path.join(venv, "Lib", "site-packages", "vs_entry.py"), "w") as f:
        f.write(REPORT + "\n"
                "def main():\n"
                "    print(json.dumps(info))\n"
                "    return 6\n"
                "def gui():\n"
                "    with open(sys.argv[1], 'w') as f:\n"
                "        json.dump(info, f)\n"
                "    return 4\n")
    return venv, s


def script_exe(path, stub, shebang, entry):
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as z:
        z.writestr("__main__.py", f"import sys\nfrom vs_entry import {entry}\n"
                                  f"sys.exit({entry}())\n")
    with open(stub, "rb") as f:
        data = f.read() + shebang
    with open(path, "wb") as f:
        f.write(data + body.getvalue())


def damaged_script_exe(path):
    """A console-script launcher whose zip end record points before the file's start (105).
    Returns the launcher stub and a sound zip, for other broken variants."""
    with open(SCRIPT, "rb") as f:
        stub = f.read()
    zbody = io.BytesIO()
    with zipfile.ZipFile(zbody, "w") as z:
        z.writestr("__main__.py", "print(1)\n")
    zb = zbody.getvalue()
    with open(path, "wb") as f:
        f.write(stub + b"#!python.exe\n" + zb[-22:-6] + (10 ** 9).to_bytes(4, "little") + zb[-2:])
    return stub, zb


def info_of(out):
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return {}


def in_venv(i, venv, exe):
    """sys.prefix, sys.executable, site-packages and the base as for a venv."""
    site = win(os.path.join(venv, "Lib", "site-packages")).lower()
    return (i.get("prefix") == win(venv) and i.get("executable") == win(exe)
            and i.get("base_prefix") == win(REAL)
            and any(p.lower() == site for p in i.get("path", [])))


def real_checks(mode):
    v, s = make_venv(f"{mode}-venv")
    py, pyw = os.path.join(s, "python.exe"), os.path.join(s, "pythonw.exe")

    awkward = ["a b", 'a"b', "a\\b", 'a\\\\"b c', "", "ünï日本", "%PATH%", "^&|<>", "it's",
               "trailing\\"]
    rc, out, err = run(py, ["-c", REPORT_OUT, *awkward], env={"EXIT_WITH": "5"})
    i = info_of(out)
    check(f"{mode}: python.exe: sys.prefix is the venv, sys.executable Scripts\\python.exe, "
          "venv site-packages on sys.path", in_venv(i, v, py), (out, err))
    # 3.7-3.10 getpath: sys._base_executable is the program that runs (the
    # base's python.exe behind the redirector, this file in one process, as
    # for a venv holding a copy of python.exe); 3.11+ derive it from home.
    want = REAL + "/python.exe" if mode == "two-process" else py
    check(f"{mode}: python.exe: sys._base_executable is {win(want)}",
          i.get("base_executable") == win(want), i.get("base_executable"))
    check(f"{mode}: python.exe: exit code 5", rc == 5, (rc, err))
    check(f"{mode}: python.exe: arguments with spaces, quotes, non-ASCII arrive unchanged",
          i.get("argv", [None])[1:] == awkward, i.get("argv"))
    check(f"{mode}: __PYVENV_LAUNCHER__ is not left for the interpreter's children",
          i.get("launcher") is None, i.get("launcher"))
    if mode == "one-process":
        check(f"{mode}: the venv's python.exe is the Python process (GetModuleFileNameW)",
              i.get("module") == win(py), i.get("module"))
    else:
        check(f"{mode}: the base's python.exe is the Python process (GetModuleFileNameW)",
              i.get("module") == win(REAL + "/python.exe"), i.get("module"))

    # home = \path\to\python37 (root-relative, docs/windows.md): on the venv's
    # drive, as an absolute home; the real interpreter starts in the venv
    rv, rs = make_venv(f"{mode}-rooted-venv")
    with open(os.path.join(rv, "pyvenv.cfg"), "wb") as f:
        f.write(f"home = {win(REAL)[2:]}\r\ninclude-system-site-packages = false\r\n"
                f"version = 3.7.9\r\n".encode())
    rpy = os.path.join(rs, "python.exe")
    rc, out, err = run(rpy, ["-c", REPORT_OUT], env={"EXIT_WITH": "3"})
    i = info_of(out)
    check(f"{mode}: home = {win(REAL)[2:]} (root-relative): exit 3, sys.prefix the venv, "
          "sys.executable Scripts\\python.exe, the base's stdlib",
          rc == 3 and i.get("prefix") == win(rv) and i.get("executable") == win(rpy)
          and (i.get("base_prefix") or "").lower().endswith(win(REAL)[2:].lower()),
          (rc, out, err))

    blob = os.urandom(1 << 20)
    rc, out, err = run(py, ["-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
                       stdin=blob, binary=True)
    check(f"{mode}: python.exe: 1 MiB binary stdin -> stdout unchanged",
          rc == 0 and out == blob, (rc, len(out), err[-300:]))

    # the Windows parent's PID is the Python process's os.getpid() in one-process mode
    rc, out, err = run(py, ["-c", "import subprocess, sys, json\n"
                            "p = subprocess.Popen([sys.executable, '-c', "
                            "'import os, sys, json; print(json.dumps([os.getpid(), sys.prefix,"
                            " sys.executable]))'], stdout=subprocess.PIPE)\n"
                            "out = p.communicate()[0].decode()\n"
                            "print(json.dumps([p.pid, json.loads(out)]))"])
    try:
        pid, (child_pid, prefix, exe) = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        pid, child_pid, prefix, exe = None, 0, None, None
    check(f"{mode}: subprocess with sys.executable gets the venv",
          prefix == win(v) and exe == win(py), (out, err))
    if mode == "one-process":
        check(f"{mode}: os.getpid() is the PID the parent started (subprocess.Popen.pid)",
              pid == child_pid and pid, (pid, child_pid))

    mp_script = os.path.join(v, "mp_check.py")
    with open(mp_script, "w") as f:
        f.write("import multiprocessing as mp, sys\n"
                "def f(q):\n"
                "    q.put([sys.prefix, sys.executable])\n"
                "if __name__ == '__main__':\n"
                "    mp.set_start_method('spawn')\n"
                "    q = mp.Queue()\n"
                "    p = mp.Process(target=f, args=(q,))\n"
                "    p.start()\n"
                "    print(q.get(timeout=30))\n"
                "    p.join()\n")
    rc, out, err = run(py, [win(mp_script)])
    check(f"{mode}: multiprocessing (spawn) children get the venv",
          rc == 0 and out.strip() == str([win(v), win(py)]), (rc, out, err[-400:]))

    rc, out, err = run(py, ["-c", "import _ctypes, _decimal, _socket, select; print('ok')"])
    check(f"{mode}: extension modules from the base (.pyd) import",
          rc == 0 and out.strip() == "ok", (rc, out, err[-400:]))

    report_file = os.path.join(TMP, f"{mode}-w.json")
    rc, out, err = run(pyw, ["-c", REPORT + "\nopen(sys.argv[1], 'w').write(json.dumps(info))\n"
                             "sys.exit(3)", win(report_file)])
    i = json.load(open(report_file)) if os.path.exists(report_file) else {}
    check(f"{mode}: pythonw.exe: venv semantics, sys.executable Scripts\\pythonw.exe, exit 3",
          rc == 3 and in_venv(i, v, pyw), (rc, i, err))

    # console and GUI script launchers running a real entry point
    tool = os.path.join(s, "vs-tool.exe")
    script_exe(tool, SCRIPT, f'#!"{win(py)}"\r\n'.encode(), "main")
    rc, out, err = run(tool, ["x y", "ü"])
    i = info_of(out)
    check(f"{mode}: console script launcher: entry point runs in the venv, exit 6, arguments",
          rc == 6 and in_venv(i, v, py) and i.get("argv") == [win(tool), "x y", "ü"],
          (rc, out, err))
    gtool = os.path.join(s, "vs-gui.exe")
    script_exe(gtool, SCRIPTW, f'#!"{win(pyw)}"\r\n'.encode(), "gui")
    report_file = os.path.join(TMP, f"{mode}-gui.json")
    rc, out, err = run(gtool, [win(report_file)])
    i = json.load(open(report_file)) if os.path.exists(report_file) else {}
    check(f"{mode}: GUI script launcher: entry point runs in the venv under pythonw, exit 4",
          rc == 4 and in_venv(i, v, pyw), (rc, i, err))

    # a nested venv: its home is another venv's Scripts (a venvshim python.exe)
    v2, s2 = make_venv(f"{mode}-nested", home=s)
    rc, out, err = run(os.path.join(s2, "python.exe"), ["-c", REPORT_OUT])
    check(f"{mode}: nested venv (home = another venv's Scripts): its own prefix, the real base",
          rc == 0 and in_venv(info_of(out), v2, os.path.join(s2, "python.exe")), (rc, out, err))

    # venvshim.exe install on the layout `py -m venv` makes (python.exe, pythonw.exe in
    # Scripts, pyvenv.cfg with home = the base's directory) plus a pip-style launcher
    v3, s3 = make_venv(f"{mode}-install", scripts={"python.exe": CHILD, "pythonw.exe": CHILDW})
    script_exe(os.path.join(s3, "vs-tool.exe"), CHILD,
               f'#!"{win(s3 + "/python.exe")}"\r\n'.encode(), "main")
    rc, out, err = run(VENVSHIM, ["install", win(v3)])
    check(f"{mode}: venvshim.exe install on a py -m venv layout", rc == 0, (rc, out, err))
    rc, out, err = run(os.path.join(s3, "python.exe"), ["-c", REPORT_OUT])
    check(f"{mode}: installed python.exe: venv semantics",
          rc == 0 and in_venv(info_of(out), v3, os.path.join(s3, "python.exe")), (rc, out, err))
    rc, out, err = run(os.path.join(s3, "vs-tool.exe"))
    check(f"{mode}: installed console script: entry point in the venv",
          rc == 6 and in_venv(info_of(out), v3, os.path.join(s3, "python.exe")), (rc, out, err))

    # virtualenv's layout: python3.exe and python3.X.exe next to python.exe; a
    # python.org base has only python.exe, which CPython's redirector runs
    v8, s8 = make_venv(f"{mode}-virtualenv", scripts={"python.exe": CHILD, "python3.exe": CHILD,
                                                      "python3.7.exe": CHILD,
                                                      "pythonw.exe": CHILDW})
    rc, out, err = run(VENVSHIM, ["install", win(v8)])
    check(f"{mode}: venvshim.exe install on a virtualenv layout (python3.exe, python3.7.exe)",
          rc == 0 and "4 interpreter launchers" in out, (rc, out, err))
    for name in ("python3.exe", "python3.7.exe"):
        rc, out, err = run(os.path.join(s8, name), ["-c", REPORT_OUT])
        check(f"{mode}: installed Scripts\\{name} runs the base's python.exe with venv semantics",
              rc == 0 and in_venv(info_of(out), v8, os.path.join(s8, name)), (rc, out, err))

    # 3.7's getpathp.c: 256-character program path buffers (257+ aborted with
    # 0xC0000417 behind the redirector; in one process sys.executable came out
    # truncated and the venv's site-packages missing)
    for length in (256, 257):
        d = os.path.join(TMP, f"{mode}-long{length}")
        pad = length - len(win(d)) - 1 - len("\\x\\Scripts\\python.exe")
        lv = os.path.join(d, "v" * pad)
        os.makedirs(lv)
        lv, ls = make_venv(os.path.relpath(lv, TMP) + "/x")
        lpy = os.path.join(ls, "python.exe")
        assert len(win(lpy)) == length, (len(win(lpy)), length)
        rc, out, err = run(lpy, ["-c", REPORT_OUT])
        if length == 256:
            check(f"{mode}: a {length}-character Scripts\\python.exe path runs (3.7.9)",
                  rc == 0 and in_venv(info_of(out), lv, lpy), (rc, out[-300:], err[-300:]))
        else:
            check(f"{mode}: a {length}-character Scripts\\python.exe path: 101 and the reason, "
                  "not a crash in python37.dll",
                  rc == 101 and "longer than 256 characters" in err, (rc, err[-400:]))

    # every launcher error code, in front of the real layout
    codes = []
    v4, s4 = make_venv(f"{mode}-err")
    os.remove(os.path.join(v4, "pyvenv.cfg"))
    codes.append(("no pyvenv.cfg", py_of(s4), 106, "no pyvenv.cfg"))
    v5, s5 = make_venv(f"{mode}-err107")
    with open(os.path.join(v5, "pyvenv.cfg"), "wb") as f:
        f.write(b"version = 3.7.9\r\n")
    codes.append(("pyvenv.cfg without home", py_of(s5), 107, "has no 'home"))
    v6, s6 = make_venv(f"{mode}-err103", home=os.path.join(TMP, "no-such-base"))
    codes.append(("home does not exist", py_of(s6), 103, "does not exist"))
    fake = os.path.join(TMP, f"{mode}-fakebase")
    os.makedirs(fake)
    with open(os.path.join(fake, "python.exe"), "w") as f:
        f.write("not a program\n")
    v7, s7 = make_venv(f"{mode}-err101", home=fake)
    codes.append(("home\\python.exe is not a program", py_of(s7), 101, "cannot run"))
    bad = os.path.join(s, "vs-bad.exe")
    stub, zb = damaged_script_exe(bad)
    codes.append(("damaged script-launcher zip", bad, 105, "venvshim:"))
    nobang = os.path.join(s, "vs-nobang.exe")
    with open(nobang, "wb") as f:
        f.write(stub + zb)
    codes.append(("script launcher without a '#!' line", nobang, EXIT_NO_SCRIPT, "'#!'"))
    for label, exe, code, text in codes:
        got, out = spawn(f'"{win(exe)}" -c "print(1)"')
        rc, o, err = run(exe, ["-c", "print(1)"])
        check(f"{mode}: {label}: exit {code} (exact through a Windows parent), a message",
              got == code and text in err and err.startswith("venvshim: "), (got, rc, err))


# DLL search for extension modules (docs/windows.md). A third-party abi3
# extension: tests/windows/abi3demo.c, built here with MinGW against the
# base's python3.dll, so its import table names python3.dll (as a limited-API
# wheel's .pyd does), not python37.dll.
MINGW = os.environ.get("VENVSHIM_MINGW_PREFIX", "x86_64-w64-mingw32-")
ABI3_SRC = os.path.join(REPO, "tests", "windows", "abi3demo.c")

# Imports abi3demo, then reports its answer and file and the python3.dll that
# resolved its import (GetModuleFileNameW of the loaded module).
ABI3_REPORT = r"""
import json, sys, abi3demo, ctypes
from ctypes import wintypes
k = ctypes.WinDLL("kernel32", use_last_error=True)
k.GetModuleHandleW.restype = ctypes.c_void_p
k.GetModuleHandleW.argtypes = [wintypes.LPCWSTR]
k.GetModuleFileNameW.argtypes = [ctypes.c_void_p, wintypes.LPWSTR, wintypes.DWORD]
buf = ctypes.create_unicode_buffer(32768)
k.GetModuleFileNameW(k.GetModuleHandleW("python3.dll"), buf, 32768)
print(json.dumps(dict(answer=abi3demo.answer(), file=abi3demo.__file__, python3=buf.value,
                      prefix=sys.prefix, base_prefix=sys.base_prefix)))
"""


def build_abi3():
    """The .pyd, or None (a '# ' line) without a MinGW compiler."""
    cc = shutil.which(MINGW + "gcc")
    if not cc:
        print(f"# skipped the abi3 extension checks: no {MINGW}gcc")
        return None
    pyd = os.path.join(TMP, "abi3demo.pyd")
    p = subprocess.run([cc, "-O2", "-s", "-shared", "-Wall", "-Wextra", "-Werror", "-o", pyd,
                        ABI3_SRC, os.path.join(REAL, "python3.dll")],
                       capture_output=True, text=True)
    dump = subprocess.run([MINGW + "objdump", "-p", pyd], capture_output=True, text=True).stdout \
        if p.returncode == 0 else ""
    dlls = sorted(line.split("DLL Name:")[1].strip().lower() for line in dump.splitlines()
                  if "DLL Name:" in line)
    check("abi3demo.pyd built with MinGW; its import table names python3.dll, no python3X.dll",
          "python3.dll" in dlls and not any(d.startswith("python3") and d != "python3.dll"
                                            for d in dlls), (p.stderr, dlls))
    return pyd if "python3.dll" in dlls else None


def pyorg_base():
    """The 3.7.9 files laid out like a python.org install: the .pyd files in
    DLLs\\, the zipped standard library extracted into Lib\\ (its os.pyc is
    getpath's landmark: PC/getpathp.c's ismodule() accepts lib\\os.py or
    .pyc), no python37._pth (so getpath computes sys.path itself)."""
    base = os.path.join(TMP, "pyorg base")
    shutil.copytree(REAL, base)
    for root, dirs, files in os.walk(base):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    os.makedirs(os.path.join(base, "DLLs"))
    for pyd in glob.glob(os.path.join(base, "*.pyd")):
        shutil.move(pyd, os.path.join(base, "DLLs"))
    with zipfile.ZipFile(os.path.join(base, "python37.zip")) as z:
        z.extractall(os.path.join(base, "Lib"))
    os.remove(os.path.join(base, "python37.zip"))
    os.remove(os.path.join(base, "python37._pth"))
    return base


def dll_checks(mode, pyd, org):
    if pyd:
        v, s = make_venv(f"{mode}-abi3")
        shutil.copy(pyd, os.path.join(v, "Lib", "site-packages"))
        rc, out, err = run(os.path.join(s, "python.exe"), ["-c", ABI3_REPORT])
        i = info_of(out)
        check(f"{mode}: a third-party abi3 extension (imports python3.dll) in site-packages "
              "imports and runs; python3.dll is home's",
              rc == 0 and i.get("answer") == 42
              and i.get("file", "").lower() == win(os.path.join(v, "Lib", "site-packages",
                                                                "abi3demo.pyd")).lower()
              and i.get("python3", "").lower() == win(os.path.join(REAL, "python3.dll")).lower(),
              (rc, out, err[-400:]))

    # a base laid out like a python.org install: stdlib .pyd files in home\DLLs
    v, s = make_venv(f"{mode}-pyorg", home=org)
    if pyd:
        shutil.copy(pyd, os.path.join(v, "Lib", "site-packages"))
    rc, out, err = run(os.path.join(s, "python.exe"), [
        "-c", "import json, sys, select, unicodedata, _socket\n"
              "print(json.dumps(dict(select=select.__file__, ucd=unicodedata.__file__,"
              " socket=_socket.__file__, prefix=sys.prefix, base_prefix=sys.base_prefix,"
              " path=sys.path)))"])
    i = info_of(out)
    dlls = win(os.path.join(org, "DLLs")).lower() + "\\"
    check(f"{mode}: python.org layout: select, unicodedata, _socket import from home\\DLLs; "
          "sys.prefix is the venv, sys.base_prefix home",
          rc == 0 and all(i.get(k, "").lower().startswith(dlls)
                          for k in ("select", "ucd", "socket"))
          and i.get("prefix") == win(v) and i.get("base_prefix") == win(org),
          (rc, out, err[-400:]))
    if pyd:
        rc, out, err = run(os.path.join(s, "python.exe"), ["-c", ABI3_REPORT])
        i = info_of(out)
        check(f"{mode}: python.org layout: the abi3 extension runs with home's python3.dll",
              rc == 0 and i.get("answer") == 42
              and i.get("python3", "").lower() == win(os.path.join(org, "python3.dll")).lower(),
              (rc, out, err[-400:]))


def py_of(scripts):
    return os.path.join(scripts, "python.exe")


def spawn(raw):
    rc, out, err = run(SPAWN, env={"RAW_CMDLINE": raw})
    for line in out.split("\n"):
        if line.startswith("exit="):
            return int(line[5:]), out
    return None, out


def venv_module():
    """CPython 3.7's own venv package (pure Python): the embeddable 3.7.9 has
    none. VENVSHIM_WINDOWS_VENV_MODULE, else a pyenv 3.7's; None: skipped."""
    cands = [os.environ.get("VENVSHIM_WINDOWS_VENV_MODULE", "")]
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.7*/lib/python3.7/venv")))
    return next((c for c in cands if c and os.path.isfile(os.path.join(c, "__init__.py"))), None)


def check_json(venv):
    rc, out, err = run(VENVSHIM, ["check", "--json", win(venv)])
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, {}, (out, err)


def problems(doc, kind):
    return [f["message"] for f in doc.get("findings", [])
            if f.get("check") == kind and f.get("status") == "problem"]


def create_checks():
    """venvshim.exe create with the real 3.7.9 (plus CPython 3.7's venv
    package, and copies of python.exe where a python.org install keeps its
    venv launchers), then check on it and on broken copies of it."""
    src = venv_module()
    if not src:
        print("# skipped create/check with the real CPython: no CPython 3.7 venv package "
              "(set VENVSHIM_WINDOWS_VENV_MODULE)")
        return
    base = os.path.join(TMP, "base 37")
    shutil.copytree(REAL, base)
    shutil.copytree(src, os.path.join(base, "venv"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    nt = os.path.join(base, "venv", "scripts", "nt")
    os.makedirs(nt, exist_ok=True)
    for exe in ("python.exe", "pythonw.exe"):
        shutil.copy(os.path.join(base, exe), nt)
    bpy = os.path.join(base, "python.exe")

    v = os.path.join(TMP, "created venv")
    rc, out, err = run(VENVSHIM, ["create", "--python", win(bpy), "--without-pip", win(v)])
    check("create: --python BASE --without-pip DIR: exit 0, names the Python",
          rc == 0 and f"{win(bpy)} -m venv" in out, (rc, out, err))
    py = os.path.join(v, "Scripts", "python.exe")
    rc, out, err = run(py, ["-c", REPORT_OUT])
    i = info_of(out)
    check("create: Scripts\\python.exe is the launcher; sys.prefix, sys.base_prefix, "
          "sys.executable as for a venv",
          rc == 0 and i.get("prefix") == win(v) and i.get("base_prefix") == win(base)
          and i.get("executable") == win(py)
          and open(py, "rb").read() == open(LAUNCHER, "rb").read(), (rc, out, err))
    check("create: DIR\\.gitignore as Python 3.13's venv writes it",
          os.path.isfile(os.path.join(v, ".gitignore")))

    rc, out, err = run(VENVSHIM, ["check", win(v)])
    check("check: a healthy created venv: exit 0, ok lines, 'healthy'",
          rc == 0 and out.rstrip().endswith("healthy") and "problem" not in out
          and f"{win(bpy)} is Python 3.7.9" in out, (rc, out, err))
    rc, doc, err = check_json(v)
    check("check --json: the docs/json.md schema, healthy",
          rc == 0 and doc.get("venv") == win(v) and doc.get("healthy") is True
          and doc.get("problems") == 0 and {f.get("check") for f in doc.get("findings", [])}
          >= {"pyvenv.cfg", "base", "launcher"}, (rc, doc, err))

    # an existing DIR, as the POSIX create (create.c): venv takes it or refuses it
    same = os.path.join(TMP, "created again")
    shutil.copytree(v, same)
    rc, out, err = run(VENVSHIM, ["create", "--python", win(bpy), "--without-pip", win(same)])
    spy = os.path.join(same, "Scripts", "python.exe")
    rc2, out2, err2 = run(spy, ["-c", "import sys; print(sys.prefix)"])
    check("create into an existing venvshim venv: exit 0, still a working launcher venv",
          rc == 0 and open(spy, "rb").read() == open(LAUNCHER, "rb").read()
          and rc2 == 0 and out2.strip() == win(same), (rc, out, err, rc2, out2, err2))
    busy = os.path.join(TMP, "created busy")
    os.makedirs(busy)
    open(os.path.join(busy, "keep.txt"), "w").close()
    rc, out, err = run(VENVSHIM, ["create", "--python", win(bpy), "--without-pip", win(busy)])
    check("create into a non-empty DIR: exit 0, a launcher venv, what was there kept",
          rc == 0 and os.path.isfile(os.path.join(busy, "keep.txt"))
          and os.path.isfile(os.path.join(busy, "pyvenv.cfg"))
          and open(os.path.join(busy, "Scripts", "python.exe"), "rb").read()
          == open(LAUNCHER, "rb").read(), (rc, out, err))
    rc, out, err = run(VENVSHIM, ["create", "--python", win(bpy), "--without-pip", "--clear",
                                  win(busy)])
    check("create --clear into a non-empty DIR: exit 0, venv emptied it first",
          rc == 0 and not os.path.exists(os.path.join(busy, "keep.txt"))
          and os.path.isfile(os.path.join(busy, "Scripts", "python.exe")), (rc, out, err))
    afile = os.path.join(TMP, "created file")
    with open(afile, "w") as f:
        f.write("keep\n")
    rc, out, err = run(VENVSHIM, ["create", "--python", win(bpy), "--without-pip", win(afile)])
    check("create into a DIR that is a file: venv refuses, exit 1, the POSIX message, "
          "the file untouched",
          rc == 1 and f"venvshim: '{win(bpy)} -m venv {win(afile)}' failed (exit status 1)\n"
          in err.replace("\r", "") and open(afile).read() == "keep\n", (rc, out, err))

    # the default Python: python.exe from PATH (no py.exe under Wine)
    v2 = os.path.join(TMP, "default-python")
    rc, out, err = run(VENVSHIM, ["create", "--without-pip", "--quiet", win(v2)],
                       env={"WINEPATH": win(base)})
    check("create without --python: python.exe from PATH; --quiet prints nothing",
          rc == 0 and out == "" and os.path.isfile(os.path.join(v2, "pyvenv.cfg"))
          and f"home = {win(base)}" in open(os.path.join(v2, "pyvenv.cfg")).read(),
          (rc, out, err))
    rc, out, err = run(VENVSHIM, ["create", "--without-pip", win(v2 + "x")],
                       env={"WINEPATH": win(base)})
    check("create without --python: says it took python.exe from PATH",
          rc == 0 and f"{win(bpy)} -m venv" in out and "python.exe from PATH" in out, (rc, out))

    # venv itself fails (the embeddable has no ensurepip): exit 1, no install
    v3 = os.path.join(TMP, "venv-fails")
    rc, out, err = run(VENVSHIM, ["create", "--python", win(bpy), win(v3)])
    s3 = os.path.join(v3, "Scripts", "python.exe")
    check("create: venv fails (no ensurepip): exit 1, the reason, install not run",
          rc == 1 and "-m venv" in err and "failed (exit status" in err
          and not (os.path.exists(s3) and open(s3, "rb").read() == open(LAUNCHER, "rb").read()),
          (rc, out, err))

    # broken copies of the healthy venv
    def broken(name, edit):
        d = os.path.join(TMP, name)
        shutil.copytree(v, d)
        edit(d)
        rc, out, err = run(VENVSHIM, ["check", win(d)])
        rcj, doc, errj = check_json(d)
        return rc, out, err, doc

    rc, out, err, doc = broken("chk-nobase", lambda d: write_cfg(d, os.path.join(TMP, "gone")))
    check("check: the base is gone: exit 1, a base problem naming the path and 103",
          rc == 1 and any("does not exist" in m and "103" in m for m in problems(doc, "base"))
          and "  problem  base" in out, (rc, out, err))
    d = os.path.join(TMP, "chk-nobase")
    fix = (f"another installed Python 3.7: point 'home' at its folder in pyvenv.cfg (notepad "
           f'"{win(d)}\\pyvenv.cfg"), or reinstall Python 3.7 into home\'s folder')
    lrc, lout, lerr = run(os.path.join(d, "Scripts", "python.exe"), ["-c", "print(1)"])
    check("the base is gone: the launcher's 103 says to point home in pyvenv.cfg (quoted for "
          "cmd.exe) at a Python 3.7 or reinstall it, never 'venvshim rebase'",
          lrc == 103 and fix in lerr and "rebase" not in lerr, (lrc, lerr))
    check("check repeats that fix for the missing base, never 'venvshim rebase'",
          any(fix in m for m in problems(doc, "base")) and fix in out and "rebase" not in out,
          (out, doc))
    rc, out, err, doc = broken("chk-cfg", lambda d: open(os.path.join(d, "pyvenv.cfg"),
                                                         "w").write("version = 3.7.9\n"))
    check("check: pyvenv.cfg without home: exit 1, a pyvenv.cfg problem",
          rc == 1 and any("has no 'home" in m for m in problems(doc, "pyvenv.cfg")), (rc, out))
    rc, out, err, doc = broken("chk-version", lambda d: write_cfg(d, base, version="3.8.1"))
    check("check: pyvenv.cfg says 3.8, the base is 3.7.9: exit 1, the version problem",
          rc == 1 and any("is Python 3.7.9 but the venv is for 3.8" in m
                          for m in problems(doc, "base")), (rc, out))

    def damage(d):
        s = os.path.join(d, "Scripts")
        script_exe(os.path.join(s, "vs-tool.exe"), SCRIPT, b"#!python.exe\r\n", "main")
        damaged_script_exe(os.path.join(s, "vs-bad.exe"))
    rc, out, err, doc = broken("chk-script", damage)
    bad = problems(doc, "script")
    check("check: a damaged console-script launcher: exit 1, names it (105); the sound one ok",
          rc == 1 and len(bad) == 1 and "vs-bad.exe" in bad[0] and "105" in bad[0]
          and "1 console-script launcher in" in out, (rc, out, err))

    def foreign(d):
        shutil.copy(bpy, os.path.join(d, "Scripts", "python.exe"))
    rc, out, err, doc = broken("chk-foreign", foreign)
    check("check: Scripts\\python.exe replaced by a copy of the base: exit 1, 1 of 2 "
          "interpreters not launchers",
          rc == 1 and any("1 of 2 interpreters" in m for m in problems(doc, "launcher")),
          (rc, out))


def forced_two_process_checks():
    """VENVSHIM_TWO_PROCESS=1 forces two processes even with
    VENVSHIM_ONE_PROCESS=1 (docs/windows.md)."""
    v, s = make_venv("forced-two-venv")
    py = os.path.join(s, "python.exe")
    rc, out, err = run(py, ["-c", REPORT_OUT], env={"VENVSHIM_ONE_PROCESS": "1",
                                                    "VENVSHIM_TWO_PROCESS": "1"})
    i = info_of(out)
    check("VENVSHIM_TWO_PROCESS=1 with VENVSHIM_ONE_PROCESS=1: the base's python.exe is the "
          "Python process (GetModuleFileNameW), in the venv",
          rc == 0 and i.get("module") == win(REAL + "/python.exe") and in_venv(i, v, py),
          (rc, out, err))


ABI3_PYD = build_abi3()
PYORG = pyorg_base()
for mode, env in MODES:
    MODE_ENV = env
    real_checks(mode)
    dll_checks(mode, ABI3_PYD, PYORG)
MODE_ENV = {}
forced_two_process_checks()
create_checks()

shutil.rmtree(TMP, ignore_errors=True)
failed = results.count(False)
print(f"# {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
