#!/usr/bin/python3
"""The floor under a per-call monitor here, and where pH's cost sits on it.

ns per getppid() (`workload getppid N`), medians of --runs rounds, the
configurations of a round in turn:

  off                     nothing of ours attached
  empty program           bench/floor.bpf.c's floor_empty on sys_enter
  + task storage          floor_task_storage: finds its task's storage
  sensor                  vigil run --no-ph --no-rules --no-auth
  sensor + empty program
  sensor + task storage
  sensor + pH             vigil run --no-rules --no-auth --ph-no-persist

The first three show what any program run on every system call costs on this
kernel (the tracepoint turns on the slow system-call path and calls the
program); the next what a second such program adds to the sensor's; the last
what pH's own program adds. Other monitors on the machine are in every row.

    bench/floor.py [--build build] [--runs 9] [--calls 2000000]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ph_cost import Monitor, workload  # noqa: E402

ROWS = ["off", "empty program", "+ task storage", "sensor", "sensor + empty program",
        "sensor + task storage", "sensor + pH"]


def under_floor(args, prog):
    """getppid ns with floor's program `prog` attached for the run."""
    out = subprocess.check_output([args.floor, prog, args.workload, "getppid", str(args.calls)])
    return float(out.split()[0])


def round_(args, workdir, got):
    got["off"].append(workload(args.workload, "getppid", args.calls))
    got["empty program"].append(under_floor(args, "empty"))
    got["+ task storage"].append(under_floor(args, "task-storage"))
    mon = Monitor(args.vigil, workdir, ["--no-ph"])
    try:
        got["sensor"].append(workload(args.workload, "getppid", args.calls))
        got["sensor + empty program"].append(under_floor(args, "empty"))
        got["sensor + task storage"].append(under_floor(args, "task-storage"))
    finally:
        mon.stop()
    mon = Monitor(args.vigil, workdir, ["--ph-no-persist"])
    try:
        workload(args.workload, "getppid", args.calls // 10)  # its profile learns
        got["sensor + pH"].append(workload(args.workload, "getppid", args.calls))
    finally:
        mon.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--calls", type=int, default=2000000)
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("floor.py: needs root (it loads BPF programs)")
    args.vigil = os.path.abspath(os.path.join(args.build, "vigil"))
    args.workload = os.path.abspath(os.path.join(args.build, "bench", "workload"))
    args.floor = os.path.abspath(os.path.join(args.build, "bench", "floor"))
    got = {row: [] for row in ROWS}
    with tempfile.TemporaryDirectory(prefix="vigil-floor-") as workdir:
        for _ in range(args.runs):
            round_(args, workdir, got)
    off, sensor = statistics.median(got["off"]), statistics.median(got["sensor"])
    print(f"getppid, ns per call: medians of {args.runs} rounds")
    for row in ROWS:
        m = statistics.median(got[row])
        on_sensor = row.startswith("sensor +")
        base = sensor if on_sensor else off
        print(f"  {row:24s} {m:7.1f}   {m - base:+6.1f} over {'sensor' if on_sensor else 'off'}")


if __name__ == "__main__":
    main()
