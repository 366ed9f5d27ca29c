#!/usr/bin/env python3
"""Check vigil's layout: no include or call cycle between files or folders
under src/, and no source file over the length limit.

    scripts/check_layers.py [--build DIR] [--max-lines N] [--order]

A "file" here is a module: foo.c and foo.h count as one.  Include edges
come from `#include "..."` lines; call edges from the object files' symbol
tables (`nm`: module A uses a symbol that module B defines), so the build
directory must hold the objects.  Exit status 1 when anything is found.
--order prints the folders bottom-up with what each one uses (the table in
docs/architecture.md).
"""
import argparse
import collections
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(path):
    return os.path.splitext(path)[0]


def sources():
    return sorted(os.path.join(d, f) for d, _, fs in os.walk("src")
                  for f in fs if f.endswith((".c", ".h", ".cc")))


def include_graph(files):
    graph = collections.defaultdict(set)
    for f in files:
        with open(f, errors="replace") as fh:
            names = INCLUDE.findall(fh.read())
        for name in names:
            for cand in (os.path.join(os.path.dirname(f), name), os.path.join("src", name)):
                if os.path.exists(cand):
                    target = module(os.path.normpath(cand))
                    if target != module(f):
                        graph[module(f)].add(target)
                    break
    return graph


def call_graph(files, build):
    defined, used = {}, collections.defaultdict(set)
    for f in files:
        if not f.endswith((".c", ".cc")) or f == "src/main.c":
            continue
        obj = os.path.join(build, "obj", module(f) + ".o")
        if not os.path.exists(obj):
            sys.exit(f"check_layers: {obj} missing: build first (make)")
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                used[module(f)].add(parts[1])
            elif len(parts) == 3 and parts[1] in "TDBRG":
                defined[parts[2]] = module(f)
    graph = collections.defaultdict(set)
    for mod, symbols in used.items():
        for sym in symbols:
            if sym in defined and defined[sym] != mod:
                graph[mod].add(defined[sym])
    return graph


def folders(graph):
    lifted = collections.defaultdict(set)
    for a, targets in graph.items():
        for b in targets:
            if os.path.dirname(a) != os.path.dirname(b):
                lifted[os.path.dirname(a)].add(os.path.dirname(b))
    return lifted


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    nodes = sorted(set(graph) | {t for ts in graph.values() for t in ts})
    sys.setrecursionlimit(max(1000, 4 * len(nodes)))

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return found


def print_order(graph):
    """Folders bottom-up (each uses only folders printed before it)."""
    deps = folders(graph)
    nodes = sorted(set(deps) | {t for ts in deps.values() for t in ts} |
                   {d for d, _, _ in os.walk("src") if d != "src"})
    done = []
    while len(done) < len(nodes):
        ready = [n for n in nodes if n not in done and deps.get(n, set()) <= set(done)]
        if not ready:  # a cycle: the checks below name it
            ready = [n for n in nodes if n not in done]
        for n in ready:
            used = ", ".join(sorted(os.path.basename(d) for d in deps.get(n, ()))) or "-"
            print(f"{n:16} uses {used}")
        done += ready


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--max-lines", type=int, default=700)
    ap.add_argument("--only", choices=["include", "call", "length"], action="append")
    ap.add_argument("--order", action="store_true", help="print the folders bottom-up and exit")
    a = ap.parse_args()
    if a.order:
        inc, calls = include_graph(sources()), call_graph(sources(), a.build)
        for mod, targets in calls.items():
            inc[mod] |= targets
        print_order(inc)
        return 0
    only = a.only or ["include", "call", "length"]
    files = sources()
    problems = []
    graphs = []
    if "include" in only:
        graphs.append(("include", include_graph(files)))
    if "call" in only:
        graphs.append(("call", call_graph(files, a.build)))
    for kind, graph in graphs:
        for level, g in (("files", graph), ("folders", folders(graph))):
            for comp in cycles(g):
                problems.append(f"{kind} cycle between {level}: " + " -> ".join(comp))
    if "length" in only:
        for f in files:
            with open(f, errors="replace") as fh:
                n = sum(1 for _ in fh)
            if n > a.max_lines and not f.endswith(".h"):
                problems.append(f"{f}: {n} lines (limit {a.max_lines})")
    for p in problems:
        print(p)
    print(f"{len(problems)} layout problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
