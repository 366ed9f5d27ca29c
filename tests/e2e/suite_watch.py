"""The default rules stay quiet during the test suite's own normal activity.

tests/run.py starts one `vigil run` with the default rules before the first
real-kernel test and stops it after the last; `check()` then fails if any
alert came from a process the suite started that was not a deliberate
trigger. (Not a test_*.py file: the runner calls it, it is not collected.)

How an alert is judged:

- Whose is it? The watcher sees the whole machine. An alert counts only if
  the runner's own process is the subject or one of its ancestors
  (proc.apid[1..DEPTH]); other programs on the machine are not the suite's
  business. A process that was re-parented (a daemon, an orphan) loses that
  link and is not judged.
- Deliberate triggers are excluded, recognised in two ways:
  1. the subject or an ancestor is one of the trigger programs of
     tests/bin (vigil-trigger, vigil-attack, vigil-phtest), by executable
     path (proc.exepath, proc.aexepath[1..DEPTH]);
  2. a test's own monitor (vigil_harness.Monitor, JSON output) raised an
     alert naming the same process (proc.pid): the test provoked it on
     purpose and checked it;
  3. a test declared the process deliberate (vigil_harness.deliberate() or
     run_deliberate()), for triggers whose monitor cannot tell (Falco's
     outputs rarely name proc.pid; text output; pH-only monitors).
  The descendants of a deliberate process are deliberate too (a trigger's
  shell, its children), but never the runner or anything above it. Tests
  also act in the runner's own process (write a .bash_history, listen on a
  socket): an alert about the runner is excused only when a test's monitor
  raised the same rule about it.
- Expected, with a reason: the vigil binary under test runs from the build
  directory, so the rules that allow BPF loaders only when they run from a
  system directory report it (EXPECTED below). That is the rule working:
  allowing any program named vigil would let any copy load BPF.

The alerts need the lineage, which the default outputs do not carry: the
watcher loads the default rules unchanged plus a file, generated here, that
appends %proc.pid, %proc.exepath and the ancestors' pids and executable
paths to every rule's output ("override: output: append"), so conditions
are exactly the default ones.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from stop_vigil import stop_vigil

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_RULES = os.path.join(TOP, "rules", "vigil_rules.yaml")
DEPTH = 12
# every program of tests/bin exists to be caught
TRIGGERS = ("vigil-trigger", "vigil-attack", "vigil-phtest", "vigil-phsig", "vigil-overload",
            "vigil-bpfload", "vigil-marker", "vigil-flood")
# (rule, executable below the build directory): alerts the suite's own
# infrastructure raises by design (see the module doc)
EXPECTED = {
    ("BPF program loaded by unexpected program", "vigil"),
    ("Kernel or user probe attached by unexpected program", "vigil"),
    ("Environment of another process read", "vigil"),  # seeding from /proc
    ("Writable and executable memory mapping", "vigil"),  # PCRE2's JIT
    ("Probe on the PAM library", "vigil"),  # its own libpam probes (docs/auth.md)
    # a checkout below /tmp (a CI clone): the binary under test runs from there
    ("Execution from a world-writable directory", "vigil"),
}


def _rule_names(path):
    """Rule names of a rules file. The default file writes them plain, one
    per '- rule:' line (no YAML module needed)."""
    names = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^- rule:\s*(.+?)\s*$", line)
            if m:
                names.append(m.group(1).strip("'\""))
    return names


def _overlay(path, names):
    fields = ["%proc.pid", "%proc.exepath"]
    for k in range(1, DEPTH + 1):
        fields += [f"%proc.apid[{k}]", f"%proc.aexepath[{k}]"]
    with open(path, "w") as f:
        for n in names:
            f.write(f"- rule: {json.dumps(n)}\n"
                    f"  output: {json.dumps('suite-watch ' + ' '.join(fields))}\n"
                    f"  override:\n    output: append\n\n")


class Watch:
    def __init__(self, build):
        self.build = build
        self.vigil = os.path.join(build, "vigil")
        self.dir = tempfile.mkdtemp(prefix="vigil-suite-watch-")
        self.out = os.path.join(self.dir, "alerts.jsonl")
        self.err = os.path.join(self.dir, "stderr.txt")
        self.overlay = os.path.join(self.dir, "lineage.yaml")
        self.proc = None
        self.error = None

    def start(self, timeout=60):
        names = _rule_names(DEFAULT_RULES)
        if not names:
            self.error = f"no rule names found in {DEFAULT_RULES}"
            return self
        _overlay(self.overlay, names)
        with open(self.err, "w") as errf:
            self.proc = subprocess.Popen(
                [self.vigil, "run", "--json", "--output-file", self.out,
                 "--stats-interval", "0", "--lock-file", os.path.join(self.dir, "lock"),
                 "--no-ph", "--control-socket", "none",
                 "--rules", DEFAULT_RULES, "--rules", self.overlay],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errf)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "vigil: ready" in self._stderr():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.error = "the watcher did not start:\n" + self._stderr()[-3000:]
        self.stop()
        return self

    def _stderr(self):
        try:
            with open(self.err, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """Stops our own watcher, by its pid."""
        stop_vigil(self.proc)

    def alerts(self):
        out = []
        if not os.path.exists(self.out):
            return out
        with open(self.out, "rb") as f:
            for line in f:
                out.append(json.loads(line.decode("utf-8")))
        return out

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def _pid(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def watcher_drops(stderr):
    """The records the watcher itself lost (its exit line), 0 if it lost none."""
    m = re.findall(r"vigil: exit events=\d+ rate=\S+ drops=(\d+)", stderr)
    return int(m[-1]) if m else 0


def judge(alerts, runner_pid, build, deliberate_pids, deliberate_alerts=(), deliberate_exes=(),
          watcher_dropped=False):
    """Splits the suite's alerts into (unexplained, counts by reason).

    watcher_dropped: the watcher lost records (the suite's own floods, e.g.
    test_overload's million opens, can fill its ring). An alert whose
    program it never saw exec (no proc.exepath) then cannot be judged: the
    lost exec may be a trigger's. Counted apart, never excused otherwise."""
    bin_dir = os.path.join(build, "tests", "bin") + os.sep
    vigil = os.path.join(build, "vigil")
    bad, counts = [], {"machine": 0, "trigger": 0, "deliberate": 0, "expected": 0,
                       "unjudgeable": 0}
    for a in alerts:
        of = a.get("output_fields", {})
        pid = _pid(of.get("proc.pid"))
        lineage = [pid] + [_pid(of.get(f"proc.apid[{k}]")) for k in range(1, DEPTH + 1)]
        exes = [of.get("proc.exepath") or ""] + \
               [of.get(f"proc.aexepath[{k}]") or "" for k in range(1, DEPTH + 1)]
        if runner_pid not in lineage:
            counts["machine"] += 1
            continue
        # the process and its ancestors below the runner
        below = lineage.index(runner_pid)
        if any(e.startswith(bin_dir) and os.path.basename(e) in TRIGGERS or e in deliberate_exes
               for e in exes[:below]):
            counts["trigger"] += 1
        elif any(p in deliberate_pids for p in lineage[:below]) or \
                (pid, a.get("rule")) in deliberate_alerts:
            counts["deliberate"] += 1
        elif exes[0] == vigil and (a.get("rule"), "vigil") in EXPECTED:
            counts["expected"] += 1
        elif watcher_dropped and exes[0] in ("", "<NA>"):
            counts["unjudgeable"] += 1
        else:
            bad.append(a)
    return bad, counts


def check(watch, runner_pid, deliberate_pids, deliberate_alerts=(), deliberate_exes=()):
    """Raises AssertionError listing the unexplained alerts; returns a
    summary for the runner's PASS line."""
    if watch.error:
        raise AssertionError(watch.error)
    watch.stop()
    if watch.proc.returncode not in (0, None):
        raise AssertionError(f"the watcher exited {watch.proc.returncode}:\n"
                             + watch._stderr()[-3000:])
    alerts = watch.alerts()
    bad, counts = judge(alerts, runner_pid, watch.build, deliberate_pids, deliberate_alerts,
                        deliberate_exes, watcher_drops(watch._stderr()) > 0)
    if bad:
        kinds = {}
        for a in bad:
            key = (a["rule"], a.get("output_fields", {}).get("proc.exepath"))
            kinds.setdefault(key, []).append(a)
        lines = [f"{len(v)} x {k[0]} by {k[1]}, e.g.: {v[0]['output'][:700]}"
                 for k, v in sorted(kinds.items(), key=lambda kv: -len(kv[1]))]
        raise AssertionError(f"{len(bad)} alert(s) from the suite's own activity:\n"
                             + "\n".join(lines[:40]))
    return "[" + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" of {len(alerts)} alerts]"
