#!/usr/bin/python3
"""Fits the check-worthiness weights of patterns/en/claims.yaml (`model`) on ../shared/eval/claims.

Usage: tools/fit_claims.py BINARY [SHARED_DIR] [--l2 X] [--dry-run]

1. Runs claimx once over claims/train.jsonl and once over claims/dev.jsonl (each record is a
   document; `--all-sentences --explain` lists every sentence with its features), with the
   claims pack read from patterns/en/claims.yaml on disk (`--patterns`), so the features are
   the rules as they are now, whatever the binary was built from.
2. Fits a logistic regression (numpy, Newton's method, L2 penalty X on the weights, not on the
   bias; deterministic) on train: a record's features are the union of its sentences' features,
   its label `checkworthy`. A feature seen fewer than 5 times in train keeps the weight it has
   in claims.yaml (set by hand, marked so; e.g. figure.percentage-points, rare in debates), or none.
3. Chooses the threshold on dev: the one (in steps of 0.01) with the best F1 of the check-worthy
   class, where a record is check-worthy when one of its sentences scores at least the threshold.
4. Rewrites `bias`, `threshold` and the `weights:` block of the model in claims.yaml (the rest
   of the file is kept as it is) and prints the weights and the scores.
Rebuild afterwards (`cmake --build build`): packs are compiled into the binary.
"""
import argparse
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
MIN_COUNT = 5


def sentence_features(binary, path):
    """[(label, [{feature: value} per sentence])] for the records of a claims JSONL file."""
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
            {t["feature"]: t["value"] for t in c["score_terms"] if t["feature"] != "bias"} for c in doc["claims"]]
    return [(bool(r["checkworthy"]), by_id.get(r["id"], [])) for r in records]


def matrix(rows, names):
    index = {n: i for i, n in enumerate(names)}
    X = np.zeros((len(rows), len(names)))
    for i, sentences in enumerate(rows):
        for feats in sentences:
            for k, v in feats.items():
                if k in index:
                    X[i, index[k]] = max(X[i, index[k]], v)
    return X


def fit(X, y, l2):
    """L2-penalised logistic regression by Newton's method; returns (bias, weights)."""
    n, d = X.shape
    A = np.hstack([np.ones((n, 1)), X])
    w = np.zeros(d + 1)
    penalty = l2 * np.eye(d + 1)
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(A @ w)))
        grad = A.T @ (p - y) + penalty @ w
        hess = (A * (p * (1.0 - p))[:, None]).T @ A + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w[0], w[1:]


def score(bias, weights, feats):
    """The score claimx computes: rounded to 3 decimals, half away from zero."""
    z = bias + sum(weights.get(k, 0.0) * v for k, v in feats.items())
    return math.floor(1000.0 / (1.0 + math.exp(-z)) + 0.5) / 1000.0


def prf(pred, gold):
    tp = sum(p and g for p, g in zip(pred, gold))
    n_pred, n_gold = sum(pred), sum(gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


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


def rewrite_model(bias, threshold, weights, kept, l2):
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
    out.append(f"  # Fitted by tools/fit_claims.py (L2 {l2:g}; train.jsonl; threshold: best F1 on dev.jsonl).")
    out.append(f"  bias: {bias:.3f}")
    out.append(f"  threshold: {threshold:.2f}")
    out.append("  weights:")
    for name in sorted(weights, key=lambda n: (-weights[n], n)):
        note = f"  # set by hand: seen < {MIN_COUNT} times in train" if name in kept else ""
        out.append(f"    {name}: {weights[name]:.3f}{note}")
    out.append("")
    out.extend(lines[i:])
    with open(PACK, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the weights (default 1)")
    ap.add_argument("--dry-run", action="store_true", help="print, do not rewrite claims.yaml")
    args = ap.parse_args()
    folder = os.path.join(args.shared, "eval", "claims")
    binary = os.path.abspath(args.binary)
    train = sentence_features(binary, os.path.join(folder, "train.jsonl"))
    dev = sentence_features(binary, os.path.join(folder, "dev.jsonl"))

    counts = {}
    for _, sentences in train:
        for k in set().union(*sentences) if sentences else ():
            counts[k] = counts.get(k, 0) + 1
    names = sorted(k for k, c in counts.items() if c >= MIN_COUNT)
    X = matrix([s for _, s in train], names)
    y = np.array([float(g) for g, _ in train])
    bias, w = fit(X, y, args.l2)
    bias = round(float(bias), 3)
    weights = {n: round(float(v), 3) for n, v in zip(names, w)}
    kept = {n: v for n, v in current_weights().items() if n not in weights}
    weights.update(kept)

    def record_scores(rows):
        return [max((score(bias, weights, f) for f in s), default=0.0) for _, s in rows]

    dev_scores, dev_gold = record_scores(dev), [g for g, _ in dev]
    best = (-1.0, 0.5)
    for step in range(5, 96):
        th = step / 100
        f1 = prf([s >= th for s in dev_scores], dev_gold)[2]
        if f1 > best[0] + 1e-12:
            best = (f1, th)
    threshold = best[1]
    train_scores, train_gold = record_scores(train), [g for g, _ in train]

    print(f"features: {len(names)} (seen >= {MIN_COUNT} times in {len(train)} train records)")
    print(f"bias {bias:.3f}, threshold {threshold:.2f} (best F1 on dev)")
    for n in sorted(weights, key=lambda n: (-weights[n], n)):
        print(f"  {n:24} {weights[n]:7.3f}   in {counts.get(n, 0)} train records" + (" (kept)" if n in kept else ""))
    for name, scores, gold in (("train", train_scores, train_gold), ("dev", dev_scores, dev_gold)):
        p, r, f1 = prf([s >= threshold for s in scores], gold)
        print(f"{name}: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    if not args.dry_run:
        rewrite_model(bias, threshold, weights, kept, args.l2)
        print(f"wrote {os.path.relpath(PACK, ROOT)}; rebuild (cmake --build build) to use it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
