"""The optional pH response (--ph-response kill|stop): a task of a listed
executable whose LFC goes above the limit is killed or stopped in the
kernel, and the alert says so; the same behaviour in an executable that is
not listed is only reported. Everything signalled here is a copy of the
phtest program this test started, under a path of its own."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from vigil_harness import BUILD, VIGIL, Monitor
from ph_program import unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")


def _alerts(mon, ino, rule):
    try:
        events = mon.events()
    except Exception:
        return []
    return [e for e in events if e["rule"] == rule
            and e.get("output_fields", {}).get("ph.exe_ino") == ino]


def _train(mon, exes):
    deadline = time.time() + 60
    for exe in exes:
        ino = os.stat(exe).st_ino
        while not _alerts(mon, ino, "pH profile normal"):
            assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
            p = subprocess.run([exe, "train"], capture_output=True, stdin=subprocess.DEVNULL,
                               timeout=60)
            assert p.returncode == 0
            time.sleep(0.05)


def _wait_alert(mon, ino, rule, pid):
    deadline = time.time() + 10
    while True:
        found = [a for a in _alerts(mon, ino, rule) if a["output_fields"]["proc.pid"] == pid]
        if found:
            return found[0]
        assert time.time() < deadline, f"no {rule} alert for {pid}:\n" + mon.stderr()
        time.sleep(0.1)


def _copies(tmp, n):
    out = []
    for i in range(n):
        exe = os.path.join(tmp, f"phtest-response-{i}")
        unique_program(PHTEST, exe)
        out.append(exe)
    return out


def test_kill_response_only_for_listed_programs():
    tmp = tempfile.mkdtemp(prefix="vigil-phresp-")
    listed, other = _copies(tmp, 2)
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-alert-scope", "all",
                     "--ph-response", "kill", "--ph-response-lfc", "3",
                     "--ph-response-exe", listed, events=False) as mon:
            _train(mon, [listed, other])
            p = subprocess.Popen([listed, "attack"], stdout=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL)
            out, _ = p.communicate(timeout=30)
            killed_pid = int(re.search(rb"pid=(\d+)", out).group(1))
            assert p.returncode == -signal.SIGKILL, p.returncode
            a = _wait_alert(mon, os.stat(listed).st_ino, "pH response", killed_pid)
            # the same path in a program that is not listed: reported only
            p2 = subprocess.run([other, "attack"], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=30)
            assert p2.returncode == 0, p2.returncode
            other_pid = int(re.search(r"pid=(\d+)", p2.stdout).group(1))
            _wait_alert(mon, os.stat(other).st_ino, "pH incident", other_pid)
        assert mon.proc.returncode == 0, mon.stderr()
        of = a["output_fields"]
        assert of["ph.response"] == "kill" and of["ph.response_error"] == 0, of
        assert of["ph.lfc"] == 4, of
        assert a["priority"] == "Critical" and "VG-091" in a["tags"]
        assert "killed" in a["output"], a["output"]
        assert not _alerts(mon, os.stat(other).st_ino, "pH response")
        assert re.search(r"responses=1\b", mon.stderr()), mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_stop_response_stops_the_task():
    tmp = tempfile.mkdtemp(prefix="vigil-phresp-")
    (listed,) = _copies(tmp, 1)
    p = None
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-alert-scope", "all",
                     "--ph-response", "stop", "--ph-response-exe", listed,
                     events=False) as mon:
            _train(mon, [listed])
            p = subprocess.Popen([listed, "attack"], stdout=subprocess.DEVNULL,
                                 stdin=subprocess.DEVNULL)
            a = _wait_alert(mon, os.stat(listed).st_ino, "pH response", p.pid)
            deadline = time.time() + 10
            while True:
                with open(f"/proc/{p.pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                if state == "T":
                    break
                assert time.time() < deadline, f"not stopped: state {state}"
                time.sleep(0.05)
        assert a["output_fields"]["ph.response"] == "stop"
        assert a["output_fields"]["ph.lfc"] == 13  # the default limit: the tolerize limit, 12
        assert "stopped" in a["output"], a["output"]
    finally:
        if p and p.poll() is None:
            p.kill()  # our own stopped process, by its pid
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def test_response_options_are_checked():
    for args, msg in [(["--ph-response", "maim"], "'maim' is not one of off|kill|stop"),
                      (["--ph-response", "kill"], "go together"),
                      (["--ph-response-lfc", "0"], "must be 1 to 127"),
                      (["--ph-save-interval", "x"], "--ph-save-interval"),
                      (["--ph-state-dir", "relative"], "absolute path")]:
        p = subprocess.run([VIGIL, "run", "--ph"] + args, capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == 2 and msg in p.stderr, (args, p.returncode, p.stderr)
