"""pH in the kernel (`vigil run --ph`): a program trained until its profile
becomes normal, then made to take a path it never took, raises anomaly
alerts naming its pid, the offending call and the window; the pH programs
are gone once the monitor exits."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from vigil_harness import BUILD, Monitor, copy_program
from vigil_harness import run_deliberate

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


def test_ph_learns_then_flags_a_new_path_and_detaches():
    # A fresh copy: a new inode, so a new profile nobody trained before.
    tmp = tempfile.mkdtemp(prefix="vigil-ph-")
    exe = os.path.join(tmp, "phtest")
    copy_program(PHTEST, exe)
    ino = os.stat(exe).st_ino
    before = _ph_program_ids()
    try:
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     events=False) as mon:
            ours = _ph_program_ids() - before
            assert len(ours) >= 3, f"pH programs not loaded: {ours}\n{mon.stderr()}"
            # Train until the profile freezes, waits its second and turns normal.
            deadline = time.time() + 60
            while not _alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run(exe, "train")
                time.sleep(0.05)
            # A last train run in normal mode must be quiet.
            quiet_pid = _run(exe, "train")
            attack_pid = _run(exe, "attack")
            deadline = time.time() + 10
            while not [a for a in _alerts(mon, ino, "pH anomaly")
                       if a["output_fields"]["proc.pid"] == attack_pid]:
                assert time.time() < deadline, "no anomaly alert:\n" + mon.stderr()
                time.sleep(0.1)
        alerts = _alerts(mon, ino)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    normal = [a for a in alerts if a["rule"] == "pH profile normal"]
    assert normal[0]["priority"] == "Informational"
    assert "VG-092" in normal[0]["tags"]
    assert normal[0]["output_fields"]["ph.state"] == "normal"

    assert not [a for a in alerts if a["output_fields"]["proc.pid"] == quiet_pid
                and a["rule"] != "pH profile normal"], "a trained path raised anomalies"

    mine = [a for a in alerts if a["output_fields"]["proc.pid"] == attack_pid
            and a["rule"] in ("pH anomaly", "pH anomaly burst")]
    assert mine, f"no anomaly for pid {attack_pid}: {alerts}"
    a = mine[0]
    assert a["rule"] == "pH anomaly" and a["priority"] == "Warning" and "VG-090" in a["tags"]
    of = a["output_fields"]
    assert of["proc.name"] == "phtest"
    assert of["ph.state"] == "normal" and of["ph.lfc"] == 1
    assert of["ph.window_size"] == NGRAM
    # the window: the 11 calls before, by name
    window = of["ph.window"].split()
    assert len(window) == NGRAM - 1, of
    assert all(re.fullmatch(r"[a-z_0-9]+", w) and not w.startswith("syscall_") for w in window)
    assert of["ph.call"] in a["output"] and str(attack_pid) in a["output"]
    # the attack path's own calls are flagged (the first one after the
    # trained round, and the ones after it)
    calls = {m["output_fields"]["ph.call"] for m in mine}
    assert calls & ATTACK_CALLS, f"no attack call among the anomalies: {calls}"
    first_attack = next(m for m in mine if m["output_fields"]["ph.call"] in ATTACK_CALLS)
    assert first_attack["output_fields"]["ph.call"] == "uname", first_attack
    assert first_attack["output_fields"]["ph.window"].split()[-6:] == \
        ["getpid", "getppid", "getuid", "getgid", "geteuid", "getegid"]

    # 24 attack calls: the LFC passes the tolerize limit (12) once
    burst = [m for m in alerts if m["rule"] == "pH anomaly burst"
             and m["output_fields"]["proc.pid"] == attack_pid]
    assert len(burst) == 1 and burst[0]["priority"] == "Error" and "VG-091" in burst[0]["tags"]
    assert burst[0]["output_fields"]["ph.lfc"] == 13

    # Detached and unloaded: none of the pH programs it loaded is left.
    assert mon.proc.returncode == 0, mon.stderr()
    # The kernel frees programs from a work queue after the last reference
    # goes: give it a moment, not forever.
    deadline = time.time() + 10
    while ours & _ph_program_ids() and time.time() < deadline:
        time.sleep(0.1)
    assert not (ours & _ph_program_ids()), "pH programs left after exit"
    assert re.search(r"vigil: ph alerts=\d+ drops=0 malformed=0", mon.stderr()), mon.stderr()
