"""Keep a relocatable venv relocatable: run at the exit of pip in the venv
(written by `venvshim relocate`; the launcher loads it only for pip, see
launcher/pip_hook.h: `python -m pip` runs as `python -m _venvshim_scripts`,
and the script launcher bin/pip calls at_exit()). Every new text script in
bin/ whose #! names this venv's python (pip's and installer's console
scripts) becomes a script launcher, the form `venvshim relocate` writes: a
copy of bin/python's launcher with a zip holding the script as __main__.py
(stored, whole: the launcher runs that text as the -c program).
A script launcher finds the venv from its own location, so it keeps working
after the venv moves.

Only files directly in the venv's bin/ are read or written, never through a
symbolic link; each is replaced by an atomic rename. Any error leaves the
file as it was: this runs after the installer finished and must never make
it fail.
"""
import os
import stat
import sys

MARKER = b"venvshim-launcher-marker "
NAMES = ("python", "pypy")


def _is_interpreter_name(name):
    for prefix in NAMES:
        if name.startswith(prefix):
            rest = name[len(prefix):].rstrip("tdm")
            return all(part.isdigit() for part in rest.split(".") if part) and ".." not in rest
    return False


def _interpreter(text):
    """(interpreter path, the script's text for __main__.py) of a #! script, or None.

    The text is the whole script with pip's /bin/sh exec lines emptied, as
    `venvshim relocate` writes it (script_main_text): lines keep their numbers.
    """
    first, _, rest = text.partition(b"\n")
    first = first.rstrip(b"\r")
    if first == b"#!/bin/sh":
        # pip's form for long paths: '''exec' "/venv/bin/python" "$0" "$@"
        second, _, after = rest.partition(b"\n")
        third, _, body = after.partition(b"\n")
        head = b"'''exec' \""
        if second.startswith(head) and second.endswith(b'" "$0" "$@"') and third.strip() == b"' '''":
            empty = b"\r" * second.endswith(b"\r") + b"\n" + b"\r" * third.endswith(b"\r") + b"\n"
            return second[len(head):-len(b'" "$0" "$@"')], b"#!/bin/sh\n" + empty + body
        return None
    if not first.startswith(b"#!") or b" " in first[2:].strip() or b"\t" in first:
        return None
    return first[2:].strip(), text


def _launcher(bin_fd):
    # install's one launcher file (bin/python* are symlinks to it); a venv
    # converted by an older venvshim has the launcher as bin/python itself
    try:
        fd = os.open(".venvshim-launcher", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=bin_fd)
    except FileNotFoundError:
        fd = os.open("python", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=bin_fd)
    try:
        data = b""
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    # a plain launcher (bin/python never carries a script)
    return data if MARKER in data and b"PK\x05\x06" not in data[-22:] else None


def _convert_one(bin_fd, bin_dir, name, launcher, bin_st):
    st = os.stat(name, dir_fd=bin_fd, follow_symlinks=False)
    if not stat.S_ISREG(st.st_mode) or st.st_size > (1 << 20):
        return
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=bin_fd)
    try:
        text = os.read(fd, st.st_size + 1)
    finally:
        os.close(fd)
    if not text.startswith(b"#!") or len(text) > st.st_size:
        return
    found = _interpreter(text)
    if not found:
        return
    interp, main_text = found
    interp = os.fsdecode(interp)
    if not os.path.isabs(interp) or not _is_interpreter_name(os.path.basename(interp)):
        return
    try:
        d = os.stat(os.path.dirname(interp))
    except OSError:
        return
    if (d.st_dev, d.st_ino) != (bin_st.st_dev, bin_st.st_ino):
        return  # another venv's or the system's script: not ours to change
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        info = zipfile.ZipInfo("__main__.py", (1980, 1, 1, 0, 0, 0))
        info.comment = b"venvshim:script-text"  # PAYLOAD_TEXT_MARK: the launcher may run it as -c
        z.writestr(info, main_text)
    tmp = ".%s.venvshim-%d" % (name, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=bin_fd)
    try:
        try:
            os.write(fd, launcher + buf.getvalue())
            os.fchmod(fd, st.st_mode & 0o777)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=bin_fd, dst_dir_fd=bin_fd)
    except BaseException:
        os.unlink(tmp, dir_fd=bin_fd)
        raise


def convert(bin_dir):
    try:
        bin_fd = os.open(bin_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except (OSError, AttributeError):
        return
    try:
        launcher = _launcher(bin_fd)
        if launcher is None:
            return
        bin_st = os.fstat(bin_fd)
        for name in sorted(os.listdir(bin_fd)):
            if name.startswith((".", "activate", "Activate")) or _is_interpreter_name(name):
                continue
            try:
                _convert_one(bin_fd, bin_dir, name, launcher, bin_st)
            except Exception:
                pass  # left as the installer wrote it: `venvshim relocate` reports why
    except Exception:
        pass
    finally:
        os.close(bin_fd)


def _at_exit(bin_dir):
    if "pip" in sys.modules:
        convert(bin_dir)


def at_exit():
    """Convert the scripts pip wrote when this process exits."""
    import atexit

    atexit.register(_at_exit, sys.prefix + "/bin")


if __name__ == "__main__":
    # `python -m pip ARGS`, as the launcher runs it: the hook, then pip run as
    # -m runs a module (Modules/main.c pymain_run_module)
    import runpy

    __import__("_venvshim_scripts").at_exit()
    runpy._run_module_as_main("pip")
