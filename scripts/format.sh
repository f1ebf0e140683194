#!/usr/bin/env bash
# Checks that every C++ file is formatted by .clang-format (`scripts/format.sh --fix`
# formats them instead).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src include tests fuzz bench -name '*.[ch]pp')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}"
fi
