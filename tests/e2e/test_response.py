"""Response on the real kernel: rule actions (kill, kill_pgroup) with and
without --response, and the exec deny list (by path and by inode) killed in
the kernel before the new program runs.

Safety: every rule and deny entry names a program this test copied under a
unique name into its own temporary directory, and kill_pgroup targets a
process group the test created with setsid. Nothing else can match."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from vigil_harness import BUILD, VIGIL, Monitor, copy_program, deliberate, vigil_programs_loaded

MARKER = os.path.join(BUILD, "tests", "bin", "vigil-marker")


def _workdir():
    d = tempfile.mkdtemp(prefix="vigil-resp-")
    os.chmod(d, 0o755)
    return d


def _unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"  # short: comm keeps 15 bytes


def _kill_rule(d, exe, action):
    path = os.path.join(d, "rules.yaml")
    with open(path, "w") as f:
        f.write(f"""- rule: response test {action}
  desc: the test's own program was started
  condition: evt.type = execve and proc.exepath = "{exe}"
  output: "response test started %proc.name (pid=%proc.pid)"
  priority: warning
  action: {action}
""")
    return path


def _alerts(mon, rule):
    return [e for e in mon.events() if e["rule"] == rule]


def _wait(p, timeout):
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def _stop_own(p):
    """Ends a process this test started, by its pid."""
    if p.poll() is None:
        p.kill()
        p.wait()


def test_rule_action_kill_kills_the_matching_process():
    d = _workdir()
    try:
        exe = os.path.join(d, _unique("vgk"))
        copy_program("/bin/sleep", exe)
        rules = _kill_rule(d, exe, "kill")
        with Monitor("--rules", rules, "--response", events=False) as mon:
            t0 = time.monotonic()
            p = subprocess.Popen([exe, "30"])
            deliberate(p.pid)  # started to be caught
            try:
                rc = _wait(p, 10)
                died_after = time.monotonic() - t0
            finally:
                _stop_own(p)
        assert rc == -signal.SIGKILL, f"the matching process was not killed (rc={rc})"
        assert died_after < 5, f"killed only after {died_after:.1f}s"
        found = _alerts(mon, "response test kill")
        assert len(found) == 1, found
        of = found[0]["output_fields"]
        assert of["vigil.action"] == "killed", of
        assert of["proc.pid"] == p.pid, of
        assert isinstance(of["vigil.action_latency_us"], int) and of["vigil.action_latency_us"] >= 0
        assert "vigil.action=killed" in found[0]["output"], found[0]["output"]
        return f"[killed {died_after * 1000:.0f} ms after start, " \
               f"latency {of['vigil.action_latency_us']} us]"
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_rule_action_without_response_only_alerts():
    d = _workdir()
    try:
        exe = os.path.join(d, _unique("vgn"))
        copy_program("/bin/sleep", exe)
        rules = _kill_rule(d, exe, "kill")
        with Monitor("--rules", rules, events=False) as mon:
            p = subprocess.Popen([exe, "30"])
            deliberate(p.pid)  # started to be caught
            try:
                rc = _wait(p, 1.5)
                assert rc is None, f"the process died ({rc}) though --response is off"
                deadline = time.time() + 10
                while time.time() < deadline and not _alerts(mon, "response test kill"):
                    time.sleep(0.1)
            finally:
                _stop_own(p)
        found = _alerts(mon, "response test kill")
        assert len(found) == 1, found
        of = found[0]["output_fields"]
        assert of["vigil.action"].startswith("disabled(not taken"), of
        assert of["vigil.action_latency_us"] is None, of
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _run_marker(exe, marker):
    """Execs exe (a copy of vigil-marker) with the marker path; returns its
    exit status and whether the marker file appeared."""
    p = subprocess.Popen([exe, marker])
    deliberate(p.pid)  # started to be caught
    rc = _wait(p, 10)
    _stop_own(p)
    return rc, os.path.exists(marker)


def test_deny_exec_by_path_and_by_inode_kills_before_the_first_instruction():
    d = _workdir()
    try:
        denied = os.path.join(d, _unique("den"))
        copy_program(MARKER, denied)
        alias = os.path.join(d, _unique("ali"))  # a renamed hard link: same inode
        os.link(denied, alias)
        later = os.path.join(d, _unique("lat"))  # does not exist at start: path only
        allowed = os.path.join(d, _unique("ok"))
        copy_program(MARKER, allowed)
        listing = os.path.join(d, "deny.txt")
        with open(listing, "w") as f:
            f.write(f"# the test's deny list\n\n  {later}  \n")
        before = set(vigil_programs_loaded())
        with Monitor("--no-rules", "--deny-exec", denied, "--deny-exec-file", listing,
                     events=False) as mon:
            ours = {i for i, l in vigil_programs_loaded().items()
                    if i not in before and "vg_deny_exec" in l}
            assert ours, "the deny-list program is not loaded"
            copy_program(MARKER, later)
            results = {name: _run_marker(path, path + ".ran")
                       for name, path in (("denied", denied), ("alias", alias),
                                          ("later", later), ("allowed", allowed))}
        assert results["allowed"] == (0, True), f"the control program did not run: {results}"
        for name in ("denied", "alias", "later"):
            rc, ran = results[name]
            assert rc == -signal.SIGKILL, f"{name}: not killed: {results}"
            assert not ran, f"{name}: the program ran before it was killed: {results}"
        found = _alerts(mon, "Denied executable killed")
        by_name = {e["output_fields"]["evt.arg.filename"]: e["output_fields"] for e in found}
        assert set(by_name) == {denied, alias, later}, by_name
        assert by_name[denied]["vigil.deny.match"] == "inode"
        assert by_name[alias]["vigil.deny.match"] == "inode"
        assert by_name[alias]["vigil.deny.entry"] == denied
        assert by_name[later]["vigil.deny.match"] == "path"
        assert all(of["vigil.action"] == "killed" for of in by_name.values()), by_name
        assert "exec deny list: 2 paths, 1 files by inode" in mon.stderr(), mon.stderr()
        assert "vigil: deny records=3 drops=0 malformed=0" in mon.stderr(), mon.stderr()
        deadline = time.time() + 10  # the kernel frees programs asynchronously
        while time.time() < deadline and ours & set(vigil_programs_loaded()):
            time.sleep(0.1)
        left = ours & set(vigil_programs_loaded())
        assert not left, f"deny-list programs left attached: {left}"
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _pgroup_members(pgid):
    """Live (not zombie) processes whose process group is pgid."""
    live = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(rest[2]) == pgid and rest[0] != "Z":
            live.append(int(pid))
    return live


def test_rule_action_kill_pgroup_kills_the_tests_own_group():
    d = _workdir()
    try:
        member = os.path.join(d, _unique("mem"))
        trigger = os.path.join(d, _unique("trg"))
        copy_program("/bin/sleep", member)
        copy_program("/bin/sleep", trigger)
        rules = _kill_rule(d, trigger, "kill_pgroup")
        with Monitor("--rules", rules, "--response", events=False) as mon:
            # a new session, hence a new process group led by the shell
            leader = subprocess.Popen(
                ["/bin/sh", "-c", f"{member} 60 & {member} 60 & sleep 1; {trigger} 60; wait"],
                start_new_session=True)
            deliberate(leader.pid)  # started to be caught
            try:
                time.sleep(0.5)
                group = _pgroup_members(leader.pid)
                assert len(group) >= 3, f"group {leader.pid} not formed: {group}"
                assert os.getpgrp() != leader.pid
                rc = _wait(leader, 10)
                deadline = time.time() + 5
                while time.time() < deadline and _pgroup_members(leader.pid):
                    time.sleep(0.05)
                left = _pgroup_members(leader.pid)
            finally:
                _stop_own(leader)
                for pid in _pgroup_members(leader.pid):  # only our own group
                    os.kill(pid, signal.SIGKILL)
        assert rc == -signal.SIGKILL, f"the group leader was not killed (rc={rc})"
        assert not left, f"members of the group survived: {left}"
        found = _alerts(mon, "response test kill_pgroup")
        assert len(found) == 1, found
        assert found[0]["output_fields"]["vigil.action"] == "killed_pgroup", found[0]
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_bad_deny_lists_are_refused_with_file_and_line():
    d = _workdir()
    try:
        p = subprocess.run([VIGIL, "run", "--deny-exec", "bin/sh"], capture_output=True, text=True)
        assert p.returncode == 2 and "--deny-exec: response.deny_exec: 'bin/sh' is not an absolute path" in p.stderr, p.stderr
        bad = os.path.join(d, "deny.txt")
        with open(bad, "w") as f:
            f.write("# ok\n/usr/bin/true\nrelative\n")
        p = subprocess.run([VIGIL, "run", "--deny-exec-file", bad], capture_output=True, text=True)
        assert p.returncode == 2 and f"{bad}:3: path is not absolute" in p.stderr, p.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)
