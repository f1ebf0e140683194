#!/usr/bin/env bash
# Sets everything up on a fresh Debian/Ubuntu machine and runs the whole test suite: the
# format check, clang-tidy on every production file, every test under AddressSanitizer +
# UndefinedBehaviorSanitizer, then the threaded code's tests under ThreadSanitizer, then a
# short run of each libFuzzer target.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== format: every C++ file as .clang-format has it" >&2
bash scripts/format.sh

echo "== asan+ubsan: build and run the whole suite" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
echo "== tidy: .clang-tidy on every production source file" >&2
bash scripts/tidy.sh build/asan
ctest --preset asan
echo "== optional libraries: a build without MPI, SQLite and libpq (each must say it is not built in)" >&2
cmake --preset dev -B build/no-mpi -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=ON -DCMAKE_DISABLE_FIND_PACKAGE_PostgreSQL=ON >/dev/null
cmake --build build/no-mpi -j "$jobs" --target conc-probe mpi_test
ctest --test-dir build/no-mpi -L mpi --output-on-failure
ctest --test-dir build/no-mpi -R '^cli\.test_db$' --output-on-failure
echo "== soak (short): repeated benches must leak nothing" >&2
SOAK_SECONDS=${SOAK_SECONDS:-20} ctest --test-dir build/asan -L soak --output-on-failure

echo "== tsan: the threaded code (engine, gil, workloads)" >&2
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target conc-probe gil_test gil_protocol_test engine_test executor_test process_mode_test convoy_test workloads_test echo_server_test stop_test async_test
ctest --preset tsan -R 'unit\.(gil|gil_protocol|engine|executor|process_mode|convoy|workloads|echo_server|stop|async)_test$'

echo "== fuzz (short): every parser of outside input, each target over its corpus" >&2
bash scripts/fuzz.sh "${FUZZ_SECONDS:-5}"
