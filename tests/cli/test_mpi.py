#!/usr/bin/env python3
"""CLI tests of `--mode mpi` and of `info` under mpirun, with real mpirun ranks (2-3,
oversubscribed on one machine). CONC_PROBE_EXPECT_MPI says whether the binary was built
with MPI: without it, `--mode mpi` must say it is not built in (exit 2), and that is all.

Usage: test_mpi.py /path/to/conc-probe
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema

BINARY = sys.argv[1]
DOCS = Path(os.environ.get("CONC_PROBE_DOCS", Path(__file__).resolve().parents[2] / "docs"))
SCHEMA = json.loads((DOCS / "schema" / "bench.schema.json").read_text())
SHORT = ["--duration", "50ms", "--repetitions", "2", "--warmup", "0", "--quiet"]
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, env=None, timeout=120):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, env=env)


def mpirun_flags():
    """What a single machine needs from Open MPI 4 (the CI's): as conc-probe uses it."""
    flags = ["--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader"]
    if os.geteuid() == 0:
        flags.append("--allow-run-as-root")
    return flags


def mpirun(np, args, extra=(), env=None, timeout=120):
    command = [shutil.which("mpirun"), *mpirun_flags(), *extra, "-np", str(np), BINARY, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def expect_usage_error(result, needle, what):
    lines = result.stderr.strip().splitlines()
    check(result.returncode == 2, f"{what}: exit {result.returncode}, expected 2: {result.stderr!r}")
    check(result.stdout == "", f"{what}: wrote to stdout: {result.stdout[:200]!r}")
    check(len(lines) == 1 and lines[0].startswith("conc-probe: error: ") and needle in lines[0],
          f"{what}: expected one error line with {needle!r}, got {result.stderr!r}")


def test_not_built_in():
    expect_usage_error(run(["bench", "--mode", "single,mpi", *SHORT]), "not built in", "mpi without MPI")


def test_bad_combinations():
    expect_usage_error(run(["bench", "--mode", "mpi", "--ranks", "0", *SHORT]), "--ranks", "--ranks 0")
    env = dict(os.environ, CONC_PROBE_MPIRUN="")
    expect_usage_error(run(["bench", "--mode", "mpi", *SHORT], env=env), "needs mpirun", "no mpirun")
    env = dict(os.environ, CONC_PROBE_MPIRUN="/nonexistent/mpirun")
    expect_usage_error(run(["bench", "--mode", "mpi", *SHORT], env=env), "needs mpirun", "missing mpirun")


def cells_by_mode(document):
    return {(c["key"]["workload"], c["key"]["mode"], c["key"]["workers"]): c for c in document["cells"]}


def test_one_table_all_modes():
    """single, threads, process and mpi in one run: same checksum, mpi samples name hosts."""
    result = run(["bench", "--mode", "single,threads,process,mpi", "--ranks", "2", "--workers", "2",
                  "--workload", "count,net", "--format", "json", *SHORT], timeout=300)
    check(result.returncode == 0, f"all-modes run exit {result.returncode}: {result.stderr[-500:]!r}")
    document = json.loads(result.stdout)
    try:
        jsonschema.validate(document, SCHEMA)
    except jsonschema.ValidationError as error:
        check(False, f"schema violation at {list(error.absolute_path)}: {error.message}")
    cells = cells_by_mode(document)
    for workload in ("count", "net"):
        mpi = cells.get((workload, "mpi", 2))
        check(mpi is not None, f"no mpi cell for {workload}")
        if mpi is None:
            continue
        sums = {mode: cells[(workload, mode, w)]["samples"][0]["checksum"]
                for (wl, mode, w) in cells if wl == workload}
        check(len(set(sums.values())) == 1, f"{workload}: checksums differ across modes: {sums}")
        check(all(s["ok"] for s in mpi["samples"]), f"{workload}: an mpi sample failed")
        check(all(len(s["hosts"]) == 2 for s in mpi["samples"]), f"{workload}: mpi samples lack 2 hosts")
        check(mpi["speedup"] is not None, f"{workload}: mpi has no speed-up against single")
        memory = mpi["memory"] or {}
        check(memory.get("pss_bytes") and memory.get("pss_per_worker_bytes"),
              f"{workload}: mpi has no memory per rank: {memory}")
        check(all(s["pss_bytes"] and s["peak_rss_bytes"] for s in mpi["samples"]),
              f"{workload}: an mpi sample lacks its ranks' memory")
    findings = {f["topic"]: f["text"] for f in document["findings"]}
    check("mpi " in findings.get("cpu", ""), f"the CPU-bound finding leaves mpi out: {findings}")
    check("MPI ranks" in findings.get("startup", ""), f"the start-up finding leaves mpi out: {findings}")
    check("oversubscribed" not in findings, f"2 ranks called oversubscribed: {findings}")


def test_oversubscribed():
    """3 ranks on this machine's CPUs (2 on the CI): the finding says so and why."""
    result = run(["bench", "--mode", "single,mpi", "--ranks", "3", "--workload", "count",
                  "--format", "json", *SHORT], timeout=300)
    check(result.returncode == 0, f"3 ranks: exit {result.returncode}: {result.stderr[-500:]!r}")
    document = json.loads(result.stdout)
    cpu = document["context"]["info"]["cpu"]
    usable = cpu.get("usable_fraction") or cpu.get("usable_cpus") or 1  # what the findings use
    findings = {f["topic"]: f["text"] for f in document["findings"]}
    if usable >= 3:
        check("oversubscribed" not in findings, f"3 ranks on {usable} CPUs called oversubscribed")
        return
    text = findings.get("oversubscribed", "")
    check(text.startswith(f"Oversubscribed: up to 3 MPI ranks on a host with {usable:g} usable CPUs"),
          f"3 ranks on {usable} CPUs: no oversubscription finding: {findings}")
    check("count: mpi×3" in text, f"the finding does not quote mpi×3: {text!r}")
    check("spins on its CPU" in text, f"the finding does not explain the waits: {text!r}")


def test_by_hand_under_mpirun():
    """`mpirun -np 2 conc-probe bench --mode single,mpi`: one report, from rank 0."""
    result = mpirun(2, ["bench", "--mode", "single,mpi", "--workload", "count", "--format", "json", *SHORT],
                    timeout=300)
    check(result.returncode == 0, f"by hand exit {result.returncode}: {result.stderr[-500:]!r}")
    try:
        document = json.loads(result.stdout)  # exactly one document: the other rank wrote nothing
    except json.JSONDecodeError as error:
        check(False, f"by hand: stdout is not one JSON document ({error}): {result.stdout[:300]!r}")
        return
    cells = cells_by_mode(document)
    check(("count", "mpi", 2) in cells, f"by hand: no mpi×2 cell: {sorted(cells)}")
    single = cells[("count", "single", 1)]["samples"][0]["checksum"]
    check(all(s["checksum"] == single for s in cells[("count", "mpi", 2)]["samples"]),
          "by hand: the mpi checksum differs from single's")
    wrong = mpirun(2, ["bench", "--mode", "mpi", "--ranks", "3", *SHORT])
    check(wrong.returncode != 0 and "mpirun's -np (2)" in wrong.stderr,
          f"by hand: --ranks 3 under -np 2 not refused: {wrong.returncode} {wrong.stderr[-300:]!r}")


def test_info_per_rank():
    result = mpirun(3, ["info"])
    check(result.returncode == 0, f"info under mpirun exit {result.returncode}: {result.stderr!r}")
    rows = [line for line in result.stdout.splitlines() if line[:1].isdigit()]
    check(len(rows) == 3, f"info: expected 3 rank rows, got {result.stdout!r}")
    check(result.stdout.count("MPI ranks: 3") == 1, "info: the report is not written once")
    document = json.loads(mpirun(3, ["info", "--format", "json"]).stdout)
    check([r["rank"] for r in document["ranks"]] == [0, 1, 2], f"info json ranks: {document['ranks']}")
    usable = document["ranks"][0]["usable_cpus"] or 1
    warnings = " | ".join(document["warnings"])
    check("share CPUs" in warnings, f"info: unbound ranks should share CPUs: {warnings}")
    if usable < 3:
        check("exceed the" in warnings, f"info: 3 ranks on {usable} CPUs not flagged: {warnings}")
    threaded = json.loads(mpirun(2, ["info", "--format", "json"], extra=["-x", "OMP_NUM_THREADS=4"]).stdout)
    check(all(r["threads"] == 4 for r in threaded["ranks"]), "info: OMP_NUM_THREADS not read")
    check(any("= 8 exceed" in w for w in threaded["warnings"]) or usable >= 8,
          f"info: 2 ranks × 4 threads not flagged: {threaded['warnings']}")


def test_dead_rank_and_interrupt():
    started = time.monotonic()
    result = run(["bench", "--mode", "single,mpi", "--ranks", "2", "--workload", "sleep",
                  "--fault-signal", "9", *SHORT], timeout=120)
    check(result.returncode == 1, f"dead rank: exit {result.returncode}, expected 1: {result.stderr[-300:]!r}")
    check(time.monotonic() - started < 60, "dead rank: the run took too long")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TMPDIR=tmp)
        process = subprocess.Popen([BINARY, "bench", "--mode", "mpi", "--ranks", "2", "--workload", "sleep",
                                    "--io-latency", "200ms", "--duration", "20s", "--repetitions", "1",
                                    "--warmup", "0", "--quiet"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(Path(tmp).glob("conc-probe-*/ranks*")) \
                and not ranks_running(process.pid):
            time.sleep(0.05)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        check(process.returncode == 130, f"SIGINT: exit {process.returncode}: {stderr[-300:]!r}")
        time.sleep(0.3)
        check(not ranks_running(process.pid), "SIGINT: ranks or mpirun left running")
        check(list(Path(tmp).iterdir()) == [], f"SIGINT: files left: {list(Path(tmp).iterdir())}")


def ranks_running(sid):
    """True when a process of session `sid` other than its leader is alive (mpirun, ranks)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == sid:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            return True
    return False


def main():
    if os.environ.get("CONC_PROBE_EXPECT_MPI") != "1":
        tests = [test_not_built_in]
    elif shutil.which("mpirun") is None:
        print("mpirun not found: install openmpi-bin (scripts/deps.sh)", file=sys.stderr)
        return 1
    else:
        tests = [test_bad_combinations, test_one_table_all_modes, test_oversubscribed, test_by_hand_under_mpirun,
                 test_info_per_rank, test_dead_rank_and_interrupt]
    for test in tests:
        started = time.monotonic()
        test()
        print(f"{test.__name__}: {time.monotonic() - started:.1f}s", file=sys.stderr)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all mpi CLI tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
