"""venvshim upgrade's helper: the part of `venvshim upgrade` that needs Python.

The venvshim CLI embeds this file, writes it into a private temporary
directory and runs it with the NEW interpreter (`NEWPY -I -S helper PHASE`);
the old interpreter may be gone. Standard library only. Phases:

  plan    read the old venv's state from its files (every *.dist-info, .pth
          and other files no distribution owns, pyvenv.cfg's options) and
          decide for each distribution how it is rebuilt: re-packed from its
          installed files (pure Python), a wheel or sdist from --find-links or
          pip's configured index (compiled), the source directory of an
          editable install. Writes WORK/plan.json; exit 3 when something
          cannot be rebuilt (each with its reason).
  build   make the new venv at NEW (python -m venv), re-pack, install with pip
          (run from the interpreter's bundled pip wheel, offline by default),
          restore each distribution's REQUESTED, INSTALLER and direct_url.json
          as they were, copy the files no distribution owns.
  finish  (after the CLI ran `venvshim install` / `relocate` on NEW) rewrite
          every NEW path baked into a file (#! lines, activate, pyvenv.cfg's
          command, RECORD hashes follow) to the final path, byte-compile
          naming the final path, and verify: pip check, every distribution at
          its version, every entry point importable, every console script
          present and naming the final venv's python, no trace of NEW left.

The old venv is only read. Nothing here renames or removes it: the CLI swaps
the directories in one rename after `finish` succeeded.
"""

import base64
import configparser
import csv
import glob
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import zipfile

FILE_CAP = 256 << 20  # a file larger than this in a venv is refused
COMPILED = re.compile(r"\.(so|pyd|dylib|dll)$|\.so\.")
SKIPPED_META = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "RECORD.jws", "RECORD.p7s"}
OWN_FILES = {"_venvshim.pth", "_venvshim_init.py", "_venvshim_scripts.py",
             "_venvshim_relocatable.pth"}  # venvshim install / relocate write these


class Refusal(Exception):
    """A reason a distribution cannot be rebuilt (a phrase)."""


def say(msg):
    print(msg, flush=True)


def progress(msg):
    if sys.stderr.isatty():
        print(msg, file=sys.stderr, flush=True)


# ---- reading the old venv, which is data and may be hostile ----

def read_bytes(path, cap=FILE_CAP):
    """A regular file's bytes: a symbolic link, FIFO or device is refused, never opened."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise Refusal(f"{path} is a symbolic link")
    if not stat.S_ISREG(st.st_mode):
        raise Refusal(f"{path} is not a regular file")
    if st.st_size > cap:
        raise Refusal(f"{path} is larger than {cap >> 20} MiB")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refusal(f"{path} changed while it was read")
        chunks, n = [], 0
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            n += len(b)
            if n > cap:
                raise Refusal(f"{path} grew while it was read")
            chunks.append(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path):
    return read_bytes(path, 16 << 20).decode("utf-8", "surrogateescape")


def inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def headers(text):
    """RFC 822-style metadata (METADATA, WHEEL): the first value of each key."""
    out = {}
    for line in text.split("\n"):
        if not line.strip():
            break
        if line[:1] in " \t" or ":" not in line:
            continue
        k, v = line.split(":", 1)
        out.setdefault(k.strip().lower(), v.strip())
    return out


def entry_point_scripts(text):
    """{script name: (group, "module:attr")} from entry_points.txt."""
    cp = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    cp.optionxform = str
    try:
        cp.read_string(text)
    except configparser.Error as e:
        raise Refusal(f"entry_points.txt does not parse: {e}")
    out = {}
    for group in ("console_scripts", "gui_scripts"):
        if cp.has_section(group):
            for name, value in cp.items(group):
                out[name] = (group, value.split("[")[0].strip())
    return out


def venv_layout(venv):
    """(lib/pythonX.Y dir name, site-packages path) of the old venv."""
    libs = sorted(d for d in os.listdir(os.path.join(venv, "lib"))
                  if re.fullmatch(r"(python|pypy)\d+\.\d+t?", d))
    if len(libs) != 1:
        raise SystemExit(f"venvshim: {venv}/lib has {len(libs)} python3.X directories, "
                         f"expected one; nothing changed")
    site = os.path.join(venv, "lib", libs[0], "site-packages")
    if os.path.islink(site) or not os.path.isdir(site):
        raise SystemExit(f"venvshim: {site} is not a directory; nothing changed")
    return libs[0], site


def cfg_options(venv):
    opts = {}
    for line in read_text(os.path.join(venv, "pyvenv.cfg")).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            opts[k.strip().lower()] = v.strip()
    prompt = opts.get("prompt")
    if prompt and len(prompt) > 1 and prompt[0] == prompt[-1] and prompt[0] in "'\"":
        # venv writes repr(prompt) (Lib/venv/__init__.py, create_configuration)
        import ast
        try:
            prompt = ast.literal_eval(prompt)
        except (ValueError, SyntaxError):
            pass
    return {
        "system_site_packages": opts.get("include-system-site-packages", "").lower() == "true",
        "prompt": prompt,
        "relocatable": opts.get("relocatable", "").lower() == "true",
    }


def parse_record(text):
    rows = []
    for row in csv.reader(io.StringIO(text)):
        if row and row[0]:
            rows.append(row[0])
    return rows


def describe_dist(venv, site, lib, info_dir):
    """What the old venv holds of one distribution; raises Refusal."""
    d = os.path.join(site, info_dir)
    meta = headers(read_text(os.path.join(d, "METADATA")))
    name, version = meta.get("name"), meta.get("version")
    if not name or not version:
        raise Refusal("METADATA names no Name or Version")
    dist = {"name": name, "version": version, "dist_info": info_dir}
    opt = {}
    for f in ("WHEEL", "INSTALLER", "direct_url.json", "entry_points.txt"):
        p = os.path.join(d, f)
        if os.path.lexists(p):
            opt[f] = read_text(p)
    dist["requested"] = os.path.lexists(os.path.join(d, "REQUESTED"))
    dist["installer"] = opt.get("INSTALLER")
    dist["direct_url"] = opt.get("direct_url.json")
    dist["scripts"] = entry_point_scripts(opt.get("entry_points.txt", ""))
    return dist, opt


def classify(venv, site, lib, dist, opt):
    """dist["action"]: repack | editable | find (a wheel or sdist from pip's sources)."""
    direct = None
    if dist["direct_url"]:
        try:
            direct = json.loads(dist["direct_url"])
        except ValueError:
            raise Refusal("direct_url.json is not JSON")
    if direct and direct.get("dir_info", {}).get("editable"):
        url = direct.get("url", "")
        if not url.startswith("file://"):
            raise Refusal(f"editable install from {url!r}, not a local directory")
        from urllib.parse import unquote, urlsplit
        src = unquote(urlsplit(url).path)
        if not os.path.isdir(src) or not (os.path.isfile(os.path.join(src, "pyproject.toml")) or
                                          os.path.isfile(os.path.join(src, "setup.py"))):
            raise Refusal(f"direct_url.json names {src}, which is not a project directory "
                          f"(no pyproject.toml or setup.py)")
        trusted_source(src)
        dist["action"], dist["source"] = "editable", src
        return
    record = os.path.join(site, dist["dist_info"], "RECORD")
    if not os.path.lexists(record):
        raise Refusal("no RECORD: not installed from a wheel")
    files = plan_files(venv, site, lib, dist, parse_record(read_text(record)))
    wheel = headers(opt.get("WHEEL", ""))
    compiled = [f for f in files if COMPILED.search(f[0])]
    if wheel.get("root-is-purelib", "").lower() == "true" and not compiled:
        dist["action"], dist["files"] = "repack", files
    else:
        dist["action"] = "find"
        dist["why_compiled"] = (f"compiled: {os.path.basename(compiled[0][0])}" if compiled
                                else "Root-Is-Purelib is not true")


def trusted_source(src):
    """An editable's project is built, i.e. its code runs: only from a directory
    no one but the caller (or root) can write, up to /."""
    me = os.geteuid()
    p = os.path.realpath(src)
    while True:
        st = os.stat(p)
        if st.st_uid not in (me, 0) or (st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX):
            raise Refusal(f"editable source {src}: {p} can be written by someone else "
                          f"(owner uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):o})")
        if p == "/":
            return
        p = os.path.dirname(p)


def plan_files(venv, site, lib, dist, rows):
    """(absolute path, path in the wheel) per installed file worth carrying: no
    bytecode, no install metadata pip writes itself, no console script pip
    regenerates. A file outside the venv refuses the distribution."""
    out = []
    info = dist["dist_info"]
    data = f"{info[:-len('.dist-info')]}.data"
    bindir = os.path.join(venv, "bin")
    include = os.path.join(venv, "include", "site", lib)
    for rel in rows:
        path = os.path.normpath(os.path.join(site, rel))
        if not inside(path, venv) or path == venv:
            raise Refusal(f"RECORD names {rel}, outside the venv")
        parts = path.split("/")
        if "__pycache__" in parts or path.endswith((".pyc", ".pyo")):
            continue
        if inside(path, site):
            arc = os.path.relpath(path, site)
            if arc.split("/")[0] == info and arc.split("/")[-1] in SKIPPED_META:
                continue
        elif os.path.dirname(path) == bindir:
            if os.path.basename(path) in dist["scripts"]:
                continue  # pip writes it again for the new interpreter
            arc = f"{data}/scripts/{os.path.basename(path)}"
        elif inside(path, include):
            arc = f"{data}/headers/{'/'.join(os.path.relpath(path, include).split('/')[1:])}"
        else:
            arc = f"{data}/data/{os.path.relpath(path, venv)}"
        if not os.path.lexists(path):
            raise Refusal(f"{rel} is in RECORD but missing")
        out.append((path, arc))
    return out


def scan(venv, lib, site):
    """(distributions, files no distribution owns) of the old venv."""
    dists = []
    entries = sorted(os.listdir(site))
    for e in entries:
        if not e.endswith(".dist-info"):
            continue
        dist = {"name": e, "version": "?", "dist_info": e}
        try:
            dist, opt = describe_dist(venv, site, lib, e)
            classify(venv, site, lib, dist, opt)
        except (Refusal, OSError) as why:
            dist["action"], dist["reason"] = "unrebuildable", str(why)
        dists.append(dist)
    return dists


def unowned_files(site, dists):
    """Top-level entries of site-packages no RECORD lists (a .pth file or a
    module put there by hand): copied as they are, unless compiled."""
    owned_top = set()
    for d in dists:
        owned_top.add(d["dist_info"])
        try:
            rows = parse_record(read_text(os.path.join(site, d["dist_info"], "RECORD")))
        except (Refusal, OSError):
            continue
        for rel in rows:
            path = os.path.normpath(os.path.join(site, rel))
            if inside(path, site) and path != site:
                owned_top.add(os.path.relpath(path, site).split("/")[0])
    out = []
    for e in sorted(os.listdir(site)):
        if e in owned_top or e in OWN_FILES or e == "__pycache__" or e.endswith(".dist-info"):
            continue
        if e.endswith(".egg-info") or e.endswith(".egg-link"):
            out.append({"path": e, "action": "unrebuildable",
                        "reason": "a legacy (setup.py) install: no RECORD to rebuild it from"})
            continue
        p = os.path.join(site, e)
        compiled = None
        if os.path.isdir(p) and not os.path.islink(p):
            for root, dirs, files in os.walk(p):
                compiled = compiled or next((f for f in files if COMPILED.search(f)), None)
        elif COMPILED.search(e):
            compiled = e
        if os.path.islink(p):
            out.append({"path": e, "action": "unrebuildable", "reason": "a symbolic link"})
        elif compiled:
            out.append({"path": e, "action": "unrebuildable",
                        "reason": f"not part of any distribution and compiled ({compiled})"})
        else:
            out.append({"path": e, "action": "copy", "reason": "not part of any distribution"})
    return out


# ---- pip: the interpreter's own bundled pip wheel, run from the wheel ----

def version_key(v):
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.+-]", v))


def bundled_pip_wheel():
    """(path, version) of the interpreter's bundled pip wheel (ensurepip)."""
    import ensurepip
    here = os.path.dirname(ensurepip.__file__)
    def key(path):
        return version_key(os.path.basename(path).split("-")[1])
    found = (sorted(glob.glob(os.path.join(here, "_bundled", "pip-*.whl")), key=key) or
             sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"), key=key))
    if not found:
        raise SystemExit(f"venvshim: {sys.executable} has no bundled pip wheel (ensurepip); "
                         f"install its venv/ensurepip package; nothing changed")
    return found[-1], os.path.basename(found[-1]).split("-")[1]


def bundled_pip(work):
    """The interpreter's bundled pip wheel, unpacked once into the private work
    directory (run from the zip, every pip run would compile pip again)."""
    unpacked = os.path.join(work, "pip-unpacked")
    if not os.path.isdir(unpacked):
        with zipfile.ZipFile(bundled_pip_wheel()[0]) as z:
            # the package only: its .dist-info on sys.path would make pip
            # think pip is installed in the new venv already
            z.extractall(unpacked + ".tmp", [n for n in z.namelist() if n.startswith("pip/")])
        os.rename(unpacked + ".tmp", unpacked)
    return os.path.join(unpacked, "pip")


def pip_index_configured():
    """True when pip's environment or configuration names an index or
    find-links of its own: then pip may use them (an index works where one
    is reachable); otherwise pip runs with --no-index (offline)."""
    keys = ("index-url", "extra-index-url", "find-links")
    if any(os.environ.get("PIP_" + k.upper().replace("-", "_")) for k in keys):
        return True
    if os.environ.get("PIP_CONFIG_FILE") == os.devnull:
        return False
    home = os.path.expanduser("~")
    files = ["/etc/pip.conf", "/etc/xdg/pip/pip.conf",
             os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"),
                          "pip", "pip.conf"),
             os.path.join(home, ".pip", "pip.conf"), os.environ.get("PIP_CONFIG_FILE") or ""]
    for f in files:
        if f and os.path.isfile(f):
            cp = configparser.ConfigParser(interpolation=None)
            try:
                cp.read(f)
            except configparser.Error:
                continue
            if any(cp.has_option(s, k) for s in cp.sections() for k in keys):
                return True
    return False


def pip_env():
    env = dict(os.environ)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_NO_WARN_SCRIPT_LOCATION="1")
    for k in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PIP_TARGET",
              "PIP_PREFIX", "PIP_USER", "PIP_REQUIRE_VIRTUALENV", "VIRTUAL_ENV"):
        env.pop(k, None)
    return env


def source_args(args):
    out = [] if pip_index_configured() else ["--no-index"]
    for d in args.find_links:
        out += ["--find-links", d]
    return out


def run_pip(args, python, pip_args, what):
    cmd = [python, "-I", bundled_pip(args.work)] + pip_args
    r = subprocess.run(cmd, env=pip_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        tail = r.stdout.decode("utf-8", "replace").strip().splitlines()[-15:]
        raise SystemExit("venvshim: pip failed " + what + ":\n  " + "\n  ".join(tail) +
                         "\nvenvshim: nothing changed")
    return r.stdout.decode("utf-8", "replace")


def find_source(args, dist):
    """Where pip would get dist for this interpreter (--dry-run --report)."""
    report = os.path.join(args.work, "report.json")
    cmd = [sys.executable, "-I", bundled_pip(args.work), "install", "--dry-run", "--no-deps",
           "--ignore-installed", "--quiet", "--report", report] + source_args(args)
    cmd.append(f"{dist['name']}=={dist['version']}")
    r = subprocess.run(cmd, env=pip_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    places = ("in --find-links " + ", ".join(args.find_links) if args.find_links
              else "(no --find-links given)")
    index = ", nor in pip's configured index" if pip_index_configured() else " (offline: no index)"
    if r.returncode != 0:
        raise Refusal(f"{dist['why_compiled']}; no wheel or sdist of {dist['version']} for "
                      f"{py_name()} {places}{index}")
    with open(report) as f:
        url = json.load(f)["install"][0]["download_info"]["url"]
    from urllib.parse import unquote, urlsplit
    path = unquote(urlsplit(url).path) if url.startswith("file:") else url
    return ("wheel" if path.endswith(".whl") else "sdist"), path


def py_name():
    v = sys.version_info
    impl = "PyPy" if sys.implementation.name == "pypy" else "CPython"
    return f"{impl} {v.major}.{v.minor}"


# ---- phases ----

def cmd_plan(args):
    venv = args.venv
    lib, site = venv_layout(venv)
    impl = "pypy" if sys.implementation.name == "pypy" else "python"
    v = sys.version_info
    if lib == f"{impl}{v.major}.{v.minor}" + ("t" if lib.endswith("t") else ""):
        raise SystemExit(f"venvshim: {venv} is already for {py_name()}: for another patch "
                         f"release use: venvshim rebase {venv} --python {sys.executable}; "
                         f"nothing changed")
    dists = scan(venv, lib, site)
    for d in dists:
        progress(f"  planning {d['name']} {d['version']}")
        bundled = bundled_pip_wheel()
        if d["name"].lower() == "pip" and d.get("action") != "unrebuildable" and \
                version_key(d["version"]) < version_key(bundled[1]):
            # pip is the venv's installer, not the code's: an older one may not
            # run on the new Python (pip 23.0 on 3.12), so the new Python's own
            # pip replaces it, as python -m venv would install it
            d["action"], d["source"], d["new_version"] = "bundled", bundled[0], bundled[1]
        elif d.get("action") == "find":
            try:
                d["action"], d["source"] = find_source(args, d)
            except Refusal as why:
                d["action"], d["reason"] = "unrebuildable", str(why)
    plan = {
        "venv": venv,
        "from": lib,
        "to": py_name(),
        "python": sys.executable,
        "options": cfg_options(venv),
        "distributions": [dict({k: v for k, v in d.items() if k not in ("files", "why_compiled")},
                               scripts=sorted(d.get("scripts", {}))) for d in dists],
        "other_files": unowned_files(site, dists),
    }
    bad = [d for d in plan["distributions"] + plan["other_files"] if d["action"] == "unrebuildable"]
    plan["unrebuildable"] = len(bad)
    with open(os.path.join(args.work, "plan.json"), "w") as f:
        json.dump(plan, f)
    for name, value in (("from", lib), ("relocatable", str(plan["options"]["relocatable"]).lower())):
        with open(os.path.join(args.work, name), "w") as f:
            f.write(value + "\n")
    # what --allow-missing leaves out, one line each, for the CLI's summary
    with open(os.path.join(args.work, "skipped"), "w") as f:
        for d in bad:
            what = " ".join(filter(None, (d.get("name") or d["path"], d.get("version"))))
            f.write(f"{what}: {d['reason']}".replace("\n", " ") + "\n")
    # the files to re-pack, kept for build (not part of the report)
    with open(os.path.join(args.work, "files.json"), "w") as f:
        json.dump({d["dist_info"]: d.get("files", []) for d in dists}, f)
    if not args.json:
        print_table(plan)
    return 3 if bad else 0


WHAT = {"repack": "re-packed from its installed files", "bundled": "the new Python's own pip:", "wheel": "wheel", "sdist": "built from sdist",
        "index": "from pip's index", "editable": "editable, from", "copy": "copied",
        "unrebuildable": "CANNOT BE REBUILT:"}


def print_table(plan):
    say(f"{plan['venv']}: {plan['from']} -> {plan['to']} ({plan['python']})")
    rows = [(d["name"], d["version"] + (f" -> {d['new_version']}" if "new_version" in d else ""),
             d["action"], d.get("source") or d.get("reason") or "")
            for d in plan["distributions"]]
    rows += [(f["path"], "", f["action"], f["reason"]) for f in plan["other_files"]]
    w = max([len(r[0]) for r in rows] + [12])
    v = max([len(r[1]) for r in rows] + [7])
    say(f"  {'distribution':<{w}}  {'version':<{v}}  how")
    for name, ver, action, where in rows:
        what = WHAT.get(action, action)
        say(f"  {name:<{w}}  {ver:<{v}}  {what} {where}".rstrip())


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def repack(dist, files, outdir):
    """A wheel of dist's installed files, py3-none-any (it has no compiled file)."""
    stem = dist["dist_info"][:-len(".dist-info")]
    name, _, version = stem.partition("-")
    path = os.path.join(outdir, f"{re.sub(r'[-_.]+', '_', name)}-{version}-py3-none-any.whl")
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for src, arc in files:
            data = read_bytes(src)
            if "/scripts/" in arc and data.startswith(b"#!"):
                data = normalise_script(data)
            mode = os.lstat(src).st_mode
            info = zipfile.ZipInfo(arc, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IMODE(mode) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            if arc.split("/")[-1] == "WHEEL" and arc.startswith(dist["dist_info"] + "/"):
                data = re.sub(rb"(?m)^Tag:.*\n?", b"", data).rstrip(b"\n") + b"\nTag: py3-none-any\n"
            z.writestr(info, data)
            record.append(f"{arc},{record_hash(data)},{len(data)}")
        record.append(f"{dist['dist_info']}/RECORD,,")
        z.writestr(f"{dist['dist_info']}/RECORD", "\n".join(record) + "\n")
    return path


def normalise_script(data):
    """A script pip installed keeps its #! pointing at the old interpreter; a
    wheel's script says `#!python`, which pip replaces for the new one."""
    lines = data.split(b"\n")
    if lines[0] == b"#!/bin/sh" and len(lines) > 2 and lines[1].startswith(b"'''exec'"):
        lines = lines[3:]  # pip's form for a long or spaced interpreter path
    elif b"python" in lines[0] or b"pypy" in lines[0]:
        lines = lines[1:]
    else:
        return data
    return b"\n".join([b"#!python"] + lines)


def site_of(venv):
    return venv_layout(venv)[1]


def cmd_build(args):
    with open(os.path.join(args.work, "plan.json")) as f:
        plan = json.load(f)
    with open(os.path.join(args.work, "files.json")) as f:
        files = json.load(f)
    venv, new = plan["venv"], args.new
    opts = plan["options"]
    cmd = [sys.executable, "-I", "-m", "venv", "--without-pip"]
    if opts["system_site_packages"]:
        cmd.append("--system-site-packages")
    if opts["prompt"]:
        cmd += ["--prompt", opts["prompt"]]
    r = subprocess.run(cmd + [new], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise SystemExit(f"venvshim: {' '.join(cmd)} {new} failed:\n{r.stdout.decode()}")
    wheels = os.path.join(args.work, "wheels")
    os.makedirs(wheels, exist_ok=True)
    todo, editables = [], []
    for d in plan["distributions"]:
        if d["action"] == "repack":
            progress(f"  re-packing {d['name']} {d['version']}")
            try:
                todo.append(repack(d, files[d["dist_info"]], wheels))
            except (Refusal, OSError) as e:
                raise SystemExit(f"venvshim: cannot re-pack {d['name']} {d['version']}: {e}; "
                                 f"nothing changed")
        elif d["action"] == "bundled":
            todo.append(d["source"])
        elif d["action"] in ("wheel", "sdist", "index"):
            todo.append(f"{d['name']}=={d['version']}")
        elif d["action"] == "editable":
            editables.append(d)
    python = os.path.join(new, "bin", "python")
    # one pip run for everything (each run costs pip's start); --ignore-installed:
    # with the base's site-packages visible, pip would otherwise take a
    # distribution found there as installed and leave it out of the new venv
    common = ["install", "--no-deps", "--no-compile", "--ignore-installed", "--quiet"]
    common += source_args(args) + ["--find-links", wheels]
    count = len(todo) + len(editables)
    for d in editables:
        todo += ["--editable", d["source"]]
    if todo:
        progress(f"  installing {count} distributions"
                 f"{f' ({len(editables)} editable)' if editables else ''}")
        run_pip(args, python, common + todo, "installing the distributions")
    new_site = site_of(new)
    for d in plan["distributions"]:
        if d["action"] != "unrebuildable":
            restore_metadata(new_site, d)
    for f in plan["other_files"]:
        if f["action"] == "copy":
            copy_tree(os.path.join(site_of(venv), f["path"]), os.path.join(new_site, f["path"]))
    return 0


def find_dist_info(site, dist):
    canon = re.sub(r"[-_.]+", "-", dist["name"]).lower()
    for e in os.listdir(site):
        if e.endswith(".dist-info"):
            n, _, v = e[:-len(".dist-info")].partition("-")
            if re.sub(r"[-_.]+", "-", n).lower() == canon and v == dist.get("new_version",
                                                                               dist["version"]):
                return os.path.join(site, e)
    raise SystemExit(f"venvshim: pip did not install {dist['name']} {dist['version']}; "
                     f"nothing changed")


def restore_metadata(site, dist):
    """REQUESTED, INSTALLER and (unless editable) direct_url.json as the old
    venv had them: pip freeze and pip list read them."""
    info = find_dist_info(site, dist)
    want = {"REQUESTED": b"" if dist["requested"] else None,
            "INSTALLER": dist["installer"].encode() if dist["installer"] is not None else None}
    if dist["action"] != "editable":
        want["direct_url.json"] = (dist["direct_url"].encode("utf-8", "surrogateescape")
                                   if dist["direct_url"] is not None else None)
    record_path = os.path.join(info, "RECORD")
    rows = list(csv.reader(io.StringIO(read_text(record_path))))
    base = os.path.basename(info)
    for name, data in want.items():
        p = os.path.join(info, name)
        rows = [r for r in rows if r and r[0] != f"{base}/{name}"]
        if data is None:
            if os.path.lexists(p):
                os.unlink(p)
            continue
        with open(p, "wb") as f:
            f.write(data)
        rows.append([f"{base}/{name}", record_hash(data), str(len(data))])
    write_record(record_path, rows)


def write_record(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with open(path + ".tmp", "w") as f:
        f.write(out.getvalue())
    os.replace(path + ".tmp", path)


def copy_tree(src, dst):
    st = os.lstat(src)
    if stat.S_ISDIR(st.st_mode):
        os.mkdir(dst, stat.S_IMODE(st.st_mode) | 0o700)
        for e in sorted(os.listdir(src)):
            if e != "__pycache__" and not e.endswith((".pyc", ".pyo")):
                copy_tree(os.path.join(src, e), os.path.join(dst, e))
    elif stat.S_ISREG(st.st_mode):
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                     stat.S_IMODE(st.st_mode) & 0o777)
        with os.fdopen(fd, "wb") as f:
            f.write(read_bytes(src))
    else:
        raise SystemExit(f"venvshim: {src}: not a regular file or directory; nothing changed")


def record_index(site):
    """{absolute path: (RECORD path, row number)} over every RECORD in site."""
    idx = {}
    for e in os.listdir(site):
        if e.endswith(".dist-info") and os.path.isfile(os.path.join(site, e, "RECORD")):
            rec = os.path.join(site, e, "RECORD")
            for i, row in enumerate(csv.reader(io.StringIO(read_text(rec)))):
                if row:
                    idx[os.path.normpath(os.path.join(site, row[0]))] = (rec, i)
    return idx


def rewrite_paths(new, final):
    """Every file of the new venv naming NEW names FINAL instead (#! lines,
    activate, pyvenv.cfg's command); RECORD rows of changed files follow."""
    old_b, new_b = os.fsencode(new), os.fsencode(final)
    old_name, new_name = os.fsencode(os.path.basename(new)), os.fsencode(os.path.basename(final))
    bindir = os.path.join(new, "bin")
    idx = record_index(site_of(new))
    records = {}
    changed = []
    for root, dirs, files in os.walk(new):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode) or name.endswith((".pyc", ".pyo")):
                continue
            data = read_bytes(p)
            if b"\0" in data:
                continue  # a binary: the launcher, a script launcher (it ignores its #! line)
            fixed = data.replace(old_b, new_b)
            if root == bindir and name.lower().startswith("activate"):
                fixed = fixed.replace(old_name, new_name)  # the default prompt: DIR's name
            if fixed == data:
                continue
            data = fixed
            tmp = p + ".venvshim-tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         stat.S_IMODE(st.st_mode))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, p)
            changed.append(p)
            if p in idx:
                rec, i = idx[p]
                if rec not in records:
                    records[rec] = list(csv.reader(io.StringIO(read_text(rec))))
                records[rec][i][1:3] = [record_hash(data), str(len(data))]
    for rec, rows in records.items():
        write_record(rec, rows)
    return changed


VERIFY = r"""
import importlib, importlib.metadata as md, json, sys
dists = {}
for d in md.distributions():
    dists.setdefault(d.metadata["Name"], d.version)
bad = []
for name, spec in json.loads(sys.argv[1]):
    mod, _, attr = spec.partition(":")
    try:
        obj = importlib.import_module(mod.strip())
        for part in attr.strip().split(".") if attr.strip() else []:
            obj = getattr(obj, part)
    except BaseException as e:
        bad.append(f"{name}: {spec}: {type(e).__name__}: {e}")
print(json.dumps({"dists": dists, "bad": bad}))
"""


def cmd_finish(args):
    with open(os.path.join(args.work, "plan.json")) as f:
        plan = json.load(f)
    new, final = args.new, plan["venv"]
    rewrite_paths(new, final)
    lib, site = venv_layout(new)
    if sys.version_info >= (3, 9):
        r = subprocess.run([sys.executable, "-I", "-m", "compileall", "-q", "-f", "-j", "0", "-s",
                            new, "-p", final, site],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:  # a module that does not compile for the new Python
            say("venvshim: warning: byte-compiling for the new Python failed for some files:\n" +
                r.stdout.decode("utf-8", "replace")[-2000:])
    problems = []
    python = os.path.join(new, "bin", "python")
    out = run_pip(args, python, ["check"], "checking the dependencies (pip check)")
    scripts = []
    for d in plan["distributions"]:
        if d["action"] == "unrebuildable":
            continue
        info = find_dist_info(site, d)
        ep = os.path.join(info, "entry_points.txt")
        eps = entry_point_scripts(read_text(ep)) if os.path.exists(ep) else {}
        for name, (group, spec) in sorted(eps.items()):
            scripts.append((name, spec))
            if d["name"].lower() in ("pip", "setuptools"):
                # pip writes pip3.X and easy_install-3.X for the running Python
                name = re.sub(r"\d+\.\d+$", "%d.%d" % sys.version_info[:2], name)
            problems += check_script(os.path.join(new, "bin", name), final, plan)
    r = subprocess.run([python, "-I", "-c", VERIFY, json.dumps(scripts)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=new)
    if r.returncode != 0:
        problems.append(f"the new venv's python failed: {r.stderr.decode('utf-8', 'replace')}")
    else:
        got = json.loads(r.stdout)
        problems += [f"entry point {b}" for b in got["bad"]]
        canon = {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in got["dists"].items()}
        for d in plan["distributions"]:
            if d["action"] == "unrebuildable":
                continue
            v = canon.get(re.sub(r"[-_.]+", "-", d["name"]).lower())
            if v != d.get("new_version", d["version"]):
                problems.append(f"{d['name']}: {d['version']} in the old venv, {v} in the new one")
    trace = os.fsencode(os.path.basename(new))
    for root, dirs, files in os.walk(new):
        for name in files:
            p = os.path.join(root, name)
            if not name.endswith((".pyc", ".pyo")) and os.path.isfile(p) and not os.path.islink(p):
                data = read_bytes(p)
                if trace in data and b"\0" not in data:
                    problems.append(f"{p} still names the temporary directory")
    if problems:
        raise SystemExit("venvshim: the new venv failed verification; nothing changed:\n  " +
                         "\n  ".join(problems))
    progress(f"  verified: pip check ({out.strip() or 'ok'}), versions, entry points, scripts")
    return 0


def check_script(path, final, plan):
    try:
        head = read_bytes(path)[:4096]
    except (OSError, Refusal) as e:
        return [f"console script {path}: {e}"]
    if not os.access(path, os.X_OK):
        return [f"console script {path} is not executable"]
    first = head.split(b"\n")[0]
    if plan["options"]["relocatable"] or not head.startswith(b"#!"):
        return []  # a venvshim script launcher (relocate): finds the venv from its own place
    want = os.fsencode(os.path.join(final, "bin", ""))
    if want not in head.split(b"\n", 2)[0] + (head.split(b"\n")[1] if first == b"#!/bin/sh" else b""):
        return [f"console script {path}: {first.decode('utf-8', 'replace')} does not name "
                f"{final}/bin/python"]
    return []


def main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="venvshim upgrade (helper)")
    p.add_argument("phase", choices=["plan", "build", "finish"])
    p.add_argument("--venv", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--new")
    p.add_argument("--find-links", action="append", default=[])
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    args.venv = os.path.abspath(args.venv)
    return {"plan": cmd_plan, "build": cmd_build, "finish": cmd_finish}[args.phase](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
