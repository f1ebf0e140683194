#!/usr/bin/env python3
"""CLI tests of `conc-probe bench --mode async`, run against the real binary: checksums equal
to the other modes', the loop lag in every format, --async-blocking, refusals, and stopping.

Usage: test_async.py /path/to/conc-probe
"""
import json
import os
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
QUICK = ["--duration", "40ms", "--repetitions", "2", "--warmup", "0"]
MAX_STOP_SECONDS = 1.5  # generous for a busy 2-core machine; the loop looks every 50 ms
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, tmp, timeout=180):
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, env=env)


def bench_json(args, tmp):
    quick = QUICK[2:] if "--duration" in args else QUICK  # a test's own duration replaces 40 ms
    result = run(["bench", *quick, "--format", "json", *args], tmp)
    check(result.returncode == 0, f"{args}: exit {result.returncode}: {result.stderr}")
    document = json.loads(result.stdout) if result.returncode == 0 else {"cells": [], "findings": []}
    if result.returncode == 0:
        try:
            jsonschema.validate(document, SCHEMA)
        except jsonschema.ValidationError as error:
            check(False, f"{args}: schema violation at {list(error.absolute_path)}: {error.message}")
    return document


def cells_of(document, mode):
    return [c for c in document["cells"] if c["key"]["mode"] == mode]


def test_checksums_equal_the_other_modes(tmp):
    document = bench_json(["--mode", "single,threads,async", "--workload", "count,sleep,net,file,mixed",
                           "--workers", "1,3", "--io-latency", "500us"], tmp)
    check(document.get("schema_version") == "1.4", f"schema version {document.get('schema_version')}")
    expected = {}
    for cell in document["cells"]:
        name = "/".join(str(v) for v in cell["key"].values())
        check(not cell["failed"], f"{name} failed: {cell['error']}")
        check(cell["checksum_ok"], f"{name}: checksum mismatch")
        # One op total per workload: every mode's cells must agree on the expected checksum.
        workload = cell["key"]["workload"]
        expected.setdefault(workload, cell["expected_checksum"])
        check(cell["expected_checksum"] == expected[workload], f"{name}: expected checksum differs")
        check(all(s["checksum"] == cell["expected_checksum"] for s in cell["samples"]),
              f"{name}: a sample's checksum differs")
        is_async = cell["key"]["mode"] == "async"
        lag = cell["loop_lag_seconds"]
        check((lag is not None) == is_async, f"{name}: loop lag {lag}")
        if is_async and lag is not None:
            check(lag["count"] > 0 and 0 <= lag["p50"] <= lag["p99"] <= lag["max"], f"{name}: lag {lag}")
            check(all(len(s["loop_lag_seconds"]) > 0 for s in cell["samples"]), f"{name}: sample lag")
    check(len(cells_of(document, "async")) == 10, f"{len(cells_of(document, 'async'))} async cells")
    for cell in document["cells"]:
        memory = cell["memory"]
        check(memory is not None and memory["pss_bytes"] > 0 and memory["peak_rss_bytes"] >= memory["pss_bytes"],
              f"{cell['key']}: memory {memory}")
    topics = [f["topic"] for f in document["findings"]]
    check(topics.count("async") == 5, f"findings {topics}")
    check(list(Path(tmp).iterdir()) == [], "temporary files left behind")


def test_blocking_calls_on_the_loop_do_not_overlap(tmp):
    # 200 ms: enough sleeps that a loaded machine's calibration still leaves many per task.
    args = ["--mode", "single,async", "--workload", "sleep", "--workers", "4", "--io-latency", "2ms",
            "--duration", "200ms"]
    overlapped = cells_of(bench_json(args, tmp), "async")
    blocking = bench_json([*args, "--async-blocking"], tmp)
    check(blocking["config"]["async_blocking"] is True, "config.async_blocking not set")
    serial = cells_of(blocking, "async")
    if overlapped and serial:
        # Sleeps are never shorter than asked: one after another they take ops x 2 ms at
        # least; four tasks overlapping take about a quarter of it (0.6 leaves room for load).
        one_after_another = serial[0]["total_ops"] * 0.002
        check(overlapped[0]["wall_seconds"]["median"] < 0.6 * overlapped[0]["total_ops"] * 0.002,
              f"4 sleeping tasks: wall {overlapped[0]['wall_seconds']['median']}")
        check(serial[0]["wall_seconds"]["min"] >= 0.99 * one_after_another,
              f"4 tasks blocking the loop: wall {serial[0]['wall_seconds']['min']}")
        check(serial[0]["speedup"]["estimate"] < 1.3, f"blocking speed-up {serial[0]['speedup']}")
        check(serial[0]["loop_lag_seconds"]["p50"] > 0.003,
              f"blocking lag {serial[0]['loop_lag_seconds']}: each task waits for 3 others' 2 ms calls")
    text = [f["text"] for f in blocking["findings"] if f["topic"] == "async"]
    check(any("--async-blocking" in t for t in text) or any("cannot conclude" in t for t in text),
          f"blocking finding {text}")


def test_table_and_csv_show_the_lag(tmp):
    args = ["bench", *QUICK, "--mode", "single,async", "--workload", "count", "--workers", "2"]
    table = run([*args, "--format", "table"], tmp)
    check(table.returncode == 0 and "loop lag p50/p99" in table.stdout, f"table: {table.stdout!r}")
    csv = run([*args, "--format", "csv"], tmp)
    header, *rows = csv.stdout.splitlines()
    columns = header.split(",")
    check("loop_lag_p99_seconds" in columns, f"csv header {header}")
    if "loop_lag_p99_seconds" in columns and len(rows) == 2:
        at = columns.index("loop_lag_p99_seconds")
        check(rows[0].split(",")[at] == "" and float(rows[1].split(",")[at]) > 0, f"csv rows {rows}")


def test_refusals(tmp):
    for args, needle in ((["--mode", "async", "--workload", "convoy"], "does not run in mode async"),
                         (["--mode", "asinc"], "did you mean 'async'")):
        result = run(["bench", *args], tmp, timeout=60)
        lines = result.stderr.strip().splitlines()
        check(result.returncode == 2, f"{args}: exit {result.returncode}")
        check(len(lines) == 1 and lines[0].startswith("conc-probe: error: ") and needle in lines[0],
              f"{args}: stderr {result.stderr!r}")
        check(result.stdout == "", f"{args}: stdout not empty")


def test_stop_at_once(tmp):
    for workload in ("sleep", "net", "file"):
        args = ["bench", "--quiet", "--mode", "async", "--workers", "4", "--workload", workload,
                "--io-latency", "15s", "--repetitions", "1", "--warmup", "0"]
        if workload == "file":  # short ops, many of them: the signal lands mid-run
            args += ["--duration", "30s"]
        process = subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(os.environ, TMPDIR=str(tmp)))
        time.sleep(1.0)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        took = time.monotonic() - sent
        check(took < MAX_STOP_SECONDS, f"async {workload}: stopped {took:.2f} s after SIGINT")
        check(process.returncode == 130, f"async {workload}: exit {process.returncode}")
        check(list(Path(tmp).iterdir()) == [], f"async {workload}: files left {list(Path(tmp).iterdir())}")


def main():
    for test in [test_refusals, test_checksums_equal_the_other_modes, test_blocking_calls_on_the_loop_do_not_overlap,
                 test_table_and_csv_show_the_lag, test_stop_at_once]:
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            test(Path(tmp))
        print(f"{test.__name__}: {time.monotonic() - started:.1f}s", file=sys.stderr)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all async CLI tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
