"""Rule fields that need data from the kernel, on the real kernel: one
monitor with a small rule file for the whole file, then

- proc.is_exe_upper_layer and the exe_flags EXE_UPPER_LAYER/EXE_LOWER_LAYER:
  a private overlayfs (lower, upper and work directories under a temporary
  directory) runs a program that exists only in the lower layer, one
  written through the merged directory (so into the upper layer), and one
  copied up from the lower layer; a host program is on no overlay;
- proc.sid and proc.sname: a program started in a new session (setsid(1))
  names its leader; a process that calls setsid() itself and then opens a
  file, without a fork or an exec in between, is seen as its own leader;
- proc.vpgid, proc.vpgid.name/exepath, proc.is_vpgid_leader: a process that
  calls setpgid(0, 0) and opens a file, again with nothing in between, leads
  its new group; the program its child then runs is in that group and names
  it as the leader;
- proc.exe_ino.ctime/mtime, proc.exe_ino.ctime_duration_proc_start and
  proc.pidns_init_start_ts: a program copied just before it runs carries its
  file's times (as stat(2) gives them) and its namespace's start;
- evt.is_open_create: O_CREAT that creates a file is true, O_CREAT on a file
  that exists is false (each check opens a new file: the sensor coalesces
  repeated opens of one file).

Safety: the overlay is mounted in a temporary directory and unmounted in a
finally block; every file is below that directory."""
import os
import shutil
import subprocess
import tempfile
import time
import uuid

from vigil_harness import Monitor, copy_program, deliberate, once

MARK = "vgf" + uuid.uuid4().hex[:10]  # in every path we create

_state = {}


def _rules(top):
    return f"""
- rule: vgf exec
  desc: programs run from the test directory
  condition: evt.type = execve and proc.exepath startswith {top}/
  output: exec %proc.exepath upper=%proc.is_exe_upper_layer flags=%evt.arg.flags sid=%proc.sid sname=%proc.sname pid=%proc.pid pgid=%proc.vpgid pgname=%proc.vpgid.name pgpath=%proc.vpgid.exepath pglead=%proc.is_vpgid_leader ctime=%proc.exe_ino.ctime mtime=%proc.exe_ino.mtime dps=%proc.exe_ino.ctime_duration_proc_start nsstart=%proc.pidns_init_start_ts
  priority: NOTICE
- rule: vgf open
  desc: opens below the test directory
  condition: evt.type in (open, openat, openat2, creat) and fd.name startswith {top}/
  output: open %fd.name create=%evt.is_open_create sid=%proc.sid sname=%proc.sname pid=%proc.pid pgid=%proc.vpgid pglead=%proc.is_vpgid_leader sidlead=%proc.is_sid_leader
  priority: NOTICE
"""


def _mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def _start():
    top = tempfile.mkdtemp(prefix=f"vigil-{MARK}-")
    lower, upper, work, merged = (os.path.join(top, d) for d in ("lower", "upper", "work", "m"))
    for d in (lower, upper, work, merged):
        os.mkdir(d)
    rules = os.path.join(top, "rules.yaml")
    with open(rules, "w") as f:
        f.write(_rules(top))
    copy_program("/bin/true", os.path.join(lower, "lowerbin"))
    copy_program("/bin/true", os.path.join(lower, "copiedup"))
    copy_program("/bin/true", os.path.join(top, "plain"))
    copy_program("/bin/true", os.path.join(top, "grouped"))
    copy_program("/bin/dash", os.path.join(top, "vgleader"))
    st = _state
    st.update(top=top, merged=merged)
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={lower},upperdir={upper},workdir={work}", merged], check=True)
    try:
        with Monitor("--rules", rules, events=False) as mon:
            _behave(st)
        st["alerts"] = [e for e in mon.events() if "rule" in e]
        st["stderr"] = mon.stderr()
    finally:
        subprocess.run(["umount", merged], check=False)
    assert not _mounted(merged), "the test overlay is still mounted"
    return st


def _run(argv):
    """Runs a deliberate trigger to its end; returns its pid."""
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as p:
        deliberate(p.pid)
        _, err = p.communicate(timeout=60)
    assert p.returncode == 0, (argv, err)
    return p.pid


def _behave(st):
    top, merged = st["top"], st["merged"]
    # in the upper layer: written through the merged directory
    copy_program("/bin/true", os.path.join(merged, "upperbin"))
    # copied up: the lower file is opened for writing through the overlay
    with open(os.path.join(merged, "copiedup"), "ab"):
        pass
    for name in ("lowerbin", "upperbin", "copiedup"):
        _run([os.path.join(merged, name)])
    st["plain"] = _run([os.path.join(top, "plain")])

    # a new session: setsid(1) makes itself the leader, then becomes our
    # shell copy, which runs the program in a child
    st["leader"] = _run(["setsid", os.path.join(top, "vgleader"), "-c",
                         f"{top}/plain session; true"])
    # setsid() and an open with nothing in between: only the setsid record
    # tells the monitor about the new session
    code = ("import os, sys\nos.setsid()\n"
            "os.close(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600))\n")
    st["setsid_caller"] = _run(["/usr/bin/python3", "-c", code, os.path.join(top, "after-setsid")])
    # setpgid(0, 0) and an open, then a child that runs a program: only the
    # setpgid record tells the monitor about the new group before the exec
    code = ("import os, sys\nos.setpgid(0, 0)\n"
            "os.close(os.open(sys.argv[1] + '/after-setpgid', os.O_WRONLY | os.O_CREAT, 0o600))\n"
            "pid = os.fork()\n"
            "if pid == 0:\n    os.execv(sys.argv[1] + '/grouped', ['grouped'])\n"
            "os.waitpid(pid, 0)\n")
    st["group_leader"] = _run(["/usr/bin/python3", "-c", code, top])

    # O_CREAT: created, and not created (the file exists); new files only
    fresh = os.path.join(top, "created")
    os.close(os.open(fresh, os.O_WRONLY | os.O_CREAT, 0o600))
    exists = os.path.join(top, "exists")
    os.close(os.open(exists, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.close(os.open(exists, os.O_RDWR | os.O_CREAT, 0o600))
    plain = os.path.join(top, "plain-open")
    os.close(os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.close(os.open(plain, os.O_RDONLY))
    time.sleep(0.5)


def _state_once():
    return once(_state, "rule fields", _start)


def _execs(st, path):
    return [a["output_fields"] for a in st["alerts"]
            if a["rule"] == "vgf exec" and a["output_fields"].get("proc.exepath") == path]


def _opens(st, path):
    return [a["output_fields"] for a in st["alerts"]
            if a["rule"] == "vgf open" and a["output_fields"].get("fd.name") == path]


def _one_exec(st, path):
    got = _execs(st, path)
    assert got, f"no exec of {path}; alerts: {[a['output'] for a in st['alerts']]}\n{st['stderr']}"
    return got[0]


def test_exe_only_in_the_lower_layer():
    st = _state_once()
    of = _one_exec(st, os.path.join(st["merged"], "lowerbin"))
    assert of["proc.is_exe_upper_layer"] is False, of
    # run by root from a writable overlay: also writable
    assert of["evt.arg.flags"] == "EXE_WRITABLE|EXE_LOWER_LAYER", of


def test_exe_written_into_the_upper_layer():
    st = _state_once()
    of = _one_exec(st, os.path.join(st["merged"], "upperbin"))
    assert of["proc.is_exe_upper_layer"] is True, of
    assert of["evt.arg.flags"] == "EXE_WRITABLE|EXE_UPPER_LAYER", of


def test_exe_copied_up_is_in_the_upper_layer():
    st = _state_once()
    of = _one_exec(st, os.path.join(st["merged"], "copiedup"))
    assert of["proc.is_exe_upper_layer"] is True, of
    assert "EXE_UPPER_LAYER" in of["evt.arg.flags"], of


def test_exe_on_no_overlay():
    st = _state_once()
    runs = _execs(st, os.path.join(st["top"], "plain"))
    assert runs, st["alerts"]
    for of in runs:
        assert of["proc.is_exe_upper_layer"] is False, of
        assert "LAYER" not in (of["evt.arg.flags"] or ""), of


def test_session_leader_of_a_new_session():
    st = _state_once()
    runs = [of for of in _execs(st, os.path.join(st["top"], "plain"))
            if of["proc.pid"] != st["plain"]]
    assert len(runs) == 1, runs
    of = runs[0]
    assert of["proc.sid"] == st["leader"], of
    assert of["proc.sname"] == "vgleader", of
    # and our own session's leader, whatever it is, is not <NA>
    mine = _execs(st, os.path.join(st["merged"], "lowerbin"))[0]
    assert mine["proc.sid"] == os.getsid(0), mine
    assert mine["proc.sname"] not in (None, "", "<NA>"), mine


def test_setsid_without_exec():
    st = _state_once()
    got = _opens(st, os.path.join(st["top"], "after-setsid"))
    assert got, st["alerts"]
    of = got[0]
    assert of["proc.pid"] == st["setsid_caller"], of
    assert of["proc.sid"] == st["setsid_caller"], of
    assert of["proc.sname"] == "python3", of
    # setsid() made a new process group too, and a session leader
    assert of["proc.vpgid"] == st["setsid_caller"], of
    assert of["proc.is_vpgid_leader"] is True, of
    assert of["proc.is_sid_leader"] is True, of


def test_setpgid_without_exec_and_the_group_of_a_child():
    st = _state_once()
    got = _opens(st, os.path.join(st["top"], "after-setpgid"))
    assert got, st["alerts"]
    of = got[0]
    leader = st["group_leader"]
    assert of["proc.pid"] == leader, of
    assert of["proc.vpgid"] == leader, of
    assert of["proc.is_vpgid_leader"] is True, of
    assert of["proc.is_sid_leader"] is False, of
    runs = _execs(st, os.path.join(st["top"], "grouped"))
    assert len(runs) == 1, runs
    of = runs[0]
    assert of["proc.pid"] != leader, of
    assert of["proc.vpgid"] == leader, of
    assert of["proc.is_vpgid_leader"] is False, of
    assert of["proc.vpgid.name"] == "python3", of
    assert os.path.basename(of["proc.vpgid.exepath"]).startswith("python3"), of
    # and a program run straight by the test is in the test's own group
    mine = _execs(st, os.path.join(st["merged"], "lowerbin"))[0]
    assert mine["proc.vpgid"] == os.getpgid(0), mine


def _host_init_start_epoch_ns():
    """When pid 1 started, ns since the epoch, from /proc/1/stat."""
    with open("/proc/1/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    boot_ns = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
    return time.time_ns() - boot_ns + start_ticks * (10**9 // os.sysconf("SC_CLK_TCK"))


def test_exe_times_and_the_namespace_start():
    st = _state_once()
    path = os.path.join(st["top"], "grouped")
    of = _execs(st, path)[0]
    sb = os.stat(path)
    assert of["proc.exe_ino.ctime"] == sb.st_ctime_ns, (of, sb)
    assert of["proc.exe_ino.mtime"] == sb.st_mtime_ns, (of, sb)
    # copied by the test a few seconds before it ran
    assert 0 <= int(of["proc.exe_ino.ctime_duration_proc_start"]) < 120 * 10**9, of
    if os.readlink("/proc/self/ns/pid") == "pid:[4026531836]":  # the host's
        # CLOCK_BOOTTIME and the wall clock meet through two readings: a
        # second of slack
        got = int(of["proc.pidns_init_start_ts"])
        assert abs(got - _host_init_start_epoch_ns()) < 10**9, (of, _host_init_start_epoch_ns())


def test_open_create_only_when_the_file_was_created():
    st = _state_once()
    top = st["top"]
    created = _opens(st, os.path.join(top, "created"))
    assert [of["evt.is_open_create"] for of in created] == [True], created
    exists = _opens(st, os.path.join(top, "exists"))
    assert [of["evt.is_open_create"] for of in exists] == [True, False], exists
    plain = _opens(st, os.path.join(top, "plain-open"))
    assert [of["evt.is_open_create"] for of in plain] == [True, False], plain


def test_cleanup():
    st = _state_once()
    assert not _mounted(st["merged"])
    shutil.rmtree(st["top"], ignore_errors=True)
