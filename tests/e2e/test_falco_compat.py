"""Falco compatibility on the real kernel: the syscall actions that Falco's
event-generator enables by default (../shared/compat/event-generator-actions.md)
are reproduced with triggers of our own, under one monitor that runs Falco's
own rules file, unmodified (`vigil run --rules falco_rules.yaml --json`).
Each test checks that the Falco rule with that exact name fired for *our*
process, with the rule's priority and the fields that show why.

Falco's rule outputs do not name proc.pid, so an alert is tied to its
trigger by a marker unique to the action (in the command line, a file name
or the parent's command line), which no other process on the machine uses.

Actions that need a container are not applicable here. An action whose rule
cannot fire in vigil yet goes into KNOWN_GAPS with the reason; it is still
triggered, and the test checks that it still does not fire, so that the
list stays true. docs/falco-compat.md holds the same table for readers.

Safety: only our own processes are started, traced and ended (by pid). The
only network traffic is between two network namespaces this file creates,
on TEST-NET-1 addresses (RFC 5737) that exist nowhere else, and deletes
again. No system file is written: the log file that is "cleared" is a file
named syslog in our temporary directory; the hard link to /etc/shadow is
attempted as nobody (the kernel refuses it; the attempt is the event);
/etc/shadow is only read; the script in /dev/shm has a unique name and is
removed at once.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from vigil_harness import Monitor, once
from vigil_harness import deliberate

HERE = os.path.dirname(os.path.abspath(__file__))
COMPAT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "compat"))
FALCO_RULES = os.path.join(COMPAT, "falco_rules.yaml")
ACTIONS_LIST = os.path.join(COMPAT, "event-generator-actions.md")
PY = "/usr/bin/python3"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
DAEMON = ["setpriv", "--reuid=1", "--regid=1", "--clear-groups"]
MARK = "vgfc" + uuid.uuid4().hex[:10]
# "proc_is_new" in the rules file: a process is new for 5 s after it starts.
STARTUP_WINDOW = 5.0

# event-generator action -> (the Falco rule it targets, priority in Falco's JSON)
COVERED = {
    "ClearLogActivities": ("Clear Log Activities", "Warning"),
    "CreateHardlinkOverSensitiveFiles": ("Create Hardlink Over Sensitive Files", "Warning"),
    "CreateSymlinkOverSensitiveFiles": ("Create Symlink Over Sensitive Files", "Warning"),
    "DirectoryTraversalMonitoredFileRead": ("Directory traversal monitored file read", "Warning"),
    "DisallowedSSHConnectionNonStandardPort": ("Disallowed SSH Connection Non Standard Port",
                                               "Notice"),
    "ExecutionFromDevShm": ("Execution from /dev/shm", "Warning"),
    "FilelessExecutionViaMemfdCreate": ("Fileless execution via memfd_create", "Critical"),
    "FindAwsCredentials": ("Find AWS Credentials", "Warning"),
    "PtraceAntiDebugAttempt": ("PTRACE anti-debug attempt", "Notice"),
    "PtraceAttachedToProcess": ("PTRACE attached to process", "Warning"),
    "ReadSensitiveFileTrustedAfterStartup": ("Read sensitive file trusted after startup", "Warning"),
    "ReadSensitiveFileUntrusted": ("Read sensitive file untrusted", "Warning"),
    "RemoveBulkDataFromDisk": ("Remove Bulk Data from Disk", "Warning"),
    "RunShellUntrusted": ("Run shell untrusted", "Notice"),
    "SearchPrivateKeysOrPasswords": ("Search Private Keys or Passwords", "Warning"),
    "SystemUserInteractive": ("System user interactive", "Informational"),
}

# Actions that are triggered but whose rule cannot fire in vigil yet:
# action -> (rule, the exact reason). Empty: every host rule fires.
KNOWN_GAPS = {}

# Enabled actions that need a container: their rule's condition requires the
# `container` macro (container.id != host), so on a host it cannot fire.
# None: the rule is not in the stable file either.
NOT_ON_A_HOST = {
    "DebugfsLaunchedInPrivilegedContainer": "Debugfs Launched in Privileged Container",
    "DetectReleaseAgentFileContainerEscapes": "Detect release_agent File Container Escapes",
    "DropAndExecuteNewBinaryInContainer": "Drop and execute new binary in container",
    "MountLaunchedInPrivilegedContainer": None,
    "NetcatRemoteCodeExecutionInContainer": "Netcat Remote Code Execution in Container",
    "PacketSocketCreatedInContainer": "Packet socket created in container",
}

# Enabled actions whose rule is not in the stable rules file (it moved to
# the incubating file); triggered anyway, nothing of that name may fire.
RULE_NOT_IN_FILE = {
    "LaunchSuspiciousNetworkToolOnHost": "Launch Suspicious Network Tool on Host",
}

_run = {}
# action -> {"marker": str, "fields": {output field: expected value or a
# compiled regex}}: what the alert of that action must carry
_want = {}


def marker(action):
    """A string unique to this action and this run; no action name is a
    suffix of another, so no marker is a substring of another."""
    return f"vg{action}{MARK}"


def expect(action, **fields):
    _want[action] = {"marker": marker(action),
                     "fields": {k.replace("__", "."): v for k, v in fields.items()}}


def _spawn(argv, **kw):
    p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    deliberate(p.pid)  # a trigger, and what it starts (suite_watch.py)
    return p


def run(argv, timeout=30, **kw):
    """Runs a program to its end (kills it, by pid, past the timeout); returns its output."""
    p = _spawn(argv, **kw)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return out.decode(errors="replace")


# ---- triggers, one per action ------------------------------------------------------------

def clear_log(t):
    # open(O_CREAT|O_TRUNC|O_WRONLY) of a file named syslog, in our own directory
    a = "ClearLogActivities"
    run([PY, "-c", f"import os; os.close(os.open('{t}/syslog', "
                   f"os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))  # {marker(a)}"])
    expect(a, fd__name=f"{t}/syslog", evt__type="openat")


def hardlink(t, nob):
    # refused for nobody (fs.protected_hardlinks): the attempt is the event
    a = "CreateHardlinkOverSensitiveFiles"
    link = f"{nob}/shadow_link_{marker(a)}"
    run(NOBODY + ["ln", "-v", "/etc/shadow", link])
    assert not os.path.lexists(link), "the hard link must have been refused"
    expect(a, evt__arg__oldpath="/etc/shadow", evt__arg__newpath=link, user__name="nobody")


def symlink(t):
    a = "CreateSymlinkOverSensitiveFiles"
    link = f"{t}/etc_link_{marker(a)}"
    run(["ln", "-s", "/etc", link])
    run(["ls", f"{link}/"])   # read the directory through the link
    expect(a, evt__arg__target="/etc", evt__arg__linkpath=link)


def traversal(t):
    # from a process whose parent is not a shell (the rule excludes those)
    a = "DirectoryTraversalMonitoredFileRead"
    run([PY, "-c", f"open('/etc/../etc/../etc/shadow').read()  # {marker(a)}"])
    expect(a, fd__name="/etc/shadow", fd__nameraw="/etc/../etc/../etc/shadow")


def dev_shm(t):
    a = "ExecutionFromDevShm"
    script = f"/dev/shm/{marker(a)}.sh"
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho hello\n")
    os.chmod(script, 0o755)
    try:
        run(["sh", "-c", script])
    finally:
        os.unlink(script)
    expect(a, proc__name="sh", proc__cmdline=f"sh -c {script}")


def memfd(t):
    # copy an ELF into a memfd and exec it through /proc/self/fd/N
    a = "FilelessExecutionViaMemfdCreate"
    code = ("import os, sys\nfd = os.memfd_create('program', 0)\n"
            "os.write(fd, open('/bin/true', 'rb').read())\n"
            "os.execv(f'/proc/self/fd/{fd}', ['program', sys.argv[1]])\n")
    run([PY, "-c", code, marker(a)])
    expect(a, evt__type="execve", proc__exepath="/memfd:program")


def find_aws(t):
    a = "FindAwsCredentials"
    d = f"{t}/{marker(a)}"
    os.makedirs(d)
    run(["find", d, "-maxdepth", "1", "-iname", ".aws/credentials"])
    expect(a, proc__name="find")


def search_keys(t):
    a = "SearchPrivateKeysOrPasswords"
    d = f"{t}/{marker(a)}"
    os.makedirs(d)
    run(["find", d, "-maxdepth", "1", "-iname", "id_rsa"])
    expect(a, proc__name="find")


def ptrace_traceme(t):
    # a forked child asks its parent (our python, not the test runner) to
    # trace it, then leaves without exec, so it never stops
    a = "PtraceAntiDebugAttempt"
    code = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os._exit(0 if libc.ptrace(0, 0, None, None) == 0 else 1)  # PTRACE_TRACEME\n"
            "_, st = os.waitpid(pid, 0)\n"
            "assert os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, st\n"
            f"# {marker(a)}\n")
    out = run([PY, "-c", code])
    assert "Error" not in out, out
    expect(a, evt__type="ptrace")


def ptrace_attach(t):
    # attach to our own sleeping child, detach, end it
    a = "PtraceAttachedToProcess"
    code = ("import ctypes, os, subprocess\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]\n"
            "s = subprocess.Popen(['sleep', '3600'])\n"
            "try:\n"
            "    assert libc.ptrace(16, s.pid, None, None) == 0, ctypes.get_errno()  # PTRACE_ATTACH\n"
            "    os.waitpid(s.pid, os.WUNTRACED)\n"
            "    libc.ptrace(17, s.pid, None, None)  # PTRACE_DETACH\n"
            "finally:\n"
            "    s.kill(); s.wait()\n"
            f"# {marker(a)}\n")
    out = run([PY, "-c", code])
    assert "Error" not in out, out
    expect(a, evt__type="ptrace")


def trusted_after_startup_start(t):
    """A program called httpd (a symlink to python) that reads /etc/shadow
    once it is past the rules' startup window; returned running, so that
    the other triggers run while it waits."""
    a = "ReadSensitiveFileTrustedAfterStartup"
    code = (f"import time\ntime.sleep({STARTUP_WINDOW + 1.5})\n"
            f"open('/etc/shadow').read()  # {marker(a)}\n")
    expect(a, proc__name="httpd", fd__name="/etc/shadow")
    return _spawn([f"{t}/bin/httpd", "-c", code])


def untrusted_read(t):
    a = "ReadSensitiveFileUntrusted"
    run([PY, "-c", f"open('/etc/shadow').read()  # {marker(a)}"])
    expect(a, fd__name="/etc/shadow", proc__name="python3")


def shred(t):
    a = "RemoveBulkDataFromDisk"
    victim = f"{t}/{marker(a)}"
    with open(victim, "w") as f:
        f.write("data\n" * 100)
    run(["shred", "-u", victim])
    assert not os.path.exists(victim), "shred -u did not remove the file"
    expect(a, proc__name="shred", proc__cmdline=f"shred -u {victim}")


def run_shell_untrusted(t):
    # "httpd" starts sh -c "ls > /dev/null"; its command line (the shell's
    # pcmdline) carries the marker
    a = "RunShellUntrusted"
    code = ("import subprocess\nsubprocess.run(['sh', '-c', 'ls > /dev/null'])\n"
            f"# {marker(a)}\n")
    run([f"{t}/bin/httpd", "-c", code])
    expect(a, proc__name="sh", proc__pname="httpd", proc__cmdline="sh -c ls > /dev/null")


def system_user_interactive(t):
    # login run as the daemon user refuses to work without root; the exec
    # is the signal (the marker is the user name it is given)
    a = "SystemUserInteractive"
    run(DAEMON + ["/bin/login", marker(a)], timeout=15)
    expect(a, proc__name="login", user__name="daemon", user__uid=1)


class NetnsPair:
    """Two network namespaces of our own joined by a veth pair, with
    TEST-NET-1 addresses (192.0.2.0/24) that exist only there: to Falco's
    "outbound" macro they are neither loopback nor RFC 1918."""

    def __init__(self):
        tag = f"vgfc{os.getpid()}"
        self.client, self.server = f"{tag}c", f"{tag}s"
        self.created = []

    @staticmethod
    def ip(*args):
        p = subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise AssertionError(f"ip {' '.join(args)}: {p.stderr.strip()}")

    def __enter__(self):
        try:
            for ns in (self.client, self.server):
                self.ip("netns", "add", ns)
                self.created.append(ns)
            self.ip("-n", self.client, "link", "add", "vgfc0", "type", "veth",
                    "peer", "name", "vgfc1", "netns", self.server)
            for ns, dev, addr in ((self.client, "vgfc0", "192.0.2.1/24"),
                                  (self.server, "vgfc1", "192.0.2.2/24")):
                self.ip("-n", ns, "addr", "add", addr, "dev", dev)
                self.ip("-n", ns, "link", "set", dev, "up")
                self.ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        # deleting a namespace deletes the veth end in it, and with it the pair
        for ns in self.created:
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, timeout=30)
        self.created = []
        return False


def ssh_non_standard_port(t):
    # A listener on 192.0.2.2:443 in the server namespace accepts and closes,
    # so that ssh's connect succeeds (the macro wants rawres >= 0 or
    # EINPROGRESS). The marker is the user name.
    a = "DisallowedSSHConnectionNonStandardPort"
    server = ("import socket\ns = socket.socket()\n"
              "s.bind(('192.0.2.2', 443)); s.listen(1); s.settimeout(20)\n"
              "print('ready', flush=True)\n"
              "try:\n    c, _ = s.accept(); c.close()\nexcept OSError:\n    pass\n")
    with NetnsPair() as nets:
        srv = subprocess.Popen(["ip", "netns", "exec", nets.server, PY, "-c", server],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        deliberate(srv.pid)  # the listener of the trigger
        try:
            assert srv.stdout.readline().strip() == b"ready", "the listener did not start"
            run(["ip", "netns", "exec", nets.client, "ssh", "-F", "/dev/null",
                 "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                 "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                 "-p", "443", f"{marker(a)}@192.0.2.2", "true"], timeout=30)
        finally:
            if srv.poll() is None:
                srv.kill()
            srv.wait()
    expect(a, proc__name="ssh", fd__rport=443, fd__l4proto="tcp",
           fd__name=re.compile(r"192\.0\.2\.1:\d+->192\.0\.2\.2:443"))


def nmap_on_host(t):
    """The target rule is not in the stable file. Falco's rule keys on
    proc.name = nmap, so a copy of /bin/true named nmap stands in for it
    (nmap is not installed, and is not installed for this test)."""
    a = "LaunchSuspiciousNetworkToolOnHost"
    run([f"{t}/bin/nmap", "-sn", "192.0.2.1/32", marker(a)])
    expect(a)


# ---- the session -----------------------------------------------------------------------

def _session():
    return once(_run, "Falco compatibility", _start_session)


def _start_session():
    assert os.path.isfile(FALCO_RULES), FALCO_RULES
    t = tempfile.mkdtemp(prefix=f"vigil-falco-{MARK}-")
    nob = os.path.join(t, "nobody")   # a directory nobody may write to
    os.makedirs(nob)
    os.chmod(nob, 0o777)
    os.chmod(t, 0o755)
    os.makedirs(os.path.join(t, "bin"))
    os.symlink(PY, os.path.join(t, "bin", "httpd"))
    shutil.copy("/bin/true", os.path.join(t, "bin", "nmap"))
    t0 = time.time()
    try:
        with Monitor("--rules", FALCO_RULES, events=False) as mon:
            httpd = trusted_after_startup_start(t)
            try:
                for trig in (clear_log, symlink, traversal, dev_shm, memfd, find_aws,
                             search_keys, ptrace_traceme, ptrace_attach, untrusted_read, shred,
                             run_shell_untrusted, system_user_interactive,
                             ssh_non_standard_port, nmap_on_host):
                    trig(t)
                hardlink(t, nob)
            finally:
                try:
                    httpd.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    httpd.kill()
                    httpd.wait()
    finally:
        shutil.rmtree(t, ignore_errors=True)
    _run["secs"] = time.time() - t0
    _run["returncode"] = mon.proc.returncode
    _run["stderr"] = mon.stderr()
    _run["alerts"] = [e for e in mon.events() if e.get("priority") != "Debug"]
    shutil.rmtree(mon.dir, ignore_errors=True)
    return _run


def _alerts_of(action, rule=None):
    """Alerts whose output fields carry the action's marker."""
    m = _want[action]["marker"]
    return [a for a in _session()["alerts"]
            if m in json.dumps(a["output_fields"]) and (rule is None or a["rule"] == rule)]


def _matches(value, want):
    if value is None:
        return False
    if isinstance(want, re.Pattern):
        return want.fullmatch(str(value)) is not None
    return str(value) == str(want)


def _check_covered(action):
    rule, priority = COVERED[action]
    _session()
    assert action in _want, f"{action}: no trigger ran"
    found = _alerts_of(action, rule)
    assert found, (f"{action}: rule {rule!r} did not fire for marker {_want[action]['marker']}; "
                   f"rules that fired for it: {sorted({a['rule'] for a in _alerts_of(action)})}")
    fields = _want[action]["fields"]
    good = [a for a in found
            if all(_matches(a["output_fields"].get(k), v) for k, v in fields.items())]
    assert good, f"{action}: no alert with {fields}: {[a['output_fields'] for a in found]}"
    for a in found:
        assert a["priority"] == priority, f"{action}: priority {a['priority']} != {priority}"
        assert a["source"] == "syscall" and "maturity_stable" in a["tags"], a
    return f"[{len(found)} alert(s)]"


def _make_test(action):
    def test():
        return _check_covered(action)
    test.__name__ = "test_" + action
    return test


for _action in COVERED:
    if _action not in KNOWN_GAPS:
        globals()["test_" + _action] = _make_test(_action)


def test_monitor_ran_falco_rules_unmodified():
    s = _session()
    err = s["stderr"]
    assert s["returncode"] == 0, err
    assert re.search(r"rules: \d+ loaded", err), err
    skipped = re.findall(r"skipped: rule '([^']*)'", err)
    needed = {r for r, _ in COVERED.values()} | {r for r, _ in KNOWN_GAPS.values()}
    assert not needed & set(skipped), f"rules the test needs were skipped: {skipped}"
    print(f"falco_compat: triggers and monitor took {s['secs']:.1f}s", file=sys.stderr)
    return f"[session {s['secs']:.1f}s, {len(s['alerts'])} alerts]"


def test_every_enabled_action_is_accounted_for():
    """Each action marked E in the event-generator list is covered, a known
    gap, container-only, or its rule is not in the file."""
    with open(ACTIONS_LIST) as f:
        enabled = {l.split()[1] for l in f if l.startswith("E ")}
    known = set(COVERED) | set(KNOWN_GAPS) | set(NOT_ON_A_HOST) | set(RULE_NOT_IN_FILE)
    assert enabled == known, (f"not accounted for: {sorted(enabled - known)}; "
                              f"not in the list: {sorted(known - enabled)}")
    assert not set(COVERED) & set(KNOWN_GAPS)
    return f"[{len(enabled)} enabled actions]"


def test_known_gaps_still_do_not_fire():
    """Each gap is triggered like a covered action; if its rule fires now,
    move it from KNOWN_GAPS to COVERED (and update docs/falco-compat.md)."""
    _session()
    fired = {a: r for a, (r, _why) in KNOWN_GAPS.items() if _alerts_of(a, r)}
    assert not fired, f"these gaps are closed now, move them to COVERED: {fired}"
    return f"[{len(KNOWN_GAPS)} gaps]"


def _rule_condition(text, rule):
    start = text.index(f"- rule: {rule}\n")
    block = text[start:text.find("\n- ", start + 1)]
    return block.split("condition:", 1)[1].split("output:", 1)[0]


def test_container_rules_and_missing_rules_are_as_documented():
    """Container-only rules need the container macro; the rule of
    LaunchSuspiciousNetworkToolOnHost is not in the file, and nothing of
    that name fires for our stand-in nmap."""
    with open(FALCO_RULES) as f:
        text = f.read()
    for action, rule in NOT_ON_A_HOST.items():
        if rule is not None:
            cond = _rule_condition(text, rule)
            assert re.search(r"\bcontainer\b", cond), f"{action}: {rule} does not need a container"
    for action, rule in RULE_NOT_IN_FILE.items():
        assert f"- rule: {rule}\n" not in text, f"{rule!r} is in the file now: cover {action}"
        _session()
        assert action in _want, f"{action}: no trigger ran"
        assert not _alerts_of(action, rule), action
    return f"[{len(NOT_ON_A_HOST)} container-only, {len(RULE_NOT_IN_FILE)} rule(s) not in file]"
