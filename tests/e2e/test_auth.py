"""Authentication monitoring through the libpam uprobes, with Debian's
pamtester against a PAM service file and a user this test creates (both
removed afterwards): failures, successes and sessions as events, the
"Authentication failure", "Password brute force" and "Login after failures"
alerts with their fields, the password found nowhere (output, stderr, BPF
maps), and the probes following a libpam file that is replaced (a private
copy loaded through LD_LIBRARY_PATH; the system's libpam is never touched)."""
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time

from vigil_harness import Monitor, deliberate_rule

PAMTESTER = shutil.which("pamtester") or "/usr/bin/pamtester"


def _check_tools():
    assert os.path.exists(PAMTESTER), "pamtester is missing (scripts/install-deps.sh installs it)"


@contextlib.contextmanager
def pam_setup(session_sleep=None):
    """A throw-away user with a known password and a PAM service for it.
    Yields (service, user, password)."""
    _check_tools()
    tag = secrets.token_hex(3)
    user = f"vgau{tag}"
    service = f"vigil-test-{tag}"
    password = f"Pw-{secrets.token_hex(8)}-x"
    conf = os.path.join("/etc/pam.d", service)
    made_user = False
    # writing and removing the test's PAM service alerts, rightly
    for rule in ("PAM configuration modified", "Write below etc"):
        deliberate_rule(os.getpid(), rule)
    try:
        with open(conf, "w") as f:
            f.write("auth required pam_unix.so nodelay\n")
            f.write("account required pam_unix.so\n")
            if session_sleep:
                f.write(f"session required pam_exec.so /bin/sleep {session_sleep}\n")
            else:
                f.write("session required pam_permit.so\n")
        subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", user], check=True,
                       capture_output=True)
        made_user = True
        subprocess.run(["chpasswd"], input=f"{user}:{password}\n", text=True, check=True,
                       capture_output=True)
        yield service, user, password
    finally:
        if made_user:
            subprocess.run(["userdel", user], capture_output=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(conf)


def pamtester(service, user, password, *ops, items=(), env=None):
    """Runs pamtester; returns (pid, exit code). The password goes in on
    stdin, as a user would type it."""
    args = [PAMTESTER]
    for k, v in items:
        args += ["-I", f"{k}={v}"]
    args += [service, user] + list(ops or ["authenticate"])
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    p.communicate(password + "\n", timeout=60)
    return p.pid, p.returncode


def _events(mon):
    try:
        return mon.events()
    except (FileNotFoundError, json.JSONDecodeError):
        return []  # not written yet, or a line half written


def wait_for(mon, pred, timeout=15):
    """Events once pred(events) holds (or the last ones read)."""
    deadline = time.time() + timeout
    events = []
    while time.time() < deadline:
        events = _events(mon)
        if pred(events):
            return events
        time.sleep(0.2)
    return events


def of(events, rule, **fields):
    return [e for e in events if e["rule"] == rule and
            all(e["output_fields"].get(k) == v for k, v in fields.items())]


def _pam_prog_ids():
    p = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True, check=True)
    return {int(l.split(":")[0]) for l in p.stdout.splitlines() if re.search(r"name vg_pam_\w+", l)}


def test_auth_failure_success_sessions_and_results():
    before = _pam_prog_ids()
    with pam_setup() as (service, user, password):
        with Monitor() as mon:
            assert "libpam probes on" in mon.stderr(), mon.stderr()
            ours = _pam_prog_ids() - before
            assert len(ours) >= 14, f"probe programs: {ours}"
            bad_pid, rc = pamtester(service, user, "not-the-password",
                                    items=[("rhost", "203.0.113.7"), ("tty", "pts/42"),
                                           ("ruser", "mallory")])
            assert rc != 0
            good_pid, rc = pamtester(service, user, password, "authenticate", "acct_mgmt",
                                     "open_session", "close_session")
            assert rc == 0
            ghost_pid, rc = pamtester(service, user + "zz", "whatever")
            assert rc != 0
            events = wait_for(mon, lambda ev: of(ev, "pam_close_session", **{"proc.pid": good_pid})
                              and of(ev, "Authentication failure", **{"proc.pid": ghost_pid}))
        rc = mon.proc.returncode
    assert rc == 0, mon.stderr()

    fail = of(events, "Authentication failure", **{"proc.pid": bad_pid})
    assert len(fail) == 1, [e["rule"] for e in events if "pam" in e["rule"] or "Auth" in e["rule"]]
    a = fail[0]
    assert a["priority"] == "Notice"
    assert "VG-070" in a["tags"]
    f = a["output_fields"]
    assert f["proc.name"] == "pamtester"
    assert f["proc.exepath"] == os.path.realpath(PAMTESTER)
    assert f["auth.service"] == service
    assert f["auth.user"] == user
    assert f["auth.rhost"] == "203.0.113.7"
    assert f["auth.tty"] == "pts/42"
    assert f["auth.ruser"] == "mallory"
    assert f["auth.result"] == "auth_err"
    assert f["auth.call"] == "pam_authenticate"

    # the successful run: every call a raw event, and no failure alert
    for call in ("pam_authenticate", "pam_acct_mgmt", "pam_open_session", "pam_close_session"):
        ev = of(events, call, **{"proc.pid": good_pid})
        assert len(ev) == 1, (call, ev)
        assert ev[0]["priority"] == "Debug"
        f = ev[0]["output_fields"]
        assert f["auth.result"] == "success" and f["auth.user"] == user
        assert f["auth.service"] == service
        assert f["auth.rhost"] is None
    assert not of(events, "Authentication failure", **{"proc.pid": good_pid})
    # the raw event of the failed attempt, too
    assert of(events, "pam_authenticate", **{"proc.pid": bad_pid, "auth.result": "auth_err"})

    # an unknown user: the result by name
    ghost = of(events, "Authentication failure", **{"proc.pid": ghost_pid})
    assert len(ghost) == 1
    assert ghost[0]["output_fields"]["auth.result"] == "user_unknown"
    assert ghost[0]["output_fields"]["auth.user"] == user + "zz"

    # the probes are gone with the monitor
    assert not (_pam_prog_ids() - before) & ours


def test_auth_brute_force_then_login_after_failures():
    with pam_setup() as (service, user, password):
        rhost = "198.51.100.23"
        with Monitor(events=False) as mon:
            pids = []
            for i in range(7):
                pid, rc = pamtester(service, user, f"guess-{i}", items=[("rhost", rhost)])
                assert rc != 0
                pids.append(pid)
            ok_pid, rc = pamtester(service, user, password, items=[("rhost", rhost)])
            assert rc == 0
            events = wait_for(mon, lambda ev: of(ev, "Login after failures"))
    ours = [e for e in events if e["output_fields"].get("auth.service") == service]
    fails = of(ours, "Authentication failure")
    assert sorted(e["output_fields"]["proc.pid"] for e in fails) == sorted(pids)

    # one alert per burst: at the fifth failure, not again at the sixth or seventh
    brute = of(ours, "Password brute force")
    assert len(brute) == 1, brute
    b = brute[0]
    assert b["priority"] == "Warning"
    assert "VG-071" in b["tags"] and "T1110" in b["tags"]
    f = b["output_fields"]
    assert f["proc.pid"] == pids[4], (f, pids)
    assert f["auth.failures"] == 5 and f["auth.window"] == 60
    assert f["auth.user"] == user and f["auth.rhost"] == rhost
    assert f["auth.burst_key"] == "user,origin"

    after = of(ours, "Login after failures")
    assert len(after) == 1, after
    f = after[0]["output_fields"]
    assert after[0]["priority"] == "Warning"
    assert "VG-072" in after[0]["tags"]
    assert f["proc.pid"] == ok_pid and f["auth.result"] == "success"
    assert f["auth.failures"] == 5 and f["auth.user"] == user


def test_auth_options_threshold_and_off():
    with pam_setup() as (service, user, password):
        # --auth-failures 2 --auth-window 30: two failures are a burst
        with Monitor("--auth-failures", "2", "--auth-window", "30", events=False) as mon:
            for i in range(2):
                pamtester(service, user, f"nope-{i}")
            events = wait_for(mon, lambda ev: of(ev, "Password brute force",
                                                 **{"auth.service": service}))
        brute = of(events, "Password brute force", **{"auth.service": service})
        assert len(brute) == 1
        assert brute[0]["output_fields"]["auth.failures"] == 2
        assert brute[0]["output_fields"]["auth.window"] == 30
        # the service is the origin when there is no remote host
        assert brute[0]["output_fields"]["auth.rhost"] is None

        # --no-auth: nothing attached, nothing reported
        before = _pam_prog_ids()
        with Monitor("--no-auth", events=False) as mon:
            assert not _pam_prog_ids() - before
            pamtester(service, user, "nope")
            time.sleep(1)
        assert "libpam probes" not in mon.stderr()
        assert not [e for e in mon.events() if e["output_fields"].get("auth.service")]
    # bad option values are refused
    for args in (["--auth-failures", "0"], ["--auth-window", "x"], ["--auth-failures", "1001"]):
        p = subprocess.run([Monitor().args[0], "run"] + args, capture_output=True, text=True)
        assert p.returncode == 2 and args[0] in p.stderr, (args, p.stderr)


def _our_map_ids(prog_ids_before):
    """Maps used by the vigil programs loaded since prog_ids_before."""
    p = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True, text=True,
                       check=True)
    ids = set()
    for prog in json.loads(p.stdout):
        if prog["id"] in prog_ids_before or not prog.get("name", "").startswith(("vg_", "ph_")):
            continue
        ids.update(prog.get("map_ids", []))
    return ids


def _dump_maps(ids):
    out = []
    for i in sorted(ids):
        p = subprocess.run(["bpftool", "map", "dump", "id", str(i)], capture_output=True,
                           text=True, errors="replace", timeout=120)
        out.append(p.stdout)  # a ring buffer cannot be dumped: its bytes reach the output
    return "\n".join(out)


def _hex(s):
    return " ".join(f"{b:02x}" for b in s.encode())


def test_auth_password_appears_nowhere():
    p = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True, text=True,
                       check=True)
    progs_before = {prog["id"] for prog in json.loads(p.stdout)}
    # the session sleeps: the handle (authenticated, password set) is alive
    # while the maps are dumped
    with pam_setup(session_sleep=4) as (service, user, password):
        wrong = f"Wrong-{secrets.token_hex(8)}"
        with Monitor("--events") as mon:
            pamtester(service, user, wrong, items=[("rhost", "192.0.2.55")])
            proc = subprocess.Popen([PAMTESTER, "-I", "tty=pts/31", service, user,
                                     "authenticate", "open_session"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            proc.stdin.write(password + "\n")
            proc.stdin.flush()
            time.sleep(1.5)
            assert proc.poll() is None, "the session should still be open"
            dump = _dump_maps(_our_map_ids(progs_before))
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            events = wait_for(mon, lambda ev: of(ev, "pam_open_session", **{"proc.pid": proc.pid}))
        with open(mon.out, "rb") as f:
            output = f.read().decode("utf-8", "replace")
        stderr = mon.stderr()
    # the dump saw the handle: the test is not looking at empty maps
    assert user in dump or _hex(user) in dump, "the user name is not in the map dump"
    assert of(events, "pam_authenticate", **{"proc.pid": proc.pid, "auth.result": "success"})
    for secret in (password, wrong):
        for where, text in (("output", output), ("stderr", stderr), ("BPF maps", dump)):
            assert secret not in text, f"the password is in vigil's {where}"
            assert _hex(secret) not in text, f"the password (hex) is in vigil's {where}"


def test_auth_reattaches_when_libpam_is_replaced():
    """A private copy of libpam, loaded by pamtester through LD_LIBRARY_PATH,
    is replaced by a new file (new inode) while vigil runs: the probes must
    follow, or the second attempt goes unseen."""
    system = subprocess.run(["sh", "-c", "ldconfig -p | awk '/libpam.so.0 .*x86-64/{print $NF}'"],
                            capture_output=True, text=True).stdout.split()
    src = system[0] if system else "/lib/x86_64-linux-gnu/libpam.so.0"
    tmp = tempfile.mkdtemp(prefix="vigil-libpam-")
    lib = os.path.join(tmp, "libpam.so.0")
    shutil.copy(src, lib)
    env = dict(os.environ, LD_LIBRARY_PATH=tmp)
    try:
        with pam_setup() as (service, user, password):
            with Monitor("--auth-libpam", lib, events=False) as mon:
                assert f"probes on {lib}" in mon.stderr(), mon.stderr()
                first, _ = pamtester(service, user, "bad-1", env=env)
                events = wait_for(mon, lambda ev: of(ev, "Authentication failure",
                                                     **{"proc.pid": first}))
                assert of(events, "Authentication failure", **{"proc.pid": first}), \
                    "no alert through the private libpam"
                # an upgrade: a new file renamed over the old one
                new = os.path.join(tmp, "libpam.so.0.new")
                shutil.copy(src, new)
                os.rename(new, lib)
                deadline = time.time() + 20
                while "re-attached" not in mon.stderr() and time.time() < deadline:
                    time.sleep(0.2)
                assert "re-attached" in mon.stderr(), mon.stderr()
                second, _ = pamtester(service, user, "bad-2", env=env)
                events = wait_for(mon, lambda ev: of(ev, "Authentication failure",
                                                     **{"proc.pid": second}))
            assert of(events, "Authentication failure", **{"proc.pid": second}), \
                "the replaced libpam is not watched"
            assert re.search(r"vigil: auth .* attaches=2", mon.stderr()), mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
