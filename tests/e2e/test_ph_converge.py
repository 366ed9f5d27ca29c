"""Convergence shown by `vigil profiles` (docs/ph.md, "Convergence"): the
monitor samples every profile's training counters every 10 s; a program
that repeats what it already did shows 0 new sequences per 1000 calls, is
converging, and has an expected time to normal of the calls it still needs
at its rate plus normal_wait."""
import os
import shutil
import subprocess
import tempfile
import time

from vigil_harness import BUILD, VIGIL, Monitor
from ph_program import unique_program
from test_ph_buildid import _ctl_json, _run

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")


def test_profiles_show_rate_of_new_sequences_and_expected_time():
    tmp = tempfile.mkdtemp(prefix="vigil-phconv-")
    try:
        os.chmod(tmp, 0o755)
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        # min_train so high that the profile stays in training; no coverage
        # by calls, whose blocks would make the expected time sooner than
        # the wait (tests/e2e/test_ph_coverage_calls.py)
        with Monitor("--ph", "--ph-normal-wait", "100000", "--ph-min-train", "100000000",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", "ph.coverage_calls=0", events=False) as mon:
            _run(exe, "train")
            prof = _ctl_json(mon, "profile", "show", exe)
            assert prof["state"] == "training" and prof["new_per_kcalls"] is None, prof
            # a sample every 10 s; under load a run can still take a new path now
            # and then (seen: 3.33 new per 1000 calls at 40 s), so give it time
            deadline = time.time() + 120
            while True:  # the same runs again and again: nothing new
                _run(exe, "train")
                prof = _ctl_json(mon, "profile", "show", exe)
                if prof["new_per_kcalls"] is not None and prof["new_per_kcalls"] == 0:
                    break
                assert time.time() < deadline, f"no rate: {prof}\n" + mon.stderr()
                time.sleep(0.2)
            assert prof["converging"] is True and prof["train_calls_per_s"] > 0, prof
            need = prof["calls_to_freeze"] // prof["train_calls_per_s"] + 100000
            assert prof["expected_normal_s"] == need, (prof, need)
            table = subprocess.run([VIGIL, "profiles", "--socket", mon.sock],
                                   capture_output=True, text=True, timeout=60,
                                   stdin=subprocess.DEVNULL).stdout
            line = [ln for ln in table.splitlines() if ln.endswith(exe)]
            assert "NEW/1K" in table and line and " 0.00 " in line[0] and "% ~" in line[0], \
                table
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
