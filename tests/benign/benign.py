"""Runs the benign corpus (tests/benign/corpus.sh) under a vigil with the
default rules and counts the alerts whose subject descends from the corpus,
per rule. Used by tests/e2e/test_benign.py (one pass, zero alerts wanted)
and bench/benign.py (a loop of a few minutes, alerts per hour per rule).

Whose alert is it: vigil loads the default rules unchanged plus an overlay
(tests/e2e/suite_watch.py's) that appends the subject's pid and its
ancestors' pids to every output; an alert counts when the corpus's pid is
among them. The machine's own activity (other tests, the infrastructure) is
not counted. Safety: vigil and the corpus are ours and stopped by their pid;
the corpus stays on loopback and cleans up after itself."""
import collections
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus.sh")
DEFAULT_RULES = os.path.join(TOP, "rules", "vigil_rules.yaml")
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
import suite_watch  # noqa: E402  (the lineage overlay)
from stop_vigil import stop_vigil  # noqa: E402


def _pid(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


class Session:
    """One vigil with the default rules (+ lineage overlay), any number of
    corpus passes, then the corpus's alerts."""

    def __init__(self, vigil, rules=DEFAULT_RULES, extra=()):
        self.dir = tempfile.mkdtemp(prefix="vigil-benign-run-")
        self.out = os.path.join(self.dir, "alerts.jsonl")
        self.err = os.path.join(self.dir, "stderr.txt")
        overlay = os.path.join(self.dir, "lineage.yaml")
        suite_watch._overlay(overlay, suite_watch._rule_names(rules))
        self.args = [vigil, "run", "--json", "--output-file", self.out, "--stats-interval", "0",
                     "--lock-file", os.path.join(self.dir, "lock"), "--control-socket", "none",
                     "--no-ph", "--rules", rules, "--rules", overlay] + list(extra)
        self.proc = None
        self.corpus_pids = set()
        self.passes = []  # (returncode, output) of each pass

    def __enter__(self):
        with open(self.err, "w") as errf:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=errf)
        deadline = time.time() + 60
        while time.time() < deadline:
            if "vigil: ready" in self.stderr():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("vigil did not start:\n" + self.stderr()[-3000:])

    def __exit__(self, *exc):
        self.stop()
        return False

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def run_corpus(self, steps=(), timeout=600):
        p = subprocess.Popen(["bash", CORPUS] + list(steps), cwd="/", stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.corpus_pids.add(p.pid)
        out, _ = p.communicate(timeout=timeout)
        self.passes.append((p.returncode, out))
        return p.returncode, out

    def stop(self):
        stop_vigil(self.proc, settle=0.5)  # the last records

    def alerts(self):
        """The alerts about the corpus's processes."""
        import json
        mine = []
        if not os.path.exists(self.out):
            return mine
        with open(self.out, "rb") as f:
            for line in f:
                a = json.loads(line)
                of = a.get("output_fields", {})
                lineage = [_pid(of.get("proc.pid"))] + \
                          [_pid(of.get(f"proc.apid[{k}]")) for k in range(1, suite_watch.DEPTH + 1)]
                if self.corpus_pids.intersection(lineage):
                    mine.append(a)
        return mine

    def remove(self):
        subprocess.run(["rm", "-rf", self.dir])


def per_rule(alerts):
    return collections.Counter(a["rule"] for a in alerts)
