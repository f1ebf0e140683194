#!/usr/bin/env bash
# Times `conc-probe info` against the tools people use for the same question: lscpu, nproc
# and the Python one-liner of the seed program. Run on a release build:
#   cmake --preset release && cmake --build --preset release --target conc-probe
#   bench/info_speed.sh build/release/conc-probe
# Targets: no slower than lscpu, at least 10x faster than the Python one-liner.
set -euo pipefail

binary=${1:-build/release/conc-probe}
runs=${RUNS:-50}
if ! command -v hyperfine >/dev/null; then echo "info_speed.sh: hyperfine is required" >&2; exit 2; fi
if [[ ! -x $binary ]]; then echo "info_speed.sh: no executable at '$binary'" >&2; exit 2; fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT
python_cmd='python3 -c "import platform, multiprocessing; print(platform.processor(), platform.system(), platform.architecture(), multiprocessing.cpu_count())"'

hyperfine --warmup 5 --runs "$runs" -N --style basic --export-json "$results" \
  -n "conc-probe info" "$binary info" \
  -n "conc-probe info --format json" "$binary info --format json" \
  -n "lscpu" "lscpu" \
  -n "lscpu --json" "lscpu --json" \
  -n "nproc" "nproc" \
  -n "python3 one-liner" "$python_cmd" >&2 || \
hyperfine --warmup 5 --runs "$runs" --style basic --export-json "$results" \
  -n "conc-probe info" "$binary info" \
  -n "conc-probe info --format json" "$binary info --format json" \
  -n "lscpu" "lscpu" \
  -n "lscpu --json" "lscpu --json" \
  -n "nproc" "nproc" \
  -n "python3 one-liner" "$python_cmd" >&2

python3 - "$results" <<'PY'
import json, sys
data = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
median = {name: r["median"] * 1000 for name, r in data.items()}
print(f"{'command':32} {'median ms':>10} {'min ms':>8}")
for name, r in data.items():
    print(f"{name:32} {median[name]:10.2f} {r['min'] * 1000:8.2f}")
info, info_json = median["conc-probe info"], median["conc-probe info --format json"]
print()
print(f"lscpu / conc-probe info              {median['lscpu'] / info:6.2f}x  (target >= 1)")
print(f"lscpu --json / conc-probe info --json {median['lscpu --json'] / info_json:6.2f}x  (target >= 1)")
print(f"python3 / conc-probe info            {median['python3 one-liner'] / info:6.2f}x  (target >= 10)")
PY
