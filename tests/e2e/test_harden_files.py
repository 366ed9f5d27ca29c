"""Files vigil writes cannot be aimed by another user, and files it reads
cannot hang it (issue 13). Each attack is made by the unprivileged user
(setpriv 65534) in a shared sticky directory the test makes, as /tmp is:
a planted symlink, a file made first, a FIFO, a squatted lock with terminal
escapes in it, pH's state directory pointed at a shared directory, two
instances on one state directory.

Safety: every file is in the test's own directories; the monitors are the
test's own (stopped by pid); the victim files are the test's own."""
import os
import re
import shutil
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor, run_deliberate

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def shared_dir():
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    os.chmod(d, 0o1777)
    return d


def as_nobody(code, *args):
    """The attacker's move, declared deliberate (it plants what a test needs)."""
    p = run_deliberate(NOBODY + ["/usr/bin/python3", "-c", code] + list(args), timeout=30)
    assert p.returncode == 0, p.stderr


def run_vigil(d, *args, timeout=20):
    """vigil run with the test's own lock and socket; returns (rc, stderr)."""
    own = tempfile.mkdtemp(prefix="vigil-harden-own-")
    argv = [VIGIL, "run", "--stats-interval", "0", "--duration", "1",
            "--lock-file", os.path.join(own, "lock"), "--control-socket",
            os.path.join(own, "sock"), "--ph-state-dir", os.path.join(own, "ph"),
            "--set", "ph.enabled=false"] + list(args)
    p = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    shutil.rmtree(own, ignore_errors=True)
    return p.returncode, p.stderr.decode(errors="replace")


def victim(d):
    v = os.path.join(d, "victim.sh")
    with open(v, "w") as f:
        f.write("#!/bin/sh\necho root's script\n")
    os.chmod(v, 0o700)
    return v


def test_output_file_symlink_planted_by_another_user_is_refused():
    d = shared_dir()
    v = victim(d)
    link = os.path.join(d, "alerts.log")
    as_nobody("import os,sys; os.symlink(sys.argv[1], sys.argv[2])", v, link)
    rc, err = run_vigil(d, "--output-file", link)
    assert rc != 0 and "symbolic link: refused" in err, err
    with open(v) as f:
        assert f.read() == "#!/bin/sh\necho root's script\n"
    shutil.rmtree(d)


def test_output_file_made_first_by_another_user_is_refused():
    d = shared_dir()
    out = os.path.join(d, "alerts.log")
    as_nobody("open(__import__('sys').argv[1], 'w').close()", out)
    rc, err = run_vigil(d, "--output-file", out)
    assert rc != 0 and "owned by uid 65534" in err, err
    assert os.path.getsize(out) == 0
    shutil.rmtree(d)


def test_output_file_fifo_is_refused_without_blocking():
    d = shared_dir()
    out = os.path.join(d, "alerts.log")
    as_nobody("import os,sys; os.mkfifo(sys.argv[1])", out)
    t0 = time.time()
    rc, err = run_vigil(d, "--output-file", out)
    assert rc != 0 and "FIFO" in err, err
    assert time.time() - t0 < 15
    shutil.rmtree(d)


def test_output_in_a_directory_others_can_write_is_refused():
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    os.chmod(d, 0o777)  # no sticky bit: anyone could swap the file
    rc, err = run_vigil(d, "--output-file", os.path.join(d, "alerts.log"))
    assert rc != 0 and "writable by others" in err, err
    assert not os.path.exists(os.path.join(d, "alerts.log"))
    shutil.rmtree(d)


def test_existing_output_file_of_our_own_is_appended_to_not_truncated():
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    out = os.path.join(d, "alerts.log")
    with open(out, "w") as f:
        f.write("earlier line\n")
    rc, err = run_vigil(d, "--output-file", out, timeout=120)
    assert rc == 0, err
    with open(out) as f:
        assert f.read().startswith("earlier line\n")
    shutil.rmtree(d)


def test_squatted_lock_with_terminal_escapes_is_refused_and_escaped():
    d = shared_dir()
    lock = os.path.join(d, "vigil.lock")
    as_nobody("open(__import__('sys').argv[1], 'w').write('\\x1b]0;pwned\\x07\\x1b[2J1')", lock)
    own = tempfile.mkdtemp(prefix="vigil-harden-own-")
    p = subprocess.run([VIGIL, "run", "--duration", "1", "--lock-file", lock,
                        "--control-socket", os.path.join(own, "sock"), "--set", "ph.enabled=false"],
                       capture_output=True, timeout=30)
    err = p.stderr.decode(errors="replace")
    assert p.returncode != 0 and "owned by uid 65534" in err, err
    assert b"\x1b" not in p.stderr, p.stderr
    shutil.rmtree(d)
    shutil.rmtree(own)


def test_lock_file_pointed_at_a_real_file_leaves_it_whole():
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    conf = os.path.join(d, "vigil.yaml")
    with open(conf, "w") as f:
        f.write("stats:\n  interval: 60\n")
    own = tempfile.mkdtemp(prefix="vigil-harden-own-")
    p = subprocess.run([VIGIL, "run", "--duration", "1", "--lock-file", conf,
                        "--control-socket", os.path.join(own, "sock"), "--set", "ph.enabled=false"],
                       capture_output=True, timeout=30)
    err = p.stderr.decode(errors="replace")
    assert p.returncode != 0 and "holds something other than a pid" in err, err
    with open(conf) as f:
        assert f.read() == "stats:\n  interval: 60\n"
    shutil.rmtree(d)
    shutil.rmtree(own)


def test_ph_state_dir_in_a_shared_directory_is_refused_untouched():
    d = shared_dir()
    theirs = os.path.join(d, ".theirs.tmp")
    as_nobody("open(__import__('sys').argv[1], 'w').write('mine')", theirs)
    rc, err = run_vigil(d, "--ph", "--ph-state-dir", d, timeout=120)
    assert rc != 0, err
    assert "refused" in err, err
    st = os.stat(d)
    assert st.st_mode & 0o7777 == 0o1777, oct(st.st_mode)  # never chmod'ed
    assert os.path.exists(theirs)  # never cleaned
    shutil.rmtree(d)


def test_two_instances_cannot_share_a_state_directory():
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    state = os.path.join(d, "ph")
    with Monitor("--ph", "--ph-state-dir", state, events=False) as mon:
        rc, err = run_vigil(d, "--ph", "--ph-state-dir", state, timeout=120)
        assert mon.proc.poll() is None
    assert rc != 0 and "in use by another vigil" in err, err
    shutil.rmtree(d)


def test_fifos_do_not_hang_checks_and_loaders():
    d = shared_dir()
    fifo = os.path.join(d, "f")
    as_nobody("import os,sys; os.mkfifo(sys.argv[1])", fifo)
    cases = [
        [VIGIL, "rules", "check", fifo],
        [VIGIL, "config", "check", "--config", fifo],
        [VIGIL, "replay", "--format", "adfa", "--train", fifo, "--test", fifo],
    ]
    for argv in cases:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        assert p.returncode != 0, (argv, p.stdout, p.stderr)
        assert "FIFO" in p.stderr or "not a regular file" in p.stderr, (argv, p.stderr)
    rc, err = run_vigil(d, "--deny-exec-file", fifo)
    assert rc != 0 and "not a regular file" in err, err
    shutil.rmtree(d)


def test_replay_does_not_follow_directory_symlinks():
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    traces = os.path.join(d, "traces")
    os.mkdir(traces)
    with open(os.path.join(traces, "t1"), "w") as f:
        f.write(" ".join(["3", "4", "5", "6"] * 400) + "\n")
    os.symlink(traces, os.path.join(traces, "loop"))
    p = subprocess.run([VIGIL, "replay", "--format", "adfa", "--train", traces,
                        "--test", traces, "--min-train", "10"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    scored = [l for l in p.stdout.splitlines() if "\t" in l]
    assert len(scored) == 1, p.stdout
    assert "skipped" in p.stderr, p.stderr
    shutil.rmtree(d)


def test_output_failure_is_logged_with_its_cause_and_in_status():
    """A reopen that fails (its directory removed: ENOENT) is logged with
    the cause, and `vigil status` shows it, instead of only a counter."""
    d = tempfile.mkdtemp(prefix="vigil-harden-files-")
    sub = os.path.join(d, "logs")
    os.mkdir(sub, 0o700)
    out = os.path.join(sub, "alerts.json")
    with Monitor("--output", f"file:path={out}", events=False) as mon:
        os.unlink(out)
        os.rmdir(sub)
        mon.proc.send_signal(__import__("signal").SIGUSR1)
        deadline = time.time() + 10
        while time.time() < deadline and "No such file" not in mon.stderr():
            time.sleep(0.1)
        st = subprocess.run([VIGIL, "status", "--socket", mon.sock, "--json"],
                            capture_output=True, text=True, timeout=10)
    err = mon.stderr()
    # the reopen, or the open retried before the next write
    assert re.search(r"output file:\S+ failed: (re)?open: .*No such file or directory", err), \
        err[-2000:]
    assert "No such file or directory" in st.stdout, st.stdout + st.stderr
    shutil.rmtree(d)
