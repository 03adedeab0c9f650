#!/usr/bin/python3
"""Fits the check-worthiness model of claimx: the cue weights of patterns/en/claims.yaml
(`model`) and the word weights of patterns/en/claims_words.yaml, on ../shared/eval/claims.

Usage: tools/fit_claims.py BINARY [SHARED_DIR] [--l2 X ...] [--folds K] [--min-words N]
                           [--dry-run]

1. Runs claimx once over claims/train.jsonl and once over claims/dev.jsonl (each record is a
   document; `--all-sentences --explain` lists every sentence with its features), with the
   claims pack read from patterns/en/claims.yaml on disk, so the cue features are the rules as
   they are now. Word features ("w:tax", "w:tax cuts") are computed here from each sentence's
   text, tokenized exactly as src/extract/claims.cc does (word_tokens).
2. Vocabulary: words and adjacent pairs in at least N train records (--min-words, default 8);
   cue features seen fewer than 5 times keep the weight they have in claims.yaml (set by hand).
3. Cross-validation on train only: K contiguous folds of the records sorted by id (ClaimBuster
   ids run in debate order, so a fold keeps a debate together). For each L2 penalty, the
   out-of-fold scores give one threshold (best pooled F1) and each fold's F1 at it; the penalty
   with the best pooled F1 wins. dev.jsonl chooses nothing; its score is printed at the end.
4. Fits on all of train with that penalty (L2-penalised logistic regression, Newton's method
   with conjugate gradients on a sparse matrix; deterministic), prints the cross-validated F1
   (mean, spread), dev F1 and a reliability table, and rewrites the model (bias, threshold, cue
   weights) in claims.yaml and the word weights in claims_words.yaml.
Rebuild afterwards (`cmake --build build`): packs are compiled into the binary.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PACK = os.path.join(ROOT, "patterns", "en", "claims.yaml")
WORDS = os.path.join(ROOT, "patterns", "en", "claims_words.yaml")
MIN_COUNT = 5
TOKEN = re.compile(r"[A-Za-z0-9']+")


def word_tokens(text):
    """As word_tokens() in src/extract/claims.cc."""
    out = []
    for t in TOKEN.findall(text.replace("\u2019", "'")):
        t = t.strip("'").lower()
        if t:
            out.append("#" if any(c.isdigit() for c in t) else t)
    return out


def word_features(text):
    toks = word_tokens(text)
    feats = {"w:" + t for t in toks}
    feats.update("w:" + a + " " + b for a, b in zip(toks, toks[1:]))
    return feats


def sentence_features(binary, path):
    """[(id, label, [set of features per sentence])] for the records of a claims JSONL file."""
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    with tempfile.TemporaryDirectory() as packs:
        shutil.copy(PACK, packs)
        proc = subprocess.run([binary, "--compact", "--only", "claims", "--all-sentences", "--explain",
                               "--patterns", packs, "--input-format", "jsonl", path],
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=1800)
    if proc.returncode != 0:
        sys.exit(f"claimx exited {proc.returncode}: {proc.stderr.decode()[:300]}")
    by_id = {}
    for line in proc.stdout.decode("utf-8").splitlines():
        doc = json.loads(line)
        by_id[doc["document"]["id"]] = [
            {t["feature"] for t in c["score_terms"]
             if t["feature"] != "bias" and not t["feature"].startswith("w:") and t["value"]}
            | word_features(c["text"])
            for c in doc["claims"]]
    return [(r["id"], bool(r["checkworthy"]), by_id.get(r["id"], [])) for r in records]


class Sparse:
    """A binary record x feature matrix: a record's features are the union of its sentences'."""

    def __init__(self, rows, index):
        rr, cc = [], []
        for i, sentences in enumerate(rows):
            cols = sorted({index[k] for s in sentences for k in s if k in index})
            rr.extend([i] * len(cols))
            cc.extend(cols)
        self.r, self.c = np.array(rr, dtype=np.int64), np.array(cc, dtype=np.int64)
        self.n, self.d = len(rows), len(index)

    def take(self, rows):
        sub = Sparse([], {})
        keep = np.isin(self.r, rows)
        remap = np.full(self.n, -1)
        remap[rows] = np.arange(len(rows))
        sub.r, sub.c, sub.n, sub.d = remap[self.r[keep]], self.c[keep], len(rows), self.d
        return sub

    def dot(self, w):  # X @ w
        return np.bincount(self.r, weights=w[self.c], minlength=self.n)

    def tdot(self, v):  # X.T @ v
        return np.bincount(self.c, weights=v[self.r], minlength=self.d)


def fit(X, y, l2):
    """L2-penalised logistic regression (no penalty on the bias) by Newton-CG; (bias, w)."""
    w, b = np.zeros(X.d), 0.0
    for _ in range(40):
        p = 1.0 / (1.0 + np.exp(-(X.dot(w) + b)))
        gw, gb = X.tdot(p - y) + l2 * w, float(np.sum(p - y))
        if max(np.max(np.abs(gw), initial=0.0), abs(gb)) < 1e-6:
            break
        s = p * (1.0 - p)

        def hess(vw, vb):
            t = s * (X.dot(vw) + vb)
            return X.tdot(t) + l2 * vw, float(np.sum(t))

        # Conjugate gradients on H [dw; db] = -g.
        dw, db = np.zeros(X.d), 0.0
        rw, rb = -gw, -gb
        pw, pb = rw.copy(), rb
        rr = rw @ rw + rb * rb
        for _ in range(100):
            hw, hb = hess(pw, pb)
            alpha = rr / (pw @ hw + pb * hb)
            dw, db = dw + alpha * pw, db + alpha * pb
            rw, rb = rw - alpha * hw, rb - alpha * hb
            rr_new = rw @ rw + rb * rb
            if rr_new < 1e-12:
                break
            pw, pb = rw + (rr_new / rr) * pw, rb + (rr_new / rr) * pb
            rr = rr_new
        w, b = w + dw, b + db
        if max(np.max(np.abs(dw), initial=0.0), abs(db)) < 1e-8:
            break
    return b, w


def best_threshold(scores, gold):
    best = (-1.0, 0.5)
    for step in range(5, 96):
        th = step / 100
        f1 = prf(scores >= th, gold)[2]
        if f1 > best[0] + 1e-12:
            best = (f1, th)
    return best[1]


def prf(pred, gold):
    tp = float(np.sum(pred & gold))
    n_pred, n_gold = float(np.sum(pred)), float(np.sum(gold))
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def folds_of(ids, k):
    """K contiguous folds of the records in id order (numeric where the ids are numbers)."""
    key = [(int(i), i) if str(i).isdigit() else (math.inf, str(i)) for i in ids]
    order = sorted(range(len(ids)), key=lambda j: key[j])
    return [np.array(sorted(order[f * len(order) // k:(f + 1) * len(order) // k])) for f in range(k)]


def reliability(scores, gold, title):
    print(f"reliability ({title}): predicted score bin -> records, mean score, observed rate")
    edges = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
    for lo, hi in zip(edges, edges[1:]):
        m = (scores >= lo) & (scores < hi)
        if m.any():
            print(f"  [{lo:.1f}, {min(hi, 1.0):.1f})  {int(m.sum()):6d}  {scores[m].mean():.3f}  "
                  f"{gold[m].mean():.3f}")


def current_weights():
    """The weights block of claims.yaml as it is: {name: weight}."""
    with open(PACK, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, inside = {}, False
    for line in lines:
        if line.startswith("  weights:"):
            inside = True
        elif inside and line.startswith("    "):
            m = re.match(r"\s+([\w.-]+):\s*(-?[0-9.]+)", line)
            if m:
                out[m.group(1)] = float(m.group(2))
        elif inside:
            break
    return out


def rewrite_model(bias, threshold, weights, kept, note):
    with open(PACK, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, l in enumerate(lines) if l == "model:")
    out = lines[:start + 1]
    i = start + 1
    while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
        line = lines[i]
        if re.match(r"  (bias|threshold):", line) or line.startswith("  # Fitted by tools/fit_claims.py"):
            i += 1
            continue
        if line.startswith("  weights:"):
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                i += 1
            continue
        out.append(line)
        i += 1
    while out and not out[-1].strip():
        out.pop()
    out.append(f"  # Fitted by tools/fit_claims.py ({note}).")
    out.append(f"  bias: {bias:.3f}")
    out.append(f"  threshold: {threshold:.2f}")
    out.append("  weights:")
    for name in sorted(weights, key=lambda n: (-weights[n], n)):
        mark = f"  # set by hand: seen < {MIN_COUNT} times in train" if name in kept else ""
        out.append(f"    {name}: {weights[name]:.3f}{mark}")
    out.append("")
    out.extend(lines[i:])
    with open(PACK, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def write_words(words, note):
    with open(WORDS, "w", encoding="utf-8") as f:
        f.write("# Generated by tools/fit_claims.py; do not edit by hand (re-run it).\n")
        f.write(f"# {note}\n")
        f.write("# Word features of the check-worthiness score (src/extract/claims.cc, word_tokens):\n")
        f.write("# a sentence's lower-cased words and adjacent pairs, \"#\" for a word with a digit.\n")
        f.write("pack: claims_words\n")
        f.write("model:\n  words:\n")
        for k in sorted(words, key=lambda n: (-abs(words[n]), n)):
            f.write(f"    {json.dumps(k)}: {words[k]:.3f}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--l2", type=float, nargs="+", default=[1, 3, 10, 30],
                    help="L2 penalties to cross-validate (default 1 3 10 30)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-words", type=int, default=8, help="min train records of a word feature")
    ap.add_argument("--prune", type=float, default=0.2,
                    help="drop word weights smaller than this (start-up reads every one; default 0.1)")
    ap.add_argument("--dry-run", action="store_true", help="print, do not rewrite the packs")
    args = ap.parse_args()
    folder = os.path.join(args.shared, "eval", "claims")
    binary = os.path.abspath(args.binary)
    train = sentence_features(binary, os.path.join(folder, "train.jsonl"))
    dev = sentence_features(binary, os.path.join(folder, "dev.jsonl"))

    counts = {}
    for _, _, sentences in train:
        for k in set().union(*sentences) if sentences else ():
            counts[k] = counts.get(k, 0) + 1
    names = sorted(k for k, c in counts.items()
                   if c >= (args.min_words if k.startswith("w:") else MIN_COUNT))
    index = {n: i for i, n in enumerate(names)}
    X = Sparse([s for _, _, s in train], index)
    y = np.array([float(g) for _, g, _ in train])
    gold = y > 0.5
    folds = folds_of([i for i, _, _ in train], args.folds)
    is_word = np.array([n.startswith("w:") for n in names])
    print(f"features: {len(names)} ({sum(n.startswith('w:') for n in names)} words) "
          f"in {len(train)} train records; {args.folds} folds")
    best = None
    for l2 in args.l2:
        oof = np.zeros(len(train))
        for f in folds:
            rest = np.setdiff1d(np.arange(len(train)), f)
            b, w = fit(X.take(rest), y[rest], l2)
            w = np.where(is_word & (np.abs(w) < args.prune), 0.0, w)  # as the packs will hold it
            oof[f] = 1.0 / (1.0 + np.exp(-(X.take(f).dot(w) + b)))
        th = best_threshold(oof, gold)
        per_fold = [prf(oof[f] >= th, gold[f])[2] for f in folds]
        pooled = prf(oof >= th, gold)[2]
        print(f"  L2 {l2:g}: threshold {th:.2f}, pooled F1 {pooled:.3f}, "
              f"fold F1 {np.mean(per_fold):.3f} ± {np.std(per_fold):.3f} "
              f"({' '.join(f'{x:.3f}' for x in per_fold)})")
        if best is None or pooled > best[0] + 1e-9:
            best = (pooled, l2, th, oof, per_fold)
    _, l2, threshold, oof, per_fold = best
    bias, w = fit(X, y, l2)
    bias = round(float(bias), 3)
    weights = {n: round(float(v), 3) for n, v in zip(names, w)
               if not n.startswith("w:")}
    words = {n[2:]: round(float(v), 3) for n, v in zip(names, w)
             if n.startswith("w:") and abs(v) >= args.prune}
    kept = {n: v for n, v in current_weights().items() if n not in weights}
    weights.update(kept)

    def record_scores(rows):
        lookup = dict(weights)
        lookup.update({"w:" + k: v for k, v in words.items()})
        out = []
        for _, _, sentences in rows:
            z = [bias + sum(lookup.get(k, 0.0) for k in s) for s in sentences] or [-math.inf]
            out.append(max(math.floor(1000.0 / (1.0 + math.exp(-x)) + 0.5) / 1000.0
                           if x > -math.inf else 0.0 for x in z))
        return np.array(out)

    dev_scores = record_scores(dev)
    dev_gold = np.array([g for _, g, _ in dev])
    train_scores = record_scores(train)
    print(f"chosen: L2 {l2:g}, threshold {threshold:.2f} (both by {args.folds}-fold "
          f"cross-validation on train); bias {bias:.3f}; {len(weights)} cue weights, "
          f"{len(words)} word weights")
    print(f"cross-validated F1 on train: {np.mean(per_fold):.3f} ± {np.std(per_fold):.3f} "
          f"(pooled {best[0]:.3f})")
    for name, scores, g in (("train (fitted)", train_scores, gold), ("dev (chooses nothing)", dev_scores, dev_gold)):
        p, r, f1 = prf(scores >= threshold, g)
        print(f"{name}: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    reliability(oof, gold, "train, out of fold")
    reliability(dev_scores, dev_gold, "dev")
    top = sorted(words.items(), key=lambda kv: -kv[1])
    print("words weighing most for: " + ", ".join(f"{k} {v:.2f}" for k, v in top[:15]))
    print("words weighing most against: " + ", ".join(f"{k} {v:.2f}" for k, v in top[-15:]))
    if not args.dry_run:
        note = (f"{datetime.date.today().isoformat()}: tools/fit_claims.py --l2 "
                f"{' '.join(f'{x:g}' for x in args.l2)} --folds {args.folds} --min-words "
                f"{args.min_words} --prune {args.prune:g}; claims/train.jsonl; L2 {l2:g} and threshold by "
                "cross-validation")
        rewrite_model(bias, threshold, weights, kept, note)
        write_words(words, note)
        print(f"wrote {os.path.relpath(PACK, ROOT)} and {os.path.relpath(WORDS, ROOT)}; "
              "rebuild (cmake --build build) to use them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
