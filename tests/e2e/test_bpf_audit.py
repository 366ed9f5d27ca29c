"""The eBPF audit on the real kernel: a test program loads a BPF program
and attaches it to a uprobe on libpam (what a credential sniffer does, but
its program returns at once). The monitor must raise VG-080, VG-081 and
VG-073 for it, `vigil bpf-audit --json` must call its program and link
suspicious, and everything must be gone once it exits. Then self-protection
(VG-083): the test signals (SIGWINCH, which vigil ignores) and ptraces
(PTRACE_SEIZE, released when the tracer exits) the monitor it started."""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

from vigil_harness import BUILD, VIGIL, Monitor, once

BPFLOAD = os.path.join(BUILD, "tests", "bin", "vigil-bpfload")
LIBPAM = [f"/lib/{m}/libpam.so.0" for m in ("x86_64-linux-gnu", "aarch64-linux-gnu")] + \
         ["/usr/lib/libpam.so.0", "/lib64/libpam.so.0"]

_state = {}


def _libpam():
    for p in LIBPAM:
        if os.path.exists(p):
            return p
    raise AssertionError("libpam.so.0 not found (install libpam0g)")


def _audit(*extra):
    p = subprocess.run([VIGIL, "bpf-audit", "--json", *extra], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


def _session():
    def start():
        lib = _libpam()
        with Monitor(events=False) as mon:
            loader = subprocess.Popen([BPFLOAD, lib, "pam_get_authtok"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            info = {}
            try:
                for line in loader.stdout:
                    k, _, v = line.strip().partition("=")
                    info[k] = v
                    if k == "ready":
                        break
                assert "ready" in info, loader.stderr.read()
                audit = _audit()
            finally:
                loader.stdin.close()  # the loader exits and the kernel frees it all
                loader.wait(30)
            time.sleep(0.5)
        after = _audit()
        _state.update(lib=lib, mon=mon, alerts=mon.events(), info=info, audit=audit,
                      after=after, loader_pid=loader.pid, vigil_pid=mon.proc.pid)
        return _state
    return once(_state, "bpf audit", start)


def _alerts(s, vg):
    return [a for a in s["alerts"] if vg in a.get("tags", [])
            and a["output_fields"].get("proc.pid") == s["loader_pid"]]


def test_vg080_program_load_alert():
    s = _session()
    a = _alerts(s, "VG-080")
    assert a, [x["rule"] for x in s["alerts"]][:50]
    of = a[0]["output_fields"]
    assert of["evt.arg.name"] == "bpfload_sniff" and of["bpf.prog.type"] == "kprobe", of
    assert of["bpf.prog.id"] == int(s["info"]["prog_id"]), of  # typed: a number


def test_vg081_uprobe_alert():
    s = _session()
    a = _alerts(s, "VG-081")
    assert a, [x["rule"] for x in s["alerts"]][:50]
    of = a[0]["output_fields"]
    # the file the kernel probes: every symlink of the name given followed
    assert of["probe.type"] == "uprobe" and of["evt.arg.probe"] == os.path.realpath(s["lib"]), of


def test_vg073_probe_on_libpam_is_critical():
    s = _session()
    a = _alerts(s, "VG-073")
    assert a, [x["rule"] for x in s["alerts"]][:50]
    assert a[0]["priority"] == "Critical", a[0]
    of = a[0]["output_fields"]
    assert of["probe.path"] == os.path.realpath(s["lib"]), of
    assert of["probe.offset"] == int(s["info"]["offset"]), of


def test_bpf_audit_flags_the_sniffer():
    s = _session()
    objs = {(o["kind"], o["id"]): o for o in s["audit"]}
    prog = objs[("prog", int(s["info"]["prog_id"]))]
    assert prog["name"] == "bpfload_sniff" and prog["type"] == "kprobe", prog
    assert prog["verdict"] == "suspicious" and "libpam" in prog["reason"], prog
    assert prog["pid"] == s["loader_pid"] and prog["comm"] == "vigil-bpfload", prog
    assert prog["loaded_at"].startswith(time.strftime("%Y-", time.gmtime())), prog
    if int(s["info"]["link_id"]):
        link = objs[("link", int(s["info"]["link_id"]))]
        assert link["type"] == "perf_event" and link["prog_id"] == prog["id"], link
        assert link["attach"] == "uprobe %s+%#x" % (s["lib"], int(s["info"]["offset"])), link
        assert link["verdict"] == "suspicious" and link["pid"] == s["loader_pid"], link


def test_bpf_audit_calls_the_monitor_expected():
    s = _session()
    ours = [o for o in s["audit"] if o.get("pid") == s["vigil_pid"]]
    assert any(o["kind"] == "prog" and o["name"] == "vg_sys_exit" for o in ours), ours
    assert all(o["verdict"] == "expected" for o in ours), [o for o in ours if o["verdict"] != "expected"]


def test_everything_is_gone_after_the_loader_exits():
    s = _session()
    ids = {(o["kind"], o["id"]) for o in s["after"]}
    assert ("prog", int(s["info"]["prog_id"])) not in ids
    assert ("link", int(s["info"]["link_id"])) not in ids


def _seize_and_exit(pid):
    """PTRACE_SEIZE the pid from a child process that then exits: the
    kernel detaches a tracer's tracees when it exits, and SEIZE never stops
    the tracee."""
    code = ("import ctypes,sys; l=ctypes.CDLL(None, use_errno=True); "
            f"sys.exit(0 if l.ptrace(0x4206, {pid}, None, None) == 0 else ctypes.get_errno())")
    p = subprocess.run([sys.executable, "-c", code], timeout=30)
    return p.returncode


def test_self_protection_signal_and_ptrace():
    with Monitor(events=False) as mon:
        time.sleep(0.5)
        os.kill(mon.proc.pid, signal.SIGWINCH)  # ignored by vigil
        seize = _seize_and_exit(mon.proc.pid)
        time.sleep(1.0)
        assert mon.proc.poll() is None, "vigil died:\n" + mon.stderr()
    alerts = [a for a in mon.events() if "VG-083" in a.get("tags", [])]
    sig = [a for a in alerts if a["rule"] == "vigil signalled"
           and a["output_fields"].get("evt.arg.sig") == "SIGWINCH"
           and a["output_fields"].get("proc.pid") == os.getpid()]
    assert sig, alerts
    assert seize == 0, f"PTRACE_SEIZE failed: errno {seize}"
    pt = [a for a in alerts if a["rule"] == "vigil ptraced"
          and a["output_fields"].get("evt.arg.request") == "PTRACE_SEIZE"]
    assert pt and pt[0]["priority"] == "Critical", alerts
