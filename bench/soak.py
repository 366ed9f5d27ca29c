#!/usr/bin/python3
"""Soak test (part of `make bench`): vigil with its defaults (default rules,
pH on) under a mixed load for --seconds (600), sampling its resident memory
(VmRSS) and the memory of the BPF maps it holds (memlock in
/proc/PID/fdinfo) every --every seconds. Memory must stay flat: the last
tenth of the run may not be more than --limit (10%) above the median of the
second tenth (the first tenth is warm-up: the process table fills, pH learns
the load's programs). Prints one table and a verdict; exit 1 when memory grew.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def map_memlock_kib(pid):
    """Sum of memlock over the distinct BPF maps the process holds."""
    seen = {}
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            fields = dict(l.split(":", 1) for l in open(os.path.join(d, fd)) if ":" in l)
        except OSError:
            continue
        if "map_id" in fields and "memlock" in fields:
            seen[int(fields["map_id"])] = int(fields["memlock"])
    return sum(seen.values()) // 1024


def start_load(workload, tmp):
    """The mixed load: open+close, fork+exec, connect, and shell pipelines,
    each in its own loop, forever (until killed)."""
    loops = [
        f"while :; do {workload} openclose 20000 >/dev/null; done",
        f"while :; do {workload} forkexec 200 >/dev/null; done",
        f"while :; do {workload} connect 2000 >/dev/null; done",
        f"while :; do ls -la /usr/bin | grep -c a >/dev/null; cat /etc/os-release >/dev/null;"
        f" echo x > {tmp}/f; mv {tmp}/f {tmp}/g; rm -f {tmp}/g; sleep 0.05; done",
    ]
    return [subprocess.Popen(["sh", "-c", l], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True) for l in loops]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--every", type=float, default=10)
    ap.add_argument("--limit", type=float, default=0.10)
    a = ap.parse_args()
    vigil = os.path.join(a.build, "vigil")
    workload = os.path.join(a.build, "bench", "workload")
    tmp = tempfile.mkdtemp(prefix="vigil-soak-")
    err = open(os.path.join(tmp, "stderr"), "w")
    mon = subprocess.Popen([vigil, "run", "--ph", "--output-file", "/dev/null",
                            "--stats-interval", "0", "--lock-file", os.path.join(tmp, "lock")],
                           stdout=subprocess.DEVNULL, stderr=err)
    load = []
    samples = []
    try:
        deadline = time.time() + 30
        while "vigil: ready" not in open(os.path.join(tmp, "stderr")).read():
            if mon.poll() is not None or time.time() > deadline:
                print("soak: vigil did not start:\n" + open(os.path.join(tmp, "stderr")).read())
                return 2
            time.sleep(0.1)
        load = start_load(workload, tmp)
        t0 = time.time()
        print(f"soak: {a.seconds} s of mixed load, sampling every {a.every:g} s",
              file=sys.stderr, flush=True)
        while time.time() - t0 < a.seconds:
            time.sleep(a.every)
            if mon.poll() is not None:
                print("soak: vigil died:\n" + open(os.path.join(tmp, "stderr")).read())
                return 1
            samples.append((time.time() - t0, rss_kib(mon.pid), map_memlock_kib(mon.pid)))
    finally:
        for p in load:  # our own load loops, by process group
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        if mon.poll() is None:
            mon.send_signal(signal.SIGINT)
            mon.wait(120)
        err.close()
    exit_line = [l for l in open(os.path.join(tmp, "stderr")) if "vigil: exit" in l]

    tenth = max(1, len(samples) // 10)
    base, last = samples[tenth:2 * tenth], samples[-tenth:]
    print(f"\nsoak test: {a.seconds} s of mixed load (open+close, fork+exec, connect, shell)")
    print(f"{'t (s)':>8} {'RSS KiB':>10} {'maps KiB':>10}")
    for t, r, m in samples[::max(1, len(samples) // 12)] + samples[-1:]:
        print(f"{t:8.0f} {r:10d} {m:10d}")
    ok = True
    for name, i in (("RSS", 1), ("BPF maps", 2)):
        b = statistics.median(s[i] for s in base)
        l = statistics.median(s[i] for s in last)
        growth = (l - b) / b if b else 0.0
        verdict = "FLAT" if growth <= a.limit else "GREW"
        ok &= growth <= a.limit
        print(f"{name}: {b} KiB (second tenth) -> {l} KiB (last tenth), "
              f"{growth * 100:+.1f}% (limit +{a.limit * 100:.0f}%): {verdict}")
    if exit_line:
        print(exit_line[-1].rstrip())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
