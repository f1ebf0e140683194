#!/usr/bin/python3
"""Error rates of `conc-probe compare` (and `bench --baseline`) on a shared machine.

Runs N A/A pairs (the same build twice: any "slower" is a false alarm) and N A/B pairs (B is
a real slowdown: the same bench inside a cgroup with a CPU quota of 1.2 CPUs, so two workers
on two CPUs lose 40% of their capacity), each quiet and under a background load like a
shared runner's (one process spinning 3 ms, sleeping 7 ms). B runs the baseline's op counts
(--baseline), so both runs of a pair do the same work. Beside conc-probe's verdict, the same
pairs are judged by Google Benchmark's U-test (tools/compare.py's calc_utest, Debian
libbenchmark-tools) and by a Welch t-test, each on per-op times, "slower" meaning p < 0.05
and a median change beyond the same threshold.

Not a test: 50 pairs of each condition take about half an hour on 2 CPUs. Needs root and a writable cgroup cpu controller
for the quota. Prints a markdown table (docs/ci.md quotes it) and writes the raw verdicts.

Run it with the distribution's python3 (python3-scipy, libbenchmark-tools), not a version
manager's. Usage: error_rates.py /path/to/conc-probe [--pairs 50] [--conditions aa-quiet,ab-quiet,...]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, "/usr/share/benchmark")
try:
    from gbench.report import calc_utest  # Google Benchmark's own U-test
except ImportError:  # pragma: no cover - libbenchmark-tools missing
    calc_utest = None
try:
    from scipy.stats import ttest_ind
except ImportError:  # pragma: no cover
    ttest_ind = None

# Two cells: one that a 1.2-CPU quota leaves alone (single) and one it slows (2 threads).
MATRIX = ["--workload", "count", "--mode", "single,threads", "--workers", "2",
          "--duration", "100ms", "--max-time", "1s", "--quiet"]
THRESHOLD = 0.10
ALPHA = 0.05
CONDITIONS = ["aa-quiet", "ab-quiet", "aa-loaded", "ab-loaded"]


class Spinner:
    """A background load like a shared runner's: spin 3 ms, sleep 7 ms, forever."""

    def __enter__(self):
        code = ("import time\n"
                "while True:\n"
                "    end = time.perf_counter() + 0.003\n"
                "    while time.perf_counter() < end: pass\n"
                "    time.sleep(0.007)\n")
        self.process = subprocess.Popen([sys.executable, "-c", code])
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


class QuotaCgroup:
    """A cgroup v1 `cpu` (or v2) group with a quota of `cpus` CPUs; removed on exit."""

    def __init__(self, cpus):
        self.cpus = cpus

    def __enter__(self):
        name = f"conc-probe-error-rates-{os.getpid()}"
        v1 = Path("/sys/fs/cgroup/cpu")
        quota = int(self.cpus * 100000)
        if (v1 / "cpu.cfs_quota_us").exists():
            self.dir = v1 / name
            self.dir.mkdir()
            (self.dir / "cpu.cfs_period_us").write_text("100000")
            (self.dir / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            self.dir = Path("/sys/fs/cgroup") / name
            self.dir.mkdir()
            (self.dir / "cpu.max").write_text(f"{quota} 100000")
        return self

    def command(self, args):
        return ["sh", "-c", f'echo $$ > {self.dir}/cgroup.procs && exec "$@"', "sh", *args]

    def __exit__(self, *exc):
        for _ in range(50):
            try:
                self.dir.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def per_op(run):
    """Per-op times of each cell: {cell id: [seconds per op, ...]}."""
    out = {}
    for cell in run["cells"]:
        key = cell["key"]
        cell_id = f'{key["workload"]}/{key["mode"]}/{key["workers"]}'
        out[cell_id] = [s["wall_seconds"] / s["ops"] for s in cell["samples"] if s["ok"] and s["ops"]]
    return out


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def peer_verdicts(base, new):
    """(U-test says slower, Welch says slower) for the pair: any cell p < alpha and slower
    than the threshold."""
    utest = welch = False
    a, b = per_op(base), per_op(new)
    for cell_id, times in a.items():
        other = b.get(cell_id, [])
        if len(times) < 2 or len(other) < 2:
            continue
        change = median(other) / median(times) - 1
        if change <= THRESHOLD:
            continue
        if calc_utest is not None:
            _, _, p = calc_utest([times, other], [times, other])
            utest = utest or bool(p is not None and p < ALPHA)
        if ttest_ind is not None:
            welch = welch or bool(ttest_ind(times, other, equal_var=False).pvalue < ALPHA)
    return utest, welch


def one_pair(binary, tmp, condition, index):
    base_path, new_path = tmp / f"{condition}-{index}-a.json", tmp / f"{condition}-{index}-b.json"
    subprocess.run([binary, "bench", *MATRIX, "-o", str(base_path)], check=False, timeout=600)
    command = [binary, "bench", *MATRIX, "--baseline", str(base_path), "-o", str(new_path)]
    if condition.startswith("ab"):
        with QuotaCgroup(1.2) as group:
            subprocess.run(group.command(command), check=False, timeout=600, capture_output=True)
    else:
        subprocess.run(command, check=False, timeout=600, capture_output=True)
    verdict = subprocess.run([binary, "compare", str(base_path), str(new_path), "--format", "json"],
                             capture_output=True, text=True, timeout=120)
    cells = json.loads(verdict.stdout)["cells"] if verdict.stdout else []
    base, new = json.loads(base_path.read_text()), json.loads(new_path.read_text())
    utest, welch = peer_verdicts(base, new)
    busy = any(c["busy"] for c in base["cells"] + new["cells"])
    return {"condition": condition, "pair": index, "exit": verdict.returncode,
            "verdicts": {c["cell"]: c["verdict"] for c in cells}, "utest_slower": utest,
            "welch_slower": welch, "busy": busy, "load": os.getloadavg()[0]}


def main():
    if calc_utest is None or ttest_ind is None:
        sys.exit("error_rates.py: needs scipy and Google Benchmark's tools (apt-get install "
                 "python3-scipy libbenchmark-tools; run with /usr/bin/python3)")
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--out", default="error_rates.json")
    parser.add_argument("--duration", default="100ms",
                        help="the single cell's target; A/B needs cells that span several "
                             "100 ms quota periods, or the quota never bites")
    args = parser.parse_args()
    MATRIX[MATRIX.index("--duration") + 1] = args.duration
    results = []
    with tempfile.TemporaryDirectory(prefix="conc-probe-error-rates-") as name:
        tmp = Path(name)
        for condition in args.conditions.split(","):
            load = Spinner() if condition.endswith("loaded") else None
            if load:
                load.__enter__()
            try:
                for index in range(args.pairs):
                    results.append(one_pair(args.binary, tmp, condition, index))
                    print(f"{condition} {index + 1}/{args.pairs}: {results[-1]['exit']}", file=sys.stderr)
            finally:
                if load:
                    load.__exit__(None, None, None)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print("| pairs | conc-probe: slower | unchanged (all cells) | inconclusive (some cell) | U-test: slower | Welch: slower | runs marked busy | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for condition in args.conditions.split(","):
        rows = [r for r in results if r["condition"] == condition]
        if not rows:
            continue
        slower = sum(1 for r in rows if "slower" in r["verdicts"].values())
        unchanged = sum(1 for r in rows if r["verdicts"] and set(r["verdicts"].values()) == {"unchanged"})
        inconclusive = sum(1 for r in rows if "inconclusive" in r["verdicts"].values())
        label = {"aa": "A/A", "ab": "A/B (1.2-CPU quota)"}[condition[:2]] + (", loaded" if condition.endswith("loaded") else ", quiet")
        print(f"| {label} | {slower}/{len(rows)} | {unchanged}/{len(rows)} | {inconclusive}/{len(rows)} | "
              f"{sum(r['utest_slower'] for r in rows)}/{len(rows)} | {sum(r['welch_slower'] for r in rows)}/{len(rows)} | "
              f"{sum(r['busy'] for r in rows)}/{len(rows)} | {sum(r['load'] for r in rows) / len(rows):.1f} |")


if __name__ == "__main__":
    main()
