"""`make install DESTDIR=tmp PREFIX=/usr` puts every file where it belongs;
the installed binary runs, finds its installed rules and accepts the
installed example configuration; the man pages render without warnings; the
systemd unit verifies; the example file is the one the key table generates;
`make uninstall` removes what install put there except the configuration."""
import os
import shutil
import subprocess
import tempfile

from vigil_harness import VIGIL, run_deliberate

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.path.abspath(os.path.dirname(VIGIL))

FILES = {
    "usr/sbin/vigil": 0o755,
    "usr/share/vigil/vigil_rules.yaml": 0o644,
    "usr/share/man/man8/vigil.8": 0o644,
    "usr/share/man/man5/vigil.yaml.5": 0o644,
    "usr/share/man/man5/vigil-rules.5": 0o644,
    "usr/share/bash-completion/completions/vigil": 0o644,
    "usr/lib/systemd/system/vigil.service": 0o644,
    "etc/vigil/vigil.yaml": 0o600,
}


def _make(dest, *targets):
    # installing an executable into a temporary root alerts, rightly
    p = run_deliberate(["make", "-s", "-C", TOP, f"BUILD={BUILD}", f"DESTDIR={dest}",
                        "PREFIX=/usr"] + list(targets), text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def _install():
    dest = tempfile.mkdtemp(prefix="vigil-install-")
    _make(dest, "install")
    return dest


def test_make_install_puts_every_file_in_place():
    dest = _install()
    try:
        for rel, mode in FILES.items():
            path = os.path.join(dest, rel)
            assert os.path.isfile(path), f"{rel} not installed"
            assert os.stat(path).st_mode & 0o777 == mode, (rel, oct(os.stat(path).st_mode))
        vigil = os.path.join(dest, "usr/sbin/vigil")
        p = run_deliberate([vigil, "--version"], text=True)
        assert p.returncode == 0 and p.stdout.startswith("vigil "), p.stdout + p.stderr
        # The installed binary names the installed rules as its default.
        p = run_deliberate([vigil, "config", "show", "--config",
                            os.path.join(dest, "etc/vigil/vigil.yaml")],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert "the default rules: /usr/share/vigil/vigil_rules.yaml" in p.stdout, p.stdout
        # Its example configuration checks.
        p = run_deliberate([vigil, "config", "check", "--config",
                            os.path.join(dest, "etc/vigil/vigil.yaml")],
                           capture_output=True, text=True)
        assert p.returncode == 0 and "configuration OK" in p.stdout, p.stderr
        # The installed rules check.
        p = run_deliberate([vigil, "rules", "check", "-q",
                            os.path.join(dest, "usr/share/vigil/vigil_rules.yaml")],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
        unit = open(os.path.join(dest, "usr/lib/systemd/system/vigil.service")).read()
        assert "ExecStart=/usr/sbin/vigil run\n" in unit and "@" not in unit
        # Staged, its default rules are not where it looks (unless this machine has
        # vigil installed): it refuses to run with detection off rather than warn.
        if not os.path.exists("/usr/share/vigil/vigil_rules.yaml"):
            p = run_deliberate([vigil, "run", "--duration", "1", "--no-ph", "--no-auth",
                                "--lock-file", os.path.join(dest, "lock"),
                                "--control-socket", "none"],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == 2, p.stdout + p.stderr
            assert "default rules /usr/share/vigil/vigil_rules.yaml not found" in p.stderr, p.stderr
            assert "--no-rules" in p.stderr, p.stderr
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_install_keeps_an_existing_configuration_and_uninstall_removes_the_rest():
    dest = _install()
    try:
        conf = os.path.join(dest, "etc/vigil/vigil.yaml")
        with open(conf, "w") as f:
            f.write("stats: {interval: 5}\n")
        out = _make(dest, "install")
        assert "keeping" in out
        assert open(conf).read() == "stats: {interval: 5}\n"
        _make(dest, "uninstall")
        left = sorted(os.path.relpath(os.path.join(d, f), dest)
                      for d, _, fs in os.walk(dest) for f in fs)
        assert left == ["etc/vigil/vigil.yaml"], left
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_man_pages_render_without_warnings():
    for page in ("vigil.8", "vigil.yaml.5", "vigil-rules.5"):
        path = os.path.join(TOP, "man", page)
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path],
                           capture_output=True, text=True)
        assert p.returncode == 0 and p.stderr == "", (page, p.stderr)
        if shutil.which("man"):
            p = subprocess.run(["man", "--warnings", "-l", path], capture_output=True,
                               text=True, env=dict(os.environ, MANWIDTH="80", MANPAGER="cat",
                                                   PAGER="cat"))
            assert p.returncode == 0 and p.stderr == "", (page, p.stderr)
            assert "SEE ALSO" in p.stdout


def test_man_page_and_example_name_every_key():
    keys = subprocess.run([VIGIL, "config", "keys"], capture_output=True, text=True).stdout
    names = [l.split("`")[1] for l in keys.splitlines() if l.startswith("| `")]
    assert len(names) >= 22, keys
    man = open(os.path.join(TOP, "man", "vigil.yaml.5")).read()
    for name in names:
        assert f".BR {name} " in man, f"{name} is not documented in vigil.yaml(5)"
    # etc/vigil.yaml is exactly what the key table generates.
    example = subprocess.run([VIGIL, "config", "example"], capture_output=True, text=True)
    assert example.stdout == open(os.path.join(TOP, "etc", "vigil.yaml")).read(), \
        "etc/vigil.yaml is stale: regenerate it with `build/vigil config example > etc/vigil.yaml`"
    # docs/configuration.md holds the generated key table.
    doc = open(os.path.join(TOP, "docs", "configuration.md")).read()
    assert keys in doc, "docs/configuration.md: key table is stale (build/vigil config keys)"


def test_systemd_unit_verifies():
    if not shutil.which("systemd-analyze"):
        return "skipped: no systemd-analyze"
    dest = _install()
    try:
        # Point the unit at the staged binary: verify checks it exists.
        vigil = os.path.join(dest, "usr/sbin/vigil")
        unit = open(os.path.join(dest, "usr/lib/systemd/system/vigil.service")).read()
        d = tempfile.mkdtemp(prefix="vigil-unit-")
        path = os.path.join(d, "vigil.service")
        with open(path, "w") as f:
            f.write(unit.replace("/usr/sbin/vigil", vigil))
        p = run_deliberate(["systemd-analyze", "verify", "--man=no", path],
                           capture_output=True, text=True, timeout=60)
        shutil.rmtree(d, ignore_errors=True)
        assert p.returncode == 0 and p.stderr.strip() == "", p.stderr
        for want in ("ProtectSystem=strict", "NoNewPrivileges=yes", "CAP_BPF", "CAP_PERFMON",
                     "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID"):
            assert want in unit, want
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_bash_completion_loads_and_completes():
    path = os.path.join(TOP, "etc", "vigil.bash-completion")
    script = (f"PATH={BUILD}:$PATH; source {path}; COMP_WORDS=(vigil con); COMP_CWORD=1; _vigil; "
              "echo \"${COMPREPLY[@]}\"; COMP_WORDS=(vigil run --set sensor.po); COMP_CWORD=3; "
              "_vigil; echo \"${COMPREPLY[@]}\"")
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    lines = p.stdout.splitlines()
    assert p.returncode == 0 and lines[0] == "config", (p.stdout, p.stderr)
    assert lines[1] == "sensor.poll_ms=", (p.stdout, p.stderr)
