#!/usr/bin/env python3
"""conc-probe's `async` mode beside asyncio, on every installed CPython, on this machine.

Runs bench/python/async_reference.py with each interpreter given by path (default: every
CPython 3 that pyenv installed), runs conc-probe on the same scenarios, and prints them
side by side with the fidelity targets:
  sleep speed-up at 2, 4, 8, 16, 32, 64 tasks (1 ms sleeps)          within +-15%
  loop lag p50 / p99 with a 1 ms compute step and a 1 ms sleep, 4 tasks  within +-15%

The interpreter's own cost of a task step (asyncio's future, timer handle and wake-up, some
microseconds a step, against about one for conc-probe's native loop) is measured on each
interpreter and given to conc-probe as --op-overhead, so that the model runs the work the
interpreter does; --native compares the native loop alone.

conc-probe takes the median of 3 repetitions; each Python program runs --runs times and the
median is taken. conc-probe runs between the interpreters, so drift shows as a change in its
own column.

Usage: bench/async_vs_asyncio.py [--binary build/release/conc-probe] [--python PATH ...] [--runs 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "bench/python/async_reference.py"
TASKS = [2, 4, 8, 16, 32, 64]
SLEEP_OPS = 640
LAG_TASKS = 4
LAG_OPS = 400


def pyenv_pythons():
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return []
    found = []
    for version in sorted(Path(root, "versions").iterdir(), key=lambda p: [int(x) for x in p.name.split(".")
                                                                          if x.isdigit()]):
        interpreter = version / "bin" / "python"
        if version.name.startswith("3.") and interpreter.exists():
            found.append(str(interpreter))
    return found


def python(interpreter, runs, *args):
    """Median of each numeric field over `runs` runs of one reference scenario."""
    results = [json.loads(subprocess.run([interpreter, str(REFERENCE), *args], capture_output=True, text=True,
                                         check=True).stdout) for _ in range(runs)]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def conc_probe(binary, *args):
    out = subprocess.run([binary, "bench", "--format", "json", "--quiet", "--repetitions", "3", *args],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"conc-probe failed: {out.stderr}")
    document = json.loads(out.stdout)
    return {(c["key"]["mode"], c["key"]["workers"]): c for c in document["cells"]}, document["busy"]


def ours(binary, step_seconds):
    # The interpreter's cost of a task step, measured on the interpreter compared with, is run
    # before every op (--op-overhead): asyncio pays it per step, conc-probe's native loop
    # about a microsecond. 0 = the native loop alone.
    overhead = ["--op-overhead", f"{step_seconds * 1e9:.0f}ns"] if step_seconds > 0 else []
    # The single cell of about SLEEP_OPS sleeps of 1 ms (each costs about 1.06 ms).
    sleep, sleep_busy = conc_probe(binary, "--mode", "single,async", "--workload", "sleep", "--io-latency", "1ms",
                                   "--workers", ",".join(map(str, TASKS)), "--duration", f"{SLEEP_OPS * 1.06:.0f}ms",
                                   *overhead)
    lag, lag_busy = conc_probe(binary, "--mode", "async", "--workload", "mixed", "--compute-time", "1ms",
                               "--io-latency", "1ms", "--workers", str(LAG_TASKS), "--duration",
                               f"{LAG_OPS * 2.1:.0f}ms", *overhead)
    out = {f"sleep speed-up, {n} tasks": sleep[("async", n)]["speedup"]["estimate"] for n in TASKS}
    cell = lag[("async", LAG_TASKS)]["loop_lag_seconds"]
    out[f"lag p50, 1 ms compute, {LAG_TASKS} tasks (ms)"] = cell["p50"] * 1e3
    out[f"lag p99, 1 ms compute, {LAG_TASKS} tasks (ms)"] = cell["p99"] * 1e3
    return out, sleep_busy or lag_busy


def theirs(interpreter, runs):
    single = python(interpreter, runs, "sleep", "--tasks", "0", "--ops", str(SLEEP_OPS))["wall_seconds"]
    out = {}
    for n in TASKS:
        wall = python(interpreter, runs, "sleep", "--tasks", str(n), "--ops", str(SLEEP_OPS))["wall_seconds"]
        out[f"sleep speed-up, {n} tasks"] = single / wall
    lag = python(interpreter, runs, "lag", "--tasks", str(LAG_TASKS), "--ops", str(LAG_OPS), "--compute", "0.001",
                 "--latency", "0.001")
    out[f"lag p50, 1 ms compute, {LAG_TASKS} tasks (ms)"] = lag["lag_p50"] * 1e3
    out[f"lag p99, 1 ms compute, {LAG_TASKS} tasks (ms)"] = lag["lag_p99"] * 1e3
    return out


def step_cost(interpreter, runs):
    """Seconds of one task step of asyncio on this interpreter (64 tasks, 6400 steps)."""
    return python(interpreter, runs, "step", "--tasks", "64", "--ops", "6400")["step_seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build/release/conc-probe"))
    parser.add_argument("--python", action="append", help="an interpreter by path (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each Python scenario (median taken)")
    parser.add_argument("--native", action="store_true",
                        help="compare the native loop alone (no --op-overhead for the interpreter's step)")
    opts = parser.parse_args()
    interpreters = opts.python or pyenv_pythons()
    if not interpreters:
        sys.exit("no interpreter: pass --python PATH")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    for interpreter in interpreters:
        version = subprocess.run([interpreter, "--version"], capture_output=True, text=True).stdout.strip()
        reference = theirs(interpreter, opts.runs)
        step = 0.0 if opts.native else step_cost(interpreter, opts.runs)
        measured, busy = ours(opts.binary, step)
        print(f"\n{'scenario':40} {version:>14} {'conc-probe':>11}  target  within"
              f"{'  (conc-probe marked BUSY)' if busy else ''}")
        if step > 0:
            print(f"{'task step (--op-overhead), us':40} {step * 1e6:14.2f}")
        for scenario, value in reference.items():
            mine = measured[scenario]
            ok = "yes" if abs(mine / value - 1) <= 0.15 else "NO"
            print(f"{scenario:40} {value:14.3f} {mine:11.3f}    ±15%  {ok}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
