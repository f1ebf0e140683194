#!/usr/bin/env python3
"""CLI tests of process mode's start methods and of data that moves (--input-size,
--result-size), against the real binary: the same checksum whatever the start method, the
bytes copied where they are copied and none where the input is read in place, the fork
server's start-up apart, and bad sizes refused with one line.

Usage: test_start_methods.py /path/to/conc-probe
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

BINARY = os.path.abspath(sys.argv[1])
DOCS = Path(os.environ.get("CONC_PROBE_DOCS", Path(__file__).resolve().parents[2] / "docs"))
SCHEMA = json.loads((DOCS / "schema" / "bench.schema.json").read_text())
FAILURES = []
INPUT = 1 << 20  # --input-size 1MiB
RESULT = 512     # --result-size 512


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, tmp, timeout=180):
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=tmp)


def bench(tmp, name, method, extra=()):
    out = tmp / f"{name}.json"
    result = run(["bench", "--quiet", "--workload", "count", "--mode", "threads,process", "--workers", "2",
                  "--duration", "40ms", "--repetitions", "2", "--warmup", "0", "--start-method", method,
                  "--input-size", "1MiB", "--result-size", str(RESULT), "-o", str(out), *extra], tmp)
    check(result.returncode == 0, f"{name}: exit {result.returncode}, stderr {result.stderr!r}")
    if result.returncode != 0:
        return None
    document = json.loads(out.read_text())
    try:
        jsonschema.validate(document, SCHEMA)
    except jsonschema.ValidationError as error:
        check(False, f"{name}: JSON does not match the schema: {error.message}")
    return document


def cell(document, mode):
    return next(c for c in document["cells"] if c["key"]["mode"] == mode)


def test_checksums_and_copies(tmp):
    fork = bench(tmp, "fork", "fork")
    if fork is None:
        return
    # The same ops in every run (--baseline), so the checksums compare across start methods.
    runs = {"fork": fork}
    for method in ("spawn", "forkserver"):
        runs[method] = bench(tmp, method, method, ["--baseline", str(tmp / "fork.json"), "--threshold", "1000%"])
    expected = cell(fork, "threads")["expected_checksum"]
    for method, document in runs.items():
        if document is None:
            continue
        check(document["config"]["start_method"] == method, f"{method}: config says {document['config']['start_method']}")
        check(document["config"]["input_size_bytes"] == INPUT, f"{method}: input_size_bytes")
        for mode in ("threads", "process"):
            c = cell(document, mode)
            check(not c["failed"], f"{method} {mode}: failed: {c['error']}")
            check(c["checksum_ok"], f"{method} {mode}: checksum differs from the run's")
            check(c["expected_checksum"] == expected, f"{method} {mode}: checksum {c['expected_checksum']} != {expected}")
        threads, process = cell(document, "threads"), cell(document, "process")
        ops = process["total_ops"]
        # Threads read the input in place: the results are their only copies.
        check(threads["data"]["bytes_copied"] == ops * RESULT,
              f"{method}: threads copied {threads['data']['bytes_copied']}, expected {ops * RESULT}")
        check(threads["data"]["minor_faults"] is None, f"{method}: threads report page faults")
        copied = process["data"]["bytes_copied"]
        if method == "fork":
            check(copied == ops * RESULT, f"fork: copied {copied}; the input is inherited, not copied")
        else:
            # serialised, sent, deserialised: three copies of the input, as with pickle
            check(copied == ops * RESULT + 3 * INPUT, f"{method}: copied {copied}, expected {ops * RESULT + 3 * INPUT}")
        check(process["data"]["move_seconds"] > 0, f"{method}: no time spent moving data")
        check(process["data"]["minor_faults"] is not None, f"{method}: no page faults reported")
        server = process["server_startup_seconds"]
        if method == "forkserver":
            check(server is not None and server > 0, f"forkserver: server start-up {server}")
        else:
            check(server is None, f"{method}: a server start-up without a server")
        check(any(f["topic"] == "data" for f in document["findings"]), f"{method}: no data finding")


def test_input_only_copies_nothing_for_threads(tmp):
    out = tmp / "input-only.json"
    result = run(["bench", "--quiet", "--workload", "count", "--mode", "threads", "--workers", "2",
                  "--duration", "30ms", "--repetitions", "1", "--warmup", "0", "--input-size", "64KiB",
                  "-o", str(out)], tmp)
    check(result.returncode == 0, f"input only: exit {result.returncode}, {result.stderr!r}")
    if result.returncode == 0:
        threads = cell(json.loads(out.read_text()), "threads")
        check(threads["data"]["bytes_copied"] == 0, f"input only: threads copied {threads['data']}")


def test_table_shows_the_server(tmp):
    result = run(["bench", "--quiet", "--workload", "count", "--mode", "process", "--workers", "2",
                  "--duration", "30ms", "--repetitions", "1", "--warmup", "0", "--start-method", "forkserver",
                  "--result-size", "1KiB"], tmp)
    check(result.returncode == 0, f"table: exit {result.returncode}, {result.stderr!r}")
    check("srv " in result.stdout and "/w" in result.stdout, f"table: no server start-up in {result.stdout!r}")
    check("data moved" in result.stdout, "table: no data moved column")


def test_list_names_the_start_methods(tmp):
    result = run(["list"], tmp)
    check(result.returncode == 0, "list: failed")
    for method in ("fork", "spawn", "forkserver"):
        check(f"  {method} " in result.stdout, f"list: {method} missing")


def test_bad_sizes(tmp):
    for option, value in (("--input-size", "-1"), ("--input-size", "12 parsecs"), ("--input-size", "2GiB"),
                          ("--result-size", "1.5KiB"), ("--result-size", "1GiB"), ("--start-method", "forksrv")):
        result = run(["bench", option, value], tmp, timeout=60)
        lines = result.stderr.strip().splitlines()
        what = f"{option} {value}"
        check(result.returncode == 2, f"{what}: exit {result.returncode}")
        check(len(lines) == 1 and lines[0].startswith("conc-probe: error: "), f"{what}: stderr {result.stderr!r}")
        check(option in result.stderr, f"{what}: the option is not named in {result.stderr!r}")
        check(result.stdout == "", f"{what}: stdout not empty")


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-start-") as name:
        tmp = Path(name)
        for test in (test_checksums_and_copies, test_input_only_copies_nothing_for_threads,
                     test_table_shows_the_server, test_list_names_the_start_methods, test_bad_sizes):
            test(tmp)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all start method tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
