"""Copies of the pH test programs (vigil-phtest, vigil-phsig) that are a
program of their own. pH keys profiles by ELF build-id (docs/ph.md,
"Profiles keyed by build-id"), and every monitor models every program on
the machine: two tests training plain copies of one build would share a
profile, and one test could find it already settled by the other's monitor.
unique_program gives each copy a random build-id; copies a test makes of
that copy (to test the sharing itself) still share it."""
import os
import re
import subprocess

from vigil_harness import copy_program


def build_id(path):
    """The GNU build-id as readelf (binutils) prints it."""
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True,
                         check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", out).group(1)


def set_build_id(path, new):
    """Writes the bytes `new` over path's build-id (same length)."""
    bid = bytes.fromhex(build_id(path))
    assert len(new) == len(bid), (len(new), len(bid))
    with open(path, "r+b") as f:
        data = f.read()
        f.seek(data.index(b"GNU\0" + bid) + 4)
        f.write(new)
    assert build_id(path) == new.hex(), path


def unique_program(src, dst):
    """copy_program (a fresh inode, declared deliberate) with a random
    build-id: another build of src, known to this test alone."""
    copy_program(src, dst)
    set_build_id(dst, os.urandom(len(bytes.fromhex(build_id(src)))))
    return dst
