#!/usr/bin/env python3
"""conc-probe's `gil` mode beside the real interpreter, scenario by scenario, on this machine.

Runs the Python programs of bench/python/gil_reference.py with the local python3 (and
python2.7 for the legacy lock when present), runs conc-probe on the same scenarios, and
prints both side by side with the fidelity targets:
  CPU-bound 2-thread / 1-thread wall ratio, cores used   within +-15%
  mean hold time and switches/s at 5 ms / 1 ms / 0.1 ms   hold within +-10%
  IO sleep speed-up at 2/4/8/16 threads                   within +-15%
  convoy IO ops/s at each interval                        within a factor of 2

Both sides take the median of 3: conc-probe's repetitions, and --runs runs of each Python
program.

Usage: bench/gil_vs_cpython.py [--binary build/release/conc-probe] [--python python3] [--seconds 1] [--runs 3]
"""
import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "bench/python/gil_reference.py"
INTERVALS = [("5ms", 0.005), ("1ms", 0.001), ("100us", 0.0001)]
ROWS = []


def python(opts, *args, interpreter=None):
    """Runs a reference scenario --runs times and returns each numeric field's median: one
    run of a Python program is as noisy as one repetition of a conc-probe cell."""
    runs = [json.loads(subprocess.run([interpreter or opts.python, str(REFERENCE), *args], capture_output=True,
                                      text=True, check=True).stdout) for _ in range(opts.runs)]
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[key] = statistics.median(run[key] for run in runs)
    return merged


def conc_probe(opts, *args):
    out = subprocess.run([opts.binary, "bench", "--format", "json", "--quiet", *args], capture_output=True,
                         text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"conc-probe failed: {out.stderr}")
    cells = {}
    for cell in json.loads(out.stdout)["cells"]:
        key = cell["key"]
        interval = key["switch_interval_seconds"]
        cells[(key["workload"], key["mode"], key["workers"], interval and round(interval, 6))] = cell
    return cells


def row(scenario, cpython, ours, target):
    """Records one line; `target` is (kind, bound): ('rel', 0.15) or ('factor', 2)."""
    kind, bound = target
    if cpython is None or ours is None or cpython == 0:
        ok = "n/a"
    elif kind == "rel":
        ok = "yes" if abs(ours / cpython - 1) <= bound else "NO"
    else:
        ok = "yes" if 1 / bound <= ours / cpython <= bound else "NO"
    ROWS.append((scenario, cpython, ours, f"±{bound * 100:.0f}%" if kind == "rel" else f"×{bound:g}", ok))


def cpu_scenario(opts):
    one = python(opts, "cpu", "--threads", "1", "--count", str(opts.count))
    two = python(opts, "cpu", "--threads", "2", "--count", str(opts.count))
    cells = conc_probe(opts, "--mode", "gil", "--workload", "count", "--workers", "1,2",
                       "--duration", f"{opts.seconds}s", "--repetitions", "3")
    wall = {w: c["wall_seconds"]["median"] for (_, _, w, _), c in cells.items()}
    cores = {w: c["cores_used"]["median"] for (_, _, w, _), c in cells.items()}
    row("CPU-bound: 2 threads / 1 thread wall", two["wall_seconds"] / one["wall_seconds"], wall[2] / wall[1],
        ("rel", 0.15))
    row("CPU-bound: cores used by 2 threads", two["cores_used"], cores[2], ("rel", 0.15))


def hold_scenario(opts):
    cells = conc_probe(opts, "--mode", "gil", "--workload", "count", "--workers", "2", "--duration",
                       f"{opts.seconds}s", "--repetitions", "3",
                       "--switch-interval", ",".join(name for name, _ in INTERVALS))
    for name, seconds in INTERVALS:
        ref = python(opts, "hold", "--interval", str(seconds), "--seconds", str(opts.seconds))
        cell = cells[("count", "gil", 2, round(seconds, 6))]
        row(f"hold time at {name} (ms)", ref["mean_hold_seconds"] * 1e3, cell["gil"]["mean_hold_seconds"] * 1e3,
            ("rel", 0.10))
        row(f"switches/s at {name}", ref["switches_per_second"], cell["gil"]["switches_per_second"], ("rel", 0.15))


def io_scenario(opts):
    ops = 320
    single = python(opts, "io", "--threads", "1", "--ops", str(ops))["wall_seconds"]
    cells = conc_probe(opts, "--mode", "single,gil", "--workload", "sleep", "--workers", "2,4,8,16",
                       "--duration", "320ms", "--repetitions", "3")
    for threads in (2, 4, 8, 16):
        ref = single / python(opts, "io", "--threads", str(threads), "--ops", str(ops))["wall_seconds"]
        ours = cells[("sleep", "gil", threads, 0.005)]["speedup"]["estimate"]
        row(f"IO sleep speed-up, {threads} threads", ref, ours, ("rel", 0.15))


def convoy_scenario(opts):
    cells = conc_probe(opts, "--mode", "single,gil", "--workload", "convoy", "--workers", "1", "--duration",
                       f"{opts.seconds}s", "--repetitions", "3",
                       "--switch-interval", ",".join(name for name, _ in INTERVALS))
    alone = cells[("convoy", "single", 1, None)]["throughput_ops_per_second"]["median"]
    first = True
    for name, seconds in INTERVALS:
        ref = python(opts, "convoy", "--interval", str(seconds), "--seconds", str(opts.seconds))
        if first:
            row("convoy: IO ops/s alone", ref["io_ops_per_second_alone"], alone, ("factor", 2))
            first = False
        ours = cells[("convoy", "gil", 1, round(seconds, 6))]["throughput_ops_per_second"]["median"]
        row(f"convoy: IO ops/s beside 1 CPU thread, {name}", ref["io_ops_per_second"], ours, ("factor", 2))


def legacy_scenario(opts):
    python2 = shutil.which("python2.7")
    if python2 is not None and subprocess.run([python2, "-c", "pass"], capture_output=True).returncode != 0:
        python2 = None  # e.g. a version manager's shim with no interpreter behind it
    if python2 is None:
        print("python2.7 not found: the legacy lock is not compared.", file=sys.stderr)
        return
    one = python(opts, "cpu", "--threads", "1", "--count", str(opts.count), interpreter=python2)
    two = python(opts, "cpu", "--threads", "2", "--count", str(opts.count), interpreter=python2)
    cells = conc_probe(opts, "--mode", "gil", "--gil-policy", "legacy", "--workload", "count", "--workers", "1,2",
                       "--duration", f"{opts.seconds}s", "--repetitions", "3")
    wall = {w: c["wall_seconds"]["median"] for (_, _, w, _), c in cells.items()}
    row("legacy: 2 threads / 1 thread wall", two["wall_seconds"] / one["wall_seconds"], wall[2] / wall[1],
        ("rel", 0.15))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build/release/conc-probe"))
    parser.add_argument("--python", default="python3")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3, help="runs of each Python scenario (median taken)")
    parser.add_argument("--count", type=int, default=20_000_000, help="countdown size of the CPU scenario")
    opts = parser.parse_args()
    version = subprocess.run([opts.python, "--version"], capture_output=True, text=True).stdout.strip()
    for scenario in (cpu_scenario, hold_scenario, io_scenario, convoy_scenario, legacy_scenario):
        scenario(opts)
    print(f"{'scenario':46} {version:>14} {'conc-probe':>12}  {'target':>7}  within")
    for scenario, cpython, ours, target, ok in ROWS:
        fmt = lambda v: "-" if v is None else (f"{v:14.3f}" if v < 100 else f"{v:14.0f}")
        print(f"{scenario:46} {fmt(cpython)} {fmt(ours)[2:]:>12}  {target:>7}  {ok}")


if __name__ == "__main__":
    main()
