"""Rules in the running monitor: Falco's own rules file fires on real
behaviour, the kernel is narrowed to what the rules need, and SIGHUP
reloads rules, keeping the old set when the new one is broken."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor, trigger
from vigil_harness import run_deliberate

HERE = os.path.dirname(os.path.abspath(__file__))
FALCO_RULES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "compat",
                                            "falco_rules.yaml"))

SHADOW_RULE = """
- rule: test shadow read
  desc: a test rule
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and evt.is_open_read = true
  output: shadow read by %proc.name (pid=%proc.pid cmdline=%proc.cmdline file=%fd.name)
  priority: WARNING
  tags: [test, VG-TEST]
"""


def _alerts(mon, rule=None):
    out = [e for e in mon.events() if "rule" in e]
    return [e for e in out if rule is None or e["rule"] == rule]


def test_falco_rule_fires_on_a_real_shadow_read():
    with Monitor("--rules", FALCO_RULES, events=False) as mon:
        p = run_deliberate(["/bin/cat", "/etc/shadow"])
        assert p.returncode == 0
    alerts = _alerts(mon, "Read sensitive file untrusted")
    mine = [a for a in alerts if a["output_fields"].get("proc.name") == "cat"]
    assert mine, f"no alert; alerts: {[a['rule'] for a in _alerts(mon)]}\n{mon.stderr()}"
    a = mine[0]
    assert a["priority"] == "Warning"
    assert a["output_fields"]["fd.name"] == "/etc/shadow"
    assert "T1555" in " ".join(a["tags"]) or "filesystem" in a["tags"], a["tags"]
    assert a["source"] == "syscall" and a["time"].endswith("Z")
    assert re.search(r"kernel filter: \d+ of \d+ watched syscalls needed", mon.stderr())
    assert "rules: 24 loaded" in mon.stderr(), mon.stderr()


def test_rules_in_text_mode_and_reload_on_sighup():
    d = tempfile.mkdtemp(prefix="vigil-rules-")
    rules = os.path.join(d, "r.yaml")
    with open(rules, "w") as f:
        f.write(SHADOW_RULE)
    with Monitor("--rules", rules, events=False, json_out=False) as mon:
        run_deliberate(["/bin/cat", "/etc/shadow"])
        time.sleep(0.5)
        # a broken rule file: the running set stays
        with open(rules, "w") as f:
            f.write("- rule: broken\n  desc: d\n  condition: evt.type = open and nosuch.field = 1\n"
                    "  output: o\n  priority: INFO\n")
        mon.proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        run_deliberate(["/usr/bin/head", "-c1", "/etc/shadow"])
        time.sleep(0.5)
        # a good new set replaces it: now only /etc/hostname reads alert
        with open(rules, "w") as f:
            f.write(SHADOW_RULE.replace("shadow", "hostname"))
        mon.proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        subprocess.run(["/bin/cat", "/etc/hostname"], capture_output=True)
        run_deliberate(["/bin/cat", "/etc/shadow"])
    text = open(mon.out, errors="replace").read().splitlines()
    err = mon.stderr()
    assert "the new rules have errors: keeping the rules already running" in err, err
    assert "nosuch.field" in err and "r.yaml:3:" in err, err
    shadow = [l for l in text if "shadow read by" in l]
    assert any("by cat" in l for l in shadow), text
    assert any("by head" in l for l in shadow), "the old set must survive a broken reload"
    assert any("Warning shadow read by cat" in l for l in shadow), text
    assert [l for l in text if "hostname read by cat" in l], "the new set must be in force"
    # after the good reload, /etc/shadow no longer alerts: the last cat of shadow is silent
    assert len([l for l in shadow if "by cat" in l]) == 1, shadow
    # counted across reloads: every alert written is counted (other
    # processes on the machine may read these files too, so at least ours)
    counted = int(re.search(r"vigil: exit .* alerts=(\d+)", err).group(1))
    assert counted >= 3 and counted == len(text), (counted, text)
    shutil.rmtree(d)


def test_broken_rules_refuse_to_start():
    d = tempfile.mkdtemp(prefix="vigil-rules-")
    rules = os.path.join(d, "bad.yaml")
    with open(rules, "w") as f:
        f.write("- rule: bad\n  desc: x\n  condition: evt.type = open and (\n  output: x\n  priority: INFO\n")
    p = subprocess.run([VIGIL, "run", "--rules", rules,
                        "--duration", "1", "--lock-file", os.path.join(d, "lock")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    assert "bad.yaml:3:" in p.stderr and "rules not loaded" in p.stderr, p.stderr
    assert "vigil: ready" not in p.stderr
    shutil.rmtree(d)


def test_32bit_syscall_cannot_sneak_past_the_rules():
    # open(/etc/shadow) through "int $0x80" from a 64-bit program
    d = tempfile.mkdtemp(prefix="vigil-rules-")
    rules = os.path.join(d, "r.yaml")
    with open(rules, "w") as f:
        f.write(SHADOW_RULE)
    with Monitor("--rules", rules, events=False) as mon:
        t = trigger("compat32", "/etc/shadow")
    assert int(t["open32"]) >= 0, t
    mine = [a for a in _alerts(mon, "test shadow read")
            if a["output_fields"].get("proc.pid") == int(t["pid"])]
    assert mine, [a["output"] for a in _alerts(mon)]
    shutil.rmtree(d)
