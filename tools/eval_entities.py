#!/usr/bin/env python3
"""Scores claimx's entities on CoNLL-2003 English dev (../shared/eval/ner/dev_docs.jsonl).

Usage: tools/eval_entities.py BINARY [SHARED_DIR] [--data FILE] [--floors FILE] [--show N]
                              [--errors FILE] [--patterns DIR]

Runs claimx once over the whole file (`--only entities`, JSONL), maps entity types to CoNLL's
(person -> PER, place -> LOC, organization -> ORG), leaves out mentions of form `demonym` (MISC
in the data) and gold MISC, and prints exact-span precision / recall / F1 per type and micro.
A prediction counts when its span and type both equal a gold entity's; the `span` row ignores
the type (how many spans are right whatever their type).
With --floors FILE (JSON: {"PER": f1, "LOC": f1, "ORG": f1, "micro": f1}) it exits 1 when a
score is below its floor. --errors FILE writes every miss and false positive with its context
(for studying error classes). Exits 77 (skip) when the data is absent.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

from evalkit import check_floors, data_absent, prf

TYPES = {"person": "PER", "place": "LOC", "organization": "ORG"}
GOLD_TYPES = ("PER", "LOC", "ORG")


def predictions(doc):
    out = []
    for e in doc["entities"]:
        t = TYPES.get(e["type"])
        if not t:
            continue
        for m in e["mentions"]:
            if m.get("form") in ("demonym", "description"):
                continue
            out.append((m["start"], m["end"], t, m.get("rule", "")))
    return out


def context(text, start, end, width=40):
    a = max(0, start - width)
    b = min(len(text), end + width)
    return (text[a:start] + "[[" + text[start:end] + "]]" + text[end:b]).replace("\n", " | ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--data", help="a JSONL file of the same format (default: eval/ner/dev_docs.jsonl)")
    ap.add_argument("--floors")
    ap.add_argument("--show", type=int, default=0, help="print N misses and N false positives per type")
    ap.add_argument("--errors", help="write every error with its context to this file")
    ap.add_argument("--patterns", action="append", default=[], help="passed on to claimx (rule packs to try)")
    args = ap.parse_args()
    path = args.data or os.path.join(args.shared, "eval", "ner", "dev_docs.jsonl")
    if not os.path.isfile(path):
        return data_absent(path)
    with open(path, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    # One process for the whole file; records are answered in input order.
    extra = [f"--patterns={d}" for d in args.patterns]
    proc = subprocess.run([args.binary, "--only", "entities", "--compact", "--input-format", "jsonl",
                           "--text-field", "text", "--id-field", "id", *extra, "--", path],
                          capture_output=True, timeout=900)
    if proc.returncode != 0:
        print(f"claimx exited {proc.returncode}: {proc.stderr.decode()[:300]}")
        return 1
    outputs = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    if len(outputs) != len(docs):
        print(f"claimx answered {len(outputs)} of {len(docs)} records")
        return 1

    tp = collections.Counter()
    n_pred = collections.Counter()
    n_gold = collections.Counter()
    span_tp = 0
    errors = collections.defaultdict(list)  # (kind, type) -> [(context, detail)]
    for doc, out in zip(docs, outputs):
        text = doc["text"]
        gold = {(g["start"], g["end"]): g["type"] for g in doc["entities"] if g["type"] in GOLD_TYPES}
        gold_any = {(g["start"], g["end"]): g["type"] for g in doc["entities"]}
        pred = {}
        for s, e, t, rule in predictions(out):
            pred[(s, e)] = (t, rule)
        for t in gold.values():
            n_gold[t] += 1
        for t, _ in pred.values():
            n_pred[t] += 1
        for span, (t, rule) in pred.items():
            g = gold.get(span)
            if g is not None:
                span_tp += 1
            if g == t:
                tp[t] += 1
            else:
                why = f"gold {gold_any[span]}" if span in gold_any else "no gold span"
                errors[("fp", t)].append((context(text, *span), f"{why}; rule {rule}"))
        for span, t in gold.items():
            p = pred.get(span)
            if p is None or p[0] != t:
                why = f"predicted {p[0]} by {p[1]}" if p else "missed"
                errors[("fn", t)].append((context(text, *span), why))

    scores = {}
    print(f"{'type':6} {'gold':>6} {'pred':>6} {'tp':>6}   {'P':>5} {'R':>5} {'F1':>5}")
    for t in GOLD_TYPES:
        p, r, f = prf(tp[t], n_pred[t], n_gold[t])
        scores[t] = f
        print(f"{t:6} {n_gold[t]:6} {n_pred[t]:6} {tp[t]:6}   {p:5.3f} {r:5.3f} {f:5.3f}")
    all_tp, all_pred, all_gold = sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())
    p, r, f = prf(all_tp, all_pred, all_gold)
    scores["micro"] = f
    print(f"{'micro':6} {all_gold:6} {all_pred:6} {all_tp:6}   {p:5.3f} {r:5.3f} {f:5.3f}")
    p, r, f = prf(span_tp, all_pred, all_gold)
    print(f"{'span':6} {all_gold:6} {all_pred:6} {span_tp:6}   {p:5.3f} {r:5.3f} {f:5.3f}   (type ignored)")

    if args.show:
        for (kind, t), items in sorted(errors.items()):
            print(f"--- {kind} {t} ({len(items)})")
            for ctx, why in items[: args.show]:
                print(f"  {ctx}   <{why}>")
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as f:
            for (kind, t), items in sorted(errors.items()):
                for ctx, why in items:
                    f.write(f"{kind}\t{t}\t{why}\t{ctx}\n")

    if args.floors:
        return check_floors(scores, args.floors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
