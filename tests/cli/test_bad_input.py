#!/usr/bin/env python3
"""Bad invocations of every subcommand, table-driven: each must end with exit code 2, exactly
one line `conc-probe: error: ...` on stderr (with the expected words), nothing on stdout, and
no file left behind.

Usage: test_bad_input.py /path/to/conc-probe
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = sys.argv[1]
FAILURES = []


def run(args, cwd, env):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def make_inputs(tmp, env):
    """Result files for compare: two real runs with different cells, and broken ones."""
    files = {}
    for name, workload in (("run_count", "count"), ("run_sleep", "sleep")):
        path = tmp / f"{name}.json"
        result = run(["bench", "--workload", workload, "--mode", "single", "--duration", "20ms",
                      "--repetitions", "1", "--warmup", "0", "--quiet", "--format", "json", "-o", str(path)],
                     tmp, env)
        assert result.returncode == 0, result.stderr
        files[name] = path
    document = json.loads(files["run_count"].read_text())
    newer = dict(document, schema_version="2.0")
    foreign = dict(document, context=dict(document["context"], tool="hyperfine"))
    for name, text in (("empty", ""), ("garbage", "{{{ not json"), ("array", "[1, 2]"),
                       ("newer", json.dumps(newer)), ("foreign", json.dumps(foreign)),
                       ("hyperfine", json.dumps({"results": [{"command": "sleep 1", "mean": 1.0}]}))):
        files[name] = tmp / f"{name}.json"
        files[name].write_text(text)
    huge = tmp / "huge.json"
    with open(huge, "wb") as handle:  # sparse: takes no disk space
        handle.truncate(300 << 20)
    files["huge"] = huge
    return files


def cases(tmp, files):
    f = {name: str(path) for name, path in files.items()}
    out = str(tmp / "out" / "result.json")
    return [
        # (arguments, words the message must contain, file that must not exist)
        ([], "subcommand", None),
        (["frobnicate"], "unknown subcommand 'frobnicate'", None),
        (["infoo"], "did you mean 'info'", None),
        (["benhc"], "did you mean 'bench'", None),
        (["--bogus"], "--bogus", None),
        (["info", "--format", "xml"], "xml", None),
        (["info", "--format"], "format", None),
        (["info", "--get", "cpu.usabel"], "cpu.usable", None),
        (["info", "--get", "nosuch.key"], "nosuch.key", None),
        (["info", "--sysroot", str(tmp / "missing")], "not a directory", None),
        (["info", "--sysroot", f["empty"]], "not a directory", None),
        (["info", "--frmat", "json"], "did you mean '--format'", None),
        (["info", "extra"], "extra", None),
        (["bench", "--mode", "thread"], "did you mean 'threads'", None),
        (["bench", "--mode", ""], "mode", None),
        (["bench", "--workload", "primez"], "did you mean 'primes'", None),
        (["bench", "--workers", "0"], "0", None),
        (["bench", "--workers", "-1"], "-1", None),
        (["bench", "--workers", "100000"], "100000", None),
        (["bench", "--workers", "1,,2"], "workers", None),
        (["bench", "--workers", "abc"], "abc", None),
        (["bench", "--duration", "0"], "duration", None),
        (["bench", "--duration", "-5ms"], "-5ms", None),
        (["bench", "--duration", "abc"], "abc", None),
        (["bench", "--duration", "5"], "'5'", None),
        (["bench", "--duration", "1000h"], "1000h", None),
        (["bench", "--duration", "5 parsecs"], "parsecs", None),
        (["bench", "--repetitions", "0"], "repetitions", None),
        (["bench", "--repetitions", "1.5"], "1.5", None),
        (["bench", "--warmup", "-1"], "-1", None),
        (["bench", "--switch-interval", "0ms"], "0ms", None),
        (["bench", "--switch-interval", "5ms,,1ms"], "switch-interval", None),
        (["bench", "--gil-policy", "old"], "old", None),
        (["bench", "--check-interval", "0"], "check-interval", None),
        (["bench", "--gil-policy", ""], "--gil-policy", None),
        (["bench", "--check-interval", ""], "--check-interval", None),
        (["bench", "--python-version", "4.1"], "unknown Python version '4.1'", None),
        (["bench", "--python-version", "3"], "unknown Python version '3'", None),
        (["bench", "--python-version", "3.x"], "unknown Python version", None),
        (["bench", "--python-version", ""], "--python-version", None),
        (["bench", "--python-version", "3.13t"], "free-threaded", None),
        (["bench", "--python-version", "2.7", "--gil-policy", "new"], "contradicts --python-version 2.7", None),
        (["bench", "--python-version", "3.12", "--gil-policy", "legacy"], "contradicts", None),
        (["bench", "--start-method", "clone"], "clone", None),
        (["bench", "--cpus", "99"], "99", None),
        (["bench", "--cpus", "3-1"], "3-1", None),
        (["bench", "--cpus", "abc"], "abc", None),
        (["bench", "--io-latency", "-1ms"], "-1ms", None),
        (["bench", "--op-overhead", "-1ms"], "-1ms", None),
        (["bench", "--op-overhead", "soon"], "soon", None),
        (["bench", "--op-overhead", ""], "--op-overhead", None),
        (["bench", "--workload", "mixed", "--io-fraction", "1"], "--io-fraction", None),
        (["bench", "--workload", "mixed", "--io-fraction", "abc"], "abc", None),
        (["bench", "--workload", "mixed", "--compute-time", "0us"], "--compute-time", None),
        (["bench", "--workload", "mixed", "--compute-time", "1ms", "--io-fraction", "0.5"], "give one", None),
        (["bench", "--workload", "count", "--io-fraction", "0.5"], "mixed workload only", None),
        (["bench", "--format", "yaml"], "yaml", None),
        (["bench", "--seed", "abc"], "abc", None),
        (["bench", "--workload", "count", "-o", out], "out", out),
        (["bench", "--workload", "count", "-o", str(tmp)], str(tmp), None),
        (["bench", "--mode", "single", "--workload", "count", "--duration", "20ms", "--repetitions", "1",
          "--format", "yaml", "-o", str(tmp / "r.json")], "yaml", str(tmp / "r.json")),
        (["compare"], "BASE", None),
        (["compare", f["run_count"]], "NEW", None),
        (["compare", str(tmp / "missing.json"), f["run_count"]], "missing.json", None),
        (["compare", f["empty"], f["run_count"]], "empty", None),
        (["compare", f["garbage"], f["run_count"]], "not valid JSON", None),
        (["compare", f["array"], f["run_count"]], "not conc-probe", None),
        (["compare", f["huge"], f["run_count"]], "too large", None),
        (["compare", f["run_count"], f["newer"]], "newer", None),
        (["compare", f["foreign"], f["run_count"]], "not written by conc-probe", None),
        (["compare", f["hyperfine"], f["run_count"]], "not conc-probe", None),
        (["compare", f["run_count"], f["run_sleep"]], "cells do not match", None),
        (["compare", f["run_count"], f["run_count"], "--threshold", "10"], "threshold", None),
        (["compare", f["run_count"], f["run_count"], "--threshold", "-5%"], "-5%", None),
        (["compare", f["run_count"], f["run_count"], "--format", "csv"], "csv", None),
        (["compare", f["run_count"], f["run_count"], "--fail-on", "always"], "always", None),
        (["list", "extra"], "extra", None),
        (["list", "--bogus"], "--bogus", None),
    ]


def check_case(args, words, forbidden_file, tmp, env):
    before = set(tmp.rglob("*"))
    result = run(args, tmp, env)
    label = " ".join(args) or "(no arguments)"
    lines = result.stderr.splitlines()
    problems = []
    if result.returncode != 2:
        problems.append(f"exit code {result.returncode}, expected 2")
    if len(lines) != 1 or not lines[0].startswith("conc-probe: error: "):
        problems.append(f"stderr is not one error line: {result.stderr!r}")
    elif words not in lines[0]:
        problems.append(f"message {lines[0]!r} lacks {words!r}")
    if result.stdout:
        problems.append(f"stdout not empty: {result.stdout[:200]!r}")
    if forbidden_file and Path(forbidden_file).exists():
        problems.append(f"{forbidden_file} was written")
    left = set(tmp.rglob("*")) - before
    if left:
        problems.append(f"left files behind: {sorted(map(str, left))}")
    for problem in problems:
        FAILURES.append(f"{label}: {problem}")
        print(f"FAIL {label}: {problem}", file=sys.stderr)


def check_process_limit(tmp, env):
    """ulimit -u below the requested workers: a clear error before any work (as root the
    kernel would not even enforce it, so conc-probe must check it itself)."""
    import resource

    def lower_limit():
        resource.setrlimit(resource.RLIMIT_NPROC, (100, 100))

    result = subprocess.run([BINARY, "bench", "--mode", "process", "--workload", "count", "--workers", "200"],
                            capture_output=True, text=True, timeout=60, cwd=tmp, env=env, preexec_fn=lower_limit)
    lines = result.stderr.splitlines()
    if result.returncode != 2 or len(lines) != 1 or "RLIMIT_NPROC" not in lines[0] or result.stdout:
        FAILURES.append(f"ulimit -u 100, 200 workers: exit {result.returncode}, stderr {result.stderr!r}")
        print(f"FAIL ulimit: {result.returncode} {result.stderr!r}", file=sys.stderr)


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-badinput-") as name:
        tmp = Path(name)
        env = dict(os.environ, TMPDIR=str(tmp))
        files = make_inputs(tmp, env)
        table = cases(tmp, files)
        assert len(table) >= 40
        for args, words, forbidden in table:
            check_case(args, words, forbidden, tmp, env)
        check_process_limit(tmp, env)
        table.append((["ulimit"], "", None))
        failed = len({f.split(":")[0] for f in FAILURES})
        print(f"bad-input: {len(table) - failed} passed, {failed} failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
