"""Self-protection beyond signals and ptrace (test_bpf_audit has those): a
BPF link of vigil detached by another process, and another copy of vigil
running beside it. Only the monitors this test starts are touched."""
import os
import re
import subprocess
import time

from vigil_harness import Monitor


def link_ids_of(pid):
    ids = set()
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            for line in open(os.path.join(d, fd)):
                if line.startswith("link_id:"):
                    ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def test_a_detached_link_of_vigil_is_reported():
    with Monitor(events=False) as mon:
        links = sorted(link_ids_of(mon.proc.pid))
        assert links, "vigil holds no BPF link"
        # Not every kind of link can be detached (BPF_LINK_DETACH): try each
        # until one is, as an attacker would.
        victim, why = None, []
        for link in links:
            p = subprocess.run(["bpftool", "link", "detach", "id", str(link)],
                               capture_output=True, text=True)
            if p.returncode == 0:
                victim = link
                break
            why.append(f"{link}: {p.stderr.strip()}")
        if victim is None:
            # This kernel detaches none of vigil's link kinds (tracing and
            # perf-event links): the attack is refused, and vigil keeps
            # every link. (Killing vigil stays possible, and is reported.)
            assert all("not supported" in w for w in why), why
            assert sorted(link_ids_of(mon.proc.pid)) == links
            return f"[the kernel refused to detach any of vigil's {len(links)} links]"
        time.sleep(2.5)  # the once-a-second check, and the BPF_LINK_DETACH record
        assert mon.proc.poll() is None, "vigil died:\n" + mon.stderr()
    gone = [a for a in mon.events() if a["rule"] == "vigil BPF link removed"]
    assert gone and gone[0]["priority"] == "Critical", mon.events()
    assert any(a["output_fields"].get("bpf.link.id") == victim for a in gone), gone
    return f"[link {victim} detached and reported]"


def test_another_copy_of_vigil_is_reported_at_start():
    with Monitor("--no-ph", events=False) as first:
        with Monitor("--no-ph", events=False) as second:
            pass
        assert first.proc.poll() is None
    # the first, or another vigil of the machine's (the suite's own watcher)
    m = re.search(r"another copy of vigil runs \(pid (\d+), ", second.stderr())
    assert m, second.stderr()
    assert int(m.group(1)) != second.proc.pid
