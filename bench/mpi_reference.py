#!/usr/bin/env python3
"""`--mode mpi` measured against minimal MPI programs, on this machine, in one run.

Prints:
  1. one conc-probe table with single, threads, process and mpi on the same workloads;
  2. compute: conc-probe's mpi `count` cells at 1..4 ranks against a bare MPI loop over the
     same kernel and op count (bench/reference/mpi_compute.cpp), ops/s side by side
     (target: within 25%); ranks beyond the usable CPUs show the oversubscription cliff;
  3. ping-pong: conc-probe's mpi `net` cell with no IO latency (per-op p50) against a
     minimal MPI ping-pong of the same 64 bytes (bench/reference/mpi_pingpong.cpp), at 2
     ranks and with extra idle ranks oversubscribing the CPUs.

Usage: bench/mpi_reference.py [--build build/release] [--quick]
The reference programs are built with the project (cmake --build --preset release --target
reference_mpi_compute reference_mpi_pingpong).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mpirun_flags():
    """The flags conc-probe itself passes Open MPI 4 on one machine."""
    flags = ["--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader"]
    if os.geteuid() == 0:
        flags.append("--allow-run-as-root")
    return flags


def mpirun(np, *command):
    out = subprocess.run([shutil.which("mpirun"), *mpirun_flags(), "-np", str(np), *command],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"mpirun -np {np} {' '.join(command)} failed: {out.stderr}")
    return json.loads(out.stdout)


def bench(binary, *args, table=False):
    fmt = ["--format", "table", "--color", "never"] if table else ["--format", "json"]
    out = subprocess.run([binary, "bench", "--quiet", *fmt, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"conc-probe bench {' '.join(args)} failed: {out.stderr}")
    return out.stdout if table else json.loads(out.stdout)


def mpi_cell(report):
    return next(c for c in report["cells"] if c["key"]["mode"] == "mpi")


def report_table(binary, duration, reps):
    print("## One table: single, threads, process, mpi (count, net)\n")
    print(bench(binary, "--mode", "single,threads,process,mpi", "--workers", "2", "--ranks", "2",
                "--workload", "count,net", "--duration", duration, "--repetitions", reps, table=True))


def report_compute(binary, build, duration, reps):
    print("## Compute: conc-probe mpi `count` against a bare MPI loop (same kernel, same ops)\n")
    print("| ranks | ops | conc-probe ops/s | bare MPI ops/s | ratio | checksum equal |")
    print("|---:|---:|---:|---:|---:|:---:|")
    for ranks in (1, 2, 3, 4):
        report = bench(binary, "--mode", "single,mpi", "--ranks", str(ranks), "--workload", "count",
                       "--duration", duration, "--repetitions", reps)
        cell = mpi_cell(report)
        ours = cell["throughput_ops_per_second"]["median"]
        bare = mpirun(ranks, str(build / "bench/reference/reference_mpi_compute"), str(cell["total_ops"]), reps)
        same = cell["samples"][0]["checksum"] == bare["checksum"]
        print(f"| {ranks} | {cell['total_ops']} | {ours:,.0f} | {bare['ops_per_second']:,.0f} | "
              f"{ours / bare['ops_per_second']:.2f} | {'yes' if same else 'NO'} |")
    print()


def report_pingpong(binary, build, duration, reps):
    print("## Ping-pong: conc-probe mpi `net` (--io-latency 1ns: no sleep, 64 bytes) against a minimal MPI ping-pong\n")
    print("| ranks | conc-probe p50 round trip | minimal ping-pong round trip | ratio |")
    print("|---:|---:|---:|---:|")
    for ranks in (2, 3, 4):
        report = bench(binary, "--mode", "single,mpi", "--ranks", str(ranks), "--workload", "net",
                       "--io-latency", "1ns", "--duration", duration, "--repetitions", reps)
        ours = mpi_cell(report)["latency_seconds"]["p50"]
        bare = mpirun(ranks, str(build / "bench/reference/reference_mpi_pingpong"), "64", "2000", reps)
        theirs = bare["round_trip_seconds"]
        print(f"| {ranks} | {ours * 1e6:.2f} us | {theirs * 1e6:.2f} us | {ours / theirs:.2f} |")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build/release"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    build = Path(args.build)
    binary = str(build / "conc-probe")
    duration, reps = ("200ms", "3") if args.quick else ("500ms", "5")
    print(f"nproc: {os.cpu_count()}; mpirun: {subprocess.run(['mpirun', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}\n")
    report_table(binary, duration, reps)
    report_compute(binary, build, duration, reps)
    report_pingpong(binary, build, duration, reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
