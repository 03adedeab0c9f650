#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and runs them.
#   ./scripts/fuzz.sh TARGET SECONDS      one target: extract numbers rulepack jsonl html warc prefilter
#   ./scripts/fuzz.sh all SECONDS         every target in turn, SECONDS each
#   ./scripts/fuzz.sh build               build only
# The working corpus grows in build-fuzz/corpus/TARGET (seeded from fuzz/corpus/TARGET and, for
# some targets, samples/ or patterns/); crashes and timeouts land in build-fuzz/artifacts/TARGET/,
# the log in build-fuzz/logs/TARGET.log. Runs under nice -n 19, so an input counts as a timeout
# only past FUZZ_TIMEOUT seconds (default 120: a starved process is slow, not stuck; re-run a
# timeout input alone before calling it a finding). FUZZ_ARGS adds libFuzzer flags.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(extract numbers rulepack jsonl html warc prefilter)
BUILD_DIR=${BUILD_DIR:-build-fuzz}

build() {
  CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCLAIMX_FUZZ=ON -DCLAIMX_BUILD_TESTS=OFF -DCLAIMX_BENCH=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j"${JOBS:-2}" --target "${TARGETS[@]/#/fuzz_}"
}

# Seed directories besides fuzz/corpus/TARGET, and the longest input tried.
extra_seeds() {
  case $1 in
    extract) echo samples ;;
    rulepack) echo patterns/en ;;
  esac
}
max_len() {
  case $1 in
    numbers) echo 512 ;;
    rulepack | html | warc) echo 16384 ;;
    *) echo 8192 ;;
  esac
}

run() {
  local target=$1 seconds=$2
  local corpus=$BUILD_DIR/corpus/$target artifacts=$BUILD_DIR/artifacts/$target/
  mkdir -p "$corpus" "$artifacts" "$BUILD_DIR/logs"
  local seeds=(fuzz/corpus/"$target")
  for d in $(extra_seeds "$target"); do seeds+=("$d"); done
  echo "fuzz: $target for ${seconds}s (log: $BUILD_DIR/logs/$target.log)"
  # detect_leaks=0: a leak is not what these targets look for, and LSan is slow at exit.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    nice -n 19 "$BUILD_DIR/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-120}" \
    -rss_limit_mb=2048 -max_len="$(max_len "$target")" -artifact_prefix="$artifacts" \
    -print_final_stats=1 ${FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$BUILD_DIR/logs/$target.log" 2>&1 &&
    status=0 || status=$?
  grep -E '^(#[0-9]+|stat::number_of_executed_units|stat::average_exec_per_sec)' \
    "$BUILD_DIR/logs/$target.log" | tail -3
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target found something (exit $status): see $artifacts and the log" >&2
    return "$status"
  fi
}

case ${1:-} in
  build) build ;;
  all)
    build
    failed=0
    for t in "${TARGETS[@]}"; do run "$t" "${2:-60}" || failed=1; done
    exit $failed
    ;;
  extract | numbers | rulepack | jsonl | html | warc | prefilter)
    build
    run "$1" "${2:-60}"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
