#!/usr/bin/env python3
"""What `conc-probe compare` (and `bench --baseline`) accepts as a run file: memory bounded
by what it keeps, not by the file's size; an allocation failure is one clear error line;
no zero or negative wall times, malformed schema versions or duplicated cells; a run read
from a pipe ("-", or a process substitution) works like a file.

Usage: test_compare_input.py /path/to/conc-probe
"""
import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = os.path.abspath(sys.argv[1])
FAILURES = []
RUN = ["bench", "--workload", "count", "--mode", "single,threads", "--workers", "2", "--duration", "20ms",
       "--repetitions", "3", "--warmup", "0", "--quiet", "--format", "json"]


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, **kwargs):
    return subprocess.run([BINARY, *args], capture_output=True, timeout=300, **kwargs)


def usage_error(result, words, label):
    lines = result.stderr.decode(errors="replace").splitlines()
    check(result.returncode == 2, f"{label}: exit {result.returncode}, expected 2 ({result.stderr[:300]!r})")
    check(len(lines) == 1 and lines[0].startswith("conc-probe: error: ") and words in lines[0],
          f"{label}: stderr {result.stderr[:300]!r} is not one error line with {words!r}")
    check(result.stdout == b"", f"{label}: stdout not empty")


def write(tmp, name, document):
    path = tmp / name
    path.write_text(json.dumps(document))
    return str(path)


def test_bad_contents(tmp, good):
    base = write(tmp, "good.json", good)
    for wall in (0, -0.5):
        bad = copy.deepcopy(good)
        bad["cells"][0]["samples"][1]["wall_seconds"] = wall
        usage_error(run(["compare", base, write(tmp, "wall.json", bad)]), "wall time", f"wall time {wall}")
    for version in ("-1.0", "1x", "1", " 1.0", "1.0.0"):
        bad = dict(good, schema_version=version)
        usage_error(run(["compare", write(tmp, "schema.json", bad), base]), "schema_version", f"schema {version!r}")
    bad = copy.deepcopy(good)
    bad["cells"].append(copy.deepcopy(bad["cells"][0]))
    usage_error(run(["compare", base, write(tmp, "twice.json", bad)]), "twice", "duplicated cell")
    usage_error(run(["bench", *RUN[1:], "--baseline", write(tmp, "twice.json", bad)]), "twice",
                "duplicated cell in --baseline")
    usage_error(run(["compare", str(tmp), base]), "directory", "a directory")


def test_pipes(tmp, good):
    base = write(tmp, "good.json", good)
    with open(base, "rb") as stdin:
        result = run(["compare", "-", base], stdin=stdin)
    check(result.returncode in (0, 3), f"compare - FILE: exit {result.returncode} {result.stderr!r}")
    check(b"count/single/1" in result.stdout, "compare - FILE: no verdicts")
    result = subprocess.run(["bash", "-c", f'"{BINARY}" compare <(cat "{base}") "{base}"'], capture_output=True,
                            timeout=60)
    check(result.returncode in (0, 3), f"compare <(cat FILE): exit {result.returncode} {result.stderr!r}")
    result = run(["compare", "-", base], stdin=subprocess.DEVNULL)
    usage_error(result, "empty", "compare - with nothing on stdin")


def big_file(tmp, good, name, padding):
    """A valid run with `padding` (about 20 MB of JSON) in its context."""
    path = tmp / name
    text = json.dumps(good)
    head, tail = text.split('"context": {', 1)
    with open(path, "w") as out:
        out.write(head + '"context": {"padding": ')
        padding(out)
        out.write(", " + tail)
    return str(path)


def numbers(out):
    out.write("[")
    chunk = ",".join(["0.5"] * 100_000)
    for i in range(50):
        out.write(("," if i else "") + chunk)
    out.write("]")


def one_string(out):
    out.write('"' + "x" * (40 << 20) + '"')


def test_memory(tmp, good):
    base = write(tmp, "good.json", good)
    big = big_file(tmp, good, "numbers.json", numbers)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = run(["compare", base, big])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    check(result.returncode in (0, 3), f"60 MB run: exit {result.returncode} {result.stderr[:300]!r}")
    if peak_mb > before / 1024:  # the peak of this child is the peak of all children so far
        check(peak_mb < 100, f"compare of a {os.path.getsize(big) >> 20} MB file peaked at {peak_mb:.0f} MB")
    print(f"compare of {os.path.getsize(big) >> 20} MB of numbers: peak {peak_mb:.0f} MB", file=sys.stderr)
    # Under a small address-space limit: a result or one clear line, never a crash.
    probe = subprocess.run(["bash", "-c", f'ulimit -v 100000 && "{BINARY}" list'], capture_output=True)
    if probe.returncode != 0:
        print("skip: this build cannot run under ulimit -v (sanitizer)", file=sys.stderr)
        return
    for name, padding in (("numbers.json", None), ("string.json", one_string)):
        path = big if padding is None else big_file(tmp, good, name, padding)
        result = subprocess.run(["bash", "-c", f'ulimit -v 100000 && exec "{BINARY}" compare "{base}" "{path}"'],
                                capture_output=True, timeout=300)
        lines = result.stderr.decode(errors="replace").splitlines()
        if result.returncode not in (0, 3):
            usage_error(result, name, f"{name} under ulimit -v 100000")
        check(all(not line.startswith("conc-probe: error") for line in lines) or len(lines) == 1,
              f"{name} under ulimit -v: {result.stderr[:300]!r}")


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-compare-input-") as name:
        tmp = Path(name)
        result = run(RUN)
        assert result.returncode == 0, result.stderr
        good = json.loads(result.stdout)
        for test in (test_bad_contents, test_pipes, test_memory):
            test(tmp, good)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all compare input tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
