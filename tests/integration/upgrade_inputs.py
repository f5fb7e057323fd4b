"""The inputs of the `venvshim upgrade` tests, built offline in the test: small
local projects (console and GUI scripts, package data, a .pth file, a
namespace package, a dependency, a C extension, an editable project), their
wheels built with `pip wheel --no-index --no-build-isolation` by each
interpreter that needs them. setuptools and wheel come from CPython 3.12's
own test wheels (lib/python3.12/test/), which build on 3.11, 3.12 and 3.13."""

import os
import shutil
import subprocess
import textwrap
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


def build_env(python, dest):
    """A venv of python with setuptools and wheel from the test wheels."""
    run_ok([python, "-m", "venv", dest])
    run_ok([dest / "bin" / "python", "-m", "pip", "install", "--no-index", "-q",
            *build_tools()])
    return dest / "bin" / "python"


def build_wheels(python, projects, srcroot, out):
    out.mkdir(parents=True, exist_ok=True)
    for proj in projects:
        # a copy: setuptools writes build/ and *.egg-info into the project
        work = out.parent / f"src-{out.name}-{proj}"
        shutil.copytree(srcroot / proj, work)
        run_ok([python, "-m", "pip", "wheel", "--no-index", "--no-build-isolation", "--no-deps",
                "-q", "-w", out, work])
        shutil.rmtree(work)
    return out


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
