#!/usr/bin/env bash
# Sets everything up on a fresh Debian/Ubuntu machine, builds conc-probe (Release) and runs
# the main job: `conc-probe info`, then a short `conc-probe bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
./build/release/conc-probe info
./build/release/conc-probe bench --duration 100ms --repetitions 3
