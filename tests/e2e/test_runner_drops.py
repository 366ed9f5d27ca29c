"""The e2e runner (tests/run.py): when a test fails and a monitor it
watched reported drops (or shed records) at exit, the failure message says
"N drops" ("N records shed"), so a failure under heavy load (the event never
reached the rules) is told apart from a missed detection. A real monitor with
a ring too small for a burst of opens sheds or drops events; a test that
fails after it gets the note, one that fails without drops does not."""
import importlib.util
import io
import os
import shutil
import subprocess
import tempfile
from contextlib import redirect_stdout

import vigil_harness
from vigil_harness import TRIGGER, Monitor

RUN_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "run.py")


def _runner():
    spec = importlib.util.spec_from_file_location("vigil_test_runner", RUN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _failure_text(run, fn, first_monitor):
    tally = run.Tally()
    out = io.StringIO()
    with redirect_stdout(out):
        run.run_one(tally, "e2e/fake.test_missed", fn, first_monitor)
    assert tally.failed == 1, out.getvalue()
    return out.getvalue()


def _missed():
    raise AssertionError("VG-999 variant: no alert")


def test_a_failure_names_the_drops_of_its_monitor():
    run = _runner()
    d = tempfile.mkdtemp(prefix="vigil-rundrops-")
    target = os.path.join(d, "f")
    open(target, "w").close()
    try:
        # without drops: the failure is the test's own message, no note
        first = len(vigil_harness.monitors)
        with Monitor("--no-rules", events=False):
            pass
        text = _failure_text(run, _missed, first)
        assert "no alert" in text and "heavy load" not in text, text

        # a ring of one page, read once a second, and a burst of opens
        first = len(vigil_harness.monitors)
        with Monitor("--no-rules", "--ring-size", "4096", "--poll-ms", "1000",
                     "--coalesce-ms", "0") as mon:
            p = subprocess.run([TRIGGER, "opens", target, "20000"], capture_output=True,
                               text=True, timeout=600, stdin=subprocess.DEVNULL)
            assert p.returncode == 0, p.stderr
        # the kernel sheds opens past half the ring (bpf/vg_shed.h); what
        # it could not shed in time is dropped: both are named
        drops, shed = mon.exit_stats["drops"], mon.exit_stats["shed"]
        assert drops + shed > 0, mon.exit_stats
        text = _failure_text(run, _missed, first)
        assert "no alert" in text and "heavy load" in text, text
        if drops:
            assert f"{drops} drops in the monitor" in text, text
        if shed:
            assert f"{shed} records shed in the monitor" in text, text
        assert "open=" in text, text  # by type
        return f"[{drops} drops and {shed} shed records named]"
    finally:
        shutil.rmtree(d, ignore_errors=True)
