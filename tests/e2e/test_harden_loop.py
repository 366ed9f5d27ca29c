"""The monitor's loop always yields (issue 13): when handling events costs
more than the time between them (20,000 rules and an unprivileged exec
flood), the reader still returns to signals, timers and clients; SIGTERM
ends vigil within two seconds with its final stats and pH's exit save, and
what it could not keep up with is counted as dropped.

Safety: the monitor and the flood are the test's own: the flood runs as
nobody in its own session and is killed by its process group; the monitor
by its pid. pH keeps its profiles in the test's directory."""
import os
import re
import signal
import subprocess
import tempfile
import time

from vigil_harness import Monitor, deliberate, kill_groups

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
NRULES = 20000


def write_rules(path):
    with open(path, "w") as f:
        for i in range(NRULES):
            f.write(f"- rule: r{i}\n  desc: d\n  output: o\n  priority: DEBUG\n"
                    f"  condition: evt.type = execve and proc.cmdline contains \"zz{i}q\"\n")


def test_sigterm_under_a_flood_slower_to_handle_than_it_arrives():
    d = tempfile.mkdtemp(prefix="vigil-harden-loop-")
    rules = os.path.join(d, "many.yaml")
    write_rules(rules)
    floods = []
    with Monitor("--rules", rules, "--ph", "--ring-size", "256K", "--stats-interval", "1",
                 events=False, ready_timeout=180) as mon:
        try:
            for _ in range(2):
                # a 900-byte argument of 300 near-misses ("zzq"): each of the
                # 20,000 rules checks every one (the matcher looks for the
                # needle's last letter first), so handling an exec costs far
                # more than making one, however fast the machine
                p = subprocess.Popen(NOBODY + ["/bin/sh", "-c",
                                               "a=$(printf 'zzq%.0s' $(seq 300)); "
                                               "while :; do /bin/true \"$a\"; done"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     start_new_session=True)
                deliberate(p.pid)
                floods.append(p)
            time.sleep(4)
            # the loop still reports its periodic stats under the flood
            stats_lines = mon.stderr().count("vigil: stats ")
            assert stats_lines >= 2, mon.stderr()[-3000:]
            t0 = time.time()
            mon.proc.send_signal(signal.SIGTERM)
            try:
                mon.proc.wait(10)
            except subprocess.TimeoutExpired:
                mon.proc.kill()
                mon.proc.wait()
                raise AssertionError("vigil did not end on SIGTERM within 10 s")
            took = time.time() - t0
        finally:
            kill_groups(floods)
        err = mon.stderr()
    assert mon.proc.returncode == 0, err[-3000:]
    assert took < 2.0, f"SIGTERM took {took:.2f} s"
    m = re.search(r"vigil: exit events=(\d+) rate=\S+ drops=(\d+)", err)
    assert m, err[-3000:]
    drops = int(m.group(2))
    # the ring (256 KiB) could not hold what the reader could not handle
    assert drops > 0, err[-3000:]
    m = re.search(r"vigil: ph memory .* saves=(\d+) written=(\d+) write_errors=(\d+)", err)
    assert m and int(m.group(1)) >= 1 and int(m.group(3)) == 0, err[-3000:]
    return f"[SIGTERM to exit {took:.2f} s, {drops} drops, {stats_lines} stats lines]"
