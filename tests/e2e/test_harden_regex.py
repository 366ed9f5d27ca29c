"""The rules' regex engine against a hostile local user (issue 13): RE2 in
linear time, so no path or argument can blind a rule or stall the monitor.

Safety: the monitors are the test's own (killed by pid); the unprivileged
user (setpriv 65534) only makes symlinks in a directory the test made and
runs /bin/true; nothing outside the test's directories is touched."""
import json
import os
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor, run_deliberate

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def shared_dir():
    d = tempfile.mkdtemp(prefix="vigil-harden-")
    os.chmod(d, 0o1777)
    return d


def test_deep_relative_symlink_to_shadow_alerts_with_default_rules():
    """'/' + './'*1000 + 'etc/shadow' and '../'*1000 + 'etc/shadow' ran
    PCRE2's JIT stack out: VG-003 said nothing. Made by nobody."""
    d = shared_dir()
    targets = {"dots": "/" + "./" * 1000 + "etc/shadow",
               "dotdots": "../" * 1000 + "etc/shadow"}
    with Monitor() as mon:  # the default rules
        pids = {}
        for name, target in targets.items():
            link = os.path.join(d, f"lnk-{name}")
            p = run_deliberate(NOBODY + ["/usr/bin/python3", "-c",
                                         "import os,sys; os.symlink(sys.argv[1], sys.argv[2]);"
                                         "print(os.getpid())", target, link])
            assert p.returncode == 0, p.stderr
            pids[name] = int(p.stdout)
        time.sleep(1)
        mon.stop()
        ev = mon.events()
    for name, target in targets.items():
        hits = [e for e in ev if e["rule"] == "Symlink created over sensitive file or directory"
                and str(e["output_fields"].get("proc.pid")) == str(pids[name])]
        assert hits, f"no VG-003 alert for the {name} link:\n" + mon.stderr()[-3000:]
        assert hits[0]["output_fields"]["evt.arg.target"] == target
        assert str(hits[0]["output_fields"]["user.uid"]) == "65534"
    assert "could not be run" not in mon.stderr(), mon.stderr()
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)


def test_backtracking_pattern_on_long_arguments_stays_fast():
    """`.*(a+)+$` against 300 execs of a 4,000-character argument that does
    not match: a backtracking engine takes forever per event; RE2 is linear,
    so an alert raised right after the flood arrives within seconds."""
    d = shared_dir()
    marker = f"vigil-harden-marker-{os.getpid()}"
    rules = os.path.join(d, "slow.yaml")
    with open(rules, "w") as f:
        f.write("- rule: slow regex\n  desc: d\n  output: slow %proc.pid\n  priority: WARNING\n"
                "  condition: evt.type = execve and proc.name = true and "
                "proc.args regex \".*(a+)+$\"\n"
                "- rule: marker\n  desc: d\n  output: marker %proc.pid\n  priority: WARNING\n"
                f"  condition: evt.type = execve and proc.args = {marker}\n")
    arg = "a" * 4000 + "!"
    with Monitor("--rules", rules) as mon:
        flood = ("import subprocess,sys\n"
                 "for i in range(300): subprocess.run(['/bin/true', sys.argv[1]])\n")
        p = run_deliberate(NOBODY + ["/usr/bin/python3", "-c", flood, arg])
        assert p.returncode == 0, p.stderr
        t0 = time.time()
        m = run_deliberate(["/bin/true", marker])
        assert m.returncode == 0
        seen = None
        while time.time() - t0 < 10:
            with open(mon.out, "rb") as f:
                if any(b'"rule":"marker"' in l for l in f):
                    seen = time.time() - t0
                    break
            time.sleep(0.05)
        mon.stop()
        err = mon.stderr()
    assert seen is not None, "the alert after the flood did not arrive within 10 s:\n" + err[-2000:]
    with open(mon.out, "rb") as f:
        slow = [json.loads(l) for l in f if b'"rule":"slow regex"' in l]
    assert not slow, "the pattern cannot match an argument ending in '!'"
    assert "could not be run" not in err, err
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)
    return f"[alert {seen:.2f} s after 300 hostile execs]"


def test_rules_check_names_refused_pattern_with_file_and_line():
    d = tempfile.mkdtemp(prefix="vigil-harden-")
    bad = os.path.join(d, "bad.yaml")
    with open(bad, "w") as f:
        f.write("- rule: perl class\n  desc: d\n  output: o\n  priority: WARNING\n"
                "  condition: evt.type = execve and proc.args regex \"\\\\d+\"\n")
    p = subprocess.run([VIGIL, "rules", "check", bad], capture_output=True, text=True)
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"{bad}:5:" in p.stderr and "RE2" in p.stderr and "invalid escape" in p.stderr, p.stderr
    os.unlink(bad)
    os.rmdir(d)
