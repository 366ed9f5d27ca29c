#!/usr/bin/python3
"""The floor under a per-call monitor here, and where vigil sits on it.

ns per operation (`workload MODE N`), medians of --runs rounds, the
configurations of a round in turn:

  off                nothing of ours attached
  empty program      bench/floor.bpf.c's floor_empty on sys_enter: THE FLOOR
  + task storage     floor_task_storage: finds its task's storage
  sensor             vigil run --no-ph --no-rules --no-auth
  sensor + pH        vigil run --no-rules --no-auth --ph-no-persist (pH's step
                     runs inside the sensor's program: still one program)
  defaults           vigil run --ph-no-persist (default rules, pH, PAM probes)

The first rows show what any program run on every system call costs on this
kernel (the tracepoint turns on the slow system-call path and calls the
program); the others what vigil adds above that floor. Each row is printed
as ns, ns over the floor and ratio to off. Other monitors on the machine
are in every row: a loaded machine's "off" is not off.

    bench/floor.py [--build build] [--runs 9] [--calls 2000000]
                   [--rows off,empty,...] [--workloads getppid,openclose,forkexec]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ph_cost import Monitor, workload  # noqa: E402

# row key: (label, vigil arguments or None, floor program or None, with the
# default rules and PAM probes)
ROWS = {
    "off": ("off", None, None, False),
    "empty": ("empty program (floor)", None, "empty", False),
    "task-storage": ("+ task storage", None, "task-storage", False),
    "sensor": ("sensor", ["--no-ph"], None, False),
    "sensor-ph": ("sensor + pH", ["--ph-no-persist"], None, False),
    "defaults": ("defaults (rules+pH+auth)", ["--ph-no-persist"], None, True),
}
# operations per sample, per workload (getppid's is --calls)
SCALE = {"getppid": 1, "openclose": 10, "forkexec": 1000}


def measure(args, mode, prog=None):
    n = max(1, args.calls // SCALE[mode])
    if prog is None:
        return workload(args.workload, mode, n)
    out = subprocess.check_output([args.floor, prog, args.workload, mode, str(n)])
    return float(out.split()[0])


def round_(args, workdir, got):
    for key in args.rows:
        _, vigil_args, prog, defaults = ROWS[key]
        mon = None
        if vigil_args is not None:
            mon = Monitor(args.vigil, workdir, vigil_args, defaults)
        try:
            for mode in args.workloads:
                if mon:  # its profiles learn the workload first
                    workload(args.workload, mode, max(1, args.calls // SCALE[mode] // 10))
                got[key][mode].append(measure(args, mode, prog))
        finally:
            if mon:
                mon.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--calls", type=int, default=2000000, help="getppid calls per sample")
    ap.add_argument("--rows", default=",".join(ROWS), help="comma-separated: " + ",".join(ROWS))
    ap.add_argument("--workloads", default="getppid",
                    help="comma-separated: " + ",".join(SCALE))
    args = ap.parse_args()
    args.rows = args.rows.split(",")
    args.workloads = args.workloads.split(",")
    if set(args.rows) - set(ROWS) or set(args.workloads) - set(SCALE):
        ap.error("unknown row or workload")
    for need in ("off", "empty"):  # every figure is against these two
        if need not in args.rows:
            args.rows.insert(0 if need == "off" else 1, need)
    if os.geteuid() != 0:
        raise SystemExit("floor.py: needs root (it loads BPF programs)")
    args.vigil = os.path.abspath(os.path.join(args.build, "vigil"))
    args.workload = os.path.abspath(os.path.join(args.build, "bench", "workload"))
    args.floor = os.path.abspath(os.path.join(args.build, "bench", "floor"))
    got = {row: {m: [] for m in args.workloads} for row in args.rows}
    with tempfile.TemporaryDirectory(prefix="vigil-floor-") as workdir:
        for r in range(args.runs):
            round_(args, workdir, got)
            print(f"  round {r + 1}/{args.runs}", file=sys.stderr, flush=True)
    print(f"ns per operation: medians of {args.runs} rounds; load average "
          f"{os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    for mode in args.workloads:
        off = statistics.median(got["off"][mode])
        floor = statistics.median(got["empty"][mode])
        print(f"{mode}: off {off:.1f}, floor (an empty sys_enter program) {floor:.1f}")
        for row in args.rows:
            m = statistics.median(got[row][mode])
            print(f"  {ROWS[row][0]:26s} {m:11.1f}   {m - floor:+9.1f} over the floor"
                  f"   {m / off:5.2f}x off")


if __name__ == "__main__":
    main()
