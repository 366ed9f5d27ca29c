"""Load shedding (bpf/vg_shed.h): an unprivileged flood of cheap file calls
cannot blind vigil to what matters. Two processes running as nobody open
distinct names that do not exist as fast as they can, into a small ring
(256 KiB); meanwhile the test execs a marker program and runs triggers that
ptrace-attach to a child, write into its memory and call setuid. Every one
of those records must reach the rules, the flood's opens must be shed and
counted (exit line, `vigil status`, metrics, the self-protection alert), no
vital record may be dropped and no exec, fork or exit shed. Without shedding a full ring drops records of every
type alike and this test fails.

Safety: the flooders are the test's own (nobody, each in its own session),
killed by their process group on every path; the monitor is stopped by its
pid; the vital activity is the test's own children."""
import json
import os
import re
import subprocess
import tempfile
import time

from test_metrics import unix_scrape
from vigil_harness import (BUILD, TRIGGER, VIGIL, Monitor, deliberate, kill_groups,
                            run_deliberate)

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
FLOOD = os.path.join(BUILD, "tests", "bin", "vigil-flood")
MARKER = os.path.join(BUILD, "tests", "bin", "vigil-marker")
MARKER_EXECS = 100
TRIGGERS = 20

RULES = """
- rule: shed test marker exec
  desc: an exec the flood must not hide
  condition: evt.type = execve and proc.exepath endswith "/vigil-marker"
  output: marker exec (proc.pid=%proc.pid)
  priority: WARNING
- rule: shed test ptrace attach
  desc: a ptrace attach the flood must not hide
  condition: evt.type = ptrace and evt.arg.request = PTRACE_ATTACH and proc.exepath endswith "/vigil-trigger"
  output: ptrace attach (proc.pid=%proc.pid)
  priority: WARNING
- rule: shed test memory write
  desc: a process_vm_writev the flood must not hide
  condition: evt.type = process_vm_writev and proc.exepath endswith "/vigil-trigger"
  output: memory write (proc.pid=%proc.pid)
  priority: WARNING
- rule: shed test setuid
  desc: a setuid the flood must not hide
  condition: evt.type = setuid and proc.exepath endswith "/vigil-trigger"
  output: setuid (proc.pid=%proc.pid)
  priority: WARNING
- rule: shed test opens are watched
  desc: never fires; routes opens to the sensor, as the default rules do
  condition: evt.type in (open, openat, openat2) and fd.name startswith "/shed-test-never/"
  output: never (proc.pid=%proc.pid)
  priority: WARNING
"""


def wait_for(cond, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def last_stats(mon):
    """(drops, shed) of the monitor's last periodic stats line."""
    lines = [l for l in mon.stderr().splitlines() if l.startswith("vigil: stats events=")]
    if not lines:
        return None
    drops = int(re.search(r" drops=(\d+)", lines[-1]).group(1))
    m = re.search(r" shed=(\d+)", lines[-1])
    return drops, int(m.group(1)) if m else 0


def alerted(mon):
    """{(rule, pid)} of the monitor's alerts so far."""
    seen = set()
    if not os.path.exists(mon.out):
        return seen
    with open(mon.out, "rb") as f:
        for line in f:
            try:
                e = json.loads(line)
                seen.add((e["rule"], int(e["output_fields"]["proc.pid"])))
            except (ValueError, KeyError, TypeError):
                continue  # a line still being written
    return seen


def test_a_flood_of_opens_cannot_hide_execs_ptrace_or_setuid():
    d = tempfile.mkdtemp(prefix="vigil-flood-shed-")
    os.chmod(d, 0o755)  # nobody's opens fail with ENOENT, not EACCES
    rules = os.path.join(d, "rules.yaml")
    with open(rules, "w") as f:
        f.write(RULES)
    metrics_sock = os.path.join(d, "metrics.sock")
    expected = set()
    floods = []
    with Monitor("--rules", rules, "--set", "sensor.ring_size=256K", "--stats-interval", "1",
                 "--metrics-listen", f"unix:{metrics_sock}", events=False) as mon:
        try:
            for _ in range(2):
                p = subprocess.Popen(NOBODY + [FLOOD, "120", d], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)
                floods.append(p)
                deliberate(p.pid)
                assert p.stdout.readline().startswith("pid="), "vigil-flood did not start"
            # the ring overflows: records are shed (or, without shedding, dropped)
            wait_for(lambda: (last_stats(mon) or (0, 0)) != (0, 0) and sum(last_stats(mon)) > 0,
                     60, "the flood to fill the ring:\n" + mon.stderr()[-2000:])

            # vital activity while the flood goes on
            for i in range(MARKER_EXECS):
                with subprocess.Popen([MARKER, os.path.join(d, f"marker-{i}")],
                                      stdin=subprocess.DEVNULL) as m:
                    deliberate(m.pid)
                    assert m.wait(60) == 0
                expected.add(("shed test marker exec", m.pid))
            for _ in range(TRIGGERS):
                r = run_deliberate([TRIGGER, "proc-control"], capture_output=True, text=True,
                                   timeout=60)
                assert r.returncode == 0, r.stderr
                pid = int(re.search(r"pid=(\d+)", r.stdout).group(1))
                for rule in ("shed test ptrace attach", "shed test memory write",
                             "shed test setuid"):
                    expected.add((rule, pid))
            assert all(p.poll() is None for p in floods), "a flooder ended before the checks"

            # counted while it happens: `vigil status` and the metrics endpoint
            # (checked below, after the alerts)
            st = subprocess.run([VIGIL, "status", "--json", "--socket", mon.sock],
                                capture_output=True, text=True, timeout=60)
            assert st.returncode == 0, st.stderr
            drops = json.loads(st.stdout)["monitor"]["drops"]
            text = unix_scrape(metrics_sock)
        finally:
            kill_groups(floods)
        # every vital record reaches the rules (the reader catches up)
        try:
            wait_for(lambda: expected <= alerted(mon), 30, "the vital alerts")
        except AssertionError:
            missing = sorted(expected - alerted(mon))
            raise AssertionError(f"{len(missing)} of {len(expected)} vital alerts lost under "
                                 f"the flood: {missing[:20]}\n" + mon.stderr()[-3000:])
    assert drops.get("shed", 0) > 0 and drops["shed_by_type"].get("open", 0) > 0, drops
    shed_open = re.search(r'^vigil_monitor_drops_shed_by_type\{type="open"\} (\d+)', text, re.M)
    assert shed_open and int(shed_open.group(1)) > 0, text[:3000]
    # the flood itself is an attack on the monitor: self-protection says so
    # (it counts shed records with the drops)
    with open(mon.out, "rb") as f:
        said = [l for l in f if b'"rule":"vigil events dropped"' in l]
    assert said, "no 'vigil events dropped' alert"
    st = mon.exit_stats
    assert st is not None, mon.stderr()[-3000:]
    shed = st["shed_by_type"]
    assert shed.get("open", 0) > 0, st
    for t in ("execve", "clone", "procexit", "ptrace", "setuid", "process_vm_writev"):
        assert st["drops_by_type"].get(t, 0) == 0, (t, st)
    # the process lifecycle is never shed; of ptrace, setuid and
    # process_vm_writev only failed calls and reads may be (bpf/vg_shed.h):
    # the triggers' attaches, writes and setuids were checked by their alerts
    for t in ("execve", "clone", "procexit"):
        assert shed.get(t, 0) == 0, (t, st)
    return (f"[{len(expected)} vital alerts, shed {st['shed']} (open={shed['open']}), "
            f"{st['drops']} ring-full drops]")
