#!/usr/bin/python3
"""What keeps a server's pH profile changing: the sequences it still learns
late in training, named.

Runs bench/live_eval.py's threaded Python server (sqlite, threads) under
strace for SECONDS of the same ordinary traffic, then replays the calls
the monitor's model would see (per thread, timing-dependent calls left out,
a new thread starting with a copy of its creator's window) through the
default model (12-grams, lookahead pairs at distances 1-4 where they miss)
and prints, per eighth of the run, the new 12-grams and how many of them
bring a new pair (what normal mode would flag; the others it forgives),
then the calls the late ones end with and hold, and the first of them.

    python3 bench/ph_novel.py [--seconds 90] [--fold] [--trace FILE] [--test-from F]

--trace analyses an earlier trace (strace -f -n -qq -o FILE) instead.
--test-from F: train on the first fraction F of the calls, then test the
rest as normal mode does (nothing learnt) and print the episodes (a task's
anomalies with less than 128 of its calls between them) by their highest
LFC: what the evidence threshold (5 by default) sees.
Needs strace; not part of `make eval` (strace slows the server down).
"""
import argparse
import collections
import os
import random
import re
import socketserver
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live_eval  # noqa: E402  (the server and the traffic of the live evaluation)

# x86_64 numbers of the calls the monitor ignores (src/ph/ph_setup.c)
TIMING = {"futex": 202, "futex_waitv": 449, "sched_yield": 24, "nanosleep": 35,
          "clock_nanosleep": 230, "poll": 7, "ppoll": 271, "select": 23, "pselect6": 270,
          "epoll_wait": 232, "epoll_pwait": 281, "epoll_pwait2": 441, "rt_sigprocmask": 14,
          "restart_syscall": 219}
CLONES = {56, 435}  # clone, clone3: the child's window is a copy
N, WINDOW = 12, 5


def record(seconds, trace):
    """The Python server of the live evaluation under strace, with its traffic."""
    tmp = tempfile.mkdtemp(prefix="vigil-ph-novel-")
    script = os.path.join(tmp, "pyserver.py")
    with open(script, "w") as f:
        f.write(live_eval.PY_SERVER)
    port, cport = live_eval.free_port(), live_eval.free_port()
    server = subprocess.Popen(["strace", "-f", "-qq", "-n", "-o", trace, sys.executable, script,
                               str(port), os.path.join(tmp, "db.sqlite")],
                              stdin=subprocess.DEVNULL)

    class Stub(socketserver.BaseRequestHandler):  # stands in for the C server
        def handle(self):
            self.request.recv(256)
            self.request.sendall(b"ok\n")

    stub = socketserver.ThreadingTCPServer(("127.0.0.1", cport), Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        for _ in range(50):  # listening
            try:
                live_eval.http_get(port, "/", timeout=1)
                break
            except OSError:
                threading.Event().wait(0.2)
        n = live_eval.normal_traffic({"cserver": {"port": cport}, "pyserver": {"port": port}},
                                     seconds, random.Random(15))
    finally:
        stub.shutdown()
        server.terminate()
        server.wait()
    print(f"{n} requests in {seconds} s, trace {trace}")


def calls_of(trace):
    """(tid, number, line) in order of completion (the model sees a call when it returns)."""
    names, pending, out = {}, {}, []
    start = re.compile(r"^(\d+)\s+\[\s*(\d+)\]\s+([a-z0-9_]+)\(")
    resumed = re.compile(r"^(\d+)\s+(?:\[\s*\d+\]\s+)?<\.\.\. [a-z0-9_]+ resumed>")
    with open(trace, errors="replace") as f:
        for line in f:
            m = start.match(line)
            if m:
                tid, nr = int(m.group(1)), int(m.group(2))
                names[nr] = m.group(3)
                if "<unfinished ...>" in line:
                    pending[tid] = nr
                else:
                    out.append((tid, nr, line))
                continue
            m = resumed.match(line)
            if m and int(m.group(1)) in pending:
                out.append((int(m.group(1)), pending.pop(int(m.group(1))), line))
    return out, names


def analyse(trace, fold):
    calls, names = calls_of(trace)
    ignore = set(TIMING.values())
    windows = collections.defaultdict(list)
    grams, pairs, news = set(), set(), []
    modelled = 0
    for tid, nr, line in calls:
        if nr in ignore:
            continue
        w = windows[tid]
        if fold and w and w[-1] == nr:
            continue
        modelled += 1
        gram = tuple(w[-(N - 1):]) + (nr,)
        if gram not in grams:
            ps = [(w[-d], d, nr) for d in range(1, WINDOW) if d <= len(w)]
            news.append((modelled, any(p not in pairs for p in ps), gram, tid))
            grams.add(gram)
            pairs.update(ps)
        w.append(nr)
        if nr in CLONES:
            m = re.search(r"= (\d+)\s*$", line.strip())
            if m and int(m.group(1)) > 0:
                windows[int(m.group(1))] = list(w)
    name = lambda c: names.get(c, str(c))  # noqa: E731
    print(f"modelled calls {modelled}, new 12-grams {len(news)}"
          f"{' (runs of one call folded)' if fold else ''}")
    eighth = modelled / 8
    for k in range(8):
        part = [n for n in news if k * eighth < n[0] <= (k + 1) * eighth]
        print(f"  eighth {k + 1}: {len(part):5d} new 12-grams, "
              f"{sum(1 for n in part if n[1]):4d} with a new pair")
    late = [n for n in news if n[0] > modelled / 2]
    print("second half, the new 12-grams end with: " + " ".join(
        f"{name(c)}({k})" for c, k in collections.Counter(n[2][-1] for n in late).most_common(12)))
    print("  and hold: " + " ".join(
        f"{name(c)}({k})" for c, k in
        collections.Counter(c for n in late for c in n[2]).most_common(16)))
    for n in late[:30]:
        print(f"  {'NEW PAIR' if n[1] else 'forgiven'} tid {n[3]}: " + " ".join(map(name, n[2])))


def episodes(trace, frac, frame=128, threshold=5):
    """Normal mode on the calls after the first `frac`: episodes by highest LFC."""
    calls, names = calls_of(trace)
    ignore = set(TIMING.values())
    windows = collections.defaultdict(list)
    grams, pairs = set(), set()
    total = sum(1 for c in calls if c[1] not in ignore)
    marks = collections.defaultdict(collections.deque)  # tid -> positions of anomalies
    open_eps, done, i = {}, [], 0
    for tid, nr, line in calls:
        if nr in ignore:
            continue
        i += 1
        w = windows[tid]
        gram = tuple(w[-(N - 1):]) + (nr,)
        ps = [(w[-d], d, nr) for d in range(1, WINDOW) if d <= len(w)]
        if i <= total * frac:
            grams.add(gram)
            pairs.update(ps)
        elif gram not in grams and any(p not in pairs for p in ps):
            q, at = marks[tid], len(w)
            while q and q[0] <= at - frame:
                q.popleft()
            q.append(at)
            ep = open_eps.get(tid)
            if not ep or ep["last"] <= at - frame:
                if ep:
                    done.append(ep)
                ep = open_eps[tid] = {"last": at, "lfc": 0, "calls": []}
            ep["last"], ep["lfc"] = at, max(ep["lfc"], len(q))
            ep["calls"].append(names.get(nr, str(nr)))
        w.append(nr)
        if nr in CLONES:
            m = re.search(r"= (\d+)\s*$", line.strip())
            if m and int(m.group(1)) > 0:
                windows[int(m.group(1))] = list(w)
    done += open_eps.values()
    print(f"trained on {total * frac:.0f} calls, tested {total - total * frac:.0f}: "
          f"{len(done)} episodes, by highest LFC: " +
          " ".join(f"{lfc}:{n}" for lfc, n in sorted(collections.Counter(
              e["lfc"] for e in done).items())))
    print(f"  at or over the evidence threshold ({threshold}): "
          f"{sum(1 for e in done if e['lfc'] >= threshold)}")
    for e in [e for e in done if e["lfc"] >= threshold][:10]:
        print(f"    LFC {e['lfc']}: " + " ".join(e["calls"][:12]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--trace", help="analyse this strace -f -n output instead of recording")
    ap.add_argument("--fold", action="store_true", help="fold runs of one call (params.fold)")
    ap.add_argument("--test-from", type=float, metavar="F",
                    help="train on the first fraction F, test the rest (episodes by LFC)")
    a = ap.parse_args()
    trace = a.trace
    if not trace:
        trace = os.path.join(tempfile.mkdtemp(prefix="vigil-ph-novel-"), "trace.txt")
        record(a.seconds, trace)
    analyse(trace, a.fold)
    if a.test_from:
        episodes(trace, a.test_from)
    return 0


if __name__ == "__main__":
    sys.exit(main())
