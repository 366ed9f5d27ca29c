"""pH in the kernel (`vigil run --ph`): a program trained until its profile
becomes normal, then made to take a path it never took, raises ONE
incident naming its path, pid, command line, parent, user, every novel
call and the window before it; exec and connect are Critical; the pH
programs are gone once the monitor exits."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from vigil_harness import BUILD, VIGIL, Monitor
from vigil_harness import run_deliberate
from ph_program import unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")
# What the attack path calls and the train path never does.
ATTACK_CALLS = {"uname", "sysinfo", "getrusage", "getcwd", "getpgrp", "getsid"}
NGRAM = 12  # the default model: the window holds the 11 calls before


def _ph_program_ids():
    p = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True, check=True)
    return {int(l.split(":")[0]) for l in p.stdout.splitlines()
            if re.search(r"name ph_\w+", l)}


def _alerts(mon, ino, rule=None):
    """pH alerts about the executable with this inode (other programs on
    the machine are modelled too)."""
    out = []
    try:
        events = mon.events()
    except (FileNotFoundError, json.JSONDecodeError):
        return out  # not written yet, or a line half written
    for e in events:
        of = e.get("output_fields", {})
        if of.get("ph.exe_ino") != ino or not e["rule"].startswith("pH "):
            continue
        if rule is None or e["rule"] == rule:
            out.append(e)
    return out


def _run(exe, *args):
    # stdout is always a pipe: the same libc path in both modes
    # run from a temporary directory: the default rules rightly report that
    p = run_deliberate([exe] + list(args), text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return int(re.search(r"pid=(\d+)", p.stdout).group(1))


def _family(mon, ino, pids):
    """The incidents about any of pids (as the process, or in its family)."""
    out = []
    for a in _alerts(mon, ino, "pH incident"):
        of = a["output_fields"]
        theirs = {of["proc.pid"]} | {int(p) for p in (of.get("ph.family_pids") or "").split()}
        if theirs & set(pids):
            out.append(a)
    return out


def _incidents(mon, ino, pid):
    return [a for a in _alerts(mon, ino, "pH incident")
            if a["output_fields"]["proc.pid"] == pid]


def _wait_incident(mon, ino, pid, timeout=10):
    deadline = time.time() + timeout
    while not _incidents(mon, ino, pid):
        assert time.time() < deadline, f"no incident for {pid}:\n" + mon.stderr()
        time.sleep(0.1)
    return _incidents(mon, ino, pid)


def test_ph_learns_then_flags_a_new_path_and_detaches():
    # A fresh copy: a new inode, so a new profile nobody trained before.
    tmp = tempfile.mkdtemp(prefix="vigil-ph-")
    exe = os.path.join(tmp, "phtest")
    unique_program(PHTEST, exe)
    ino = os.stat(exe).st_ino
    before = _ph_program_ids()
    try:
        # not a service (run by the test, no listening socket): reported
        # because it is on the watch list
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-watch", exe, events=False) as mon:
            ours = _ph_program_ids() - before
            # its own: signal delivery and io_uring requests (its exec, fork
            # and exit steps run in the sensor's vg_exec, vg_fork, vg_exit)
            assert len(ours) >= 1, f"pH programs not loaded: {ours}\n{mon.stderr()}"
            # Train until the profile freezes, waits its second and turns normal.
            deadline = time.time() + 60
            while not _alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run(exe, "train")
                time.sleep(0.05)
            # A last train run in normal mode must be quiet, and so must a
            # run whose waits (futex, poll, sched_yield, nanosleep) fall at
            # random places: timing is not a new code path.
            quiet_pid = _run(exe, "train")
            jitter_pids = [_run(exe, "jitter") for _ in range(3)]
            attack_pid = _run(exe, "attack")
            _wait_incident(mon, ino, attack_pid)
            time.sleep(0.5)  # anything more for that pid would come now
        alerts = _alerts(mon, ino)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    normal = [a for a in alerts if a["rule"] == "pH profile normal"]
    assert normal[0]["priority"] == "Informational"
    assert "VG-092" in normal[0]["tags"]
    assert normal[0]["output_fields"]["ph.state"] == "normal"
    # the identifier `vigil profile` accepts (the path too when the
    # process still runs: the record comes at its first calls)
    exe_id = normal[0]["output_fields"]["ph.exe_id"]
    assert re.fullmatch(rf"\d+:\d+:{ino}", exe_id), normal[0]
    assert normal[0]["output_fields"]["ph.exe"] in (exe, exe_id), normal[0]

    assert not [a for a in alerts if a["output_fields"]["proc.pid"] == quiet_pid
                and a["rule"] != "pH profile normal"], "a trained path raised anomalies"
    assert not [a for a in alerts if a["output_fields"]["proc.pid"] in jitter_pids
                and a["rule"] != "pH profile normal"], \
        ("waits broke the trained sequences", [a["output"] for a in alerts
                                               if a["output_fields"]["proc.pid"] in jitter_pids])
    # anomalies are incidents now: no alert per call
    assert not [a for a in alerts if a["rule"] in ("pH anomaly", "pH anomaly burst")], alerts

    mine = [a for a in alerts if a["output_fields"]["proc.pid"] == attack_pid]
    # 24 attack calls, each in up to 12 anomalous n-grams: ONE incident
    assert len(mine) == 1, mine
    a = mine[0]
    assert a["rule"] == "pH incident" and "VG-090" in a["tags"]
    # a burst of harmless calls: Error (not Critical: nothing it calls runs,
    # connects or injects)
    assert a["priority"] == "Error", a
    of = a["output_fields"]
    assert of["proc.name"] == "phtest"
    assert of["ph.exe"] == exe and of["proc.exepath"] == exe
    assert of["proc.cmdline"] == "phtest attack", of
    assert of["proc.ppid"] == os.getpid() and of["proc.pname"], of
    assert of["user.name"] == "root" and of["user.uid"] == 0
    assert of["ph.state"] == "normal" and of["ph.burst"] is True
    assert of["ph.lfc"] >= 13 and of["ph.anomalies"] >= 13
    assert of["ph.window_size"] == NGRAM
    # the first novel call and the 11 calls before it, by name
    assert of["ph.call"] == "uname", of
    window = of["ph.window"].split()
    assert len(window) == NGRAM - 1, of
    assert all(re.fullmatch(r"[a-z_0-9]+", w) and not w.startswith("syscall_") for w in window)
    assert window[-6:] == ["getpid", "getppid", "getuid", "getgid", "geteuid", "getegid"]
    # every novel call listed, each with its window
    calls = of["ph.calls"].split()
    assert ATTACK_CALLS <= set(calls), calls
    assert "uname after [" in of["ph.windows"] and "sysinfo after [" in of["ph.windows"]
    assert exe in a["output"] and str(attack_pid) in a["output"]
    assert "burst" in of["ph.severity_reason"]
    assert 0 <= of["ph.delay_ms"] <= 100, of

    # Detached and unloaded: none of the pH programs it loaded is left.
    assert mon.proc.returncode == 0, mon.stderr()
    # The kernel frees programs from a work queue after the last reference
    # goes: give it a moment, not forever.
    deadline = time.time() + 10
    while ours & _ph_program_ids() and time.time() < deadline:
        time.sleep(0.1)
    assert not (ours & _ph_program_ids()), "pH programs left after exit"
    assert re.search(r"vigil: ph alerts=\d+ drops=0 malformed=0", mon.stderr()), mon.stderr()


def test_ph_exec_and_connect_are_critical_incidents():
    """An exploited server's moves: a connect-back and a program run. Each
    is one Critical incident within 100 ms, naming the exe path and the
    decisive call, with the sensor's events of the process around it."""
    tmp = tempfile.mkdtemp(prefix="vigil-ph-crit-")
    exe = os.path.join(tmp, "phtest")
    unique_program(PHTEST, exe)
    ino = os.stat(exe).st_ino
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--ph-no-persist",
                     "--ph-alert-scope", "all", events=False) as mon:
            deadline = time.time() + 60
            while not _alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run(exe, "train")
                time.sleep(0.05)
            exec_pid = _run(exe, "exec")
            conn_pid = _run(exe, "connect", str(port))
            inc_exec = _wait_incident(mon, ino, exec_pid)
            inc_conn = _wait_incident(mon, ino, conn_pid)
            # system(): a child runs the program, the parent waits. The
            # incident comes from whichever process's record came first
            p = run_deliberate([exe, "spawn"], text=True, timeout=60)
            assert p.returncode == 0, p.stderr
            spawn = [int(x) for x in re.findall(r"(?:pid|child)=(\d+)", p.stdout)]
            assert len(spawn) == 2, p.stdout
            deadline = time.time() + 10
            while not _family(mon, ino, spawn):
                assert time.time() < deadline, "no spawn incident:\n" + mon.stderr()
                time.sleep(0.1)
            time.sleep(2.5)  # the episode ends (2 s quiet): nothing more may come
            inc_exec = _incidents(mon, ino, exec_pid)
            inc_conn = _incidents(mon, ino, conn_pid)
            inc_spawn = _family(mon, ino, spawn)
    finally:
        srv.close()
        shutil.rmtree(tmp, ignore_errors=True)
    assert len(inc_exec) == 1 and len(inc_conn) == 1, (inc_exec, inc_conn)
    # one incident for the two processes (updates aside), naming both
    first = [a for a in inc_spawn if not a["output_fields"].get("ph.update")]
    assert len(first) == 1, inc_spawn
    assert first[0]["output_fields"]["ph.family_pids"], first
    assert max(inc_spawn, key=lambda a: a["time"])["priority"] == "Critical", inc_spawn
    for inc, call in ((inc_exec[0], "execve"), (inc_conn[0], "connect")):
        of = inc["output_fields"]
        assert inc["priority"] == "Critical", inc
        assert of["ph.exe"] == exe
        assert call in of["ph.calls"].split(), of
        assert call in of["ph.severity_reason"], of
        assert of["ph.delay_ms"] <= 100, of
    # the sensor's record of what the process did: the program it ran
    assert "/bin/true" in (inc_exec[0]["output_fields"]["ph.events"] or "") or \
        "/usr/bin/true" in (inc_exec[0]["output_fields"]["ph.events"] or ""), inc_exec[0]


def test_ph_scope_services_alert_tools_learn_silently():
    """By default only services are reported: a program seen listening is
    in scope (its attack is an incident); the same program that never
    served learns, becomes normal, and its attack stays silent (counted)."""
    tmp = tempfile.mkdtemp(prefix="vigil-ph-scope-")
    svc, tool = os.path.join(tmp, "phsvc"), os.path.join(tmp, "phtool")
    unique_program(PHTEST, svc)
    unique_program(PHTEST, tool)
    ino_svc, ino_tool = os.stat(svc).st_ino, os.stat(tool).st_ino
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--ph-no-persist", events=False) as mon:
            _run(svc, "serve")
            deadline = time.time() + 60
            while not _alerts(mon, ino_svc, "pH profile normal"):
                assert time.time() < deadline, "service never became normal:\n" + mon.stderr()
                _run(svc, "train")
                time.sleep(0.05)
            deadline = time.time() + 60
            while _profile(mon, tool)["state"] != "normal":
                assert time.time() < deadline, "tool never became normal:\n" + mon.stderr()
                _run(tool, "train")
                time.sleep(0.05)
            svc_pid = _run(svc, "attack")
            tool_pid = _run(tool, "attack")
            _wait_incident(mon, ino_svc, svc_pid)
            time.sleep(0.5)
            tool_alerts = _alerts(mon, ino_tool)
            status = json.loads(subprocess.run(
                [VIGIL, "status", "--json", "--socket", mon.sock], capture_output=True,
                text=True, timeout=60, check=True, stdin=subprocess.DEVNULL).stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert not tool_alerts, tool_alerts  # no normal alert, no incident
    assert status["ph"]["incidents_out_of_scope"] >= 1, status["ph"]
    assert status["ph"]["incidents"] >= 1
    assert tool_pid != svc_pid


def _status(mon):
    return json.loads(subprocess.run(
        [VIGIL, "status", "--json", "--socket", mon.sock], capture_output=True, text=True,
        timeout=60, check=True, stdin=subprocess.DEVNULL).stdout)["ph"]


def test_ph_one_relocated_call_is_counted_not_reported():
    """The evidence threshold in the real kernel: a run whose only novelty
    is a known call in a new place (a loop that ran once more) is held
    back and counted below the threshold, not an incident, and does not
    spend the profile's anomaly budget; the attack path still is one."""
    tmp = tempfile.mkdtemp(prefix="vigil-ph-evidence-")
    exe = os.path.join(tmp, "phtest")
    unique_program(PHTEST, exe)
    ino = os.stat(exe).st_ino
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-watch", exe, events=False) as mon:
            deadline = time.time() + 60
            while not _alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run(exe, "train")
                time.sleep(0.05)
            below = _status(mon)["episodes_below_threshold"]
            extra_pid = _run(exe, "extra")
            # its misses were seen (held back, never learnt) ...
            deadline = time.time() + 30
            while _profile(mon, exe)["held_items"] < 1:
                assert time.time() < deadline, "the extra call was not seen:\n" + mon.stderr()
                time.sleep(0.1)
            # ... and its episode ended (2 s quiet) below the threshold
            extra_alerts = _ended_below(mon, ino, below, extra_pid)
            budget = _profile(mon, exe)["anomalies"]
            # two known calls swapped: more anomalies than one novel call
            # makes (the old threshold's LFC), but every call is one the
            # program made: below the known calls' threshold
            below = _status(mon)["episodes_below_threshold"]
            swap_alerts = _ended_below(mon, ino, below, _run(exe, "swap"))
            swap_budget = _profile(mon, exe)["anomalies"]
            attack_pid = _run(exe, "attack")
            inc = _wait_incident(mon, ino, attack_pid)
            spent = _profile(mon, exe)["anomalies"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert not extra_alerts, extra_alerts
    assert budget == 0, budget  # the relocated call is no episode
    assert not swap_alerts, swap_alerts
    assert swap_budget == 0, swap_budget  # nor are known calls swapped
    assert len(inc) == 1 and inc[0]["priority"] == "Error", inc
    # the attack's calls are ones the program never made, and named so
    never = inc[0]["output_fields"]["ph.never_made"].split()
    assert {"uname", "sysinfo"} <= set(never), inc
    assert "never made before: uname" in inc[0]["output"], inc
    assert spent == 1, spent  # the attack is one


def _ended_below(mon, ino, below, pid):
    """Waits for an episode to end below the evidence threshold (the count
    passes `below`); returns the alerts about pid meanwhile."""
    deadline = time.time() + 30
    while _status(mon)["episodes_below_threshold"] <= below:
        assert time.time() < deadline, f"no episode of {pid} below the threshold:\n" + \
            mon.stderr()
        time.sleep(0.2)
    return [a for a in _alerts(mon, ino) if a["output_fields"]["proc.pid"] == pid]


def _profile(mon, exe):
    p = subprocess.run([VIGIL, "profile", "show", exe, "--json", "--socket", mon.sock],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return json.loads(p.stdout) if p.returncode == 0 else {"state": None}


def test_ph_learning_window_normalizes_settled_profiles():
    """--ph-learning-window: at its end every profile that learnt nothing in
    the window's last quarter becomes normal (no 7-day wait); one that was
    still learning is named and keeps training."""
    tmp = tempfile.mkdtemp(prefix="vigil-ph-window-")
    a, b = os.path.join(tmp, "phsettled"), os.path.join(tmp, "phchanging")
    c = os.path.join(tmp, "phrare")
    unique_program(PHTEST, a)
    unique_program(PHTEST, b)
    unique_program(PHTEST, c)
    try:
        with Monitor("--ph", "--ph-normal-wait", "100000", "--ph-min-train", "100",
                     "--ph-learning-window", "12", "--no-rules", "--ph-no-persist",
                     "--ph-alert-scope", "all", events=False) as mon:
            t0 = time.time()
            for _ in range(10):
                _run(a, "train")
                _run(b, "train")
                _run(c, "train")
            assert time.time() < t0 + 8, "training took too long for the window"
            time.sleep(max(0, t0 + 9.5 - time.time()))  # past the 3/4 snapshot (9 s)
            _run(b, "attack")  # b learns something new in the last quarter
            # c too, but rarely: one known call in a new place among
            # 12,000 training calls (under one new item per 512 calls)
            _run(c, "extra")
            _run(c, "train", "2000")
            assert time.time() < t0 + 11.5, "the last quarter's runs took too long"
            deadline = t0 + 30
            while "pH learning window over" not in mon.stderr():
                assert time.time() < deadline, mon.stderr()
                time.sleep(0.2)
            pa, pb, pc = _profile(mon, a), _profile(mon, b), _profile(mon, c)
            attack = _run(a, "attack")
            _wait_incident(mon, os.stat(a).st_ino, attack)
            err = mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert pa["state"] == "normal", pa
    assert pb["state"] != "normal", pb
    assert pc["state"] == "normal", pc  # settled enough for the evidence threshold
    assert f"still changing: {b}" in err, err
    assert f"still changing: {c}" not in err, err
    assert re.search(r"pH learning window over: [1-9]\d* profiles normal now, [1-9]\d* still "
                     r"changing", err), err
