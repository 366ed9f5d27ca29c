"""Calls through the 32-bit ABI ("int $0x80" from a 64-bit program,
tests/bin/vigil-int80.c) whose arguments sit in user memory: the i386
socketcall() multiplexer is decoded in the kernel into the same records as
the direct calls (bpf/vg_compat.h), the direct i386 socket calls are read
with their 32-bit layouts, a reverse shell made that way raises the default
reverse-shell rule; the old mmap() is decoded as mmap."""
import os
import re
import subprocess

from loopback import Listener
from vigil_harness import BUILD, Monitor, expect_one, find, of_pid, assert_no_drops
from vigil_harness import deliberate

INT80 = os.path.join(BUILD, "tests", "bin", "vigil-int80")


def int80(*args, prefix=()):
    """Runs vigil-int80 (a deliberate trigger); returns its key=value output."""
    p = subprocess.run(list(prefix) + [INT80] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    kv = {}
    for line in p.stdout.splitlines():
        for item in line.split():
            if "=" in item:
                k, v = item.split("=", 1)
                kv[k] = v
    assert "pid" in kv, f"vigil-int80 {args}: {p.stdout} {p.stderr}"
    deliberate(kv["pid"])
    assert p.returncode == 0, f"vigil-int80 {args} failed ({p.returncode}): {p.stderr}"
    return kv


def int80_in_netns(*args):
    """The same in a new, empty network namespace (unshare execs it: same pid)."""
    return int80(*args, prefix=("unshare", "-n"))


def _undecoded(mon):
    m = re.search(r"socketcall32=(\d+)", mon.stderr())
    assert m, mon.stderr()
    return int(m.group(1))


def test_socketcall_is_decoded_like_the_direct_calls():
    assert os.access(INT80, os.X_OK), f"{INT80} is not built"
    ln = Listener()
    try:
        with Monitor("--no-rules") as mon:
            rev = int80("revshell", ln.port)
            bnd = int80("bind")
            fo = int80("fastopen", "127.0.0.1", ln.port)
            v6 = int80("connect", "::1", ln.port)
            und = int80("undecoded")
    finally:
        ln.close()
    ev = mon.events()
    assert_no_drops(mon)

    # the connect-back: socket, connect with its address, the socket on 0-2
    r = of_pid(ev, rev["pid"])
    assert int(rev["connect"]) == 0, rev
    sk = expect_one(r, "socket", **{"evt.arg.domain": "AF_INET", "evt.arg.type": "SOCK_STREAM"})
    assert sk["vigil.is_compat32"] is True and sk["evt.rawres"] == int(rev["socket"]), sk
    c = expect_one(r, "connect", **{"fd.rport": ln.port, "evt.rawres": 0})
    assert c["fd.rip"] == "127.0.0.1" and c["fd.lport"] > 0, c
    assert c["fd.name"] == f"127.0.0.1:{c['fd.lport']}->127.0.0.1:{ln.port}", c
    assert c["vigil.is_compat32"] is True and c["evt.arg.fd"] == rev["socket"], c
    # (the pid's dup2 calls before its exec are subprocess's, onto pipes)
    d = expect_one(r, "dup2", **{"evt.arg.newfd": "2", "vigil.is_compat32": True})
    assert d["fd.type"] == "ipv4", d

    # bind, listen, accept and accept4 on a port the program chose
    b = of_pid(ev, bnd["pid"])
    port = int(bnd["port"])
    assert port > 0 and int(bnd["bind"]) == 0 and int(bnd["listen"]) == 0, bnd
    bd = expect_one(b, "bind", **{"fd.lip": "127.0.0.1", "fd.type": "ipv4"})
    assert bd["evt.rawres"] == 0 and bd["vigil.is_compat32"] is True, bd
    lsn = expect_one(b, "listen", **{"fd.lport": port})
    assert lsn["evt.arg.backlog"] == "5", lsn
    assert len(find(b, "connect", **{"fd.rport": port, "evt.rawres": 0})) == 2
    a = expect_one(b, "accept", **{"fd.lport": port})
    assert a["evt.rawres"] == int(bnd["accept"]) and a["fd.rport"] > 0, a
    a4 = expect_one(b, "accept4", **{"fd.lport": port})
    assert a4["evt.rawres"] == int(bnd["accept4"]), a4
    assert not find(b, "getsockname"), "getsockname is not watched"

    # TCP Fast Open: sendto and sendmsg (a 32-bit msghdr) are connects; a
    # plain sendto is not sent
    f = of_pid(ev, fo["pid"])
    st = expect_one(f, "sendto", **{"fd.rport": ln.port})
    assert st["fd.rip"] == "127.0.0.1" and st["vigil.is_compat32"] is True, st
    expect_one(f, "sendmsg", **{"fd.rport": ln.port, "fd.rip": "127.0.0.1"})
    assert len(find(f, "sendto")) == 1, [e["output_fields"] for e in find(f, "sendto")]

    # IPv6
    expect_one(of_pid(ev, v6["pid"]), "connect", **{"fd.rip": "::1", "fd.rport": ln.port,
                                                   "fd.type": "ipv6"})

    # what the kernel refused is counted, not decoded
    assert int(und["unknown"]) == -22 and int(und["fault"]) == -14, und
    assert not [e for e in of_pid(ev, und["pid"]) if e["rule"] in ("connect", "socket")]
    assert _undecoded(mon) >= 2, mon.stderr()


def test_direct_i386_socket_calls():
    ln = Listener()
    try:
        with Monitor("--no-rules") as mon:
            t = int80("direct", ln.port)
    finally:
        ln.close()
    ev = of_pid(mon.events(), t["pid"])
    c = expect_one(ev, "connect", **{"fd.rport": ln.port, "evt.rawres": 0})
    assert c["fd.rip"] == "127.0.0.1" and c["vigil.is_compat32"] is True, c
    # sendmsg(MSG_FASTOPEN): the address read from the 32-bit msghdr
    expect_one(ev, "sendmsg", **{"fd.rport": ln.port, "fd.rip": "127.0.0.1"})
    port = int(t["port"])
    expect_one(ev, "bind", **{"fd.lip": "127.0.0.1", "evt.rawres": 0})
    expect_one(ev, "listen", **{"fd.lport": port})
    a4 = expect_one(ev, "accept4", **{"fd.lport": port})
    assert a4["evt.rawres"] == int(t["accept4"]), a4


def test_socketcall_reverse_shell_raises_the_default_rules():
    ln = Listener()
    try:
        with Monitor(events=False) as mon:  # the default rules
            t = int80("revshell", ln.port)
            # a rule that only the decoded connect can raise: its address
            # (from an empty network namespace: nothing leaves the host)
            md = int80_in_netns("connect", "169.254.169.254", 80)
    finally:
        ln.close()
    alerts = [e for e in of_pid(mon.events(), t["pid"])
              if e["rule"] == "Standard input or output redirected to a network socket"]
    assert alerts, [e["rule"] for e in mon.events()]
    assert alerts[0]["output_fields"]["fd.type"] == "ipv4", alerts[0]
    meta = [e for e in of_pid(mon.events(), md["pid"]) if e["rule"] == "Cloud metadata service contacted"]
    assert meta, [e["rule"] for e in mon.events()]
    assert meta[0]["output_fields"]["fd.rip"] == "169.254.169.254", meta[0]


def test_socketcall_follows_the_narrowed_route_table():
    # only socket() is asked for: socketcall(CONNECT) is dropped in the
    # kernel as connect() is
    ln = Listener()
    try:
        with Monitor("--no-rules", "--syscalls", "socket") as mon:
            t = int80("revshell", ln.port)
    finally:
        ln.close()
    ev = of_pid(mon.events(), t["pid"])
    expect_one(ev, "socket", **{"evt.arg.domain": "AF_INET", "vigil.is_compat32": True})
    assert not find(ev, "connect"), "connect was filtered in the kernel"
    assert _undecoded(mon) == 0, mon.stderr()


def test_old_mmap_is_decoded_as_mmap():
    with Monitor("--no-rules") as mon:
        t = int80("oldmmap")
    with Monitor(events=False) as rules:  # the default rules
        r = int80("oldmmap")
    ev = of_pid(mon.events(), t["pid"])
    m = expect_one(ev, "mmap", **{"evt.arg.prot": "PROT_READ|PROT_WRITE|PROT_EXEC",
                                  "vigil.is_compat32": True})
    assert m["evt.rawres"] == int(t["rwx"]) and m["evt.arg.length"] == "4096", m
    # the read-only mapping is filtered in the kernel, as mmap's is
    assert len([e for e in find(ev, "mmap") if e["output_fields"].get("vigil.is_compat32")]) == 1
    alerts = [e for e in of_pid(rules.events(), r["pid"])
              if e["rule"] == "Writable and executable memory mapping"]
    assert alerts, [e["rule"] for e in rules.events()]


def test_sendmmsg_fastopen_is_a_connect():
    # sendmmsg with MSG_FASTOPEN connects its socket (the first message,
    # whose msg_name is the address): through socketcall(SENDMMSG) and the
    # direct i386 call, from 32-bit mmsghdrs; a plain sendmmsg is not sent
    ln = Listener()
    try:
        with Monitor("--no-rules") as mon:
            t = int80("sendmmsg", "127.0.0.1", ln.port)
            v6 = int80("sendmmsg", "::1", ln.port)
    finally:
        ln.close()
    ev = mon.events()
    assert_no_drops(mon)
    assert int(t["socketcall"]) >= 1 and int(t["direct"]) >= 1, t
    s = find(of_pid(ev, t["pid"]), "sendmmsg")
    got = sorted((e["output_fields"]["fd.rip"], e["output_fields"]["fd.rport"],
                  e["output_fields"]["fd.type"], e["output_fields"]["vigil.is_compat32"]) for e in s)
    assert got == [("127.0.0.1", ln.port, "ipv4", True)] * 2, got
    # nothing listens on ::1: the refused calls' address comes from the first msghdr
    s6 = find(of_pid(ev, v6["pid"]), "sendmmsg")
    assert len(s6) == 2 and all(e["output_fields"]["fd.rip"] == "::1" for e in s6), s6


def test_sendmmsg_fastopen_raises_the_default_rules():
    # the metadata address from an empty network namespace (nothing leaves
    # the host): the failed call's address comes from the first msghdr
    with Monitor(events=False) as mon:
        md = int80_in_netns("sendmmsg", "169.254.169.254", 80)
    meta = [e for e in of_pid(mon.events(), md["pid"]) if e["rule"] == "Cloud metadata service contacted"]
    assert len(meta) >= 2, [e["rule"] for e in mon.events()]
    assert all(e["output_fields"]["fd.rip"] == "169.254.169.254" for e in meta), meta
