"""2. Invocation: however the launcher is started (absolute, relative, bare name
on PATH, through a symlink from outside the venv, as a shebang interpreter),
from whatever directory name, under every name in bin/, the real interpreter
gets the venv; and nested venvs made from inside a venvshim venv work."""

import io
import os
import zipfile

import pytest

from conftest import (LOCATIONS, PROBE, bin_names, clean_env, create_plain_venv, is_utf8,
                      parse_probe, probe, relativize, run, semantic_diff, venvshim_install)

STYLES = ["absolute", "relative", "dotdot", "bare-name-on-PATH", "symlink-outside",
          "relative-symlink-outside", "shebang"]


def style_params():
    for location in LOCATIONS:
        for style in STYLES:
            # The kernel splits a shebang line at the first blank: a path with
            # spaces cannot be a shebang interpreter, with or without venvshim.
            if style == "shebang" and " " in LOCATIONS[location]:
                continue
            yield pytest.param(location, style, id=f"{location}-{style}")


def run_shebang_script(exe, scratch):
    """Run a script whose first line is #!<exe>; the probe's report.

    A .py file whose first line is not UTF-8 is a SyntaxError in every Python
    (a coding declaration on line 2 does not help), so with a non-UTF-8 <exe>
    the script is a zip application: #! line, then a zip with __main__.py."""
    shebang = b"#!" + os.fsencode(exe) + b"\n"
    script = scratch / "probe-script"
    if is_utf8(exe):
        script.write_bytes(shebang + PROBE.encode())
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("__main__.py", PROBE)
        script.write_bytes(shebang + buf.getvalue())
    script.chmod(0o755)
    report = parse_probe(run([script], cwd=scratch), script)
    assert report["argv0"] == os.fsencode(script)
    # sys.path[0] is the script's directory (or the zip itself), not '' as with -c
    assert report["path"][0] == os.fsencode(script if not is_utf8(exe) else scratch)
    report["path"] = [b""] + report["path"][1:]
    return report


def invoke(style, venv, name, scratch):
    """Run the probe through venv/bin/<name> in the given style; its report."""
    exe = venv / "bin" / name
    if style == "absolute":
        return probe([exe], cwd=scratch)
    if style == "relative":
        return probe([f"bin/{name}"], cwd=venv)
    if style == "dotdot":
        return probe([f"./bin/../bin/{name}"], cwd=venv)
    if style == "bare-name-on-PATH":
        path = os.fsdecode(venv / "bin") + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")
        return probe([name], cwd=scratch, env=clean_env(PATH=path))
    if style in ("symlink-outside", "relative-symlink-outside"):
        elsewhere = scratch / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        link = elsewhere / f"proj-{name}"
        target = exe if style == "symlink-outside" else os.path.relpath(exe, elsewhere)
        os.symlink(target, link)
        return probe([link], cwd=scratch)
    if style == "shebang":
        return run_shebang_script(exe, scratch)
    raise AssertionError(style)


@pytest.mark.parametrize("location,style", list(style_params()))
def test_invocation_gives_the_venv(venvs, interp, location, style, tmp_path):
    rec = venvs.converted(interp, location)
    for name in rec.names:
        scratch = tmp_path / name
        scratch.mkdir()
        report = invoke(style, rec.venv, name, scratch)
        diff = semantic_diff(report, rec.before[name])
        assert not diff, f"{style} bin/{name}: (symlink venv, venvshim venv) differ: {diff}"
        # argv[0] made absolute and normalised, symlinks from outside followed
        assert report["executable"] == os.fsencode(rec.venv / "bin" / name), (style, name)


def test_location_names_really_are_unusual():
    # guard: the parametrised locations test what they claim to
    assert b" " in os.fsencode(LOCATIONS["spaces"])
    assert any(c > 0x7F for c in os.fsencode(LOCATIONS["non-ascii"]))
    with pytest.raises(UnicodeDecodeError):
        os.fsencode(LOCATIONS["non-utf8"]).decode("utf-8")


# ------------------------------------------------------------------ nested

@pytest.fixture
def nested_pair(venvs, interp, tmp_path):
    """(venvshim nested venv, symlink nested venv): each made with
    `<outer>/bin/python -m venv --without-pip`, the first from a venvshim
    venv and then converted, the second from a plain symlink venv."""
    shim_outer = venvs.converted(interp).venv
    plain_outer = create_plain_venv(interp, tmp_path / "plain-outer")
    pair = []
    for outer, nested in ((shim_outer, tmp_path / "shim-nested"),
                          (plain_outer, tmp_path / "plain-nested")):
        r = run([outer / "bin" / "python", "-m", "venv", "--without-pip", nested], timeout=120)
        assert r.returncode == 0, f"{outer}/bin/python -m venv {nested}: {r.stderr!r}"
        pair.append(nested)
    venvshim_install(pair[0])
    return pair


def test_nested_venv_made_inside_a_venvshim_venv(nested_pair):
    shim, plain = nested_pair
    names = sorted(set(bin_names(shim)) & set(bin_names(plain)))
    assert "python" in names, names
    for name in names:
        expected = relativize(probe([plain / "bin" / name]), plain)
        actual = relativize(probe([shim / "bin" / name]), shim)
        assert expected["prefix"] == b"<VENV>", expected  # the oracle is a venv
        diff = semantic_diff(actual, expected)
        assert not diff, f"nested bin/{name}: (symlink nested, venvshim nested) differ: {diff}"
        assert actual["executable"] == b"<VENV>/bin/" + name.encode()
