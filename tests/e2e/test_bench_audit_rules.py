"""make bench (bench/run.py) tells its own leftover `-a never,task` audit
rule (left by a bench that was killed, with its mark file) from anyone
else's: its own is adopted (taken out before the auditd slot, as if this
run had added it), a foreign one keeps the auditd column skipped and the
reason says so. auditctl is replaced by the rule lists below, except in
the last test, which checks that the real auditctl takes the rule the
bench adds (the kernel refuses a key on a task rule)."""
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr

RUN_PY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                      "bench", "run.py"))


def _bench(rules):
    """bench/run.py, its own module instance, with auditctl answering
    `rules` to -l and an audit daemon that is not running."""
    if os.path.dirname(RUN_PY) not in sys.path:  # its sibling modules
        sys.path.insert(0, os.path.dirname(RUN_PY))
    spec = importlib.util.spec_from_file_location("vigil_bench_run", RUN_PY)
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)
    b.audit_status = lambda: {"enabled": "0", "pid": "0"}
    b.auditctl = lambda *args: rules if args == ("-l",) else ""
    return b


def _why(rules, mark=False):
    b = _bench(rules)
    b.NEVER_TASK_MARK = os.path.join(tempfile.mkdtemp(prefix="vigil-bench-mark-"), "mark")
    if mark:
        open(b.NEVER_TASK_MARK, "w").close()
    err = io.StringIO()
    with redirect_stderr(err):
        why = b.auditd_unavailable()
    return b, why, err.getvalue()


def test_own_leftover_never_task_rule_is_adopted_a_foreign_one_named():
    # auditd is installed here (scripts/install-deps.sh); never started
    assert os.path.exists("/etc/audit/auditd.conf")
    b, why, err = _why("No rules\n")
    assert why is None and not b.NEVER_TASK_ADDED, (why, err)

    b, why, err = _why("-a never,task\n", mark=True)
    assert why is None, why
    assert b.NEVER_TASK_ADDED, "our own leftover rule was not adopted"
    assert "our own" in err, err

    b, why, err = _why("-a never,task\n")
    assert why and "not ours" in why and "never,task" in why, why
    assert not b.NEVER_TASK_ADDED

    b, why, err = _why("-w /etc/passwd -p wa -k someone-else\n")
    assert why and "not ours" in why, why


def test_the_real_auditctl_takes_the_benchs_rule():
    """The bench's own rule as the real auditctl and kernel take it: added,
    listed, removed (only when no task rule and no audit daemon is there:
    a `never` task rule only spares new tasks the audit context)."""
    b = _bench("")
    status = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
    rules = subprocess.run(["auditctl", "-l"], capture_output=True, text=True).stdout
    if "pid 0" not in status or "never,task" in rules:
        return
    add = subprocess.run(["auditctl", "-a", *b.NEVER_TASK], capture_output=True, text=True)
    try:
        assert add.returncode == 0, add.stderr
        listed = subprocess.run(["auditctl", "-l"], capture_output=True, text=True).stdout
        assert "never,task" in listed, listed
    finally:
        if add.returncode == 0:
            subprocess.run(["auditctl", "-d", *b.NEVER_TASK], check=True, capture_output=True)
