"""The watch list's per-program settings (docs/ph.md, "Watch list"): a
watched program with a short normal_wait of its own becomes normal while a
copy under the global wait (a day) stays frozen; a call a watched program
ignores makes no anomaly for it while the same call is an incident for
another program; a watched program whose anomaly_limit runs out raises a
Critical "pH profile disabled" alert instead of being tolerized quietly."""
import os
import shutil
import tempfile
import time

from vigil_harness import BUILD, Monitor
from test_ph import ATTACK_CALLS, _alerts, _incidents, _wait_incident
from test_ph import _run as _run_deliberate
from test_ph_buildid import _ctl_json, _run
from ph_program import unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")


def _unique_copy(dst):
    """A copy of the test program nobody else trains (its own build-id)."""
    return unique_program(PHTEST, dst)


def _train_until(mon, exes, done, timeout=90):
    """The same runs again and again (full and one-round: the attack path
    runs one round) until done(states) holds."""
    deadline = time.time() + timeout
    while True:
        for exe in exes:
            _run(exe, "train")
            _run(exe, "train", "1")
        states = {exe: _ctl_json(mon, "profile", "show", exe) for exe in exes}
        if done({exe: p["state"] for exe, p in states.items()}):
            return states
        assert time.time() < deadline, f"{states}\n" + mon.stderr()
        time.sleep(0.2)


def test_watch_list_settings_apply_per_program():
    tmp = tempfile.mkdtemp(prefix="vigil-phwatch-")
    try:
        os.chmod(tmp, 0o755)
        short = _unique_copy(os.path.join(tmp, "short"))   # watched, normal_wait 1 s
        quiet = _unique_copy(os.path.join(tmp, "quiet"))   # watched, ignores the attack calls
        glob = _unique_copy(os.path.join(tmp, "global"))   # not watched: the global wait
        ignored = ", ".join(sorted(ATTACK_CALLS))
        watch = (f"[{{path: {short}, normal_wait: 1, anomaly_limit: 0}}, "
                 f"{{path: {quiet}, normal_wait: 1s, ignore_calls: [{ignored}]}}]")
        # a wait of a day and coverage off: only a program's own wait can
        # make it normal within the test
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", "ph.coverage_runs=0", "--set", f"ph.watch={watch}",
                     events=False) as mon:
            states = _train_until(
                mon, [short, quiet, glob],
                lambda s: s[short] == "normal" and s[quiet] == "normal"
                and s[glob] == "frozen")
            # the global wait: a day from its freeze
            assert states[glob]["normal_at"], states[glob]
            # `vigil profile show` tells the settings each profile runs under
            assert (states[short]["normal_wait_s"], states[short]["anomaly_limit"]) == (1, 0)
            assert (states[glob]["normal_wait_s"], states[glob]["anomaly_limit"]) == (86400, 30)
            time.sleep(2)
            _run(glob, "train")
            assert _ctl_json(mon, "profile", "show", glob)["state"] == "frozen"

            # the ignored calls: not seen by quiet's model, no incident
            quiet_pid = _run_deliberate(quiet, "attack")
            # the same calls from short (not ignored there): an incident
            short_pid = _run_deliberate(short, "attack")
            found = _wait_incident(mon, os.stat(short).st_ino, short_pid)
            assert set(found[0]["output_fields"]["ph.calls"].replace(",", " ").split()) & ATTACK_CALLS, \
                found[0]["output_fields"]
            time.sleep(1)
            assert not _incidents(mon, os.stat(quiet).st_ino, quiet_pid), \
                _alerts(mon, os.stat(quiet).st_ino)
            prof = _ctl_json(mon, "profile", "show", quiet)
            assert prof["state"] == "normal", prof

            # short's anomaly limit is 0: its first anomaly episode disables
            # its profile, loudly
            deadline = time.time() + 10
            while not _alerts(mon, os.stat(short).st_ino, "pH profile disabled"):
                assert time.time() < deadline, _alerts(mon, os.stat(short).st_ino) \
                    + [mon.stderr()]
                time.sleep(0.2)
            disabled = _alerts(mon, os.stat(short).st_ino, "pH profile disabled")
            assert len(disabled) == 1 and disabled[0]["priority"] == "Critical", disabled
            assert _ctl_json(mon, "profile", "show", short)["state"] != "normal"
            # the global limit (30) holds for the others: quiet still normal
            assert not _alerts(mon, os.stat(quiet).st_ino, "pH profile disabled")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_bad_watch_entry_stops_the_start_with_its_place():
    tmp = tempfile.mkdtemp(prefix="vigil-phwatch-")
    try:
        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("ph:\n  watch:\n    - /usr/sbin/sshd\n"
                    "    - {path: /usr/sbin/nginx, ignore_calls: [futex, nosuchcall]}\n")
        try:
            Monitor("--config", conf, events=False).__enter__()
        except AssertionError as e:
            msg = str(e)
        else:
            raise AssertionError("vigil started with a bad ph.watch entry")
        assert f"{conf}:4:" in msg and "ph.watch[2].ignore_calls" in msg \
            and "'nosuchcall'" in msg, msg
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_watch_list_coverage_runs_per_program():
    tmp = tempfile.mkdtemp(prefix="vigil-phwatch-")
    try:
        os.chmod(tmp, 0o755)
        cov = _unique_copy(os.path.join(tmp, "cov"))      # watched, coverage_runs 2
        other = _unique_copy(os.path.join(tmp, "other"))  # global: coverage off
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", "ph.coverage_runs=0",
                     "--set", f"ph.watch=[{{path: {cov}, coverage_runs: 2}}]",
                     events=False) as mon:
            _train_until(mon, [cov, other],
                         lambda s: s[cov] != "training" and s[other] != "training")
            assert _ctl_json(mon, "profile", "show", cov)["coverage_runs_needed"] == 2
            assert _ctl_json(mon, "profile", "show", other)["coverage_runs_needed"] == 0
            # runs doing what they already did: the monitor samples every
            # 10 s, and counts the runs between two samples
            states = _train_until(mon, [cov, other],
                                  lambda s: s[cov] == "normal", timeout=60)
            # (it may have gone back to training on a rare new sequence)
            assert states[other]["state"] != "normal", states[other]
            assert "normal by coverage" in mon.stderr() and cov in mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_watch_list_follows_a_program_installed_later():
    """A watched path missing at start (or replaced by an upgrade) gets
    its settings when it first runs from the new file."""
    tmp = tempfile.mkdtemp(prefix="vigil-phwatch-")
    try:
        os.chmod(tmp, 0o755)
        later = os.path.join(tmp, "later")
        with Monitor("--ph", "--ph-normal-wait", "86400", "--ph-min-train", "300",
                     "--ph-alert-scope", "all", "--no-rules",
                     "--set", "ph.coverage_runs=0",
                     "--set", f"ph.watch=[{{path: {later}, normal_wait: 1}}]",
                     events=False) as mon:
            assert f"ph.watch {later}: no such program yet" in mon.stderr(), mon.stderr()
            _unique_copy(later)
            _train_until(mon, [later], lambda s: s[later] == "normal")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
