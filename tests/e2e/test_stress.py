"""Stress: 20,000 exec+exit and 1,000,000 opens from two processes while the
monitor runs. Every exec is seen, or the drops reported account for the
exact difference (opens: drops and shed records)."""
import os
import subprocess
import tempfile

from vigil_harness import TRIGGER, Monitor

EXECS = 20000
OPENS = 1000000


def test_stress_execs_and_opens_are_seen_or_counted():
    d = tempfile.mkdtemp(prefix="vigil-stress-")
    target = os.path.join(d, "target")
    open(target, "w").close()
    # Text output to a file: the monitor formats every event, as it would
    # with --events in production.
    # Coalescing off: every one of the million opens must be sent or counted
    # as dropped (test_coalesce.py checks the coalescing itself).
    with Monitor("--ring-size", "32M", "--coalesce-ms", "0") as mon:
        execs = subprocess.Popen([TRIGGER, "execs", str(EXECS)], stdout=subprocess.PIPE, text=True)
        opens = subprocess.Popen([TRIGGER, "opens", target, str(OPENS)], stdout=subprocess.PIPE,
                                 text=True)
        exec_pid = int(execs.stdout.readline().split("=")[1])
        open_pid = int(opens.stdout.readline().split("=")[1])
        assert execs.wait(900) == 0 and opens.wait(900) == 0
    stats = mon.exit_stats
    assert stats is not None, mon.stderr()

    seen_exec = seen_open = 0
    with open(mon.out, "rb") as f:
        for line in f:
            # cheap checks first: a million lines
            if b'"rule":"execve"' in line and b'"proc.ppid":%d,' % exec_pid in line:
                seen_exec += 1
            elif b'"proc.pid":%d,' % open_pid in line and b'"rule":"openat"' in line:
                seen_open += 1
    by = stats["drops_by_type"]
    # the breakdowns by CPU and by type each add up to the total
    assert sum(v for k, v in by.items() if k.startswith("cpu")) == stats["drops"], stats
    assert sum(v for k, v in by.items() if not k.startswith("cpu")) == stats["drops"], stats
    dropped_exec = stats["drops_by_type"].get("execve", 0)
    # past half the ring the kernel sheds opens (bpf/vg_shed.h), never execs
    assert stats["shed_by_type"].get("execve", 0) == 0, stats
    dropped_open = stats["drops_by_type"].get("open", 0) + stats["shed_by_type"].get("open", 0)
    # Drops are counted for the whole machine; ours are a part of them.
    assert seen_exec <= EXECS
    assert seen_exec + dropped_exec >= EXECS, (seen_exec, stats)
    if dropped_exec == 0:
        assert seen_exec == EXECS, (seen_exec, stats)
    assert seen_open + dropped_open >= OPENS, (seen_open, stats)
    if dropped_open == 0:
        assert seen_open == OPENS, (seen_open, stats)
    assert stats["malformed"] == 0
    os.unlink(target)
    os.rmdir(d)
    return (f"[execs seen {seen_exec}, dropped {dropped_exec}; opens seen {seen_open}, "
            f"shed or dropped {dropped_open}]")
