"""venvshim: a native bin/python launcher for virtual environments.

The work is done by the native `venvshim` command the wheel installs as a
script, and by the launcher it installs as <prefix>/libexec/venvshim/
venvshim-launcher (the layout of `meson install`, where the command looks for
it). This package only finds the two files, for `python -m venvshim` and for
the virtualenv creator (venvshim.virtualenv_plugin). It runs on Python 3.6+.
"""

import csv
import os
import subprocess
import sys

__all__ = ["cli_path", "launcher_path", "cli_env", "run_cli", "CLINotFound"]

_CLI_NAME = "venvshim"
_LAUNCHER_NAME = "venvshim-launcher"


class CLINotFound(RuntimeError):
    """The files of this installation could not be found."""


def _package_dir():
    return os.path.dirname(os.path.abspath(__file__))


def _files_from_metadata():
    """Absolute paths of this distribution's files, from importlib.metadata."""
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8
        return None
    me = os.path.join(_package_dir(), "__init__.py")
    first = None
    for dist in metadata.distributions(name="venvshim"):
        paths = [os.path.normpath(str(dist.locate_file(f))) for f in (dist.files or [])]
        if first is None:
            first = paths
        # Prefer the installation this very module belongs to.
        if any(os.path.exists(p) and os.path.samefile(p, me) for p in paths if p.endswith("__init__.py")):
            return paths
    return first


def _files_from_record():
    """The same from the RECORD next to this package (no importlib.metadata)."""
    site = os.path.dirname(_package_dir())
    for name in sorted(os.listdir(site)):
        if name.startswith("venvshim-") and name.endswith(".dist-info"):
            record = os.path.join(site, name, "RECORD")
            if os.path.isfile(record):
                with open(record, newline="") as f:
                    return [os.path.normpath(os.path.join(site, row[0])) for row in csv.reader(f) if row]
    return None


def _installed_files():
    files = _files_from_metadata()
    if not files:
        files = _files_from_record()
    if not files:
        raise CLINotFound("venvshim: no installation record (RECORD) found for the venvshim package "
                          "in {}; reinstall it with pip".format(os.path.dirname(_package_dir())))
    return files


def _find(relative):
    """The installed file whose recorded path ends in relative (a/b/c)."""
    suffix = os.sep + os.path.join(*relative.split("/"))
    for path in _installed_files():
        if not path.endswith(suffix):
            continue
        if os.path.isfile(path):
            return path
        # pip install --target moves the files into the target directory after
        # writing RECORD, which then points outside it: look in the target.
        moved = os.path.join(os.path.dirname(_package_dir()), suffix.lstrip(os.sep))
        if os.path.isfile(moved):
            return moved
        raise CLINotFound("venvshim: {} is recorded as installed but missing; reinstall "
                          "venvshim with pip".format(path))
    raise CLINotFound("venvshim: this installation of the venvshim package has no {}; "
                      "reinstall it from a venvshim wheel".format(relative))


def cli_path():
    """The venvshim command installed with this package."""
    return _find("bin/" + _CLI_NAME)


def launcher_path():
    """The launcher installed with this package."""
    return _find("libexec/venvshim/" + _LAUNCHER_NAME)


def cli_env(env=None):
    """The environment to run cli_path() in.

    The command finds its launcher in ../libexec/venvshim/ itself. Only when
    an install scheme separated the two (scripts and data not under one
    prefix) is VENVSHIM_LAUNCHER set, unless the caller already set it.
    """
    env = dict(os.environ if env is None else env)
    if env.get("VENVSHIM_LAUNCHER"):
        return env
    cli = os.path.realpath(cli_path())
    beside = os.path.join(os.path.dirname(os.path.dirname(cli)), "libexec", "venvshim", _LAUNCHER_NAME)
    launcher = launcher_path()
    if not (os.path.exists(beside) and os.path.samefile(beside, launcher)):
        env["VENVSHIM_LAUNCHER"] = launcher
    return env


def run_cli(args, **kwargs):
    """subprocess.run([venvshim, *args]) with cli_env()."""
    kwargs["env"] = cli_env(kwargs.get("env"))
    return subprocess.run([cli_path()] + [os.fspath(a) for a in args], **kwargs)
