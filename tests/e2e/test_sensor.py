"""Real-kernel tests of the sensor: the real monitor, the real syscalls made
by vigil-trigger, assertions on every field of the resulting events, and
zero drops."""
import os
import shutil
import subprocess
import tempfile
import time

from vigil_harness import (VIGIL, Monitor, assert_no_drops, expect_one, find, of_pid, trigger,
                           vigil_programs_loaded)

# One monitor for all the trigger actions of this file (it starts in about
# a tenth of a second, but one run keeps the suite short); each test then
# checks its own process's events.
_run = {}


def _session():
    if _run:
        return _run
    d = tempfile.mkdtemp(prefix="vigil-trig-")
    # The sensor alone: rules are tested in test_detect and test_catalogue.
    with Monitor("--no-rules") as mon:
        _run["dir"] = d
        _run["files"] = trigger("files", d)
        _run["deep"] = trigger("deep-path", d)
        _run["net"] = trigger("net", os.path.join(d, "sock"))
        _run["pc"] = trigger("proc-control")
        _run["traceme"] = trigger("traceme")
        _run["memfd"] = trigger("memfd-exec")
        _run["exec"] = trigger("exec-exit")
        _run["tty"] = trigger("tty-exec")
        _run["kernel"] = trigger("kernel")
    _run["mon"] = mon
    _run["events"] = mon.events()
    shutil.rmtree(d, ignore_errors=True)
    return _run


def _events(key, pid_key="pid"):
    s = _session()
    return of_pid(s["events"], s[key][pid_key])


def test_monitor_ran_without_drops():
    s = _session()
    assert_no_drops(s["mon"])
    assert s["mon"].exit_stats["events"] >= len(s["events"])
    assert s["mon"].proc.returncode == 0, s["mon"].stderr()


def test_every_event_has_the_falco_shape():
    s = _session()
    for e in s["events"][:2000]:
        assert set(e) >= {"time", "rule", "priority", "output", "output_fields", "tags",
                          "hostname", "source"}, e
        assert e["source"] == "syscall"
        assert e["time"].endswith("Z") and len(e["time"]) == 30, e["time"]
        of = e["output_fields"]
        assert of["evt.type"] == e["rule"]
        for k in ("proc.pid", "thread.tid", "proc.ppid", "proc.name", "user.uid", "group.gid"):
            assert k in of, (k, e)


def test_open_resolves_relative_paths_and_marks_failures():
    d = _session()["dir"]
    ev = _events("files")
    of = expect_one(ev, "openat", **{"fd.nameraw": "f1"})
    assert of["fd.name"] == d + "/f1"
    assert of["evt.arg.flags"] == "O_WRONLY|O_CREAT|O_TRUNC"
    assert of["evt.arg.mode"] == "0640"
    assert of["evt.rawres"] >= 3 and of["fd.num"] == of["evt.rawres"] and of["evt.res"] == "SUCCESS"
    assert of["fd.ino"] == of["fd.ino"] > 0
    fail = expect_one(ev, "openat", **{"fd.nameraw": "does-not-exist"})
    assert fail["evt.rawres"] == -2 and fail["evt.res"] == "ENOENT"
    assert fail["fd.name"] == d + "/does-not-exist"
    # relative to a directory descriptor, with ".." inside: the kernel's view wins
    rel = expect_one(ev, "openat", **{"fd.nameraw": "d1/../f2"})
    assert rel["fd.name"] == d + "/f2"
    trav = expect_one(ev, "openat", **{"fd.nameraw": "/etc/../etc/hostname"})
    assert trav["fd.name"] == "/etc/hostname"
    o2 = expect_one(ev, "openat2", **{"fd.name": "/etc/hostname"})
    assert o2["evt.arg.flags"] == "O_RDONLY|O_CLOEXEC"
    c = expect_one(ev, "creat", **{"fd.nameraw": "f4"})
    assert c["evt.arg.flags"] == "O_WRONLY|O_CREAT|O_TRUNC" and c["evt.arg.mode"] == "0644"


def test_file_operations():
    d = _session()["dir"]
    ev = _events("files")
    r = expect_one(ev, "rename", **{"evt.arg.oldpath": d + "/f1"})
    assert r["evt.arg.newpath"] == d + "/f2" and r["evt.rawres"] == 0
    lk = expect_one(ev, "link", **{"evt.arg.oldpath": d + "/f2"})
    assert lk["evt.arg.newpath"] == d + "/f3"
    sl = expect_one(ev, "symlink", **{"evt.arg.target": "/etc"})
    assert sl["evt.arg.linkpath"] == d + "/l1"
    ch = expect_one(ev, "chmod", **{"fs.path.name": d + "/f2"})
    assert ch["evt.arg.mode"] == "04755"
    fch = expect_one(ev, "fchmod", **{"fd.name": d + "/f1"})
    assert fch["evt.arg.mode"] == "0600" and fch["fd.num"] == 3
    co = expect_one(ev, "chown", **{"fs.path.name": d + "/f2"})
    assert co["evt.arg.uid"] == "1" and co["evt.arg.gid"] == "1"  # rendered, as Falco's
    expect_one(ev, "fchown", **{"fd.name": d + "/f1", "evt.arg.uid": "0"})
    mk = expect_one(ev, "mkdir", **{"fs.path.name": d + "/d1"})
    assert mk["evt.arg.mode"] == "0700" and mk["evt.rawres"] == 0
    expect_one(ev, "truncate", **{"fs.path.name": d + "/f2", "evt.rawres": 0})
    expect_one(ev, "ftruncate", **{"fd.name": d + "/f1"})
    expect_one(ev, "unlinkat", **{"fs.path.name": d + "/f3", "fs.path.nameraw": "f3", "evt.rawres": 0})
    expect_one(ev, "unlink", **{"fs.path.name": d + "/f4", "evt.res": "SUCCESS"})
    expect_one(ev, "rmdir", **{"fs.path.name": d + "/d1"})


def test_overlong_paths_are_truncated_and_flagged():
    ev = _events("deep")
    found = [e["output_fields"] for e in find(ev, "openat") if e["output_fields"].get("fd.nameraw") == "leaf"]
    assert found, "no open of the deep leaf"
    of = found[0]
    assert of.get("vigil.fd.name_truncated") is True, of
    assert of["fd.name"].endswith("/leaf"), of["fd.name"][-80:]
    assert len(of["fd.name"]) < 4096


def test_network_events():
    s = _session()
    ev = _events("net")
    port = int(s["net"]["port"])
    sk = expect_one(ev, "socket", **{"evt.arg.domain": "AF_INET", "evt.arg.type": "SOCK_STREAM"})
    assert sk["evt.rawres"] >= 3
    b = expect_one(ev, "bind", **{"fd.lip": "127.0.0.1", "fd.type": "ipv4"})
    assert b["evt.rawres"] == 0
    ln = expect_one(ev, "listen", **{"fd.lport": port})
    assert ln["evt.arg.backlog"] == "7" and ln["fd.l4proto"] == "tcp"
    c = expect_one(ev, "connect", **{"fd.rport": port, "evt.rawres": 0})
    assert c["fd.rip"] == "127.0.0.1" and c["fd.lip"] == "127.0.0.1" and c["fd.lport"] > 0
    assert c["fd.name"] == f"127.0.0.1:{c['fd.lport']}->127.0.0.1:{port}"
    a = expect_one(ev, "accept", **{"fd.lport": port})
    assert a["fd.rport"] == c["fd.lport"] and a["evt.rawres"] >= 3
    refused = expect_one(ev, "connect", **{"fd.rport": 1})
    assert refused["evt.rawres"] == -111 and refused["evt.res"] == "ECONNREFUSED"
    v6 = expect_one(ev, "connect", **{"fd.type": "ipv6", "fd.rport": 5353})
    assert v6["fd.rip"] == "::1" and v6["fd.l4proto"] == "udp"
    u = expect_one(ev, "bind", **{"fd.type": "unix"})
    assert u["fd.name"] == os.path.join(s["dir"], "sock")
    raw = expect_one(ev, "socket", **{"evt.arg.domain": "AF_PACKET"})
    assert raw["evt.arg.type"] == "SOCK_RAW"


def test_privilege_and_process_control():
    s = _session()
    ev = _events("pc")
    child = int(s["pc"]["child"])
    expect_one(ev, "clone", **{"evt.arg.child_pid": str(child)})
    expect_one(ev, "ptrace", **{"evt.arg.request": "PTRACE_ATTACH", "evt.arg.pid": str(child), "evt.rawres": 0})
    w = expect_one(ev, "process_vm_writev", **{"evt.arg.pid": str(child)})
    assert w["evt.rawres"] == 8
    mp = expect_one(ev, "mprotect", **{"evt.arg.prot": "PROT_READ|PROT_WRITE|PROT_EXEC"})
    assert mp["evt.arg.length"] == "4096"
    expect_one(ev, "mmap", **{"evt.arg.prot": "PROT_READ|PROT_WRITE|PROT_EXEC"})
    assert not find(ev, "mprotect", **{"evt.arg.prot": "PROT_READ|PROT_WRITE"}), "non-W+X mapping sent"
    su = expect_one(ev, "setuid", **{"evt.rawres": 0})
    assert su["vigil.ids.after"].startswith("ruid=0 euid=0") and su["evt.arg.uid"] == "0", su
    expect_one(ev, "setgid", **{"evt.rawres": 0})
    expect_one(ev, "setns", **{"evt.arg.nstype": "CLONE_NEWUTS"})
    expect_one(ev, "unshare", **{"evt.arg.flags": "CLONE_NEWUTS", "evt.rawres": 0})
    expect_one(ev, "prctl", **{"evt.arg.option": "PR_SET_NAME"})
    d = expect_one(ev, "dup2", **{"evt.arg.newfd": "0", "fd.type": "unix"})
    assert d["evt.rawres"] == 0
    expect_one(ev, "kill", **{"evt.arg.pid": str(child), "evt.arg.sig": "SIGTERM"})
    ex = expect_one(of_pid(s["events"], child), "procexit")
    assert ex["evt.arg.sig"] == "15"
    tm = expect_one(_events("traceme"), "ptrace", **{"evt.arg.request": "PTRACE_TRACEME"})
    assert tm["evt.rawres"] == 0


def test_exec_fields_fork_and_exit_code():
    s = _session()
    child = int(s["exec"]["exec_child"])
    ev = of_pid(s["events"], child)
    ex = expect_one(ev, "execve")
    assert ex["proc.exepath"] == os.path.realpath("/bin/true")
    assert ex["evt.arg.filename"] == "/bin/true"
    assert ex["proc.cmdline"] == "true --vigil-arg two words"
    assert ex["vigil.proc.argc"] == 3 and ex["proc.args_truncated"] is False
    assert ex["proc.cwd"] == os.getcwd() + "/"  # as Falco keeps it
    assert ex["proc.ppid"] == int(s["exec"]["pid"])
    st = os.stat(os.path.realpath("/bin/true"))
    assert ex["proc.exe_ino"] == st.st_ino
    assert ex["proc.is_exe_from_memfd"] is False and ex["vigil.proc.is_exe_deleted"] is False
    assert ex["user.uid"] == 0 and ex["vigil.proc.mnt_ns"] == os.stat("/proc/self/ns/mnt").st_ino
    assert ex["vigil.proc.pid_ns"] == os.stat("/proc/self/ns/pid").st_ino
    expect_one(_events("exec"), "clone", **{"evt.arg.child_pid": str(child)})
    code = expect_one(of_pid(s["events"], s["exec"]["exit_child"]), "procexit")
    assert code["evt.arg.ret"] == "7" and code["evt.arg.status"] == str(7 << 8)


def test_fileless_exec_and_loader_variables():
    s = _session()
    ev = of_pid(s["events"], s["memfd"]["child"])
    expect_one(_events("memfd"), "memfd_create", **{"evt.arg.name": "vg-fileless"})
    ex = expect_one(ev, "execve")
    assert ex["proc.is_exe_from_memfd"] is True
    assert ex["proc.exepath"] == "/memfd:vg-fileless", ex["proc.exepath"]
    assert ex["proc.env"] == "LD_PRELOAD=/nonexistent/vg-preload.so"
    # other environment variables never leave the kernel
    assert "hunter2" not in str(s["events"])


def test_controlling_tty():
    s = _session()
    ex = expect_one(of_pid(s["events"], s["tty"]["tty_child"]), "execve")
    assert ex["vigil.proc.tty_name"] == s["tty"]["tty"], ex
    assert ex["proc.tty"] >> 8 == 136  # the pts major number, as user space encodes it


def test_kernel_and_bpf_events():
    s = _session()
    ev = _events("kernel")
    fm = expect_one(ev, "finit_module", **{"evt.arg.uargs": "vigil_test=1"})
    assert fm["evt.arg.path"] == "/etc/hostname" and fm["evt.rawres"] < 0
    expect_one(ev, "init_module", **{"evt.arg.uargs": "vigil_param=2"})
    b = expect_one(ev, "bpf", **{"evt.arg.cmd": "BPF_PROG_LOAD", "evt.arg.name": "vg_test_prog"})
    assert b["evt.arg.prog_type"] == "1" and b["evt.rawres"] == int(s["kernel"]["bpf_fd"])
    if int(s["kernel"]["uprobe_type"]) >= 0:
        p = expect_one(ev, "perf_event_open", **{"evt.arg.probe": os.path.realpath("/bin/true")})  # the file probed
        assert p["evt.arg.type"] == s["kernel"]["uprobe_type"] and p["evt.arg.offset"] == "4096"


def test_text_output_and_duration():
    d = tempfile.mkdtemp(prefix="vigil-text-")
    out = os.path.join(d, "out.txt")
    t0 = time.time()
    errpath = os.path.join(d, "err.txt")
    with open(errpath, "w") as errf:
        mon = subprocess.Popen([VIGIL, "run", "--events", "--duration", "2", "--output-file", out,
                                "--stats-interval", "1", "--lock-file", os.path.join(d, "lock")],
                               stdout=subprocess.DEVNULL, stderr=errf, text=True)
    while "vigil: ready" not in open(errpath).read() and mon.poll() is None:
        time.sleep(0.05)
    trig = trigger("exec-exit")
    mon.wait(timeout=60)
    err = open(errpath).read()
    took = time.time() - t0
    p = subprocess.CompletedProcess(mon.args, mon.returncode, "", err)
    assert p.returncode == 0, p.stderr
    assert 1.5 < took < 20, took
    assert "vigil: stats events=" in p.stderr and "vigil: exit events=" in p.stderr, p.stderr
    lines = open(out, errors="replace").read().splitlines()
    assert lines, "no text output"
    # "TIME TYPE key=value ..." one line per event
    first = lines[0].split(" ")
    assert first[0].endswith("Z") and "proc.pid=" in lines[0]
    mine = [l for l in lines if f" execve proc.pid={trig['exec_child']} " in l]
    assert mine and "proc.cmdline=true --vigil-arg two words" in mine[0], mine
    shutil.rmtree(d)


def test_second_instance_is_refused():
    d = tempfile.mkdtemp(prefix="vigil-lock-")
    lock = os.path.join(d, "vigil.lock")
    # no saved profiles: the default state directory may be another vigil's
    first = subprocess.Popen([VIGIL, "run", "--lock-file", lock, "--duration", "30",
                              "--stats-interval", "0", "--ph-no-persist"],
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not (os.path.exists(lock) and open(lock).read().strip()):
            time.sleep(0.05)
        second = subprocess.run([VIGIL, "run", "--lock-file", lock, "--duration", "1",
                                 "--ph-no-persist"],
                                capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert f"another vigil is already running (pid {first.pid}" in second.stderr, second.stderr
    finally:
        first.terminate()  # our own child, by pid
        first.wait(30)
    assert first.returncode == 0
    shutil.rmtree(d)


def test_everything_is_detached_after_exit():
    before = vigil_programs_loaded()
    with Monitor(events=False):
        ours = {i: l for i, l in vigil_programs_loaded().items() if i not in before}
        assert len(ours) >= 4, ours
    # The kernel frees programs from a work queue after the last
    # reference goes: give it a moment, not forever.
    deadline = time.time() + 10
    while True:
        left = [l for i, l in vigil_programs_loaded().items() if i in ours]
        if not left or time.time() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"programs left attached: {left}"


def test_bad_options_are_refused():
    for args, msg in ((["--ring-size", "1000"], "power of two"),
                      (["--duration", "abc"], "expected a duration"),
                      (["--bogus"], "Usage")):
        p = subprocess.run([VIGIL, "run"] + args, capture_output=True, text=True, timeout=30)
        assert p.returncode == 2 and msg in p.stderr, (args, p.stderr)
    h = subprocess.run([VIGIL, "run", "--help"], capture_output=True, text=True)
    assert h.returncode == 0
    for opt in ("--events", "--json", "--output-file", "--duration", "--ring-size"):
        assert opt in h.stdout


def test_processes_started_before_the_monitor_are_known():
    # A shell that exists before vigil starts; once vigil runs, it opens a
    # file itself. Its events must carry what only /proc could tell.
    sh = subprocess.Popen(["/bin/sh", "-c", "read go; exec 3</etc/hostname; echo done"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        with Monitor() as mon:
            sh.stdin.write("go\n")
            sh.stdin.flush()
            assert sh.stdout.readline().strip() == "done"
    finally:
        sh.wait(30)
    ev = of_pid(mon.events(), sh.pid)
    of = expect_one(ev, "openat", **{"fd.name": "/etc/hostname"})
    assert of["proc.exepath"] == os.path.realpath("/bin/sh"), of
    assert of["proc.cmdline"] == "sh -c read go; exec 3</etc/hostname; echo done", of
    assert of["proc.pname"] in ("python3", "python3.11"), of
    assert of["user.name"] == "root" and of["container.id"] == "host", of


def test_kernel_filter_narrows_the_stream():
    d = tempfile.mkdtemp(prefix="vigil-narrow-")
    with Monitor("--syscalls", "openat,mkdir", "--no-rules") as mon:
        t = trigger("files", d)
        n = trigger("net")
    ev = mon.events()
    assert find(of_pid(ev, t["pid"]), "openat"), "openat was kept"
    assert find(of_pid(ev, t["pid"]), "mkdir"), "mkdir was kept"
    assert not find(of_pid(ev, t["pid"]), "rename"), "rename was filtered in the kernel"
    assert not find(of_pid(ev, n["pid"]), "connect"), "connect was filtered in the kernel"
    assert find(of_pid(ev, n["pid"]), "execve"), "exec is always on"
    assert_no_drops(mon)
    p = subprocess.run([VIGIL, "run", "--syscalls", "openat,nosuchcall", "--duration", "1",
                        "--lock-file", os.path.join(d, "lock")], capture_output=True, text=True)
    assert p.returncode == 2 and "'nosuchcall' is not a syscall vigil watches" in p.stderr, p.stderr
    shutil.rmtree(d)


def test_32bit_syscalls_are_decoded_not_missed():
    d = tempfile.mkdtemp(prefix="vigil-c32-")
    target = os.path.join(d, "via-int80")
    open(target, "w").close()
    with Monitor("--no-rules") as mon:
        t = trigger("compat32", target)
    assert int(t["open32"]) >= 0, t
    ev = of_pid(mon.events(), t["pid"])
    o = expect_one(ev, "open", **{"fd.nameraw": target})
    assert o["vigil.is_compat32"] is True and o["fd.name"] == target and o["evt.rawres"] >= 0, o
    assert o["evt.arg.flags"] == "O_RDONLY"
    su = expect_one(ev, "setuid", **{"evt.rawres": 0})
    assert su["vigil.is_compat32"] is True and su["evt.arg.uid"] == str(os.getuid())
    assert_no_drops(mon)
    shutil.rmtree(d)
