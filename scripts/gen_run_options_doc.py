#!/usr/bin/env python3
"""Write the options of `vigil run` into README.md and man/vigil.8 from the
option table (src/cli/run_options.c, printed by `vigil config run-options`
and `vigil config run-options-man`), between the "generated" markers.

    scripts/gen_run_options_doc.py [--build DIR] [--check]

--check changes nothing and exits 1 when a file is not what the table says
(unit/test_run_options checks the same)."""
import argparse
import os
import subprocess
import sys

FILES = (
    ("README.md", "run-options",
     "<!-- generated: vigil config run-options (scripts/gen_run_options_doc.py) -->\n",
     "<!-- end generated -->\n"),
    ("man/vigil.8", "run-options-man",
     '.\\" generated: vigil config run-options-man (scripts/gen_run_options_doc.py)\n',
     '.\\" end generated\n'),
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    stale = 0
    for path, what, begin, end in FILES:
        text = subprocess.run([os.path.join(a.build, "vigil"), "config", what], check=True,
                              capture_output=True, text=True).stdout
        with open(path) as f:
            doc = f.read()
        i, j = doc.find(begin), doc.find(end)
        if i < 0 or j < i:
            sys.exit(f"{path}: the generated markers are missing")
        new = doc[:i + len(begin)] + text + doc[j:]
        if new != doc:
            stale += 1
            if a.check:
                print(f"{path}: the run options differ from the table (run {sys.argv[0]})")
            else:
                with open(path, "w") as f:
                    f.write(new)
                print(f"{path}: written")
    return 1 if a.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
