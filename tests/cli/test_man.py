#!/usr/bin/env python3
"""The manual page comes from the command line's definition: every option that any
subcommand's --help lists is in that subcommand's section, every workload (the convoy
ones too) and mode of `conc-probe list` is in the page, and man/groff render it without
a warning (when they are installed).

Usage: test_man.py /path/to/conc-probe
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = os.path.abspath(sys.argv[1])
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def plain(roff):
    """The roff source's text: escapes of hyphens and fonts undone."""
    text = roff.replace("\\-", "-").replace("\\e", "\\").replace("\\%", "").replace("\\&", "")
    return re.sub(r"\\f[BIRP]", "", text)


def subcommands():
    text = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
    block = text.split("Subcommands:", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^  (\w[\w-]*)\s", block, re.M)]


def help_options(subcommand):
    text = subprocess.run([BINARY, subcommand, "--help"], capture_output=True, text=True).stdout
    options = text.split("Options:", 1)[-1].split("Example", 1)[0]
    found = []
    for line in options.splitlines():
        m = re.match(r"^\s+((?:-\w,)?--[a-z][a-z-]*)", line)
        if m:
            found.extend(m.group(1).split(","))
    return found


def sections(page):
    """Subsection title → its text."""
    parts = re.split(r"^\.S[SH] (.*)$", page, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def main():
    result = subprocess.run([BINARY, "man"], capture_output=True, text=True)
    check(result.returncode == 0 and result.stderr == "", f"man: exit {result.returncode} {result.stderr!r}")
    page = result.stdout
    parts = {title: plain(body) for title, body in sections(page).items()}
    subs = subcommands()
    for expected in ("info", "bench", "compare", "list", "report", "show", "completions"):
        check(expected in subs, f"--help does not list {expected}")
    checked = 0
    for sub in subs:
        section = parts.get(f"conc\\-probe {sub}")
        check(section is not None, f"no section for {sub}")
        if section is None:
            continue
        options = help_options(sub)
        check(options, f"{sub} --help lists no options")
        for option in options:
            check(re.search(rf"(^|[\s,]){re.escape(option)}([\s,]|$)", section, re.M) is not None,
                  f"{sub}: {option} not in its section")
            checked += 1
    listing = subprocess.run([BINARY, "list"], capture_output=True, text=True).stdout
    workloads = re.findall(r"^  (\S+)\s", listing.split("Modes:")[0], re.M)
    modes = re.findall(r"^  (\S+)\s", listing.split("Modes:")[1].split("Start methods")[0], re.M)
    methods = re.findall(r"^  (\S+)\s", listing.split("Start methods")[1], re.M)
    check(methods == ["fork", "spawn", "forkserver"], f"list: start methods {methods}")
    for name in methods:
        check(re.search(rf"^\.B {re.escape(name)}$", plain(parts.get("START METHODS", "")), re.M),
              f"start method {name} not in START METHODS")
    check("convoy" in workloads and "convoy-ready" in workloads, f"list: {workloads}")
    for name in workloads:
        check(re.search(rf"^\.B {re.escape(name)}$", plain(parts.get("WORKLOADS", "")), re.M),
              f"workload {name} not in WORKLOADS")
    for name in modes:
        check(re.search(rf"^\.B {re.escape(name)}$", plain(parts.get("MODES", "")), re.M),
              f"mode {name} not in MODES")
    print(f"man: {checked} options of {len(subs)} subcommands, {len(workloads)} workloads, {len(modes)} modes")
    with tempfile.TemporaryDirectory(prefix="conc-probe-man-") as tmp:
        path = Path(tmp) / "conc-probe.1"
        path.write_text(page)
        rendered = False
        if shutil.which("groff"):
            run = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(path)], capture_output=True, text=True)
            check(run.returncode == 0 and run.stderr == "", f"groff warns: {run.stderr!r}")
            rendered = True
        if shutil.which("man"):
            env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_STDERR="1")
            run = subprocess.run(["man", "--warnings", "-l", str(path)], capture_output=True, text=True, env=env)
            check(run.returncode == 0 and run.stderr == "", f"man -l warns: {run.stderr!r}")
            check("conc-probe bench" in run.stdout, "man -l rendered no bench section")
            rendered = True
        print("rendered with groff/man" if rendered else "neither groff nor man installed: not rendered")
    print(f"man page: {'ok' if not FAILURES else f'{len(FAILURES)} failed'}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
