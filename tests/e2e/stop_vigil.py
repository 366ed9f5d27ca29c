"""Stopping a `vigil run` a test started: the one way the suite watcher
(tests/e2e/suite_watch.py), the benign corpus (tests/benign/benign.py) and
the tests' monitors (vigil_harness.Monitor) do it. By the process object's
own pid only, never by name."""
import signal
import subprocess
import time


def stop_vigil(proc, settle=0.3, timeout=60):
    """Waits `settle` seconds (the last records reach the ring buffer), then
    SIGINT (vigil drains, reports its exit line and detaches its BPF
    programs), and after `timeout` seconds SIGKILL. Returns False when it
    had to be killed; True when it stopped (or had already)."""
    if not proc or proc.poll() is not None:
        return True
    time.sleep(settle)
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
