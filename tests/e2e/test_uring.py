"""io_uring on the real kernel: opens, connects, renames and unlinks made
through io_uring (tests/bin/vigil-uring: raw io_uring_setup/io_uring_enter,
no syscall for the operation itself) are reported as the records of the
syscalls they stand for, marked evt.is_io_uring, attributed to the process
that owns the ring (also when the kernel's SQPOLL thread submits them), and
the default rules fire on them as on the syscalls. A flood of io_uring opens
is coalesced or dropped, and every open is accounted for.

One monitor with the default rules watches the scenario; the flood runs
under monitors of its own. Only our own processes are started; the network
traffic is a connect to a listener this file opens on 127.0.0.1.
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid

import time

from vigil_harness import BUILD, Monitor, copy_program, deliberate, deliberate_rule, of_pid, once

URING = os.path.join(BUILD, "tests", "bin", "vigil-uring")
SHADOW_RULE = "Sensitive file read by untrusted program"

_state = {}


def _run(*args, cwd=None, exe=URING):
    """Runs vigil-uring; returns its pid and key=value lines."""
    p = subprocess.Popen([exe] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, cwd=cwd)
    deliberate(p.pid)  # it reads /etc/shadow on purpose
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, f"vigil-uring {args} failed ({p.returncode}): {err}"
    kv = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert int(kv["pid"]) == p.pid
    return p.pid, kv


def _start():
    st = _state
    top = tempfile.mkdtemp(prefix="vigil-uring-")
    st["top"] = top
    # the runner (a Python interpreter) listens for the connect, on purpose
    deliberate_rule(os.getpid(), "Shell or interpreter listening on a socket")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    st["port"] = listener.getsockname()[1]
    try:
        with Monitor() as mon:  # the default rules, every event as JSON
            st["read"] = _run("read", "/etc/shadow")
            st["sysread"] = _run("sysread", "/etc/shadow")
            st["sqpoll"] = _run("--sqpoll", "read", "/etc/shadow")
            st["async"] = _run("--async", "read", "/etc/shadow")
            st["missing"] = _run("read", os.path.join(top, "no-such-file"))
            st["connect"] = _run("connect", st["port"])
            st["serve"] = _run("serve", 0)
            with open(os.path.join(top, "old"), "w") as f:
                f.write("x")
            st["rename"] = _run("rename", "old", "new", cwd=top)
            st["unlink"] = _run("unlink", os.path.join(top, "new"))
            st["mkdir"] = _run("mkdir", os.path.join(top, "dir"))
            st["skip"] = _run("--skip", "mkdir", "skipped", cwd=top)
        st["events"] = mon.events()
        st["stderr"] = mon.stderr()
    finally:
        listener.close()
        shutil.rmtree(top, ignore_errors=True)
    return st


def _st():
    return once(_state, "io_uring", _start)


def _mine(st, key, rule=None):
    pid = st[key][0]
    return [e for e in of_pid(st["events"], pid) if rule is None or e["rule"] == rule]


def _alerts(st, key, rule):
    """Alerts of this rule for our process (alert fields are rendered text)."""
    pid = str(st[key][0])
    return [e for e in st["events"] if e["rule"] == rule
            and str(e["output_fields"].get("proc.pid")) == pid]


def _uring(events):
    return [e["output_fields"] for e in events if e["output_fields"].get("evt.is_io_uring")]


def test_start_reports_the_io_uring_hooks():
    st = _st()
    assert re.search(r"io_uring: watching requests \(io_uring_submit_req, io_uring_complete, "
                     r"io_uring_req_failed, io_uring_create\)", st["stderr"]), st["stderr"]


def test_open_read_of_shadow_is_an_openat_and_raises_the_syscall_alert():
    st = _st()
    opens = [o for o in _uring(_mine(st, "read", "openat")) if o.get("fd.name") == "/etc/shadow"]
    assert len(opens) == 1, _mine(st, "read")
    o = opens[0]
    assert o["vigil.io_uring_op"] == "IORING_OP_OPENAT"
    assert o["evt.rawres"] == int(st["read"][1]["open_res"]) >= 0
    assert o["fd.nameraw"] == "/etc/shadow" and o["evt.arg.flags"] == "O_RDONLY"
    assert o["proc.name"] == "vigil-uring" and o["thread.tid"] == st["read"][0]
    # the same alert as the same open through the syscall
    by_uring = _alerts(st, "read", SHADOW_RULE)
    by_sys = _alerts(st, "sysread", SHADOW_RULE)
    alerts = [(e["rule"], e["output_fields"].get("proc.pid")) for e in st["events"]
              if e["priority"] != "Debug"]
    assert len(by_uring) == 1 and len(by_sys) == 1, (st["read"][0], st["sysread"][0], alerts)
    assert by_uring[0]["priority"] == by_sys[0]["priority"] == "Warning"
    u, s = by_uring[0]["output_fields"], by_sys[0]["output_fields"]
    for k in ("fd.name", "fd.nameraw", "evt.res", "proc.name", "user.name"):
        assert u[k] == s[k], (k, u, s)
    # the syscall's own record is not marked
    sys_opens = [e["output_fields"] for e in _mine(st, "sysread", "openat")
                 if e["output_fields"].get("fd.name") == "/etc/shadow"]
    assert sys_opens and not any(o.get("evt.is_io_uring") for o in sys_opens)


def test_sqpoll_requests_are_the_ring_owners():
    st = _st()
    pid = st["sqpoll"][0]
    opens = [o for o in _uring(_mine(st, "sqpoll", "openat")) if o.get("fd.name") == "/etc/shadow"]
    assert len(opens) == 1, _mine(st, "sqpoll")
    o = opens[0]
    # the kernel thread (iou-sqp-PID, another tid) submitted it: the record
    # names the process and the thread that made the ring
    assert o["proc.pid"] == pid and o["thread.tid"] == pid and o["proc.name"] == "vigil-uring"
    assert o["evt.rawres"] >= 0
    assert _alerts(st, "sqpoll", SHADOW_RULE)
    # nothing of ours is reported under the SQPOLL thread's own name
    assert not [e for e in st["events"]
                if e["output_fields"].get("proc.name", "").startswith("iou-sqp")
                and e["output_fields"].get("fd.name") == "/etc/shadow"]


def test_io_wq_requests_are_the_submitters():
    # IOSQE_ASYNC: the open runs in an io-wq worker (iou-wrk-PID) and
    # completes there; the record is the submitter's, with the kernel's path
    st = _st()
    pid = st["async"][0]
    opens = [o for o in _uring(_mine(st, "async", "openat")) if o.get("fd.name") == "/etc/shadow"]
    assert len(opens) == 1, _mine(st, "async")
    o = opens[0]
    assert o["thread.tid"] == pid and o["proc.name"] == "vigil-uring"
    assert o["evt.rawres"] == int(st["async"][1]["open_res"]) >= 0 and o["fd.num"] == o["evt.rawres"]
    assert _alerts(st, "async", SHADOW_RULE)


def test_failed_open_is_marked_failed():
    st = _st()
    path = os.path.join(st["top"], "no-such-file")
    assert st["missing"][1]["open_res"] == "-2"
    opens = [o for o in _uring(_mine(st, "missing", "openat")) if o.get("fd.name") == path]
    assert len(opens) == 1, _mine(st, "missing")
    assert opens[0]["evt.rawres"] == -2 and opens[0]["fd.num"] == -1  # Falco's: -1 on failure


def test_connect_to_a_loopback_listener():
    st = _st()
    assert st["connect"][1]["connect_res"] == "0"
    port = st["port"]
    conns = _uring(_mine(st, "connect", "connect"))
    assert len(conns) == 1, _mine(st, "connect")
    c = conns[0]
    assert c["vigil.io_uring_op"] == "IORING_OP_CONNECT" and c["evt.rawres"] == 0
    assert c["fd.rip"] == "127.0.0.1" and c["fd.rport"] == port
    assert re.fullmatch(rf"127\.0\.0\.1:\d+->127\.0\.0\.1:{port}", c["fd.name"]), c
    socks = _uring(_mine(st, "connect", "socket"))
    assert len(socks) == 1 and socks[0]["vigil.io_uring_op"] == "IORING_OP_SOCKET", socks
    assert socks[0]["evt.rawres"] == int(st["connect"][1]["socket_res"])


def test_bind_listen_and_accept():
    st = _st()
    kv = st["serve"][1]
    port = int(kv["port"])
    assert kv["bind_res"] == "0" and kv["listen_res"] == "0" and int(kv["accept_res"]) >= 0, kv
    ev = {e["rule"]: e["output_fields"] for e in _mine(st, "serve")
          if e["output_fields"].get("evt.is_io_uring")}
    assert set(ev) == {"bind", "listen", "accept4"}, _mine(st, "serve")
    b, l, a = ev["bind"], ev["listen"], ev["accept4"]
    assert b["vigil.io_uring_op"] == "IORING_OP_BIND" and b["evt.rawres"] == 0
    assert b["fd.lip"] == "127.0.0.1" and b["fd.lport"] == port, b  # the port it was given
    assert l["vigil.io_uring_op"] == "IORING_OP_LISTEN" and l["fd.lport"] == port, l
    assert a["vigil.io_uring_op"] == "IORING_OP_ACCEPT"
    assert a["evt.rawres"] == a["fd.num"] == int(kv["accept_res"]), a
    assert a["fd.lport"] == port and a["fd.rip"] == "127.0.0.1", a


def test_rename_unlink_and_mkdir_with_their_paths():
    st = _st()
    top = st["top"]
    ren = _uring(_mine(st, "rename", "renameat2"))
    assert len(ren) == 1, _mine(st, "rename")
    assert ren[0]["evt.arg.oldpath"] == os.path.join(top, "old")
    assert ren[0]["evt.arg.newpath"] == os.path.join(top, "new")
    assert ren[0]["vigil.io_uring_op"] == "IORING_OP_RENAMEAT" and ren[0]["evt.rawres"] == 0
    unl = _uring(_mine(st, "unlink", "unlinkat"))
    assert len(unl) == 1 and unl[0]["fs.path.name"] == os.path.join(top, "new"), unl
    assert unl[0]["vigil.io_uring_op"] == "IORING_OP_UNLINKAT" and unl[0]["evt.rawres"] == 0
    mk = _uring(_mine(st, "mkdir", "mkdirat"))
    assert len(mk) == 1 and mk[0]["fs.path.name"] == os.path.join(top, "dir"), mk


FALCO_RULES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                           "..", "shared", "compat", "falco_rules.yaml"))


def test_falco_rules_unmodified_fire_on_io_uring():
    # Falco's own rules file: its open_read macro names the syscalls, and the
    # io_uring open is one of them. The alert is tied to our process by a
    # marker in its command line (Falco's output names no pid).
    if not os.path.exists(FALCO_RULES):
        return "[skipped: no Falco rules file at " + FALCO_RULES + "]"
    marker = "vgu" + uuid.uuid4().hex[:10]
    with Monitor("--rules", FALCO_RULES, events=False) as mon:
        pid = _run("read", "/etc/shadow", marker)[0]
    hits = [a for a in mon.events() if a["rule"] == "Read sensitive file untrusted"
            and marker in a["output_fields"].get("proc.cmdline", "")]
    assert len(hits) == 1, [(a["rule"], a["output"][:200]) for a in mon.events()]
    of = hits[0]["output_fields"]
    assert hits[0]["priority"] == "Warning"
    assert of["fd.name"] == "/etc/shadow" and of["evt.type"] == "openat", of
    assert of["proc.name"] == "vigil-uring", of
    return f"[pid {pid}]"


def test_request_without_completion_is_sent_at_submission():
    # IOSQE_CQE_SKIP_SUCCESS: no completion will come; the record is sent
    # at submission, marked, with its path resolved there
    st = _st()
    mk = _uring(_mine(st, "skip", "mkdirat"))
    assert len(mk) == 1, _mine(st, "skip")
    assert mk[0]["fs.path.name"] == os.path.join(st["top"], "skipped")
    assert mk[0]["fs.path.nameraw"] == "skipped"
    assert mk[0]["vigil.io_uring_noresult"] is True and mk[0]["evt.rawres"] == 0
    assert re.search(r"io_uring unpaired=[1-9]", st["stderr"]), st["stderr"]


def _flood(mon_args, n, depth):
    d = tempfile.mkdtemp(prefix="vigil-uring-flood-")
    path = os.path.join(d, "file")
    open(path, "w").close()
    try:
        with Monitor("--no-rules", *mon_args) as mon:
            pid, kv = _run("flood", path, n, depth)
        assert kv["opens"] == str(n) and kv["ok"] == str(n), kv
        ours = [e["output_fields"] for e in of_pid(mon.events(), pid)
                if e["rule"] == "openat" and e["output_fields"].get("fd.name") == path]
        assert all(o.get("evt.is_io_uring") for o in ours)
        m = re.search(r"io_uring unpaired=(\d+)", mon.stderr())
        return ours, mon.exit_stats, int(m.group(1)) if m else 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


# Opens a file, has vigil-uring rename the directory above it through
# io_uring, and opens the same file (same dentry) by its new name at once:
# within the coalescing window, so only the path generation bump of the
# io_uring rename gets the second open sent, with its new path.
RENAME_PROGRAM = """
import os, subprocess, sys
d, uring = sys.argv[1], sys.argv[2]
os.sched_setaffinity(0, {0})  # the coalescing cache is per CPU
print(os.getpid(), flush=True)
sys.stdin.readline()
os.close(os.open(d + "/a/file", os.O_RDONLY))
os.close(os.open(d + "/a/file", os.O_RDONLY))   # a repeat: coalesced
subprocess.run([uring, "rename", d + "/a", d + "/b"], check=True, stdout=subprocess.DEVNULL)
os.close(os.open(d + "/b/file", os.O_RDONLY))   # same dentry, new path: sent
"""


def test_io_uring_rename_bumps_the_path_generation():
    d = tempfile.mkdtemp(prefix="vigil-uring-gen-")
    os.mkdir(os.path.join(d, "a"))
    open(os.path.join(d, "a", "file"), "w").close()
    try:
        with Monitor("--no-rules", "--coalesce-ms", "5000") as mon:
            p = subprocess.Popen(["/usr/bin/python3", "-c", RENAME_PROGRAM, d, URING],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            pid = int(p.stdout.readline())
            p.stdin.write("go\n")
            p.stdin.flush()
            assert p.wait(60) == 0
        opens = [e["output_fields"]["fd.name"] for e in of_pid(mon.events(), pid)
                 if e["rule"] == "openat" and e["output_fields"].get("fd.name", "").startswith(d)]
        renames = [e["output_fields"] for e in mon.events() if e["rule"] == "renameat2"
                   and e["output_fields"].get("evt.arg.oldpath") == d + "/a"]
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert opens == [d + "/a/file", d + "/b/file"], opens
    assert len(renames) == 1 and renames[0]["evt.is_io_uring"] is True, renames


RULES = """
- rule: vgu io_uring open
  desc: an open made through io_uring below the test's directory
  condition: evt.type in (open, openat, openat2) and evt.is_io_uring=true and fd.name startswith "{top}/"
  output: io_uring open (file=%fd.name op=%vigil.io_uring_op res=%evt.res pid=%proc.pid)
  priority: NOTICE
- rule: vgu mkdir
  desc: a directory made below the test's directory, by either path
  condition: evt.type in (mkdir, mkdirat) and fs.path.name startswith "{top}/"
  output: mkdir (dir=%fs.path.name uring=%evt.is_io_uring pid=%proc.pid)
  priority: NOTICE
"""


def _attached(mon):
    """The number of programs the monitor attached (its ready line)."""
    return int(re.search(r"ready \((\d+) programs attached", mon.stderr()).group(1))


def test_io_uring_can_be_left_unwatched():
    # sensor.io_uring: false: said at start, the io_uring programs are not
    # loaded, and an io_uring open is not reported (its syscalls still are)
    top = tempfile.mkdtemp(prefix="vigil-uring-off-")
    path = os.path.join(top, "file")
    open(path, "w").close()
    try:
        with Monitor("--no-rules") as on:
            pass
        with Monitor("--no-rules", "--set", "sensor.io_uring=false") as mon:
            pid = _run("read", path)[0]
        mine = of_pid(mon.events(), pid)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    assert "io_uring: not watched (sensor.io_uring is false)" in mon.stderr()
    # create, submit, complete, req_failed: attached with it, not without
    assert _attached(on) - _attached(mon) == 4, (on.stderr(), mon.stderr())
    assert [e for e in mine if e["rule"] == "execve"], mine  # the process was seen
    assert not [e for e in mine if e["output_fields"].get("fd.name") == path], mine
    assert not [e for e in mine if e["output_fields"].get("evt.is_io_uring")], mine


def test_rules_see_io_uring_requests_through_the_kernel_filter():
    # no --events: the kernel sends only what these two rules need
    top = tempfile.mkdtemp(prefix="vigil-uring-rules-")
    rules = os.path.join(top, "rules.yaml")
    with open(rules, "w") as f:
        f.write(RULES.format(top=top))
    open(os.path.join(top, "file"), "w").close()
    try:
        with Monitor("--rules", rules, events=False) as mon:
            opened = _run("read", os.path.join(top, "file"))[0]
            made = _run("mkdir", os.path.join(top, "dir"))[0]
            os.mkdir(os.path.join(top, "bysyscall"))
        alerts = mon.events()
    finally:
        shutil.rmtree(top, ignore_errors=True)
    opens = [a["output_fields"] for a in alerts if a["rule"] == "vgu io_uring open"]
    assert len(opens) == 1, alerts
    assert opens[0]["vigil.io_uring_op"] == "IORING_OP_OPENAT"
    assert opens[0]["proc.pid"] == opened and opens[0]["fd.name"] == top + "/file"
    mk = {a["output_fields"]["fs.path.name"]: a["output_fields"] for a in alerts
          if a["rule"] == "vgu mkdir"}
    assert set(mk) == {top + "/dir", top + "/bysyscall"}, alerts
    assert mk[top + "/dir"]["evt.is_io_uring"] is True
    assert mk[top + "/dir"]["proc.pid"] == made
    assert mk[top + "/bysyscall"]["evt.is_io_uring"] is False


def test_flood_of_opens_is_coalesced_and_counted():
    n = 20000
    ours, stats, _ = _flood(["--coalesce-ms", "1000"], n, 256)
    assert stats, "no exit stats"
    # one record per window and CPU (plus evictions), the rest counted
    assert 1 <= len(ours) < n // 10, len(ours)
    assert len(ours) + stats["coalesced"] >= n, (len(ours), stats)
    return f"[{n} io_uring opens -> {len(ours)} records, {stats['coalesced']} coalesced]"


def test_flood_of_opens_is_sent_or_dropped_with_counts():
    # coalescing off, a 4 KiB ring buffer and 2048 opens in flight at once
    # (more than the table of requests waiting for their completion holds)
    n = 8192
    ours, stats, unpaired = _flood(["--coalesce-ms", "0", "--ring-size", "4096"], n, 2048)
    # past half the ring the kernel sheds opens (bpf/vg_shed.h); what it
    # could not shed in time is dropped: either way counted
    dropped = stats["drops_by_type"].get("open", 0) + stats["shed_by_type"].get("open", 0)
    assert len(ours) <= n
    assert len(ours) + dropped >= n, (len(ours), stats)
    assert dropped > 0, stats  # the small ring did overflow: the counts are real
    assert unpaired > 0  # sent at submission, without waiting for the result
    nores = [o for o in ours if o.get("vigil.io_uring_noresult")]
    assert all(o["evt.rawres"] == 0 for o in nores)
    return f"[{n} opens -> {len(ours)} records, {dropped} opens shed or dropped, {unpaired} unpaired]"


def _ph_alerts(mon, ino, rule):
    out = []
    try:
        events = mon.events()
    except (FileNotFoundError, ValueError):
        return out  # not written yet, or a line half written
    return [e for e in events if e["rule"] == rule
            and e.get("output_fields", {}).get("ph.exe_ino") == ino]


def test_ph_sees_io_uring_requests_as_symbols():
    # A fresh copy (a new inode: a profile nobody trained) learns to read a
    # file through the syscalls; then it reads it through io_uring. The
    # request is a symbol of its own in pH's sequence, named by its opcode.
    tmp = tempfile.mkdtemp(prefix="vigil-uring-ph-")
    exe = copy_program(URING, os.path.join(tmp, "uringph"))
    ino = os.stat(exe).st_ino
    data = os.path.join(tmp, "data")
    with open(data, "w") as f:
        f.write("data\n")
    try:
        # every program in pH's alert scope: the copy is no service
        with Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-no-persist",
                     "--ph-alert-scope", "all", events=False) as mon:
            deadline = time.time() + 90
            while not _ph_alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run("sysread", data, exe=exe)
                time.sleep(0.05)
            pid = _run("read", data, exe=exe)[0]
            deadline = time.time() + 10
            while not [a for a in _ph_alerts(mon, ino, "pH incident")
                       if a["output_fields"]["proc.pid"] == pid]:
                assert time.time() < deadline, "no incident:\n" + mon.stderr()
                time.sleep(0.1)
            time.sleep(0.5)
            alerts = [a["output_fields"] for a in _ph_alerts(mon, ino, "pH incident")
                      if a["output_fields"]["proc.pid"] == pid]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # the incident lists every novel call, each with its window
    seen = ({c for a in alerts for c in a["ph.calls"].split()} |
            {w for a in alerts for w in a["ph.window"].split()})
    assert "io_uring:IORING_OP_OPENAT" in seen, alerts
    return f"[{len(alerts)} incident(s); novel calls {alerts[0]['ph.calls'].split()[:6]}...]"
