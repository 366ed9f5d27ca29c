"""The default rules stay quiet on ordinary work: a full build of vigil
itself (make, clang for BPF, bpftool, gcc, the linker, shell glue) raises no
alert from any process of that build."""
import os
import shutil
import subprocess
import tempfile

from vigil_harness import Monitor

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _descendants(events, root):
    """Pids of root and everything it started, from clone and exec events."""
    children = {}
    for e in events:
        of = e["output_fields"]
        if e["rule"] == "clone" and "evt.arg.child_pid" in of:
            children.setdefault(of["proc.pid"], set()).add(of["evt.arg.child_pid"])
    tree, todo = set(), [root]
    while todo:
        p = todo.pop()
        if p not in tree:
            tree.add(p)
            todo.extend(children.get(p, ()))
    return tree


def test_default_rules_are_quiet_during_a_build_of_vigil():
    build = tempfile.mkdtemp(prefix="vigil-selfbuild-")
    # Every event too, to know which processes belong to the build.
    with Monitor(events=True) as mon:
        make = subprocess.Popen(["make", "-j2", f"BUILD={build}", f"{build}/vigil"], cwd=TOP,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        err = make.communicate(timeout=900)[1]
    assert make.returncode == 0, err[-3000:]
    assert os.path.exists(os.path.join(build, "vigil"))
    events = mon.events()
    tree = _descendants(events, make.pid)
    assert len(tree) > 20, f"the build's process tree was not seen ({len(tree)} pids)"
    # raw events are printed at priority Debug; no default rule uses it
    with open(os.path.join(TOP, "rules", "vigil_rules.yaml")) as f:
        assert "PRIORITY: DEBUG" not in f.read().upper()
    alerts = [e for e in events if e["priority"] != "Debug"]
    noisy = []
    for a in alerts:
        pid = a["output_fields"].get("proc.pid")
        try:
            pid = int(pid)
        except (TypeError, ValueError):
            continue
        if pid in tree:
            noisy.append(f'{a["rule"]}: {a["output"]}')
    assert not noisy, "alerts during the build:\n" + "\n".join(noisy[:20])
    shutil.rmtree(build, ignore_errors=True)
    return f"[{len(tree)} build processes, {len(events)} events]"
