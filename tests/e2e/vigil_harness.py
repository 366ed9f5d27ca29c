"""Helpers for the real-kernel tests: start the real monitor, run the
trigger program, stop the monitor by its pid, read the JSON events back."""
import json
import os
import signal
import re
import shutil
import subprocess
import tempfile
import time
import traceback

from stop_vigil import stop_vigil

BUILD = os.environ.get("VIGIL_BUILD", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
VIGIL = os.path.join(BUILD, "vigil")
TRIGGER = os.path.join(BUILD, "tests", "bin", "vigil-trigger")


_made_dirs = []
# every Monitor a test started, in order: the runner names the drops of a
# failed test's monitors (tests/run.py, drops_note)
monitors = []
# Pids of deliberate triggers: what a test's own monitor alerted about, and
# what tests declare with deliberate() / run_deliberate(). The suite-wide
# watcher (tests/e2e/suite_watch.py) does not count their alerts.
deliberate_pids = set()
# (pid, rule) of every alert a test's own monitor raised
deliberate_alerts = set()
deliberate_exes = set()  # copies of the test programs (copy_program)


def deliberate(*pids):
    """Declares processes a test starts to be caught (they may alert)."""
    deliberate_pids.update(int(p) for p in pids)


def deliberate_rule(pid, rule):
    """Declares that this process will provoke this rule on purpose (the
    test runner cleaning up what a trigger planted)."""
    deliberate_alerts.add((int(pid), rule))


def kill_groups(procs):
    """Ends our own processes started with start_new_session, each with its
    whole process group (a flooder's children too), and reaps them."""
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def copy_program(src, dst):
    """Copies a test program (a fresh inode, as the pH tests need) into a
    temporary directory: the runner does this on purpose, and the default
    rules rightly call it an executable dropped in a writable directory."""
    shutil.copy(src, dst)
    deliberate_rule(os.getpid(), "Executable dropped in a writable directory")
    deliberate_exes.add(os.path.realpath(dst))  # the copy is a trigger like the original
    return dst


def run_deliberate(argv, **kw):
    """subprocess.run for a deliberate trigger: its pid is declared."""
    timeout = kw.pop("timeout", 300)
    kw.pop("capture_output", None)  # it always captures
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, **kw) as p:
        deliberate(p.pid)
        out, err = p.communicate(timeout=timeout)
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


def cleanup():
    """Removes the monitors' temporary directories (the runner calls this
    once every test has read its results)."""
    while _made_dirs:
        shutil.rmtree(_made_dirs.pop(), ignore_errors=True)


class Monitor:
    """`vigil run` in the background; use as a context manager."""

    def __init__(self, *extra, events=True, json_out=True, ready_timeout=30):
        self.dir = tempfile.mkdtemp(prefix="vigil-e2e-")
        _made_dirs.append(self.dir)
        self.out = os.path.join(self.dir, "events.jsonl")
        self.err = os.path.join(self.dir, "stderr.txt")
        self.sock = os.path.join(self.dir, "vigil.sock")  # control socket, per monitor
        self.json_out = json_out
        self.args = [VIGIL, "run", "--output-file", self.out, "--stats-interval", "0",
                     "--lock-file", os.path.join(self.dir, "vigil.lock"),
                     "--control-socket", self.sock,
                     # pH profiles of a test never land in /var/lib/vigil
                     "--ph-state-dir", os.path.join(self.dir, "profiles"),
                     # pH is on by default; a test that wants it says --ph
                     # (specific options win over --set)
                     "--set", "ph.enabled=false",
                     # every alert of a test counts: folding of repeats
                     # (alerts.repeat_window) is asked for by its own tests
                     "--set", "alerts.repeat_window=0"]
        if events:
            self.args.append("--events")
        if json_out:
            self.args.append("--json")
        self.args += list(extra)
        self.ready_timeout = ready_timeout
        self.proc = None
        self.exit_stats = None

    def __enter__(self):
        monitors.append(self)
        errf = open(self.err, "w")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=errf,
                                     stdin=subprocess.DEVNULL)
        errf.close()
        deadline = time.time() + self.ready_timeout
        while time.time() < deadline:
            if "vigil: ready" in self.stderr():
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"vigil exited early ({self.proc.returncode}):\n{self.stderr()}")
            time.sleep(0.05)
        self.stop()
        raise AssertionError("vigil did not become ready:\n" + self.stderr())

    def __exit__(self, *exc):
        self.stop()
        return False

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def stop(self, timeout=60):
        """Stops our own monitor (by its pid) and parses its exit line."""
        # the last records reach the ring buffer first (stop_vigil)
        if not stop_vigil(self.proc, timeout=timeout):
            raise AssertionError("vigil did not stop on SIGINT")
        self._note_alerted()
        m = re.search(r"vigil: exit events=(\d+) rate=\S+ drops=(\d+)(?: \(([^)]*)\))? "
                      r"malformed=(\d+) socketcall32=\d+ coalesced=(\d+)", self.stderr())
        if m:
            by_type = dict(kv.split("=") for kv in (m.group(3) or "").split() if "=" in kv)
            self.exit_stats = {"events": int(m.group(1)), "drops": int(m.group(2)),
                               "drops_by_type": {k: int(v) for k, v in by_type.items()},
                               "malformed": int(m.group(4)), "coalesced": int(m.group(5))}
            # records shed to keep room for vital ones (bpf/vg_shed.h), by type
            s = re.search(r"vigil: exit .* shed=(\d+)(?: \(([^)]*)\))?", self.stderr())
            self.exit_stats["shed"] = int(s.group(1)) if s else 0
            self.exit_stats["shed_by_type"] = {
                k: int(v) for k, v in (kv.split("=") for kv in
                                       ((s and s.group(2)) or "").split() if "=" in kv)}
        return self.proc.returncode if self.proc else None

    def _note_alerted(self):
        """What this monitor alerted about was provoked by its test."""
        if not self.json_out or not os.path.exists(self.out):
            return
        with open(self.out, "rb") as f:
            for line in f:
                if b'"priority":"Debug"' in line:
                    continue
                try:
                    e = json.loads(line)
                    pid = int(e["output_fields"]["proc.pid"])
                except (ValueError, KeyError, TypeError):
                    continue
                deliberate(pid)
                deliberate_alerts.add((pid, e.get("rule")))

    def events(self):
        out = []
        with open(self.out, "rb") as f:
            for line in f:
                out.append(json.loads(line.decode("utf-8")))  # must be valid UTF-8 JSON
        return out


def trigger(*args, check=True):
    """Runs vigil-trigger; returns its key=value lines as a dict of strings."""
    p = subprocess.run([TRIGGER] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise AssertionError(f"vigil-trigger {args} failed ({p.returncode}): {p.stderr}")
    kv = {}
    for line in p.stdout.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            kv[k] = v
    return kv


def of_pid(events, pid):
    pid = int(pid)
    return [e for e in events if e["output_fields"].get("proc.pid") == pid]


def find(events, rule, **fields):
    """Events with this rule (event type) whose output_fields match."""
    found = []
    for e in events:
        if e["rule"] != rule:
            continue
        of = e["output_fields"]
        if all(of.get(k) == v for k, v in fields.items()):
            found.append(e)
    return found


def expect_one(events, rule, **fields):
    found = find(events, rule, **fields)
    if not found:
        same = [e["output_fields"] for e in events if e["rule"] == rule]
        raise AssertionError(f"no {rule} event with {fields}; {rule} events seen: "
                             f"{json.dumps(same, indent=None)[:3000]}")
    return found[0]["output_fields"]


def assert_no_drops(mon):
    assert mon.exit_stats is not None, "no exit stats line:\n" + mon.stderr()
    assert mon.exit_stats["drops"] == 0, f"drops: {mon.exit_stats}"
    assert mon.exit_stats["malformed"] == 0, f"malformed records: {mon.exit_stats}"


def vigil_programs_loaded():
    """{id: line} of vigil's BPF programs loaded on the machine now (any
    instance: compare ids to tell ours from another's)."""
    p = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True)
    return {int(l.split(":")[0]): l for l in p.stdout.splitlines()
            if re.search(r"name (vg_\w+)", l)}


def once(state, what, start):
    """Runs start() once for a whole test file: start fills the dict state
    and returns it. Later calls return it; a failure is remembered, so every
    test of the file reports it instead of starting again."""
    if "error" in state:
        raise AssertionError(f"the {what} session failed:\n" + state["error"])
    if state:
        return state
    try:
        return start()
    except Exception:
        state["error"] = traceback.format_exc()
        raise
