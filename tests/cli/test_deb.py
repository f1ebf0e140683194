#!/usr/bin/env python3
"""scripts/package.sh builds a .deb from the build under test that lintian passes with no
error: stripped binary, compressed man page, copyright and changelog, an extended
description, the shell completions and the docs where Debian puts them. Warnings are
printed (docs/packaging.md lists the ones left). Exit 77 when lintian or dpkg-deb is
missing.

Usage: test_deb.py /path/to/build/conc-probe
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = Path(os.path.abspath(sys.argv[1]))
ROOT = Path(__file__).resolve().parents[2]
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def main():
    for tool in ("lintian", "dpkg-deb", "dpkg-shlibdeps"):
        if shutil.which(tool) is None:
            print(f"{tool} not installed: skipped")
            sys.exit(77)
    with tempfile.TemporaryDirectory(prefix="conc-probe-deb-") as tmp:
        built = subprocess.run([str(ROOT / "scripts/package.sh"), str(BINARY.parent), tmp],
                               capture_output=True, text=True)
        check(built.returncode == 0, f"package.sh failed: {built.stderr}")
        deb = built.stdout.strip().splitlines()[-1] if built.stdout.strip() else ""
        check(deb.endswith(".deb") and Path(deb).is_file(), f"no .deb: {built.stdout!r}")
        if FAILURES:
            sys.exit(1)
        listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
        for path in ("./usr/bin/conc-probe", "./usr/share/man/man1/conc-probe.1.gz",
                     "./usr/share/doc/conc-probe/copyright", "./usr/share/doc/conc-probe/changelog.gz",
                     "./usr/share/doc/conc-probe/README.md", "./usr/share/doc/conc-probe/methodology.md",
                     "./usr/share/bash-completion/completions/conc-probe",
                     "./usr/share/zsh/vendor-completions/_conc-probe",
                     "./usr/share/fish/vendor_completions.d/conc-probe.fish"):
            check(f" {path}\n" in listing + "\n", f"not in the package: {path}")
        owners = {line.split()[1] for line in listing.splitlines() if line.strip()}
        check(owners == {"root/root"}, f"files not owned by root: {owners}")
        description = subprocess.run(["dpkg-deb", "-f", deb, "Description"], capture_output=True, text=True).stdout
        check(len(description.splitlines()) >= 3, f"no extended description: {description!r}")
        result = subprocess.run(["lintian", "--tag-display-limit", "0", deb], capture_output=True, text=True)
        tags = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:", "I:", "X:", "P:")]
        errors = [line for line in tags if line.startswith("E:")]
        for line in tags:
            print("lintian:", line)
        check(not errors, f"lintian errors: {errors}")
        print(f"lintian: {len(errors)} errors, {sum(t.startswith('W:') for t in tags)} warnings")
    print(f"deb: {'ok' if not FAILURES else f'{len(FAILURES)} failed'}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
