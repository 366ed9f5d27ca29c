"""Checks tell the truth (issue 13): `config check` refuses what `vigil run`
refuses (bad outputs included), a SIGHUP never stores such a file "for the
next restart", and a rule set with no enabled rule is an error at start, on
SIGHUP and in `rules check`, unless no rules are asked for (--no-rules).

Safety: the monitors are the test's own (signalled by pid); every file is
in the test's directory."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor

BAD_OUTPUTS = {
    "file without a path": ("  - type: file\n", "a file output needs path="),
    "ftp webhook": ("  - type: webhook\n    url: ftp://127.0.0.1/x\n", "must start with http"),
    "unknown key": ("  - type: stdout\n    colour: red\n", "unknown key 'colour'"),
    "queue 0": ("  - type: stdout\n    queue: 0\n", "queue: '0'"),
}


def test_config_check_and_run_refuse_the_same_outputs():
    d = tempfile.mkdtemp(prefix="vigil-harden-checks-")
    for what, (entry, why) in BAD_OUTPUTS.items():
        conf = os.path.join(d, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("outputs:\n" + entry)
        c = subprocess.run([VIGIL, "config", "check", "--config", conf],
                           capture_output=True, text=True, timeout=10)
        assert c.returncode == 1 and why in c.stderr and f"{conf}:" in c.stderr, (what, c.stderr)
        r = subprocess.run([VIGIL, "run", "--config", conf, "--duration", "1",
                            "--lock-file", os.path.join(d, "lock"),
                            "--control-socket", os.path.join(d, "sock")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and why in r.stderr, (what, r.stderr)
    shutil.rmtree(d)


def test_sighup_refuses_bad_outputs_instead_of_keeping_them_for_a_restart():
    d = tempfile.mkdtemp(prefix="vigil-harden-checks-")
    conf = os.path.join(d, "vigil.yaml")
    with open(conf, "w") as f:
        f.write("stats:\n  interval: 0\n")
    with Monitor("--config", conf, events=False) as mon:
        with open(conf, "w") as f:
            f.write("outputs:\n  - type: file\n")
        mon.proc.send_signal(signal.SIGHUP)
        end = time.time() + 10
        while time.time() < end and "keeping the one already running" not in mon.stderr():
            time.sleep(0.1)
        err = mon.stderr()
        assert mon.proc.poll() is None
    assert "a file output needs path=" in err, err[-2000:]
    assert "keeping the one already running" in err, err[-2000:]
    assert "next restart" not in err, err[-2000:]
    shutil.rmtree(d)


def test_no_enabled_rule_is_an_error_unless_asked_for():
    d = tempfile.mkdtemp(prefix="vigil-harden-checks-")
    empty = os.path.join(d, "empty.yaml")
    with open(empty, "w") as f:
        f.write("# nothing but a comment\n")
    off = os.path.join(d, "off.yaml")
    with open(off, "w") as f:
        f.write("- rule: r\n  desc: d\n  output: o\n  priority: info\n  enabled: false\n"
                "  condition: evt.type = execve\n")
    for rules in (empty, off):
        c = subprocess.run([VIGIL, "rules", "check", rules], capture_output=True, text=True,
                           timeout=10)
        assert c.returncode == 1 and "no enabled rule" in c.stderr, c.stderr
        r = subprocess.run([VIGIL, "run", "--rules", rules, "--duration", "1",
                            "--lock-file", os.path.join(d, "lock"),
                            "--control-socket", os.path.join(d, "sock"),
                            "--set", "ph.enabled=false"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "no enabled rule" in r.stderr, r.stderr
    # asked for: runs
    r = subprocess.run([VIGIL, "run", "--no-rules", "--duration", "1",
                        "--lock-file", os.path.join(d, "lock"),
                        "--control-socket", os.path.join(d, "sock"), "--set", "ph.enabled=false"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # on SIGHUP: the running rules stay
    good = os.path.join(d, "good.yaml")
    with open(good, "w") as f:
        f.write("- rule: r\n  desc: d\n  output: o\n  priority: info\n"
                "  condition: evt.type = execve and proc.name = nosuchprogram\n")
    with Monitor("--rules", good, events=False) as mon:
        with open(good, "w") as f:
            f.write("# emptied\n")
        mon.proc.send_signal(signal.SIGHUP)
        end = time.time() + 10
        while time.time() < end and "keeping the rules already running" not in mon.stderr():
            time.sleep(0.1)
        err = mon.stderr()
        assert mon.proc.poll() is None
    assert "no enabled rule" in err and "keeping the rules already running" in err, err[-2000:]
    shutil.rmtree(d)
