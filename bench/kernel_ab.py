#!/usr/bin/env python3
"""kernel_ab.py: the in-kernel cost of two vigil builds, measured on the same calls.

    bench/kernel_ab.py [--rounds N] [--workloads W:N,...] [--args-a ARGS] [--args-b ARGS]
                       BUILD_A BUILD_B [-- VIGIL_ARGS...]

Both builds' `vigil run` (the defaults: rules, pH, auth; --ph-no-persist) are
attached AT ONCE, each with the kernel's BPF run-time statistics
(`sensor.bpf_stats`), and the workloads run under both: every system call of
every task then runs both builds' programs, so each program's ns per call is
measured over the very same calls. On a machine shared with other work the
wall time of a workload drifts by 30-50% from one run to the next (bench/run.py
can then resolve nothing smaller); this comparison does not depend on it.

The program attached second finds the caches warm that the first one loaded
(the same task, file and credentials), which favours it: the order is swapped
every round, and the report gives each build's median over the rounds.

Per program: calls during the workload (all tasks') and ns per call; the
difference B - A per call. A program only one build has shows "-" on the
other side; "exec, all", "fork, all" and "exit, all" add up the programs a
build runs on that tracepoint (older builds ran pH's ph_exec, ph_fork and
ph_exit beside vg_exec, vg_fork and vg_exit), so builds compare per event.
The calls are every task's, not only the
workload's: on a busy machine other tasks' calls (a new program's slow pH
calls, say) weigh in each program's average, alike for both builds. The
last line, "all, per op", is every program's run time during the workload
divided by the workload's operations (one open+close, one getppid, one
fork+exec+wait): what the builds add per operation, other tasks' calls
included. Programs are those of each vigil's own descriptors
(/proc/PID/fdinfo), so other monitors on the machine do not count. Root only;
both monitors are stopped on every path.

--args-a / --args-b add arguments to one side only (split on spaces): the
same build twice with `--args-b=--no-ph` measures what pH's step costs inside
vg_sys_exit.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# ph_exec, ph_fork and ph_exit are programs of older builds (pH's steps now
# run inside vg_exec, vg_fork and vg_exit): listed to compare with those
PROGRAMS = ["vg_sys_exit", "vg_exec", "vg_fork", "vg_exit", "ph_exec", "ph_fork", "ph_exit"]
# what one exec, fork or exit costs, whichever programs a build runs there
# (each runs once per event): rows "exec, all" etc.
TRACEPOINTS = {"exec, all": ["vg_exec", "ph_exec"], "fork, all": ["vg_fork", "ph_fork"],
               "exit, all": ["vg_exit", "ph_exit"]}


def prog_ids(pid):
    ids = set()
    d = f"/proc/{pid}/fdinfo"
    for f in os.listdir(d):
        try:
            with open(os.path.join(d, f)) as fh:
                for line in fh:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def snapshot(ids):
    out = json.loads(subprocess.check_output(["bpftool", "-j", "prog", "show"]))
    return {p["name"]: (p.get("run_cnt", 0), p.get("run_time_ns", 0))
            for p in out if p["id"] in ids}


class Vigil:
    def __init__(self, build, tag, workdir, extra):
        self.tag = tag
        self.err = os.path.join(workdir, f"{tag}.err")
        argv = [os.path.join(build, "vigil"), "run", "--duration", "1800",
                "--lock-file", os.path.join(workdir, f"{tag}.lock"), "--control-socket", "none",
                "--ph-no-persist", "--set", "sensor.bpf_stats=true", "--stats-interval", "0",
                "-o", os.path.join(workdir, f"{tag}-alerts.log")] + extra
        with open(self.err, "w") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err,
                                         start_new_session=True)
        deadline = time.monotonic() + 120
        while "vigil: ready" not in open(self.err, errors="replace").read():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"kernel_ab: {build}/vigil did not start:\n"
                         + open(self.err, errors="replace").read()[-2000:])
            time.sleep(0.2)
        self.ids = prog_ids(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=4, help="rounds, order swapped each (4)")
    ap.add_argument("--workloads", default="openclose:400000,getppid:1000000,forkexec:1000")
    ap.add_argument("--workload-bin", default=os.path.join(TOP, "build", "bench", "workload"))
    ap.add_argument("--args-a", default="", help="arguments for build A's vigil only")
    ap.add_argument("--args-b", default="", help="arguments for build B's vigil only")
    ap.add_argument("build_a")
    ap.add_argument("build_b")
    ap.add_argument("vigil_args", nargs="*")
    args = ap.parse_args()
    loads = [(w.split(":")[0], w.split(":")[1]) for w in args.workloads.split(",")]
    # per workload, build, program: list of ns per call (one per round)
    res = {w: {b: {p: [] for p in list(PROGRAMS) + list(TRACEPOINTS)} for b in "AB"}
           for w, _ in loads}
    # per workload, build: all programs' run time per workload operation
    per_op = {w: {b: [] for b in "AB"} for w, _ in loads}
    calls = {w: {} for w, _ in loads}
    workdir = tempfile.mkdtemp(prefix="vigil-kab-", dir="/tmp")
    for r in range(args.rounds):
        order = [("A", args.build_a, args.args_a.split()),
                 ("B", args.build_b, args.args_b.split())]
        if r % 2:
            order.reverse()
        mons = {}
        try:
            for tag, build, own in order:  # attached in this order: the second runs second
                mons[tag] = Vigil(build, tag, workdir, args.vigil_args + own)
            for w, n in loads:
                subprocess.run([args.workload_bin, w, str(max(1, int(n) // 10))],
                               stdout=subprocess.DEVNULL, check=True)
                before = {t: snapshot(m.ids) for t, m in mons.items()}
                subprocess.run([args.workload_bin, w, n], stdout=subprocess.DEVNULL, check=True)
                after = {t: snapshot(m.ids) for t, m in mons.items()}
                for t in mons:
                    total = sum(after[t][p][1] - before[t][p][1] for p in after[t]
                                if p in before[t])
                    per_op[w][t].append(total / int(n))
                    for p in PROGRAMS:
                        if p in after[t] and p in before[t]:
                            dc = after[t][p][0] - before[t][p][0]
                            dt = after[t][p][1] - before[t][p][1]
                            if dc:
                                res[w][t][p].append(dt / dc)
                                calls[w][p] = dc
                    for tp, progs in TRACEPOINTS.items():
                        got = [res[w][t][p][-1] for p in progs
                               if p in after[t] and p in before[t]
                               and after[t][p][0] > before[t][p][0]]
                        if got:
                            res[w][t][tp].append(sum(got))
                            calls[w][tp] = max(calls[w].get(p, 0) for p in progs)
        finally:
            for m in mons.values():
                m.stop()
        print(f"round {r + 1}/{args.rounds} done (first attached: {order[0][0]})",
              file=sys.stderr)
    print(f"in-kernel ns per call, both builds attached at once (same calls), median of "
          f"{args.rounds} rounds, order swapped each round\nA = {args.build_a} {args.args_a}\n"
          f"B = {args.build_b} {args.args_b}")
    n_of = dict(loads)
    for w, _ in loads:
        print(f"\n{w}")
        print(f"  {'program':<14}{'calls/round':>12}{'A ns':>10}{'B ns':>10}{'B - A':>10}")
        for p in list(PROGRAMS) + list(TRACEPOINTS):
            a, b = res[w]["A"][p], res[w]["B"][p]
            if not a and not b:
                continue
            if not a or not b:  # a program only one build has
                ma, mb = statistics.median(a or b), "-"
                fa, fb = (f"{ma:.1f}", "-") if a else ("-", f"{ma:.1f}")
                print(f"  {p:<14}{calls[w].get(p, 0):>12}{fa:>10}{fb:>10}{'':>10}")
                continue
            ma, mb = statistics.median(a), statistics.median(b)
            print(f"  {p:<14}{calls[w].get(p, 0):>12}{ma:>10.1f}{mb:>10.1f}{mb - ma:>+10.1f}")
        ma, mb = statistics.median(per_op[w]["A"]), statistics.median(per_op[w]["B"])
        print(f"  {'all, per op':<14}{n_of[w]:>12}{ma:>10.1f}{mb:>10.1f}{mb - ma:>+10.1f}")


if __name__ == "__main__":
    main()
