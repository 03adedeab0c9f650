#!/usr/bin/env bash
# Builds the claimx .deb with cpack, with Debian's hardening flags (dpkg-buildflags), in
# build-deb/ (prefix /usr; no tests, no Python module). Prints the package's path.
#   ./scripts/deb.sh            then: apt install ./build-deb/claimx_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-deb}
export DEB_BUILD_MAINT_OPTIONS=hardening=+all  # bindnow and PIE too
CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS)
CXXFLAGS=$(dpkg-buildflags --get CXXFLAGS)
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DCLAIMX_BUILD_TESTS=OFF -DCLAIMX_PYTHON_MODULE=OFF -DCLAIMX_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="$CPPFLAGS $CXXFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-2}" >/dev/null
rm -f "$BUILD_DIR"/claimx_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
ls "$PWD/$BUILD_DIR"/claimx_*.deb
