#!/usr/bin/env bash
# End-to-end throughput of claimx against ripgrep as a reference point (issue #8).
#   ./scripts/bench.sh                    corpus: ../shared/eval/corpus/bbc/articles.jsonl
#   CORPUS=FILE.jsonl COPIES=4 RUNS=3 ./scripts/bench.sh
# Builds build/ when the binary is missing, writes the corpus COPIES times over as JSONL and the
# same texts as plain text (temp dir), then times claimx -j1, claimx -j2, claimx -j1 on the corpus
# once (all text new to the Sets' lazy DFAs; in the batch, the copies after the first are not) and
# `rg -j1 -o -f bench/ref-patterns.txt` in the same run (hyperfine when installed, else best of
# RUNS with /usr/bin/time). MB/s are megabytes (10^6) of document text per second for all three.
set -euo pipefail
cd "$(dirname "$0")/.."

CORPUS=${CORPUS:-../shared/eval/corpus/bbc/articles.jsonl}
COPIES=${COPIES:-4}
RUNS=${RUNS:-3}
BUILD_DIR=${BUILD_DIR:-build}
CLAIMX=$BUILD_DIR/claimx
PATTERNS=bench/ref-patterns.txt

if [ ! -f "$CORPUS" ]; then
  echo "bench: corpus $CORPUS not found; set CORPUS=FILE.jsonl (a \"text\" field per line)" >&2
  exit 1
fi
if [ ! -x "$CLAIMX" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j"${JOBS:-1}" --target claimx
fi
command -v rg >/dev/null || { echo "bench: ripgrep (rg) is not installed (scripts/setup.sh)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
JSONL=$TMP/batch.jsonl
PLAIN=$TMP/batch.txt
ONE=$TMP/one.jsonl
ONCE=$TMP/once.jsonl
python3 - "$CORPUS" "$COPIES" "$JSONL" "$PLAIN" "$ONE" "$ONCE" <<'PY'
import json, sys
src, copies, jsonl, plain, one, once = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
lines = [l for l in open(src, encoding="utf-8") if l.strip()]
with open(once, "w", encoding="utf-8") as o:
    o.writelines(lines)
with open(jsonl, "w", encoding="utf-8") as j, open(plain, "w", encoding="utf-8") as p:
    for c in range(copies):
        for l in lines:
            rec = json.loads(l)
            if "id" in rec:
                rec["id"] = f"{rec['id']}#{c}"
            j.write(json.dumps(rec, ensure_ascii=False) + "\n")
            p.write(rec["text"] + "\n\n")
with open(one, "w", encoding="utf-8") as o:
    o.write(json.dumps({"id": "one", "text": "Profits rose 5% to $1.2bn, the company said."}) + "\n")
PY
TEXT_BYTES=$(stat -c %s "$PLAIN")
echo "corpus: $CORPUS x$COPIES: $(wc -l <"$JSONL") documents, $(stat -c %s "$JSONL") bytes of JSONL," \
     "$TEXT_BYTES bytes of text; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

# best_seconds NAME CMD...: best wall time of RUNS runs, printed in seconds.
best_seconds() {
  local name=$1
  shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --style none --runs "$RUNS" --export-json "$TMP/$name.json" "$*" >/dev/null
    python3 -c 'import json,sys; print(min(json.load(open(sys.argv[1]))["results"][0]["times"]))' "$TMP/$name.json"
  else
    local best="" t
    for _ in $(seq "$RUNS"); do
      /usr/bin/time -f %e -o "$TMP/time" "$@" >/dev/null 2>&1
      t=$(tail -1 "$TMP/time")
      if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
    done
    echo "$best"
  fi
}

T_J1=$(best_seconds claimx-j1 "$CLAIMX" -q -j1 "$JSONL")
T_J2=$(best_seconds claimx-j2 "$CLAIMX" -q -j2 "$JSONL")
# The copies after the first are text each Set's lazy DFA has seen; the corpus once is all new.
T_ONCE=$(best_seconds claimx-once "$CLAIMX" -q -j1 "$ONCE")
ONCE_BYTES=$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1], encoding="utf-8")))' "$ONCE")
T_RG=$(best_seconds rg "$(command -v rg)" -j1 -o -f "$PATTERNS" "$PLAIN")
T_START=$(RUNS=10 best_seconds startup "$CLAIMX" -q -j1 "$ONE")
/usr/bin/time -f %M -o "$TMP/rss-j1" "$CLAIMX" -q -j1 "$JSONL" >/dev/null
/usr/bin/time -f %M -o "$TMP/rss-j2" "$CLAIMX" -q -j2 "$JSONL" >/dev/null
RSS_J1=$(tail -1 "$TMP/rss-j1")
RSS_J2=$(tail -1 "$TMP/rss-j2")

awk -v b="$TEXT_BYTES" -v ob="$ONCE_BYTES" -v once="$T_ONCE" -v j1="$T_J1" -v j2="$T_J2" -v rg="$T_RG" -v st="$T_START" \
    -v r1="$RSS_J1" -v r2="$RSS_J2" -v runs="$RUNS" 'BEGIN {
  printf "| measure | value | target |\n|---|---|---|\n"
  printf "| claimx -q -j1 (best of %d) | %.2f s, %.2f MB/s | |\n", runs, j1, b / j1 / 1e6
  printf "| claimx -q -j2 (best of %d) | %.2f s, %.2f MB/s | |\n", runs, j2, b / j2 / 1e6
  printf "| claimx -q -j1, the corpus once: all new text (best of %d) | %.2f s, %.2f MB/s | |\n", runs, once, ob / once / 1e6
  printf "| rg -j1 -o -f bench/ref-patterns.txt (best of %d) | %.2f s, %.2f MB/s | |\n", runs, rg, b / rg / 1e6
  printf "| claimx -j1 / rg (throughput) | %.3f | >= 2 |\n", rg / j1
  printf "| claimx -j2 / -j1 (throughput) | %.2f | >= 1.7 |\n", j1 / j2
  printf "| start-up, one-line input (best of 10) | %.0f ms | < 30 ms |\n", st * 1000
  printf "| peak RSS, batch, -j1 / -j2 | %.0f / %.0f MB | < 200 MB |\n", r1 / 1024, r2 / 1024
}'
