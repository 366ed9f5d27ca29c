"""The configuration file on the real monitor: `vigil config check` accepts
good files and names the line and key of bad ones; a file changes what the
monitor does; --set and the specific options win over it in that order;
SIGHUP re-reads it, keeps the running one when the new one is broken, and
applies the rule files of a good one."""
import os
import re
import signal
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
GOOD = os.path.join(TOP, "tests", "fuzz", "corpus", "config", "good.yaml")

RULE = """
- rule: {name}
  desc: a test rule
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and evt.is_open_read = true
  output: shadow read (pid=%proc.pid file=%fd.name)
  priority: WARNING
"""


def _tmpdir():
    return tempfile.mkdtemp(prefix="vigil-config-")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def _rules(d, name):
    return _write(os.path.join(d, name.replace(" ", "_") + ".yaml"), RULE.format(name=name))


def _config(mon_args, *extra):
    """vigil config ... with our arguments; returns (rc, stdout, stderr)."""
    p = subprocess.run([VIGIL, "config"] + list(mon_args) + list(extra), capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def _read_shadow():
    """Reads /etc/shadow in a child; returns its pid."""
    p = subprocess.Popen(["/bin/cat", "/etc/shadow"], stdout=subprocess.DEVNULL)
    p.wait()
    return p.pid


def _alerts_of(mon, rule, pid):
    return [e for e in mon.events() if e.get("rule") == rule
            and str(e["output_fields"].get("proc.pid")) == str(pid)]


def _wait_stderr(mon, pattern, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, mon.stderr())
        if m:
            return m
        time.sleep(0.05)
    raise AssertionError(f"no /{pattern}/ in stderr:\n{mon.stderr()}")


def _wait_alert(mon, rule, pid, timeout=15):
    """Waits until the monitor has written this alert: events still in the
    ring buffer at a reload are judged by the rules loaded after it."""
    deadline = time.time() + timeout
    while not _alerts_of(mon, rule, pid):
        assert time.time() < deadline, f"no {rule!r} alert for pid {pid}:\n{mon.stderr()}"
        time.sleep(0.05)


def _wait_count(mon, text, n, timeout=15):
    deadline = time.time() + timeout
    while mon.stderr().count(text) < n:
        assert time.time() < deadline, f"{text!r} not {n} times in stderr:\n{mon.stderr()}"
        time.sleep(0.05)


def _without_stats_option(mon):
    """The harness passes --stats-interval 0; drop it so the file decides."""
    i = mon.args.index("--stats-interval")
    del mon.args[i:i + 2]
    return mon


def test_config_check_good_and_bad_files():
    rc, out, err = _config(["check", "--config", GOOD])
    assert rc == 0 and "configuration OK" in out, (rc, out, err)
    d = _tmpdir()
    bad = _write(os.path.join(d, "bad.yaml"),
                 "sensor:\n  ring_size: 3000\n  rng: 1\nph:\n  model: fancy\n"
                 "stats: {interval: soon}\n")
    rc, out, err = _config(["check", "--config", bad])
    assert rc == 1, (rc, out, err)
    for want in (f"{bad}:2:14: sensor.ring_size: 3000 must be a power of two",
                 f"{bad}:3:3: sensor.rng: unknown key",
                 f"{bad}:5:10: ph.model: 'fancy' is not one of fallback|ngram|plain",
                 f"{bad}:6:19: stats.interval: expected a duration"):
        assert want in err, (want, err)
    # YAML syntax errors have a line too.
    broken = _write(os.path.join(d, "broken.yaml"), "rules:\n  files: [a\n")
    rc, out, err = _config(["check", "--config", broken])
    assert rc == 1 and re.search(re.escape(broken) + r":\d+:\d+: YAML:", err), err
    # An explicit file that does not exist is an error ...
    rc, out, err = _config(["check", "--config", os.path.join(d, "missing.yaml")])
    assert rc == 1 and "no such file" in err, err
    # ... and so is a bad --set.
    rc, out, err = _config(["check", "--config", GOOD, "--set", "sensor.poll_ms=0"])
    assert rc == 1 and "--set: sensor.poll_ms: 0 is out of range" in err, err
    # The monitor refuses a bad file before it loads anything.
    p = subprocess.run([VIGIL, "run", "--config", bad, "--lock-file", os.path.join(d, "l")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "sensor.rng: unknown key" in p.stderr, p.stderr
    assert "ready" not in p.stderr


def test_config_check_takes_its_file_positionally():
    """`vigil config check FILE`, the way `vigil rules check FILE` takes it;
    --config keeps working, and naming the file twice is refused."""
    rc, out, err = _config(["check", GOOD])
    assert rc == 0 and f"{GOOD}: configuration OK" in out, (rc, out, err)
    d = _tmpdir()
    bad = _write(os.path.join(d, "bad.yaml"), "sensor:\n  rng: 1\n")
    rc, out, err = _config(["check", bad])
    assert rc == 1 and f"{bad}:2:3: sensor.rng: unknown key" in err, (rc, out, err)
    rc, out, err = _config(["check", bad, "--set", "stats.interval=5"])
    assert rc == 1 and "sensor.rng: unknown key" in err, (rc, out, err)
    rc, out, err = _config(["show", GOOD, "--set", "stats.interval=7"])
    assert rc == 0 and "  interval: 7\n" in out, (rc, out, err)
    rc, out, err = _config(["check", "--config", GOOD, bad])
    assert rc == 2 and "unexpected argument" in err, (rc, out, err)
    rc, out, err = _config(["check", os.path.join(d, "missing.yaml")])
    assert rc == 1 and "no such file" in err, err


def test_missing_default_file_means_defaults():
    if os.path.exists("/etc/vigil/vigil.yaml"):
        return "skipped: /etc/vigil/vigil.yaml exists on this machine"
    rc, out, err = _config(["show"])
    assert rc == 0, err
    assert "  ring_size: 16M\n" in out and "lock_file: /run/vigil/vigil.lock\n" in out, out
    rc, out, err = _config(["check"])
    assert rc == 0, err


def test_show_is_the_effective_configuration():
    rc, out, err = _config(["show", "--config", GOOD, "--set", "sensor.poll_ms=7",
                            "--set", "outputs=[{type: stdout, format: json}]"])
    assert rc == 0, err
    assert "  ring_size: 32M\n" in out          # from the file
    assert "  poll_ms: 7\n" in out              # --set over the file
    assert "  min_train: 1000\n" in out         # a default
    assert "outputs: [{type: stdout, format: json}]\n" in out
    # What show prints is itself a valid configuration with the same values.
    d = _tmpdir()
    again = _write(os.path.join(d, "again.yaml"), out)
    rc, out2, err = _config(["show", "--config", again])
    assert rc == 0 and out2 == out, err


def test_run_with_a_config_file():
    d = _tmpdir()
    rules = _rules(d, "config rule A")
    conf = _write(os.path.join(d, "vigil.yaml"),
                  f"rules:\n  files: [{rules}]\nsensor:\n  ring_size: 8M\nstats:\n  interval: 1\n")
    mon = _without_stats_option(Monitor("--config", conf, events=False))
    with mon:
        assert "ring buffer 8192 KiB" in mon.stderr(), mon.stderr()
        pid = _read_shadow()
        _wait_stderr(mon, r"vigil: stats events=")  # every second, from the file
    assert _alerts_of(mon, "config rule A", pid), mon.stderr()
    assert "rules: 1 loaded" in mon.stderr()


def test_set_and_options_override_the_file():
    d = _tmpdir()
    a, b = _rules(d, "config rule A"), _rules(d, "config rule B")
    conf = _write(os.path.join(d, "vigil.yaml"),
                  f"rules:\n  files: [{a}]\nsensor:\n  ring_size: 8M\n")
    # --set wins over the file
    with Monitor("--config", conf, "--set", "sensor.ring_size=4M", "--set",
                 f"rules.files=[{b}]", events=False) as mon:
        assert "ring buffer 4096 KiB" in mon.stderr(), mon.stderr()
        pid = _read_shadow()
    assert _alerts_of(mon, "config rule B", pid) and not _alerts_of(mon, "config rule A", pid)
    # the specific options win over --set
    with Monitor("--config", conf, "--set", "sensor.ring_size=4M", "--ring-size", "2M",
                 "--rules", a, "--set", f"rules.files=[{b}]", events=False) as mon:
        assert "ring buffer 2048 KiB" in mon.stderr(), mon.stderr()
        pid = _read_shadow()
    assert _alerts_of(mon, "config rule A", pid) and not _alerts_of(mon, "config rule B", pid)


def test_sighup_keeps_the_running_config_when_the_new_one_is_broken():
    d = _tmpdir()
    a, b = _rules(d, "config rule A"), _rules(d, "config rule B")
    conf = _write(os.path.join(d, "vigil.yaml"), f"rules:\n  files: [{a}]\nstats: {{interval: 0}}\n")
    with _without_stats_option(Monitor("--config", conf, events=False)) as mon:
        pid1 = _read_shadow()
        _wait_alert(mon, "config rule A", pid1)
        # A broken file: refused with its line; rule A keeps running.
        _write(conf, f"rules:\n  files: [{b}]\n  bogus: 1\n")
        mon.proc.send_signal(signal.SIGHUP)
        _wait_stderr(mon, re.escape(conf) + r":3:3: rules.bogus: unknown key")
        _wait_stderr(mon, r"keeping the one already running")
        _wait_count(mon, "rules: 1 loaded", 2)  # the old rule files, reloaded
        pid2 = _read_shadow()
        _wait_alert(mon, "config rule A", pid2)
        assert "vigil: stats events=" not in mon.stderr()  # interval 0: at exit only
        # A good file: the new rule files apply, a restart-only key is named.
        _write(conf, f"rules:\n  files: [{b}]\nsensor:\n  ring_size: 4M\nstats: {{interval: 1}}\n")
        mon.proc.send_signal(signal.SIGHUP)
        _wait_stderr(mon, r"rules.files changed to \[" + re.escape(b))
        _wait_stderr(mon, r"sensor.ring_size changed to 4M: it takes effect at the next restart")
        _wait_count(mon, "rules: 1 loaded", 3)
        _wait_stderr(mon, r"stats.interval changed to 1\n")
        _wait_stderr(mon, r"vigil: stats events=")  # the new interval, live
        pid3 = _read_shadow()
    assert _alerts_of(mon, "config rule A", pid1), mon.stderr()
    assert _alerts_of(mon, "config rule A", pid2), mon.stderr()
    assert not _alerts_of(mon, "config rule B", pid2)
    assert _alerts_of(mon, "config rule B", pid3), mon.stderr()
    assert not _alerts_of(mon, "config rule A", pid3)


def test_run_options_are_configuration_keys():
    """What used to be command-line only is a key now: a file alone sets the
    output (JSON events to a file), the duration and the exec deny list, and
    --deny-exec adds to the file's list instead of replacing it."""
    d = _tmpdir()
    rules = _rules(d, "config rule K")
    out = os.path.join(d, "out.jsonl")
    denied = os.path.join(d, "denied")
    conf = _write(os.path.join(d, "vigil.yaml"),
                  f"rules:\n  files: [{rules}]\nduration: 3\nlock_file: {d}/lock\n"
                  f"control:\n  socket: none\nph:\n  enabled: false\nauth:\n  enabled: false\n"
                  f"output:\n  events: true\n  json: true\n  file: {out}\n"
                  f"response:\n  deny_exec: [{denied}]\nstats:\n  interval: 0\n")
    rc, stdout, err = _config(["show", conf, "--set", "output.json=false"])
    assert rc == 0 and "output:\n  events: true\n  json: false\n" in stdout, (rc, stdout, err)
    started = time.time()
    run = subprocess.Popen([VIGIL, "run", "--config", conf, "--deny-exec", "/nonexistent/x"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # events of our own, so the test does not depend on what else the machine does
    while run.poll() is None and time.time() - started < 60:
        subprocess.run(["/bin/true"])
        time.sleep(0.1)
    stdout, stderr = run.communicate(timeout=60)
    p = subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)
    assert p.returncode == 0, p.stderr
    assert time.time() - started < 30 and "vigil: exit events=" in p.stderr, p.stderr
    # the deny list the file names runs (that --deny-exec adds to it: unit/test_run_options)
    assert "vigil: deny records=" in p.stderr, p.stderr
    import json
    with open(out) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    assert any(e.get("priority") == "Debug" for e in lines), lines[:3]
    # the key errors name the option that set them
    p = subprocess.run([VIGIL, "run", "--config", conf, "--duration", "soon"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "--duration: duration: expected a duration" in p.stderr, p.stderr
