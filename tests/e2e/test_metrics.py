"""The Prometheus endpoint (metrics.listen): off by default; when on, GET
/metrics answers the figures of `vigil status` in Prometheus text format,
and they move with what the machine does."""
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


def scrape(url):
    with urllib.request.urlopen(url, timeout=10) as r:
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
    with Monitor("--no-rules", "--metrics-listen", f"127.0.0.1:{port}", "--coalesce-ms", "0") as mon:
        first = scrape(url)
        assert metric(first, "vigil_monitor_uptime_s") >= 0
        # every line is a comment or NAME{labels} VALUE
        for line in first.splitlines():
            assert line.startswith("# TYPE ") or re.match(r"^[a-zA-Z_][a-zA-Z0-9_]*(\{.*\})? \S+$", line), line
        before = metric(first, "vigil_monitor_events", type="open") if 'type="open"}' in first else 0
        for i in range(200):
            open(os.path.join(d, "f"), "w").close()
        import time
        time.sleep(0.5)
        after = metric(scrape(url), "vigil_monitor_events", type="open")
        assert after >= before + 200, (before, after)
        # only /metrics, only GET
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/other", timeout=10)
            raise AssertionError("/other answered")
        except urllib.error.HTTPError as e:
            assert e.code == 404
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST"), timeout=10)
            raise AssertionError("POST answered")
        except urllib.error.HTTPError as e:
            assert e.code == 405
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
                            "--metrics-listen", f"127.0.0.1:{port}"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode != 0 and "metrics endpoint" in p.stderr, p.stderr
    finally:
        s.close()
