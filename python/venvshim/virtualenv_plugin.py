"""The virtualenv creator `venvshim` (entry point group virtualenv.create).

    virtualenv --creator venvshim DIR
    VIRTUALENV_CREATOR=venvshim virtualenv DIR      (tox, nox, hatch, ...)

It is virtualenv's `venv` creator (the base interpreter's own venv module, as
`venvshim create` uses), followed by `venvshim install DIR`, which makes
bin/python* the native launcher and writes the site-init hook. Seeding (pip,
setuptools, wheel) and activation scripts then run as usual, through the
launcher.

It deliberately does not subclass one of virtualenv's builtin creators
(CPython3Posix, ...): virtualenv makes the first builtin subclass it meets
among the installed plugins its default `builtin` creator, so installing
venvshim would silently change what a plain `virtualenv DIR` creates.
"""

import logging
import subprocess

from virtualenv.create.via_global_ref.venv import Venv

from . import CLINotFound, run_cli


class VenvshimCreator(Venv):
    @classmethod
    def can_create(cls, interpreter):
        if interpreter.platform == "win32":  # this wheel's launcher is POSIX-only
            return None
        return super().can_create(interpreter)

    def run(self):
        super().run()  # the venv, virtualenv's pyvenv.cfg keys, the VCS ignore file
        # virtualenv keeps pyvenv.cfg in memory and writes it at the end of its
        # session: write it now so `install` sees (and keeps) virtualenv's keys,
        # and read back the keys `install` adds (executable) before that last write.
        self.pyenv_cfg.write()
        try:
            r = run_cli(["install", str(self.dest)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        universal_newlines=True)
        except CLINotFound as e:
            raise RuntimeError(str(e)) from None
        if r.stdout.strip():
            logging.debug("venvshim install: %s", r.stdout.strip())
        if r.returncode != 0:
            raise RuntimeError("venvshim install {} failed (exit status {}):\n{}".format(
                self.dest, r.returncode, r.stderr.strip()))
        self.pyenv_cfg.refresh()
