"""The benign corpus (tests/benign/corpus.sh: compile and run in private
temp dirs, make, git with hooks, a venv, tar, curl to a loopback server,
ssh-keygen, dpkg and apt-get, useradd/chpasswd/crontab/userdel, logrotate,
a supervisor restarting its daemon, sudo) runs once under a vigil with the
default rules: every step must work, and none may raise an alert.

Safety: the corpus works in its own private temporary directory, on
loopback, with a test user and a test package it removes again; the
monitor is ours and stopped by its pid."""
import os
import sys

from vigil_harness import BUILD, deliberate

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benign"))
import benign  # noqa: E402

# Alerts of rules another issue owns, still raised by the corpus at the time
# of writing; listed, not hidden: each is printed in the PASS line and the
# test fails on any other. Empty this when those rules are fixed.
OWNED_ELSEWHERE = {}


def test_benign_corpus_raises_no_alert():
    with benign.Session(os.path.join(BUILD, "vigil")) as s:
        rc, out = s.run_corpus()
    alerts = s.alerts()
    s.remove()
    # the test's own monitor saw these: the suite's watcher need not judge them again
    deliberate(*s.corpus_pids)
    assert rc == 0, "a step of the corpus failed:\n" + out
    steps = [line for line in out.splitlines() if line.startswith("step ")]
    assert len(steps) >= 13, out
    noisy = [f'{a["rule"]}: {a["output"]}' for a in alerts if a["rule"] not in OWNED_ELSEWHERE]
    assert not noisy, "alerts from the benign corpus:\n" + "\n".join(noisy[:30])
    known = benign.per_rule(a for a in alerts if a["rule"] in OWNED_ELSEWHERE)
    skipped = [line for line in steps if "skipped" in line]
    return f"[{len(steps)} steps, 0 alerts{'; owned elsewhere: ' + dict(known).__repr__() if known else ''}" \
           f"{'; ' + '; '.join(skipped) if skipped else ''}]"
