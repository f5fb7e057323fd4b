"""The CLI's surface, all read from one command table: --help lists every
command and option, `venvshim help X` and `venvshim X --help` show X's help,
every usage error has one form and exit status 2, and the man page and the
bash, zsh and fish completions generated from the table work with the real
tools (man, bash, zsh, fish)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import CLI, SYSTEM_PYTHON, clean_env, describe, run

# What the CLI offers (README, "Using it"): the specification these tests
# hold the table to, written out here rather than read from the binary.
COMMANDS = {
    "create": ["--python", "--system-site-packages", "--without-pip", "--prompt", "--clear",
               "--upgrade-deps", "--relocatable", "--without-scm-ignore-files", "--quiet", "--json",
               "--trust-others"],
    "install": ["--force", "--quiet", "--json", "--trust-others"],
    "check": ["--json", "--fix", "--quiet"],
    "relocate": ["--quiet", "--json", "--trust-others"],
    "rebase": ["--python", "--dry-run", "--json", "--quiet", "--trust-others"],
    "upgrade": ["--python", "--find-links", "--dry-run", "--json", "--keep-old", "--no-keep-old",
                "--allow-missing", "--quiet", "--trust-others"],
    "help": [],
    "version": [],
}


def text(r):
    return r.stdout.decode()


def test_help_lists_every_command_and_option():
    r = run([CLI, "--help"])
    assert r.returncode == 0 and r.stderr == b"", describe(r)
    out = text(r)
    assert out.startswith("usage: venvshim"), out
    listed = re.findall(r"^  ([a-z]+)\b", out.split("\ncommands:\n")[1].split("\n\n")[0], re.M)
    assert listed == list(COMMANDS), listed
    for name, options in COMMANDS.items():
        for option in options:
            assert option in out, (name, option)
    assert "install [--force] [--quiet] [--json] [--trust-others] DIR" in out
    assert "check [--json] [--fix] [--quiet] DIR" in out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_has_its_help_four_ways(name):
    outputs = []
    for argv in (["help", name], [name, "--help"], [name, "-h"], ["--help", name]):
        r = run([CLI, *argv])
        assert r.returncode == 0 and r.stderr == b"", (argv, describe(r))
        outputs.append(r.stdout)
    assert len(set(outputs)) == 1, outputs
    out = outputs[0].decode()
    assert out.startswith(f"usage: venvshim {name}"), out
    options = out.split("\noptions:\n")[1]
    for option in COMMANDS[name] + ["--help"]:
        assert re.search(rf"^  (-h, )?{option}\b", options, re.M), (name, option, out)


def test_help_wins_over_other_arguments():
    r = run([CLI, "install", "--bogus", "a", "b", "--help"])
    assert r.returncode == 0 and text(r).startswith("usage: venvshim install"), describe(r)


def usage_line(cmd):
    if cmd:
        return re.compile(rf"venvshim: {cmd}: [^\n]+; try 'venvshim {cmd} --help'\n")
    return re.compile(r"venvshim: [^\n]+; try 'venvshim --help'\n")


USAGE_ERRORS = [
    (None, []), (None, ["bogus"]), (None, ["--bogus"]), (None, ["-x"]),
    (None, ["--completions"]), (None, ["--completions", "tcsh"]),
    (None, ["--help-man", "extra"]),
    ("install", []), ("install", ["a", "b"]), ("install", ["--bogus", "d"]),
    ("install", ["--force=yes", "d"]), ("install", ["-f", "d"]),
    ("create", []), ("create", ["d", "--bogus-option"]), ("create", ["d", "--python"]),
    ("create", ["--prompt=", "d"]), ("create", ["d", "e"]),
    ("check", []), ("check", ["a", "b"]), ("check", ["--bogus", "x"]), ("check", ["--json"]),
    ("relocate", []), ("relocate", ["-q", "d"]), ("relocate", ["a", "b"]),
    ("help", ["bogus"]), ("help", ["create", "install"]), ("version", ["x"]),
]


@pytest.mark.parametrize("cmd,args", USAGE_ERRORS,
                         ids=[" ".join([c or ""] + a) or "nothing" for c, a in USAGE_ERRORS])
def test_usage_errors_have_one_form_and_exit_2(cmd, args, tmp_path):
    r = run([CLI] + ([cmd] if cmd else []) + args, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == b"", describe(r)
    assert usage_line(cmd).fullmatch(r.stderr.decode()), describe(r)
    assert os.listdir(tmp_path) == [], "a usage error did something"


def test_double_dash_ends_the_options(tmp_path):
    r = run([CLI, "install", "--", "-d"], cwd=tmp_path)
    # not a usage error: install looked for the venv "-d" and found none
    assert r.returncode == 1 and b"-d" in r.stderr, describe(r)
    assert r.stderr.startswith(b"venvshim: ") and b"--help" not in r.stderr, describe(r)


def test_create_passes_the_table_options_on_to_venv(tmp_path):
    venv = tmp_path / "v"
    r = run([CLI, "create", f"--python={SYSTEM_PYTHON}", "--prompt=tbl", "--without-pip",
             "--without-scm-ignore-files", venv], timeout=120)
    assert r.returncode == 0, describe(r)
    cfg = (venv / "pyvenv.cfg").read_text()
    assert re.search(r"^prompt = '?tbl'?$", cfg, re.M), cfg
    assert not (venv / ".gitignore").exists()
    assert not list((venv / "bin").glob("pip*"))


def generated(*args):
    r = run([CLI, *args])
    assert r.returncode == 0 and r.stderr == b"", describe(r)
    return r.stdout


def need(tool):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed")


def test_man_page_renders_without_warnings(tmp_path):
    need("man")
    page = tmp_path / "venvshim.1"
    page.write_bytes(generated("--help-man"))
    env = dict(clean_env(), MANWIDTH="80", MANPAGER="cat", PAGER="cat")
    r = subprocess.run(["man", "--warnings", "-l", str(page)], env=env, capture_output=True)
    assert r.returncode == 0 and r.stderr == b"", describe(r)
    out = re.sub(r".\x08", "", r.stdout.decode())
    for name, options in COMMANDS.items():
        assert re.search(rf"^   {name}$", out, re.M), (name, out)
        for option in options:
            assert option in out, option
    assert "EXIT STATUS" in out


def bash_complete(script, words, cwd):
    line = ("source /dev/stdin; COMP_WORDS=(" + " ".join(f"'{w}'" for w in words) +
            f"); COMP_CWORD={len(words) - 1}; _venvshim; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = subprocess.run(["bash", "--norc", "-c", line], input=script, cwd=cwd,
                       capture_output=True, timeout=30)
    assert r.returncode == 0 and r.stderr == b"", describe(r)
    return sorted(r.stdout.decode().split())


def test_bash_completion(tmp_path):
    need("bash")
    script = generated("--completions", "bash")
    (tmp_path / "dd").mkdir()
    (tmp_path / "df").write_text("")
    assert bash_complete(script, ["venvshim", "c"], tmp_path) == ["check", "create"]
    assert bash_complete(script, ["venvshim", ""], tmp_path) == sorted(
        list(COMMANDS) + ["--help", "--version", "--completions"])
    assert bash_complete(script, ["venvshim", "create", "--w"], tmp_path) == [
        "--without-pip", "--without-scm-ignore-files"]
    assert bash_complete(script, ["venvshim", "check", "-"], tmp_path) == [
        "--fix", "--help", "--json", "--quiet"]
    assert bash_complete(script, ["venvshim", "help", "r"], tmp_path) == ["relocate", "rebase"] or \
        bash_complete(script, ["venvshim", "help", "r"], tmp_path) == ["rebase", "relocate"]
    assert bash_complete(script, ["venvshim", "--completions", "f"], tmp_path) == ["fish"]
    assert bash_complete(script, ["venvshim", "install", "d"], tmp_path) == ["dd"]
    # the override of the ownership rule (SECURITY.md) is offered where it applies
    for name in ("install", "relocate", "rebase", "upgrade", "create"):
        assert bash_complete(script, ["venvshim", name, "--tr"], tmp_path) == ["--trust-others"]
    assert bash_complete(script, ["venvshim", "create", "--python", "d"], tmp_path) == [
        "dd", "df"]


def test_zsh_completion_parses():
    need("zsh")
    script = generated("--completions", "zsh")
    assert script.startswith(b"#compdef venvshim\n")
    r = subprocess.run(["zsh", "-n"], input=script, capture_output=True, timeout=30)
    assert r.returncode == 0 and r.stderr == b"", describe(r)
    for name in COMMANDS:
        assert f"'{name}:".encode() in script, name
    assert script.count(b"'--trust-others[") == sum("--trust-others" in o for o in COMMANDS.values())


def test_fish_completion(tmp_path):
    need("fish")
    script = tmp_path / "venvshim.fish"
    script.write_bytes(generated("--completions", "fish"))
    r = subprocess.run(["fish", "-n", str(script)], capture_output=True, timeout=30)
    assert r.returncode == 0 and r.stderr == b"", describe(r)
    (tmp_path / "dd").mkdir()

    def complete(line):
        r = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
                           cwd=tmp_path, capture_output=True, timeout=30)
        assert r.returncode == 0, describe(r)
        return sorted(l.split("\t")[0] for l in r.stdout.decode().splitlines())

    assert complete("venvshim c") == ["check", "create"]
    assert complete("venvshim check --") == ["--fix", "--help", "--json", "--quiet"]
    assert complete("venvshim install d") == ["dd/"]
    assert complete("venvshim rebase --tru") == ["--trust-others"]
