#!/usr/bin/env python3
"""conc-probe's process start methods and data movement beside Python's multiprocessing.

For every CPython 3.4+ found (pyenv's versions/*/bin/python, called by path; --python PATH
replaces them) it runs bench/python/start_methods_reference.py, and beside it conc-probe:

  start-up    fork, spawn, forkserver with 2 workers. The start methods' costs relative to
              fork (spawn/fork, forkserver worker/fork, forkserver server/fork) are compared
              with Python's; target: each ratio within x1.5 of Python's.
  crossover   total input sizes (--sizes), every op/task reading its slice, compute worth
              --seconds in all: conc-probe `--mode gil,process --start-method spawn
              --input-size S` against a multiprocessing.Pool and a ThreadPool of 2 mapping
              bytes slices. The crossover is the input size at which the processes' wall
              time passes the threads' (interpolated in log size between the sizes run);
              target: within x2 of Python's.

Prints the tables and the load average before and after; --json FILE keeps the numbers.

Usage: bench/start_methods.py [--binary build/release/conc-probe] [--python PATH ...]
                              [--sizes 1MiB,4MiB,16MiB,64MiB,256MiB] [--seconds 0.2]
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "bench/python/start_methods_reference.py"
METHODS = ("fork", "spawn", "forkserver")
UNITS = {"KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}


def size_bytes(text):
    for unit, factor in UNITS.items():
        if text.endswith(unit):
            return int(text[:-len(unit)]) * factor
    return int(text)


def human(size):
    for unit, factor in reversed(list(UNITS.items())):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size:.0f} B"


def interpreters(paths):
    if not paths:
        root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        paths = sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python")))
    found = []
    for path in paths:
        try:
            out = subprocess.run([path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                 capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        version = out.stdout.strip()
        if out.returncode != 0 or tuple(int(p) for p in version.split(".")[:2]) < (3, 4):
            print(f"skipped {path} ({version or 'does not run'}): no multiprocessing contexts before 3.4",
                  file=sys.stderr)
            continue
        found.append((path, version))
    return found


def load():
    return Path("/proc/loadavg").read_text().split()[:3]


def conc_probe(binary, args, baseline=None):
    """One conc-probe run; with `baseline` (a JSON run) the same op count as it."""
    with tempfile.TemporaryDirectory(prefix="start-methods-") as tmp:
        out = Path(tmp) / "run.json"
        extra = []
        if baseline is not None:
            (Path(tmp) / "baseline.json").write_text(json.dumps(baseline))
            extra = ["--baseline", str(Path(tmp) / "baseline.json"), "--threshold", "1000%"]
        done = subprocess.run([binary, "bench", "--quiet", "--workload", "count", "--workers", "2", "--warmup", "1",
                               "-o", str(out), *extra, *args], timeout=900, stdout=subprocess.DEVNULL)
        if done.returncode not in (0, 3):  # 3: slower than the baseline, expected as the input grows
            raise RuntimeError(f"conc-probe {' '.join(args)}: exit {done.returncode}")
        return json.loads(out.read_text())


def cell(document, mode):
    return next(c for c in document["cells"] if c["key"]["mode"] == mode and not c["failed"])


def conc_probe_startup(binary):
    out = {}
    for method in METHODS:
        document = conc_probe(binary, ["--mode", "process", "--start-method", method, "--duration", "50ms",
                                       "--repetitions", "7"])
        c = cell(document, "process")
        out[method] = {"startup_seconds": c["startup_seconds"]["median"], "busy": c["busy"]}
        if c["server_startup_seconds"] is not None:
            out[method]["server_seconds"] = c["server_startup_seconds"]
    return out


def crossing(rows):
    """The input size where process_seconds passes threads_seconds, interpolated in log size;
    (size, exact) with exact False when it lies outside the sizes run."""
    previous = None
    for row in rows:
        gap = row["process_seconds"] - row["threads_seconds"]
        if gap >= 0:
            if previous is None:
                return row["input_bytes"], False  # at or below the smallest size
            size0, gap0 = previous
            t = -gap0 / (gap - gap0) if gap != gap0 else 0
            return math.exp(math.log(size0) + t * (math.log(row["input_bytes"]) - math.log(size0))), True
        previous = (row["input_bytes"], gap)
    return rows[-1]["input_bytes"], False  # beyond the largest size


def conc_probe_crossover(binary, sizes, seconds):
    rows = []
    # Calibrated once without input, the same ops at every size: only the input changes.
    # (--baseline takes the op count from the same cells, so the first run has them all.)
    modes = ["--mode", "single,gil,process", "--start-method", "spawn"]
    first = conc_probe(binary, [*modes, "--duration", f"{int(seconds * 1000)}ms", "--repetitions", "3"])
    for size in sizes:
        document = conc_probe(binary, [*modes, "--input-size", str(size), "--repetitions", "3"], baseline=first)
        process, gil = cell(document, "process"), cell(document, "gil")
        rows.append({"input_bytes": size, "process_seconds": process["wall_seconds"]["median"],
                     "threads_seconds": gil["wall_seconds"]["median"],
                     "move_seconds": process["data"]["move_seconds"], "busy": process["busy"] or gil["busy"]})
    return rows


def python(path, args):
    out = subprocess.run([path, str(REFERENCE), *args], capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{path} {' '.join(args)}: {out.stderr.strip()[-300:]}")
    return json.loads(out.stdout)


def ratios(startup):
    fork = startup["fork"]["startup_seconds"]
    out = {"spawn/fork": startup["spawn"]["startup_seconds"] / fork,
           "forkserver worker/fork": startup["forkserver"]["startup_seconds"] / fork}
    if "server_seconds" in startup["forkserver"]:
        out["forkserver server/fork"] = startup["forkserver"]["server_seconds"] / fork
    return out


def within(ours, theirs, factor):
    return theirs > 0 and ours > 0 and max(ours / theirs, theirs / ours) <= factor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build/release/conc-probe"))
    parser.add_argument("--python", action="append", default=[])
    parser.add_argument("--sizes", default="1MiB,4MiB,16MiB,64MiB,256MiB")
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--json")
    opts = parser.parse_args()
    sizes = [size_bytes(s) for s in opts.sizes.split(",")]
    report = {"load_before": load()}
    print(f"load average before: {' '.join(report['load_before'])}")

    ours_startup = conc_probe_startup(opts.binary)
    ours_rows = conc_probe_crossover(opts.binary, sizes, opts.seconds)
    ours_cross, ours_exact = crossing(ours_rows)
    report["conc_probe"] = {"startup": ours_startup, "ratios": ratios(ours_startup), "crossover": ours_rows,
                            "crossover_bytes": ours_cross, "crossover_inside": ours_exact}
    print("\nconc-probe start-up of 2 workers: " + ", ".join(
        f"{m} {v['startup_seconds'] * 1e3:.2f} ms" + (f" (+ server {v['server_seconds'] * 1e3:.2f} ms)"
                                                      if "server_seconds" in v else "")
        for m, v in ours_startup.items()))
    print("conc-probe gil x2 vs process x2 (spawn): " + ", ".join(
        f"{human(r['input_bytes'])} {r['threads_seconds'] * 1e3:.0f}/{r['process_seconds'] * 1e3:.0f} ms"
        for r in ours_rows) + f" -> crossover {'' if ours_exact else '~'}{human(ours_cross)}")

    report["python"] = []
    for path, version in interpreters(opts.python):
        startup = {m: python(path, ["startup", m, "2", "5"]) for m in METHODS}
        cross = python(path, ["crossover", ",".join(map(str, sizes)), str(opts.seconds)])
        their_cross, their_exact = crossing(cross["rows"])
        theirs = ratios(startup)
        ours = report["conc_probe"]["ratios"]
        entry = {"python": version, "startup": startup, "ratios": theirs, "crossover": cross["rows"],
                 "crossover_bytes": their_cross, "crossover_inside": their_exact,
                 "startup_within_1_5": {k: within(ours[k], theirs[k], 1.5) for k in theirs if k in ours},
                 "crossover_within_2": within(ours_cross, their_cross, 2.0)}
        report["python"].append(entry)
        print(f"\nPython {version}")
        print("  start-up (2 workers): " + ", ".join(
            f"{m} {v['startup_seconds'] * 1e3:.1f} ms" + (f" (+ server {v['server_seconds'] * 1e3:.1f} ms)"
                                                         if "server_seconds" in v else "")
            for m, v in startup.items()))
        for key, value in theirs.items():
            if key in ours:
                print(f"  {key:24s} conc-probe {ours[key]:7.2f}  Python {value:7.2f}  "
                      f"x{max(ours[key] / value, value / ours[key]):.2f}  "
                      f"{'within' if entry['startup_within_1_5'][key] else 'OUTSIDE'} x1.5")
        print("  Pool vs ThreadPool: " + ", ".join(
            f"{human(r['input_bytes'])} {r['threads_seconds'] * 1e3:.0f}/{r['process_seconds'] * 1e3:.0f} ms"
            for r in cross["rows"]))
        print(f"  crossover conc-probe {'' if ours_exact else '~'}{human(ours_cross)}, Python "
              f"{'' if their_exact else '~'}{human(their_cross)}: x{max(ours_cross / their_cross, their_cross / ours_cross):.2f} "
              f"{'within' if entry['crossover_within_2'] else 'OUTSIDE'} x2")
    report["load_after"] = load()
    print(f"\nload average after: {' '.join(report['load_after'])}")
    if opts.json:
        Path(opts.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
