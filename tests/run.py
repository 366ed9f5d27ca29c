#!/usr/bin/python3
"""vigil's test runner: unit tests (C, under ASan/UBSan), fuzz targets (a few
seconds each) and real-kernel end-to-end tests (tests/e2e/test_*.py, each a
function test_*). Prints one line per test and ends with "N passed, N failed".
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.reasons = []

    def ok(self, name, secs, detail=""):
        self.passed += 1
        print(f"PASS {name} ({secs:.1f}s){' ' + detail if detail else ''}", flush=True)

    def bad(self, name, secs, why):
        self.failed += 1
        self.failures.append(name)
        # the last line of a traceback is the assertion: repeated in the
        # summary, which is what a CI log's tail shows
        last = [l for l in str(why).splitlines() if l.strip()]
        self.reasons.append(f"{name}: {last[-1][:300] if last else '?'}")
        print(f"FAIL {name} ({secs:.1f}s)\n{why}", flush=True)


def run_unit(build, tally, pattern):
    d = os.path.join(build, "tests", "unit")
    if not os.path.isdir(d):
        return
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if not name.startswith("test_") or not os.access(path, os.X_OK) or name.endswith(".d"):
            continue
        if pattern and not re.search(pattern, "unit/" + name):
            continue
        t0 = time.time()
        p = subprocess.run([path], cwd=TOP, env=env, capture_output=True, text=True, timeout=600,
                           errors="replace")
        secs = time.time() - t0
        m = re.search(r"^(\d+) passed, (\d+) failed$", p.stdout, re.M)
        if p.returncode == 0 and m and int(m.group(2)) == 0:
            tally.ok("unit/" + name, secs, f"[{m.group(1)} checks]")
        else:
            tally.bad("unit/" + name, secs, (p.stdout[-3000:] + p.stderr[-6000:]).rstrip())


def run_fuzz(build, tally, seconds, pattern):
    d = os.path.join(build, "fuzz")
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if not name.startswith("fuzz_") or name.endswith(".d") or not os.access(path, os.X_OK):
            continue
        if pattern and not re.search(pattern, "fuzz/" + name):
            continue
        corpus = os.path.join(TOP, "tests", "fuzz", "corpus", name[len("fuzz_"):])
        work = os.path.join(build, "fuzz-work", name)
        os.makedirs(work, exist_ok=True)
        cmd = [path, f"-max_total_time={seconds}", "-max_len=65536", "-timeout=10",
               f"-artifact_prefix={work}/", work]
        if os.path.isdir(corpus):
            cmd.append(corpus)
        t0 = time.time()
        p = subprocess.run(cmd, cwd=TOP, capture_output=True, text=True,
                           env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1"))
        secs = time.time() - t0
        if p.returncode == 0:
            runs = re.findall(r"Done (\d+) runs", p.stderr)
            tally.ok("fuzz/" + name, secs, f"[{runs[-1] if runs else '?'} runs]")
        else:
            tally.bad("fuzz/" + name, secs, p.stderr[-6000:])


def run_one(tally, full, fn, first_monitor=0):
    """Runs one e2e test; a failure names the drops of the monitors started
    since index first_monitor of vigil_harness.monitors (drops_note)."""
    t0 = time.time()
    try:
        detail = fn()
        tally.ok(full, time.time() - t0, detail or "")
    except Exception:
        why = traceback.format_exc()
        harness = sys.modules.get("vigil_harness")
        mons = getattr(harness, "monitors", [])[first_monitor:]
        tally.bad(full, time.time() - t0, drops_note(mons) + why)


SUITE_WATCH = "e2e/suite_watch.test_default_rules_quiet_during_the_suite"


def drops_note(monitors):
    """For a failed test: the drops and shed records its monitors reported
    at exit ("N drops in ...", "N records shed in ..."), so that a failure under heavy load (events lost, the detection
    never ran) is told apart from a missed detection; "" when none dropped.
    monitors: those started since the test's module began (a catalogue test
    checks the alerts of a monitor an earlier test of its module started)."""
    notes = []
    for m in monitors:
        st = getattr(m, "exit_stats", None)
        if st and st.get("drops"):
            # the exit line lists drops by type, then by CPU ("cpu0=...")
            by = sorted(st["drops_by_type"].items())
            by_type = " ".join(f"{k}={v}" for k, v in by if not re.fullmatch(r"cpu\d+", k))
            by_cpu = " ".join(f"{k}={v}" for k, v in by if re.fullmatch(r"cpu\d+", k))
            notes.append(f"{st['drops']} drops in the monitor of {m.dir} "
                         f"(by type: {by_type or 'unknown'}; by CPU: {by_cpu or 'unknown'}; "
                         f"{st['events']} events)")
        if st and st.get("shed"):
            # load shedding (bpf/vg_shed.h): records left out on purpose
            by = " ".join(f"{k}={v}" for k, v in sorted(st["shed_by_type"].items()))
            notes.append(f"{st['shed']} records shed in the monitor of {m.dir} "
                         f"(by type: {by or 'unknown'})")
    if not notes:
        return ""
    return ("heavy load: the watched monitor reported " + "; ".join(notes)
            + ": a missing alert may be an event lost, not a missed detection\n")


def run_e2e(build, tally, pattern):
    sys.path.insert(0, os.path.join(HERE, "e2e"))
    os.environ["VIGIL_BUILD"] = os.path.abspath(build)
    d = os.path.join(HERE, "e2e")
    # one monitor with the default rules for the whole e2e run (suite_watch.py)
    watch = None
    if not pattern or re.search(pattern, SUITE_WATCH):
        import atexit
        import suite_watch
        watch = suite_watch.Watch(os.path.abspath(build)).start()
        atexit.register(watch.stop)
    for fname in sorted(os.listdir(d)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        modname = fname[:-3]
        spec = importlib.util.spec_from_file_location(modname, os.path.join(d, fname))
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
        except Exception:
            tally.bad("e2e/" + modname, 0, traceback.format_exc())
            continue
        harness = sys.modules.get("vigil_harness")
        first_monitor = len(getattr(harness, "monitors", []))
        tests = [(n, getattr(mod, n)) for n in dir(mod) if n.startswith("test_")]
        tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
        for n, fn in tests:
            full = f"e2e/{modname}.{n}"
            if pattern and not re.search(pattern, full):
                continue
            run_one(tally, full, fn, first_monitor)
    harness = sys.modules.get("vigil_harness")
    if watch:
        t0 = time.time()
        try:
            detail = suite_watch.check(watch, os.getpid(),
                                       getattr(harness, "deliberate_pids", set()),
                                       getattr(harness, "deliberate_alerts", set()),
                                       getattr(harness, "deliberate_exes", set()))
            tally.ok(SUITE_WATCH, time.time() - t0, detail)
        except Exception:
            tally.bad(SUITE_WATCH, time.time() - t0, traceback.format_exc())
        watch.remove()
    if harness and hasattr(harness, "cleanup"):
        harness.cleanup()


def sane_environment():
    """The suite's results must not depend on the shell that started it: CI may
    name a locale the machine never generated (man then warns on stderr), or
    leave the sbin directories out of PATH (setcap, ip, unshare live there)."""
    os.environ["LC_ALL"] = "C.UTF-8"
    os.environ.pop("LANGUAGE", None)
    path = os.environ.get("PATH", "").split(":")
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if d not in path:
            path.append(d)
    os.environ["PATH"] = ":".join(p for p in path if p)
    os.environ.setdefault("HOME", "/root" if os.geteuid() == 0 else "/tmp")


def main():
    sane_environment()
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=["unit", "fuzz", "e2e"], action="append")
    ap.add_argument("-k", dest="pattern", help="regex on test names")
    ap.add_argument("--fuzz-seconds", type=int, default=int(os.environ.get("VIGIL_FUZZ_SECONDS", "5")))
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    only = a.only or ["unit", "fuzz", "e2e"]
    tally = Tally()
    t0 = time.time()
    if "unit" in only:
        run_unit(build, tally, a.pattern)
    if "fuzz" in only:
        run_fuzz(build, tally, a.fuzz_seconds, a.pattern)
    if "e2e" in only:
        if os.geteuid() != 0:
            tally.bad("e2e", 0, "real-kernel tests need root")
        else:
            run_e2e(build, tally, a.pattern)
    print(f"\nsuite took {time.time() - t0:.0f}s")
    if tally.failures:
        print("failed:\n  " + "\n  ".join(tally.reasons))
    print(f"{tally.passed} passed, {tally.failed} failed")
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
