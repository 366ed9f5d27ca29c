"""bench/floor (make bench's per-call floor): its program runs on every
system call while the command runs, and is gone when floor exits, whether
the command succeeds or fails. bpftool, run as floor's command, lists the
programs loaded at that moment. The kernel detaches the program when floor
exits and frees it after a grace period (a fraction of a second here): the
checks wait up to 10 s for it to go.

floor loads a BPF program from the build directory: the suite's own monitor
rightly reports it, so each run is declared deliberate."""
import os
import subprocess
import time

from vigil_harness import BUILD, run_deliberate

FLOOR = os.path.join(BUILD, "bench", "floor")


def _floor_programs():
    out = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if " name floor_" in line]


def _all_gone():
    deadline = time.monotonic() + 10
    while _floor_programs() and time.monotonic() < deadline:
        time.sleep(0.1)
    return _floor_programs() == []


def _under_floor(kind):
    return run_deliberate([FLOOR, kind, "bpftool", "prog", "show"], text=True, timeout=60)


def test_each_program_is_attached_only_while_its_command_runs():
    for kind, name in (("empty", "floor_empty"), ("task-storage", "floor_task_storage")):
        p = _under_floor(kind)
        assert p.returncode == 0, p.stderr
        loaded = [line for line in p.stdout.splitlines() if " name floor_" in line]
        # only the one asked for, as a tracing program
        assert len(loaded) == 1 and f"name {name}" in loaded[0], loaded
        assert "tracing" in loaded[0], loaded
        assert _all_gone(), _floor_programs()


def test_failing_command_keeps_its_status_and_detaches():
    p = run_deliberate([FLOOR, "empty", "false"], text=True, timeout=60)
    assert p.returncode == 1, (p.returncode, p.stderr)
    p = run_deliberate([FLOOR, "empty", "/nonexistent/command"], text=True, timeout=60)
    assert p.returncode == 127 and "/nonexistent/command" in p.stderr, (p.returncode, p.stderr)
    assert _all_gone(), _floor_programs()


def test_usage_errors():
    for argv in ([FLOOR], [FLOOR, "empty"], [FLOOR, "nosuch", "true"]):
        p = run_deliberate(argv, text=True, timeout=60)
        assert p.returncode == 2 and "usage: floor" in p.stderr, (argv, p.returncode, p.stderr)
