#!/usr/bin/env bash
# End-to-end throughput of claimx against ripgrep as a reference point (issues #8 and #25).
#   ./scripts/bench.sh                    corpus: ../shared/eval/corpus/bbc/articles.jsonl
#   CORPUS=FILE.jsonl COPIES=4 RUNS=3 ./scripts/bench.sh
#   OLD=old-build/claimx ./scripts/bench.sh   old and new binaries, run alternately
# Builds build/ when the binary is missing, writes the corpus COPIES times over as JSONL and the
# same texts as plain text (temp dir), then times claimx -j1, claimx -j2, claimx -j1 on the corpus
# once (all text new to the Sets' lazy DFAs; in the batch, the copies after the first are not),
# start-up on a one-line input, and `rg -j1 -o -f bench/ref-patterns.txt` in the same run. Each
# figure is the best of RUNS wall times (of 20 for start-up); with OLD, every run of the old
# binary is followed by one of the new, so both see the same load. MB/s are megabytes (10^6) of
# document text per second.
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

# best NAME RUNS CMD...: the best wall time of RUNS runs of each command line (separated by
# `--next`), run in turn: old, new, old, new... Prints one time in seconds per command line.
best() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
name, runs, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cmds, cur = [], []
for a in rest:
    if a == "--next":
        cmds.append(cur)
        cur = []
    else:
        cur.append(a)
cmds.append(cur)
best = [float("inf")] * len(cmds)
for _ in range(runs):
    for i, c in enumerate(cmds):
        t = time.perf_counter()
        subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best[i] = min(best[i], time.perf_counter() - t)
print(" ".join(f"{b:.4f}" for b in best))
PY
}

# pair NAME RUNS ARGS...: claimx ARGS timed (with the old binary first when OLD is set).
pair() {
  local name=$1 runs=$2
  shift 2
  if [ -n "${OLD:-}" ]; then
    best "$name" "$runs" "$OLD" "$@" --next "$CLAIMX" "$@"
  else
    best "$name" "$runs" "$CLAIMX" "$@"
  fi
}

rss() {
  /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null
  tail -1 "$TMP/rss"
}

ONCE_BYTES=$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1], encoding="utf-8")))' "$ONCE")
read -r -a T_J1 <<<"$(pair j1 "$RUNS" -q -j1 "$JSONL")"
read -r -a T_J2 <<<"$(pair j2 "$RUNS" -q -j2 "$JSONL")"
read -r -a T_ONCE <<<"$(pair once "$RUNS" -q -j1 "$ONCE")"
read -r -a T_START <<<"$(pair startup 20 -q -j1 "$ONE")"
T_RG=$(best rg "$RUNS" "$(command -v rg)" -j1 -o -f "$PATTERNS" "$PLAIN")
BINS=("$CLAIMX")
[ -n "${OLD:-}" ] && BINS=("$OLD" "$CLAIMX")
for i in "${!BINS[@]}"; do
  r1=$(rss "${BINS[$i]}" -q -j1 "$JSONL")
  r2=$(rss "${BINS[$i]}" -q -j2 "$JSONL")
  echo
  echo "${BINS[$i]}:"
  awk -v b="$TEXT_BYTES" -v ob="$ONCE_BYTES" -v once="${T_ONCE[$i]}" -v j1="${T_J1[$i]}" \
      -v j2="${T_J2[$i]}" -v rg="$T_RG" -v st="${T_START[$i]}" -v r1="$r1" -v r2="$r2" \
      -v runs="$RUNS" 'BEGIN {
    printf "| measure | value | target |\n|---|---|---|\n"
    printf "| claimx -q -j1 (best of %d) | %.2f s, %.2f MB/s | |\n", runs, j1, b / j1 / 1e6
    printf "| claimx -q -j2 (best of %d) | %.2f s, %.2f MB/s | |\n", runs, j2, b / j2 / 1e6
    printf "| claimx -q -j1, the corpus once: all new text (best of %d) | %.2f s, %.2f MB/s | |\n", runs, once, ob / once / 1e6
    printf "| rg -j1 -o -f bench/ref-patterns.txt (best of %d) | %.2f s, %.2f MB/s | |\n", runs, rg, b / rg / 1e6
    printf "| claimx -j1 / rg (throughput) | %.3f | >= 0.2 |\n", rg / j1
    printf "| claimx -j2 / -j1 (throughput) | %.2f | >= 1.8 |\n", j1 / j2
    printf "| start-up, one-line input (best of 20) | %.0f ms | < 30 ms |\n", st * 1000
    printf "| peak RSS, batch, -j1 / -j2 | %.0f / %.0f MB | < 150 MB |\n", r1 / 1024, r2 / 1024
  }'
done
