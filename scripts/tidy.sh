#!/usr/bin/env bash
# Runs .clang-tidy on every production source file (src/, bench/reference/, and through them
# every header of include/ and src/), using a configured build's compile_commands.json.
# Usage: scripts/tidy.sh [BUILD_DIR] [FILE_REGEX]   (default: build/asan, every file)
# Exits non-zero on any diagnostic: .clang-tidy makes every warning an error.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan}
filter=${2:-"$PWD/(src|bench/reference)/"}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "conc-probe: error: $build/compile_commands.json is missing (configure $build first)" >&2
  exit 2
fi
runner=$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)
if [ -z "$runner" ]; then
  echo "conc-probe: error: run-clang-tidy not found (Debian: apt-get install clang-tidy)" >&2
  exit 2
fi
jobs=$(nproc 2>/dev/null || echo 2)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# GCC's warning flags in the compile commands are unknown to clang: not a finding.
if "$runner" -p "$build" -j "$jobs" -quiet -extra-arg=-Wno-unknown-warning-option \
    "$filter" >"$log" 2>&1; then
  echo "tidy: clean" >&2
else
  sed "s/\x1b\[[0-9;]*m//g" "$log" | grep -E "(error|warning):" | sort -u >&2 || cat "$log" >&2
  echo "tidy: the findings above must be fixed (or, where a check is wrong, silenced with a" \
    "NOLINT(check) comment that says why)" >&2
  exit 1
fi
