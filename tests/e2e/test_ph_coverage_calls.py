"""Coverage by calls (docs/ph.md, "Normal by coverage"): a daemon under
steady load that never idles, execs or accepts makes no runs of the other
kinds; blocks of ph.coverage_calls training calls spanning at least
ph.coverage_block without a new sequence count as runs, so it becomes
normal long before ph.normal_wait, and `vigil profiles` shows the blocks
counted and the expected time while it is frozen."""
import os
import re
import shutil
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor, deliberate
from test_ph import _alerts
from test_ph_buildid import _ctl_json
from test_ph_coverage import PHTEST, _until
from ph_program import unique_program

RUNS = 3


def test_steady_daemon_is_normal_after_blocks_of_calls():
    tmp = tempfile.mkdtemp(prefix="vigil-phcovcalls-")
    daemon = None
    shown = "normal before the table was read"
    try:
        os.chmod(tmp, 0o755)
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        ino = os.stat(exe).st_ino
        # a wait of a day: only coverage can make it normal within the test;
        # blocks of 2000 calls over at least 2 s (the monitor samples every 10 s)
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", f"ph.coverage_runs={RUNS}", "--set", "ph.coverage_calls=2000",
                     "--set", "ph.coverage_block=2", events=False) as mon:
            # one process for the whole test: one exec, no accept, no idle gap
            daemon = subprocess.Popen([exe, "steady", "1000000"], stdout=subprocess.DEVNULL,
                                      stdin=subprocess.DEVNULL)
            deliberate(daemon.pid)
            prof = _until(mon, exe, lambda p: p["state"] in ("frozen", "normal"), 60,
                          "never froze")
            assert prof["coverage_runs_needed"] == RUNS, prof
            # frozen: the blocks counted so far and the expected time, from
            # the rate of training calls once two samples measured it: at
            # its rate a block takes the block's 2 s, far from the day's wait
            if prof["state"] == "frozen":
                prof = _until(mon, exe, lambda p: p["state"] == "normal" or
                              (p["coverage_runs"] is not None and
                               p["expected_normal_s"] is not None and
                               p["expected_normal_s"] <= 60 * RUNS), 30, "no estimate")
            if prof["state"] == "frozen":
                assert prof["coverage_call_runs"] <= prof["coverage_runs"] < RUNS, prof
                table = subprocess.run([VIGIL, "profiles", "--socket", mon.sock],
                                       capture_output=True, text=True, timeout=60,
                                       stdin=subprocess.DEVNULL).stdout
                line = [ln for ln in table.splitlines() if ln.endswith(exe)]
                assert line and "normal ~" in line[0] and f"/{RUNS} " in line[0], table
                shown = " ".join(line[0].split()[:7])
            prof = _until(mon, exe, lambda p: p["state"] == "normal", 90,
                          "a steady daemon never became normal")
            assert daemon.poll() is None, "the daemon ended: not a steady daemon any more"
            # by path, or by its identifier (MAJOR:MINOR:INODE) when the
            # path was not known yet at that moment (a loaded machine)
            line = [ln for ln in mon.stderr().splitlines()
                    if "normal by coverage" in ln and (exe in ln or f":{ino})" in ln)]
            # it got there by blocks of calls (its one exec came before the
            # first sample and does not count)
            m = re.search(r"(\d+) runs \((\d+) blocks of calls\)", line[0] if line else "")
            assert m and int(m.group(1)) == int(m.group(2)) >= RUNS, mon.stderr()
            normal = _alerts(mon, ino, "pH profile normal")
            assert len(normal) == 1, normal
            status = _ctl_json(mon, "status")
            assert status["ph"]["profiles_normal_by_coverage"] >= 1, status["ph"]
    finally:
        if daemon is not None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return f"vigil profiles while frozen: {shown}"


def test_without_blocks_a_steady_daemon_stays_frozen():
    tmp = tempfile.mkdtemp(prefix="vigil-phcovcalls-")
    daemon = None
    try:
        os.chmod(tmp, 0o755)
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        ino = os.stat(exe).st_ino
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", f"ph.coverage_runs={RUNS}", "--set", "ph.coverage_calls=0",
                     events=False) as mon:
            daemon = subprocess.Popen([exe, "steady", "1000000"], stdout=subprocess.DEVNULL,
                                      stdin=subprocess.DEVNULL)
            deliberate(daemon.pid)
            _until(mon, exe, lambda p: p["state"] == "frozen", 60, "never froze")
            # three samples of steady calls: no run of any kind
            time.sleep(31)
            prof = _ctl_json(mon, "profile", "show", exe)
            assert prof["state"] == "frozen" and prof["coverage_runs"] == 0, prof
            assert prof["coverage_call_runs"] == 0, prof
            assert not [ln for ln in mon.stderr().splitlines()
                        if "normal by coverage" in ln and (exe in ln or f":{ino})" in ln)], \
                mon.stderr()
    finally:
        if daemon is not None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(tmp, ignore_errors=True)
