#!/usr/bin/env python3
"""Retag a venvshim wheel for a package index: WHEEL OUTDIR -> OUTDIR/<new name>.

meson-python tags the wheel linux_<arch> (the build machine's platform), which
an index refuses. The wheel's native files are the CLI and the launcher; when
every ELF file in it is statically linked (no PT_INTERP, no PT_DYNAMIC: no
shared library, so no glibc or musl symbol versions to satisfy) and built for
the architecture in the name, the wheel runs on any Linux whose kernel runs
the binaries, and is tagged
    manylinux_2_17_<arch>.manylinux2014_<arch>.musllinux_1_1_<arch>
(manylinux2014 is the same policy under the name pip 19.3-20.2 know). Any
other ELF file is refused: this script never tags what it has not checked.
The zip entries keep their order and times (SOURCE_DATE_EPOCH, see
.ci/release-build); modes are normalised, so the umask does not show.
"""

import base64
import hashlib
import re
import struct
import sys
import zipfile
from pathlib import Path

MACHINES = {62: "x86_64", 183: "aarch64"}  # e_machine -> wheel arch
PT_DYNAMIC, PT_INTERP = 2, 3


def elf_facts(data):
    """(arch, dynamic) of a 64-bit little-endian ELF image; dynamic when it
    has a program interpreter or a dynamic section."""
    if data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    machine, = struct.unpack_from("<H", data, 0x12)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    types = {struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)}
    return MACHINES.get(machine, "e_machine {}".format(machine)), bool(types & {PT_DYNAMIC, PT_INTERP})


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "sha256=" + digest


def normalized(info):
    """The entry with what the build machine leaks into it removed: the
    file mode is 0644 or 0755 whatever the umask was; compressed (meson-python
    0.12 stores)."""
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    executable = (info.external_attr >> 16) & 0o111
    out.external_attr = (0o100755 if executable else 0o100644) << 16
    out.compress_type = zipfile.ZIP_DEFLATED
    return out


def retag(wheel, outdir):
    wheel = Path(wheel)
    m = re.fullmatch(r"([^-]+)-([^-]+)-py3-none-linux_(x86_64|aarch64)\.whl", wheel.name)
    if not m:
        sys.exit("wheel_tags: {}: expected <name>-<version>-py3-none-linux_<arch>.whl".format(wheel.name))
    name, version, arch = m.groups()
    tags = ["manylinux_2_17_" + arch, "manylinux2014_" + arch, "musllinux_1_1_" + arch]
    with zipfile.ZipFile(wheel) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    elves = 0
    for info, data in entries:
        if data[:4] != b"\x7fELF":
            continue
        elves += 1
        got, dynamic = elf_facts(data)
        if got != arch or dynamic:
            sys.exit("wheel_tags: {}: {} {} ELF file: only static {} files can be tagged {}".format(
                wheel.name, info.filename, "a dynamic" if dynamic else "an " + got, arch, tags[0]))
    if elves == 0:
        sys.exit("wheel_tags: {}: no ELF file in the wheel".format(wheel.name))
    distinfo = "{}-{}.dist-info/".format(name, version)
    new = {}
    wheel_text = next(d for i, d in entries if i.filename == distinfo + "WHEEL").decode()
    lines = [line for line in wheel_text.splitlines() if not line.startswith("Tag:")]
    lines += ["Tag: py3-none-" + t for t in tags]
    new[distinfo + "WHEEL"] = ("\n".join(lines) + "\n").encode()
    record = []
    for line in next(d for i, d in entries if i.filename == distinfo + "RECORD").decode().splitlines():
        path = line.rsplit(",", 2)[0]
        if path in new:
            line = "{},{},{}".format(path, record_hash(new[path]), len(new[path]))
        record.append(line)
    new[distinfo + "RECORD"] = ("\n".join(record) + "\n").encode()
    out = Path(outdir) / "{}-{}-py3-none-{}.whl".format(name, version, ".".join(tags))
    with zipfile.ZipFile(out, "w") as z:
        for info, data in entries:
            z.writestr(normalized(info), new.get(info.filename, data))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: wheel_tags.py WHEEL OUTDIR")
    print(retag(sys.argv[1], sys.argv[2]))
