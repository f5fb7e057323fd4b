"""The inputs of the `venvshim upgrade` tests, built offline in the test: small
local projects (console and GUI scripts, package data, a .pth file, a
namespace package, a dependency, a C extension, an editable project), their
wheels and an sdist built by each interpreter that needs them, with no build
isolation: setuptools' PEP 517 backend called directly (what `pip wheel
--no-index --no-build-isolation` calls, without pip's start-up). setuptools and
wheel come from CPython 3.12's own test wheels (lib/python3.12/test/), which
build on 3.9 and 3.11 to 3.13."""

import glob
import os
import shutil
import subprocess
import textwrap
import threading
import zipfile
from pathlib import Path

from conftest import PYENV_VERSIONS, clean_env

TEST_WHEELS = PYENV_VERSIONS / "3.12.1" / "lib" / "python3.12" / "test"

PROJECTS = {
    # pure: console + GUI script, package data, a .pth file at the top of site-packages
    "alpha": {
        "pyproject.toml": """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "vs-alpha"
            version = "1.2.0"
            [project.scripts]
            alpha-hello = "alpha:hello"
            [project.gui-scripts]
            alpha-gui = "alpha:hello"
            [tool.setuptools]
            packages = ["alpha"]
            [tool.setuptools.package-data]
            alpha = ["data.txt"]
        """,
        "setup.py": """
            import os
            from setuptools import setup
            from setuptools.command.build_py import build_py

            class WithPth(build_py):
                def run(self):
                    super().run()
                    self.copy_file("vs_alpha.pth", os.path.join(self.build_lib, "vs_alpha.pth"))

            setup(cmdclass={"build_py": WithPth})
        """,
        "vs_alpha.pth": "import os; os.environ.setdefault('VS_ALPHA_PTH', 'ran')\n",
        "alpha/__init__.py": """
            import importlib.resources
            def data():
                return importlib.resources.files("alpha").joinpath("data.txt").read_text().strip()
            def hello():
                print("alpha says", data())
        """,
        "alpha/data.txt": "alpha-data\n",
    },
    # pure: a namespace package (nsp.beta, no nsp/__init__.py) that needs alpha
    "beta": {
        "pyproject.toml": """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "vs-beta"
            version = "0.3"
            dependencies = ["vs-alpha>=1.0"]
            [project.scripts]
            beta-run = "nsp.beta:main"
            [tool.setuptools.packages.find]
            include = ["nsp*"]
            namespaces = true
        """,
        "nsp/beta/__init__.py": """
            import alpha
            def main():
                print("beta with", alpha.data())
        """,
    },
    # compiled: one C extension module
    "cext": {
        "pyproject.toml": """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "vs-cext"
            version = "2.0"
            [project.scripts]
            cext-answer = "vs_cext:main"
        """,
        "setup.py": """
            from setuptools import Extension, setup
            setup(ext_modules=[Extension("vs_cext", ["vs_cext.c"])])
        """,
        "vs_cext.c": """
            #define PY_SSIZE_T_CLEAN
            #include <Python.h>
            static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
            static PyObject *main_(PyObject *self, PyObject *args) {
                printf("cext 42\\n");
                Py_RETURN_NONE;
            }
            static PyMethodDef methods[] = {
                {"answer", answer, METH_NOARGS, NULL}, {"main", main_, METH_NOARGS, NULL},
                {NULL, NULL, 0, NULL}};
            static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "vs_cext", NULL, -1, methods};
            PyMODINIT_FUNC PyInit_vs_cext(void) { return PyModule_Create(&mod); }
        """,
    },
    # installed editable (PEP 660)
    "edit": {
        "pyproject.toml": """
            [build-system]
            requires = ["setuptools>=64"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "vs-edit"
            version = "0.1.dev0"
            [project.scripts]
            edit-me = "vs_edit:main"
            [tool.setuptools]
            py-modules = ["vs_edit"]
        """,
        "vs_edit.py": """
            def main():
                print("edit here")
        """,
    },
}

# What the tests run: module imports and console scripts with their output.
IMPORTS = ["alpha", "nsp.beta", "vs_cext", "vs_edit"]
SCRIPTS = {"alpha-hello": "alpha says alpha-data", "alpha-gui": "alpha says alpha-data",
           "beta-run": "beta with alpha-data",
           "cext-answer": "cext 42", "edit-me": "edit here"}


def write_projects(root):
    for proj, files in PROJECTS.items():
        for rel, text in files.items():
            p = root / proj / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(text).lstrip())
    return root


def run_ok(argv, **kw):
    r = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=kw.pop("env", clean_env()), timeout=kw.pop("timeout", 300), **kw)
    assert r.returncode == 0, f"{argv}: {r.stdout.decode(errors='replace')[-3000:]}"
    return r.stdout.decode(errors="replace")


def build_tools():
    found = sorted(TEST_WHEELS.glob("setuptools-*.whl")) + sorted(TEST_WHEELS.glob("wheel-*.whl"))
    return found if len(found) == 2 else None


def unpack(wheel, dest, only=None):
    """A wheel's files under dest (only: the top-level names to take)."""
    with zipfile.ZipFile(wheel) as z:
        z.extractall(dest, [n for n in z.namelist() if only is None or n.split("/")[0] in only])
    return dest


# setuptools' backend, run by the interpreter the wheel is for, with setuptools
# and wheel on sys.path and nothing of the interpreter's own site-packages (-S)
BACKEND = """
import os, sys
sys.path.insert(0, sys.argv[1])
from setuptools import build_meta
print(getattr(build_meta, sys.argv[2])(sys.argv[3]))
"""


def build(python, tools, project, out, kind="wheel"):
    """A wheel (or sdist) of project built by python into out, from a copy
    (setuptools writes build/ and *.egg-info into the project)."""
    out.mkdir(parents=True, exist_ok=True)
    work = out.parent / f"src-{out.name}-{project.name}-{kind}"
    shutil.copytree(project, work)
    run_ok([python, "-I", "-S", "-c", BACKEND, tools, f"build_{kind}", out], cwd=work)
    shutil.rmtree(work)
    return out


def bundled_wheels(python):
    """The directory of the wheels python's ensurepip installs (pip, and
    setuptools before 3.12): its own, or Debian's /usr/share/python-wheels."""
    own = glob.glob(str(Path(python).parents[1] / "lib" / "python3.*" / "ensurepip" / "_bundled"))
    return Path(own[0]) if own and glob.glob(f"{own[0]}/pip-*.whl") else \
        Path("/usr/share/python-wheels")


def offline_env(**extra):
    """clean_env() without the caller's pip settings (PIP_FIND_LINKS,
    PIP_INDEX_URL, ...) and pip configuration files: offline and the same on
    every machine."""
    env = {k: v for k, v in clean_env().items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


_unpacking = threading.Lock()


def pip_runner(python, cache):
    """The pip of python's bundled wheel, unpacked once into cache (run as
    `PY -I DIR/pip`; its byte code is written there once per Python)."""
    wheel = sorted(bundled_wheels(python).glob("pip-*.whl"))[-1]
    dest = cache / wheel.stem
    with _unpacking:
        if not dest.exists():
            unpack(wheel, cache / f"{wheel.stem}.tmp", only={"pip"}).rename(dest)
    return dest / "pip"


def install_with(venv, pip, args):
    """pip (pip_runner's) installs args into venv: offline, not byte-compiled
    (the upgrade never carries byte code over), into the venv even when the
    base's site-packages (--system-site-packages) hold the same version, as
    ensurepip's pip would."""
    return run_ok([venv / "bin" / "python", "-I", pip, "install", "--no-index", "--no-compile",
                   "--ignore-installed", "-q", *args], env=offline_env())


def copy_python(src_prefix, dest, version):
    """A pyenv Python copied so that it can be removed: bin/pythonX.Y and its
    standard library (no test suite, no bytecode). The binary's RUNPATH still
    names the original lib/ for libpython, which stays; what the test removes is
    the copy the venv's pyvenv.cfg names (home, executable, the stdlib)."""
    lib = f"python{version}"
    (dest / "bin").mkdir(parents=True)
    shutil.copy2(src_prefix / "bin" / lib, dest / "bin" / lib)
    os.symlink(lib, dest / "bin" / "python3")
    shutil.copytree(src_prefix / "lib" / lib, dest / "lib" / lib, symlinks=True,
                    ignore=shutil.ignore_patterns("test", "__pycache__", "idlelib", "tkinter",
                                                  "turtledemo"))
    (dest / "include").symlink_to(src_prefix / "include")
    return dest / "bin" / lib


def ensurepip_requirements(python):
    """pip (and setuptools) at the versions python's ensurepip installs."""
    return [f"{w.name.split('-')[0]}=={w.name.split('-')[1]}"
            for w in sorted(bundled_wheels(python).glob("*.whl"))
            if w.name.split("-")[0] in ("pip", "setuptools")]
