#!/usr/bin/env bash
# The Python module and claimx.dask beside the CLI, in one hyperfine run on the same corpus:
# claimx -j1/-j2, Extractor.extract_many at jobs 1 and 2, claimx.dask.extract_files on a
# LocalCluster of 1 and 2 worker processes (one thread each; the cluster's start-up counts).
#   ./scripts/bench-python.sh            corpus: ../shared/eval/corpus/bbc/articles.jsonl, 4 copies
#   CORPUS=FILE.jsonl COPIES=1 RUNS=5 SHARDS=8 ./scripts/bench-python.sh
# The copies (ids made distinct) let the packs' lazy DFAs warm up in each process, as they do on
# a real archive: each Dask worker is a process that builds its own, so one pass over a small
# corpus mostly measures that warm-up, twice.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/eval/corpus/bbc/articles.jsonl}
RUNS=${RUNS:-3}
SHARDS=${SHARDS:-8}
COPIES=${COPIES:-4}
BUILD_DIR=${BUILD_DIR:-build}
[ -f "$CORPUS" ] || { echo "bench-python: corpus $CORPUS not found (set CORPUS)" >&2; exit 1; }
[ -f "$BUILD_DIR/python/claimx/__init__.py" ] || { echo "bench-python: build first (scripts/setup.sh)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench-python: hyperfine is not installed" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 - "$CORPUS" "$COPIES" "$TMP/corpus.jsonl" <<'PY'
import json, sys
src, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = [l for l in open(src, encoding="utf-8") if l.strip()]
with open(out, "w", encoding="utf-8") as o:
    for c in range(copies):
        for l in lines:
            rec = json.loads(l)
            rec["id"] = "%s#%d" % (rec.get("id", ""), c)
            o.write(json.dumps(rec, ensure_ascii=False) + "\n")
PY
CORPUS=$TMP/corpus.jsonl
split -n l/"$SHARDS" -d "$CORPUS" "$TMP/shard-"
export PYTHONPATH=$PWD/$BUILD_DIR/python
PY=/usr/bin/python3
MANY='import json, sys, claimx
ex = claimx.Extractor()
recs = (json.loads(l) for l in open(sys.argv[1], encoding="utf-8"))
n = sum(1 for _ in ex.extract_many(recs, jobs=int(sys.argv[2])))'
DASK='import glob, sys, distributed, claimx.dask
if __name__ == "__main__":
    with distributed.LocalCluster(n_workers=int(sys.argv[2]), threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=None, silence_logs=40) as c, \
            distributed.Client(c):
        n = len(claimx.dask.extract_files(sorted(glob.glob(sys.argv[1] + "/shard-*"))).compute())'
echo "$MANY" >"$TMP/many.py"
echo "$DASK" >"$TMP/dask_run.py"
echo "corpus: $CORPUS ($(wc -l <"$CORPUS") documents, $(stat -c %s "$CORPUS") bytes) in $SHARDS shards; $(nproc) cores"
hyperfine -N --warmup 1 --runs "$RUNS" \
  -n "claimx -j1" "$BUILD_DIR/claimx -q -j1 --compact $CORPUS" \
  -n "claimx -j2" "$BUILD_DIR/claimx -q -j2 --compact $CORPUS" \
  -n "extract_many jobs=1" "$PY $TMP/many.py $CORPUS 1" \
  -n "extract_many jobs=2" "$PY $TMP/many.py $CORPUS 2" \
  -n "dask 1 worker" "$PY $TMP/dask_run.py $TMP 1" \
  -n "dask 2 workers" "$PY $TMP/dask_run.py $TMP 2"
