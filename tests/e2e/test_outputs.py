"""Outputs on the real kernel, with real receivers on loopback: rsyslogd
(started here with its own configuration in a temp dir, never the system's)
over UDP and TCP, HTTP servers that record, stall or fail, a program, and a
file rotated under vigil. Alerts come from test rules that match only files
this test opens (a unique marker in the path).

Safety: every server and rsyslogd is ours, bound to 127.0.0.1 on a free
port, and stopped by pid in `finally`; nothing system-wide is changed."""
import http.server
import itertools
import json
import os
import re
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid

from vigil_harness import Monitor, _made_dirs

MARK = "vgo" + uuid.uuid4().hex[:10]
RULES = f"""
- rule: vgout warn
  desc: test output rule, warning
  condition: evt.type in (open, openat, openat2) and fd.name contains {MARK}w
  output: vgout warn %fd.name by %proc.name
  priority: WARNING
  tags: [test, vgout]
- rule: vgout debug
  desc: test output rule, debug
  condition: evt.type in (open, openat, openat2) and fd.name contains {MARK}d
  output: vgout debug %fd.name by %proc.name
  priority: DEBUG
  tags: [test]
"""
FALCO_KEYS = {"hostname", "output", "priority", "rule", "source", "tags", "time", "output_fields"}


def _setup():
    d = tempfile.mkdtemp(prefix="vigil-out-")
    _made_dirs.append(d)  # removed by the runner after the file's tests
    rules = os.path.join(d, "rules.yaml")
    with open(rules, "w") as f:
        f.write(RULES)
    for kind in "wd":
        with open(os.path.join(d, MARK + kind), "w") as f:
            f.write("x")
    return d, rules


_fired = itertools.count()


def _fire(d, kind, n=1, gap=0.0):
    """Creates n new marker files: n alerts of that kind. (New files, not
    the same one reopened: the sensor coalesces repeated opens of one file
    by one process, see docs/sensor.md.)"""
    for _ in range(n):
        with open(os.path.join(d, f"{MARK}{kind}-{next(_fired)}"), "w"):
            pass
        if gap:
            time.sleep(gap)


def _lines(path):
    try:
        with open(path, "rb") as f:
            return [l for l in f.read().decode("utf-8").splitlines() if l]
    except FileNotFoundError:
        return []


def _ours(lines, kind="w"):
    return [l for l in lines if MARK + kind in l]


def _wait_for(fn, n, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = fn()
        if len(got) >= n:
            return got
        time.sleep(0.1)
    return fn()


def _free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _out_stats(mon, name):
    m = re.search(rf"vigil: exit output {re.escape(name)} queued=(\d+) sent=(\d+) dropped=(\d+) "
                  rf"errors=(\d+) retries=(\d+)", mon.stderr())
    assert m, f"no exit line for output {name}:\n{mon.stderr()}"
    return dict(zip(("queued", "sent", "dropped", "errors", "retries"), map(int, m.groups())))


def _check_falco(body):
    a = json.loads(body)
    assert FALCO_KEYS <= set(a), a
    assert a["rule"] == "vgout warn" and a["priority"] == "Warning", a
    assert a["source"] == "syscall" and a["time"].endswith("Z") and "vgout" in a["tags"], a
    assert MARK + "w" in a["output_fields"]["fd.name"], a
    return a


def test_file_output_reopens_on_sigusr1_after_a_rename():
    d, rules = _setup()
    path = os.path.join(d, "alerts.json")
    with Monitor("--rules", rules, "--output", f"file:path={path},fsync=every,name=f",
                 events=False) as mon:
        _fire(d, "w", 3)
        assert len(_wait_for(lambda: _ours(_lines(path)), 3)) == 3, mon.stderr()
        os.rename(path, path + ".1")  # what logrotate does
        mon.proc.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
        _fire(d, "w", 2)
        assert len(_wait_for(lambda: _ours(_lines(path)), 2)) == 2, mon.stderr()
    assert len(_ours(_lines(path + ".1"))) == 3
    assert len(_ours(_lines(path))) == 2
    for l in _lines(path) + _lines(path + ".1"):
        _check_falco(l)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    st = _out_stats(mon, "f")
    assert st["sent"] == 5 and st["dropped"] == 0 and st["errors"] == 0, st


def test_min_priority_and_program_output():
    d, rules = _setup()
    path = os.path.join(d, "warn.json")
    piped = os.path.join(d, "piped.txt")
    with Monitor("--rules", rules,
                 "--output", f"file:path={path},min_priority=warning,name=w",
                 "--output", f"program:command=cat >> {piped},format=text,name=p",
                 events=False) as mon:
        _fire(d, "w", 2)
        _fire(d, "d", 3)
        _wait_for(lambda: _ours(_lines(piped), "d"), 3)
    assert len(_ours(_lines(path), "w")) == 2 and not _ours(_lines(path), "d"), _lines(path)
    text = _lines(piped)
    assert len(_ours(text, "w")) == 2 and len(_ours(text, "d")) == 3, text
    assert all(re.match(r"\S+Z (Warning|Debug) vgout ", l) for l in _ours(text, "w") +
               _ours(text, "d")), text
    assert _out_stats(mon, "w")["sent"] == 2 and _out_stats(mon, "p")["sent"] == 5


def test_program_output_is_restarted_when_it_exits():
    d, rules = _setup()
    piped = os.path.join(d, "one-each.txt")
    # head takes one line and exits: every next alert finds it gone
    with Monitor("--rules", rules, "--output",
                 f"program:command=head -n 1 >> {piped},backoff_ms=10,name=p",
                 events=False) as mon:
        for _ in range(3):
            _fire(d, "w")
            _wait_for(lambda: _ours(_lines(piped)), len(_ours(_lines(piped))) + 1, 5)
            time.sleep(0.3)
        got = _wait_for(lambda: _ours(_lines(piped)), 3)
    assert len(got) == 3, (got, mon.stderr())
    for l in got:
        _check_falco(l)
    st = _out_stats(mon, "p")
    assert st["sent"] == 3 and st["dropped"] == 0 and st["errors"] >= 2, st
    assert mon.proc.returncode == 0


RSYSLOG_CONF = """
global(workDirectory="{d}")
module(load="imudp")
module(load="imtcp")
input(type="imudp" port="{udp}" address="127.0.0.1" ruleset="vg")
input(type="imtcp" port="{tcp}" address="127.0.0.1" ruleset="vg")
template(name="vg" type="string"
         string="%inputname% %syslogfacility-text% %syslogseverity-text% %app-name% %procid% %msg%\\n")
ruleset(name="vg") {{ action(type="omfile" file="{out}" template="vg") }}
"""


def test_remote_syslog_to_rsyslogd_over_udp_and_tcp():
    d, rules = _setup()
    rs = tempfile.mkdtemp(prefix="vigil-rsyslog-")
    _made_dirs.append(rs)
    out = os.path.join(rs, "received.log")
    udp, tcp = _free_port(socket.SOCK_DGRAM), _free_port()
    conf = os.path.join(rs, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(RSYSLOG_CONF.format(d=rs, udp=udp, tcp=tcp, out=out))
    rsyslogd = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(rs, "pid")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):  # until it listens on TCP
            try:
                socket.create_connection(("127.0.0.1", tcp), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with Monitor("--rules", rules,
                     "--output", f"syslog:address=udp://127.0.0.1:{udp},facility=local3,name=u",
                     "--output", f"syslog:address=tcp://127.0.0.1:{tcp},format=json,name=t",
                     events=False) as mon:
            _fire(d, "w", 3)
            got = _wait_for(lambda: _ours(_lines(out)), 6)
    finally:
        rsyslogd.terminate()
        rsyslogd.wait(10)
    by_udp = [l for l in got if l.startswith("imudp ")]
    by_tcp = [l for l in got if l.startswith("imtcp ")]
    assert len(by_udp) == 3 and len(by_tcp) == 3, (got, mon.stderr())
    pid = str(mon.proc.pid)
    for l in by_udp:
        _, fac, sev, app, procid, msg = l.split(" ", 5)
        assert (fac, sev, app, procid) == ("local3", "warning", "vigil", pid), l
        assert msg.startswith("vgout warn ") and MARK in msg, l
    for l in by_tcp:
        _, fac, sev, app, procid, msg = l.split(" ", 5)
        assert (fac, sev, app) == ("daemon", "warning", "vigil"), l
        _check_falco(msg)  # octet-counted framing kept the JSON whole
    assert _out_stats(mon, "u")["sent"] == 3 and _out_stats(mon, "t")["sent"] == 3


class _Recorder(http.server.BaseHTTPRequestHandler):
    status = 200
    bodies = []
    types = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append(body.decode("utf-8"))
        type(self).types.append(self.headers["Content-Type"])
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _http_server(status):
    handler = type("H", (_Recorder,), {"status": status, "bodies": [], "types": []})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, handler


def test_webhook_posts_falco_json():
    d, rules = _setup()
    srv, h = _http_server(200)
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}/"
        with Monitor("--rules", rules, "--output",
                     f"webhook:url={url},header=X-Test: yes,name=h", events=False) as mon:
            _fire(d, "w", 3)
            _fire(d, "d", 1)
            _wait_for(lambda: h.bodies, 4)
    finally:
        srv.shutdown()
        srv.server_close()
    mine = [b for b in h.bodies if MARK + "w" in b]
    assert len(mine) == 3, h.bodies
    for b in mine:
        _check_falco(b)
    assert all(t == "application/json" for t in h.types), h.types
    st = _out_stats(mon, "h")
    assert st["sent"] == 4 and st["dropped"] == 0 and st["errors"] == 0, st


def test_webhook_500_is_retried_then_dropped_and_reported():
    d, rules = _setup()
    srv, h = _http_server(500)
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}/"
        with Monitor("--rules", rules, "--output",
                     f"webhook:url={url},retries=2,backoff_ms=10,min_priority=warning,name=h",
                     events=False) as mon:
            _fire(d, "w", 2)
            _wait_for(lambda: h.bodies, 6)
            time.sleep(0.5)
    finally:
        srv.shutdown()
        srv.server_close()
    assert len(h.bodies) == 6, h.bodies  # 2 alerts x (1 try + 2 retries)
    st = _out_stats(mon, "h")
    assert st == {"queued": 0, "sent": 0, "dropped": 2, "errors": 6, "retries": 4}, st
    # the classic file output got them all the same
    assert len([e for e in mon.events() if e["rule"] == "vgout warn"]) == 2


def test_stalled_webhook_never_blocks_detection_or_other_outputs():
    d, rules = _setup()
    stall = socket.socket()
    stall.bind(("127.0.0.1", 0))
    stall.listen(64)  # accepts connections (the kernel does), never answers
    port = stall.getsockname()[1]
    path = os.path.join(d, "alerts.json")
    try:
        with Monitor("--rules", rules,
                     "--output", f"webhook:url=http://127.0.0.1:{port}/,timeout_ms=60000,"
                                 "queue=5,drain_ms=500,name=stuck",
                     "--output", f"file:path={path},name=f", events=False) as mon:
            _fire(d, "w", 50)
            got = _wait_for(lambda: _ours(_lines(path)), 50)
            time.sleep(1.5)  # the drop warning comes within a second
            t0 = time.time()
            rc = mon.stop()
            stop_secs = time.time() - t0
    finally:
        stall.close()
    assert len(got) == 50, mon.stderr()
    assert rc == 0 and stop_secs < 10, (rc, stop_secs)
    assert len([e for e in mon.events() if e["rule"] == "vgout warn"]) == 50
    st = _out_stats(mon, "stuck")
    # one alert in flight, five queued, the rest dropped; at exit nothing is left unaccounted
    assert st["sent"] == 0 and st["dropped"] == 50 and st["queued"] == 0, st
    assert "output stuck has dropped" in mon.stderr(), mon.stderr()
    assert _out_stats(mon, "f")["sent"] == 50


def test_bad_output_specs_are_refused_with_the_key_named():
    from vigil_harness import VIGIL
    for spec, why in [("nosuch", "unknown output type 'nosuch'"),
                      ("file", "needs path="),
                      ("file:path=/tmp/x,fsync=often", "fsync: 'often'"),
                      ("syslog:address=udp://127.0.0.1", "no :PORT"),
                      ("webhook:url=http://x,colour=red", "unknown key 'colour'"),
                      ("stdout:min_priority=loud", "min_priority: 'loud'")]:
        p = subprocess.run([VIGIL, "run", "--output", spec], capture_output=True, text=True)
        assert p.returncode == 2 and why in p.stderr, (spec, p.stderr)


def _output_keys():
    """The rows of `vigil config output-keys`: {key: (types, default)}, the
    default as written when the table gives one value (`...`), else None."""
    from vigil_harness import VIGIL
    p = subprocess.run([VIGIL, "config", "output-keys"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    rows = {}
    for line in p.stdout.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert len(cells) == 5, line
        key, types, _, default, doc = cells
        assert doc, line
        m = re.fullmatch(r"`([^`]*)`", default)
        rows[key.strip("`")] = (types, m.group(1) if m else None)
    return rows


def _takes(types, t):
    """Whether the table's "outputs" column (all, all but X, X, Y) takes t."""
    if types == "all":
        return True
    if types.startswith("all but "):
        return types[len("all but "):] != t
    return t in types.split(", ")


def test_output_key_table_defaults_load_through_a_config_file():
    """Every output type, with every key it takes set to the default the key
    table documents, is a valid configuration (the YAML path through the same
    table); a key another type takes is refused with its file and line."""
    from vigil_harness import VIGIL
    rows = _output_keys()
    assert {"name", "min_priority", "queue", "path", "url", "command", "address"} <= set(rows)
    d = tempfile.mkdtemp(prefix="vigil-outkeys-")
    _made_dirs.append(d)
    required = {"file": {"path": os.path.join(d, "alerts.json")},
                "webhook": {"url": "http://127.0.0.1:9/"},
                "program": {"command": "cat >/dev/null"}}
    lines = ["outputs:"]
    for t in ("stdout", "file", "syslog", "webhook", "program"):
        lines.append(f"  - type: {t}")
        for key, value in required.get(t, {}).items():
            lines.append(f"    {key}: {json.dumps(value)}")
        n = 0
        for key, (types, default) in rows.items():
            if _takes(types, t) and default is not None:
                lines.append(f"    {key}: {json.dumps(default)}")
                n += 1
        assert n >= 5, (t, n, rows)
    conf = os.path.join(d, "vigil.yaml")
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run([VIGIL, "config", "check", "--config", conf], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and "configuration OK" in p.stdout, (p.stdout, p.stderr, lines)
    # stdout takes no fsync: refused, naming the file and the line
    with open(conf, "w") as f:
        f.write("outputs:\n  - type: stdout\n    fsync: none\n")
    p = subprocess.run([VIGIL, "config", "check", "--config", conf], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert f"{conf}:3:" in p.stderr and "key 'fsync' does not apply to a stdout output" \
        in p.stderr, p.stderr
