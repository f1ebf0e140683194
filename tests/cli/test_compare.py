#!/usr/bin/env python3
"""CLI tests of `conc-probe compare` and `bench --baseline` on real runs: exit codes 0 and 3,
markdown for pull requests, JSON verdicts, --fail-on inconclusive.

Usage: test_compare.py /path/to/conc-probe
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = sys.argv[1]
FAILURES = []
RUN = ["--workload", "count", "--mode", "single,threads", "--workers", "2", "--duration", "30ms",
       "--repetitions", "4", "--warmup", "0", "--quiet"]


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)


def scaled(document, factor):
    """The same run with every wall time multiplied and no busy marks: a clear verdict."""
    out = copy.deepcopy(document)
    for cell in out["cells"]:
        cell["busy"] = False
        for sample in cell["samples"]:
            sample["wall_seconds"] *= factor
    return out


def steadied(document):
    """The run with each cell's samples pulled to within 0.3% of the cell's median wall time
    and no interference. A real run on a loaded machine can be noisy enough that even
    comparing it with itself is rightly inconclusive; the verdict tests need data whose
    answer is known."""
    out = copy.deepcopy(document)
    for cell in out["cells"]:
        walls = sorted(sample["wall_seconds"] for sample in cell["samples"])
        middle = walls[len(walls) // 2]
        for i, sample in enumerate(cell["samples"]):
            sample["wall_seconds"] = middle * (1 + 0.001 * (i - len(walls) // 2))
            sample["interference"]["taken_fraction"] = 0.0
    return out


def taken(document, fraction):
    """The run marked busy, others having taken `fraction` of every repetition's need."""
    out = copy.deepcopy(document)
    for cell in out["cells"]:
        cell["busy"] = True
        for sample in cell["samples"]:
            sample["interference"]["taken_fraction"] = fraction
    return out


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-compare-") as name:
        tmp = Path(name)
        base_path = tmp / "base.json"
        result = run(["bench", *RUN, "--format", "json", "-o", str(base_path)])
        check(result.returncode == 0, f"bench failed: {result.stderr}")
        base = scaled(steadied(json.loads(base_path.read_text())), 1.0)
        base_path.write_text(json.dumps(base))
        slow_path, fast_path = tmp / "slow.json", tmp / "fast.json"
        slow_path.write_text(json.dumps(scaled(base, 2.0)))
        fast_path.write_text(json.dumps(scaled(base, 0.5)))

        same = run(["compare", str(base_path), str(base_path)])
        check(same.returncode == 0, f"identical runs: exit {same.returncode} {same.stderr}")
        check("unchanged" in same.stdout, f"identical runs not unchanged: {same.stdout}")

        slower = run(["compare", str(base_path), str(slow_path)])
        check(slower.returncode == 3, f"2x slower: exit {slower.returncode}")
        check("slower" in slower.stdout and "+100.0%" in slower.stdout, slower.stdout)

        faster = run(["compare", str(base_path), str(fast_path), "--format", "json"])
        check(faster.returncode == 0, f"2x faster: exit {faster.returncode}")
        verdicts = {cell["verdict"] for cell in json.loads(faster.stdout)["cells"]}
        check(verdicts == {"faster"}, f"2x faster verdicts: {verdicts}")

        markdown = run(["compare", str(base_path), str(slow_path), "--format", "markdown"])
        check(markdown.stdout.startswith("### conc-probe compare") and "| `count/threads/2` |" in markdown.stdout,
              markdown.stdout)

        # Marked busy, but others took only 2%: a 2x slowdown is still a regression.
        marked_path = tmp / "marked.json"
        marked_path.write_text(json.dumps(taken(scaled(base, 2.0), 0.02)))
        marked = run(["compare", str(base_path), str(marked_path)])
        check(marked.returncode == 3 and "slower" in marked.stdout, f"busy mark alone: {marked.returncode} {marked.stdout}")
        # Others took half of what the cells needed: that explains a 2x slowdown.
        busy_path = tmp / "busy.json"
        busy_path.write_text(json.dumps(taken(scaled(base, 2.0), 0.5)))
        lenient = run(["compare", str(base_path), str(busy_path)])
        check(lenient.returncode == 0 and "interference measured in the runs could explain the change" in lenient.stdout,
              f"busy run: {lenient.returncode} {lenient.stdout}")
        strict = run(["compare", str(base_path), str(busy_path), "--fail-on", "inconclusive"])
        check(strict.returncode == 3, f"--fail-on inconclusive: exit {strict.returncode}")

        other = copy.deepcopy(base)
        other["context"]["version"] = "0.0.1"
        other_path = tmp / "other.json"
        other_path.write_text(json.dumps(other))
        warned = run(["compare", str(base_path), str(other_path)])
        check("conc-probe: warning: the runs come from different conc-probe versions" in warned.stderr,
              f"no version warning: {warned.stderr}")

        # bench --baseline: a baseline twice as fast as this machine makes this run a regression.
        regression = run(["bench", *RUN, "--baseline", str(fast_path)])
        check(regression.returncode in (0, 3), f"--baseline exit {regression.returncode}: {regression.stderr}")
        check("Compared with" in regression.stdout, "--baseline printed no comparison")
        as_json = run(["bench", *RUN, "--format", "json", "--baseline", str(base_path)])
        check(as_json.returncode in (0, 3), f"--baseline json exit {as_json.returncode}")
        json.loads(as_json.stdout)  # stdout stays one JSON document
        check("Compared with" in as_json.stderr, "--baseline with JSON output: comparison not on stderr")

        # --baseline runs the baseline's op counts, so both runs did the same work.
        follow_path = tmp / "follow.json"
        followed = run(["bench", *RUN, "--baseline", str(base_path), "-o", str(follow_path)])
        check(followed.returncode in (0, 3), f"--baseline -o exit {followed.returncode}: {followed.stderr}")
        follow = json.loads(follow_path.read_text())
        check([c["total_ops"] for c in follow["cells"]] == [c["total_ops"] for c in base["cells"]],
              "--baseline did not run the baseline's op counts")
        check(all(s["ops"] == c["total_ops"] for c in follow["cells"] for s in c["samples"]),
              "--baseline: a repetition ran other than the baseline's op count")
        # A matrix that differs is refused before any work; so is -o over the baseline.
        other_matrix = run(["bench", *RUN[:4], "--workers", "3", *RUN[6:], "--baseline", str(base_path)])
        check(other_matrix.returncode == 2 and "cells do not match" in other_matrix.stderr
              and other_matrix.stdout == "", f"other matrix: {other_matrix.returncode} {other_matrix.stderr}")
        overwrite = run(["bench", *RUN, "--baseline", str(base_path), "-o", str(base_path)])
        check(overwrite.returncode == 2 and "overwrite" in overwrite.stderr,
              f"-o over the baseline: {overwrite.returncode} {overwrite.stderr}")
        check(json.loads(base_path.read_text()) == base, "-o over the baseline changed the baseline")
    print(f"compare: {0 if FAILURES else 1} passed, {len(FAILURES)} failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
