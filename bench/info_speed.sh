#!/usr/bin/env bash
# Times `conc-probe info` against the tools people use for the same questions, in three
# hyperfine runs (a benchmark to read, not a timed test). Run on a release build:
#   cmake --preset release && cmake --build --preset release --target conc-probe
#   bench/info_speed.sh build/release/conc-probe
# Targets:
#   1. `info --get cpu.usable` (an nproc that knows about containers) at most 1.5x `nproc`;
#   2. `info` no slower than `lscpu` (and the JSON no slower than `lscpu --json`), at least
#      10x faster than the seed program's Python one-liner;
#   3. `info --sysroot` on the 256-CPU POWER dump of tests/data/hwloc-machines no slower than
#      `lstopo-no-graphics --input` replaying the same dump (skipped without hwloc's tools).
set -euo pipefail

binary=${1:-build/release/conc-probe}
runs=${RUNS:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v hyperfine >/dev/null; then echo "info_speed.sh: hyperfine is required" >&2; exit 2; fi
if [[ ! -x $binary ]]; then echo "info_speed.sh: no executable at '$binary'" >&2; exit 2; fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# -N runs each command without a shell (no shell start-up in the figures); an older
# hyperfine without -N falls back to the shell, whose cost it subtracts.
timed() {
  local out=$1
  shift
  hyperfine --warmup 5 --runs "$runs" -N --style basic --export-json "$out" "$@" >&2 ||
    hyperfine --warmup 5 --runs "$runs" --style basic --export-json "$out" "$@" >&2
}

timed "$scratch/get.json" \
  -n "conc-probe info --get cpu.usable" "$binary info --get cpu.usable" \
  -n "nproc" "nproc"

python_cmd='python3 -c "import platform, multiprocessing; print(platform.processor(), platform.system(), platform.architecture(), multiprocessing.cpu_count())"'
timed "$scratch/info.json" \
  -n "conc-probe info" "$binary info" \
  -n "conc-probe info --format json" "$binary info --format json" \
  -n "lscpu" "lscpu" \
  -n "lscpu --json" "lscpu --json" \
  -n "python3 one-liner" "$python_cmd"

dump="$here/tests/data/hwloc-machines/256ppc-8n8s4t/root.tar.gz"
replay=false
if command -v lstopo-no-graphics >/dev/null && [[ -f $dump ]]; then
  tar -xzf "$dump" -C "$scratch"
  replay=true
  timed "$scratch/replay.json" \
    -n "conc-probe info --sysroot 256ppc" "$binary info --sysroot $scratch/256ppc-8n8s4t" \
    -n "conc-probe info --sysroot 256ppc --format json" \
    "$binary info --sysroot $scratch/256ppc-8n8s4t --format json" \
    -n "lstopo-no-graphics --input 256ppc" "lstopo-no-graphics --input $scratch/256ppc-8n8s4t"
fi

python3 - "$scratch" "$replay" <<'PY'
import json, os, sys
scratch, replay = sys.argv[1], sys.argv[2] == "true"
median, low = {}, {}
for name in ("get", "info") + (("replay",) if replay else ()):
    for r in json.load(open(os.path.join(scratch, name + ".json")))["results"]:
        median[r["command"]] = r["median"] * 1000
        low[r["command"]] = r["min"] * 1000
print(f"{'command':48} {'median ms':>10} {'min ms':>8}")
for name in median:
    print(f"{name:48} {median[name]:10.2f} {low[name]:8.2f}")
print()
def ratio(label, numerator, denominator, target):
    print(f"{label:48} {median[numerator] / median[denominator]:6.2f}x  (target {target})")
ratio("--get cpu.usable / nproc", "conc-probe info --get cpu.usable", "nproc", "<= 1.5")
ratio("conc-probe info / lscpu", "conc-probe info", "lscpu", "<= 1")
ratio("conc-probe info --format json / lscpu --json", "conc-probe info --format json", "lscpu --json", "<= 1")
ratio("python3 one-liner / conc-probe info", "python3 one-liner", "conc-probe info", ">= 10")
if replay:
    ratio("info --sysroot 256ppc / lstopo --input", "conc-probe info --sysroot 256ppc",
          "lstopo-no-graphics --input 256ppc", "<= 1")
PY
