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

Each comparison runs --rounds times, interleaved (conc-probe, then the reference, at each
rank count in turn), so that a burst of load elsewhere hits both; the median ratio and the
range of the rounds' ratios are printed, with the load average beside every row.

Usage: bench/mpi_reference.py [--build build/release] [--quick] [--rounds N] [--only WHAT]
The reference programs are built with the project (cmake --build --preset release --target
reference_mpi_compute reference_mpi_pingpong).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mpirun_flags(np):
    """The flags conc-probe itself passes Open MPI 4 on one machine: a core per rank when
    the ranks fit the CPUs (and this process may use them all), else no binding."""
    fits = np <= len(os.sched_getaffinity(0)) == os.cpu_count()
    flags = ["--oversubscribe", "--bind-to", "core" if fits else "none", "--mca", "btl", "self,vader"]
    if os.geteuid() == 0:
        flags.append("--allow-run-as-root")
    return flags


def mpirun(np, *command):
    out = subprocess.run([shutil.which("mpirun"), *mpirun_flags(np), "-np", str(np), *command],
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


def load():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def ratios_line(ratios):
    """Median ratio and the spread of the rounds' ratios, against the 25% target."""
    ratios = sorted(ratios)
    median = statistics.median(ratios)
    met = "met" if abs(median - 1) <= 0.25 else "NOT met"
    return f"median {median:.2f} [{ratios[0]:.2f}, {ratios[-1]:.2f}] over {len(ratios)} rounds: {met}"


def report_compute(binary, build, duration, reps, rounds):
    print("## Compute: conc-probe mpi `count` against a bare MPI loop (same kernel, same ops)\n")
    print("| round | ranks | ops | conc-probe ops/s | bare MPI ops/s | ratio | checksum equal | load |")
    print("|---:|---:|---:|---:|---:|---:|:---:|---|")
    ratios = {}
    for round_ in range(1, rounds + 1):
        for ranks in (1, 2, 3, 4):
            report = bench(binary, "--mode", "single,mpi", "--ranks", str(ranks), "--workload", "count",
                           "--duration", duration, "--repetitions", reps)
            cell = mpi_cell(report)
            ours = cell["throughput_ops_per_second"]["median"]
            bare = mpirun(ranks, str(build / "bench/reference/reference_mpi_compute"), str(cell["total_ops"]), reps)
            same = cell["samples"][0]["checksum"] == bare["checksum"]
            ratios.setdefault(ranks, []).append(ours / bare["ops_per_second"])
            print(f"| {round_} | {ranks} | {cell['total_ops']} | {ours:,.0f} | {bare['ops_per_second']:,.0f} | "
                  f"{ours / bare['ops_per_second']:.2f} | {'yes' if same else 'NO'} | {load()} |")
    print()
    for ranks, values in ratios.items():
        print(f"- {ranks} rank(s): conc-probe / bare ops/s {ratios_line(values)}")
    print()


def report_pingpong(binary, build, duration, reps, rounds):
    print("## Ping-pong: conc-probe mpi `net` (--io-latency 1ns: no sleep, 64 bytes) against a minimal MPI ping-pong\n")
    print("Each side is the median over `--repetitions` mpirun jobs of each job's own figure: a "
          "job's ranks land on CPUs whose distance (on the host, under a VM) can change the round "
          "trip two- or threefold from one job to the next, so a p50 pooled over jobs would mix "
          "placements. p50: round trips timed one by one (conc-probe's per-op latencies; the "
          "reference's own). The reference runs twice a job: bare (MPI_Send and MPI_Recv of a fixed "
          "buffer) and with the `net` workload's op work (the payload filled from the op's seed, the "
          "reply compared and hashed), so that `op work` differs from conc-probe only by the engine. "
          "The 25% target is for 2 ranks (one pair, a CPU each) against the reference with the op "
          "work; 3 and 4 ranks oversubscribe the 2 CPUs and show the cliff.\n")
    print("| round | ranks | conc-probe p50 [jobs] | op work p50 [jobs] | ratio | bare p50 [jobs] | ratio | load |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    work_ratios, bare_ratios = {}, {}
    span = lambda xs: f"{statistics.median(xs) * 1e6:.2f} us [{min(xs) * 1e6:.2f}-{max(xs) * 1e6:.2f}]"
    pingpong = str(build / "bench/reference/reference_mpi_pingpong")
    for round_ in range(1, rounds + 1):
        for ranks in (2, 3, 4):
            report = bench(binary, "--mode", "single,mpi", "--ranks", str(ranks), "--workload", "net",
                           "--io-latency", "1ns", "--duration", duration, "--repetitions", reps)
            cell = mpi_cell(report)
            samples = [s for s in cell["samples"] if s.get("latency_seconds")]
            ours_jobs = [statistics.median(s["latency_seconds"]) for s in samples]
            work_jobs, bare_jobs = [], []
            for _ in samples:  # interleaved, a job of each
                work_jobs.append(mpirun(ranks, pingpong, "64", "2000", "3", "work")["p50_seconds"])
                bare_jobs.append(mpirun(ranks, pingpong, "64", "2000", "3", "plain")["p50_seconds"])
            ours, work, bare = (statistics.median(x) for x in (ours_jobs, work_jobs, bare_jobs))
            work_ratios.setdefault(ranks, []).append(ours / work)
            bare_ratios.setdefault(ranks, []).append(ours / bare)
            print(f"| {round_} | {ranks} | {span(ours_jobs)} | {span(work_jobs)} | {ours / work:.2f} | "
                  f"{span(bare_jobs)} | {ours / bare:.2f} | {load()} |")
    print()
    for ranks in work_ratios:
        print(f"- {ranks} ranks: p50 against the op work {ratios_line(work_ratios[ranks])}; "
              f"against the bare ping-pong {ratios_line(bare_ratios[ranks])}")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build/release"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds of each comparison (the median ratio is reported)")
    parser.add_argument("--only", choices=("table", "compute", "pingpong"), action="append")
    args = parser.parse_args()
    build = Path(args.build)
    binary = str(build / "conc-probe")
    duration, reps = ("200ms", "3") if args.quick else ("500ms", "5")
    print(f"nproc: {os.cpu_count()}; mpirun: {subprocess.run(['mpirun', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}\n")
    print(f"load average at the start: {load()}\n")
    only = args.only or ("table", "compute", "pingpong")
    if "table" in only:
        report_table(binary, duration, reps)
    if "compute" in only:
        report_compute(binary, build, duration, reps, args.rounds)
    if "pingpong" in only:
        report_pingpong(binary, build, duration, reps, args.rounds)
    print(f"load average at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
