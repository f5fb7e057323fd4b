"""venvshim's start-up hook, run from _venvshim.pth in the venv's site-packages.

Only a venv whose pyvenv.cfg has a relative `home` needs it: the launcher then
starts Python with PYTHONHOME set to the moved base prefix and with
__VENVSHIM_BASE_EXECUTABLE__ naming the real base binary. Both are removed
here, before any user code runs, so neither this process's os.environ nor any
child process sees them. The .pth line imports this module only when the
marker is present, so ordinary venvs pay nothing. Imports nothing beyond sys
and os.
"""
import os
import sys

MARKER = "__VENVSHIM_BASE_EXECUTABLE__"


def init():
    base = os.environ.pop(MARKER, None)
    if base is None:
        return
    # The launcher set PYTHONHOME only together with the marker.
    os.environ.pop("PYTHONHOME", None)
    sys._base_executable = base
    # site.py stored the relative home verbatim; make it the absolute one.
    home = getattr(sys, "_home", None)
    if home and not os.path.isabs(home):
        sys._home = os.path.dirname(base)
