"""vigil rules check: the real binary on Falco's own rules file and on a
broken file."""
import os
import subprocess
import tempfile

from vigil_harness import VIGIL

FALCO_RULES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "compat",
                           "falco_rules.yaml")


def test_falco_rules_file_loads_unmodified():
    p = subprocess.run([VIGIL, "rules", "check", FALCO_RULES], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 failed" in p.stdout and "0 errors" in p.stdout, p.stdout
    # only Kubernetes-metadata rules may be skipped
    for line in p.stderr.splitlines():
        if "skipped:" in line:
            assert "k8s." in line, line
    # the only warnings: conditions on fields vigil records nothing for
    # (container image metadata...), each named with its file and line
    warnings = [l for l in p.stderr.splitlines() if ": warning: " in l]
    for line in warnings:
        assert line.startswith(FALCO_RULES + ":"), line
        assert "vigil records nothing for field" in line, line
    assert any("'Debugfs Launched in Privileged Container'" in l and "container.privileged" in l
               for l in warnings), warnings
    assert f"{len(warnings)} warnings" in p.stdout, (p.stdout, warnings)


def test_broken_rule_file_names_file_line_column_and_problem():
    d = tempfile.mkdtemp()
    bad = os.path.join(d, "bad.yaml")
    with open(bad, "w") as f:
        f.write("- rule: broken\n  desc: x\n  condition: evt.type = open and proc.nosuch = 1\n"
                "  output: hi\n  priority: WARNING\n")
    p = subprocess.run([VIGIL, "rules", "check", bad], capture_output=True, text=True)
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"{bad}:3:" in p.stderr and "proc.nosuch" in p.stderr and "'broken'" in p.stderr, p.stderr
    os.unlink(bad)
    os.rmdir(d)


def test_top_level_help_and_version():
    h = subprocess.run([VIGIL, "--help"], capture_output=True, text=True)
    assert h.returncode == 0
    for cmd in ("run", "rules", "replay"):
        assert f"\n  {cmd} " in h.stdout, h.stdout
    v = subprocess.run([VIGIL, "--version"], capture_output=True, text=True)
    assert v.returncode == 0 and v.stdout.startswith("vigil ")
    bad = subprocess.run([VIGIL, "nosuch"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown command 'nosuch'" in bad.stderr
    r = subprocess.run([VIGIL, "replay", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--format" in r.stdout and "--train" in r.stdout
