"""Signal handler windows: a program whose handler makes its own calls,
interrupted at random points by a flood of signals, trains a profile that
becomes normal, and later runs (signals falling elsewhere) raise no
anomaly. Without the handler's own window its calls would land inside the
main loop's sequences at new places in every run."""
import os
import re
import shutil
import subprocess
import tempfile
import time

from vigil_harness import BUILD, Monitor
from ph_program import unique_program

PHSIG = os.path.join(BUILD, "tests", "bin", "vigil-phsig")


def _alerts(mon, ino, rule=None):
    try:
        events = mon.events()
    except Exception:
        return []
    return [e for e in events if e["rule"].startswith("pH ")
            and e.get("output_fields", {}).get("ph.exe_ino") == ino
            and (rule is None or e["rule"] == rule)]


def _run(exe, rounds=2000):
    p = subprocess.run([exe, str(rounds)], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    m = re.search(r"pid=(\d+) handled=(\d+)", p.stdout)
    return int(m.group(1)), int(m.group(2))


def test_handler_calls_do_not_mix_with_the_interrupted_code():
    tmp = tempfile.mkdtemp(prefix="vigil-phsig-")
    exe = os.path.join(tmp, "phsig")
    unique_program(PHSIG, exe)
    ino = os.stat(exe).st_ino
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-alert-scope", "all",
                     events=False) as mon:
            deadline = time.time() + 90
            runs = 0
            while not _alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, \
                    f"profile never became normal after {runs} runs:\n" + mon.stderr()
                _run(exe)
                runs += 1
                time.sleep(0.05)
            checked = []
            # at least five runs, and enough signals (fewer land per run on a
            # busy machine)
            while len(checked) < 5 or (sum(h for _, h in checked) < 50 and len(checked) < 40):
                checked.append(_run(exe))
            time.sleep(0.5)
            alerts = _alerts(mon, ino, "pH incident")
        handled = sum(h for _, h in checked)
        assert handled >= 50, f"too few signals handled to test anything: {checked}"
        pids = {p for p, _ in checked}
        bad = [a["output"] for a in alerts if a["output_fields"]["proc.pid"] in pids]
        assert not bad, f"anomalies in normal runs ({handled} signals handled):\n" + \
            "\n".join(bad[:5])
        m = re.search(r"signal_windows=(\d+)", mon.stderr())
        assert m and int(m.group(1)) >= handled, mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return f"[{runs} training runs, {handled} signals in the checked runs]"
