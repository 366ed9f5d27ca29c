"""The control socket and its commands against a real monitor (`vigil run
--ph`): status, ps, profiles, profile show|normalize|sensitize|tolerize|reset
on a fresh copy of tests/bin/vigil-phtest; root only (file modes, and the
SO_PEERCRED check itself); a clear message when no monitor runs."""
import contextlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time

from vigil_harness import BUILD, VIGIL, Monitor, copy_program, deliberate
from test_ph_buildid import _copy_other_build, _incidents, _run
from ph_program import unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")


def _ctl(mon, *args, check=True):
    p = subprocess.run([VIGIL] + list(args) + ["--socket", mon.sock], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    if check:
        assert p.returncode == 0, f"vigil {args} failed ({p.returncode}): {p.stderr}"
    return p


def _json(mon, *args):
    return json.loads(_ctl(mon, *args, "--json").stdout)


@contextlib.contextmanager
def _session():
    """A monitor with pH (normal_wait so long that only the admin actions
    make a profile normal) and a fresh copy of vigil-phtest (a new inode:
    a profile nobody trained)."""
    tmp = tempfile.mkdtemp(prefix="vigil-ctl-")
    try:
        os.chmod(tmp, 0o755)
        exe = os.path.join(tmp, "phtest")
        unique_program(PHTEST, exe)
        with Monitor("--ph", "--ph-normal-wait", "100000", "--ph-min-train", "100",
                     "--ph-alert-scope", "all",
                     "--no-rules", events=False) as mon:
            yield {"mon": mon, "tmp": tmp, "exe": exe, "ino": os.stat(exe).st_ino}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_socket_is_root_only_0600_in_a_0700_directory():
    with _session() as s:
        st = os.lstat(s["mon"].sock)
        assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
        assert st.st_uid == 0 and st.st_gid == 0
        # the harness's directory exists already (mkdtemp, 0700); a fresh one
        # is created 0700 by the monitor: see test_fresh_directory_and_stale_socket


def test_status_reports_real_figures():
    with _session() as s:
        mon = s["mon"]
        _run(s["exe"], "train", "5")
        time.sleep(0.3)
        st = _json(mon, "status")
        m = st["monitor"]
        assert m["pid"] == mon.proc.pid
        assert m["uptime_s"] >= 0 and m["events_total"] > 0
        assert {"vg_sys_exit", "vg_exec", "vg_fork", "vg_exit"} <= set(m["programs"])
        assert m["programs_attached"] == len(m["programs"])
        assert m["events_by_type"].get("execve", 0) >= 1
        assert m["drops"]["ring_full"] == 0 and m["drops"]["malformed"] == 0
        assert m["bpf_maps"]["ph_items"] > 0 and m["bpf_map_bytes"] >= m["bpf_maps"]["ph_items"]
        assert m["rss_bytes"] > 1 << 20
        assert m["rules_loaded"] == 0  # --no-rules
        ph = st["ph"]
        assert ph["profiles"] >= 1 and ph["items"] >= 1
        assert sum(ph["profiles_by_state"].values()) == ph["profiles"]
        assert 0 < ph["profile_bytes_avg"] < 1 << 20
        # the table form names the same sections
        out = _ctl(mon, "status").stdout
        assert "[monitor]" in out and "[ph]" in out and re.search(r"uptime_s\s+\d+", out)


def test_ps_shows_a_live_process_model_state():
    with _session() as s:
        mon = s["mon"]
        # a process that stays alive while we look: phtest's calls, then sleep
        proc = subprocess.Popen(["/bin/sh", "-c", f"{s['exe']} train 3 >/dev/null; exec sleep 30"],
                                stdin=subprocess.DEVNULL)
        deliberate(proc.pid)  # runs a copy of phtest on purpose
        try:
            time.sleep(0.5)
            rows = _json(mon, "ps")
            mine = [r for r in rows if r["pid"] == proc.pid]
            assert mine, f"pid {proc.pid} not in vigil ps"
            r = mine[0]
            assert r["comm"] == "sleep" and r["exe"] == "/usr/bin/sleep", r
            assert r["state"] in ("training", "frozen", "normal") and r["calls"] > 0
            assert r["lfc"] == 0 and r["anomalies"] == 0
            assert str(proc.pid) in _ctl(mon, "ps").stdout
        finally:
            proc.kill()  # our own child
            proc.wait()


def test_profiles_lists_the_test_program_with_its_path():
    with _session() as s:
        mon = s["mon"]
        _run(s["exe"], "train", "5")
        time.sleep(0.3)
        rows = [r for r in _json(mon, "profiles") if r["ino"] == s["ino"]]
        assert len(rows) == 1, rows
        r = rows[0]
        assert r["exe"] == s["exe"]
        assert r["calls"] > 0 and r["items"] > 0
        assert r["bytes"] >= r["items"] * 24  # 16-byte key, 8-byte stamp
        assert r["state"] in ("training", "frozen")
        assert s["exe"] in _ctl(mon, "profiles").stdout


def test_profile_actions_change_what_the_kernel_does():
    with _session() as s:
        mon, exe, ino = s["mon"], s["exe"], s["ino"]
        for _ in range(5):
            _run(exe, "train")
        time.sleep(0.3)
        show = _json(mon, "profile", "show", exe)
        assert show["exe"] == exe and show["ino"] == ino and show["state"] in ("training", "frozen")
        # by pid: the profile of a running copy
        proc = subprocess.Popen(["/bin/sh", "-c", f"exec {exe} train 100000000"],
                                stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deliberate(proc.pid)  # runs a copy of phtest on purpose
        try:
            time.sleep(0.3)
            by_pid = _json(mon, "profile", "show", str(proc.pid))
            assert by_pid["ino"] == ino and by_pid["id"] == show["id"]
        finally:
            proc.kill()
            proc.wait()

        # normalize: normal now, and an odd call path raises an anomaly
        n = _json(mon, "profile", "normalize", exe)
        assert n["state"] == "normal" and n["test_items"] > 0
        quiet = _run(exe, "train")
        attack = _run(exe, "attack")
        deadline = time.time() + 10
        while not _incidents(mon, ino, attack):
            assert time.time() < deadline, "no anomaly after normalize:\n" + mon.stderr()
            time.sleep(0.1)
        assert not _incidents(mon, ino, quiet), "the trained path alerted"
        after = _json(mon, "profile", "show", exe)
        assert after["state"] == "normal" and after["anomalies"] >= 1
        assert after["last_anomaly"], after
        assert [r for r in _json(mon, "profiles") if r["ino"] == ino][0]["last_anomaly"]

        # sensitize: the training period is forgotten, normal mode stays
        sens = _json(mon, "profile", "sensitize", exe)
        assert sens["state"] == "normal" and sens["train_count"] == 0 and sens["adds"] == 0
        assert sens["train_gen"] > after["train_gen"] and sens["test_gen"] == after["test_gen"]

        # tolerize: normal mode stops, learning goes on; the attack is quiet now
        tol = _json(mon, "profile", "tolerize", exe)
        assert tol["state"] == "training" and tol["anomalies"] == 0
        attack2 = _run(exe, "attack")
        time.sleep(0.5)
        assert not _incidents(mon, ino, attack2), "anomalies from a tolerized profile"

        # reset: back to training from nothing, old items deleted from the map
        before_items = _json(mon, "profile", "show", exe)["items"]
        assert before_items > 0
        r = _json(mon, "profile", "reset", exe)
        assert r["state"] == "training" and r["train_count"] == 0 and r["test_items"] == 0
        assert r["items"] == 0 and r.get("items_dropped", 0) >= before_items, r
        assert r["id"] == show["id"]
        _run(exe, "train")
        time.sleep(0.3)
        again = _json(mon, "profile", "show", exe)
        assert again["state"] == "training" and again["train_count"] > 0 and again["items"] > 0, again


def test_profile_errors_are_one_clear_line():
    with _session() as s:
        p = _ctl(s["mon"], "profile", "show", "/nonexistent/x", check=False)
        assert p.returncode == 1 and p.stderr.count("\n") == 1 and "no such executable" in p.stderr
        p = _ctl(s["mon"], "profile", "show", "99999999", check=False)
        assert p.returncode == 1 and "no process 99999999" in p.stderr, p.stderr
        # an executable the model never saw run
        fresh = os.path.join(s["tmp"], "never-run")
        unique_program(PHTEST, fresh)
        p = _ctl(s["mon"], "profile", "normalize", fresh, check=False)
        assert p.returncode == 1 and "no pH profile" in p.stderr, p.stderr
        p = _ctl(s["mon"], "profile", "frobnicate", s["exe"], check=False)
        assert p.returncode == 2


def test_protocol_errors_are_answered_not_fatal():
    with _session() as s:
        for req, want in ((b"not json\n", "not one valid JSON"),
                          (b'{"cmd":"nosuch"}\n', "unknown command"),
                          (b'{"cmd":"status","x":1}\n', "unknown key"),
                          (b"x" * 5000 + b"\n", "too long")):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
                c.settimeout(10)
                c.connect(s["mon"].sock)
                c.sendall(req)
                resp = json.loads(c.makefile().readline())
                assert resp["ok"] is False and want in resp["error"], (req[:40], resp)
        # and it still answers
        assert _json(s["mon"], "status")["monitor"]["control"]["errors"] >= 1


def _nobody_copy():
    """The vigil binary where user nobody may run it."""
    d = tempfile.mkdtemp(prefix="vigil-nobody-")
    os.chmod(d, 0o755)
    copy_program(VIGIL, os.path.join(d, "vigil"))
    os.chmod(os.path.join(d, "vigil"), 0o755)
    return d


def _as_nobody(argv):
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
                          + argv, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_non_root_is_refused_by_file_modes():
    with _session() as s:
        d = _nobody_copy()
        try:
            p = _as_nobody([os.path.join(d, "vigil"), "status", "--socket", s["mon"].sock])
        finally:
            shutil.rmtree(d, ignore_errors=True)
        assert p.returncode == 1, p
        assert "permission denied" in p.stderr and p.stderr.count("\n") == 1, p.stderr


def test_non_root_is_refused_by_peer_credentials():
    """The socket's modes relaxed on purpose: the SO_PEERCRED check alone
    must refuse, answer with a refusal and log it."""
    with _session() as s:
        mon = s["mon"]
        d = _nobody_copy()
        sockdir = os.path.dirname(mon.sock)
        old = stat.S_IMODE(os.stat(sockdir).st_mode)
        before = _json(mon, "status")["monitor"]["control"]["refused_non_root"]
        try:
            os.chmod(sockdir, 0o755)
            os.chmod(mon.sock, 0o666)
            p = _as_nobody([os.path.join(d, "vigil"), "status", "--socket", mon.sock])
        finally:
            os.chmod(mon.sock, 0o600)
            os.chmod(sockdir, old)
            shutil.rmtree(d, ignore_errors=True)
        assert p.returncode == 1, p
        assert "serves root only" in p.stderr and p.stderr.count("\n") == 1, p.stderr
        assert _json(mon, "status")["monitor"]["control"]["refused_non_root"] == before + 1
        deadline = time.time() + 5
        while "control socket: refused a client with uid 65534" not in mon.stderr():
            assert time.time() < deadline, mon.stderr()
            time.sleep(0.1)


def test_no_monitor_gives_one_clear_line():
    d = tempfile.mkdtemp(prefix="vigil-nomon-")
    try:
        for cmd in (["status"], ["ps"], ["profiles"], ["profile", "show", "/bin/true"]):
            p = subprocess.run([VIGIL] + cmd + ["--socket", os.path.join(d, "none.sock")],
                               capture_output=True, text=True, timeout=30)
            assert p.returncode == 1, (cmd, p)
            assert p.stderr == f"vigil: no vigil monitor is running (nothing answers on " \
                               f"{d}/none.sock)\n", p.stderr
            assert p.stdout == ""
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_fresh_directory_and_stale_socket():
    """A missing directory is created 0700; a stale socket (nobody answers)
    is replaced; a live one is left alone and the second monitor runs
    without a control socket; the socket goes at exit."""
    d = tempfile.mkdtemp(prefix="vigil-stale-")
    try:
        path = os.path.join(d, "run", "vigil.sock")
        os.mkdir(os.path.join(d, "run"), 0o700)
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(path)
        stale.close()  # a socket file nobody listens on
        with Monitor("--no-rules", "--control-socket", path, events=False) as a:
            assert json.loads(_ctl_path(path, "status").stdout)["monitor"]["pid"] == a.proc.pid
            with Monitor("--no-rules", "--control-socket", path, events=False) as b:
                assert "another vigil monitor answers" in b.stderr()
            # the first still owns it
            assert json.loads(_ctl_path(path, "status").stdout)["monitor"]["pid"] == a.proc.pid
        assert not os.path.exists(path)
        path2 = os.path.join(d, "new", "sub.sock")
        with Monitor("--no-rules", "--control-socket", path2, events=False):
            assert stat.S_IMODE(os.stat(os.path.dirname(path2)).st_mode) == 0o700
            assert stat.S_IMODE(os.lstat(path2).st_mode) == 0o600
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _ctl_path(path, *args):
    p = subprocess.run([VIGIL] + list(args) + ["--json", "--socket", path],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p


def test_profile_by_alert_id_normal_at_empty_normalize_and_reset():
    """`vigil profile` takes the identifier alerts print (ph.exe_id); a
    frozen profile says when it becomes normal; normalize refuses a profile
    with (nearly) no training data; reset clears last_anomaly."""
    with _session() as s:
        mon, exe, ino = s["mon"], s["exe"], s["ino"]
        deadline = time.time() + 60
        while True:  # min_train 100, normal_wait 100000 s: it freezes and waits
            _run(exe, "train")
            show = _json(mon, "profile", "show", exe)
            if show["state"] == "frozen":
                break
            # training: how far from freezing, if nothing new comes
            assert 0 <= show["progress_pct"] <= 99 and show["calls_to_freeze"] >= 0, show
            assert show["normal_at"] is None
            assert time.time() < deadline, show
        assert show["progress_pct"] is None and show["calls_to_freeze"] is None
        exe_id = f"{show['dev'] >> 20}:{show['dev'] & 0xfffff}:{ino}"
        by_id = _json(mon, "profile", "show", exe_id)
        assert by_id["ino"] == ino and by_id["exe"] == exe and by_id["id"] == show["id"]
        at = time.mktime(time.strptime(by_id["normal_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        assert abs(at - (time.time() + 100000)) < 120, by_id["normal_at"]
        bad = _ctl(mon, "profile", "show", "1:2", check=False)
        assert bad.returncode != 0 and "MAJOR:MINOR:INODE" in bad.stderr, bad.stderr

        n = _json(mon, "profile", "normalize", exe_id)
        assert n["state"] == "normal" and n["normal_at"] is None
        attack = _run(exe, "attack")
        deadline = time.time() + 10
        while not _incidents(mon, ino, attack):
            assert time.time() < deadline, "no incident after normalize:\n" + mon.stderr()
            time.sleep(0.1)
        assert _json(mon, "profile", "show", exe)["last_anomaly"]

        r = _json(mon, "profile", "reset", exe)
        assert r["last_anomaly"] is None, r
        # nothing learnt: normal now would flag every call
        p = _ctl(mon, "profile", "normalize", exe, check=False)
        assert p.returncode != 0 and "refusing to normalize" in p.stderr, p.stderr
        assert _json(mon, "profile", "show", exe)["state"] == "training"
        f = _json(mon, "profile", "force-normalize", exe)
        assert f["state"] == "normal" and f["test_items"] == 0


def test_profile_export_import_merge():
    """A profile moves between copies of a program as a file: exported from a
    trained copy, imported into a fresh copy (another inode), which is then
    normal at once (its attack is flagged, its training path quiet); merged
    into a third copy's own profile; a damaged file is refused by name."""
    with _session() as s:
        mon, exe, tmp = s["mon"], s["exe"], s["tmp"]
        for _ in range(5):
            _run(exe, "train")
        time.sleep(0.3)
        assert _json(mon, "profile", "normalize", exe)["state"] == "normal"
        f = os.path.join(tmp, "phtest.profile")
        ex = _json(mon, "profile", "export", exe, f)
        assert ex["items_written"] > 0 and os.stat(f).st_mode & 0o777 == 0o600
        src = _json(mon, "profile", "show", exe)

        other = os.path.join(tmp, "phtest-copy")
        unique_program(PHTEST, other)
        _run(other, "train", "1")  # the model has seen it: it has a profile
        time.sleep(0.3)
        imp = _json(mon, "profile", "import", other, f)
        assert imp["state"] == "normal" and imp["items_added"] == ex["items_written"], imp
        assert imp["test_items"] == src["test_items"] and imp["id"] != src["id"]
        quiet = _run(other, "train")
        attack = _run(other, "attack")
        ino = os.stat(other).st_ino
        deadline = time.time() + 10
        while not _incidents(mon, ino, attack):
            assert time.time() < deadline, "no incident after import:\n" + mon.stderr()
            time.sleep(0.1)
        assert not _incidents(mon, ino, quiet), "the imported profile flagged the trained path"

        # another build (a copy of the same build would start with the normal
        # profile of its build-id twin: tests/e2e/test_ph_buildid.py)
        third = _copy_other_build(PHTEST, os.path.join(tmp, "phtest-third"))
        _run(third, "train", "1")
        time.sleep(0.3)
        before = _json(mon, "profile", "show", third)
        m = _json(mon, "profile", "merge", third, f)
        assert m["items_added"] > 0 and m["adds"] == before["adds"] + m["items_added"], m
        again = _json(mon, "profile", "merge", third, f)  # nothing new the second time
        assert again["items_added"] == 0

        with open(f, "r+b") as fh:  # one flipped byte: the checksum
            fh.seek(400)
            b = fh.read(1)
            fh.seek(400)
            fh.write(bytes([b[0] ^ 0xff]))
        bad = _ctl(mon, "profile", "import", other, f, check=False)
        assert bad.returncode != 0 and "phtest.profile" in bad.stderr, bad.stderr
        assert _json(mon, "profile", "show", other)["test_items"] == src["test_items"]


def test_profile_accept_learns_what_was_held_back():
    """A normal profile learns no miss: the sequences of an incident are
    held back (held_items); `vigil profile accept` makes them normal, and
    the same run is quiet afterwards."""
    with _session() as s:
        mon, exe, ino = s["mon"], s["exe"], s["ino"]
        for _ in range(5):
            _run(exe, "train")
        time.sleep(0.3)
        assert _json(mon, "profile", "normalize", exe)["held_items"] == 0
        first = _run(exe, "exec")
        deadline = time.time() + 10
        while not _incidents(mon, ino, first):
            assert time.time() < deadline, "no incident for the exec run:\n" + mon.stderr()
            time.sleep(0.1)
        held = _json(mon, "profile", "show", exe)
        assert held["held_items"] >= 1 and held["state"] == "normal", held
        again = _run(exe, "exec")  # not learnt by repeating it
        deadline = time.time() + 10
        while not _incidents(mon, ino, again):
            assert time.time() < deadline, "a repeated exec run was learnt:\n" + mon.stderr()
            time.sleep(0.1)
        acc = _json(mon, "profile", "accept", exe)
        assert acc["items_accepted"] == held["held_items"] and acc["held_items"] == 0, acc
        assert acc["test_items"] == held["test_items"] + acc["items_accepted"], acc
        quiet = _run(exe, "exec")
        time.sleep(1.0)
        assert not _incidents(mon, ino, quiet), "an accepted sequence still alerts"
