"""make bench (bench/run.py) tells its own leftover `-a never,task` audit
rule (key vigil-bench-never, left by a bench that was killed) from anyone
else's: its own is adopted (taken out before the auditd slot, as if this
run had added it), a foreign one keeps the auditd column skipped and the
reason says so. auditctl is replaced by the rule lists below: running
auditd or changing the kernel's audit rules here would touch the other
users of this machine (tests/e2e/test_bench_floor.py measures the bench's
real parts)."""
import importlib.util
import io
import os
import sys
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


def _why(rules):
    b = _bench(rules)
    err = io.StringIO()
    with redirect_stderr(err):
        why = b.auditd_unavailable()
    return b, why, err.getvalue()


def test_own_leftover_never_task_rule_is_adopted_a_foreign_one_named():
    # auditd is installed here (scripts/install-deps.sh); never started
    assert os.path.exists("/etc/audit/auditd.conf")
    b, why, err = _why("No rules\n")
    assert why is None and not b.NEVER_TASK_ADDED, (why, err)

    b, why, err = _why("-a never,task -F key=vigil-bench-never\n")
    assert why is None, why
    assert b.NEVER_TASK_ADDED, "our own leftover rule was not adopted"
    assert "our own" in err and "vigil-bench-never" in err, err

    b, why, err = _why("-a never,task\n")
    assert why and "not ours" in why and "never,task" in why, why
    assert not b.NEVER_TASK_ADDED

    b, why, err = _why("-w /etc/passwd -p wa -k someone-else\n")
    assert why and "not ours" in why, why

    # the bench adds and removes its rule with the key
    assert b.NEVER_TASK == ("never,task", "-k", "vigil-bench-never")
