#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each briefly over its corpus in
# fuzz/corpus/<target>/ (new inputs go to a temporary directory, not into the repository).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
CONC_PROBE_WITH_OPTIONAL=1 source scripts/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
scratch=$(mktemp -d /tmp/conc-probe-fuzz-corpus-XXXXXX)
trap 'rm -rf "$scratch" /tmp/conc-probe-fuzz-??????' EXIT
for target in build/fuzz/fuzz/*_fuzz; do
  name=$(basename "$target" _fuzz)
  mkdir -p "$scratch/$name"
  echo "== fuzz $name for ${seconds}s" >&2
  "$target" "$scratch/$name" "fuzz/corpus/$name" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | tail -n 4 >&2
done
