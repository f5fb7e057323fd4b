#!/usr/bin/env python3
"""Process-level checks of the Windows launchers under Wine.

Usage: check_windows.py BUILD_DIR   (a meson build made with
launcher/win/x86_64-w64-mingw32.cross). Prints TAP-like "ok N - name" /
"not ok N - name # detail" lines; exit status 1 if any check failed.
Stand-ins from tests/windows/child.c play python.exe / pythonw.exe; spawn.exe
is the Windows parent that sees exact 32-bit exit codes and passes exact
command lines. Environment: WINEPREFIX etc. as set up by tests/run-windows.
"""
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

BUILD = os.path.abspath(sys.argv[1])
WINE = os.environ.get("MESON_EXE_WRAPPER", "wine")
LAUNCHER = os.path.join(BUILD, "launcher/win/venvlauncher.exe")
WLAUNCHER = os.path.join(BUILD, "launcher/win/venvwlauncher.exe")
CHILD = os.path.join(BUILD, "tests/windows/child.exe")
CHILDW = os.path.join(BUILD, "tests/windows/childw.exe")
SPAWN = os.path.join(BUILD, "tests/windows/spawn.exe")
TMP = tempfile.mkdtemp(prefix="vs-wintest-")

results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    n = len(results)
    if cond:
        print(f"ok {n} - {name}", flush=True)
    else:
        detail = str(detail).replace("\n", "\\n")[:600]
        print(f"not ok {n} - {name} # {detail}", flush=True)


def win(path):
    return "Z:" + path.replace("/", "\\")


def write_cfg(path, home, extra="version = 3.12.1\r\n", raw=None):
    with open(path, "wb") as f:
        f.write(raw if raw is not None else
                f"home = {win(home)}\r\ninclude-system-site-packages = false\r\n{extra}".encode())


def make_venv(name, scripts=None, home_files=None, cfg=True, cfg_raw=None):
    """A Windows venv layout: NAME/home (the base) and NAME/venv/Scripts."""
    root = os.path.join(TMP, name)
    home = os.path.join(root, "home")
    scripts_dir = os.path.join(root, "venv", "Scripts")
    os.makedirs(home)
    os.makedirs(scripts_dir)
    for fname, src in (home_files or {"python.exe": CHILD, "pythonw.exe": CHILDW}).items():
        shutil.copy(src, os.path.join(home, fname))
    for fname, src in (scripts or {"python.exe": LAUNCHER, "pythonw.exe": WLAUNCHER}).items():
        shutil.copy(src, os.path.join(scripts_dir, fname))
    if cfg:
        write_cfg(os.path.join(root, "venv", "pyvenv.cfg"), home, raw=cfg_raw)
    return home, scripts_dir


def wine_start_failure(p):
    """Wine 8 on a loaded machine now and then fails to start a process:
    CreateProcessW gives ERROR_INTERNAL_ERROR (1359), or wine itself exits 1
    before the program prints anything. Neither is the launcher's doing."""
    return (b"Windows error 1359" in p.stderr
            or (p.returncode == 1 and not p.stdout and b"venvshim:" not in p.stderr))


def run(exe, args=(), env=None, stdin=subprocess.DEVNULL, timeout=30, binary=False, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    feed = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    p = subprocess.run([WINE, exe, *args], capture_output=True, env=e, timeout=timeout, cwd=cwd,
                       **feed)
    if wine_start_failure(p):
        # Once, and said: a real bug fails the second run the same way.
        print(f"# retried once after a Wine start-up failure: {os.path.basename(exe)} "
              f"exit {p.returncode}, stderr {p.stderr[-160:]!r}", flush=True)
        p = subprocess.run([WINE, exe, *args], capture_output=True, env=e, timeout=timeout,
                           cwd=cwd, **feed)
    if binary:
        return p.returncode, p.stdout, p.stderr
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def report(text):
    """key=value lines of the child's report (the first child only)."""
    out = {}
    argv = []
    for line in text.split("\n"):
        if line == "grandchild:":
            break
        key, _, value = line.partition("=")
        if key.startswith("argv["):
            argv.append(value)
        elif key and key not in out:
            out[key] = value
    out["argv"] = argv
    return out


def spawn(raw, env=None):
    """Run RAW through spawn.exe: (exact exit code or None, stdout)."""
    rc, out, err = run(SPAWN, env={"RAW_CMDLINE": raw, **(env or {})})
    code = None
    for line in out.split("\n"):
        if line.startswith("exit="):
            code = int(line[5:])
    return code, out


# ---- the console redirector: which base, which command line, which variable
home, scripts = make_venv("basic")
py, pyw = os.path.join(scripts, "python.exe"), os.path.join(scripts, "pythonw.exe")
rc, out, err = run(py, ["7", "a b"])
r = report(out)
check("console: runs home\\python.exe", r.get("module") == win(home + "/python.exe"), out + err)
check("console: child's exit code", rc == 7, rc)
check("console: __PYVENV_LAUNCHER__ is the launcher's path",
      r.get("launcher") == win(py), r.get("launcher"))
check("console: argv[0] is the quoted base", r["argv"][:1] == [win(home + "/python.exe")]
      and r.get("cmdline", "").startswith('"' + win(home + "/python.exe") + '"'), r)

rc, out, err = run(py, ["0"], env={"__PYVENV_LAUNCHER__": "C:\\other\\venv\\python.exe"})
check("an inherited __PYVENV_LAUNCHER__ is replaced", report(out).get("launcher") == win(py), out)

rc, out, err = run(py, ["0", "--grandchild"])
grand = out.split("grandchild:\n", 1)[1] if "grandchild:\n" in out else ""
check("__PYVENV_LAUNCHER__ reaches the child and not, once the child clears it as CPython "
      "does, the grandchild",
      report(out).get("launcher") == win(py) and "launcher=(unset)" in grand, out)

# ---- exit codes: low 8 bits through Wine, exact 32 bits through a Windows parent
for code in (0, 1, 3, 255):
    rc, out, err = run(py, [str(code)])
    check(f"exit code {code} seen by the POSIX parent", rc == code, rc)
for code in (256, 259, 0xC000013A, 0xFFFFFFFF):
    got, out = spawn(f'"{win(py)}" {code}')
    check(f"exit code {code} ({code:#x}) seen exactly by a Windows parent", got == code, out)

# ---- awkward arguments, POSIX argv -> Wine's quoting -> launcher -> child
awkward = ["a b", 'a"b', "a\\b", 'a\\\\"b c', "", "ünï日本", "tab\there", "trailing\\",
           "x y\\", "\\\\server\\share", "%PATH%", "^&|<>", "it's", '"', '\\"',
           "--flag=va lue", "-c", "import sys; print(sys.argv)", "  lead and trail  "]
rc, out, err = run(py, ["0", *awkward])
got = report(out)["argv"][2:]
check(f"{len(awkward)} awkward arguments arrive unchanged", got == awkward,
      [(a, b) for a, b in zip(awkward, got) if a != b] or (len(got), len(awkward)))

# ---- raw command-line tails, byte for byte (Windows parent -> launcher -> child)
tails = [" 0", "  0   a    b  ", "\t0\t\"x y\"\t", " 0 \"\"", " 0 \"unterminated",
         " 0 a\\\\\\\"b c\\\\\\\\\"", " 0 ^%x% & | < > ()", " 0 ünï 日本 \"ü x\"", "",
         "0 glued\"to\"argv0", " 0 \"a\"\"b\" \\\\\\ \"\\\\\""]
for tail in tails:
    got, out = spawn(f'"{win(py)}"{tail}')
    want = f'"{win(home + "/python.exe")}"{tail}'
    check(f"raw tail {tail!r} passed byte for byte", report(out).get("cmdline") == want,
          report(out).get("cmdline"))
got, out = spawn(f"{win(py)} 0  x")  # unquoted argv[0] ends at the first blank
check("unquoted argv[0]: the tail after it is passed unchanged",
      report(out).get("cmdline") == f'"{win(home + "/python.exe")}" 0  x', out)

# ---- pipes: 1 MiB of binary data through stdin and stdout
blob = os.urandom(1 << 20)
rc, out, err = run(py, ["0", "--cat"], stdin=blob, binary=True)
check("1 MiB binary stdin -> child -> stdout unchanged (console)", rc == 0 and out == blob,
      (rc, len(out)))
rc, out, err = run(pyw, ["0", "--cat"], stdin=blob, binary=True)
check("1 MiB binary stdin -> child -> stdout unchanged (GUI)", rc == 0 and out == blob,
      (rc, len(out)))


# ---- job object: killing the launcher kills the child; SIGINT alone is ignored
def started(cmd, retry=True):
    """The launcher running cmd, once its child has reported (argc=...)."""
    p = subprocess.Popen([WINE, *cmd], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    seen = b""
    deadline = time.time() + 20
    while b"argc=" not in seen and time.time() < deadline:
        chunk = p.stdout.readline()
        if not chunk:
            break
        seen += chunk
    if b"argc=" not in seen and retry:
        # The pipe closed with no report: the child never started. Retry once
        # when that is Wine's start-up failure (see wine_start_failure).
        out, err = p.communicate(timeout=20)
        done = subprocess.CompletedProcess(cmd, p.returncode, seen + out, err)
        if wine_start_failure(done):
            print(f"# retried once after a Wine start-up failure: exit {p.returncode}, "
                  f"stderr {err[-160:]!r}", flush=True)
            return started(cmd, retry=False)
    return p, seen


p, seen = started([py, "5", "--sleep", "4000"])
os.kill(p.pid, signal.SIGKILL)
t0 = time.time()
rest = p.stdout.read()  # EOF once no process holds the pipe: the child must be gone
waited = time.time() - t0
p.wait()
check("killing the launcher kills the child (job object)",
      b"argc=" in seen and b"woke" not in rest and waited < 3, (seen[-40:], rest, waited))

p, seen = started([py, "7", "--sleep", "1500"])
time.sleep(0.3)
os.kill(p.pid, signal.SIGINT)  # to the launcher's process only, not the group
rest = p.stdout.read()
rc = p.wait(timeout=20)
check("SIGINT to the launcher alone is ignored; the child finishes and its code returns",
      rc == 7 and b"woke" in rest, (rc, rest))

# ---- paths: non-ASCII, and a venv deeper than 260 characters. (A base beyond
# MAX_PATH cannot be tested: Wine 8's CreateProcessW refuses any such program,
# error 3, even from a plain Windows parent.)
for label, sub, base_sub in (
        ("non-ASCII venv and home paths", "vënv ünï 日本", "base dïr 日本"),
        ("venv path longer than 260 characters", "/".join(["d" * 60] * 5), "../../../../../b")):
    root = os.path.join(TMP, "paths", sub)
    h = os.path.normpath(os.path.join(root, base_sub))
    s = os.path.join(root, "the venv", "Scripts")
    os.makedirs(h, exist_ok=True)
    os.makedirs(s)
    shutil.copy(CHILD, os.path.join(h, "python.exe"))
    shutil.copy(LAUNCHER, os.path.join(s, "python.exe"))
    write_cfg(os.path.join(root, "the venv", "pyvenv.cfg"), h)
    rc, out, err = run(os.path.join(s, "python.exe"), ["4", "x"])
    r = report(out)
    check(f"{label} (launcher path: {len(win(s)) + 11} characters)",
          rc == 4 and r.get("module") == win(h + "/python.exe")
          and r.get("launcher") == win(s + "/python.exe"), (rc, out, err))

# ---- errors: the POSIX launcher's codes and texts
_, s = make_venv("nocfg", cfg=False)
rc, out, err = run(os.path.join(s, "python.exe"))
check("no pyvenv.cfg: 106 and a one-line reason",
      rc == 106 and err.startswith("venvshim: no pyvenv.cfg in ") and "child" not in out, (rc, err))
check("no pyvenv.cfg: the hint is a cmd.exe command naming the venv (\"...\"), not 'DIR'",
      f'create one with: venvshim create "{win(os.path.dirname(s))}"' in err, err)
rc, out, err = run(os.path.join(s, "pythonw.exe"), timeout=10)
check("GUI variant, no pyvenv.cfg: 106 without hanging", rc == 106 and "venvshim:" in err,
      (rc, err))

# A GUI launcher started with no stderr (double-clicked): a message box, which
# VENVSHIM_TEST_MSGBOX_LOG turns into a file; with a stderr: that, no box.
box = os.path.join(TMP, "msgbox.log")
for label, exe, no_stderr, want_box in (
        ("GUI launcher, no stderr: the error in a message box", "pythonw.exe", True, True),
        ("GUI launcher with a stderr: the error there, no box", "pythonw.exe", False, False),
        ("console launcher, no stderr: never a box", "python.exe", True, False)):
    if os.path.exists(box):
        os.remove(box)
    env = {"VENVSHIM_TEST_MSGBOX_LOG": win(box)}
    if no_stderr:
        env["NO_STDERR"] = "1"
    got, out = spawn(f'"{win(os.path.join(s, exe))}"', env=env)
    shown = open(box, encoding="utf-8").read() if os.path.exists(box) else ""
    rc, o, err = run(os.path.join(s, exe), env={"VENVSHIM_TEST_MSGBOX_LOG": win(box)}) \
        if not no_stderr else (got, "", "")
    check(label, got == 106 and (shown.startswith("venvshim: no pyvenv.cfg in ") if want_box
                                 else shown == "")
          and (no_stderr or "venvshim: no pyvenv.cfg" in err), (got, shown, err))

_, s = make_venv("nohome", cfg_raw=b"version = 3.12.1\r\n")
rc, out, err = run(os.path.join(s, "python.exe"))
check("pyvenv.cfg without home: 107", rc == 107 and "has no 'home" in err, (rc, err))

_, s = make_venv("bom", cfg_raw=b"\xef\xbb\xbfhome = C:\\x\r\n")
rc, out, err = run(os.path.join(s, "python.exe"))
check("a BOM hides the first line's home, as in CPython: 107",
      rc == 107 and "byte order mark" in err, (rc, err))

_, s = make_venv("cfgdir", cfg=False)
os.mkdir(os.path.join(os.path.dirname(s), "pyvenv.cfg"))
rc, out, err = run(os.path.join(s, "python.exe"))
check("pyvenv.cfg is a directory: 107", rc == 107 and "not a regular file" in err, (rc, err))

_, s = make_venv("gone", cfg=False)
write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), "/nonexistent/base")
rc, out, err = run(os.path.join(s, "python.exe"))
check("home does not exist: 103", rc == 103 and "does not exist" in err, (rc, err))
venv_dir = win(os.path.dirname(s))
# no rebase command on Windows: the fix that keeps the packages is home in
# pyvenv.cfg (read at every start), named as one cmd.exe word, or reinstalling
check("103's fix: point home in pyvenv.cfg at another Python 3.12 (the file quoted for "
      "cmd.exe), or reinstall it; no 'venvshim rebase', no POSIX lib/python3.12 path",
      "another installed Python 3.12: point 'home' at its folder in pyvenv.cfg (notepad "
      f'"{venv_dir}\\pyvenv.cfg"), or reinstall Python 3.12 into home\'s folder' in err
      and "rebase" not in err and "lib/python" not in err, err)

# only another X.Y in home (a free-threaded base whose name says 3.13, the
# venv is 3.12): the fix, and a Windows site-packages path for pip freeze
h, s = make_venv("mismatch", home_files={"python3.13t.exe": CHILD})
v = os.path.dirname(s)
write_cfg(os.path.join(v, "pyvenv.cfg"), h,
          extra=f"version = 3.12.1\r\nexecutable = {win(h)}\\python3.13t.exe\r\n")
rc, out, err = run(os.path.join(s, "python.exe"))
check("another X.Y in home: 103; the fix is home in pyvenv.cfg, pip freeze --path names "
      "Lib\\site-packages; no 'venvshim rebase'",
      rc == 103 and "is Python 3.13" in err
      and f'point \'home\' at its folder in pyvenv.cfg (notepad "{win(v)}\\pyvenv.cfg")' in err
      and f'pip freeze --path "{win(v)}\\Lib\\site-packages"' in err
      and "rebase" not in err and "lib/python" not in err, (rc, err))

# a quoted and a root-relative home: the message names the path tried (a
# root-relative home is on the venv's drive, not under the venv)
for label, value, tried in (("quoted", '"C:\\Python37"', None),
                            ("root-relative", "\\vs-no-such-base", "Z:\\vs-no-such-base")):
    _, s = make_venv(f"home-{label}", cfg=False)
    v = os.path.dirname(s)
    write_cfg(os.path.join(v, "pyvenv.cfg"), None, raw=f"home = {value}\r\n".encode())
    rc, out, err = run(os.path.join(s, "python.exe"))
    first = err.split("\n")[0]
    if tried:
        ok = first.startswith(f"venvshim: home = {tried} (pyvenv.cfg says {value}")
    else:
        ok = (f"(pyvenv.cfg says {value}, relative to its directory)" in first
              and "write the directory without quotes" in first)
    check(f"home = {value} ({label}): 103, the message shows the path tried and the value",
          rc == 103 and ok and "does not exist" in first, (rc, err))

# an existing root-relative home (docs/windows.md): home\python.exe on the
# venv's drive runs, as an absolute home would (no relative home's PYTHONHOME)
h, s = make_venv("home-rooted", cfg=False)
write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), None,
          raw=f"home = {h.replace('/', chr(92))}\r\nversion = 3.12.1\r\n".encode())
rc, out, err = run(os.path.join(s, "python.exe"), ["5"])
r = report(out)
check("home = \\dir\\home (root-relative, existing): runs home\\python.exe on the venv's drive",
      rc == 5 and r.get("module") == win(h + "/python.exe") and err == "", (rc, out, err))

_, s = make_venv("nopython", home_files={"pythonw.exe": CHILDW})
rc, out, err = run(os.path.join(s, "python.exe"))
check("home without python.exe: 103 (never another interpreter)",
      rc == 103 and "python.exe (missing)" in err, (rc, err))

notexe = os.path.join(TMP, "not-a-program.txt")
with open(notexe, "w") as f:
    f.write("plain text, not a Windows program\n")
os.chmod(notexe, 0o644)
_, s = make_venv("notexe", home_files={"python.exe": notexe})
rc, out, err = run(os.path.join(s, "python.exe"))
check("python.exe that is not a program: 101", rc == 101 and "cannot run" in err, (rc, err))

_, s = make_venv("self", home_files={"python.exe": LAUNCHER})
rc, out, err = run(os.path.join(s, "python.exe"), timeout=10)
check("home\\python.exe is a copy of the launcher: 103, no loop",
      rc == 103 and "is this launcher" in err, (rc, err))

# ---- the GUI variant and the name mapping
rc, out, err = run(pyw, ["9"])
check("GUI: pythonw.exe runs home\\pythonw.exe (never a console python.exe)",
      rc == 9 and report(out).get("module") == win(home + "/pythonw.exe"), (rc, out, err))
names = {"python_d.exe": (LAUNCHER, CHILD), "pythonw_d.exe": (WLAUNCHER, CHILDW),
         "python3.13t.exe": (LAUNCHER, CHILD), "pythonw3.13t.exe": (WLAUNCHER, CHILDW)}
h, s = make_venv("names", scripts={n: v[0] for n, v in names.items()},
                 home_files={n: v[1] for n, v in names.items()})
write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), h, extra="version = 3.13.0\r\n")
for n in names:
    rc, out, err = run(os.path.join(s, n), ["0"])
    check(f"Scripts\\{n} runs home\\{n}", report(out).get("module") == win(h + "/" + n),
          (rc, out, err))
h, s = make_venv("swapped", scripts={"pythonw.exe": LAUNCHER, "python.exe": WLAUNCHER})
rc, out, err = run(os.path.join(s, "pythonw.exe"), ["0"])
check("the name wins: a console build named pythonw.exe runs pythonw.exe",
      report(out).get("module") == win(h + "/pythonw.exe"), (out, err))
rc, out, err = run(os.path.join(s, "python.exe"), ["0"])
check("the name wins: a GUI build named python.exe runs python.exe",
      report(out).get("module") == win(h + "/python.exe"), (out, err))
ft = {"python.exe": CHILD, "pythonw.exe": CHILDW, "python3.13t.exe": CHILD,
      "pythonw3.13t.exe": CHILDW, "python_d.exe": CHILD, "python3.13t_d.exe": CHILD}
for label, recorded in (("free-threaded", "python3.13t.exe"), ("GIL", "python.exe")):
    h, s = make_venv("ft-" + label, scripts={"python.exe": LAUNCHER, "pythonw.exe": WLAUNCHER,
                                             "python_d.exe": LAUNCHER}, home_files=ft)
    write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), h,
              extra=f"version = 3.13.0\r\nexecutable = {win(h)}\\{recorded}\r\n")
    for name in ("python.exe", "pythonw.exe", "python_d.exe"):
        want = name.replace(".exe", "3.13t.exe").replace("_d3.13t", "3.13t_d") \
            if label == "free-threaded" else name
        rc, out, err = run(os.path.join(s, name), ["0"])
        check(f"{label} venv (executable = {recorded}): Scripts\\{name} runs home\\{want}",
              report(out).get("module") == win(h + "/" + want), (out, err))
# One-process mode loads the DLL of the base's build: a free-threaded venv's python313t.dll, a
# GIL venv's python313.dll. Stand-ins have no DLL (the trace names the one looked for), then a
# DLL without Py_Main is refused; both times the base runs as a second process.
NOT_PYTHON_DLL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "..", "..", "shared", "windows-cpython-3.7.9", "vcruntime140.dll")
for label, recorded, dll in (("free-threaded", "python3.13t.exe", "python313t.dll"),
                             ("GIL", "python.exe", "python313.dll")):
    h, s = make_venv("dll-" + label, scripts={"python.exe": LAUNCHER}, home_files=ft)
    write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), h,
              extra=f"version = 3.13.0\r\nexecutable = {win(h)}\\{recorded}\r\n")
    env = {"VENVSHIM_ONE_PROCESS": "1", "PYLAUNCHER_DEBUG": "1"}
    rc, out, err = run(os.path.join(s, "python.exe"), ["0"], env=env)
    check(f"one-process, {label} venv: looks for home\\{dll}, then runs the base as a process",
          f"two processes: no {win(h)}\\{dll}" in err
          and report(out).get("module") == win(h + "/" + recorded), (rc, out, err))
    if os.path.isfile(NOT_PYTHON_DLL):
        shutil.copy(NOT_PYTHON_DLL, os.path.join(h, dll))
        rc, out, err = run(os.path.join(s, "python.exe"), ["0"], env=env)
        check(f"one-process, {label} venv: a {dll} without Py_Main is not loaded as CPython",
              f"{win(h)}\\{dll} is not CPython 3.13" in err
              and report(out).get("module") == win(h + "/" + recorded), (rc, out, err))
# VENVSHIM_TWO_PROCESS=1 forces two processes, VENVSHIM_ONE_PROCESS=1 set or not
# (docs/windows.md): no DLL is looked for, the base runs as a second process.
h, s = make_venv("dll-forced-two", scripts={"python.exe": LAUNCHER}, home_files=ft)
write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), h,
          extra=f"version = 3.13.0\r\nexecutable = {win(h)}\\python.exe\r\n")
rc, out, err = run(os.path.join(s, "python.exe"), ["0"],
                   env={"VENVSHIM_ONE_PROCESS": "1", "VENVSHIM_TWO_PROCESS": "1",
                        "PYLAUNCHER_DEBUG": "1"})
check("VENVSHIM_TWO_PROCESS=1 forces two processes with VENVSHIM_ONE_PROCESS=1: no DLL looked "
      "for, home\\python.exe runs as a process",
      "python313.dll" not in err and "two processes" not in err
      and report(out).get("module") == win(h + "/python.exe"), (rc, out, err))
h, s = make_venv("unnamed", scripts={"venvlauncher.exe": LAUNCHER, "venvwlauncher.exe": WLAUNCHER})
rc, out, err = run(os.path.join(s, "venvlauncher.exe"), ["0"])
check("a console launcher under another name runs python.exe",
      report(out).get("module") == win(h + "/python.exe"), (out, err))
rc, out, err = run(os.path.join(s, "venvwlauncher.exe"), ["0"])
check("a GUI launcher under another name runs pythonw.exe",
      report(out).get("module") == win(h + "/pythonw.exe"), (out, err))

h, s = make_venv("cfghere", cfg=False)
write_cfg(os.path.join(s, "pyvenv.cfg"), h)
rc, out, err = run(os.path.join(s, "python.exe"), ["0"])
check("pyvenv.cfg next to the launcher is used", rc == 0 and report(out).get("module")
      == win(h + "/python.exe"), (rc, out, err))

# ---- tracing
rc, out, err = run(py, ["0", "x y"], env={"PYLAUNCHER_DRYRUN": "1"})
check("PYLAUNCHER_DRYRUN prints the plan and runs nothing",
      rc == 0 and f'command line: "{win(home + "/python.exe")}" 0 "x y"' in out
      and "module=" not in out and f"set __PYVENV_LAUNCHER__={win(py)}" in out, out)
rc, out, err = run(py, ["0"], env={"PYLAUNCHER_DEBUG": "1"})
check("PYLAUNCHER_DEBUG traces the steps on stderr",
      rc == 0 and "venvshim: base interpreter: " + win(home + "/python.exe") in err, err)

# ---- console-script launchers: launcher exe + "#!" line + zip (pip's layout)
SCRIPT = os.path.join(BUILD, "launcher/win/scriptlauncher.exe")
SCRIPTW = os.path.join(BUILD, "launcher/win/scriptwlauncher.exe")


def script_exe(path, stub, shebang, zipped=True):
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as z:
        z.writestr("__main__.py", "import sys; sys.exit(0)\n")
    with open(stub, "rb") as f:
        data = f.read() + shebang
    with open(path, "wb") as f:
        f.write(data + (body.getvalue() if zipped else b""))


h, s = make_venv("scripts")
venv_py = win(s + "/python.exe")
tool = os.path.join(s, "tool.exe")
script_exe(tool, SCRIPT, f'#!"{venv_py}"\r\n'.encode())
rc, out, err = run(tool, ["6", "a b", "ü"])
r = report(out)
check("script launcher: runs the base directly (two processes) with the script and arguments",
      rc == 6 and r.get("module") == win(h + "/python.exe")
      and r["argv"] == [win(h + "/python.exe"), win(tool), "6", "a b", "ü"], (rc, out, err))
check("script launcher: __PYVENV_LAUNCHER__ is the venv's Scripts\\python.exe",
      r.get("launcher") == venv_py, r.get("launcher"))
got, out = spawn(f'"{win(tool)}"  6 "x  y"\t\\"')
check("script launcher: raw tail byte for byte, exact exit code",
      got == 6 and report(out).get("cmdline")
      == f'"{win(h + "/python.exe")}" "{win(tool)}"  6 "x  y"\t\\"', out)

tool = os.path.join(s, "flags.exe")
script_exe(tool, SCRIPT, f'#!{venv_py} -E -s\n'.encode())
rc, out, err = run(tool, ["0"])
check("script launcher: '#!' arguments go before the script",
      report(out)["argv"][1:] == ["-E", "-s", win(tool), "0"], (out, err))

tool = os.path.join(s, "gui.exe")
script_exe(tool, SCRIPTW, f'#!"{win(s + "/pythonw.exe")}"\n'.encode())
blob = os.urandom(1 << 20)
rc, out, err = run(tool, ["0", "--cat"], stdin=blob, binary=True)
check("GUI script launcher: 1 MiB through pipes", rc == 0 and out == blob, (rc, len(out)))
rc, out, err = run(tool, ["0"])
r = report(out)
check("GUI script launcher: runs home\\pythonw.exe, __PYVENV_LAUNCHER__ = Scripts\\pythonw.exe",
      r.get("module") == win(h + "/pythonw.exe") and r.get("launcher") == win(s + "/pythonw.exe"),
      (out, err))

tool = os.path.join(s, "nozip.exe")
script_exe(tool, SCRIPT, b'#!python.exe\n', zipped=False)
rc, out, err = run(tool)
check("script launcher without an appended script: 113 and a one-line reason",
      rc == 113 and "has no script appended" in err, (rc, err))
tool = os.path.join(s, "nobang.exe")
script_exe(tool, SCRIPT, b'', zipped=True)
rc, out, err = run(tool)
check("script launcher without a '#!' line: 113", rc == 113 and "no '#!' line" in err, (rc, err))
tool = os.path.join(s, "longbang.exe")
script_exe(tool, SCRIPT, b'#!python.exe ' + b'x' * 5000 + b'\n')
rc, out, err = run(tool)
check("script launcher with a 5000-byte '#!' line: 113, said to be too long (not missing)",
      rc == 113 and "longer than 4096" in err, (rc, err))
h3, s3 = make_venv("scripts-nopython", scripts={"pythonw.exe": WLAUNCHER})
tool = os.path.join(s3, "tool.exe")
script_exe(tool, SCRIPT, b'#!python.exe\n')
rc, out, err = run(tool, ["0"])
check("script launcher whose Scripts\\python.exe is gone: refused (103), not run with a "
      "sys.executable that does not exist", rc == 103 and "python.exe is missing" in err
      and "argc=" not in out, (rc, out, err))
tool = os.path.join(os.path.dirname(s3), "tool.exe")  # next to pyvenv.cfg, outside Scripts
script_exe(tool, SCRIPT, b'#!python.exe\n')
rc, out, err = run(tool, ["0"])
check("script launcher outside Scripts\\: refused (103) with the reason",
      rc == 103 and "must sit next to" in err and "argc=" not in out, (rc, out, err))
_, s2 = make_venv("scripts-nocfg", cfg=False)
tool = os.path.join(s2, "tool.exe")
script_exe(tool, SCRIPT, b'#!python.exe\n')
rc, out, err = run(tool)
check("script launcher outside a venv: 106", rc == 106 and "no pyvenv.cfg" in err, (rc, err))

p, seen = started([os.path.join(s, "tool.exe"), "5", "--sleep", "4000"])
os.kill(p.pid, signal.SIGKILL)
rest = p.stdout.read()
p.wait()
check("killing a script launcher kills the interpreter (job object)",
      b"argc=" in seen and b"woke" not in rest, (seen[-40:], rest))

# ---- relative home: the request both entry points build (options, PYTHONHOME)
h, s = make_venv("relhome", cfg_raw=b"home = ..\\home\r\nversion = 3.12.1\r\n")
rpy = os.path.join(s, "python.exe")
rtool = os.path.join(s, "rtool.exe")
script_exe(rtool, SCRIPT, b"#!python.exe\r\n")
etool = os.path.join(s, "etool.exe")
script_exe(etool, SCRIPT, b"#!python.exe -E\r\n")
itool = os.path.join(s, "itool.exe")
script_exe(itool, SCRIPT, b"#!python.exe -s -I\r\n")
for label, exe, args, env, want in (
        ("redirector, -E", rpy, ["-E", "0"], {}, "-E cannot be used"),
        ("redirector, -I with PYTHONHOME set", rpy, ["-I", "0"], {"PYTHONHOME": "C:\\x"},
         "-I cannot be used"),
        ("script launcher, '#!' with -E", etool, ["0"], {}, "-E cannot be used"),
        ("script launcher, '#!' with -I, PYTHONHOME set", itool, ["0"], {"PYTHONHOME": "C:\\x"},
         "-I cannot be used"),
        ("redirector, no PYTHONHOME", rpy, ["0"], {}, "relative home"),
        ("script launcher, no PYTHONHOME", rtool, ["0"], {}, "relative home"),
        ("redirector, empty PYTHONHOME (ignored, as CPython does)", rpy, ["0"],
         {"PYTHONHOME": ""}, "relative home")):
    rc, out, err = run(exe, args, env=env)
    check(f"relative home, {label}: refused, not run", rc in (103, 107) and want in err
          and "argc=" not in out, (rc, out, err))
for label, exe, args in (("redirector", rpy, ["5"]),
                         ("script launcher, -E after the script (the script's argument)",
                          rtool, ["5", "-E"])):
    rc, out, err = run(exe, args, env={"PYTHONHOME": "C:\\x"})
    check(f"relative home, {label}, PYTHONHOME set: it decides, the base runs",
          rc == 5 and "argc=" in out, (rc, out, err))

# ---- venvshim.exe install on a Windows venv layout
VENVSHIM = os.path.join(BUILD, "launcher/win/venvshim.exe")


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# CPython's layout: redirectors in Scripts (child.exe stands in for CPython's
# own venvlauncher), pip's launchers (a stub + '#!' + zip), other files.
h, s = make_venv("install", scripts={"python.exe": CHILD, "pythonw.exe": CHILDW})
root = os.path.dirname(s)
pip_tail = f'#!"{win(s + "/python.exe")}"\r\n'.encode()
script_exe(os.path.join(s, "pip.exe"), CHILD, pip_tail)
script_exe(os.path.join(s, "gui-tool.exe"), CHILDW, pip_tail)
shutil.copy(CHILD, os.path.join(s, "plain.exe"))
with open(os.path.join(s, "activate.bat"), "w") as f:
    f.write("@echo off\r\n")
before_pip = file_bytes(os.path.join(s, "pip.exe"))
rc, out, err = run(VENVSHIM, ["install", win(root)])
check("install: converts the venv", rc == 0 and "2 interpreter launchers, 2 console-script "
      "launchers" in out, (rc, out, err))
check("install: Scripts\\python.exe and pythonw.exe are the redirectors",
      file_bytes(os.path.join(s, "python.exe")) == file_bytes(LAUNCHER)
      and file_bytes(os.path.join(s, "pythonw.exe")) == file_bytes(WLAUNCHER))
rc, out, err = run(os.path.join(s, "python.exe"), ["3"])
check("install: the new python.exe runs the base with venv semantics",
      rc == 3 and report(out).get("module") == win(h + "/python.exe")
      and report(out).get("launcher") == win(s + "/python.exe"), (rc, out, err))
pip = file_bytes(os.path.join(s, "pip.exe"))
check("install: pip.exe = script launcher + the same '#!' line and zip",
      pip == file_bytes(SCRIPT) + before_pip[len(file_bytes(CHILD)):], len(pip))
check("install: a GUI console-script launcher gets the GUI script launcher",
      file_bytes(os.path.join(s, "gui-tool.exe")).startswith(file_bytes(SCRIPTW)))
rc, out, err = run(os.path.join(s, "pip.exe"), ["8", "install", "x y"])
check("install: pip.exe now starts the base directly with itself as the script",
      rc == 8 and report(out)["argv"] == [win(h + "/python.exe"), win(s + "/pip.exe"), "8",
                                         "install", "x y"], (rc, out, err))
check("install: other files are left alone",
      file_bytes(os.path.join(s, "plain.exe")) == file_bytes(CHILD)
      and file_bytes(os.path.join(s, "activate.bat")) == b"@echo off\r\n")
snapshot = {f: file_bytes(os.path.join(s, f)) for f in os.listdir(s)}
rc, out, err = run(VENVSHIM, ["install", win(root)])
check("install: running it again changes nothing",
      rc == 0 and {f: file_bytes(os.path.join(s, f)) for f in os.listdir(s)} == snapshot,
      (rc, out, err, sorted(os.listdir(s))))

h, s = make_venv("install-broken", scripts={"python.exe": CHILD})
script_exe(os.path.join(s, "pip.exe"), CHILD, pip_tail)
shutil.rmtree(h)
snapshot = {f: file_bytes(os.path.join(s, f)) for f in os.listdir(s)}
rc, out, err = run(VENVSHIM, ["install", win(os.path.dirname(s))])
check("install: a venv whose base is gone is refused and left unchanged",
      rc == 1 and "does not exist" in err and "left unchanged" in err
      and {f: file_bytes(os.path.join(s, f)) for f in os.listdir(s)} == snapshot, (rc, err))
h, s = make_venv("install-ft-name", scripts={"python.exe": CHILD, "python3.13t.exe": CHILD})
snapshot = {f: file_bytes(os.path.join(s, f)) for f in os.listdir(s)}
rc, out, err = run(VENVSHIM, ["install", win(os.path.dirname(s))])
check("install: a Scripts name the base lacks (python3.13t.exe) is refused, nothing written",
      rc == 1 and "python3.13t.exe" in err and "left unchanged" in err
      and {f: file_bytes(os.path.join(s, f)) for f in os.listdir(s)} == snapshot, (rc, err))
h, s = make_venv("install-old", scripts={"python.exe": CHILD})
write_cfg(os.path.join(os.path.dirname(s), "pyvenv.cfg"), h, extra="version = 3.7.1\r\n")
rc, out, err = run(VENVSHIM, ["install", win(os.path.dirname(s))])
check("install: a 3.7.1 base (ignores __PYVENV_LAUNCHER__) is refused",
      rc == 1 and "3.7.2" in err and file_bytes(os.path.join(s, "python.exe")) == file_bytes(CHILD),
      (rc, err))
rc, out, err = run(VENVSHIM, ["install", win(TMP)])
check("install: a directory that is not a venv: 1", rc == 1 and "venvshim: " in err, (rc, err))
rc, out, err = run(VENVSHIM, ["install"])
check("install without DIR: usage error 2",
      rc == 2 and err.strip() == "venvshim: install: missing DIR; try 'venvshim install --help'",
      (rc, err))
rc, out, err = run(VENVSHIM, ["help", "install"])
check("venvshim.exe help install", rc == 0 and out.startswith("usage: venvshim install DIR"),
      (rc, out, err))

# ---- venvshim.exe create: what reaches PYTHON (child.exe prints its argv),
# the refusals, the usage errors; a real venv run is in check_real.py
target = os.path.join(TMP, "new venv ü")
awkward_prompt = 'a "b" c\\ d\\'
rc, out, err = run(VENVSHIM, ["create", "--python", win(CHILD), "--without-pip", "--clear",
                              "--prompt", awkward_prompt, win(target)])
r = report(out)
check("create: PYTHON -m venv [options] DIR, every argument arriving unchanged (CRT quoting)",
      r["argv"] == [win(CHILD), "-m", "venv", "--without-pip", "--clear", "--prompt",
                    awkward_prompt, win(target)], (rc, out, err))
check("create: says which Python it runs",
      f"{win(CHILD)} -m venv" in out and "(the Python: --python)" in out, out)
check("create: PYTHON made no DIR: install is not reached, exit 1",
      rc == 1 and "venvshim: " in err, (rc, err))
rc, out, err = run(VENVSHIM, ["create", "--python", win(CHILD), win(target), "7"])
check("create: an extra operand is a usage error (2)", rc == 2, (rc, err))
for label, args in (("no DIR", ["create"]),
                    ("--relocatable (not on Windows yet)", ["create", "--relocatable", "x"]),
                    ("an unknown option", ["create", "--copies", "x"]),
                    ("check --fix (not on Windows yet)", ["check", "--fix", "x"]),
                    ("check without DIR", ["check"])):
    rc, out, err = run(VENVSHIM, args)
    check(f"{label}: usage error 2, a 'venvshim: ' line", rc == 2 and err.startswith("venvshim: "),
          (rc, err))
gone = os.path.join(TMP, "create-bad-python")
for bad in (win(os.path.join(TMP, "no-such", "python.exe")), "vs-no-such-python"):
    rc, out, err = run(VENVSHIM, ["create", "--python", bad, win(gone)])
    check(f"create --python {bad}: 1, says so, no DIR left behind",
          rc == 1 and f"--python {bad}" in err and not os.path.exists(gone), (rc, err))
busy = os.path.join(TMP, "create-busy")
os.makedirs(busy)
open(os.path.join(busy, "keep.txt"), "w").close()
afile = os.path.join(TMP, "create-file")
open(afile, "w").close()
# as the POSIX create (create.c): an existing DIR is not judged before venv
# runs; venv takes it or refuses it (check_real.py runs the real one)
for label, d in (("a DIR holding something", busy), ("a DIR that is a file", afile)):
    rc, out, err = run(VENVSHIM, ["create", "--python", win(CHILD), win(d)])
    check(f"create: {label} goes to PYTHON -m venv as on POSIX (venv decides), nothing deleted",
          report(out)["argv"] == [win(CHILD), "-m", "venv", win(d)]
          and os.path.isfile(os.path.join(busy, "keep.txt")) and os.path.isfile(afile),
          (rc, out, err))
rc, out, err = run(VENVSHIM, ["create", "--without-pip", win(busy)],
                   env={"WINEPATH": win(os.path.join(TMP, "no-such"))})
check("create without --python and no py.exe / python.exe on PATH: 1, says what to give",
      rc == 1 and "--python" in err, (rc, err))
# create looks python.exe (and py.exe) up in PATH's absolute entries only, in order, never in
# the current directory (launcher/cli/create_win.c find_on_path): an empty, ".", relative,
# root-relative or drive-relative entry would name it. Wine puts WINEPATH's entries first.
cwd = os.path.join(TMP, "cwd holding python")
os.makedirs(os.path.join(cwd, "sub"))
for d in (cwd, os.path.join(cwd, "sub")):
    shutil.copy(CHILD, os.path.join(d, "python.exe"))
for label, entry in (("an empty entry", ";"), ("'.'", "."), ("a relative entry", "sub"),
                     ("'..\\' + the directory's name", "..\\" + os.path.basename(cwd)),
                     ("a root-relative entry", win(cwd)[2:]), ("a drive-relative entry", "Z:sub")):
    rc, out, err = run(VENVSHIM, ["create", "--without-pip", win(busy)], cwd=cwd,
                       env={"WINEPATH": entry})
    check(f"create never runs python.exe from the current directory: PATH with {label}",
          rc == 1 and "no Python found" in err and "argv[0]=" not in out, (rc, out, err))
    rc, out, err = run(VENVSHIM, ["create", "--python", "python", win(busy)], cwd=cwd,
                       env={"WINEPATH": entry})
    check(f"create --python python (a bare name) never finds the current directory's: {label}",
          rc == 1 and "not found on PATH" in err and "argv[0]=" not in out, (rc, out, err))
rc, out, err = run(VENVSHIM, ["create", "--without-pip", win(busy)], cwd=cwd,
                   env={"WINEPATH": f".;{win(os.path.join(cwd, 'sub'))}"})
check("create: the first absolute PATH entry holding python.exe is the one run, '.' before it "
      "skipped", report(out)["argv"][:1] == [win(os.path.join(cwd, "sub", "python.exe"))]
      and "(the Python: python.exe from PATH)" in out, (rc, out, err))
rc, out, err = run(VENVSHIM, ["--version"])
check("venvshim.exe --version", rc == 0 and out.startswith("venvshim "), (rc, out))

# A real Windows CPython behind the launchers: tests/windows/check_real.py.

shutil.rmtree(TMP, ignore_errors=True)
failed = results.count(False)
print(f"# {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
