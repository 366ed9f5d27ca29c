"""A connect's peer comes from the kernel's socket, not from the caller's
memory (bpf/sensor.bpf.c, net_fill): another thread that rewrites the
sockaddr buffer after the kernel copied it (tests/bin/vigil-connect-race.c)
must not change the address the event reports, or a rule on fd.rip/fd.rport
(the cloud-metadata rule, VG-063) would judge an address the connection
never went to."""
import os
import socket
import subprocess

from loopback import Listener
from vigil_harness import BUILD, Monitor, assert_no_drops, deliberate, expect_one, find, of_pid

RACE = os.path.join(BUILD, "tests", "bin", "vigil-connect-race")
FAKE_PORT = 1  # nothing listens there: a connect that copies it is refused
CALLS = 2000


def race(addr, port, calls, *mode):
    p = subprocess.run([RACE, addr, str(port), str(FAKE_PORT), str(calls), *mode],
                       capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    kv = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    assert "pid" in kv, f"vigil-connect-race: {p.stdout} {p.stderr}"
    deliberate(kv["pid"])
    assert p.returncode == 0, f"vigil-connect-race failed ({p.returncode}): {p.stderr}"
    return {k: int(v) for k, v in kv.items()}


def check_peer(events, r, call, addr, port):
    """Every call that went through names the real peer; there is one per
    success the program counted."""
    ev = of_pid(events, r["pid"])
    done = [e["output_fields"] for e in find(ev, call) if e["output_fields"]["evt.rawres"] >= 0 or
            e["output_fields"]["evt.rawres"] == -115]  # -EINPROGRESS
    wrong = [(e["fd.rip"], e["fd.rport"]) for e in done if (e["fd.rip"], e["fd.rport"]) != (addr, port)]
    assert not wrong, (f"{len(wrong)} of {len(done)} successful {call} events name another peer "
                       f"than {addr}:{port} (the buffer, not the socket): {wrong[:5]}; {r}")
    assert len(done) == r["ok"], f"{len(done)} successful {call} events for {r}"


def test_connect_reports_the_sockets_peer_not_the_buffer():
    assert os.access(RACE, os.X_OK), f"{RACE} is not built"
    v4, v6 = Listener(socket.AF_INET, "127.0.0.1", backlog=4096), Listener(socket.AF_INET6, "::1", backlog=4096)
    try:
        with Monitor("--no-rules") as mon:
            plain = race("127.0.0.1", v4.port, 0)
            plain6 = race("::1", v6.port, 0)
            raced = race("127.0.0.1", v4.port, CALLS)
            raced6 = race("::1", v6.port, CALLS)
            fastopen = race("127.0.0.1", v4.port, CALLS, "fastopen")
    finally:
        v4.close()
        v6.close()
    ev = mon.events()
    assert_no_drops(mon)

    # the plain case: one connect, the listener's address and port
    c = expect_one(of_pid(ev, plain["pid"]), "connect", **{"evt.rawres": 0})
    assert (c["fd.rip"], c["fd.rport"], c["fd.type"]) == ("127.0.0.1", v4.port, "ipv4"), c
    c = expect_one(of_pid(ev, plain6["pid"]), "connect", **{"evt.rawres": 0})
    assert (c["fd.rip"], c["fd.rport"], c["fd.type"]) == ("::1", v6.port, "ipv6"), c

    # the race has to have happened for the test to mean anything: calls
    # that connected and came back to the fake address in their buffer
    for r in (raced, raced6, fastopen):
        assert r["ok"] > 0 and r["raced"] > 0, f"no call raced: {r}"
    check_peer(ev, raced, "connect", "127.0.0.1", v4.port)
    check_peer(ev, raced6, "connect", "::1", v6.port)
    check_peer(ev, fastopen, "sendto", "127.0.0.1", v4.port)

    # a refused call (the rival wrote before the kernel copied) still says
    # what was asked, from the buffer: the fake port or the real one
    refused = [e["output_fields"] for e in find(of_pid(ev, raced["pid"]), "connect")
               if e["output_fields"]["evt.rawres"] == -111]
    assert all(e["fd.rport"] in (FAKE_PORT, v4.port) for e in refused), refused[:5]


def test_sendmmsg_reports_the_sockets_peer_not_the_buffer():
    # sendmmsg(MSG_FASTOPEN) connects with the first message's msg_name:
    # the same race on that buffer, the same answer from the socket
    v4 = Listener(socket.AF_INET, "127.0.0.1", backlog=4096)
    try:
        with Monitor("--no-rules") as mon:
            one = race("127.0.0.1", v4.port, 0, "sendmmsg")
            raced = race("127.0.0.1", v4.port, CALLS, "sendmmsg")
    finally:
        v4.close()
    ev = mon.events()
    assert_no_drops(mon)
    c = expect_one(of_pid(ev, one["pid"]), "sendmmsg")
    assert one["ok"] == 1 and c["evt.rawres"] >= 1, (one, c)
    assert (c["fd.rip"], c["fd.rport"], c["fd.type"]) == ("127.0.0.1", v4.port, "ipv4"), c
    assert raced["ok"] > 0 and raced["raced"] > 0, f"no call raced: {raced}"
    check_peer(ev, raced, "sendmmsg", "127.0.0.1", v4.port)
