"""`vigil status` (and /metrics) count the file-system look-ups vigil makes
per event: the path resolver (an openat2 per file event that is not a
successful open) and fd.known_name (a stat per event that may touch a
watched file). Calls, failures and time move when a process of the test
makes such calls: chmod of its own file (both look-ups succeed) and chmod
under a directory that does not exist (both fail).

Safety: the files are the test's own, in its temporary directory; the
metrics endpoint listens on loopback with a root-only token file."""
import json
import os
import shutil
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor
from test_metrics import free_port, metric, scrape, token_file

# a rule that reads fd.known_name on every chmod (and never matches)
RULES = """
- rule: vglookup known name
  desc: reads fd.known_name on chmod, so that its stat runs
  condition: evt.type in (chmod, fchmodat) and fd.known_name = "/nonexistent/vigil-never"
  output: never %fd.known_name
  priority: NOTICE
"""
N = 50


def _status(mon):
    p = subprocess.run([VIGIL, "status", "--json", "--socket", mon.sock], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL, check=True)
    return json.loads(p.stdout)["monitor"]


def _moved(before, after, key):
    return after[key] - before[key]


def test_path_resolver_and_known_name_lookups_are_counted():
    d = tempfile.mkdtemp(prefix="vigil-lookups-")
    port = free_port()
    try:
        rules = os.path.join(d, "lookup.yaml")
        with open(rules, "w") as f:
            f.write(RULES)
        target = os.path.join(d, "file")
        open(target, "w").close()
        missing = os.path.join(d, "no-such-dir", "file")
        with Monitor("--rules", rules, "--coalesce-ms", "0", "--metrics-listen",
                     f"127.0.0.1:{port}", "--set", f"metrics.token_file={token_file(d)}",
                     events=False) as mon:
            st0 = _status(mon)
            for key in ("path_resolver", "known_name"):
                assert set(st0[key]) == {"calls", "failures", "time_ns"}, st0[key]
            for i in range(N):
                os.chmod(target, 0o600 if i % 2 else 0o644)
                try:
                    os.chmod(missing, 0o600)
                except FileNotFoundError:
                    pass
            deadline = time.time() + 20
            while True:
                st1 = _status(mon)
                pr0, pr1 = st0["path_resolver"], st1["path_resolver"]
                kn0, kn1 = st0["known_name"], st1["known_name"]
                if (_moved(pr0, pr1, "calls") >= 2 * N and _moved(kn0, kn1, "calls") >= 2 * N
                        and _moved(pr0, pr1, "failures") >= N
                        and _moved(kn0, kn1, "failures") >= N):
                    break
                assert time.time() < deadline, (st0, st1, mon.stderr()[-2000:])
                time.sleep(0.3)
            # the calls took time; not every one failed
            assert _moved(pr0, pr1, "time_ns") > 0 and _moved(kn0, kn1, "time_ns") > 0
            assert _moved(pr0, pr1, "failures") < _moved(pr0, pr1, "calls")
            assert _moved(kn0, kn1, "failures") < _moved(kn0, kn1, "calls")
            # /metrics shows the same figures, from the same report
            text = scrape(f"http://127.0.0.1:{port}/metrics")
            for name in ("path_resolver", "known_name"):
                for k in ("calls", "failures", "time_ns"):
                    assert metric(text, f"vigil_monitor_{name}_{k}") >= st1[name][k], (name, k)
    finally:
        shutil.rmtree(d, ignore_errors=True)
