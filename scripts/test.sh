#!/usr/bin/env bash
# Builds claimx (running setup first when needed) and runs the whole test suite with ctest.
#   ./scripts/test.sh                       Release build in build/
#   UPDATE_EXPECTED=1 ./scripts/test.sh     rewrite samples/*.expected.json (review the diff!)
#   CLAIMX_SANITIZE=1 ./scripts/test.sh     ASan + UBSan build in build-sanitize/
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CLAIMX_SANITIZE:-0}" = 1 ]; then
  export BUILD_DIR=${BUILD_DIR:-build-sanitize} BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
  export CMAKE_ARGS="${CMAKE_ARGS:-} -DCLAIMX_SANITIZE=ON"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
  export CLAIMX_E2E_LARGE_MB=${CLAIMX_E2E_LARGE_MB:-5}  # the 50 MB case needs ~3x memory under ASan
fi
BUILD_DIR=${BUILD_DIR:-build}

./scripts/setup.sh
cd "$BUILD_DIR"
ctest --output-on-failure -j"${JOBS:-2}" ${CTEST_ARGS:-}
