"""Shared by the scoring scripts (tools/eval_*.py): precision / recall / F1 and floors."""
import json
import os
import sys
import zlib


def data_absent(what):
    """The exit code of a scorer whose data (in ../shared) is absent: 77, which ctest counts as
    skipped, except under CI (the variable CI set), where a skipped accuracy test would let the
    suite pass without scoring anything: there it is a failure."""
    if os.environ.get("CI"):
        print(f"FAIL: {what} not found, and CI is set: a scorer may not skip in CI", file=sys.stderr)
        return 1
    print(f"SKIP: {what} not found (the shared evaluation data is absent)")
    return 77


def part_of(article_id):
    """The half of a news dev set an article is in, by a hash of its id: `develop` (rules are
    written on it) or `check` (scored before a report)."""
    return "develop" if zlib.crc32(article_id.encode()) % 2 == 0 else "check"


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def check_floors(scores, path):
    """Prints every score under its floor; returns 1 if any, else 0. Floors are JSON, either
    {"name": floor} or {"name": {"measure": floor}}, matching the shape of `scores`."""
    with open(path, encoding="utf-8") as f:
        floors = json.load(f)
    low = []
    for name, want in floors.items():
        if isinstance(want, dict):
            low += [(f"{name} {m}", scores[name][m], v) for m, v in want.items()
                    if scores[name][m] < v - 1e-9]
        elif scores[name] < want - 1e-9:
            low.append((name, scores[name], want))
    for name, got, want in low:
        print(f"FAIL {name} {got:.3f} < floor {want:.3f}")
    if low:
        return 1
    print("all floors met")
    return 0


def claimx_documents(proc):
    """The JSON documents a finished claimx run printed, one a line; None (and why, printed)
    when it failed."""
    if proc.returncode != 0:
        print(f"claimx exited {proc.returncode}: {proc.stderr.decode()[:300]}")
        return None
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
