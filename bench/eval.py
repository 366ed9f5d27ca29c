#!/usr/bin/python3
"""Offline evaluation of vigil's pH model (`make eval`).

Runs `vigil replay` on the system-call datasets of /work/shared/datasets and
prints AUC and the true-positive rate at 1%, 5% and 10% false-positive rate;
then, as root, the live evaluation (bench/live_eval.py: real servers on
loopback under the kernel's pH, trained by the learning window, normal
traffic and attacks). `--only adfa|unm|live` runs one part.

ADFA-LD, the fixed protocol of the datasets README: train on
Training_Data_Master only; validation traces are negatives, all attack traces
positives; validation files with an EVEN number are the tuning half (where the
default parameters were chosen), files with an ODD number the report half.

UNM, per program (there is no fixed protocol; ours): the normal traces (one
per PID, in file order) are split alternately: even-numbered traces train,
odd-numbered ones are the negatives; every abnormal trace is a positive.
With so few traces for some programs (inetd has 3 normal PIDs) we also print
the detection rate at zero false positives (threshold = highest negative).

The datasets are unpacked into a temporary directory, never into the repo.
Needs only the Python standard library.
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DATASETS = "/work/shared/datasets"
UNM_PROGRAMS = ["lpr_mit", "lpr_unm", "named", "xlock", "login", "ps", "inetd", "stide"]
FPRS = (0.01, 0.05, 0.10)


def auc(neg, pos):
    """Probability that a positive outranks a negative (ties count half)."""
    if not neg or not pos:
        return float("nan")
    items = sorted([(v, 0) for v in neg] + [(v, 1) for v in pos])
    rank_sum, i = 0.0, 0
    while i < len(items):
        j = i
        while j < len(items) and items[j][0] == items[i][0]:
            j += 1
        mid = (i + j + 1) / 2.0  # average 1-based rank of the tie group
        rank_sum += mid * sum(1 for k in range(i, j) if items[k][1])
        i = j
    p, n = len(pos), len(neg)
    return (rank_sum - p * (p + 1) / 2.0) / (p * n)


def tpr_at(neg, pos, max_fpr):
    """TPR of the best rule `score > t` whose false-positive rate is at most max_fpr:
    t is the (k+1)-th highest negative score, k = the false positives allowed."""
    k = int(max_fpr * len(neg) + 1e-9)
    if k >= len(neg):
        return 1.0
    t = sorted(neg, reverse=True)[k]
    return sum(1 for v in pos if v > t) / len(pos)


def tpr_above_max_neg(neg, pos):
    top = max(neg)
    return sum(1 for v in pos if v > top) / len(pos)


def replay(vigil, fmt, train, test, extra):
    cmd = [vigil, "replay", "--format", fmt]
    for t in train:
        cmd += ["--train", t]
    for t in test:
        cmd += ["--test", t]
    cmd += extra + ["--stats"]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"eval: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    scores = {}
    for line in p.stdout.splitlines():
        path, _, score = line.rpartition("\t")
        scores[path] = int(score)
    m = re.search(r"(\d+) bytes as stored items", p.stderr)
    size = int(m.group(1)) if m else -1
    return scores, time.time() - t0, size


def fmt_row(name, neg, pos):
    a = auc(neg, pos)
    tprs = "  ".join(f"{tpr_at(neg, pos, f) * 100:5.1f}%" for f in FPRS)
    return f"{name:<28} {a:6.4f}  {tprs}   ({len(neg)} neg, {len(pos)} pos)"


HEADER = f"{'':<28} {'AUC':>6}  {'TPR@1%':>6}  {'TPR@5%':>6}  {'TPR@10%':>6}"


def eval_adfa(vigil, tmp, models, halves):
    src = os.path.join(DATASETS, "adfa-ld.tar.xz")
    subprocess.run(["tar", "-xJf", src, "-C", tmp], check=True)
    base = os.path.join(tmp, "ADFA-LD")
    train = os.path.join(base, "Training_Data_Master")
    val = os.path.join(base, "Validation_Data_Master")
    att = os.path.join(base, "Attack_Data_Master")
    print("ADFA-LD: train Training_Data_Master; negatives validation (EVEN = tuning, "
          "ODD = report half); positives all attacks")
    print(HEADER)
    for name, extra in models:
        scores, secs, size = replay(vigil, "adfa", [train], [val, att], extra)
        pos = [s for p, s in scores.items() if p.startswith(att)]
        for half in halves:
            want = 0 if half == "even" else 1
            neg = [s for p, s in scores.items() if p.startswith(val)
                   and int(re.search(r"UVD-(\d+)", p).group(1)) % 2 == want]
            print(fmt_row(f"{name} [{half}]", neg, pos) + f" {size / 1024:.0f} KiB {secs:.1f}s")
    print()


def read_unm_traces(path):
    """[(pid, [lines])] of one UNM file, PIDs in order of first appearance."""
    traces = {}
    with gzip.open(path, "rt") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                traces.setdefault(parts[0], []).append(line)
    return list(traces.items())


def write_trace(path, lines):
    with gzip.open(path, "wt", compresslevel=1) as f:
        f.writelines(lines)


def split_unm(prog_dir, work):
    """Alternate split of the normal traces into work/train and work/neg.
    Files holding one PID are linked; files holding several are split."""
    train_dir, neg_dir = os.path.join(work, "train"), os.path.join(work, "neg")
    os.makedirs(train_dir)
    os.makedirs(neg_dir)
    normal = os.path.join(prog_dir, "normal")
    files = sorted(f for f in os.listdir(normal) if os.path.isfile(os.path.join(normal, f)))
    index = 0
    for f in files:
        path = os.path.join(normal, f)
        traces = read_unm_traces(path) if len(files) < 100 else None
        if traces is None or len(traces) == 1:
            dest = train_dir if index % 2 == 0 else neg_dir
            os.symlink(path, os.path.join(dest, f))
            index += 1
            continue
        for pid, lines in traces:
            dest = train_dir if index % 2 == 0 else neg_dir
            write_trace(os.path.join(dest, f"{f}.pid{pid}.gz"), lines)
            index += 1
    return train_dir, neg_dir


def eval_unm(vigil, tmp, models):
    subprocess.run(["tar", "-xJf", os.path.join(DATASETS, "unm.tar.xz"), "-C", tmp], check=True)
    print("UNM: per program; normal traces split alternately into train / negatives; "
          "positives all abnormal traces")
    print(HEADER + "  TPR@0FP")
    for prog in UNM_PROGRAMS:
        prog_dir = os.path.join(tmp, "UNM", prog)
        work = os.path.join(tmp, "unm-split", prog)
        train_dir, neg_dir = split_unm(prog_dir, work)
        abnormal = os.path.join(prog_dir, "abnormal")
        for name, extra in models:
            scores, secs, size = replay(vigil, "unm", [train_dir], [neg_dir, abnormal], extra)
            neg = [s for p, s in scores.items() if p.startswith(neg_dir)]
            pos = [s for p, s in scores.items() if p.startswith(abnormal)]
            print(fmt_row(f"{prog} {name}", neg, pos)
                  + f"  {tpr_above_max_neg(neg, pos) * 100:5.1f}% {size / 1024:.1f} KiB {secs:.1f}s")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=["adfa", "unm", "live"], action="append")
    ap.add_argument("--half", choices=["even", "odd"], action="append",
                    help="ADFA validation half(s) to score (default: odd, the report half)")
    ap.add_argument("--replay-args", action="append", default=[], metavar="ARGS",
                    help="evaluate `vigil replay ARGS` (space-separated) instead of the "
                         "default model, the 12-gram model and the plain-pH baseline; "
                         "repeatable (--replay-args=--model ngram: with '=' when ARGS "
                         "begin with '-')")
    a = ap.parse_args()
    vigil = os.path.join(a.build, "vigil")
    if not os.access(vigil, os.X_OK):
        sys.exit(f"eval: {vigil} not found; build it first (make BUILD={a.build})")
    if a.replay_args:
        models = [(args, args.split()) for args in a.replay_args]
    else:
        # the default (12-grams, pairs where they miss), the 12-gram model
        # it replaced, and plain pH
        models = [("default", []), ("12-grams alone", ["--model", "ngram"]),
                  ("plain pH (baseline)", ["--plain-ph"])]
    tmp = tempfile.mkdtemp(prefix="vigil-eval-")
    try:
        if not a.only or "adfa" in a.only:
            eval_adfa(vigil, tmp, models, a.half or ["odd"])
        if not a.only or "unm" in a.only:
            eval_unm(vigil, tmp, models)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not a.only or "live" in a.only:
        # real servers on loopback under the kernel's pH (bench/live_eval.py)
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "live_eval.py"),
                        "--build", a.build])


if __name__ == "__main__":
    main()
