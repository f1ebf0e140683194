#!/usr/bin/env python3
"""conc-probe's `gil` mode beside every CPython on this machine, scenario by scenario.

Runs the Python programs of bench/python/gil_reference.py with each interpreter found (pyenv's
$(pyenv root)/versions/*/bin/python, called by path, since a version manager's shims on PATH
fail unless that version is selected; --python PATH adds or replaces them), runs conc-probe on
the same scenarios with that interpreter's lock (`--python-version X.Y`: Python 2.x and 3.0-3.1
get the legacy lock, 3.2+ the switch-interval one), and prints one table per interpreter with
the fidelity targets:
  CPU-bound 2-thread / 1-thread wall ratio, cores used   within +-15%
  mean hold time and switches/s at 5 ms / 1 ms / 0.1 ms   hold +-10%, switches/s +-15%
  IO sleep speed-up at 2/4/8/16 threads                   within +-15%
  convoy IO ops/s at each interval                        within a factor of 2
Python 2 has no switch interval (its lock is released every check interval of ticks), so
its table has the CPU and IO rows only.

One pass runs every scenario once on both sides (conc-probe: 3 repetitions, Python: --runs
runs, each side's median). A single pass is itself noisy on a shared machine, so the
comparison makes --passes passes and reports, for each row, each side's median over the
passes with its range, and in how many passes the row was within target.

Usage: bench/gil_vs_cpython.py [--binary build/release/conc-probe] [--python PATH ...]
                               [--versions 3.11,2.7] [--passes 3] [--seconds 0.5] [--runs 1]
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "bench/python/gil_reference.py"
INTERVALS = [("5ms", 0.005), ("1ms", 0.001), ("100us", 0.0001)]


def interpreters(opts):
    """(path, "X.Y.Z") of every interpreter to compare, oldest first."""
    paths = list(opts.python)
    if not paths:
        root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
        paths = sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python")))
    found = []
    for path in paths:
        try:
            out = subprocess.run([path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                 capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if out.returncode != 0:
            print(f"skipped {path}: it does not run ({out.stderr.strip()[:80]})", file=sys.stderr)
            continue
        version = out.stdout.strip()
        if opts.versions and not any(version == v or version.startswith(v + ".") for v in opts.versions):
            continue
        found.append((path, version))
    found.sort(key=lambda pv: [int(x) for x in pv[1].split(".")])
    return found


def python(opts, interpreter, *args):
    """A reference scenario's numeric fields, each the median of --runs runs."""
    runs = [json.loads(subprocess.run([interpreter, str(REFERENCE), *args], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(opts.runs)]
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[key] = statistics.median(run[key] for run in runs)
    return merged


def conc_probe(opts, release, *args):
    out = subprocess.run([opts.binary, "bench", "--format", "json", "--quiet", "--python-version", release, *args],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"conc-probe failed: {out.stderr}")
    cells = {}
    for cell in json.loads(out.stdout)["cells"]:
        key = cell["key"]
        interval = key["switch_interval_seconds"]
        cells[(key["workload"], key["mode"], key["workers"], interval and round(interval, 6))] = cell
    return cells


def gil_cell(cells, workload, workers, interval=None):
    """The gil cell of `workers` (any interval when `interval` is None: the legacy lock's cells
    are keyed by the switch interval they ignore)."""
    for (w, mode, n, i), cell in cells.items():
        if w == workload and mode == "gil" and n == workers and (interval is None or i == round(interval, 6)):
            return cell
    raise KeyError((workload, workers, interval))


def cpu_scenario(opts, interpreter, release):
    one = python(opts, interpreter, "cpu", "--threads", "1", "--count", str(opts.count))
    two = python(opts, interpreter, "cpu", "--threads", "2", "--count", str(opts.count))
    cells = conc_probe(opts, release, "--mode", "gil", "--workload", "count", "--workers", "1,2",
                       "--duration", f"{opts.seconds}s", "--repetitions", "3")
    c1, c2 = gil_cell(cells, "count", 1), gil_cell(cells, "count", 2)
    yield ("CPU-bound: 2 threads / 1 thread wall", two["wall_seconds"] / one["wall_seconds"],
           c2["wall_seconds"]["median"] / c1["wall_seconds"]["median"], ("rel", 0.15))
    yield "CPU-bound: cores used by 2 threads", two["cores_used"], c2["cores_used"]["median"], ("rel", 0.15)


def hold_scenario(opts, interpreter, release):
    cells = conc_probe(opts, release, "--mode", "gil", "--workload", "count", "--workers", "2", "--duration",
                       f"{opts.seconds}s", "--repetitions", "3",
                       "--switch-interval", ",".join(name for name, _ in INTERVALS))
    for name, seconds in INTERVALS:
        ref = python(opts, interpreter, "hold", "--interval", str(seconds), "--seconds", str(opts.seconds))
        cell = gil_cell(cells, "count", 2, seconds)
        yield (f"hold time at {name} (ms)", ref["mean_hold_seconds"] * 1e3, cell["gil"]["mean_hold_seconds"] * 1e3,
               ("rel", 0.10))
        yield f"switches/s at {name}", ref["switches_per_second"], cell["gil"]["switches_per_second"], ("rel", 0.15)


def io_scenario(opts, interpreter, release):
    ops = 320
    single = python(opts, interpreter, "io", "--threads", "1", "--ops", str(ops))["wall_seconds"]
    cells = conc_probe(opts, release, "--mode", "single,gil", "--workload", "sleep", "--workers", "2,4,8,16",
                       "--duration", "320ms", "--repetitions", "3")
    for threads in (2, 4, 8, 16):
        ref = single / python(opts, interpreter, "io", "--threads", str(threads), "--ops", str(ops))["wall_seconds"]
        ours = gil_cell(cells, "sleep", threads)["speedup"]["estimate"]
        yield f"IO sleep speed-up, {threads} threads", ref, ours, ("rel", 0.15)


def convoy_scenario(opts, interpreter, release):
    cells = conc_probe(opts, release, "--mode", "single,gil", "--workload", "convoy", "--workers", "1", "--duration",
                       f"{opts.seconds}s", "--repetitions", "3",
                       "--switch-interval", ",".join(name for name, _ in INTERVALS))
    alone = cells[("convoy", "single", 1, None)]["throughput_ops_per_second"]["median"]
    for index, (name, seconds) in enumerate(INTERVALS):
        ref = python(opts, interpreter, "convoy", "--interval", str(seconds), "--seconds", str(opts.seconds))
        if index == 0:
            yield "convoy: IO ops/s alone", ref["io_ops_per_second_alone"], alone, ("factor", 2)
        ours = gil_cell(cells, "convoy", 1, seconds)["throughput_ops_per_second"]["median"]
        yield f"convoy: IO ops/s beside 1 CPU thread, {name}", ref["io_ops_per_second"], ours, ("factor", 2)


def within(cpython, ours, target):
    kind, bound = target
    if not cpython or ours is None:
        return None
    if kind == "rel":
        return abs(ours / cpython - 1) <= bound
    return 1 / bound <= ours / cpython <= bound


def figure(values):
    """'median [min-max]' of one side's per-pass values."""
    def f(v):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
    middle = statistics.median(values)
    if len(values) == 1:
        return f(middle)
    return f"{f(middle)} [{f(min(values))}-{f(max(values))}]"


def compare(opts, interpreter, version):
    release = ".".join(version.split(".")[:2])
    legacy = int(version.split(".")[0]) < 3 or release in ("3.0", "3.1")
    scenarios = [cpu_scenario, io_scenario] if legacy else [cpu_scenario, hold_scenario, io_scenario,
                                                           convoy_scenario]
    rows = {}  # name -> {"target": .., "cpython": [..], "ours": [..], "ok": [..]}
    for number in range(opts.passes):
        print(f"Python {version}: pass {number + 1} of {opts.passes}", file=sys.stderr)
        for scenario in scenarios:
            for name, cpython, ours, target in scenario(opts, interpreter, release):
                row = rows.setdefault(name, {"target": target, "cpython": [], "ours": [], "ok": []})
                row["cpython"].append(cpython)
                row["ours"].append(ours)
                row["ok"].append(within(cpython, ours, target))
    return rows


def print_table(version, rows, passes, load):
    title = f"Python {version}"
    print(f"{'scenario':44} {title:>24} {'conc-probe':>24}  {'target':>6}  within (passes)")
    met = 0
    for name, row in rows.items():
        kind, bound = row["target"]
        target = f"±{bound * 100:.0f}%" if kind == "rel" else f"×{bound:g}"
        ok = sum(1 for x in row["ok"] if x)
        met += ok == passes
        print(f"{name:44} {figure(row['cpython']):>24} {figure(row['ours']):>24}  {target:>6}  {ok}/{passes}")
    print(f"{met} of {len(rows)} scenarios within target in all {passes} passes; "
          f"load average {load[0]:.2f} before, {load[1]:.2f} after")
    print()
    return met, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build/release/conc-probe"))
    parser.add_argument("--python", action="append", default=[], help="an interpreter to compare (repeatable)")
    parser.add_argument("--versions", default="", help="only these versions, e.g. 3.11,2.7")
    parser.add_argument("--passes", type=int, default=3, help="passes of the whole comparison per interpreter")
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=1, help="runs of each Python scenario per pass (median)")
    parser.add_argument("--count", type=int, default=10_000_000, help="countdown size of the CPU scenario")
    opts = parser.parse_args()
    opts.versions = [v for v in re.split(r"[,\s]+", opts.versions) if v]
    found = interpreters(opts)
    if not found:
        sys.exit("no Python interpreter found (give --python PATH)")
    summary = []
    for interpreter, version in found:
        before = os.getloadavg()[0]
        rows = compare(opts, interpreter, version)
        met, total = print_table(version, rows, opts.passes, (before, os.getloadavg()[0]))
        summary.append((version, met, total))
        sys.stdout.flush()
    for version, met, total in summary:
        print(f"Python {version:8} {met:2} of {total:2} scenarios within target in all {opts.passes} passes")


if __name__ == "__main__":
    main()
