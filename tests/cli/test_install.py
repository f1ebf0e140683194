#!/usr/bin/env python3
"""`cmake --install` puts the binary, the man page, the shell completions, the docs and the
JSON Schemas in the usual places,
and --version names the version and the git revision.

Usage: test_install.py /path/to/build/conc-probe
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = Path(sys.argv[1])
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def main():
    version = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True)
    check(version.returncode == 0, "--version failed")
    check(re.match(r"conc-probe \d+\.\d+\.\d+ \(git [0-9a-f]{7,}|conc-probe \d+\.\d+\.\d+ \(git unknown",
                   version.stdout) is not None, f"--version: {version.stdout!r}")
    with tempfile.TemporaryDirectory(prefix="conc-probe-install-") as prefix:
        result = subprocess.run(["cmake", "--install", str(BINARY.parent), "--prefix", prefix],
                                capture_output=True, text=True)
        check(result.returncode == 0, f"cmake --install failed: {result.stderr}")
        root = Path(prefix)
        for relative in ("bin/conc-probe", "share/man/man1/conc-probe.1",
                         "share/conc-probe/schema/info.schema.json", "share/conc-probe/schema/bench.schema.json",
                         "share/bash-completion/completions/conc-probe", "share/zsh/vendor-completions/_conc-probe",
                         "share/fish/vendor_completions.d/conc-probe.fish", "share/doc/conc-probe/README.md",
                         "share/doc/conc-probe/architecture.md"):
            check((root / relative).is_file(), f"not installed: {relative}")
        # The installed page and completions are the binary's own, not a copy that can drift.
        for relative, args in (("share/man/man1/conc-probe.1", ["man"]),
                               ("share/bash-completion/completions/conc-probe", ["completions", "bash"])):
            made = subprocess.run([str(BINARY), *args], capture_output=True, text=True).stdout
            path = root / relative
            check(path.is_file() and path.read_text() == made, f"{relative} differs from `conc-probe {' '.join(args)}`")
        installed = subprocess.run([str(root / "bin/conc-probe"), "info", "--get", "cpu.usable"],
                                   capture_output=True, text=True)
        check(installed.returncode == 0 and installed.stdout.strip().isdigit(),
              f"installed binary: {installed.stdout!r} {installed.stderr!r}")
    print(f"install: {0 if FAILURES else 1} passed, {len(FAILURES)} failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
