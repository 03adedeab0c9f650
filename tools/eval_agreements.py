#!/usr/bin/env python3
"""Scores claimx's agreements on the news deals set (../shared/eval/news/agreements-dev.jsonl).

Usage: tools/eval_agreements.py BINARY [SHARED_DIR] [--floors FILE] [--part all|develop|check]
                                [--show] [--patterns DIR] [--gold FILE]

Scores exactly as ../shared/eval/news/README.md says. Per article, each gold agreement is
matched to at most one predicted agreement, in gold order, first fit: a prediction matches when
one of its mentions overlaps a gold name span, or when its parties (entity names) share at least
min(2, number of gold parties) names with the gold parties. Two names are the same when,
lower-cased and without a leading "the/a/an" and a trailing "'s", they are equal or one contains
the other (both longer than 3 characters). Recall = matched gold / gold; precision = predictions
matched / predictions. Party F1 is over the matched pairs (shared names / predicted parties,
/ gold parties). Status and kind accuracy are over the matched pairs.

The articles are split in two parts by a hash of their id (`develop`, `check`): rules are
written looking at the first and scored on the second before a number is reported, so the
note can say how far they generalize. With --floors FILE (JSON {"all": {"f1": x, ...}}) it
exits 1 when a score of the whole set is under its floor. Exits 77 (skip) when the data is
absent.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

from evalkit import check_floors, claimx_documents, data_absent, part_of, prf


def norm(name):
    n = name.lower().strip()
    n = re.sub(r"^(the|a|an)\s+", "", n)
    n = re.sub(r"['\u2019]s$", "", n)
    return n.strip()


def same(a, b):
    a, b = norm(a), norm(b)
    if a == b:
        return True
    return len(a) > 3 and len(b) > 3 and (a in b or b in a)


def shared(pred_parties, gold_parties):
    """Gold parties that some predicted party names (each gold party counted once)."""
    return sum(1 for g in gold_parties if any(same(p, g) for p in pred_parties))


def predicted(out):
    names = {e["id"]: e["name"] for e in out.get("entities", [])}
    preds = []
    for a in out.get("agreements", []):
        preds.append({
            "name": a["name"],
            "parties": [names.get(p, p) for p in a["parties"]],
            "mentions": [(m["start"], m["end"]) for m in a["mentions"]],
            "status": a.get("status"),
            "kind": a.get("kind"),
            "evidence": (a.get("evidence") or {}).get("text", ""),
        })
    return preds


def score(gold_by_article, outputs, articles, show):
    n_gold = n_pred = matched = 0
    party_tp = party_pred = party_gold = 0
    status_ok = kind_ok = 0
    for aid in articles:
        gold = gold_by_article.get(aid, [])
        preds = predicted(outputs[aid])
        n_gold += len(gold)
        n_pred += len(preds)
        used = set()
        for g in gold:
            need = min(2, len(g["parties"]))
            hit = None
            for i, p in enumerate(preds):
                if i in used:
                    continue
                by_name = any(s < ge and gs < e for s, e in p["mentions"] for gs, ge in g["name_spans"])
                if by_name or (need and shared(p["parties"], g["parties"]) >= need):
                    hit = i
                    break
            if hit is None:
                if show:
                    print(f"  MISS {aid}: {g['name']} {g['parties']} {g['status']} {g['kind']}")
                continue
            used.add(hit)
            p = preds[hit]
            matched += 1
            party_tp += shared(p["parties"], g["parties"])
            party_pred += len(p["parties"])
            party_gold += len(g["parties"])
            status_ok += p["status"] == g["status"]
            kind_ok += p["kind"] == g["kind"]
            if show and (p["status"] != g["status"] or p["kind"] != g["kind"]):
                print(f"  DIFF {aid}: {g['name']}: status {p['status']}/{g['status']} "
                      f"kind {p['kind']}/{g['kind']} parties {p['parties']}/{g['parties']}")
        if show:
            for i, p in enumerate(preds):
                if i not in used:
                    print(f"  FALSE {aid}: {p['name']} {p['parties']} <{p['evidence'][:120]}>")
    p, r, f = prf(matched, n_pred, n_gold)
    pp, pr, pf = prf(party_tp, party_pred, party_gold)
    return {
        "gold": n_gold, "pred": n_pred, "matched": matched,
        "precision": p, "recall": r, "f1": f, "party_f1": pf,
        "status_acc": status_ok / matched if matched else 0.0,
        "kind_acc": kind_ok / matched if matched else 0.0,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?",
                    default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--floors")
    ap.add_argument("--part", default=None, choices=["all", "develop", "check"],
                    help="show errors of this part (default: none)")
    ap.add_argument("--show", action="store_true", help="print misses, false deals, wrong fields")
    ap.add_argument("--patterns", action="append", default=[])
    ap.add_argument("--gold", help="another gold file annotated the same way (its articles are "
                    "read from the BBC corpus of SHARED)")
    args = ap.parse_args()
    gold_path = args.gold or os.path.join(args.shared, "eval", "news", "agreements-dev.jsonl")
    corpus = os.path.join(args.shared, "eval", "corpus", "bbc", "articles.jsonl")
    if not (os.path.isfile(gold_path) and os.path.isfile(corpus)):
        return data_absent(gold_path)
    gold_by_article = collections.defaultdict(list)
    articles = []
    with open(gold_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            g = json.loads(line)
            if g["id"] not in articles:
                articles.append(g["id"])
            if g["type"] == "agreement":
                g["name_spans"] = [tuple(s) for s in g.get("name_spans") or []]
                gold_by_article[g["id"]].append(g)
    wanted = set(articles)
    records = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["id"] in wanted:
                records.append(json.dumps({"id": d["id"], "text": d["text"]}))
    extra = [f"--patterns={d}" for d in args.patterns]
    proc = subprocess.run([args.binary, "--only", "entities,agreements", "--compact",
                           "--input-format", "jsonl", *extra, "-"],
                          input=("\n".join(records) + "\n").encode(), capture_output=True,
                          timeout=600)
    docs = claimx_documents(proc)
    if docs is None:
        return 1
    outputs = {out["document"]["id"]: out for out in docs}

    parts = {"all": articles,
             "develop": [a for a in articles if part_of(a) == "develop"],
             "check": [a for a in articles if part_of(a) == "check"]}
    scores = {}
    print(f"{'part':8} {'arts':>4} {'gold':>4} {'pred':>4} {'match':>5}   "
          f"{'P':>5} {'R':>5} {'F1':>5}  {'party':>5} {'status':>6} {'kind':>5}")
    for name, arts in parts.items():
        s = score(gold_by_article, outputs, arts, args.show and args.part == name)
        scores[name] = s
        print(f"{name:8} {len(arts):4} {s['gold']:4} {s['pred']:4} {s['matched']:5}   "
              f"{s['precision']:5.3f} {s['recall']:5.3f} {s['f1']:5.3f}  {s['party_f1']:5.3f} "
              f"{s['status_acc']:6.3f} {s['kind_acc']:5.3f}")
    if args.floors:
        return check_floors(scores, args.floors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
