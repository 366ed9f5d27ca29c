"""The sensor and pH keep one task-storage entry per thread (struct vg_task,
map vg_tasks: model/ph/ph_task_state.h): the sensor's ids before a set*id
call and pH's model state. Exec, fork and exit each run one vigil program,
which makes the entry once for both. The "became root" fact stays right for
a child forked after the monitor started and for a task that was running
before (adopted by pH, its ids unknown to the sensor until its first set*id
call); pH still adopts a task whose entry the sensor made first."""
import json
import os
import subprocess
import tempfile
import time

from test_cost import _links, _maps, _prog_name
from vigil_harness import BUILD, VIGIL, Monitor, deliberate, of_pid

SETID_LATE = os.path.join(BUILD, "tests", "bin", "vigil-setid-late")


def _one_task_map_and_one_program_per_lifecycle_tracepoint(args, ph):
    with Monitor(*args, "--no-rules", events=False) as mon:
        tasks = [m for m in _maps(mon.proc.pid) if m["type"] == "task_storage"]
        names = sorted(m["name"] for m in tasks)
        # socketcall_sk (i386 socketcalls only) stays apart: bpf/vg_compat_sock.h
        assert names == ["socketcall_sk", "vg_tasks"], tasks
        value = [m for m in tasks if m["name"] == "vg_tasks"][0]["bytes_value"]
        if ph:
            assert value > 500, f"vg_tasks without pH's part: {value} bytes"
        else:  # the sensor's part only (struct vg_task_ids)
            assert value == 40, f"vg_tasks of --no-ph holds {value} bytes"
        names = {tp: sorted(_prog_name(i) for i in ids)
                 for tp, ids in _links(mon.proc.pid).items()}
        for tp, prog in (("sched_process_exec", "vg_exec"), ("sched_process_fork", "vg_fork"),
                         ("sched_process_exit", "vg_exit"), ("sys_exit", "vg_sys_exit")):
            assert names.get(tp) == [prog], names


def test_one_task_map_with_ph():
    _one_task_map_and_one_program_per_lifecycle_tracepoint(["--ph"], True)


def test_one_task_map_without_ph():
    _one_task_map_and_one_program_per_lifecycle_tracepoint(["--no-ph"], False)


def _ps(mon):
    p = subprocess.run([VIGIL, "ps", "--json", "--socket", mon.sock], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    return {r["pid"]: r for r in json.loads(p.stdout)}


def _setids(events, pid):
    return [e["output_fields"] for e in of_pid(events, pid) if e["rule"] == "setresuid"]


NOBODY_SAVED_ROOT = "ruid=65534 euid=65534 suid=0 fsuid=65534"
ROOT = "ruid=0 euid=0 suid=0 fsuid=0"


def _became_root_for_late_child_and_adopted_task(ph):
    d = tempfile.mkdtemp(prefix="vigil-setid-")
    flag = os.path.join(d, "flag")
    with open(flag, "wb") as f:
        f.write(b"\0" * 4)
    # running before the monitor starts
    proc = subprocess.Popen([SETID_LATE, flag], stdout=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    deliberate(proc.pid)  # becomes root again on purpose
    child, rows = None, {}
    try:
        assert proc.stdout.readline().strip() == f"pid={proc.pid}"
        with Monitor("--ph" if ph else "--no-ph", "--no-rules") as mon:
            with open(flag, "r+b") as f:
                f.write(b"\1")
            line = proc.stdout.readline().strip()
            assert line.startswith("child="), line
            child = int(line.split("=")[1])
            deliberate(child)
            time.sleep(0.3)
            if ph:
                rows = _ps(mon)
            with open(flag, "r+b") as f:
                f.write(b"\2")
            assert proc.wait(timeout=30) == 0
            time.sleep(0.3)
        events = mon.events()
    finally:
        if proc.poll() is None:
            proc.kill()  # our own child
            proc.wait()
        os.unlink(flag)
        os.rmdir(d)
    exe = os.path.realpath(SETID_LATE)
    if ph:
        # pH adopted both: the child's entry was the sensor's (made at
        # fork, before pH knew its parent), yet pH reads its executable
        for pid in (proc.pid, child):
            assert pid in rows, f"pid {pid} not in vigil ps"
            assert rows[pid]["exe"] == exe and rows[pid]["calls"] > 0, rows[pid]
    # the child forked after the start: ids known from its fork
    first, second = _setids(events, child)
    assert first["vigil.ids.before"] == ROOT and first["vigil.ids.after"] == NOBODY_SAVED_ROOT
    assert first["vigil.became_root"] is False, first
    assert second["vigil.ids.before"] == NOBODY_SAVED_ROOT and second["vigil.ids.after"] == ROOT
    assert second["vigil.became_root"] is True, second
    # the task running before the start: its first call's ids before are
    # unknown (never guessed), the second's are the first's after
    first, second = _setids(events, proc.pid)
    assert "vigil.ids.before" not in first and "vigil.became_root" not in first, first
    assert first["vigil.ids.after"] == NOBODY_SAVED_ROOT, first
    assert second["vigil.ids.before"] == NOBODY_SAVED_ROOT and second["vigil.ids.after"] == ROOT
    assert second["vigil.became_root"] is True, second


def test_became_root_for_late_child_and_adopted_task_with_ph():
    _became_root_for_late_child_and_adopted_task(True)


def test_became_root_for_late_child_and_adopted_task_without_ph():
    _became_root_for_late_child_and_adopted_task(False)
