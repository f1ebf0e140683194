#!/usr/bin/env python3
"""CLI tests of `conc-probe bench` and `conc-probe list`, run against the real binary.

Usage: test_bench.py /path/to/conc-probe
"""
import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema

BINARY = sys.argv[1]
DOCS = Path(os.environ.get("CONC_PROBE_DOCS", Path(__file__).resolve().parents[2] / "docs"))
SCHEMA = json.loads((DOCS / "schema" / "bench.schema.json").read_text())
SHORT = ["--workload", "count,sleep", "--duration", "50ms", "--repetitions", "2", "--warmup", "0", "--workers", "1,2"]
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, env=None, timeout=120):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, env=env)


def private_env(tmp):
    """An environment whose temporary files go to a directory this test owns."""
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp)
    env.pop("NO_COLOR", None)
    return env


def session_alive(sid):
    """True when any process of session `sid` (the child's own session) still exists."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:
            return True
    return False


def validate(document, what):
    try:
        jsonschema.validate(document, SCHEMA)
    except jsonschema.ValidationError as error:
        check(False, f"{what}: schema violation at {list(error.absolute_path)}: {error.message}")


def test_short_run_matches_schema():
    with tempfile.TemporaryDirectory() as tmp:
        result = run(["bench", *SHORT, "--format", "json"], env=private_env(tmp))
        check(result.returncode == 0, f"short run exit {result.returncode}: {result.stderr}")
        document = json.loads(result.stdout)
        validate(document, "short run")
        cells = document["cells"]
        # 2 workloads x (single + threads/gil/process x 2 worker counts)
        check(len(cells) == 14, f"expected 14 cells, got {len(cells)}")
        for cell in cells:
            name = "/".join(str(v) for v in cell["key"].values())
            check(not cell["failed"], f"cell {name} failed: {cell['error']}")
            check(len(cell["samples"]) == 2, f"cell {name}: {len(cell['samples'])} samples")
            check(cell["checksum_ok"], f"cell {name}: checksum mismatch")
            check(all(s["checksum"] == cell["expected_checksum"] for s in cell["samples"]),
                  f"cell {name}: sample checksums differ from the expected total")
        check(document["context"]["command_line"][1:3] == ["bench", "--workload"],
              f"command line {document['context']['command_line']}")
        check(result.stderr == "", f"stderr not empty without a terminal: {result.stderr!r}")
        check(list(Path(tmp).iterdir()) == [], "temporary files left behind")


# Measured as well: interference (its marks and notes follow the machine's load), the run
# delay (null only where the kernel keeps none), and the /proc/stat noise (null when a
# repetition is shorter than one clock tick).
MEASURED_TEXT = {"start_time", "checksum", "expected_checksum", "text", "busy", "interference", "noise",
                 "wait_seconds"}


def normalised(document):
    """The JSON with everything measured blanked: numbers, the start time, checksums (they
    depend on the calibrated op count), the findings' sentences (they quote numbers) and the
    busy flags (they follow the machine's load, which differs between two runs)."""
    if isinstance(document, dict):
        return {k: ("X" if k in MEASURED_TEXT else normalised(v)) for k, v in document.items()}
    if isinstance(document, list):
        return [normalised(v) for v in document]
    if isinstance(document, float) or (isinstance(document, int) and not isinstance(document, bool)):
        return 0
    return document


def first_difference(a, b, path=""):
    """Where two normalised documents first differ, for the failure message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}/{key}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}/{i}")
    return f"{path}: {a!r} vs {b!r}"


def run_on_pty(args):
    """Runs with stdout (and stderr) on a pseudo-terminal; returns (exit code, stdout text)."""
    master, slave = pty.openpty()
    process = subprocess.Popen([BINARY, *args], stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.wait(timeout=120), b"".join(chunks).decode().replace("\r\n", "\n")


def test_json_same_on_pipe_and_terminal():
    args = ["--workload", "count", "--mode", "single,threads", "--workers", "2", "--duration", "20ms",
            "--repetitions", "1", "--warmup", "0", "--format", "json"]
    piped = run(["bench", *args])
    code, on_tty = run_on_pty(["bench", *args])
    check(piped.returncode == 0 and code == 0, f"json runs exit {piped.returncode}/{code}")
    check("\x1b" not in on_tty, "escape codes in JSON on a terminal")
    piped_doc, tty_doc = json.loads(piped.stdout), json.loads(on_tty)
    for doc in (piped_doc, tty_doc):
        doc["context"]["info"] = None  # live values (available memory) differ between runs
        # Which findings appear depends on the measurements (a noise finding only when the
        # machine was busy); the rest of the document must match key for key.
        doc["findings"] = [f for f in doc["findings"] if f["topic"] not in ("noise",)]
    a, b = normalised(piped_doc), normalised(tty_doc)
    check(a == b, "JSON differs between a pipe and a terminal: " + first_difference(a, b))


def expect_usage_error(args, needle, what):
    result = run(args, timeout=60)
    lines = result.stderr.strip().splitlines()
    check(result.returncode == 2, f"{what}: exit {result.returncode}, stderr {result.stderr!r}")
    check(len(lines) == 1 and lines[0].startswith("conc-probe: error: "), f"{what}: stderr {result.stderr!r}")
    check(needle in result.stderr, f"{what}: {needle!r} not in {result.stderr!r}")
    check(result.stdout == "", f"{what}: stdout not empty")


def test_bad_inputs():
    expect_usage_error(["bench", "--mode", "thread"], "did you mean 'threads'", "unknown mode")
    expect_usage_error(["bench", "--workload", "prime"], "did you mean 'primes'", "unknown workload")
    for workers in ["0", "100000", "abc", "1,,2"]:
        expect_usage_error(["bench", "--workers", workers], "--workers", f"--workers {workers}")
    expect_usage_error(["bench", "--workers=-1"], "--workers", "--workers -1")
    for duration in ["0", "-5ms", "abc", "0ms", "5"]:
        expect_usage_error(["bench", f"--duration={duration}"], "--duration", f"--duration {duration}")
    expect_usage_error(["bench", "--repetitions", "0"], "--repetitions", "--repetitions 0")
    expect_usage_error(["bench", "--switch-interval", "0ms"], "--switch-interval", "--switch-interval 0ms")
    expect_usage_error(["bench", "--format", "jsn"], "did you mean 'json'", "unknown format")
    expect_usage_error(["bench", "--cpus", "99999"], "--cpus", "cpus outside the affinity")
    expect_usage_error(["bench", "--start-method", "forksrv"], "--start-method", "start method")
    expect_usage_error(["bench", "--gil-policy", "old"], "--gil-policy", "gil policy")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "missing" / "run.json"
        expect_usage_error(["bench", *SHORT, "-o", str(target)], "cannot write", "unwritable -o")
        check(not target.exists() and list(Path(tmp).iterdir()) == [], "unwritable -o left a file")
        expect_usage_error(["bench", *SHORT, "-o", tmp], "directory", "-o a directory")


def test_output_file():
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "run.json"
        result = run(["bench", *SHORT, "-o", str(target)], env=private_env(tmp))
        check(result.returncode == 0, f"-o run exit {result.returncode}: {result.stderr}")
        check(result.stdout == "", "-o run wrote to stdout")
        check("wrote 14 cells" in result.stderr, f"-o note missing: {result.stderr!r}")
        validate(json.loads(target.read_text()), "-o file")
        check(sorted(p.name for p in Path(tmp).iterdir()) == ["run.json"], "temporary files next to -o")
        csv = Path(tmp) / "run.csv"
        result = run(["bench", *SHORT, "--mode", "single", "-o", str(csv), "--quiet"], env=private_env(tmp))
        check(result.returncode == 0 and result.stderr == "", f"csv -o: {result.returncode} {result.stderr!r}")
        check(csv.read_text().startswith("workload,mode,workers,"), "-o .csv is not CSV")


def test_sigint_keeps_finished_cells():
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "run.json"
        args = ["bench", "--workload", "count,sleep,primes,hash,file", "--duration", "150ms", "--repetitions", "3",
                "--warmup", "0", "--workers", "1,2", "-o", str(target), "--quiet"]
        process = subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=private_env(tmp), start_new_session=True)
        deadline = time.monotonic() + 120
        while not target.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        check(process.poll() is None, "run ended before the first cell was saved")
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
        _, stderr = process.communicate(timeout=60)
        check(process.returncode == 130, f"SIGINT exit {process.returncode}: {stderr!r}")
        document = json.loads(target.read_text())
        validate(document, "interrupted -o file")
        check(document["interrupted"] is True, "interrupted flag not set in -o file")
        check(len(document["cells"]) >= 1, "no finished cells kept in -o")
        time.sleep(0.2)
        check(not session_alive(process.pid), "processes of the run still alive after exit")
        check(sorted(p.name for p in Path(tmp).iterdir()) == ["run.json"],
              f"temporary files left: {sorted(p.name for p in Path(tmp).iterdir())}")


def test_python_version():
    """--python-version picks the lock of that CPython: 2.x's releases every check interval and
    never asks the holder to drop it; 3.2+'s asks after a switch interval. The choice is in the
    JSON, and a saved run says it again."""
    base = ["bench", "--mode", "gil", "--workload", "count", "--workers", "2", "--duration", "100ms",
            "--repetitions", "1", "--warmup", "0", "--quiet", "--format", "json"]
    seen = {}
    for version in ["2.7", "2.2", "3.12"]:
        result = run([*base, "--python-version", version])
        check(result.returncode == 0, f"--python-version {version}: exit {result.returncode} {result.stderr}")
        if result.returncode != 0:
            return
        document = json.loads(result.stdout)
        validate(document, f"--python-version {version}")
        config = document["config"]
        cell = document["cells"][0]
        seen[version] = (config["gil_policy"], config["check_interval"], config["python_version"],
                         cell["gil"]["drop_requests"])
    check(seen["2.7"][:3] == ("legacy", 100, "2.7"), f"2.7: {seen['2.7']}")
    check(seen["2.2"][:3] == ("legacy", 10, "2.2"), f"2.2 (check interval 10 until 2.3): {seen['2.2']}")
    check(seen["3.12"][:3] == ("new", 100, "3.12"), f"3.12: {seen['3.12']}")
    check(seen["2.7"][3] == 0, f"the legacy lock asked for a drop: {seen['2.7']}")
    check(seen["3.12"][3] > 0, f"two CPU threads under 3.12's lock made no drop request: {seen['3.12']}")
    # A check interval given beside the version is that interpreter's sys.setcheckinterval().
    result = run([*base, "--python-version", "2.7", "--check-interval", "1000"])
    check(result.returncode == 0 and json.loads(result.stdout)["config"]["check_interval"] == 1000,
          f"--check-interval beside --python-version: {result.returncode} {result.stderr}")
    # Without the option the JSON says no version was named.
    result = run(base)
    check(result.returncode == 0 and json.loads(result.stdout)["config"]["python_version"] is None,
          f"no --python-version: {result.stdout[:200]}")
    table = run([a for a in base if a not in ("--format", "json")] + ["--python-version", "2.7"])
    check("CPython 2.7" in table.stdout, f"the table does not say which lock it modelled: {table.stdout}")


def test_list():
    result = run(["list"])
    check(result.returncode == 0, f"list exit {result.returncode}")
    for word in ["count", "sleep", "single", "threads", "gil", "process"]:
        check(f"  {word} " in result.stdout, f"list lacks {word}")


def main():
    for test in [test_bad_inputs, test_list, test_short_run_matches_schema, test_json_same_on_pipe_and_terminal,
                 test_output_file, test_sigint_keeps_finished_cells, test_python_version]:
        started = time.monotonic()
        test()
        print(f"{test.__name__}: {time.monotonic() - started:.1f}s", file=sys.stderr)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all bench CLI tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
