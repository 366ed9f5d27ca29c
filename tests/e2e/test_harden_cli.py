"""The CLI against names the watched system chooses (issue 13): a program
named with terminal escapes, run by nobody, shows escaped in `vigil ps` and
`vigil profiles`; the status client refuses a server that is not root.

Safety: the monitor and the program are the test's own (killed by pid); the
program is a copy of /bin/sleep in the test's directory; the fake server is
the test's own socket in its own directory."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from vigil_harness import VIGIL, Monitor, copy_program, deliberate

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
EVIL = "\x1b]0;owned\x07\x1b[2Jevil"


def test_escape_sequences_in_names_never_reach_the_terminal():
    d = tempfile.mkdtemp(prefix="vigil-harden-cli-")
    os.chmod(d, 0o755)
    exe = copy_program("/bin/sleep", os.path.join(d, EVIL))
    os.chmod(exe, 0o755)
    with Monitor("--ph", events=False) as mon:
        p = subprocess.Popen(NOBODY + [exe, "20"], stdin=subprocess.DEVNULL)
        deliberate(p.pid)
        try:
            time.sleep(1.0)
            ps = subprocess.run([VIGIL, "ps", "--socket", mon.sock], capture_output=True,
                                timeout=10)
            prof = subprocess.run([VIGIL, "profiles", "--socket", mon.sock],
                                  capture_output=True, timeout=10)
            st = subprocess.run([VIGIL, "status", "--socket", mon.sock], capture_output=True,
                                timeout=10)
        finally:
            p.kill()
            p.wait()
    for out in (ps, prof, st):
        assert out.returncode == 0, out.stderr
        assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout, out.stdout[-2000:]
    assert str(p.pid).encode() in ps.stdout, ps.stdout
    assert b"\\x1b]0;owned\\x07" in ps.stdout, ps.stdout  # shown, escaped
    assert b"\\x1b]0;owned\\x07" in prof.stdout, prof.stdout
    shutil.rmtree(d)


def test_status_client_refuses_a_server_that_is_not_root():
    d = tempfile.mkdtemp(prefix="vigil-harden-cli-")
    os.chmod(d, 0o1777)
    path = os.path.join(d, "fake.sock")
    srv = subprocess.Popen(NOBODY + ["/usr/bin/python3", "-c",
                                     "import socket,sys,time\n"
                                     "s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]);"
                                     "s.listen(4)\n"
                                     "while True:\n"
                                     "  c,_=s.accept(); c.sendall(b'{\"ok\":true,\"result\":{}}\\n')\n",
                                     path], stdin=subprocess.DEVNULL,
                           # killed below: its traceback would read as a failure in a CI log
                           stderr=subprocess.DEVNULL)
    deliberate(srv.pid)
    try:
        for _ in range(100):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        p = subprocess.run([VIGIL, "status", "--socket", path], capture_output=True, text=True,
                           timeout=10)
    finally:
        srv.kill()
        srv.wait()
    assert p.returncode != 0 and "is not root" in p.stderr, (p.stdout, p.stderr)
    shutil.rmtree(d)
