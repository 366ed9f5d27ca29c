"""What vigil costs per system call, as the monitor itself runs and reports it:
the default monitor puts exactly one program on the raw_syscalls
sys_enter / sys_exit pair (the sensor's vg_sys_exit, which runs pH's
per-call step too: docs/ph.md, "Cost"), and pH still learns through it;
with sensor.bpf_stats, `vigil status` and the metrics endpoint show each
program's calls and ns per call from the kernel's run-time statistics, and
kernel.bpf_stats_enabled is the same after the monitor as before."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from test_metrics import free_port, metric, scrape, token_file
from vigil_harness import BUILD, VIGIL, Monitor, copy_program, run_deliberate

WORKLOAD = os.path.join(BUILD, "bench", "workload")
STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


def _links(pid):
    """{tracepoint: [program id]} of the tracepoint links a process holds."""
    links = {}
    fdinfo = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                text = f.read()
        except OSError:
            continue
        tp = re.search(r"^tp_name:\s*(\S+)", text, re.M)
        prog = re.search(r"^prog_id:\s*(\d+)", text, re.M)
        if tp and prog:
            links.setdefault(tp.group(1), []).append(int(prog.group(1)))
    return links


def _prog_name(prog_id):
    out = subprocess.check_output(["bpftool", "-j", "prog", "show", "id", str(prog_id)], text=True)
    return json.loads(out)["name"]


def _status(mon):
    p = subprocess.run([VIGIL, "status", "--json", "--socket", mon.sock], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def _sysctl():
    with open(STATS_SYSCTL) as f:
        return f.read().strip()


def test_default_monitor_runs_one_program_per_system_call():
    # the defaults: default rules, pH, PAM probes (the harness turns pH off
    # unless asked)
    with Monitor("--ph", events=False) as mon:
        links = _links(mon.proc.pid)
        per_call = links.get("sys_enter", []) + links.get("sys_exit", [])
        assert len(per_call) == 1, f"programs on sys_enter/sys_exit: {links}"
        assert _prog_name(per_call[0]) == "vg_sys_exit"
        assert "sys_enter" not in links, links
        # pH's exec, fork and exit steps run in the sensor's programs
        # (one vigil program per tracepoint); signal delivery is pH's own
        names = {tp: [_prog_name(i) for i in ids] for tp, ids in links.items()}
        for tp, prog in (("sched_process_exec", "vg_exec"), ("sched_process_fork", "vg_fork"),
                         ("sched_process_exit", "vg_exit")):
            assert names.get(tp) == [prog], names
        assert "ph_signal_deliver" in names.get("signal_deliver", []), names
        # pH learns through the sensor's program: the workload's calls
        # reach its profile (only vg_sys_exit sees system calls)
        subprocess.run([WORKLOAD, "getppid", "20000"], check=True, capture_output=True)
        time.sleep(0.3)
        ph = _status(mon)["ph"]
        assert ph["profiles"] >= 1 and ph["items"] >= 1, ph


def _ph_calls(mon):
    ph = _status(mon)["ph"]
    return ph["calls_fast"], ph["calls_slow"]


def test_ph_fast_path_answers_a_known_loop():
    """pH's per-call step answers a program's known calls from the task's
    cache (docs/ph.md, "Cost"): `vigil status` counts the calls answered
    there (calls_fast) and those that ran the model (calls_slow). A loop
    the profile knows must be almost all fast: one slow call per
    PH_PENDING_MAX (512) fast ones, plus what other tasks make meanwhile.
    The metrics endpoint shows the same two counters (vigil_ph_calls_fast,
    vigil_ph_calls_slow)."""
    n = 200000
    port = free_port()
    tokens = tempfile.mkdtemp(prefix="vigil-cost-")
    with Monitor("--ph", "--no-rules", "--metrics-listen", f"127.0.0.1:{port}",
                 "--set", f"metrics.token_file={token_file(tokens)}", events=False) as mon:
        # the first run teaches the workload's profile its loop
        subprocess.run([WORKLOAD, "getppid", "20000"], check=True, capture_output=True)
        fast0, slow0 = _ph_calls(mon)
        subprocess.run([WORKLOAD, "getppid", str(n)], check=True, capture_output=True)
        # the workload's fast calls reach the counter when it exits
        deadline = time.monotonic() + 10
        while True:
            fast, slow = _ph_calls(mon)
            if fast - fast0 >= n * 0.95 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1.1)  # past the age of the metrics' status snapshot
        text = scrape(f"http://127.0.0.1:{port}/metrics")
        # counters only grow: a snapshot taken after the reads above holds at least as many
        assert metric(text, "vigil_ph_calls_fast") >= fast, text
        assert metric(text, "vigil_ph_calls_slow") >= slow, text
    shutil.rmtree(tokens, ignore_errors=True)
    assert fast - fast0 >= n * 0.95, (fast - fast0, slow - slow0)
    assert (slow - slow0) * 10 < fast - fast0, (fast - fast0, slow - slow0)


def _maps(pid):
    """bpftool's description of every BPF map the process holds."""
    maps = {}
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                m = re.search(r"^map_id:\s*(\d+)", f.read(), re.M)
        except OSError:
            continue
        if m and int(m.group(1)) not in maps:
            out = subprocess.run(["bpftool", "-j", "map", "show", "id", m.group(1)],
                                 capture_output=True, text=True)
            if out.returncode == 0:
                maps[int(m.group(1))] = json.loads(out.stdout)
    return list(maps.values())


def _map_id(pid, name):
    """The id of the BPF map called `name` that process `pid` holds."""
    return next((m["id"] for m in _maps(pid) if m.get("name") == name), None)


def _startup_entry(map_id, ino):
    """The start-up cache saved for the executable with inode `ino`."""
    out = subprocess.check_output(["bpftool", "-j", "map", "dump", "id", str(map_id)], text=True)
    for e in json.loads(out):
        f = e.get("formatted", e)
        key = f["key"]
        if isinstance(key, dict):
            found = key["ino"] == ino
        else:  # raw bytes: dev, then ino (u64, little-endian)
            found = int.from_bytes(bytes(int(b, 16) for b in key[8:16]), "little") == ino
        if found:
            return f["value"]
    return None


def test_short_program_leaves_its_start_up_items_for_the_next_run():
    """A short-lived program is all start-up, no loop: the task cache its
    main thread leaves at exit is kept by executable (ph_startup), and the
    next exec of the program starts with it, so the start-up calls it knows
    take the fast path (docs/ph.md, "Cost")."""
    d = tempfile.mkdtemp(prefix="vigil-startup-")
    exe = copy_program("/bin/true", os.path.join(d, "vg-true"))
    ino = os.stat(exe).st_ino
    try:
        with Monitor("--ph", "--no-rules", events=False) as mon:
            map_id = _map_id(mon.proc.pid, "ph_startup")
            assert map_id, "the monitor holds no ph_startup map"
            assert _startup_entry(map_id, ino) is None
            for _ in range(5):
                assert run_deliberate([exe], timeout=60).returncode == 0
            entry = _startup_entry(map_id, ino)
            assert entry is not None, "no start-up cache saved for the program"
            if isinstance(entry, dict):  # the cache holds known items of its profile
                assert entry["profile"] > 0 and entry["valid"] != 0, entry
                assert entry["pending"] == 0, entry
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_status_and_metrics_show_each_programs_cost_and_stats_are_restored():
    before = _sysctl()
    port = free_port()
    tokens = tempfile.mkdtemp(prefix="vigil-cost-")
    with Monitor("--ph", "--no-rules", "--set", "sensor.bpf_stats=true",
                 "--metrics-listen", f"127.0.0.1:{port}",
                 "--set", f"metrics.token_file={token_file(tokens)}", events=False) as mon:
        subprocess.run([WORKLOAD, "getppid", "200000"], check=True, capture_output=True)
        time.sleep(0.3)
        cost = _status(mon)["cost"]
        assert cost["bpf_stats"] == "on", cost
        calls, ns = cost["calls_by_program"], cost["ns_per_call_by_program"]
        # the workload alone made 200,000 system calls, each through vg_sys_exit
        assert calls.get("vg_sys_exit", 0) >= 200000, cost
        assert 0 < ns["vg_sys_exit"] < 100000, cost
        assert calls.get("vg_exec", 0) >= 1 and calls.get("vg_fork", 0) >= 1, cost
        assert "ph_exec" not in calls and "ph_fork" not in calls, cost  # in vg_exec, vg_fork
        assert cost["syscalls"] == calls["vg_sys_exit"], cost
        assert 0 < cost["ns_per_syscall"] < 100000, cost
        # the table form and the metrics endpoint show the same figures
        table = subprocess.run([VIGIL, "status", "--socket", mon.sock], capture_output=True,
                               text=True, timeout=60).stdout
        assert "[cost]" in table and re.search(r"calls_by_program\s+.*vg_sys_exit=\d+", table), table
        text = scrape(f"http://127.0.0.1:{port}/metrics")
        assert metric(text, "vigil_cost_calls", program="vg_sys_exit") >= 200000
        assert metric(text, "vigil_cost_ns_per_call", program="vg_sys_exit") > 0
        assert metric(text, "vigil_cost_ns_per_syscall") > 0
        # switched on through a descriptor: the sysctl is not written
        assert _sysctl() == before
    shutil.rmtree(tokens, ignore_errors=True)
    assert mon.proc.returncode == 0, mon.stderr()
    assert _sysctl() == before, "kernel.bpf_stats_enabled changed by the monitor"


def test_stats_stay_off_by_default():
    with Monitor("--no-ph", "--no-rules", events=False) as mon:
        cost = _status(mon)["cost"]
        if _sysctl() == "0":  # someone may have switched them on for the machine
            assert cost["bpf_stats"].startswith("off"), cost
        # the sensor's program still has a place in the section
        assert "calls_by_program" in cost and "ns_per_syscall" in cost


PHEXEC = os.path.join(BUILD, "tests", "bin", "vigil-phexec")


def _ph_alerts(mon, ino, rule=None):
    try:
        events = mon.events()
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return [e for e in events if e["rule"].startswith("pH ")
            and e["output_fields"].get("ph.exe_ino") == ino and (rule is None or e["rule"] == rule)]


def _run(exe, *args):
    p = run_deliberate([exe] + list(args), text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return int(re.search(r"pid=(\d+)", p.stdout).group(1))


def test_execve_is_the_last_call_of_the_program_that_made_it():
    """pH models a call when it returns, and a successful execve returns in
    the new program: it must still be the old program's call (an exploited
    server spawning a shell is an anomaly of the server), as at entry."""
    tmp = tempfile.mkdtemp(prefix="vigil-phexec-")
    exe = os.path.join(tmp, "phexec")
    copy_program(PHEXEC, exe)
    ino = os.stat(exe).st_ino
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-alert-scope", "all", events=False) as mon:
            deadline = time.time() + 60
            while not _ph_alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run(exe, "train")
                time.sleep(0.05)
            quiet = _run(exe, "train")  # ends by exit_group, as the training runs did
            pid = _run(exe, "exec", "/bin/true")
            deadline = time.time() + 10
            while not [a for a in _ph_alerts(mon, ino, "pH incident")
                       if a["output_fields"]["proc.pid"] == pid]:
                assert time.time() < deadline, "no anomaly for the execve:\n" + mon.stderr()
                time.sleep(0.1)
            alerts = _ph_alerts(mon, ino)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert not [a for a in alerts if a["output_fields"]["proc.pid"] == quiet
                and a["rule"] != "pH profile normal"], "a trained run raised anomalies"
    mine = [a for a in alerts if a["output_fields"]["proc.pid"] == pid
            and a["rule"] == "pH incident"]
    # one incident, whose first novel call is the execve
    assert [a["output_fields"]["ph.call"] for a in mine] == ["execve"], mine
    of = mine[0]["output_fields"]
    assert of["ph.exe"] == exe, of  # still the old program's anomaly
    assert of["ph.window"].split()[-6:] == \
        ["getpid", "getppid", "getuid", "getgid", "geteuid", "getegid"], of
