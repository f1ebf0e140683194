#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages conc-probe needs to build and test, if any is missing.
# Sourced by quickstart.sh and test.sh; safe to run again.
set -euo pipefail

CONC_PROBE_PACKAGES=(
  cmake make g++ git pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev catch2
  python3 python3-jsonschema
  util-linux procps
  clang-format clang-tidy
  lintian dpkg-dev man-db zsh fish
  openmpi-bin libopenmpi-dev
  libsqlite3-dev libpq-dev postgresql
)
# Only for `bench/` comparisons and the fuzz targets; not needed to build or test.
CONC_PROBE_OPTIONAL_PACKAGES=(hyperfine clang libclang-rt-14-dev)

conc_probe_missing_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  echo "${missing[@]:-}"
}

conc_probe_install() {
  local missing
  missing=$(conc_probe_missing_packages "$@")
  [ -z "$missing" ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "conc-probe: installing: $missing" >&2
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
}

conc_probe_install "${CONC_PROBE_PACKAGES[@]}"
if [ "${CONC_PROBE_WITH_OPTIONAL:-0}" = 1 ]; then
  conc_probe_install "${CONC_PROBE_OPTIONAL_PACKAGES[@]}"
fi
