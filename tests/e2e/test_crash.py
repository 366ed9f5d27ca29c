"""Crash safety: kill -9 of the monitor at random moments (while loading, while
running, during rule reloads) leaves none of its BPF programs, maps or links
behind, and a restart with the same lock file succeeds at once."""
import os
import random
import signal
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor

FALCO_RULES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "compat",
                           "falco_rules.yaml")


def bpf_objects_of(pid):
    """{"prog": ids, "map": ids, "link": ids} the process holds, from
    /proc/PID/fdinfo (prog_id / map_id / link_id lines)."""
    found = {"prog": set(), "map": set(), "link": set()}
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            text = open(os.path.join(d, fd)).read()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, val = line.partition(":")
            kind = {"prog_id": "prog", "map_id": "map", "link_id": "link"}.get(key.strip())
            if kind and val.strip().isdigit():
                found[kind].add(int(val))
    return found


def still_loaded(objs):
    """The ids among objs that the kernel still has."""
    left = []
    for kind, ids in objs.items():
        for i in ids:
            p = subprocess.run(["bpftool", kind, "show", "id", str(i)], capture_output=True)
            if p.returncode == 0:
                left.append((kind, i))
    return left


def test_kill9_at_random_moments_leaves_nothing_and_restart_works():
    d = tempfile.mkdtemp(prefix="vigil-crash-")
    lock = os.path.join(d, "vigil.lock")
    rng = random.Random(1234)
    rules = ["--rules", os.path.join(os.path.dirname(__file__), "..", "..", "rules",
                                     "vigil_rules.yaml")]
    if os.path.exists(FALCO_RULES):
        rules += ["--rules", FALCO_RULES]
    killed_running = 0
    for round_ in range(6):
        err = open(os.path.join(d, f"err{round_}"), "w")
        p = subprocess.Popen([VIGIL, "run", "--lock-file", lock, "--output-file",
                              os.path.join(d, "out"), *rules], stdout=subprocess.DEVNULL,
                             stderr=err, stdin=subprocess.DEVNULL)
        err.close()
        # Odd rounds die while loading, even ones once running, some in the
        # middle of a burst of rule reloads.
        objs = {"prog": set(), "map": set(), "link": set()}
        deadline = time.time() + (rng.uniform(0.05, 0.4) if round_ % 2 else 30)
        while time.time() < deadline and p.poll() is None:
            try:
                for k, v in bpf_objects_of(p.pid).items():
                    objs[k] |= v
            except FileNotFoundError:
                break
            if round_ % 2 == 0 and "vigil: ready" in open(os.path.join(d, f"err{round_}")).read():
                killed_running += 1
                for _ in range(rng.randint(0, 3)):
                    p.send_signal(signal.SIGHUP)
                    time.sleep(rng.uniform(0, 0.2))
                for k, v in bpf_objects_of(p.pid).items():
                    objs[k] |= v
                break
            time.sleep(0.01)
        assert p.poll() is None, open(os.path.join(d, f"err{round_}")).read()
        p.kill()  # our own monitor, by pid
        p.wait()
        if round_ % 2 == 0:
            assert objs["prog"] and objs["link"], objs  # it was running: it had some
        left = still_loaded(objs)
        for _ in range(50):  # the kernel frees them once the last fd is gone
            if not left:
                break
            time.sleep(0.1)
            left = still_loaded(objs)
        assert not left, f"round {round_}: still loaded after kill -9: {left}"
    assert killed_running == 3
    # The lock died with the process: a new monitor starts and stops cleanly.
    with Monitor("--lock-file", lock, "--no-rules") as mon:
        pass
    assert mon.proc.returncode == 0, mon.stderr()
