"""The suite-wide watcher (suite_watch.py) really catches an alert from the
suite's own activity, and excuses deliberate triggers and what they start."""
import os
import subprocess

import suite_watch
from vigil_harness import BUILD, deliberate


def test_watch_reports_an_undeclared_alert_and_excuses_a_declared_one():
    watch = suite_watch.Watch(os.path.abspath(BUILD)).start()
    try:
        assert not watch.error, watch.error
        # Not declared yet: to this watcher it is the suite's own activity.
        # A shell between runner and cat: descendants of a declared process count too.
        sh = subprocess.Popen(["/bin/sh", "-c", "/bin/cat /etc/shadow >/dev/null; echo $$"],
                              stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        sh.communicate(timeout=60)
    finally:
        watch.stop()
    try:
        alerts = watch.alerts()
        mine = [a for a in alerts
                if a["rule"] == "Sensitive file read by untrusted program"
                and str(a["output_fields"].get("proc.apid[1]")) == str(sh.pid)]
        assert mine, f"no alert for the cat below pid {sh.pid}: {[a['rule'] for a in alerts]}"
        bad, _ = suite_watch.judge(mine, os.getpid(), os.path.abspath(BUILD), set())
        assert len(bad) == len(mine), "an undeclared alert must be reported"
        bad, counts = suite_watch.judge(mine, os.getpid(), os.path.abspath(BUILD), {sh.pid})
        assert not bad and counts["deliberate"] == len(mine), counts
        # an alert about the runner itself is never excused by a declaration
        runner = [dict(a, output_fields=dict(a["output_fields"], **{"proc.pid": os.getpid()}))
                  for a in mine]
        bad, _ = suite_watch.judge(runner, os.getpid(), os.path.abspath(BUILD), {os.getpid()})
        assert len(bad) == len(runner)
        # ... unless a test's monitor raised the same rule about it
        same = {(os.getpid(), a["rule"]) for a in runner}
        bad, _ = suite_watch.judge(runner, os.getpid(), os.path.abspath(BUILD), set(), same)
        assert not bad
        other_rule = {(os.getpid(), "some other rule")}
        bad, _ = suite_watch.judge(runner, os.getpid(), os.path.abspath(BUILD), set(), other_rule)
        assert len(bad) == len(runner)
        # a program whose exec the watcher never saw: unjudgeable only when
        # the watcher itself lost records, never otherwise
        blind = [dict(a, output_fields=dict(a["output_fields"], **{"proc.exepath": "<NA>"}))
                 for a in mine]
        bad, _ = suite_watch.judge(blind, os.getpid(), os.path.abspath(BUILD), set())
        assert len(bad) == len(blind)
        bad, counts = suite_watch.judge(blind, os.getpid(), os.path.abspath(BUILD), set(),
                                        watcher_dropped=True)
        assert not bad and counts["unjudgeable"] == len(blind), counts
        assert suite_watch.watcher_drops("vigil: exit events=9 rate=3/s drops=7 (open=7)") == 7
        assert suite_watch.watcher_drops("vigil: exit events=9 rate=3/s drops=0") == 0
        # other programs on the machine are not judged
        other = [dict(a, output_fields={"proc.pid": 1}) for a in mine]
        bad, counts = suite_watch.judge(other, os.getpid(), os.path.abspath(BUILD), set())
        assert not bad and counts["machine"] == len(other)
    finally:
        deliberate(sh.pid)  # for the suite-wide watcher: this one was on purpose
        watch.remove()
    return f"[{len(mine)} alert(s) judged]"
