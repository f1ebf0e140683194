#!/usr/bin/env python3
"""How close conc-probe's harness comes to the physical limits of this machine.

Prints, in one run:
  1. CPU-bound speed-up of `threads` and `process` at 2 workers (target >= 1.9 on a quiet
     2-core machine);
  2. `sleep` speed-up at N threads against the ideal N (target within 5%);
  3. start-up of one thread / one process as conc-probe measures it (launch until the worker
     is ready), against a minimal stand-alone std::thread create+join and fork+waitpid, both
     back to back and after 20 ms of work, plus the engine's launch code itself run in the
     reference's loop (target within 25%);
  4. engine overhead per op: the worker loop's own cost per op (against a bare loop over a
     trivial op) as a share of each default workload's op, with an end-to-end cross-check
     of a single cell against the same ops in a bare loop (target below 1%);
  5. memory: `process` with 64 workers and `threads` with 1024 IO-bound workers complete,
     with their peak RSS.

Usage: bench/harness_accuracy.py [--binary build/release/conc-probe] [--quick]
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(binary, *args):
    out = subprocess.run([binary, "bench", "--format", "json", "--quiet", *args],
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"conc-probe bench {' '.join(args)} failed: {out.stderr}")
    return json.loads(out.stdout)


def cells(report):
    for cell in report["cells"]:
        key = cell["key"]
        yield (key["workload"], key["mode"], key["workers"]), cell


def compile_reference(build, tmp):
    """The references, built by CMake with the project (bench/reference/CMakeLists.txt)."""
    del tmp
    names = ["startup", "launch_loop", "overhead", "loop_overhead"]
    subprocess.run(["cmake", "--build", str(build), "-j2", "--target", *[f"reference_{n}" for n in names]],
                   check=True, stdout=subprocess.DEVNULL)
    path = {n: build / "bench" / "reference" / f"reference_{n}" for n in names}
    return (path["startup"], path["launch_loop"]), (path["overhead"], path["loop_overhead"])


def report_speedups(binary, duration, reps):
    print("1. CPU-bound speed-up at 2 workers (target >= 1.9 on a quiet machine)")
    report = bench(binary, "--workload", "count,primes,hash", "--mode", "single,threads,process",
                   "--workers", "2", "--duration", duration, "--repetitions", reps)
    for (workload, mode, workers), cell in cells(report):
        if mode != "single":
            s = cell["speedup"]
            print(f"   {workload:7} {mode:8} x{workers}: {s['estimate']:.2f}x [{s['ci_low']:.2f}, {s['ci_high']:.2f}]"
                  f"  cores used {cell['cores_used']['median']:.2f}{'  BUSY' if cell['busy'] else ''}")
    print("2. sleep speed-up at N threads vs ideal N (target within 5%)")
    report = bench(binary, "--workload", "sleep", "--mode", "single,threads,gil,process",
                   "--workers", "2,4,8,16", "--duration", duration, "--repetitions", reps)
    for (workload, mode, workers), cell in cells(report):
        if mode != "single":
            s = cell["speedup"]["estimate"]
            print(f"   sleep {mode:8} x{workers:<2}: {s:5.2f}x = {s / workers * 100:5.1f}% of ideal")


def report_startup(binary, startup, reps):
    startup, launch = startup
    print("3. start-up of one worker: conc-probe vs a minimal stand-alone measurement (target within 25%)")
    ref = json.loads(subprocess.run([str(startup)], capture_output=True, text=True, check=True).stdout)
    same_loop = json.loads(subprocess.run([str(launch)], capture_output=True, text=True, check=True).stdout)
    print(f"   same loop    threads : conc-probe {same_loop['launch_to_ready_seconds'] * 1e6:8.1f} us   reference"
          f" {same_loop['create_join_seconds'] * 1e6:8.1f} us   ratio"
          f" {same_loop['launch_to_ready_seconds'] / same_loop['create_join_seconds']:5.2f}"
          "   (the engine's launch code alternating with create+join)")

    def ours(modes, duration, repetitions):
        report = bench(binary, "--workload", "count", "--mode", modes, "--workers", "1", "--duration", duration,
                       "--repetitions", str(repetitions), "--warmup", "2")
        return {mode: cell["startup_seconds"]["median"] for (_, mode, _), cell in cells(report)}

    # Back to back: 1 ms cells of one mode, so launches follow each other as in the
    # reference's loop. After work: the cells of an ordinary run, each launch following
    # 20 ms of computing (the previous cell), against the reference's launches after 20 ms
    # of computing. An idle virtual CPU must be woken by the host, which dominates the second.
    back_to_back = {**ours("threads", "1ms", 50), **ours("process", "1ms", 50)}
    after_work = ours("single,threads,process", "20ms", max(int(reps), 15))
    for condition, measured, suffix in (("back to back", back_to_back, ""),
                                        ("after work  ", after_work, "_after_work")):
        for mode, key in (("threads", "thread_create_join"), ("process", "fork_wait")):
            reference = ref[f"{key}{suffix}_seconds"]
            value = measured[mode]
            print(f"   {condition} {mode:8}: conc-probe {value * 1e6:8.1f} us   reference {reference * 1e6:8.1f} us"
                  f"   ratio {value / reference:5.2f}")


def report_overhead(binary, overhead, duration, reps):
    overhead, loop = overhead
    print("4. engine overhead per op (target < 1%)")
    # The engine's own cost: its worker loop over an op of a few instructions, against a bare
    # loop over the same op. This is what the engine adds to every op of every workload.
    own = json.loads(subprocess.run([str(loop)], capture_output=True, text=True, check=True).stdout)
    added = max(own["engine_seconds_per_op"], own["engine_sampling_seconds_per_op"]) - own["bare_seconds_per_op"]
    print(f"   worker loop: {own['engine_seconds_per_op'] * 1e9:.1f} ns/op ({own['engine_sampling_seconds_per_op'] * 1e9:.1f}"
          f" with latency sampling) vs bare loop {own['bare_seconds_per_op'] * 1e9:.1f} ns/op: the engine adds"
          f" {added * 1e9:.1f} ns per op")
    # Cross-check end to end: a single cell against a bare loop of the same ops in another
    # process, fastest pass of each. Two processes differ by a few percent either way
    # (frequency, code placement), so this bounds the overhead only coarsely.
    for workload in ("count", "primes", "hash", "sleep"):
        report = bench(binary, "--workload", workload, "--mode", "single", "--duration", duration,
                       "--repetitions", reps)
        cell = next(c for _, c in cells(report))
        ops = cell["total_ops"]
        engine = cell["wall_seconds"]["min"] / ops
        bare = json.loads(subprocess.run([str(overhead), workload, str(ops), reps], capture_output=True,
                                         text=True, check=True).stdout)["min_seconds_per_op"]
        print(f"   {workload:7}: op {engine * 1e6:9.3f} us; the engine's {added * 1e9:.1f} ns are"
              f" {added / engine * 100:.4f}% of it   (cross-check: cell vs bare loop {(engine / bare - 1) * 100:+.2f}%)")


def report_memory(binary):
    print("5. memory: many workers complete")
    for mode, workers, workload in (("process", 64, "count"), ("threads", 1024, "sleep"), ("gil", 1024, "sleep")):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report = bench(binary, "--workload", workload, "--mode", f"single,{mode}", "--workers", str(workers),
                       "--duration", "200ms", "--repetitions", "2", "--warmup", "0")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        cell = [c for (w, m, n), c in cells(report) if m == mode][0]
        status = "FAILED: " + str(cell["error"]) if cell["failed"] else "completed"
        print(f"   {mode:8} x{workers:<4} {workload}: {status}, speed-up {cell['speedup']['estimate']:.1f}x,"
              f" peak RSS of one process {max(peak, before) / 1024:.1f} MiB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "build/release/conc-probe"))
    parser.add_argument("--quick", action="store_true", help="shorter cells, fewer repetitions")
    opts = parser.parse_args()
    duration, reps = ("200ms", "5") if opts.quick else ("1s", "7")
    build = Path(opts.binary).resolve().parent
    with tempfile.TemporaryDirectory() as name:
        startup, overhead = compile_reference(build, Path(name))
        report_speedups(opts.binary, duration, reps)
        report_startup(opts.binary, startup, reps)
        report_overhead(opts.binary, overhead, duration, reps)
        report_memory(opts.binary)


if __name__ == "__main__":
    main()
