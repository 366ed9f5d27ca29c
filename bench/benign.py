#!/usr/bin/env python3
"""Alerts per hour of ordinary activity: loops the benign corpus
(tests/benign/corpus.sh) for --seconds under a vigil with the default rules
and reports, per rule, the alerts whose subject descends from the corpus,
scaled to one hour of that activity. Target: 0 for every rule.

    bench/benign.py [--build build] [--seconds 180] [--vigil PATH] [--rules FILE]
                    [--json FILE]

--vigil and --rules measure another build or rule file (the before/after of
a change: e.g. a checkout of main). Root; the corpus stays on loopback and
cleans up after itself."""
import argparse
import json
import os
import sys
import time

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "benign"))
import benign  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--vigil", help="vigil binary (default: BUILD/vigil)")
    ap.add_argument("--rules", default=benign.DEFAULT_RULES)
    ap.add_argument("--json", help="write the numbers here")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/benign.py: run as root (the corpus adds a user and a package)")
    vigil = a.vigil or os.path.join(a.build, "vigil")
    failed = []
    with benign.Session(vigil, rules=a.rules) as s:
        start = time.monotonic()
        while time.monotonic() - start < a.seconds:
            rc, out = s.run_corpus()
            if rc:
                failed.append(out)
        elapsed = time.monotonic() - start
    counts = benign.per_rule(s.alerts())
    s.remove()
    hours = elapsed / 3600
    print(f"benign corpus: {len(s.passes)} passes in {elapsed:.0f} s "
          f"({vigil}, {os.path.relpath(a.rules, TOP) if a.rules.startswith(TOP) else a.rules})")
    if failed:
        print(f"  {len(failed)} passes had a failing step; the last:\n{failed[-1]}")
    total = sum(counts.values())
    print(f"  {'alerts/hour':>12}  rule")
    for rule, n in counts.most_common():
        print(f"  {n / hours:12.0f}  {rule}")
    print(f"  {total / hours:12.0f}  all rules ({total} alerts)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"passes": len(s.passes), "seconds": elapsed, "vigil": vigil,
                       "rules": a.rules, "alerts": dict(counts),
                       "per_hour": {r: n / hours for r, n in counts.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
