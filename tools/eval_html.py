#!/usr/bin/python3
"""HTML main-text extraction scored with the article-extraction benchmark's measure.

Runs claimx (--include-text) on ../shared/eval/corpus/html/pages/*.html.gz and compares
document.text with the human ground truth (articleBody): text split into \\w+ tokens, word 4-gram
shingles as a multiset; per page tp, fp, fn normalised by their sum (tp + fp + fn); summed over
pages: P = TP / (TP + FP), R = TP / (TP + FN), F1 of the two. Exit 77 (skip) when ../shared is
absent, 1 when F1 is below --floor.

  tools/eval_html.py build/claimx ../shared [--floor 0.9] [--worst 10] [--jobs 2]
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys

from evalkit import data_absent

TOKEN = re.compile(r"\w+")


def shingles(text, n=4):
    tokens = TOKEN.findall(text or "")
    if len(tokens) < n:
        return collections.Counter([tuple(tokens)]) if tokens else collections.Counter()
    return collections.Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def match(true, pred):
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("claimx")
    ap.add_argument("shared")
    ap.add_argument("--floor", type=float, default=0.0, help="fail when F1 is below this")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    ap.add_argument("--jobs", default="2")
    args = ap.parse_args()
    root = os.path.join(args.shared, "eval", "corpus", "html")
    pages = sorted(glob.glob(os.path.join(root, "pages", "*.html.gz")))
    if not pages:
        return data_absent(f"pages under {root}")
    with open(os.path.join(root, "ground-truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    proc = subprocess.run([args.claimx, "--include-text", "--compact", "--only", "figures", "-j", args.jobs, *pages],
                          capture_output=True, timeout=600)
    texts = {}
    for line in proc.stdout.decode("utf-8").splitlines():
        doc = json.loads(line)["document"]
        key = os.path.basename(doc["source"]).split(".")[0]
        texts[key] = doc.get("text", "")
    if proc.returncode != 0:
        print(proc.stderr.decode("utf-8", "replace"), file=sys.stderr)
    scored = []
    for path in pages:
        key = os.path.basename(path).split(".")[0]
        if key not in truth:
            continue
        tp, fp, fn = match(truth[key].get("articleBody", ""), texts.get(key, ""))
        scored.append((key, tp, fp, fn))
    TP = sum(s[1] for s in scored)
    FP = sum(s[2] for s in scored)
    FN = sum(s[3] for s in scored)
    p = TP / (TP + FP) if TP + FP else 0.0
    r = TP / (TP + FN) if TP + FN else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"html: {len(scored)} pages  P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (floor {args.floor})")
    if args.worst:
        for key, tp, fp, fn in sorted(scored, key=lambda s: s[1])[:args.worst]:
            print(f"  {key[:16]}  tp {tp:.2f} fp {fp:.2f} fn {fn:.2f}  {truth[key].get('url', '')[:80]}")
    return 0 if f1 >= args.floor else 1


if __name__ == "__main__":
    sys.exit(main())
