#!/usr/bin/env bash
# The --shared curve: how the threads' speed-up falls as more ops update one shared counter
# with an atomic read-modify-write (a benchmark to read, not a timed test). Run on a
# release build:
#   cmake --preset release && cmake --build --preset release --target conc-probe
#   bench/shared_curve.sh build/release/conc-probe
# Small `count` ops (--op-size, default 50 iterations: tens of nanoseconds) so that the
# shared update's cache-line transfer between cores is a visible part of an op; the curve
# is printed as one line per cell, then the finding, then the machine's load average.
set -euo pipefail

binary=${1:-build/release/conc-probe}
fractions=${FRACTIONS:-0,0.1,0.25,0.5,1}
op_size=${OP_SIZE:-50}
workers=${WORKERS:-$(nproc)}
if [[ ! -x $binary ]]; then echo "shared_curve.sh: no executable at '$binary'" >&2; exit 2; fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$binary" bench --workload count --op-size "$op_size" --mode single,threads,process \
  --workers "$workers" --shared "$fractions" --duration "${DURATION:-300ms}" --quiet \
  --format json -o "$scratch/run.json" >/dev/null
python3 - "$scratch/run.json" <<'PY'
import json
import sys

run = json.load(open(sys.argv[1]))
print(f"{'fraction':>8}  {'mode':<8} {'workers':>7}  {'ops/s':>12}  speed-up [95% interval]")
for cell in run["cells"]:
    key = cell["key"]
    rate = cell["throughput_ops_per_second"]["median"]
    speedup = cell["speedup"]
    text = "-" if speedup is None else f"{speedup['estimate']:.2f} [{speedup['ci_low']:.2f}, {speedup['ci_high']:.2f}]"
    print(f"{key['shared_fraction']:>8g}  {key['mode']:<8} {key['workers']:>7}  {rate:>12.4g}  {text}")
for finding in run["findings"]:
    if finding["topic"] == "shared":
        print(finding["text"])
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
