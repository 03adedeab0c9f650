#!/usr/bin/env python3
"""Scores claimx's figures on Recognizers-Text's English specs (../shared/eval/recognizers).

Usage: tools/eval_figures.py BINARY [SHARED_DIR] [--floors FILE] [--show N] [--part P]

Runs claimx once over every case (as JSONL, the case's reference date as the document date),
keeps the figures of the kind each file is about (for numberrange also numbers qualified gt, gte,
lt, lte, claimx's form of a half-open range), and prints per category precision / recall /
F1 for three matchings (one gold item to at most one figure):
  exact   same span;
  strict  same span and same value (numbers within 1e-6 relative, strings equal);
  overlap spans overlap.
Each file's cases are split in two halves by a hash of the case id (evalkit.part_of): rules are
written looking at the `develop` half's misses only (--part develop --show N), and the strict F1
of both halves is printed per category, so a gap shows rules written for cases. --part scores
one half only.
With --floors FILE (JSON: {"category": {"exact": f1, "strict": f1, "overlap": f1}}) it exits 1
when a category scores below its floor. Exits 77 (skip) when the data is absent.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

from evalkit import check_floors, claimx_documents, data_absent, part_of, prf
import tempfile

# Which claimx figure kinds answer each Recognizers-Text category.
KINDS = {
    "number": {"number"},
    "ordinal": {"ordinal"},
    "percent": {"percent"},
    "numberrange": {"range"},
    "currency": {"money"},
    "dimension": {"measure"},
    "age": {"age"},
    "temperature": {"measure"},
    "datetime": {"date", "time", "duration", "frequency"},
}


TEMPERATURE_UNITS = {"degree Celsius", "degree Fahrenheit", "degree", "kelvin"}


def answers(category, figure):
    """Whether a claimx figure answers a gold item of this category."""
    if category == "numberrange" and figure.get("qualifier") in ("gt", "gte", "lt", "lte", "eq"):
        return True  # "more than 30" is a half-open range there, a qualified number here
    if figure["kind"] == "measure" and category in ("dimension", "temperature"):
        # One claimx kind, two Recognizers-Text models: temperatures go to their own.
        return (figure.get("unit") in TEMPERATURE_UNITS) == (category == "temperature")
    return figure["kind"] in KINDS[category]


def same_value(gold, pred):
    if isinstance(gold, (int, float)) and isinstance(pred, (int, float)):
        return abs(gold - pred) <= 1e-6 * max(1.0, abs(gold))
    return gold is not None and gold == pred


def match(golds, preds, ok, text):
    """Greedy one-to-one matching in text order; returns the number of matched pairs."""
    used = set()
    hits = 0
    for g in golds:
        for i, p in enumerate(preds):
            if i not in used and ok(g, p, text):
                used.add(i)
                hits += 1
                break
    return hits


# Subunits: Recognizers-Text gives "50 cents" as 50 Cent; claimx converts to the currency
# (0.5 USD), so the gold value is divided by 100 before comparing.
SUBUNITS = {"Cent", "Pence", "Penny"}
# Dates and times: Recognizers-Text writes TIMEX 3 values, claimx ISO 8601. The comparison
# maps one onto the other, generally (never per case):
#  - a TIMEX range "(start,end,period)" is claimx's interval "start/end"; an end is compared at
#    claimx's granularity when TIMEX gives the first day of that period ("2018-01-01" ~ "2018");
#  - X digits are unresolved in TIMEX ("XXXX-12-27"): any digit matches, since claimx resolves
#    every date against the document date; "XXXX-WXX-5" (a Friday) matches any Friday;
#  - "T13" is "T13:00"; parts of the day (TMO, TAF, TEV, TNI, TDT) are claimx's intervals
#    (08-12, 12-16, 16-20, 20-24, 08-18); a quarter "2019-Q3" is "(2019-07-01,2019-10-01)";
#  - a TIMEX set "P1W" is claimx's repeating interval "R/P1W".
PARTS = {"MO": ("08:00", "12:00"), "AF": ("12:00", "16:00"), "EV": ("16:00", "20:00"),
         "NI": ("20:00", "24:00"), "DT": ("08:00", "18:00")}


def timex_ends(v):
    """A TIMEX or ISO 8601 value as its list of ends (one for a point, two for a range)."""
    if v.startswith("R/"):
        return [v[2:]]
    if v.startswith("(") and v.endswith(")"):
        return [x for x in v[1:-1].split(",")[:2]]
    m = re.fullmatch(r"(\d{4})-Q([1-4])", v)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        end = f"{y + 1:04d}-01-01" if q == 4 else f"{y:04d}-{3 * q + 1:02d}-01"
        return [f"{y:04d}-{3 * q - 2:02d}-01", end]
    m = re.fullmatch(r"(.*)T(MO|AF|EV|NI|DT)", v)
    if m:
        a, b = PARTS[m.group(2)]
        return [f"{m.group(1)}T{a}", f"{m.group(1)}T{b}"]
    if "/" in v:  # a quarter at the end of an interval ends where the next quarter starts
        a, b = v.split("/", 1)
        return [timex_ends(a)[0], timex_ends(b)[-1]]
    return [v]


def norm_time(v):
    """Clock times at minute precision at least: "T13" -> "T13:00", "T8" -> "T08:00"."""
    def fix(m):
        return "T%02d:%s" % (int(m.group(1)), m.group(2) or "00")
    return re.sub(r"T(\d{1,2})(?::(\d\d))?(?=$|:|[^\d:])", lambda m: fix(m), v)


def same_end(g, p):
    g, p = norm_time(g), norm_time(p)
    m = re.fullmatch(r"XXXX-WXX-([1-7])(T.*)?", g)
    if m:
        pm = re.fullmatch(r"(\d{4}-\d\d-\d\d)(T.*)?", p)
        if not pm:
            return False
        return (datetime.date.fromisoformat(pm.group(1)).isoweekday() == int(m.group(1))
                and (m.group(2) or "") == (pm.group(2) or ""))
    if len(p) < len(g) and re.fullmatch(r"(-01)+", g[len(p):]):
        g = g[:len(p)]  # "2018-01-01" at year granularity
    return len(g) == len(p) and all(a == b or a == "X" for a, b in zip(g, p))


def same_datetime_value(g, p):
    gv, pv = g.get("value"), p.get("value")
    if not isinstance(gv, str) or not isinstance(pv, str):
        return False
    if gv == pv:
        return True
    ge, pe = timex_ends(gv), timex_ends(pv)
    return len(ge) == len(pe) and all(same_end(a, b) for a, b in zip(ge, pe))


def same_figure_value(g, p):
    """Values agree; a gold range {min, max} is claimx's value and value_max (or a qualified
    value when one end is open: "(30,)" is "more than 30")."""
    if g.get("unit") in SUBUNITS and isinstance(g.get("value"), (int, float)):
        return same_value(g["value"] / 100, p.get("value"))
    if g.get("type", "").startswith("datetimeV2"):
        return same_datetime_value(g, p)
    r = g.get("range")
    if isinstance(r, dict):
        lo, hi = r.get("min"), r.get("max")
        if lo is not None and lo == hi:  # "[20,20]": exactly 20
            return same_value(lo, p.get("value")) and p.get("qualifier") == "eq"
        if lo is not None and hi is not None:
            return same_value(lo, p.get("value")) and same_value(hi, p.get("value_max"))
        return same_value(lo if lo is not None else hi, p.get("value"))
    return same_value(g.get("value"), p.get("value"))


# claimx keeps comparison words out of a figure's span ("more than 30": span "30", qualifier
# gt); Recognizers-Text's number ranges include them. A qualified figure therefore matches a
# gold span that covers it when everything else in the gold span is comparison words.
COMPARISON_WORDS = set("""more less than greater larger bigger smaller higher lower above below over
    under up to at least most no not fewer or and equal equals equaling exceed exceeds exceeding
    exceeded in excess of upwards a minimum maximum > < = >= <= ≥ ≤""".split())
INCLUSIVE = {"gt": False, "gte": True, "lt": False, "lte": True, "eq": True}


def same_span(g, p, text):
    if g["start"] == p["start"] and g["end"] == p["end"]:
        return True
    q = p.get("qualifier")
    if g.get("type", "").startswith("datetimeV2"):
        # Dates: claimx keeps a bounding word ("after 2010", "no later than Jan. 1") out of the
        # span and in `qualifier`; Recognizers-Text includes it: up to three words before.
        if not q or g["end"] != p["end"] or g["start"] >= p["start"]:
            return False
        return re.fullmatch(r"(?:[A-Za-z]+ ){1,3}", text[g["start"]:p["start"]]) is not None
    if q not in INCLUSIVE or g["start"] > p["start"] or g["end"] < p["end"]:
        return False
    rest = (text[g["start"]:p["start"]] + " " + text[p["end"]:g["end"]]).replace(",", " ")
    spaced = rest.replace(">", " > ").replace("<", " < ").replace("=", " = ")
    if not all(w.lower() in COMPARISON_WORDS for w in spaced.split()):
        return False
    r = g.get("range")  # "(30," is gt 30, "[30," gte 30
    if isinstance(r, dict) and (r.get("min") is None) != (r.get("max") is None):
        inclusive = r.get("min_inclusive") if r.get("min") is not None else r.get("max_inclusive")
        lower = r.get("min") is not None
        return INCLUSIVE[q] == bool(inclusive) and lower == (q in ("gt", "gte"))
    return True


MATCHERS = {
    "exact": lambda g, p, t: same_span(g, p, t),
    "strict": lambda g, p, t: same_span(g, p, t) and same_figure_value(g, p),
    "overlap": lambda g, p, t: g["start"] < p["end"] and p["start"] < g["end"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("shared", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--floors")
    ap.add_argument("--show", type=int, default=0, help="print N misses per category")
    ap.add_argument("--part", default="all", choices=["all", "develop", "check"],
                    help="score one half of the cases (split by a hash of the case id)")
    args = ap.parse_args()
    folder = os.path.join(args.shared, "eval", "recognizers")
    if not os.path.isdir(folder):
        return data_absent(folder)
    cases = []
    for category in KINDS:
        path = os.path.join(folder, category + ".jsonl")
        with open(path, encoding="utf-8") as f:
            for line in f:
                case = json.loads(line)
                case["category"] = category
                if args.part == "all" or part_of(case["id"]) == args.part:
                    cases.append(case)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as tmp:
        for i, case in enumerate(cases):
            record = {"id": str(i), "text": case["text"]}
            if case.get("reference_datetime"):
                record["date"] = case["reference_datetime"][:10]
            tmp.write(json.dumps(record, ensure_ascii=False) + "\n")
    try:
        proc = subprocess.run([args.binary, "--only", "figures", tmp.name], capture_output=True, timeout=600)
    finally:
        os.unlink(tmp.name)
    docs = claimx_documents(proc)
    if docs is None:
        return 1
    outputs = {int(doc["document"]["id"]): doc["figures"] for doc in docs}

    totals = {c: {"gold": 0, "pred": 0, **{m: 0 for m in MATCHERS}} for c in KINDS}
    halves = {(c, h): {"gold": 0, "pred": 0, "strict": 0} for c in KINDS for h in ("develop", "check")}
    misses = {c: [] for c in KINDS}
    for i, case in enumerate(cases):
        c = case["category"]
        golds = case["expected"]
        preds = [dict(f, _text=case["text"]) for f in outputs.get(i, []) if answers(c, f)]
        t = totals[c]
        h = halves[(c, part_of(case["id"]))]
        for x in (t, h):
            x["gold"] += len(golds)
            x["pred"] += len(preds)
        for name, ok in MATCHERS.items():
            t[name] += match(golds, preds, ok, case["text"])
        h["strict"] += match(golds, preds, MATCHERS["strict"], case["text"])
        if match(golds, preds, MATCHERS["strict"], case["text"]) < max(len(golds), len(preds)):
            misses[c].append((case["text"], [(g["text"], g.get("value")) for g in golds],
                              [(p["text"], p["value"]) for p in preds]))

    print(f"{'category':12} {'gold':>5} {'pred':>5}   " + "   ".join(f"{m:^17}" for m in MATCHERS))
    print(f"{'':12} {'':>5} {'':>5}   " + "   ".join(f"{'P':>5} {'R':>5} {'F1':>5}" for _ in MATCHERS))
    all_t = {"gold": 0, "pred": 0, **{m: 0 for m in MATCHERS}}
    scores = {}
    for c, t in totals.items():
        for k in all_t:
            all_t[k] += t[k]
        row = {m: prf(t[m], t["pred"], t["gold"]) for m in MATCHERS}
        scores[c] = {m: row[m][2] for m in MATCHERS}
        print(f"{c:12} {t['gold']:5} {t['pred']:5}   " +
              "   ".join(f"{row[m][0]:5.3f} {row[m][1]:5.3f} {row[m][2]:5.3f}" for m in MATCHERS))
    row = {m: prf(all_t[m], all_t["pred"], all_t["gold"]) for m in MATCHERS}
    print(f"{'all':12} {all_t['gold']:5} {all_t['pred']:5}   " +
          "   ".join(f"{row[m][0]:5.3f} {row[m][1]:5.3f} {row[m][2]:5.3f}" for m in MATCHERS))
    scores["all"] = {m: row[m][2] for m in MATCHERS}
    print("strict F1 by half (develop / check): " + ", ".join(
        f"{c} {prf(halves[(c, 'develop')]['strict'], halves[(c, 'develop')]['pred'], halves[(c, 'develop')]['gold'])[2]:.3f}"
        f" / {prf(halves[(c, 'check')]['strict'], halves[(c, 'check')]['pred'], halves[(c, 'check')]['gold'])[2]:.3f}"
        for c in KINDS if halves[(c, 'develop')]['gold'] or halves[(c, 'check')]['gold']))

    if args.show:
        for c, items in misses.items():
            for text, gold, pred in items[: args.show]:
                print(f"[{c}] {text}\n    gold {gold}\n    got  {pred}")

    if args.floors:
        return check_floors(scores, args.floors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
