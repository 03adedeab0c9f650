#!/usr/bin/env bash
# Installs what claimx needs from Debian 12 and builds it (Release) into build/.
# Safe to re-run: apt-get is skipped when every package is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Hyperscan is built for amd64 only; Vectorscan, its port, for the other architectures.
HYPERSCAN=libhyperscan-dev
[ "$(dpkg --print-architecture)" = amd64 ] || HYPERSCAN=libvectorscan-dev

PACKAGES=(
  g++ cmake make pkg-config git ca-certificates
  libre2-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libyaml-cpp-dev
  libarchive-dev libgumbo-dev libcpp-httplib-dev
  "$HYPERSCAN"  # the Sets as Hyperscan databases compiled at build time (src/rules/hyperscan.h)
  nettle-dev liblzma-dev libzstd-dev libbz2-dev zlib1g-dev  # libarchive.a's libraries (CMakeLists.txt)
  iso-codes tzdata wamerican miscfiles unicode-cldr-core
  python3 python3-jsonschema python3-numpy python3-yaml
  jq zstd  # the documented command lines: tests/e2e/examples_test.py
  python3-dev pybind11-dev python3-pytest python3-dask python3-distributed  # the Python module
  libbenchmark-dev ripgrep hyperfine time  # benchmarks: claimx_bench, scripts/bench.sh
  groff-base man-db bash-completion zsh fish  # man page and completions: tests/e2e/docs_test.py
  dpkg-dev file lintian  # the .deb: cpack -G DEB, scripts/deb-check.sh
  chromium python3-websocket  # the HTML report in a browser: tests/e2e/report_test.py
  clang libclang-rt-14-dev  # fuzz targets: scripts/fuzz.sh (libFuzzer, ASan, UBSan)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-Release}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-2}"
