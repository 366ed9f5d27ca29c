#!/usr/bin/python3
"""make bench: what vigil costs the system calls it watches, next to auditd.

Times five workloads (bench/workload.c) with the monitor off, with the sensor
alone (`vigil run --no-rules`), with `vigil run` (the default rules), with
`vigil run --events --json` (default rules, every event formatted) and with
auditd watching the same system calls (bench/auditd.rules), in interleaved
rounds so that drift affects every column alike; prints medians, ratios to
"off" and PASS/MISS against the targets. Then drives an open+close flood at
rising rates to find the event rate vigil sustains without drops, reports the
monitors' CPU and peak memory, and times the rule engine alone on a recorded
event stream (bench/engine_bench.c).

Safety: the only processes stopped are the ones this script started, by pid;
monitors get SIGTERM if this script dies (PR_SET_PDEATHSIG); every monitor is
stopped on error or Ctrl-C; an auditd that was already running is left alone
(the auditd column is skipped); no BPF program of vigil may remain afterwards.
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import response_bench

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

# (workload mode, row label, operations per sample)
WORKLOADS = [
    ("getppid", "getppid", 200000),
    ("openclose", "open+close", 20000),
    ("read4k", "read 4 KiB", 100000),
    ("uringread", "io_uring read 4 KiB", 100000),
    ("forkexec", "fork+exec+wait", 500),
    ("connect", "connect+close", 2000),
]

# Passes of every workload per slot; a slot reports each one's fastest pass.
PASSES = 2

# --cpu-time: the workload reports CPU time per operation (its own and its
# waited-for children's) instead of wall time. vigil's programs run in the
# context of the task making the call, so what they add is in it; waiting
# for a CPU other work holds is not, which makes the rows usable on a loaded
# machine. vigil's own user-space CPU is not in it: see "monitor cost".
WORKLOAD_CLOCK = []

# Most that the sensor alone may add to a row, in percent.
TARGETS = {"getppid": 25.0, "openclose": 10.0, "forkexec": 10.0}
# Events per second of CPU time the rule engine must evaluate on one core
# with the default rules (replay of a recorded stream).
ENGINE_TARGET = 1500000
# The default monitor's targets (issue 14), against the floor column (an
# empty program on sys_enter, the least any per-call monitor pays here):
DEFAULT_GETPPID_OVER_FLOOR_NS = 20.0  # getppid: at most floor + 20 ns
DEFAULT_OPENCLOSE_OVER_FLOOR = 10.0   # open+close: at most floor + 10% of off
DEFAULT_FORKEXEC_OVER_OFF = 5.0       # fork+exec+wait: at most 5% over off
PH_PROFILE_BYTES = 16 * 1024          # pH memory per profile
STATS_PH_AVG = re.compile(r"vigil: ph memory profiles=(\d+) .*?avg_per_profile=(\d+)")

# The columns, in order ("off" always runs: every ratio is to it).
CONFIG_KEYS = ["off", "floor", "sensor", "sensor-all", "vigil", "vigil-ph", "vigil-events",
               "auditd"]
EVENTS_ARGS = ["--no-ph", "--events", "--json", "--output-file", "/dev/null"]
AUDIT_KEY = "vigil-bench"
READY_LINE = re.compile(r"^vigil: ready\b", re.M)
STATS_EVENTS = re.compile(r"\bevents=(\d+)")
STATS_DROPS = re.compile(r"\bdrops=(\d+)")
# A monitor that outlives this script (SIGKILL) still stops on its own.
SAFETY_DURATION = 900
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    PR_SET_PDEATHSIG = 1
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def peak_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return None
    return int(m.group(1)) if m else None


def kthread_pid(name):
    """The pid of a kernel thread by its exact name (kauditd does audit's
    kernel-side work; its CPU belongs to auditd's bill)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() == name:
                    return int(entry)
        except OSError:
            pass
    return None


def stop_pid(proc, first_signal, grace):
    """Stop a process we started: first_signal, then SIGKILL after grace s."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, first_signal)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class Monitor:
    """A monitor process we started. start() returns once it is watching;
    usage() measures its CPU since begin_usage(); stop() returns its final
    counters (events, drops) when it reports them."""

    label = "?"

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.errpath = None
        self.t0 = self.ticks0 = None

    def _spawn(self, argv, tag):
        self.errpath = os.path.join(self.workdir, f"{tag}-{time.monotonic_ns()}.err")
        with open(self.errpath, "w") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err,
                                         start_new_session=True,
                                         preexec_fn=_die_with_parent)
        STARTED.append(self)

    def stderr_text(self):
        try:
            with open(self.errpath, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def _died(self, what):
        tail = "\n".join(self.stderr_text().splitlines()[-15:])
        return BenchError(f"{self.label} {what} (exit status {self.proc.returncode})"
                          f"\n--- its stderr ---\n{tail}")

    def _ticks(self):
        return cpu_ticks(self.proc.pid) or 0

    def begin_usage(self):
        if self.proc.poll() is not None:
            raise self._died("exited early")
        self.t0, self.ticks0 = time.monotonic(), self._ticks()

    def usage(self):
        """(CPU % of one core since begin_usage, peak RSS in KiB)."""
        if self.proc.poll() is not None:
            raise self._died("exited during the run")
        secs = time.monotonic() - self.t0
        cpu = (self._ticks() - self.ticks0) / CLK_TCK / secs * 100 if secs > 0 else 0
        return cpu, peak_rss_kib(self.proc.pid), secs

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class VigilMonitor(Monitor):
    def __init__(self, workdir, vigil, args, label, stand_in=False):
        super().__init__(workdir)
        self.vigil, self.args, self.label, self.stand_in = vigil, args, label, stand_in

    def start(self, timeout=60):
        if self.stand_in:
            self._spawn(["sleep", str(SAFETY_DURATION)], "stand-in")
            return
        # its own lock and no control socket: a vigil someone else runs on
        # this machine (a test) must not stop the bench's from starting
        self._spawn([self.vigil, "run", "--duration", str(SAFETY_DURATION),
                     "--lock-file", os.path.join(self.workdir, "vigil.lock"),
                     "--control-socket", "none"] + self.args,
                    "vigil")
        deadline = time.monotonic() + timeout
        while not READY_LINE.search(self.stderr_text()):
            if self.proc.poll() is not None:
                raise self._died("exited before 'vigil: ready'")
            if time.monotonic() > deadline:
                self.stop()
                raise BenchError(f"{self.label}: no 'vigil: ready' on stderr after {timeout} s")
            time.sleep(0.05)
        OUR_PROG_IDS.update(prog_ids_of(self.proc.pid))

    def stop(self):
        """SIGINT, as Ctrl-C would; returns {'events': N, 'drops': N} from
        the last stderr line that has both, or None."""
        stop_pid(self.proc, signal.SIGINT, 15)
        if self.stand_in:
            return None
        text = self.stderr_text()
        for line in reversed(text.splitlines()):
            ev, dr = STATS_EVENTS.search(line), STATS_DROPS.search(line)
            if ev and dr:
                got = {"events": int(ev.group(1)), "drops": int(dr.group(1))}
                ph = STATS_PH_AVG.search(text)
                if ph and int(ph.group(1)):
                    got["ph_profiles"], got["ph_bytes_per_profile"] = \
                        int(ph.group(1)), int(ph.group(2))
                return got
        return None


class EngineBench(Monitor):
    """bench/engine_bench: records a stream with vigil's sensor, then replays
    it through the rule engine. Its BPF programs count as ours."""

    label = "engine_bench"

    def __init__(self, workdir, binary, rule_files, seconds):
        super().__init__(workdir)
        self.binary, self.rule_files, self.seconds = binary, rule_files, seconds
        self.json_path = os.path.join(workdir, "engine.json")

    def run(self, timeout=900):
        self._spawn([self.binary, "--seconds", str(self.seconds), "--json", self.json_path]
                    + self.rule_files, "engine")
        deadline = time.monotonic() + timeout
        seen = False
        while self.proc.poll() is None:
            if not seen and "engine_bench: recording" in self.stderr_text():
                OUR_PROG_IDS.update(prog_ids_of(self.proc.pid))
                seen = True
            if time.monotonic() > deadline:
                self.stop()
                raise BenchError(f"engine_bench did not finish in {timeout} s")
            time.sleep(0.05)
        if self.proc.returncode:
            raise self._died("failed")
        with open(self.json_path) as f:
            return json.load(f)

    def stop(self):
        stop_pid(self.proc, signal.SIGINT, 15)


def audit_status():
    p = subprocess.run(["auditctl", "-s"], capture_output=True, text=True)
    if p.returncode:
        raise BenchError(f"auditctl -s failed: {p.stderr.strip()}")
    return {k: v for k, v in re.findall(r"^(\w+) (\S+)", p.stdout, re.M)}


def auditctl(*args):
    p = subprocess.run(["auditctl", *args], capture_output=True, text=True)
    if p.returncode:
        raise BenchError(f"auditctl {' '.join(args)} failed: {(p.stderr or p.stdout).strip()}")
    return p.stdout


def auditd_unavailable():
    """Why the auditd column cannot be measured, or None if it can."""
    if not shutil.which("auditd") or not shutil.which("auditctl"):
        return "auditd is not installed"
    if not os.path.exists("/etc/audit/auditd.conf"):
        return "/etc/audit/auditd.conf is missing"
    try:
        st = audit_status()
    except (BenchError, OSError) as e:
        return str(e)
    if st.get("pid", "0") != "0":
        return f"an audit daemon is already running (pid {st['pid']}): not touching it"
    if st.get("enabled") == "2":
        return "the audit configuration is locked (enabled 2)"
    rules = [r for r in auditctl("-l").splitlines() if r.strip() and "No rules" not in r]
    ours = os.path.exists(NEVER_TASK_MARK)
    for r in rules:
        if "never,task" in r and not ours:
            return (f"a `-a never,task` audit rule that is not ours (no {NEVER_TASK_MARK}: "
                    f"another tool's, or an older bench's) is loaded: not touching it; if it "
                    f"is a bench's, remove it with `auditctl -d never,task`")
    if any(AUDIT_KEY not in r and "never,task" not in r for r in rules):
        return "audit rules that are not ours are loaded: not touching them"
    if any("never,task" in r for r in rules) and not NEVER_TASK_ADDED:
        # ours, left by a bench that was killed: adopted, so that this run
        # takes it out before its auditd slot and puts it back after
        print(f"bench: the `-a never,task` audit rule is our own ({NEVER_TASK_MARK} says so), "
              "left by an earlier bench: adopting it", file=sys.stderr)
        NEVER_TASK_ADDED.append(True)
    return None


class AuditdMonitor(Monitor):
    """An auditd of our own, in the foreground (-n), logging into a private
    directory (rotated by its own config, removed afterwards), with
    bench/auditd.rules loaded. Restores the kernel's audit settings."""

    label = "auditd"

    def __init__(self, workdir):
        super().__init__(workdir)
        self.confdir = None
        self.kauditd = kthread_pid("kauditd")

    def start(self, timeout=15):
        save_audit_settings()
        never_task(False)  # our own, from the previous slot: this one is audited
        self.confdir = tempfile.mkdtemp(prefix="auditd-", dir=self.workdir)
        with open("/etc/audit/auditd.conf") as f:
            conf = f.read()
        # Debian's settings, but logs in our directory and at most 8 MiB.
        for key, value in (("log_file", f"{self.confdir}/audit.log"),
                           ("max_log_file", "4"), ("num_logs", "2"),
                           ("max_log_file_action", "ROTATE")):
            conf = re.sub(rf"^{key}\s*=.*$", f"{key} = {value}", conf, flags=re.M)
        path = os.path.join(self.confdir, "auditd.conf")
        with open(path, "w") as f:
            f.write(conf)
        os.chmod(path, 0o600)
        self._spawn(["auditd", "-n", "-c", self.confdir], "auditd")
        deadline = time.monotonic() + timeout
        while audit_status().get("pid") != str(self.proc.pid):
            if self.proc.poll() is not None:
                raise self._died("exited at start")
            if time.monotonic() > deadline:
                raise BenchError(f"auditd (pid {self.proc.pid}) did not register with the kernel")
            time.sleep(0.05)
        auditctl("-R", os.path.join(HERE, "auditd.rules"))

    def _ticks(self):
        # auditd's own CPU plus the kernel thread that feeds it.
        return (cpu_ticks(self.proc.pid) or 0) + \
            ((cpu_ticks(self.kauditd) or 0) if self.kauditd else 0)

    def stop(self):
        try:
            remove_audit_rules()
        finally:
            stop_pid(self.proc, signal.SIGTERM, 15)
            try:
                restore_audit_settings()
                # audit was enabled once: every task created from now on
                # would be audited (the slow system-call path) without this
                never_task(True)
            finally:
                shutil.rmtree(self.confdir, ignore_errors=True)
        return None


# Once audit has been enabled (auditd ran), the kernel gives every task
# created afterwards an audit context, and with it the slow system-call path,
# even with audit disabled again, unless a task rule says "never". So after
# each auditd slot, audit is disabled and `-a never,task` added (the next
# "off" runs are not audited); the rule is taken out before the next auditd
# slot and at the end (NEVER_TASK_ADDED says whether it is ours to remove).
# The kernel takes no key on a task rule, so a file tells a rule a killed
# bench left behind (ours: it exists while our rule is loaded) from another's.
NEVER_TASK_MARK = "/run/vigil-bench-never-task"
NEVER_TASK = ("never,task",)
NEVER_TASK_ADDED = []


def never_task(on):
    """Adds (on) or removes our `-a never,task` audit rule, and its mark."""
    if on and not NEVER_TASK_ADDED:
        auditctl("-a", *NEVER_TASK)
        # O_NOFOLLOW | O_EXCL: never written through a planted symlink
        try:
            os.unlink(NEVER_TASK_MARK)
        except FileNotFoundError:
            pass
        fd = os.open(NEVER_TASK_MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.write(fd, f"vigil bench pid {os.getpid()}\n".encode())
        os.close(fd)
        NEVER_TASK_ADDED.append(True)
    elif not on and NEVER_TASK_ADDED:
        auditctl("-d", *NEVER_TASK)
        try:
            os.unlink(NEVER_TASK_MARK)
        except FileNotFoundError:
            pass
        NEVER_TASK_ADDED.clear()


def remove_audit_rules():
    """Delete the rules with our key (and only those)."""
    if any(AUDIT_KEY in r for r in auditctl("-l").splitlines()):
        auditctl("-D", "-k", AUDIT_KEY)


# auditd leaves auditing enabled and our backlog limit behind. The settings
# from before are kept in a root-only file until restored, so that a bench
# killed with SIGKILL is put right by the next one.
AUDIT_SAVED = "/run/vigil-bench-audit.json"
AUDIT_SETTINGS = (("enabled", "-e"), ("backlog_limit", "-b"))


def save_audit_settings():
    if os.path.exists(AUDIT_SAVED):  # from a bench that was killed: the older is right
        return
    st = audit_status()
    with open(AUDIT_SAVED, "w") as f:
        json.dump({k: st[k] for k, _ in AUDIT_SETTINGS if k in st}, f)


def restore_audit_settings():
    """Remove our rules and put back the settings saved before our auditd."""
    remove_audit_rules()
    try:
        with open(AUDIT_SAVED) as f:
            saved = json.load(f)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as e:
        raise BenchError(f"{AUDIT_SAVED}: {e}: restore the audit settings by hand "
                         "(auditctl -e, -b) and delete it")
    now = audit_status()
    for key, flag in AUDIT_SETTINGS:
        if key in saved and now.get(key) != saved[key]:
            auditctl(flag, saved[key])
    os.unlink(AUDIT_SAVED)


STARTED = []
WORKDIR = "/tmp"
OUR_PROG_IDS = set()


def stop_all():
    for mon in STARTED:
        if mon.alive():
            try:
                mon.stop()
            except Exception as e:  # keep stopping the others
                print(f"bench: while stopping {mon.label} (pid {mon.proc.pid}): {e}",
                      file=sys.stderr)


def run_workload(workload, mode, n, prefix=()):
    # TMPDIR: the workload's file goes in our directory under /tmp, removed
    # at the end even if the workload is killed. prefix: a command that runs
    # the workload (bench/floor, whose program is attached only meanwhile).
    p = subprocess.run([*prefix, workload, *WORKLOAD_CLOCK, mode, str(n)],
                       capture_output=True, text=True,
                       timeout=600, env=dict(os.environ, TMPDIR=WORKDIR))
    try:
        if p.returncode == 0:
            return float(p.stdout)
    except ValueError:
        pass
    raise BenchError(f"workload {mode} {n} failed (exit status {p.returncode}): "
                     f"{(p.stderr or p.stdout).strip()}")


def vigil_program_names(build):
    """BPF program names in vigil's skeletons (the kernel keeps 15 chars)."""
    names = set()
    inc = os.path.join(build, "include")
    if os.path.isdir(inc):
        for f in os.listdir(inc):
            if f.endswith(".skel.h"):
                with open(os.path.join(inc, f), errors="replace") as fh:
                    text = fh.read()
                for m in re.finditer(r"progs\[\d+\]\.name = \"([^\"]+)\"", text):
                    names.add(m.group(1)[:15])
    return names


def loaded_programs():
    """{id: name} of every loaded BPF program, or None if bpftool fails."""
    p = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True)
    try:
        if p.returncode == 0:
            return {q["id"]: q.get("name", "") for q in json.loads(p.stdout or "[]")}
    except (ValueError, KeyError, TypeError):
        pass
    return None


def prog_ids_of(pid):
    """Ids of the BPF programs a process holds open (from its fdinfo)."""
    ids = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except OSError:
        return ids
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                m = re.search(r"^prog_id:\s+(\d+)", f.read(), re.M)
        except OSError:
            continue
        if m:
            ids.add(int(m.group(1)))
    return ids


class ForeignVigil:
    """Notices runs during which a vigil we did not start (a test, the lead's
    own) had programs loaded: those runs are not really 'off'."""

    def __init__(self, names):
        self.names = names
        self.seen = 0
        self.checked = 0

    def check(self):
        """True if such programs are loaded now."""
        if not self.names:
            return False
        progs = loaded_programs() or {}
        self.checked += 1
        if any(n in self.names and i not in OUR_PROG_IDS for i, n in progs.items()):
            self.seen += 1
            return True
        return False


# ---------------------------------------------------------------- phases

def run_slot(config, workload, workloads, foreign):
    """One slot: start the config's monitor, run every workload PASSES times,
    stop it. Returns ({mode: ns}, (cpu %, peak RSS, secs) or None, final
    counters or None, whether a vigil we did not start was loaded)."""
    mon = config["make"]() if config["make"] else None
    ns, use, stats = {}, None, None
    if mon:
        mon.start()
        mon.begin_usage()
    try:
        disturbed = foreign.check()
        # Cycling through the modes spreads each one's passes over the whole
        # slot, so its fastest pass is likely to fall outside a slow phase.
        for _ in range(PASSES):
            for m, _, n in workloads:
                t = run_workload(workload, m, n, config.get("prefix", ()))
                ns[m] = min(ns.get(m, t), t)
        if mon:
            use = mon.usage()
        disturbed = foreign.check() or disturbed
    finally:
        stats = mon.stop() if mon else None
    return ns, use, stats, disturbed


def measure_table(args, configs, workload, workloads, foreign):
    """Interleaved rounds in which every monitored slot sits next to an
    unmonitored one (off, floor, off, vigil, off, vigil --events...; odd
    rounds reversed). The host's speed drifts over seconds, so each on/off
    ratio is taken within its adjacent pair, and the median of those ratios
    is what the report uses. A pair during which another vigil (a test) was
    loaded is run again, at most `runs` times in all. Configurations marked
    "last" (auditd: once it has run, the kernel audits every task created
    afterwards) are measured after all the others, off first in each pair.
    Returns ns samples, paired ratios and monitor usage."""
    off = configs[0]
    on = [c for c in configs[1:] if not c.get("last")]
    last = [c for c in configs[1:] if c.get("last")]
    samples = {c["key"]: {m: [] for m, _, _ in workloads} for c in configs}
    ratios = {c["key"]: {m: [] for m, _, _ in workloads} for c in on + last}
    usage = {c["key"]: {"cpu": [], "rss": [], "events": 0, "drops": 0, "stats": False,
                        "ph_bytes_per_profile": []}
             for c in on + last}
    retries = args.runs
    noted = {"rerun": 0, "disturbed": 0}
    for m, _, n in workloads:  # warm caches and binaries, unrecorded
        run_workload(workload, m, max(1, n // 10))
    rounds = [(r, c, bool(r % 2)) for r in range(args.runs)
              for c in (on if r % 2 == 0 else on[::-1])]
    rounds += [(r, c, False) for c in last for r in range(args.runs)]
    for r, c, on_first in rounds:
        while True:
            pair, disturbed = measure_pair(off, c, on_first, workload, workloads, foreign)
            if not disturbed or retries == 0:
                noted["disturbed"] += disturbed
                break
            retries -= 1
            noted["rerun"] += 1
            print("  (another vigil was loaded: running that pair again)",
                  file=sys.stderr, flush=True)
        for key, (ns, use, stats) in pair.items():
            for m in ns:
                samples[key][m].append(ns[m])
            if use:
                usage[key]["cpu"].append(use[0])
                if use[1]:
                    usage[key]["rss"].append(use[1])
            if stats:
                usage[key]["events"] += stats["events"]
                usage[key]["drops"] += stats["drops"]
                usage[key]["stats"] = True
                if "ph_bytes_per_profile" in stats:
                    usage[key]["ph_bytes_per_profile"].append(stats["ph_bytes_per_profile"])
        for m in pair[c["key"]][0]:
            ratios[c["key"]][m].append(pair[c["key"]][0][m] / pair["off"][0][m])
        print(f"  run {r + 1}/{args.runs} off + {c['label']}", file=sys.stderr, flush=True)
    return samples, ratios, usage, noted


def measure_pair(off, on, on_first, workload, workloads, foreign):
    pair, disturbed = {}, False
    for s in ([on, off] if on_first else [off, on]):
        ns, use, stats, d = run_slot(s, workload, workloads, foreign)
        pair[s["key"]] = (ns, use, stats)
        disturbed = disturbed or d
    return pair, disturbed


def measure_flood(make_vigil, workload, rates, seconds, foreign, procs=2):
    """Open+close from `procs` processes at rising total rates, a fresh vigil
    per step; stops at the first step that drops events or that the machine
    cannot drive any faster."""
    steps = []
    for rate in rates:
        mon = make_vigil()
        mon.start()
        mon.begin_usage()
        try:
            per_proc = rate // procs if rate else 0
            ps = [subprocess.Popen([workload, "flood", str(per_proc), str(seconds)],
                                   stdout=subprocess.PIPE, text=True,
                                   env=dict(os.environ, TMPDIR=WORKDIR))
                  for _ in range(procs)]
            ops = 0
            for p in ps:
                out, _ = p.communicate(timeout=seconds + 60)
                m = re.search(r"ops=(\d+)", out or "")
                if p.returncode or not m:
                    raise BenchError(f"workload flood failed (exit status {p.returncode})")
                ops += int(m.group(1))
            cpu, rss, window = mon.usage()
            disturbed = foreign.check()
        finally:
            stats = mon.stop()
        step = {"rate": rate, "ops_per_s": ops / seconds, "cpu": cpu, "rss": rss,
                "window": window, "events": None, "drops": None, "events_per_s": None,
                "disturbed": disturbed}
        if stats:
            step.update(stats)
            step["events_per_s"] = stats["events"] / window
        steps.append(step)
        print(f"  flood {mon.label:<15} {'max' if not rate else rate:>7} ops/s: "
              f"events={step['events']} drops={step['drops']}", file=sys.stderr, flush=True)
        if (stats and stats["drops"]) or (rate and ops / seconds < 0.9 * rate):
            break
    return steps


# ---------------------------------------------------------------- report

def medians(table):
    return {k: {m: statistics.median(v) for m, v in per.items()} for k, per in table.items()}


def noise(off_samples):
    """How far apart two neighbouring 'off' runs are (median |a/b - 1|, in
    %): differences smaller than this are the host, not the monitor."""
    pairs = list(zip(off_samples, off_samples[1:]))
    return statistics.median(abs(a / b - 1) * 100 for a, b in pairs) if pairs else 0.0


def print_table(configs, samples, med, ratio, workloads, runs):
    clock = "CPU ns (--cpu-time)" if WORKLOAD_CLOCK else "ns"
    print(f"\n{clock} per call: median of {runs} interleaved runs; ratio to monitor off: median of "
          "the runs' on/off ratios;\nnoise: median difference between neighbouring 'off' runs")
    head = f"{'':<16}{'off':>10}"
    for c in configs[1:]:
        head += f"{c['label']:>22}"
    print(head + f"{'noise':>9}")
    for m, label, _ in workloads:
        line = f"{label:<16}{med['off'][m]:>10.1f}"
        for c in configs[1:]:
            line += f"{med[c['key']][m]:>14.1f} {ratio[c['key']][m]:>6.2f}x"
        print(line + f"{noise(samples['off'][m]):>8.1f}%")


def print_targets(ratio, workloads, have_auditd, key="sensor", title="sensor alone"):
    """PASS/MISS of one column against the targets."""
    if key not in ratio:
        return []
    print(f"\ntargets ({title})")
    labels = {m: label for m, label, _ in workloads}
    verdicts = []
    for m, limit in TARGETS.items():
        if m not in labels:
            continue
        added = (ratio[key][m] - 1) * 100
        ok = added <= limit
        verdicts.append(ok)
        print(f"  {labels[m]:<16} adds {added:+6.1f}%  target <= +{limit:.0f}%"
              f"{'':<14}{'PASS' if ok else 'MISS'}")
    for m, label, _ in workloads:
        if not have_auditd:
            print(f"  {label:<16} cheaper than auditd{'':<21}SKIP (no auditd column)")
            continue
        v, a = ratio[key][m], ratio["auditd"][m]
        ok = v < a
        verdicts.append(ok)
        print(f"  {label:<16} {v:6.2f}x  cheaper than auditd's {a:6.2f}x{'':<7}"
              f"{'PASS' if ok else 'MISS'}")
    return verdicts


def over_floor_ns(med, ratio, key, m):
    """ns a column adds over the floor column. From the paired ratios (each
    taken next to an "off" run) times the median "off": the host's drift
    between rounds, which the medians of raw ns keep, cancels out."""
    return (ratio[key][m] - ratio["floor"][m]) * med["off"][m]


def print_floor_table(configs, med, ratio, workloads):
    """Every configuration as ns over the floor (an empty program on
    sys_enter, measured in the same run) and as ratio to off."""
    if "floor" not in med:
        return
    print("\nns over the floor (an empty program on sys_enter: what any per-call monitor pays "
          "here, same run;\n(ratio - floor's ratio) x median off) and ratio to off")
    head = f"{'':<16}{'floor':>16}"
    shown = [c for c in configs[1:] if c["key"] != "floor"]
    for c in shown:
        head += f"{c['label']:>24}"
    print(head)
    for m, label, _ in workloads:
        line = f"{label:<16}{med['floor'][m]:>10.1f} {ratio['floor'][m]:>4.2f}x"
        for c in shown:
            line += f"{over_floor_ns(med, ratio, c['key'], m):>+15.1f} ns {ratio[c['key']][m]:>5.2f}x"
        print(line)


def print_default_targets(configs, med, ratio, workloads, usage):
    """The default monitor's targets (rules + pH + auth, the vigil-ph
    column): getppid at most floor + 20 ns, open+close at most floor + 10%
    of off, fork+exec+wait at most 5% over off, cheaper than auditd on
    every row, pH memory under 16 KiB per profile."""
    key = "vigil-ph"
    keys = {c["key"] for c in configs}
    if key not in keys:
        return []
    labels = {m: label for m, label, _ in workloads}
    verdicts = []
    print("\ntargets (the default monitor: rules + pH + auth)")

    def verdict(ok, text):
        verdicts.append(ok)
        print(f"  {text:<64} {'PASS' if ok else 'MISS'}")

    if "floor" in keys and "getppid" in labels:
        over = over_floor_ns(med, ratio, key, "getppid")
        verdict(over <= DEFAULT_GETPPID_OVER_FLOOR_NS,
                f"{labels['getppid']:<16} floor {over:+6.1f} ns  target <= floor + "
                f"{DEFAULT_GETPPID_OVER_FLOOR_NS:.0f} ns")
    if "floor" in keys and "openclose" in labels:
        over = over_floor_ns(med, ratio, key, "openclose") / med["off"]["openclose"] * 100
        verdict(over <= DEFAULT_OPENCLOSE_OVER_FLOOR,
                f"{labels['openclose']:<16} floor {over:+6.1f}% of off  target <= floor + "
                f"{DEFAULT_OPENCLOSE_OVER_FLOOR:.0f}%")
    if "forkexec" in labels:
        added = (ratio[key]["forkexec"] - 1) * 100
        verdict(added <= DEFAULT_FORKEXEC_OVER_OFF,
                f"{labels['forkexec']:<16} adds {added:+6.1f}%  target <= +"
                f"{DEFAULT_FORKEXEC_OVER_OFF:.0f}%")
    if "auditd" in keys:
        for m, label, _ in workloads:
            v, a = ratio[key][m], ratio["auditd"][m]
            verdict(v < a, f"{label:<16} {v:6.2f}x  cheaper than auditd's {a:6.2f}x")
    per_profile = usage.get(key, {}).get("ph_bytes_per_profile") or []
    if per_profile:
        # the median run: one run can catch another process's burst of new
        # programs (a build's compilers) in a handful of fresh profiles
        mid = statistics.median(per_profile)
        verdict(mid < PH_PROFILE_BYTES,
                f"pH memory        {mid / 1024:6.1f} KiB per profile (median of "
                f"{len(per_profile)} runs, max {max(per_profile) / 1024:.1f})  target < 16 KiB")
    return verdicts


def print_engine(engine):
    """The rule engine alone: events/s of one core replaying the recorded
    stream; PASS/MISS for the default rules (the first set)."""
    print(f"\nrule engine alone: {engine['recorded']} events recorded with vigil's sensor in "
          f"{engine['record_seconds']:.0f} s ({engine['drops']} dropped), replayed on one core"
          "\n(process table + vg_rules_eval + alert formatting; CPU time, median of passes)")
    print(f"  {'rules':<34}{'rules':>6}{'events':>8}{'events/s':>11}{'ns/event':>9}"
          f"{'no rules':>10}{'alerts':>7}")
    verdicts = []
    for i, s in enumerate(engine["sets"]):
        name = os.path.relpath(s["file"], TOP) if os.path.isabs(s["file"]) else s["file"]
        eps = s["median_eps"]
        verdict = ""
        if i == 0:
            ok = eps >= ENGINE_TARGET
            verdicts.append(ok)
            verdict = f"  target >= {ENGINE_TARGET:,}/s {'PASS' if ok else 'MISS'}"
        print(f"  {name[-34:]:<34}{s['loaded']:>6}{s['events']:>8}{eps:>11.0f}"
              f"{1e9 / eps if eps else 0:>9.0f}{s['base_median_eps']:>10.0f}{s['alerts']:>7}"
              + verdict)
    # what was replayed, so that a reader can judge the mix: an event's cost
    # depends on its type (an exec meets more rules than an open)
    for s in engine["sets"][:1]:
        mix = sorted(s.get("by_type", {}).items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{t} {n} ({100 * n / max(s['events'], 1):.1f}%)" for t, n in mix[:6])
        rest = sum(n for _, n in mix[6:])
        print(f"  stream replayed with the default rules: {shown}"
              + (f", other {rest}" if rest else ""))
    return verdicts


def print_usage(configs, usage):
    print("\nmonitor cost over the timed runs (CPU: % of one core, median per run)")
    print(f"  {'monitor':<22}{'CPU%':>7}{'peak RSS':>12}{'events':>12}{'drops':>9}")
    for c in configs[1:]:
        u = usage[c["key"]]
        cpu = f"{statistics.median(u['cpu']):.1f}" if u["cpu"] else "n/a"
        rss = f"{max(u['rss']) / 1024:.1f} MiB" if u["rss"] else "n/a"
        ev = str(u["events"]) if u["stats"] else "n/a"
        dr = str(u["drops"]) if u["stats"] else "n/a"
        name = c["label"] + (" (+kauditd)" if c["key"] == "auditd" else "")
        print(f"  {name:<22}{cpu:>7}{rss:>12}{ev:>12}{dr:>9}")


def print_flood(floods, seconds):
    print(f"\nevent throughput: 2 processes doing open+close, {seconds} s per step")
    print(f"  {'monitor':<16}{'asked ops/s':>12}{'did ops/s':>11}{'events/s':>11}"
          f"{'drops':>9}{'CPU%':>7}{'peak RSS':>11}")
    for label, steps in floods:
        for s in steps:
            ev = f"{s['events_per_s']:.0f}" if s["events_per_s"] is not None else "n/a"
            dr = str(s["drops"]) if s["drops"] is not None else "n/a"
            rss = f"{s['rss'] / 1024:.1f} MiB" if s["rss"] else "n/a"
            asked = str(s["rate"]) if s["rate"] else "max"
            print(f"  {label:<16}{asked:>12}{s['ops_per_s']:>11.0f}{ev:>11}{dr:>9}"
                  f"{s['cpu']:>7.1f}{rss:>11}{' *' if s['disturbed'] else ''}")
    for label, steps in floods:
        clean = [s["events_per_s"] for s in steps
                 if s["drops"] == 0 and s["events_per_s"] is not None]
        best = f"{max(clean):.0f} events/s" if clean else "n/a"
        if clean and steps[-1]["drops"] == 0:
            best = ">= " + best + " (no step dropped: the flood could not go faster)"
        print(f"  sustained without drops, {label}: {best}")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=7, help="interleaved rounds (at least 5)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the operations per sample")
    ap.add_argument("--no-auditd", action="store_true", help="skip the auditd column")
    ap.add_argument("--no-flood", action="store_true", help="skip the events/s measurement")
    ap.add_argument("--flood-seconds", type=int, default=2)
    ap.add_argument("--no-engine", action="store_true",
                    help="skip the rule engine measurement (bench/engine_bench)")
    ap.add_argument("--engine-seconds", type=int, default=10,
                    help="longest recording for the rule engine measurement")
    ap.add_argument("--no-response", action="store_true",
                    help="skip the response (event → kill latency) measurement")
    ap.add_argument("--response-runs", type=int, default=30)
    ap.add_argument("--stand-in", action="store_true",
                    help="use `sleep` instead of vigil (to test this harness)")
    ap.add_argument("--configs", default=",".join(CONFIG_KEYS),
                    help="columns to measure, comma-separated (off is always measured): "
                         + ",".join(CONFIG_KEYS))
    ap.add_argument("--workloads", default=",".join(m for m, _, _ in WORKLOADS),
                    help="rows, comma-separated: " + ",".join(m for m, _, _ in WORKLOADS))
    ap.add_argument("--cpu-time", action="store_true",
                    help="time the rows in CPU time of the workload (and its children) "
                         "instead of wall time: what vigil's programs add to the calls, "
                         "without the waits a loaded machine adds")
    ap.add_argument("--compare", metavar="BUILD",
                    help="add a column: the defaults (rules+pH) of another build's vigil "
                         "(BUILD/vigil, e.g. the commit before a change), measured in the "
                         "same interleaved run")
    ap.add_argument("--cost-only", action="store_true",
                    help="the cost rows alone, quickly: --configs off,floor,sensor,vigil-ph,auditd "
                         "--workloads getppid,openclose,forkexec --no-flood --no-engine "
                         "--no-response")
    args = ap.parse_args()
    if args.cost_only:
        args.configs = "floor,sensor,vigil-ph,auditd"
        args.workloads = "getppid,openclose,forkexec"
        args.no_flood = args.no_engine = args.no_response = True
    wanted = set(args.configs.split(",")) | {"off"}
    unknown = wanted - set(CONFIG_KEYS)
    if unknown:
        ap.error(f"--configs: unknown {','.join(sorted(unknown))}")
    modes = args.workloads.split(",")
    if set(modes) - {m for m, _, _ in WORKLOADS}:
        ap.error(f"--workloads: unknown {','.join(sorted(set(modes) - {m for m, _, _ in WORKLOADS}))}")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.cpu_time:
        WORKLOAD_CLOCK.append("--cpu")

    build = os.path.abspath(args.build)
    vigil = os.path.join(build, "vigil")
    workload = os.path.join(build, "bench", "workload")
    engine_bin = os.path.join(build, "bench", "engine_bench")
    needed = [workload] if args.stand_in else [workload, vigil]
    if not args.stand_in and not args.no_engine:
        needed.append(engine_bin)
    for path in needed:
        if not os.access(path, os.X_OK):
            print(f"bench: {path} is missing: run `make bench BUILD={args.build}`",
                  file=sys.stderr)
            return 1
    if os.geteuid() != 0:
        print("bench: vigil and auditd need root", file=sys.stderr)
        return 1
    workloads = [(m, label, max(1, int(n * args.scale))) for m, label, n in WORKLOADS
                 if m in modes]
    floor_bin = os.path.join(build, "bench", "floor")
    if "floor" in wanted and not os.access(floor_bin, os.X_OK):
        print(f"bench: {floor_bin} is missing: run `make bench BUILD={args.build}`",
              file=sys.stderr)
        return 1

    # SIGTERM unwinds like Ctrl-C, through the finally below; SIGINT is set
    # explicitly because a shell starts background jobs with it ignored.
    def interrupted(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    global WORKDIR
    workdir = WORKDIR = tempfile.mkdtemp(prefix="vigil-bench-", dir="/tmp")
    names = vigil_program_names(build)
    status = 1
    try:
        # `vigil run` with no --rules loads the default rules.
        def sensor_alone():
            return VigilMonitor(workdir, vigil, ["--no-rules", "--no-ph", "--no-auth"],
                                "sensor alone", args.stand_in)

        def sensor_every_open():
            return VigilMonitor(workdir, vigil, ["--no-rules", "--no-ph", "--no-auth",
                                                 "--coalesce-ms", "0"],
                                "sensor, every open", args.stand_in)

        def vigil_default():
            return VigilMonitor(workdir, vigil, ["--no-ph"], "default rules", args.stand_in)

        def vigil_defaults():  # everything `vigil run` starts: rules, pH, auth
            return VigilMonitor(workdir, vigil, ["--ph-no-persist"], "defaults (rules+pH)",
                                args.stand_in)

        def vigil_events():
            return VigilMonitor(workdir, vigil, EVENTS_ARGS, "rules + --events", args.stand_in)

        configs = [{"key": "off", "label": "off", "make": None},
                   # an empty program on sys_enter, attached by bench/floor
                   # only while each workload runs: the floor of any monitor
                   # that runs a program on every system call here
                   {"key": "floor", "label": "floor", "make": None,
                    "prefix": (floor_bin, "empty")},
                   {"key": "sensor", "label": "sensor alone", "make": sensor_alone},
                   {"key": "sensor-all", "label": "sensor, every open",
                    "make": sensor_every_open},
                   {"key": "vigil", "label": "default rules", "make": vigil_default},
                   {"key": "vigil-ph", "label": "defaults (rules+pH)", "make": vigil_defaults},
                   {"key": "vigil-events", "label": "rules + --events", "make": vigil_events}]
        if args.compare:
            other = os.path.join(os.path.abspath(args.compare), "vigil")

            def vigil_defaults_other():
                return VigilMonitor(workdir, other, ["--ph-no-persist"],
                                    "defaults, --compare", args.stand_in)

            configs.append({"key": "vigil-cmp", "label": "defaults, --compare",
                            "make": vigil_defaults_other})
            wanted.add("vigil-cmp")
        configs = [c for c in configs if c["key"] in wanted]
        why_no_auditd = ("--no-auditd" if args.no_auditd else
                         "not in --configs" if "auditd" not in wanted else auditd_unavailable())
        if why_no_auditd:
            print(f"bench: auditd column skipped: {why_no_auditd}", file=sys.stderr)
        else:
            restore_audit_settings()  # after a bench that was killed
            configs.append({"key": "auditd", "label": "auditd", "last": True,
                            "make": lambda: AuditdMonitor(workdir)})
        t0 = time.monotonic()
        foreign = ForeignVigil(names)
        samples, ratios, usage, noted = measure_table(args, configs, workload, workloads,
                                                      foreign)
        floods = []
        if not args.no_flood:
            rates = [25000, 50000, 100000, 200000, 400000, 0]
            # Throughput is measured with every open sent: the flood opens one
            # file again and again, which coalescing would reduce to a few
            # records a second (docs/sensor.md).
            def flood_default():
                return VigilMonitor(workdir, vigil, ["--no-ph", "--coalesce-ms", "0"],
                                    "default rules", args.stand_in)

            def flood_events():
                return VigilMonitor(workdir, vigil, EVENTS_ARGS + ["--coalesce-ms", "0"],
                                    "rules + --events", args.stand_in)

            for make in (flood_default, flood_events):
                floods.append((make().label, measure_flood(make, workload, rates,
                                                           args.flood_seconds, foreign)))
        engine = None
        if not args.no_engine and not args.stand_in:
            print("  rule engine: recording a stream, then replaying it", file=sys.stderr,
                  flush=True)
            rule_files = [os.path.join(TOP, "rules", "vigil_rules.yaml")]
            falco = os.path.join(os.path.dirname(TOP), "shared", "compat", "falco_rules.yaml")
            if os.path.exists(falco):
                rule_files.append(falco)
            engine = EngineBench(workdir, engine_bin, rule_files, args.engine_seconds).run()

        response = None
        if not args.no_response and not args.stand_in:
            print("  response: event → kill latency", file=sys.stderr, flush=True)

            def response_monitor(extra, label):
                mon = VigilMonitor(workdir, vigil, extra, label)
                mon.start()
                return mon
            response = response_bench.measure(response_monitor, workdir, args.response_runs)

        print(f"\nvigil bench: {os.cpu_count()} CPUs, kernel {os.uname().release}, "
              f"{time.monotonic() - t0:.0f} s" + (" [STAND-IN: sleep, not vigil]"
                                                    if args.stand_in else ""))
        med, ratio = medians(samples), medians(ratios)
        print_table(configs, samples, med, ratio, workloads, args.runs)
        verdicts = print_targets(ratio, workloads, not why_no_auditd)
        # the same limits for vigil with its default rules: informational
        print_targets(ratio, workloads, not why_no_auditd, "vigil",
                      "vigil with default rules: same limits, not counted")
        print_floor_table(configs, med, ratio, workloads)
        verdicts += print_default_targets(configs, med, ratio, workloads, usage)
        print_usage(configs, usage)
        if floods:
            print_flood(floods, args.flood_seconds)
        if engine:
            verdicts += print_engine(engine)
        if response:
            response_bench.print_rows(response)
        print(f"\ntargets: {sum(verdicts)} PASS, {len(verdicts) - sum(verdicts)} MISS "
              "(informational)")
        print(f"machine: load average {os.getloadavg()[0]:.1f} at the end "
              f"({os.cpu_count()} CPUs): other work shares the host, compare ratios")
        if why_no_auditd:
            print(f"note: auditd not measured ({why_no_auditd})")
        else:
            print("note: auditd measured last, after every other column (once auditd has run, "
                  "the kernel audits\n  every task created afterwards); after each of its runs "
                  "audit was disabled and a\n  `-a never,task` rule kept the next tasks "
                  "unaudited; the rule is removed at the end, so tasks\n  created from then on "
                  "take the audited (slow) system-call path until reboot")
        if noted["rerun"] or noted["disturbed"]:
            print(f"note: another vigil (not ours: a test?) was loaded during some runs: "
                  f"{noted['rerun']} pairs run again, {noted['disturbed']} kept as they were")
        if any(s["disturbed"] for _, steps in floods for s in steps):
            print("note: '*' marks throughput steps during which another vigil was loaded")
        results = {"runs": args.runs, "samples": samples, "median": med, "ratios": ratios,
                   "median_ratio": ratio, "usage": usage,
                   "flood": floods, "engine": engine, "response": response, "auditd_skipped": why_no_auditd,
                   "foreign_vigil": noted,
                   "stand_in": args.stand_in}
        out = os.path.join(build, "bench", "results.json")
        with open(out, "w") as f:
            json.dump(results, f, indent=1)
        print(f"raw numbers: {out}")
        status = 0
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        status = 130
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all()
        try:
            never_task(False)  # ours, from the auditd column
        except BenchError as e:
            print(f"bench: {e}: remove it with `auditctl -d never,task`", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
        status = check_no_leftovers() or status
    return status


def check_no_leftovers():
    """1 if a BPF program of a vigil we started is still loaded. The kernel
    frees programs shortly after their last fd closes, so wait a little."""
    deadline = time.monotonic() + 5
    while True:
        progs = loaded_programs()
        if progs is None:
            print("bench: warning: `bpftool prog show` failed; could not check for leftovers",
                  file=sys.stderr)
            return 0
        left = sorted(i for i in progs if i in OUR_PROG_IDS)
        if not left:
            print(f"bpftool: none of the {len(OUR_PROG_IDS)} BPF programs our vigil runs "
                  "loaded is left")
            return 0
        if time.monotonic() > deadline:
            print(f"bench: ERROR: BPF programs of our vigil still loaded: "
                  f"{[(i, progs[i]) for i in left]}", file=sys.stderr)
            return 1
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
