#!/usr/bin/env python3
"""`info` and `bench` fitted to the terminal: COLUMNS at 60, 80 and 120, and a real pty's
size (TIOCGWINSZ) with COLUMNS unset. Usage: test_width.py /path/to/conc-probe
"""
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

BINARY = os.path.abspath(sys.argv[1])
BENCH = ["bench", "--workload", "count,sleep", "--mode", "single,threads,gil", "--duration", "30ms",
         "--repetitions", "2", "--warmup", "0", "--workers", "1,2", "-q"]
FAILURES = []
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, columns=None, cwd=None):
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=180, env=env, cwd=cwd)


def widest(text):
    return max((len(ANSI.sub("", line)) for line in text.splitlines()), default=0)


def findings_intact(table, run_json):
    """Every finding's words appear in order in the wrapped text (no word cut in two)."""
    flat = " ".join(line.strip() for line in table.splitlines())
    for finding in run_json["findings"]:
        check(" ".join(finding["text"].split()) in flat, f"finding cut or lost: {finding['text']!r}")


def test_columns(tmp):
    result = run([*BENCH, "--format", "json"], cwd=tmp)
    check(result.returncode == 0, f"bench: exit {result.returncode}")
    (tmp / "run.json").write_text(result.stdout)
    run_json = json.loads(result.stdout)
    wide = run(["show", "run.json"], cwd=tmp).stdout
    for columns in (60, 80, 120):
        info = run(["info"], columns)
        check(info.returncode == 0 and widest(info.stdout) <= columns,
              f"info at {columns}: {widest(info.stdout)} columns")
        table = run(["show", "run.json"], columns, cwd=tmp).stdout
        check(widest(table) <= columns, f"bench table at {columns}: {widest(table)} columns")
        header = next(line for line in table.splitlines() if line.startswith("workload"))
        check("gil hold" not in header or columns >= 120, f"at {columns}: low-priority column kept")
        check("ctx sw" not in header, f"at {columns}: empty or low-priority column kept")
        check("speedup [CI]" in header and "wall" in header, f"at {columns}: essential column dropped")
        findings_intact(table, run_json)
    check(widest(wide) > 120, "without COLUMNS on a pipe the table is not fitted")
    # A column with no value in any cell is dropped: no gil cell, no gil columns.
    (tmp / "nogil.json").write_text(run([*BENCH[:5], "single,threads", *BENCH[7:], "--format", "json"], cwd=tmp).stdout)
    table = run(["show", "nogil.json"], 200, cwd=tmp).stdout
    check("gil sw/s" not in table and "gil hold" not in table, "all-'-' gil columns kept")


def in_pty(args, columns, cwd=None):
    """Runs conc-probe on a terminal of `columns` columns (TIOCGWINSZ), COLUMNS unset;
    returns its terminal output (stdout and stderr together)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child sizes its own terminal before it runs conc-probe
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        os.environ.pop("COLUMNS", None)
        if cwd:
            os.chdir(cwd)
        os.execv(BINARY, [BINARY, *args])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    return output.decode("utf-8", "replace").replace("\r\n", "\n"), os.waitstatus_to_exitcode(status)


def test_pty():
    text, code = in_pty(["info"], 70)
    check(code == 0 and text.count("\n") > 20, "pty: no info output")
    check(widest(text) <= 70, f"info on a 70-column pty: {widest(text)} columns")


def test_exports(tmp):
    """-o and --export-* write every file while the table stays on the terminal."""
    args = [*BENCH, "-o", "run.json", "--export-csv", "run.csv", "--export-markdown", "run.md"]
    text, code = in_pty(args, 80, cwd=tmp)
    check(code == 0, f"exports: exit {code}")
    check("speedup [CI]" in text and "Findings" in text, "exports: the table left the terminal")
    run_json = json.loads((tmp / "run.json").read_text())
    csv = (tmp / "run.csv").read_text().strip().splitlines()
    check(len(csv) == len(run_json["cells"]) + 1, "exports: CSV rows differ from the JSON cells")
    check((tmp / "run.md").read_text().startswith(("#", "|", "conc-probe", "**")), "exports: markdown empty")
    piped = run([*BENCH, "-o", "p.json", "--export-csv", "p.csv"], cwd=tmp)
    check(piped.stdout == "" and (tmp / "p.json").exists() and (tmp / "p.csv").exists(),
          "exports on a pipe: stdout not empty or a file missing")


def test_conventions():
    """-V, short flags, value names, examples, --color and TERM=dumb, list's options real."""
    version = run(["-V"])
    check(version.returncode == 0 and version.stdout.startswith("conc-probe "), "-V")
    bench_help = run(["bench", "--help"]).stdout
    for text in ("-r,--repetitions COUNT", "-w,--warmup COUNT", "-d,--duration DURATION", "-m,--mode LIST",
                 "Examples:", "--color WHEN"):
        check(text in bench_help, f"bench --help lacks {text!r}")
    check(" TEXT" not in bench_help, "bench --help shows TEXT as a value name")
    check("-s,--sysroot DIR" in run(["info", "--help"]).stdout, "info --help lacks -s,--sysroot")
    list_help = run(["list", "--help"]).stdout
    check("Example" in list_help and "Exit codes:" not in list_help, "list --help shows the top-level footer")
    for sub in ("info", "compare", "report", "show"):
        check("Example" in run([sub, "--help"]).stdout, f"{sub} --help has no example")
    # Every --option named by `list` exists in bench --help.
    named = set(re.findall(r"--[a-z][a-z-]+", run(["list"]).stdout))
    for option in named:
        check(option in bench_help, f"list names {option}, which bench does not have")
    os.environ.pop("NO_COLOR", None)
    coloured, _ = in_pty(["info"], 120)
    check("\x1b[" in coloured, "info on a terminal has no colour")
    os.environ["TERM"] = "dumb"
    dumb, _ = in_pty(["info"], 120)
    os.environ.pop("TERM")
    check("\x1b[" not in dumb, "TERM=dumb still gets colour")
    never, _ = in_pty(["info", "--color", "never"], 120)
    check("\x1b[" not in never, "--color never still colours")
    always = run(["info", "--color", "always"])
    check("\x1b[" in always.stdout, "--color always on a pipe has no colour")
    check(run(["info", "--color", "sometimes"]).returncode == 2, "--color sometimes accepted")


def main():
    with tempfile.TemporaryDirectory() as name:
        test_columns(Path(name))
        test_exports(Path(name))
    test_pty()
    test_conventions()
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
