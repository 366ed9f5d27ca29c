#!/usr/bin/python3
"""Live evaluation of pH (part of `make eval`; needs root): real servers on
loopback, trained through the learning window, then normal traffic (pH
alerts counted) and attacks (detected or not, time to the alert, what the
incident says).

Servers, all started here on 127.0.0.1 and stopped at the end:
  - cserver: a fork-per-connection C server written and compiled by this
    script, with hidden code paths a client can reach: EXEC (system("id")),
    SHELL PORT (connect back, dup2 onto 0-2, exec /bin/sh: a reverse shell)
    and INFO (calls its normal paths never make);
  - pyserver: a threaded Python HTTP server (a copy of python3: a profile
    of its own) with a hidden /debug (os.system) and /fetch (connect out);
  - nginx and sshd when installed (not on this machine so far: reported).
The monitor is the build's vigil with its defaults (rules on) plus
--ph-learning-window, --ph-watch for the servers, its own state, lock and
socket; its alerts go to a file here. Everything is stopped by pid.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

C_SERVER = r"""
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void reply(int c, const char *s) { (void)!write(c, s, strlen(s)); }

static void handle(int c, const char *dir)
{
    char req[256] = "", path[512];
    ssize_t n = read(c, req, sizeof(req) - 1);
    struct stat st;

    if (n <= 0)
        return;
    req[n] = 0;
    req[strcspn(req, "\r\n")] = 0;
    if (!strncmp(req, "GET ", 4)) {            /* a file of the docroot */
        char buf[4096];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", dir, req + 4);
        f = strstr(req, "..") ? NULL : fopen(path, "r");
        if (!f) { reply(c, "404\n"); return; }
        while ((n = (ssize_t)fread(buf, 1, sizeof(buf), f)) > 0)
            (void)!write(c, buf, (size_t)n);
        fclose(f);
    } else if (!strncmp(req, "STAT ", 5)) {    /* a file's size */
        snprintf(path, sizeof(path), "%s/%s", dir, req + 5);
        if (stat(path, &st)) reply(c, "404\n");
        else { char b[64]; snprintf(b, sizeof(b), "%lld\n", (long long)st.st_size); reply(c, b); }
    } else if (!strcmp(req, "PING")) {
        reply(c, "PONG\n");
    /* ---- the hidden paths: never taken by normal clients ---- */
    } else if (!strcmp(req, "EXEC")) {
        dup2(c, 1);
        (void)!system("id");
    } else if (!strncmp(req, "SHELL ", 6)) {
        struct sockaddr_in a = { .sin_family = AF_INET };
        int s = socket(AF_INET, SOCK_STREAM, 0);
        a.sin_port = htons((unsigned short)atoi(req + 6));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (s >= 0 && !connect(s, (struct sockaddr *)&a, sizeof(a))) {
            dup2(s, 0); dup2(s, 1); dup2(s, 2);
            execl("/bin/sh", "sh", "-c", "echo shell", (char *)NULL);
        }
    } else if (!strcmp(req, "INFO")) {
        struct utsname u; struct sysinfo si;
        uname(&u); sysinfo(&si);
        reply(c, u.release);
    } else {
        reply(c, "400\n");
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

    if (argc < 3) return 2;
    signal(SIGCHLD, SIG_IGN);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 64)) return 1;
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        if (fork() == 0) { close(s); handle(c, argv[2]); close(c); _exit(0); }
        close(c);
    }
}
"""

PY_SERVER = r"""
import http.server, os, socket, sys, sqlite3, threading
DB = sys.argv[2]
lock = threading.Lock()
with sqlite3.connect(DB) as db:
    db.execute("create table if not exists hits (path text)")

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        body = b"ok\n"
        if self.path.startswith("/item/"):
            with lock, sqlite3.connect(DB) as db:
                db.execute("insert into hits values (?)", (self.path,))
                n = db.execute("select count(*) from hits").fetchone()[0]
            body = ("%d\n" % n).encode()
        elif self.path == "/debug":             # hidden: never used by clients
            os.system("id > /dev/null")
        elif self.path.startswith("/fetch/"):   # hidden: calls out
            s = socket.create_connection(("127.0.0.1", int(self.path[7:])), timeout=2)
            s.close()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def c_request(port, line, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(line.encode() + b"\n")
        try:
            return s.recv(65536)
        except socket.timeout:
            return b""


def http_get(port, path, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def normal_traffic(servers, seconds, rng):
    """The requests ordinary clients make, with idle gaps between bursts."""
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        for _ in range(rng.randint(1, 8)):
            c = servers["cserver"]["port"]
            kind = rng.random()
            if kind < 0.5:
                c_request(c, f"GET page{rng.randint(0, 4)}.html")
            elif kind < 0.7:
                c_request(c, f"GET missing{rng.randint(0, 9)}")
            elif kind < 0.9:
                c_request(c, f"STAT page{rng.randint(0, 4)}.html")
            else:
                c_request(c, "PING")
            p = servers["pyserver"]["port"]
            http_get(p, f"/item/{rng.randint(0, 50)}" if rng.random() < 0.6 else "/")
            n += 2
        time.sleep(rng.choice((0.01, 0.05, 0.2, 0.5, 1.0)))
    return n


def ph_alerts(path):
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    a = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if a.get("rule", "").startswith("pH "):
                    out.append(a)
    except FileNotFoundError:
        pass
    return out


def wall(a):
    """An alert's time (RFC 3339, ns) as seconds since the epoch."""
    t = a["time"]
    base, frac = t.rstrip("Z").split(".")
    return time.mktime(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) - time.timezone + \
        float("0." + frac)


def profile_show(vigil, sock, exe):
    p = subprocess.run([vigil, "profile", "show", exe, "--json", "--socket", sock],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return json.loads(p.stdout) if p.returncode == 0 else {}


def call_names():
    """Call number -> name (auditd's ausyscall, when installed)."""
    try:
        out = subprocess.run(["ausyscall", "--dump"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return {int(n): name for n, name in
            (ln.split() for ln in out.splitlines() if ln[:1].isdigit())}


def latest_pairs(vigil, sock, exe, path, count=24):
    """The lookahead pairs a profile learnt last (a profile still changing:
    what keeps it changing), from `vigil profile export` (ph_file.h: the
    header, the profile, then items of 24 bytes: gen, kind, item, stamp)."""
    p = subprocess.run([vigil, "profile", "export", exe, path, "--socket", sock],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        return []
    with open(path, "rb") as f:
        data = f.read()
    header_size, profile_size, item_size = struct.unpack_from("<III", data, 12)
    nitems = struct.unpack_from("<Q", data, 72)[0]  # after magic .. ino (a crc32 follows the items)
    items = []
    for i in range(nitems):
        off = header_size + profile_size + i * item_size
        if off + 24 > len(data):
            break
        gen, kind, item, stamp = struct.unpack_from("<IIQQ", data, off)
        if item >> 63 and (item >> 16) & 0xffff:  # a pair: (earlier, distance, call);
            # distance 0 is the marker of a call the program made
            items.append((gen, stamp, (item >> 32) & 0x7fffffff, (item >> 16) & 0xffff,
                          item & 0xffff))
    if not items:
        return []
    gen = max(i[0] for i in items)
    names = call_names()
    name = lambda c: names.get(c, str(c))  # noqa: E731
    last = sorted((i for i in items if i[0] == gen), key=lambda i: i[1])[-count:]
    return [f"{name(a)} -{d}-> {name(b)}" for _, _, a, d, b in last]


def ph_status(vigil, sock):
    """The monitor's pH counters (`vigil status --json`)."""
    p = subprocess.run([vigil, "status", "--json", "--socket", sock], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    try:
        return json.loads(p.stdout).get("ph", {}) if p.returncode == 0 else {}
    except json.JSONDecodeError:
        return {}


def profile_state(vigil, sock, exe):
    return profile_show(vigil, sock, exe).get("state")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--window", type=int, default=120,
                    help="learning window, seconds (120: a threaded interpreter server settles)")
    ap.add_argument("--normal", type=int, default=30, help="normal traffic after it, seconds")
    ap.add_argument("--model", choices=["fallback", "ngram", "plain"],
                    help="ph.model of the monitor (default: vigil's default)")
    ap.add_argument("--force-normal", action="store_true",
                    help="make servers still training normal after the window (diagnostic)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("live evaluation: skipped (needs root to load BPF)")
        return 0
    vigil = os.path.abspath(os.path.join(args.build, "vigil"))
    rng = random.Random(15)
    tmp = tempfile.mkdtemp(prefix="vigil-live-eval-")
    procs = []
    mon = None
    try:
        docroot = os.path.join(tmp, "www")
        os.mkdir(docroot)
        for i in range(5):
            with open(os.path.join(docroot, f"page{i}.html"), "w") as f:
                f.write("<p>page %d</p>\n" % i * (i + 1) * 20)
        with open(os.path.join(tmp, "server.c"), "w") as f:
            f.write(C_SERVER)
        cserver = os.path.join(tmp, "cserver")
        subprocess.run(["cc", "-O2", "-o", cserver, os.path.join(tmp, "server.c")], check=True)
        python = os.path.join(tmp, "python3")  # a copy: a profile of its own
        shutil.copy(os.path.realpath(sys.executable), python)
        with open(os.path.join(tmp, "pyserver.py"), "w") as f:
            f.write(PY_SERVER)
        installed = {n: shutil.which(n) or (os.path.exists(f"/usr/sbin/{n}") and f"/usr/sbin/{n}")
                     for n in ("nginx", "sshd")}

        out = os.path.join(tmp, "alerts.jsonl")
        err = open(os.path.join(tmp, "stderr.txt"), "w")
        sock = os.path.join(tmp, "vigil.sock")
        mon = subprocess.Popen(
            [vigil, "run", "--json", "--output-file", out, "--stats-interval", "0",
             "--lock-file", os.path.join(tmp, "vigil.lock"), "--control-socket", sock,
             "--ph", "--ph-no-persist", "--ph-state-dir", os.path.join(tmp, "profiles"),
             "--ph-normal-wait", "100000", "--ph-learning-window", str(args.window),
             "--ph-watch", f"{cserver},{python}"]
            + (["--set", f"ph.model={args.model}"] if args.model else []),
            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while "vigil: ready" not in open(err.name).read():
            if mon.poll() is not None or time.time() > deadline:
                print("live evaluation: vigil did not start:\n" + open(err.name).read())
                return 1
            time.sleep(0.1)
        t_start = time.time()
        servers = {"cserver": {"exe": cserver, "port": free_port()},
                   "pyserver": {"exe": python, "port": free_port()}}
        procs.append(subprocess.Popen([cserver, str(servers["cserver"]["port"]), docroot],
                                      stdin=subprocess.DEVNULL))
        procs.append(subprocess.Popen([python, os.path.join(tmp, "pyserver.py"),
                                       str(servers["pyserver"]["port"]),
                                       os.path.join(tmp, "db.sqlite")],
                                      stdin=subprocess.DEVNULL))
        time.sleep(1.0)  # both listening

        # 1. training: ordinary traffic during the learning window
        # (a sample of each profile at 3/4 of the window, as the window takes
        # its own: what a server still training learnt in the last quarter)
        n_train = normal_traffic(servers, max(1, args.window * 3 / 4 - (time.time() - t_start)),
                                 rng)
        quarter = {k: profile_show(vigil, sock, v["exe"]) for k, v in servers.items()}
        n_train += normal_traffic(servers, max(1, args.window - (time.time() - t_start) - 3), rng)
        while "pH learning window over" not in open(err.name).read():
            if time.time() > t_start + args.window + 30:
                break
            time.sleep(0.2)
        states = {k: profile_state(vigil, sock, v["exe"]) for k, v in servers.items()}
        # what a profile costs: its items and bytes in the kernel's maps
        sizes = {k: profile_show(vigil, sock, v["exe"]) for k, v in servers.items()}
        # a server still training: the pairs it learnt last, named
        changing = {k: latest_pairs(vigil, sock, v["exe"], os.path.join(tmp, f"{k}.profile"))
                    for k, v in servers.items() if states[k] not in ("normal", None)}
        if args.force_normal:
            # a diagnostic: what a server still training would raise
            for k, v in servers.items():
                if states[k] != "normal":
                    subprocess.run([vigil, "profile", "force-normalize", v["exe"], "--socket",
                                    sock], capture_output=True, stdin=subprocess.DEVNULL)
                    states[k] = f"{states[k]}, forced normal"
        # the window's report, and the servers made normal by coverage before it ended
        window_lines = [l for l in open(err.name).read().splitlines()
                        if "learning window" in l or ("normal by coverage" in l and any(
                            v["exe"] + " (" in l for v in servers.values()))]

        # 2. normal traffic: pH alerts about the servers are false alarms
        t_normal = time.time()
        status_before = ph_status(vigil, sock)
        n_normal = normal_traffic(servers, args.normal, rng)
        time.sleep(2.5)  # the last episodes end (2 s gap)
        status_after = ph_status(vigil, sock)
        below = (status_after.get("episodes_below_threshold", 0) -
                 status_before.get("episodes_below_threshold", 0))
        false_alarms = {k: [a for a in ph_alerts(out) if wall(a) >= t_normal and
                            a["output_fields"].get("ph.exe_ino") == os.stat(v["exe"]).st_ino]
                        for k, v in servers.items()}
        # the rest of the machine meanwhile: whatever else runs here (builds,
        # tests, shells), under the default scope
        server_inos = {os.stat(v["exe"]).st_ino for v in servers.values()}
        machine = [a for a in ph_alerts(out) if wall(a) >= t_normal and
                   a["rule"] != "pH profile normal" and  # a notice, not an alarm
                   a["output_fields"].get("ph.exe_ino") not in server_inos]
        silent = (status_after.get("incidents_out_of_scope", 0) -
                  status_before.get("incidents_out_of_scope", 0))

        # 3. attacks, one at a time
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        back = listener.getsockname()[1]
        attacks = [
            ("cserver", "EXEC: system(\"id\")", lambda: c_request(servers["cserver"]["port"], "EXEC")),
            ("cserver", "SHELL: connect back, dup2, exec /bin/sh",
             lambda: c_request(servers["cserver"]["port"], f"SHELL {back}", timeout=2)),
            ("cserver", "INFO: calls never made (uname, sysinfo)",
             lambda: c_request(servers["cserver"]["port"], "INFO")),
            ("pyserver", "/debug: os.system(\"id\")",
             lambda: http_get(servers["pyserver"]["port"], "/debug")),
            ("pyserver", "/fetch: connect out",
             lambda: http_get(servers["pyserver"]["port"], f"/fetch/{back}")),
        ]
        results = []
        for name, what, fire in attacks:
            time.sleep(2.5)  # the previous episode ends (2 s gap)
            t0 = time.time()
            try:
                fire()
            except OSError:
                pass
            found = []
            while time.time() < t0 + 5 and not found:
                time.sleep(0.1)
                found = [a for a in ph_alerts(out) if a["rule"] == "pH incident" and
                         a["output_fields"].get("ph.exe_ino") == os.stat(servers[name]["exe"]).st_ino and
                         wall(a) >= t0 - 0.05]
            if found:  # a later update, or another task's incident
                time.sleep(0.5)
                found = [a for a in ph_alerts(out) if a["rule"] == "pH incident" and
                         a["output_fields"].get("ph.exe_ino") == os.stat(servers[name]["exe"]).st_ino and
                         wall(a) >= t0 - 0.05]
            rank = {"Critical": 0, "Error": 1, "Warning": 2}
            first = min(found, key=wall) if found else None
            worst = min(found, key=lambda a: rank.get(a["priority"], 3)) if found else None
            # an update (ph.update: the same episode, a higher severity) is
            # not another incident
            results.append((name, what, first, worst,
                            sum(1 for a in found if not a["output_fields"].get("ph.update")),
                            t0))
        listener.close()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if mon and mon.poll() is None:
            mon.send_signal(signal.SIGINT)
            try:
                mon.wait(60)
            except subprocess.TimeoutExpired:
                mon.kill()
                mon.wait()

    print(f"\nLive evaluation (loopback servers, learning window {args.window} s, "
          f"{n_train} training requests, then {args.normal} s / {n_normal} normal requests)")
    for l in window_lines:
        print("  " + l.split("vigil: ", 1)[-1][:150])
    print(f"  episodes below the evidence threshold in normal traffic (all programs, "
          f"counted, not reported): {below}")
    hours = args.normal / 3600
    print(f"  the rest of the machine meanwhile (its ordinary work, default scope): "
          f"{len(machine)} pH alerts ({len(machine) / hours:.0f}/hour), {silent} episodes "
          f"of out-of-scope programs learnt silently")
    for a in machine[:3]:
        print("     " + a["output"][:200])
    for name in ("nginx", "sshd"):
        if not installed[name]:
            print(f"  {name}: not installed here, not evaluated")
    print(f"  {'server':<10} {'state after window':<28} {'pH alerts in normal traffic':<28}")
    for k in servers:
        hours = args.normal / 3600
        print(f"  {k:<10} {str(states[k]):<28} {len(false_alarms[k])} "
              f"({len(false_alarms[k]) / hours:.0f}/hour); profile {sizes[k].get('items')} "
              f"items, {(sizes[k].get('bytes') or 0) / 1024:.1f} KiB in the kernel")
        if changing.get(k):
            q, e = quarter.get(k) or {}, sizes[k]
            calls = (e.get("train_count") or 0) - (q.get("train_count") or 0)
            if q.get("train_gen") == e.get("train_gen") and calls > 0:
                print(f"     last quarter of the window: {calls} training calls, "
                      f"{(e.get('adds') or 0) - (q.get('adds') or 0)} new items, "
                      f"{e.get('last_mod_count')} calls since its last change")
            print("     still changing; the pairs it learnt last: " + ", ".join(changing[k]))
        calls = {}
        for a in false_alarms[k]:
            for c in a["output_fields"].get("ph.calls", "").split():
                calls[c] = calls.get(c, 0) + 1
        if calls:
            print("     novel calls in them: " + " ".join(
                f"{c}({n})" for c, n in sorted(calls.items(), key=lambda x: -x[1])[:20]))
        for a in false_alarms[k][:2]:
            print("     " + a["output"][:300])
    print(f"  {'attack':<48} {'detected':<9} {'ms to alert':<12} {'incidents':<10} "
          f"priority  decisive calls")
    for name, what, a, worst, n, t0 in results:
        if not a:
            print(f"  {name + ' ' + what:<48} {'no':<9}")
            continue
        of = a["output_fields"]
        ms = (wall(a) - t0) * 1000 + of.get("ph.delay_ms", 0)
        print(f"  {name + ' ' + what:<48} {'yes':<9} {ms:<12.0f} {n:<10} {worst['priority']:<9} "
              f"{worst['output_fields'].get('ph.calls', '')[:60]}")
        print(f"     {worst['output'][:300]}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
