"""The i386 socketcall()'s argument words (and the old mmap()'s struct) sit in
user memory and are read at sys_exit, after the kernel copied them: another
thread of the caller can rewrite them in between (tests/bin/vigil-int80.c,
"race"). What the event says must come from the kernel (bpf/vg_compat_sock.h,
bpf/vg_compat.h): the socket a connect or listen went through and its ends,
whether a send made a Fast Open connect, the domain and type of a new
socket, the protection of a new mapping. Each case makes many calls
with a rival thread writing the words at varying moments; the calls that
went through must all be reported as the kernel made them."""
import os
import socket
import subprocess

from loopback import Listener
from vigil_harness import BUILD, Monitor, assert_no_drops, deliberate, find, of_pid

INT80 = os.path.join(BUILD, "tests", "bin", "vigil-int80")
CALLS = 1500


def race(kind, port, decoy, calls=CALLS):
    p = subprocess.run([INT80, "race", kind, str(port), str(decoy), str(calls)], capture_output=True,
                       text=True, timeout=180, stdin=subprocess.DEVNULL)
    kv = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    assert "pid" in kv, f"vigil-int80 race {kind}: {p.stdout} {p.stderr}"
    deliberate(kv["pid"])
    assert p.returncode == 0, f"vigil-int80 race {kind} failed ({p.returncode}): {p.stderr}"
    # How many calls the rival thread won depends on the scheduler: many on a
    # loaded machine, sometimes none of 1,500 on a quiet one. What the events
    # say is checked for every call either way; the count is only reported.
    assert int(kv["ok"]) > 0, f"no call went through: {kv}"
    kv["kind"] = kind
    return kv


def done(events, pid, call):
    """The socketcalls `call` that went through (the program's own 64-bit
    calls, setting up the decoys, are not looked at)."""
    return [e["output_fields"] for e in find(of_pid(events, pid), call)
            if e["output_fields"]["evt.rawres"] >= 0 and e["output_fields"].get("vigil.is_compat32") is True]


def test_socketcall_reports_what_the_kernel_did_not_the_words():
    assert os.access(INT80, os.X_OK), f"{INT80} is not built"
    real = Listener(socket.AF_INET, "127.0.0.1", backlog=4096)
    decoy = Listener(socket.AF_INET, "127.0.0.1", backlog=16)
    try:
        with Monitor("--no-rules") as mon:
            conn = race("connect", real.port, decoy.port)
            fo = race("fastopen", real.port, decoy.port)
            lsn = race("listen", real.port, 0)
            sk = race("socket", 0, 0, calls=600)
            om = race("oldmmap", 0, 0, calls=600)
    finally:
        real.close()
        decoy.close()
    ev = mon.events()
    assert_no_drops(mon)

    # connect: every call that connected names the real listener, not the
    # decoy socket another thread put in the descriptor word
    c = done(ev, conn["pid"], "connect")
    wrong = [(e["fd.rport"], e["evt.arg.fd"]) for e in c if (e["fd.rip"], e["fd.rport"]) != ("127.0.0.1", real.port)]
    assert not wrong, f"{len(wrong)} of {len(c)} connects name another peer (the word's socket): {wrong[:5]}; {conn}"
    assert len(c) == int(conn["ok"]), f"{len(c)} connect events for {conn}"

    # sendto(MSG_FASTOPEN): the flag cleared from the word after the kernel
    # read it hides no connect
    s = done(ev, fo["pid"], "sendto")
    assert len(s) == int(fo["ok"]), f"{len(s)} sendto events for {fo}"
    assert all((e["fd.rip"], e["fd.rport"]) == ("127.0.0.1", real.port) for e in s), s[:3]

    # listen: the port of the socket the kernel put to listening
    ports = {int(p) for p in lsn["ports"].split(",")}
    seen = {e["fd.lport"] for e in done(ev, lsn["pid"], "listen")}
    missing = ports - seen
    assert not missing, (f"{len(missing)} of {len(ports)} listening ports have no listen event "
                         f"(decoy {lsn['decoy']} in the word instead?): {sorted(missing)[:5]}")

    # socket: a raw socket is reported raw, whatever the words became
    raw = [e for e in done(ev, sk["pid"], "socket")
           if e["evt.arg.domain"] == "AF_INET" and "SOCK_RAW" in e["evt.arg.type"]]
    assert len(raw) == int(sk["ok"]), (f"{len(raw)} raw socket events for {sk}: "
                                        f"{[(e['evt.arg.domain'], e['evt.arg.type']) for e in done(ev, sk['pid'], 'socket')][:8]}")

    # the old mmap: a page the kernel mapped read+write+exec is reported so,
    # whatever the struct's prot became
    rwx = [e for e in done(ev, om["pid"], "mmap") if e["evt.arg.prot"] == "PROT_READ|PROT_WRITE|PROT_EXEC"]
    assert len(rwx) == int(om["ok"]), f"{len(rwx)} W+X mmap events for {om}"
    return "[raced: " + ", ".join(f"{k['kind']} {k['raced']}/{k['ok']}"
                                  for k in (conn, fo, lsn, sk, om)) + "]"
