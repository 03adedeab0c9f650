#!/usr/bin/python3
"""Fits the check-worthiness model of claimx: the cue weights of patterns/en/claims.yaml
(`model`) and the word weights of patterns/en/claims_words.yaml, on debate sentences
(../shared/eval/claims/train.jsonl) and news sentences (tools/data/claims-news-train.jsonl).

Usage: tools/fit_claims.py BINARY [SHARED_DIR] [--l2 X ...] [--news-weight W ...]
                           [--min-precision P] [--folds K] [--min-words N] [--dry-run]

1. Runs claimx over claims/train.jsonl and claims/dev.jsonl (each record is a document) and over
   the BBC articles of the news sets (`--all-sentences --explain` lists every sentence with its
   features), with the claims pack read from patterns/en/claims.yaml on disk, so the cue
   features are the rules as they are now. A news label takes the sentences overlapping it.
   Word features ("w:tax", "w:tax cuts") are computed here from each sentence's text, tokenized
   exactly as src/extract/claims.cc does (word_tokens).
2. Vocabulary: words and adjacent pairs in at least N debate records or news articles
   (--min-words, default 8); cue features seen fewer than 5 times keep the weight they have in
   claims.yaml (set by hand).
3. Cross-validation on train only: K folds, the debates contiguous by id (ClaimBuster ids run
   in debate order, so a fold keeps a debate together), the news articles dealt round-robin.
   For each L2 penalty and news weight (how many debate records a news sentence weighs as), the
   out-of-fold scores give one threshold: the best news F1 among those keeping news precision
   at --min-precision (default 0.75). The pair with the best news F1 wins. Neither dev set
   chooses anything; their scores are printed at the end.
4. Fits on all of train with that penalty and weight (L2-penalised logistic regression,
   Newton's method with conjugate gradients on a sparse matrix; deterministic), prints the
   cross-validated F1 of each domain (mean, spread), both dev scores and reliability tables, and
   rewrites the model (bias, threshold, cue weights) in claims.yaml and the word weights in
   claims_words.yaml.
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
# Check-worthy labels of news sentences made for this project (tools/data/README.md).
NEWS_TRAIN = os.path.join(ROOT, "tools", "data", "claims-news-train.jsonl")
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


def run_explain(binary, path):
    """claimx --all-sentences --explain over a JSONL file ({"id", "text"} records), with the
    claims pack from disk: {id: [claims of every body sentence]}."""
    with tempfile.TemporaryDirectory() as packs:
        shutil.copy(PACK, packs)
        proc = subprocess.run([binary, "--compact", "--only", "claims", "--all-sentences", "--explain",
                               "--patterns", packs, "--input-format", "jsonl", path],
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=1800)
    if proc.returncode != 0:
        sys.exit(f"claimx exited {proc.returncode}: {proc.stderr.decode()[:300]}")
    out = {}
    for line in proc.stdout.decode("utf-8").splitlines():
        doc = json.loads(line)
        out[doc["document"]["id"]] = doc["claims"]
    return out


def claim_features(c):
    """A scored sentence's features: its cue and built-in features (as claimx reports them) and
    its words (computed here, so the vocabulary is not limited to the pack's)."""
    return ({t["feature"] for t in c["score_terms"]
             if t["feature"] != "bias" and not t["feature"].startswith("w:") and t["value"]}
            | word_features(c["text"]))


def sentence_features(binary, path):
    """[(id, label, [set of features per sentence], group)] for the records of a claims JSONL
    file (each record is one debate sentence; claimx may split it in two)."""
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    by_id = {k: [claim_features(c) for c in v] for k, v in run_explain(binary, path).items()}
    return [(r["id"], bool(r["checkworthy"]), by_id.get(r["id"], []), None) for r in records]


def news_features(binary, labels_path, corpus_path):
    """[(id, label, [features of the sentences overlapping it], article)] for sentence labels of
    news articles ({"id", "article", "start", "end", "checkworthy"}, code point offsets into the
    article's text in the corpus), as tools/eval_claims.py matches them."""
    with open(labels_path, encoding="utf-8") as f:
        labels = [json.loads(line) for line in f if line.strip()]
    labels = [x for x in labels if x.get("checkworthy") is not None]
    wanted = {x["article"] for x in labels}
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as tmp:
        with open(corpus_path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                if d["id"] in wanted:
                    tmp.write(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n")
    try:
        claims = run_explain(binary, tmp.name)
    finally:
        os.unlink(tmp.name)
    missing = wanted - set(claims)
    if missing:
        sys.exit(f"{labels_path}: articles not in the corpus: {sorted(missing)[:5]}")
    out = []
    for x in labels:
        over = [claim_features(c) for c in claims[x["article"]]
                if c["start"] < x["end"] and x["start"] < c["end"]]
        out.append((x["id"], bool(x["checkworthy"]), over, x["article"]))
    return out


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


def fit(X, y, l2, sw=None):
    """L2-penalised logistic regression (no penalty on the bias) by Newton-CG, each record
    weighing sw (default 1); (bias, w)."""
    w, b = np.zeros(X.d), 0.0
    sw = np.ones(X.n) if sw is None else sw
    for _ in range(40):
        p = 1.0 / (1.0 + np.exp(-(X.dot(w) + b)))
        gw, gb = X.tdot(sw * (p - y)) + l2 * w, float(np.sum(sw * (p - y)))
        if max(np.max(np.abs(gw), initial=0.0), abs(gb)) < 1e-6:
            break
        s = sw * p * (1.0 - p)

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


def best_threshold(scores, gold, is_news, folds, min_precision):
    """The threshold with the best news F1 out of fold among those whose news precision out of
    fold is at least min_precision (else the best news F1), and at it each domain's (mean F1,
    spread, [F1 per fold], pooled precision)."""
    def per_domain(th):
        out = {}
        for name, mask in (("debates", ~is_news), ("news", is_news)):
            f1s = [prf(scores[f][mask[f]] >= th, gold[f][mask[f]])[2] for f in folds]
            precision = prf(scores[mask] >= th, gold[mask])[0]
            out[name] = (float(np.mean(f1s)), float(np.std(f1s)), f1s, precision)
        return out
    best = best_any = (-1.0, 0.5)
    for step in range(5, 96):
        th = step / 100
        d = per_domain(th)
        if d["news"][0] > best_any[0] + 1e-12:
            best_any = (d["news"][0], th)
        if d["news"][3] >= min_precision and d["news"][0] > best[0] + 1e-12:
            best = (d["news"][0], th)
    th = best[1] if best[0] >= 0 else best_any[1]
    return th, per_domain(th)


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


def news_folds(groups, k):
    """The news records' folds: articles in id order, dealt round-robin to K folds."""
    arts = sorted({g for g in groups if g is not None})
    fold_of = {a: n % k for n, a in enumerate(arts)}
    return [np.array([i for i, g in enumerate(groups) if g is not None and fold_of[g] == f])
            for f in range(k)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--l2", type=float, nargs="+", default=[3, 10, 30],
                    help="L2 penalties to cross-validate (default 3 10 30)")
    ap.add_argument("--news-weight", type=float, nargs="+", default=[2, 5, 10],
                    help="weights of a news sentence against a debate sentence to cross-validate")
    ap.add_argument("--min-precision", type=float, default=0.75,
                    help="the threshold keeps news precision out of fold at least this (default 0.75)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-words", type=int, default=8, help="min train records of a word feature")
    ap.add_argument("--prune", type=float, default=0.2,
                    help="drop word weights smaller than this (start-up reads every one; default 0.2)")
    ap.add_argument("--dry-run", action="store_true", help="print, do not rewrite the packs")
    args = ap.parse_args()
    folder = os.path.join(args.shared, "eval", "claims")
    corpus = os.path.join(args.shared, "eval", "corpus", "bbc", "articles.jsonl")
    binary = os.path.abspath(args.binary)
    debates = sentence_features(binary, os.path.join(folder, "train.jsonl"))
    news = news_features(binary, NEWS_TRAIN, corpus)
    train = debates + news
    dev = sentence_features(binary, os.path.join(folder, "dev.jsonl"))
    news_dev = news_features(binary, os.path.join(args.shared, "eval", "news", "claims-dev.jsonl"),
                             corpus)

    # A feature's count is of debate records and of news articles (not sentences: a name that
    # fills one story is not a word of news), so that the news weight does not fit a story.
    counts, seen = {}, set()
    for rid, _, sentences, article in train:
        for k in set().union(*sentences) if sentences else ():
            doc = article if article is not None else rid
            if (k, doc) not in seen:
                seen.add((k, doc))
                counts[k] = counts.get(k, 0) + 1
    names = sorted(k for k, c in counts.items()
                   if c >= (args.min_words if k.startswith("w:") else MIN_COUNT))
    index = {n: i for i, n in enumerate(names)}
    X = Sparse([s for _, _, s, _ in train], index)
    y = np.array([float(g) for _, g, _, _ in train])
    gold = y > 0.5
    is_news = np.array([g is not None for _, _, _, g in train])
    folds = [np.concatenate([d, n]).astype(np.int64) for d, n in
             zip(folds_of([i for i, _, _, _ in debates], args.folds),
                 news_folds([g for _, _, _, g in train], args.folds))]
    is_word = np.array([n.startswith("w:") for n in names])
    print(f"features: {len(names)} ({int(is_word.sum())} words) in {len(debates)} debate and "
          f"{len(news)} news train records ({len({g for *_, g in news})} articles); "
          f"{args.folds} folds")
    best = None
    for l2 in args.l2:
        for nw in args.news_weight:
            sw = np.where(is_news, nw, 1.0)
            oof = np.zeros(len(train))
            for f in folds:
                rest = np.setdiff1d(np.arange(len(train)), f)
                b, w = fit(X.take(rest), y[rest], l2, sw[rest])
                w = np.where(is_word & (np.abs(w) < args.prune), 0.0, w)  # as the packs hold it
                oof[f] = 1.0 / (1.0 + np.exp(-(X.take(f).dot(w) + b)))
            th, per_fold = best_threshold(oof, gold, is_news, folds, args.min_precision)
            news_f1 = per_fold["news"][0]
            print(f"  L2 {l2:g}, news weight {nw:g}: threshold {th:.2f}, "
                  + ", ".join(f"{k} F1 {m:.3f} ± {sd:.3f} (P {p:.3f})"
                              for k, (m, sd, _, p) in per_fold.items()))
            if best is None or news_f1 > best[0] + 1e-9:
                best = (news_f1, l2, nw, th, oof, per_fold)
    _, l2, nw, threshold, oof, per_fold = best
    bias, w = fit(X, y, l2, np.where(is_news, nw, 1.0))
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
        for _, _, sentences, _ in rows:
            z = [bias + sum(lookup.get(k, 0.0) for k in s) for s in sentences] or [-math.inf]
            out.append(max(math.floor(1000.0 / (1.0 + math.exp(-x)) + 0.5) / 1000.0
                           if x > -math.inf else 0.0 for x in z))
        return np.array(out)

    print(f"chosen: L2 {l2:g}, news weight {nw:g}, threshold {threshold:.2f} (by {args.folds}-fold "
          f"cross-validation on train: the best news F1 at news precision >= {args.min_precision:g}); bias {bias:.3f}; "
          f"{len(weights)} cue weights, {len(words)} word weights")
    for k, (m, sd, folds_f1, precision) in per_fold.items():
        print(f"cross-validated F1 on {k} train: {m:.3f} ± {sd:.3f} "
              f"({' '.join(f'{x:.3f}' for x in folds_f1)}), precision {precision:.3f}")
    for name, rows in (("debate train (fitted)", debates), ("news train (fitted)", news),
                       ("debate dev (chooses nothing)", dev),
                       ("news dev (chooses nothing)", news_dev)):
        g = np.array([x for _, x, _, _ in rows])
        p, r, f1 = prf(record_scores(rows) >= threshold, g)
        print(f"{name}: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    reliability(oof[~is_news], gold[~is_news], "debate train, out of fold")
    reliability(oof[is_news], gold[is_news], "news train, out of fold")
    reliability(record_scores(dev), np.array([g for _, g, _, _ in dev]), "debate dev")
    reliability(record_scores(news_dev), np.array([g for _, g, _, _ in news_dev]), "news dev")
    top = sorted(words.items(), key=lambda kv: -kv[1])
    print("words weighing most for: " + ", ".join(f"{k} {v:.2f}" for k, v in top[:15]))
    print("words weighing most against: " + ", ".join(f"{k} {v:.2f}" for k, v in top[-15:]))
    if not args.dry_run:
        note = (f"{datetime.date.today().isoformat()}: tools/fit_claims.py --l2 "
                f"{' '.join(f'{x:g}' for x in args.l2)} --news-weight "
                f"{' '.join(f'{x:g}' for x in args.news_weight)} --min-precision {args.min_precision:g} "
                f"--folds {args.folds} --min-words "
                f"{args.min_words} --prune {args.prune:g}; claims/train.jsonl and "
                f"{os.path.relpath(NEWS_TRAIN, ROOT)}; L2 {l2:g}, news weight {nw:g} and threshold "
                "by cross-validation")
        rewrite_model(bias, threshold, weights, kept, note)
        write_words(words, note)
        print(f"wrote {os.path.relpath(PACK, ROOT)} and {os.path.relpath(WORDS, ROOT)}; "
              "rebuild (cmake --build build) to use them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
