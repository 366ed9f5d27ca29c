#!/usr/bin/python3
"""What pH's per-call program costs (docs/ph.md, "Cost").

1. ns per call of *this* monitor's `vg_sys_exit` (run_time_ns / run_cnt of
   its own program id; pH's per-call step runs inside it), across `workload
   getppid N`, without pH (--no-ph), and with pH in training and in normal
   mode: the difference is pH's step. Run-time statistics are switched on with a BPF_ENABLE_STATS file
   descriptor for as long as this script needs them (the sysctl
   kernel.bpf_stats_enabled is left alone: other monitors may use it).
2. Wall time of `workload MODE N` with pH on and off (`--no-ph`), statistics
   off, the order of the two alternating from round to round.

Other monitors on the machine (their programs run on every call too) are in
both columns of (2) and not in (1).

    bench/ph_cost.py [--build build] [--runs 5] [--no-wall] [--no-stats]
"""
import argparse
import ctypes
import json
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time

SYS_BPF = 321 if os.uname().machine == "x86_64" else 280
BPF_ENABLE_STATS = 32
WALL_MODES = [("getppid", 2000000), ("openclose", 200000), ("forkexec", 3000)]


def enable_stats():
    """A file descriptor that keeps run-time statistics on until closed."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint8 * 128)()  # enable_stats.type = BPF_STATS_RUN_TIME (0)
    fd = libc.syscall(SYS_BPF, BPF_ENABLE_STATS, ctypes.byref(attr), len(attr))
    if fd < 0:
        raise SystemExit(f"BPF_ENABLE_STATS: {os.strerror(ctypes.get_errno())}")
    return fd


class Monitor:
    def __init__(self, vigil, workdir, args, defaults=False):
        """defaults: the default rules and PAM probes too (else neither)."""
        self.log = os.path.join(workdir, "vigil.log")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [vigil, "run", "--duration", "900"] + ([] if defaults else ["--no-rules", "--no-auth"]) +
                ["--lock-file", os.path.join(workdir, "lock"),
                 "--control-socket", os.path.join(workdir, "sock")] + args,
                stdout=out, stderr=out)
        deadline = time.monotonic() + 60
        while not re.search(r"^vigil: ready", self.text(), re.M):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("vigil did not start:\n" + self.text())
            time.sleep(0.05)

    def text(self):
        with open(self.log) as f:
            return f.read()

    def prog_id(self, name):
        """Id of our program `name`, from the prog_id lines of our fdinfo."""
        ids = set()
        fdinfo = f"/proc/{self.proc.pid}/fdinfo"
        for fd in os.listdir(fdinfo):
            try:
                with open(os.path.join(fdinfo, fd)) as f:
                    m = re.search(r"^prog_id:\s*(\d+)", f.read(), re.M)
            except OSError:
                continue
            if m:
                ids.add(int(m.group(1)))
        for i in ids:
            if prog_show(i).get("name") == name:
                return i
        raise SystemExit(f"no program {name} in the monitor")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(60)


def prog_show(prog_id):
    return json.loads(subprocess.check_output(["bpftool", "-j", "prog", "show", "id", str(prog_id)]))


def workload(binary, mode, n):
    return float(subprocess.check_output([binary, mode, str(n)]).split()[0])


def per_call(args, workdir):
    fd = enable_stats()
    try:
        for phase, extra in (("no pH", ["--no-ph"]), ("training", ["--ph-no-persist"]),
                             ("normal", ["--ph-no-persist", "--ph-normal-wait", "1"])):
            mon = Monitor(args.vigil, workdir, extra)
            try:
                prog = mon.prog_id("vg_sys_exit")
                for _ in range(3):  # the workload's profile learns (and becomes normal)
                    workload(args.workload, "getppid", 200000)
                    time.sleep(1.2)
                ns = []
                for _ in range(args.runs):
                    a = prog_show(prog)
                    workload(args.workload, "getppid", args.calls)
                    b = prog_show(prog)
                    calls = b.get("run_cnt", 0) - a.get("run_cnt", 0)
                    ns.append((b.get("run_time_ns", 0) - a.get("run_time_ns", 0)) / max(1, calls))
            finally:
                mon.stop()
            print(f"vg_sys_exit {phase:8s} median {statistics.median(ns):6.1f} ns/call"
                  f"  runs {[round(x) for x in ns]}", flush=True)
    finally:
        os.close(fd)


def wall(args, workdir):
    on, off = ["--ph-no-persist"], ["--no-ph"]
    times = {m: {"on": [], "off": []} for m, _ in WALL_MODES}
    for r in range(args.runs):
        for label, extra in ((("off", off), ("on", on)) if r % 2 == 0 else (("on", on), ("off", off))):
            mon = Monitor(args.vigil, workdir, extra)
            try:
                for mode, n in WALL_MODES:
                    workload(args.workload, mode, max(1, n // 10))  # warm-up, learning
                    times[mode][label].append(workload(args.workload, mode, n))
            finally:
                mon.stop()
    for mode, n in WALL_MODES:
        a, b = statistics.median(times[mode]["off"]), statistics.median(times[mode]["on"])
        print(f"{mode:10s} N={n:<8d} without pH {a:11.1f} ns  with pH {b:11.1f} ns"
              f"  pH adds {b - a:+10.1f} ns ({(b / a - 1) * 100:+.1f}%)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--calls", type=int, default=2000000, help="getppid calls per stats run")
    ap.add_argument("--no-stats", action="store_true")
    ap.add_argument("--no-wall", action="store_true")
    args = ap.parse_args()
    args.vigil = os.path.abspath(os.path.join(args.build, "vigil"))
    args.workload = os.path.abspath(os.path.join(args.build, "bench", "workload"))
    with tempfile.TemporaryDirectory(prefix="vigil-phcost-") as workdir:
        if not args.no_stats:
            per_call(args, workdir)
        if not args.no_wall:
            wall(args, workdir)


if __name__ == "__main__":
    main()
