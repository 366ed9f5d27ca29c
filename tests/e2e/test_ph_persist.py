"""pH profiles kept across monitor restarts (`--ph-state-dir`): a trained
profile comes back identical in the kernel's maps and stays normal (the
anomaly fires right after the restart, with no retraining); kill -9 during
saves never leaves a broken file; bad files are skipped, named, and the
others load.

The kernel's maps are read with bpftool (found through the monitor's own
file descriptors), and the files with a reader written here from the format
in docs/ph.md, so neither check goes through vigil's own code."""
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib

from vigil_harness import BUILD, VIGIL, Monitor
from ph_program import unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")

HEADER = struct.Struct("<8sIIII16sIIIIQQQQQ256sII40s")  # version 4
PROFILE = struct.Struct("<QIIIIQQQQQQQQ")  # struct ph_profile, 88 bytes
PROFILE_FIELDS = ("id status train_gen test_gen held train_count last_mod_count adds "
                  "test_stamp normal_time anomalies calls store_errors").split()
ITEM = struct.Struct("<IIQQ")
assert HEADER.size == 400 and PROFILE.size == 88 and ITEM.size == 24


def read_profile_file(path):
    """The file checked as the format says; raises ValueError on a bad one."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < HEADER.size + PROFILE.size + 4:
        raise ValueError(f"{path}: truncated ({len(b)} bytes)")
    h = HEADER.unpack_from(b, 0)
    magic, version, nitems = h[0], h[1], h[12]
    if magic != b"VIGILPH\0" or version != 4:
        raise ValueError(f"{path}: bad magic/version")
    body = HEADER.size + PROFILE.size + nitems * ITEM.size
    if len(b) != body + 4:
        raise ValueError(f"{path}: size {len(b)} != {body + 4}")
    (crc,) = struct.unpack_from("<I", b, body)
    if crc != zlib.crc32(b[:body]):
        raise ValueError(f"{path}: checksum mismatch")
    prof = dict(zip(PROFILE_FIELDS, PROFILE.unpack_from(b, HEADER.size)))
    items = {ITEM.unpack_from(b, HEADER.size + PROFILE.size + i * ITEM.size)
             for i in range(nitems)}
    return {"dev": h[10], "ino": h[11], "exe": h[15].split(b"\0")[0].decode(),
            "build_id": h[18][:h[16]].hex(),
            "profile": prof, "items": items}


def kernel_dev(st):
    return (os.major(st.st_dev) << 20) | os.minor(st.st_dev)


def monitor_maps(pid):
    """{name: id} of the BPF maps the monitor with this pid holds open."""
    ids = set()
    fddir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                m = re.search(r"^map_id:\s+(\d+)", f.read(), re.M)
        except OSError:
            continue
        if m:
            ids.add(int(m.group(1)))
    out = {}
    for i in ids:
        p = subprocess.run(["bpftool", "map", "show", "id", str(i)], capture_output=True,
                           text=True)
        m = re.search(r"name (\S+)", p.stdout)
        if m:
            out[m.group(1)] = i
    return out


def _hexbytes(lst):
    return bytes(int(x, 16) for x in lst)


def kernel_profile(mon, dev, ino):
    """The profile of (dev, ino) and its items as the kernel holds them,
    read with bpftool: (profile dict, {(gen, kind, item, stamp)})."""
    import json
    maps = monitor_maps(mon.proc.pid)
    p = subprocess.run(["bpftool", "map", "dump", "id", str(maps["ph_profiles"]), "-j"],
                       capture_output=True, text=True, check=True)
    prof = None
    for e in json.loads(p.stdout):
        kd, ki = struct.unpack("<QQ", _hexbytes(e["key"]))
        if (kd, ki) == (dev, ino):
            prof = dict(zip(PROFILE_FIELDS, PROFILE.unpack(_hexbytes(e["value"]))))
    if prof is None:
        return None, set()
    p = subprocess.run(["bpftool", "map", "dump", "id", str(maps["ph_items"]), "-j"],
                       capture_output=True, text=True, check=True)
    items = set()
    for e in json.loads(p.stdout):
        pid_, gen, item = struct.unpack("<IIQ", _hexbytes(e["key"]))
        # the item's top bit: a pair (1), else an n-gram (2); a pair at
        # distance 0 is the marker of a call the program made (3)
        kind = (1 if (item >> 16) & 0xffff else 3) if item >> 63 else 2
        if pid_ == prof["id"]:
            (stamp,) = struct.unpack("<Q", _hexbytes(e["value"]))
            items.add((gen, kind, item, stamp))
    return prof, items


def _run(exe, *args):
    p = subprocess.run([exe] + list(args), capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    return int(re.search(r"pid=(\d+)", p.stdout).group(1))


def _alerts(mon, ino, rule):
    try:
        events = mon.events()
    except Exception:
        return []
    return [e for e in events if e["rule"] == rule
            and e.get("output_fields", {}).get("ph.exe_ino") == ino]


def _ph_monitor(state, *extra):
    return Monitor("--ph", "--ph-normal-wait", "1", "--no-rules", "--ph-alert-scope", "all",
                   "--ph-state-dir", state,
                   *extra, events=False)


def test_profiles_survive_a_restart_and_stay_normal():
    tmp = tempfile.mkdtemp(prefix="vigil-phpersist-")
    state = os.path.join(tmp, "state", "profiles")
    exe = os.path.join(tmp, "phtest")
    unique_program(PHTEST, exe)
    st = os.stat(exe)
    dev, ino = kernel_dev(st), st.st_ino
    name = os.path.join(state, f"ph-{dev}-{ino}.profile")
    try:
        with _ph_monitor(state) as mon:
            deadline = time.time() + 60
            while not _alerts(mon, ino, "pH profile normal"):
                assert time.time() < deadline, "profile never became normal:\n" + mon.stderr()
                _run(exe, "train")
                time.sleep(0.05)
            _run(exe, "train")
            before, before_items = kernel_profile(mon, dev, ino)
        assert mon.proc.returncode == 0, mon.stderr()
        assert before["status"] & 2, before  # normal
        assert len(before_items) > 0

        # On disk: private directory and file, the format checks out.
        assert os.stat(state).st_mode & 0o777 == 0o700
        assert os.stat(name).st_mode & 0o777 == 0o600
        f = read_profile_file(name)
        assert (f["dev"], f["ino"]) == (dev, ino)
        assert f["exe"] == exe, f["exe"]
        strip = lambda p: {k: v for k, v in p.items() if k != "id"}
        assert strip(f["profile"]) == strip(before)
        assert {(g, k, i, s) for g, k, i, s in f["items"]} == before_items

        # Restart: the same profile and items in the kernel, before the
        # program runs again.
        with _ph_monitor(state) as mon2:
            after, after_items = kernel_profile(mon2, dev, ino)
            assert after is not None, "profile not loaded:\n" + mon2.stderr()
            assert strip(after) == strip(before), (after, before)
            assert after_items == before_items
            assert re.search(r"pH: \d+ profiles \(\d+ items\) loaded from .*, 0 files skipped",
                             mon2.stderr()), mon2.stderr()
            # named by the path its file kept, though the program does not run
            rows = json.loads(subprocess.run(
                [VIGIL, "profiles", "--json", "--socket", mon2.sock], capture_output=True,
                text=True, timeout=60, check=True, stdin=subprocess.DEVNULL).stdout)
            assert [r["exe"] for r in rows if r["ino"] == ino] == [exe], rows
            # Still normal: a training run is quiet, the attack is flagged.
            quiet = _run(exe, "train")
            attack = _run(exe, "attack")
            deadline = time.time() + 10
            while not [a for a in _alerts(mon2, ino, "pH incident")
                       if a["output_fields"]["proc.pid"] == attack]:
                assert time.time() < deadline, "no anomaly after restart:\n" + mon2.stderr()
                time.sleep(0.1)
        alerts = _alerts(mon2, ino, "pH incident")
        assert not [a for a in alerts if a["output_fields"]["proc.pid"] == quiet]
        assert not _alerts(mon2, ino, "pH profile normal"), "the profile was retrained"
        assert re.search(r"vigil: ph memory profiles=\d+ items=\d+ bytes=\d+ avg_per_profile=\d+",
                         mon2.stderr()), mon2.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_kill_9_during_saves_leaves_every_file_whole():
    tmp = tempfile.mkdtemp(prefix="vigil-phpersist-")
    state = os.path.join(tmp, "profiles")
    copies = []
    for i in range(40):  # many profiles that change all the time
        c = os.path.join(tmp, f"phtest{i}")
        unique_program(PHTEST, c)
        copies.append(c)
    rnd = random.Random(7)
    checked = 0
    try:
        for round_ in range(6):
            mon = _ph_monitor(state, "--ph-save-interval", "1")
            mon.__enter__()
            try:
                stop_at = time.time() + rnd.uniform(1.2, 3.0)
                while time.time() < stop_at:
                    procs = [subprocess.Popen([c, "train", str(rnd.randint(1, 200))],
                                              stdout=subprocess.DEVNULL,
                                              stdin=subprocess.DEVNULL) for c in copies]
                    for p in procs:
                        p.wait()
                mon.proc.send_signal(signal.SIGKILL)  # our own monitor, by its pid
                mon.proc.wait()
            finally:
                if mon.proc.poll() is None:
                    mon.proc.kill()
                    mon.proc.wait()
            assert "skipped" not in mon.stderr().replace("0 files skipped", ""), mon.stderr()
            for n in os.listdir(state):
                if n.startswith("ph-") and n.endswith(".profile"):
                    read_profile_file(os.path.join(state, n))  # raises if broken
                    checked += 1
        # A clean start loads every file.
        with _ph_monitor(state) as mon:
            pass
        m = re.search(r"pH: (\d+) profiles \(\d+ items\) loaded from .*, (\d+) files skipped",
                      mon.stderr())
        assert m and int(m.group(2)) == 0 and int(m.group(1)) >= 40, mon.stderr()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return f"[{checked} file checks over 6 kills]"


def _rewrite(path, edit):
    """Re-encodes a valid file after edit(header list) (crc made right)."""
    with open(path, "rb") as f:
        b = bytearray(f.read())
    h = list(HEADER.unpack_from(b, 0))
    edit(h)
    HEADER.pack_into(b, 0, *h)
    body = len(b) - 4
    struct.pack_into("<I", b, body, zlib.crc32(bytes(b[:body])))
    with open(path, "wb") as f:
        f.write(b)


def test_bad_files_are_named_and_skipped():
    tmp = tempfile.mkdtemp(prefix="vigil-phpersist-")
    state = os.path.join(tmp, "profiles")
    copies = []
    for i in range(5):
        c = os.path.join(tmp, f"phtest{i}")
        unique_program(PHTEST, c)
        copies.append(c)
    try:
        with _ph_monitor(state):
            for c in copies:
                _run(c, "train")
        names = [f"ph-{kernel_dev(os.stat(c))}-{os.stat(c).st_ino}.profile" for c in copies]
        for n in names:
            read_profile_file(os.path.join(state, n))
        corrupt, truncated, foreign_model, foreign_magic, good = names
        p = os.path.join(state, corrupt)
        with open(p, "r+b") as f:
            f.seek(HEADER.size + PROFILE.size + 5)
            byte = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([byte[0] ^ 0x40]))
        p = os.path.join(state, truncated)
        os.truncate(p, os.path.getsize(p) - 30)
        _rewrite(os.path.join(state, foreign_model), lambda h: h.__setitem__(8, 6))  # ngram 6
        _rewrite(os.path.join(state, foreign_magic), lambda h: h.__setitem__(0, b"NOTVIGIL"))
        # An empty file and one that is too large.
        open(os.path.join(state, "ph-1-1.profile"), "wb").close()
        with open(os.path.join(state, "ph-1-2.profile"), "wb") as f:
            f.truncate(16 << 20)

        with _ph_monitor(state) as mon:
            gdev, gino = kernel_dev(os.stat(copies[4])), os.stat(copies[4]).st_ino
            prof, items = kernel_profile(mon, gdev, gino)
            bad = [kernel_profile(mon, kernel_dev(os.stat(c)), os.stat(c).st_ino)[0]
                   for c in copies[:4]]
        err = mon.stderr()
        assert mon.proc.returncode == 0, err
        assert re.search(rf"pH profile {corrupt}: checksum mismatch", err), err
        assert re.search(rf"pH profile {truncated}: truncated", err), err
        assert re.search(rf"pH profile {foreign_model}: profile of another model", err), err
        assert re.search(rf"pH profile {foreign_magic}: not a vigil pH profile", err), err
        assert re.search(r"pH profile ph-1-1.profile: truncated", err), err
        assert re.search(r"pH profile ph-1-2.profile: larger than any valid profile", err), err
        assert re.search(r"files skipped", err) and " 6 files skipped" in err, err
        # the good one is there with its items; the bad ones are not
        assert prof is not None and items, err
        assert bad == [None] * 4, bad
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
