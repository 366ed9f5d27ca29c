"""make bench, the response row: time from an event to vigil's SIGKILL.

A rule with `action: kill` matches the exec of a program only this bench
runs (a copy of sleep under a unique name in the bench's own directory);
each run starts it and waits for it. Two times per run:
  - event -> kill sent: vigil's `vigil.action_latency_us` (the event's
    kernel timestamp, CLOCK_BOOTTIME, to the moment pidfd_send_signal
    returned, same clock), read back from the alerts;
  - start -> reaped: from Popen to the parent reaping the killed child.
Medians over the runs, once with the default --poll-ms (10) and once with
--poll-ms 1: the reader's poll period dominates the latency.

Safety: only processes this bench started can match the rule."""
import json
import os
import shutil
import signal
import statistics
import subprocess
import time
import uuid


def _rule(path, exe):
    with open(path, "w") as f:
        f.write(f"""- rule: bench response kill
  desc: the bench's own victim was started
  condition: evt.type = execve and proc.exepath = "{exe}"
  output: "bench victim %proc.pid"
  priority: notice
  action: kill
""")


def measure(make_monitor, workdir, runs=30, poll_ms=(10, 1)):
    """make_monitor(args, label) -> a started monitor with .stop(). Returns
    [{poll_ms, runs, killed, latency_us: [...], reaped_us: [...]}]."""
    victim = os.path.join(workdir, "vgb" + uuid.uuid4().hex[:8])
    shutil.copy("/bin/sleep", victim)
    rules = os.path.join(workdir, "response_rules.yaml")
    _rule(rules, victim)
    out = []
    for poll in poll_ms:
        alerts = os.path.join(workdir, f"response-{poll}.jsonl")
        mon = make_monitor(["--rules", rules, "--response", "--json", "--output-file", alerts,
                            "--poll-ms", str(poll), "--stats-interval", "0"],
                           f"response (--poll-ms {poll})")
        reaped, killed = [], 0
        try:
            for _ in range(runs):
                t0 = time.monotonic_ns()
                p = subprocess.Popen([victim, "30"], stdin=subprocess.DEVNULL)
                try:
                    rc = p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()  # our own victim
                    rc = p.wait()
                if rc == -signal.SIGKILL:
                    killed += 1
                    reaped.append((time.monotonic_ns() - t0) / 1000)
                time.sleep(0.02)
        finally:
            mon.stop()
        lat = []
        with open(alerts) as f:
            for line in f:
                of = json.loads(line).get("output_fields", {})
                if of.get("vigil.action") == "killed" and of.get("vigil.action_latency_us") is not None:
                    lat.append(of["vigil.action_latency_us"])
        out.append({"poll_ms": poll, "runs": runs, "killed": killed, "latency_us": lat,
                    "reaped_us": reaped})
    return out


def print_rows(rows):
    print("\nresponse: event → kill latency (rule with action: kill, --response; "
          "median of N runs, µs)")
    print(f"  {'reader':<16}{'runs':>6}{'killed':>8}{'event→kill':>12}{'p90':>9}"
          f"{'start→reaped':>14}")
    for r in rows:
        lat, reap = sorted(r["latency_us"]), sorted(r["reaped_us"])
        med = f"{statistics.median(lat):.0f}" if lat else "n/a"
        p90 = f"{lat[int(0.9 * (len(lat) - 1))]:.0f}" if lat else "n/a"
        rmed = f"{statistics.median(reap):.0f}" if reap else "n/a"
        print(f"  {'--poll-ms ' + str(r['poll_ms']):<16}{r['runs']:>6}{r['killed']:>8}"
              f"{med:>12}{p90:>9}{rmed:>14}")
