"""pH profiles keyed by what the executable is (docs/ph.md, "Profiles keyed
by build-id"): a copy of a trained program (another inode, the same ELF
build-id) starts with the trained, normal profile, in the same monitor run
and after a restart (the profile file records the build-id); a program of
another build does not; `vigil profiles` shows the build-id. Without a
build-id, the SHA-256 of the file's content stands in for it."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from vigil_harness import BUILD, VIGIL, Monitor, copy_program
from test_ph_persist import _run, kernel_dev, read_profile_file
from ph_program import build_id, set_build_id, unique_program

PHTEST = os.path.join(BUILD, "tests", "bin", "vigil-phtest")


_build_id = build_id


def _copy_other_build(src, dst):
    """A copy whose build-id differs in one byte: another build of it."""
    copy_program(src, dst)
    bid = bytes.fromhex(_build_id(src))
    set_build_id(dst, bytes([bid[0] ^ 0xff]) + bid[1:])
    return dst


def _ctl_json(mon, *args):
    p = subprocess.run([VIGIL] + list(args) + ["--json", "--socket", mon.sock],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"vigil {args}: {p.stderr}"
    return json.loads(p.stdout)


def _incidents(mon, ino, pid):
    try:
        events = mon.events()
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return [e for e in events if e["rule"] == "pH incident"
            and e["output_fields"].get("ph.exe_ino") == ino
            and e["output_fields"].get("proc.pid") == pid]


def _monitor(state):
    # normal_wait so long that only `profile normalize` makes a profile normal
    return Monitor("--ph", "--ph-normal-wait", "100000", "--ph-min-train", "100",
                   "--ph-alert-scope", "all", "--ph-state-dir", state, "--no-rules")


def _wait_state(mon, exe, want, timeout=10):
    deadline = time.time() + timeout
    while True:
        prof = _ctl_json(mon, "profile", "show", exe)
        if prof["state"] == want:
            return prof
        assert time.time() < deadline, f"{exe}: {prof}\n" + mon.stderr()
        time.sleep(0.1)


def _wait_identity(mon, exe, timeout=20):
    """The build-id (or content hash) is read when the monitor handles the
    program's exec event, which lags under load."""
    deadline = time.time() + timeout
    while _ctl_json(mon, "profile", "show", exe)["build_id"] is None:
        assert time.time() < deadline, f"{exe}: no build-id read\n" + mon.stderr()
        time.sleep(0.2)


def _assert_normal_copy(mon, copy, src_prof):
    """The copy runs as a trained program: its training path is quiet, its
    attack path is one incident."""
    quiet = _run(copy, "train")
    prof = _wait_state(mon, copy, "normal")
    assert prof["test_items"] == src_prof["test_items"], (prof, src_prof)
    assert prof["id"] != src_prof["id"] and prof["ino"] != src_prof["ino"]
    attack = _run(copy, "attack")
    ino = os.stat(copy).st_ino
    deadline = time.time() + 10
    while not _incidents(mon, ino, attack):
        assert time.time() < deadline, "no incident from the copy's attack:\n" + mon.stderr()
        time.sleep(0.1)
    assert not _incidents(mon, ino, quiet), "the shared profile flagged the trained path"


def test_copy_of_a_trained_program_starts_normal():
    tmp = tempfile.mkdtemp(prefix="vigil-phbid-")
    try:
        os.chmod(tmp, 0o755)
        state = os.path.join(tmp, "state")
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        bid = _build_id(exe)
        with _monitor(state) as mon:
            for _ in range(5):
                _run(exe, "train")
            _wait_identity(mon, exe)
            src = _ctl_json(mon, "profile", "normalize", exe)
            assert src["state"] == "normal" and src["build_id"] == bid, src

            # `cp` to a new inode: the same build-id, the trained profile
            copy = os.path.join(tmp, "phtest-copy")
            shutil.copy(exe, copy)
            copy_program(exe, copy)  # declared deliberate like the original
            assert os.stat(copy).st_ino != os.stat(exe).st_ino
            _assert_normal_copy(mon, copy, src)
            assert re.search(r"pH: .*phtest-copy \(\d+:\d+\) starts with the profile of "
                             r"\d+:\d+, same build-id", mon.stderr()), mon.stderr()
            rows = _ctl_json(mon, "profiles")
            assert {r["exe"]: r["build_id"] for r in rows
                    if r["exe"] in (exe, copy)} == {exe: bid, copy: bid}, rows
            table = subprocess.run([VIGIL, "profiles", "--socket", mon.sock],
                                   capture_output=True, text=True, timeout=60,
                                   stdin=subprocess.DEVNULL).stdout
            assert "BUILD-ID" in table and bid[:16] in table, table

            # another build (a different build-id) learns on its own
            other = _copy_other_build(exe, os.path.join(tmp, "phtest-other"))
            _run(other, "train", "1")
            time.sleep(0.5)
            prof = _ctl_json(mon, "profile", "show", other)
            assert prof["state"] == "training" and prof["build_id"] != bid, prof
        assert mon.proc.returncode == 0, mon.stderr()
        st = os.stat(exe)
        f = read_profile_file(os.path.join(state, f"ph-{kernel_dev(st)}-{st.st_ino}.profile"))
        assert f["build_id"] == bid, f["build_id"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_reinstalled_program_takes_the_saved_profile_after_a_restart():
    """The trained file is gone (a reinstall writes a new inode); the next
    monitor finds the saved profile by build-id."""
    tmp = tempfile.mkdtemp(prefix="vigil-phbid-")
    try:
        os.chmod(tmp, 0o755)
        state = os.path.join(tmp, "state")
        exe = unique_program(PHTEST, os.path.join(tmp, "phtest"))
        with _monitor(state) as mon:
            for _ in range(5):
                _run(exe, "train")
            # the build-id is read off the loop: the saved profile must carry
            # it (a fixed 0.3 s wait lost that race once in CI)
            _wait_identity(mon, exe)
            src = _ctl_json(mon, "profile", "normalize", exe)
        assert mon.proc.returncode == 0, mon.stderr()
        # "reinstall": a new file under the same name, the old inode kept
        # alive elsewhere so that the new one cannot reuse its number
        old = os.path.join(tmp, "phtest.old")
        os.rename(exe, old)
        copy_program(old, exe)
        assert os.stat(exe).st_ino != os.stat(old).st_ino
        with _monitor(state) as mon2:
            _assert_normal_copy(mon2, exe, src)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_copy_without_build_id_shares_by_content_hash():
    """A program linked without a build-id (here: its note removed) is known
    by the SHA-256 of its content: an identical copy starts normal, a copy
    that differs in one byte learns on its own."""
    tmp = tempfile.mkdtemp(prefix="vigil-phcid-")
    try:
        os.chmod(tmp, 0o755)
        state = os.path.join(tmp, "state")
        exe = os.path.join(tmp, "phtest")
        stripped = os.path.join(tmp, "phtest.nobid")
        subprocess.run(["objcopy", "--remove-section", ".note.gnu.build-id", PHTEST, stripped],
                       check=True)
        copy_program(stripped, exe)  # declared deliberate like the original
        assert "Build ID" not in subprocess.run(["readelf", "-n", exe], capture_output=True,
                                                text=True).stdout
        digest = hashlib.sha256(open(exe, "rb").read()).hexdigest()
        with _monitor(state) as mon:
            for _ in range(5):
                _run(exe, "train")
            _wait_identity(mon, exe)
            src = _ctl_json(mon, "profile", "normalize", exe)
            assert src["state"] == "normal" and src["build_id"] == "sha256:" + digest, src

            copy = os.path.join(tmp, "phtest-copy")
            copy_program(exe, copy)
            assert os.stat(copy).st_ino != os.stat(exe).st_ino
            _assert_normal_copy(mon, copy, src)
            assert re.search(r"pH: .*phtest-copy \(\d+:\d+\) starts with the profile of "
                             r"\d+:\d+, same content \(sha256\)", mon.stderr()), mon.stderr()

            # one byte of padding more: other content, its own profile
            other = os.path.join(tmp, "phtest-other")
            copy_program(exe, other)
            with open(other, "ab") as f:
                f.write(b"\0")
            _run(other, "train", "1")
            time.sleep(0.5)
            prof = _ctl_json(mon, "profile", "show", other)
            assert prof["state"] == "training", prof
            assert prof["build_id"].startswith("sha256:") and prof["build_id"] != src["build_id"]
        assert mon.proc.returncode == 0, mon.stderr()
        st = os.stat(exe)
        f = read_profile_file(os.path.join(state, f"ph-{kernel_dev(st)}-{st.st_ino}.profile"))
        assert f["build_id"] == "ff" + digest, f["build_id"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
