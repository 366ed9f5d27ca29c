"""Normal by coverage (docs/ph.md, "Normal by coverage"): a profile the
kernel froze becomes normal once it went through ph.coverage_runs distinct
runs without a new sequence, long before ph.normal_wait; while it sits
idle (no runs) it stays frozen; once normal it flags a path it never took."""
import os
import shutil
import subprocess
import tempfile
import time

from vigil_harness import BUILD, VIGIL, Monitor
from test_ph import _alerts, _wait_incident
from test_ph import _run as _run_deliberate
from test_ph_buildid import _ctl_json, _run
from ph_program import unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")
RUNS = 5


def _until(mon, exe, pred, timeout, what):
    deadline = time.time() + timeout
    while True:
        prof = _ctl_json(mon, "profile", "show", exe)
        if pred(prof):
            return prof
        assert time.time() < deadline, f"{what}: {prof}\n" + mon.stderr()
        time.sleep(0.5)


def test_frozen_profile_is_normal_after_runs_without_anything_new():
    tmp = tempfile.mkdtemp(prefix="vigil-phcov-")
    try:
        os.chmod(tmp, 0o755)
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        ino = os.stat(exe).st_ino
        # a wait of a day: only coverage can make it normal within the test
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", f"ph.coverage_runs={RUNS}", events=False) as mon:
            deadline = time.time() + 60
            while True:  # the same runs again and again until it freezes
                _run(exe, "train")
                prof = _ctl_json(mon, "profile", "show", exe)
                if prof["state"] == "frozen":
                    break
                assert prof["state"] == "training", prof
                assert time.time() < deadline, f"never froze: {prof}\n" + mon.stderr()
            assert prof["coverage_runs_needed"] == RUNS, prof
            # the monitor samples every 10 s: the count starts at its first look
            prof = _until(mon, exe, lambda p: p["coverage_runs"] is not None, 30,
                          "coverage never sampled")
            # runs counted since the last sample are provisional: a sample
            # taken in the middle of the first run saw an older last change,
            # and the next one starts the count again (a loaded machine makes
            # that likely); after a whole period the count is settled
            time.sleep(11)
            prof = _ctl_json(mon, "profile", "show", exe)
            runs = prof["coverage_runs"]
            assert prof["state"] == "frozen" and runs < RUNS, prof
            # idle: frozen it stays (the wall-clock wait is a day), no runs
            time.sleep(12)
            prof = _ctl_json(mon, "profile", "show", exe)
            assert prof["state"] == "frozen" and prof["coverage_runs"] == runs, prof
            table = subprocess.run([VIGIL, "profiles", "--socket", mon.sock],
                                   capture_output=True, text=True, timeout=60,
                                   stdin=subprocess.DEVNULL).stdout
            line = [ln for ln in table.splitlines() if ln.endswith(exe)]
            assert "RUNS" in table and line and f" {runs}/{RUNS} " in line[0], table
            # runs doing what it already did, until it is normal: it needs
            # at least the runs it lacked (an exec event the sensor lost
            # under load only delays it)
            made, deadline = 0, time.time() + 60
            while prof["state"] != "normal":
                assert time.time() < deadline, f"not normal after {made} runs: {prof}\n" \
                    + mon.stderr()
                _run(exe, "train")
                made += 1
                time.sleep(0.5)
                prof = _ctl_json(mon, "profile", "show", exe)
            assert made >= RUNS - runs, (made, runs)
            normal = _alerts(mon, ino, "pH profile normal")
            assert len(normal) == 1 and normal[0]["output_fields"]["ph.state"] == "normal", \
                normal
            assert "normal by coverage" in mon.stderr() and exe in mon.stderr(), mon.stderr()
            status = _ctl_json(mon, "status")
            assert status["ph"]["profiles_normal_by_coverage"] >= 1, status["ph"]
            # normal means tested: a path it never took is an incident,
            # what it trained on is quiet
            quiet_pid = _run(exe, "train")
            attack_pid = _run_deliberate(exe, "attack")
            _wait_incident(mon, ino, attack_pid)
            time.sleep(0.5)
            assert not [a for a in _alerts(mon, ino, "pH incident")
                        if a["output_fields"]["proc.pid"] == quiet_pid]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_coverage_off_keeps_the_wall_clock_wait():
    tmp = tempfile.mkdtemp(prefix="vigil-phcov-")
    try:
        os.chmod(tmp, 0o755)
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", "ph.coverage_runs=0", events=False) as mon:
            deadline = time.time() + 60
            _run(exe, "train")
            while _ctl_json(mon, "profile", "show", exe)["state"] != "frozen":
                assert time.time() < deadline, mon.stderr()
                _run(exe, "train")
            prof = _until(mon, exe, lambda p: p["coverage_runs_needed"] == 0, 5, "rule on")
            # many runs and two samples: counted for nobody, still frozen
            end = time.time() + 21
            while time.time() < end:
                _run(exe, "train")
                time.sleep(0.3)
            prof = _ctl_json(mon, "profile", "show", exe)
            assert prof["state"] == "frozen" and prof["normal_at"], prof
            assert "normal by coverage" not in mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
