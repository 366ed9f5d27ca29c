"""The source layout stays layered (docs/architecture.md): no include or
call cycle between files or folders under src/, no source file over 700
lines.  Runs scripts/check_layers.py on the objects of this build."""
import os
import subprocess

from vigil_harness import BUILD

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def check(kind):
    r = subprocess.run(["python3", "scripts/check_layers.py", "--build", os.path.abspath(BUILD),
                        "--only", kind], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_include_cycles():
    check("include")


def test_no_call_cycles():
    check("call")


def test_no_long_source_files():
    check("length")
