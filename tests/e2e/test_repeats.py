"""Repeated alerts folded (alerts.repeat_window): the same program run five
times from an o+w directory raises "Execution from a world-writable
directory" five times with outputs that differ only in the pid. The first is
sent at once, the other four are counted, and one summary with
vigil.repeats = 4 follows when the window ends; `vigil status` counts them.
With the window 0 every alert is sent.

Safety: the program is a copy of /bin/true in a directory this test makes
and removes; the monitors are ours and stopped by their pid."""
import json
import os
import shutil
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor, deliberate

RULE = "Execution from a world-writable directory"


def _runs(prog, n):
    for _ in range(n):
        assert subprocess.run([prog], stdin=subprocess.DEVNULL).returncode == 0


def _setup():
    d = tempfile.mkdtemp(prefix="vigil-repeats-")
    os.chmod(d, 0o777)  # world-writable: the rule's subject
    prog = os.path.join(d, "again")
    shutil.copy("/bin/true", prog)
    return d, prog


def _mine(mon, prog):
    return [a for a in mon.events() if a["rule"] == RULE and prog in json.dumps(a["output_fields"])]


def test_identical_alerts_are_folded_then_summarised():
    d, prog = _setup()
    try:
        with Monitor("--set", "alerts.repeat_window=3", events=False) as mon:
            t0 = time.time()
            _runs(prog, 5)
            time.sleep(0.5)
            early = _mine(mon, prog)
            st = json.loads(subprocess.run([VIGIL, "status", "--socket", mon.sock, "--json"],
                                           capture_output=True, text=True, timeout=60).stdout)
            time.sleep(max(0, 3 + 1.5 - (time.time() - t0)))  # the window and the 1 s tick
        alerts = _mine(mon, prog)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    # the first at once, not delayed; the others folded
    assert len(early) == 1, early
    assert "vigil.repeats" not in early[0]["output_fields"]
    assert st["monitor"]["alerts_folded"] >= 4, st["monitor"]
    assert len(alerts) == 2, alerts
    summary = alerts[1]
    assert summary["output_fields"]["vigil.repeats"] == 4, summary
    assert "repeated 4 more times" in summary["output"], summary["output"]
    assert summary["output_fields"]["proc.exepath"] == prog
    deliberate(*[a["output_fields"]["proc.pid"] for a in alerts])


def test_a_window_of_zero_sends_every_alert():
    d, prog = _setup()
    try:
        with Monitor("--set", "alerts.repeat_window=0", events=False) as mon:
            _runs(prog, 3)
        alerts = _mine(mon, prog)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert len(alerts) == 3, alerts
    assert all("vigil.repeats" not in a["output_fields"] for a in alerts)
