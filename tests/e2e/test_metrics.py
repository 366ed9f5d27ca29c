"""The Prometheus endpoint (metrics.listen): off by default; when on, GET
/metrics answers the figures of `vigil status` in Prometheus text format,
and they move with what the machine does. Root only: a Unix socket (0600),
or TCP with a bearer token from a root-only file; slow clients do not
block a scrape; every family is declared once.

Safety: the monitors and the slow clients are the test's own, on loopback
and in the test's directories."""
import re
import socket
import subprocess
import tempfile
import os
import urllib.error
import urllib.request

from vigil_harness import Monitor


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


TOKEN = "vigil-test-token-0123456789abcdef"


def token_file(d):
    path = os.path.join(d, "token")
    with open(path, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(path, 0o600)
    return path


def scrape(url, token=TOKEN):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return r.read().decode()


def metric(text, name, **labels):
    want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no {want} in:\n{text[:3000]}")


def listening_ports_of(pid):
    p = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True)
    return [l for l in p.stdout.splitlines() if f"pid={pid}," in l]


def test_metrics_endpoint_serves_the_status_figures():
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    d = tempfile.mkdtemp(prefix="vigil-metrics-")
    with Monitor("--no-rules", "--metrics-listen", f"127.0.0.1:{port}", "--coalesce-ms", "0",
                 "--set", f"metrics.token_file={token_file(d)}") as mon:
        first = scrape(url)
        assert metric(first, "vigil_monitor_uptime_s") >= 0
        # every line is a comment or NAME{labels} VALUE
        for line in first.splitlines():
            assert line.startswith("# TYPE ") or re.match(r"^[a-zA-Z_][a-zA-Z0-9_]*(\{.*\})? \S+$", line), line
        before = metric(first, "vigil_monitor_events", type="open") if 'type="open"}' in first else 0
        for i in range(200):
            open(os.path.join(d, "f"), "w").close()
        import time
        time.sleep(1.1)  # past the snapshot's age
        after = metric(scrape(url), "vigil_monitor_events", type="open")
        assert after >= before + 200, (before, after)
        # only /metrics, only GET
        auth = {"Authorization": f"Bearer {TOKEN}"}
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/other",
                                                          headers=auth), timeout=10)
            raise AssertionError("/other answered")
        except urllib.error.HTTPError as e:
            assert e.code == 404
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST",
                                                          headers=auth), timeout=10)
            raise AssertionError("POST answered")
        except urllib.error.HTTPError as e:
            assert e.code == 405
        # no token, or a wrong one: 401, no figures
        for bad in (None, "Bearer " + TOKEN[:-1] + "x", "Basic " + TOKEN):
            try:
                h = {"Authorization": bad} if bad else {}
                urllib.request.urlopen(urllib.request.Request(url, headers=h), timeout=10)
                raise AssertionError(f"answered with {bad!r}")
            except urllib.error.HTTPError as e:
                assert e.code == 401 and b"vigil_" not in e.read()
        assert listening_ports_of(mon.proc.pid), "the endpoint is not a listening socket of vigil"
    assert mon.proc.returncode == 0, mon.stderr()


def test_metrics_are_off_by_default_and_a_busy_port_refuses_to_start():
    with Monitor("--no-rules") as mon:
        assert not listening_ports_of(mon.proc.pid), "vigil listens although metrics are off"
    # A port already taken: the monitor says so and does not start.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        d = tempfile.mkdtemp(prefix="vigil-metrics-")
        from vigil_harness import VIGIL
        p = subprocess.run([VIGIL, "run", "--no-rules", "--duration", "5", "--lock-file",
                            os.path.join(d, "lock"), "--control-socket", "none",
                            "--metrics-listen", f"127.0.0.1:{port}",
                            "--set", f"metrics.token_file={token_file(d)}"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode != 0 and "metrics endpoint" in p.stderr, p.stderr
    finally:
        s.close()


def unix_scrape(path, request=b"GET /metrics HTTP/1.0\r\n\r\n", timeout=10):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall(request)
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return data.decode(errors="replace")


def test_metrics_are_root_only():
    """TCP without a token is refused (by run and config check alike); a
    token file others can read is refused; a Unix socket is 0600 and
    serves root, not nobody."""
    import time
    from vigil_harness import VIGIL
    d = tempfile.mkdtemp(prefix="vigil-metrics-")
    port = free_port()
    base = [VIGIL, "run", "--no-rules", "--duration", "3", "--lock-file", os.path.join(d, "lock"),
            "--control-socket", "none", "--set", "ph.enabled=false"]
    p = subprocess.run(base + ["--metrics-listen", f"127.0.0.1:{port}"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0 and "every local user" in p.stderr, p.stderr
    c = subprocess.run([VIGIL, "config", "check", "--set", f"metrics.listen=127.0.0.1:{port}"],
                       capture_output=True, text=True, timeout=10)
    assert c.returncode != 0 and "every local user" in c.stderr, c.stderr
    loose = token_file(d)
    os.chmod(loose, 0o644)
    p = subprocess.run(base + ["--metrics-listen", f"127.0.0.1:{port}",
                               "--set", f"metrics.token_file={loose}"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "no access for others" in p.stderr, p.stderr
    sock = os.path.join(d, "run", "metrics.sock")
    with Monitor("--no-rules", "--metrics-listen", f"unix:{sock}") as mon:
        st = os.stat(sock)
        assert st.st_mode & 0o777 == 0o600 and st.st_uid == 0, oct(st.st_mode)
        text = unix_scrape(sock)
        assert " 200 " in text.splitlines()[0] and "vigil_monitor_uptime_s" in text, text[:500]
        nobody = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                 "/usr/bin/python3", "-c",
                                 "import socket,sys; s=socket.socket(socket.AF_UNIX); "
                                 "s.connect(sys.argv[1])", sock],
                                capture_output=True, text=True, timeout=10)
        assert nobody.returncode != 0 and "Permission denied" in nobody.stderr, nobody.stderr
    assert not os.path.exists(sock)  # removed at exit


def test_slow_clients_do_not_block_a_scrape():
    """Eight (and more) connections that send nothing, or a byte at a
    time, hold no scrape back: slots are many and idle ones time out."""
    import time
    d = tempfile.mkdtemp(prefix="vigil-metrics-")
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    with Monitor("--no-rules", "--metrics-listen", f"127.0.0.1:{port}",
                 "--set", f"metrics.token_file={token_file(d)}") as mon:
        slow = []
        for i in range(16):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                s.sendall(b"GET /metr")  # a request that never ends
            slow.append(s)
        t0 = time.time()
        text = scrape(url)
        took = time.time() - t0
        for s in slow:
            s.close()
    assert "vigil_monitor_uptime_s" in text
    assert took < 2.0, took
    return f"[scrape in {took:.3f} s beside 16 slow clients]"


def test_every_family_is_declared_once_and_totals_are_apart():
    from vigil_harness import VIGIL
    d = tempfile.mkdtemp(prefix="vigil-metrics-")
    sock = os.path.join(d, "m.sock")
    with Monitor("--metrics-listen", f"unix:{sock}") as mon:  # default rules
        text = unix_scrape(sock).split("\r\n\r\n", 1)[1]
    types = [l.split()[2] for l in text.splitlines() if l.startswith("# TYPE ")]
    assert len(types) == len(set(types)), [t for t in types if types.count(t) > 1]
    samples = {}
    for l in text.splitlines():
        if l.startswith("#"):
            continue
        name = re.match(r"^([a-zA-Z_][a-zA-Z0-9_]*)(\{)?", l)
        samples.setdefault(name.group(1), set()).add(bool(name.group(2)))
    mixed = [n for n, kinds in samples.items() if len(kinds) > 1]
    assert not mixed, mixed  # no family holds both a total and labelled series
    assert "vigil_rules_match_failures 0" in text, text[:3000]
