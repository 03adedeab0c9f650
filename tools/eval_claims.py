#!/usr/bin/python3
"""Scores claimx's claims and sentences on ../shared/eval (claims/, segmentation/).

Usage: tools/eval_claims.py BINARY [SHARED_DIR] [--floors FILE] [--show N] [--min-score X]

Claims: each record of claims/dev.jsonl and claims/claimbuster_3class_2000.jsonl (in the latter
CFS is check-worthy, NFS and UFS are not, as its README defines) is one document, fed to claimx
in one JSONL run; the record counts as check-worthy when claims[] (the default list, at the
model's threshold or --min-score) is not empty. Prints precision / recall / F1 of the
check-worthy class, the average precision of the ranking by the highest sentence score, and with
--show N the N highest-scored false positives and lowest-scored false negatives.
News: ../shared/eval/news/claims-dev.jsonl labels every body sentence of 24 BBC articles
(disputed ones are left out); each article is one document, and a sentence counts as predicted
check-worthy when a claim of the default output overlaps it, as that set's README says.
Segmentation: the English Golden Rules (segmentation/golden-en.jsonl) through `claimx
--sentences`; a case passes when the sentences, stripped, equal the expected ones.
With --floors FILE (JSON: {"dev": {"f1": x, ...}, "3class": {...}, "news": {...}, "golden": {"passed": n}})
it exits 1 when a number is below its floor. Exits 77 (skip) when the data is absent.
"""
import argparse
import json
import os
import subprocess
import sys

from evalkit import check_floors, data_absent, part_of, prf
import tempfile

SETS = {"dev": "dev.jsonl", "3class": "claimbuster_3class_2000.jsonl"}


def run_jsonl(binary, records, extra):
    """Runs claimx once over records ({"id", "text"}); returns {id: output document}."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as tmp:
        for r in records:
            tmp.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
    try:
        proc = subprocess.run([binary, "--compact", *extra, tmp.name], capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=900)
    finally:
        os.unlink(tmp.name)
    if proc.returncode != 0:
        raise RuntimeError(f"claimx exited {proc.returncode}: {proc.stderr.decode()[:300]}")
    out = {}
    for line in proc.stdout.decode("utf-8").splitlines():
        doc = json.loads(line)
        out[doc["document"]["id"]] = doc
    return out


def average_precision(scored):
    """scored: [(score, gold)]; ties broken by gold last (pessimistic), deterministic."""
    ranked = sorted(scored, key=lambda x: (-x[0], x[1]))
    n_gold = sum(1 for _, g in ranked if g)
    hits, total = 0, 0.0
    for i, (_, g) in enumerate(ranked, 1):
        if g:
            hits += 1
            total += hits / i
    return total / n_gold if n_gold else 0.0


def tally(cases, unit, show):
    """cases: [(pred, best score, gold, record, line to show)]; prints and returns the scores."""
    tp = sum(p and g for p, _, g, _, _ in cases)
    n_pred = sum(p for p, _, _, _, _ in cases)
    n_gold = sum(g for _, _, g, _, _ in cases)
    p, rc, f = prf(tp, n_pred, n_gold)
    result = {"p": p, "r": rc, "f1": f, "ap": average_precision([(b, g) for _, b, g, _, _ in cases])}
    print(f"  {unit} {len(cases)}, check-worthy {n_gold}, predicted {n_pred}, correct {tp}")
    print(f"  P {p:.3f}  R {rc:.3f}  F1 {f:.3f}  AP {result['ap']:.3f}")
    if show:
        fps = sorted((c for c in cases if c[0] and not c[2]), key=lambda c: (-c[1], c[3]["id"]))
        fns = sorted((c for c in cases if c[2] and not c[0]), key=lambda c: (c[1], c[3]["id"]))
        for title, items in (("false positives (highest score)", fps), ("false negatives (lowest score)", fns)):
            print(f"  {title}:")
            for _, b, _, _, line in items[:show]:
                print(f"    {b:.3f} {line}")
    return result


def score_claims(binary, path, min_score, show):
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    extra = ["--only", "claims"] + (["--min-score", str(min_score)] if min_score is not None else [])
    default = run_jsonl(binary, records, extra)
    every = run_jsonl(binary, records, extra + ["--all-sentences"])
    cases = []
    for r in records:
        claims = every[r["id"]]["claims"]
        best = max((c["checkworthiness"] for c in claims), default=0.0)
        cues = sorted({c for x in claims for c in x["cues"]})
        cases.append((bool(default[r["id"]]["claims"]), best, bool(r["checkworthy"]), r,
                      f"[{r.get('label')}] {r['text'][:150]}  {cues}"))
    return tally(cases, "records", show)


def score_news(binary, labels_path, corpus_path, min_score, show):
    with open(labels_path, encoding="utf-8") as f:
        labels = [json.loads(line) for line in f if line.strip()]
    labels = [x for x in labels if x.get("checkworthy") is not None]
    wanted = {x["article"] for x in labels}
    articles = []
    with open(corpus_path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["id"] in wanted:
                articles.append({"id": d["id"], "text": d["text"]})
    extra = ["--only", "claims"] + (["--min-score", str(min_score)] if min_score is not None else [])
    default = run_jsonl(binary, articles, extra)
    every = run_jsonl(binary, articles, extra + ["--all-sentences"])

    def overlapping(claims, x):
        return [c for c in claims if c["start"] < x["end"] and x["start"] < c["end"]]

    cases = []
    for x in labels:
        best = max((c["checkworthiness"] for c in overlapping(every[x["article"]]["claims"], x)),
                   default=0.0)
        cases.append((bool(overlapping(default[x["article"]]["claims"], x)), best,
                      bool(x["checkworthy"]), x, x["text"][:150]))
    result = tally(cases, "sentences", show)
    for part in ("develop", "check"):  # the halves by article (evalkit.part_of)
        mine = [c for c in cases if part_of(c[3]["article"]) == part]
        tp = sum(p and g for p, _, g, _, _ in mine)
        p, r, f = prf(tp, sum(p for p, *_ in mine), sum(g for _, _, g, _, _ in mine))
        print(f"  {part} half: {len(mine)} sentences, P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    return result


def score_golden(binary, path):
    with open(path, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    out = run_jsonl(binary, cases, ["--sentences", "--only", "claims"])
    passed = 0
    failures = []
    for c in cases:
        got = [s["text"].strip() for s in out[c["id"]]["sentences"]]
        want = [s.strip() for s in c["sentences"]]
        if got == want:
            passed += 1
        else:
            failures.append(c["id"] + (" (hard)" if c.get("hard") else ""))
    print(f"  passed {passed}/{len(cases)}" + (f"; failed: {', '.join(failures)}" if failures else ""))
    return {"passed": passed}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--floors")
    ap.add_argument("--show", type=int, default=0, help="print N top false positives and negatives")
    ap.add_argument("--min-score", type=float, help="threshold for claims[] (default: the model's)")
    args = ap.parse_args()
    claims_dir = os.path.join(args.shared, "eval", "claims")
    golden = os.path.join(args.shared, "eval", "segmentation", "golden-en.jsonl")
    if not os.path.isdir(claims_dir) or not os.path.exists(golden):
        return data_absent(f"{claims_dir} or {golden}")
    binary = os.path.abspath(args.binary)
    scores = {}
    for name, file in SETS.items():
        print(f"{name} ({file}): check-worthy class")
        scores[name] = score_claims(binary, os.path.join(claims_dir, file), args.min_score, args.show)
    news = os.path.join(args.shared, "eval", "news", "claims-dev.jsonl")
    corpus = os.path.join(args.shared, "eval", "corpus", "bbc", "articles.jsonl")
    if os.path.exists(news) and os.path.exists(corpus):
        print("news (news/claims-dev.jsonl): check-worthy sentences of 24 BBC articles")
        scores["news"] = score_news(binary, news, corpus, args.min_score, args.show)
    print("golden rules (segmentation/golden-en.jsonl):")
    scores["golden"] = score_golden(binary, golden)

    if args.floors:
        return check_floors(scores, args.floors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
