#!/usr/bin/python3
"""The seed article's checklist (issue #2), run against the claimx binary.

Usage: seed_test.py BINARY SHARED_DIR
Reads SHARED_DIR/samples/seed-article.txt (exit 77 = skipped when it is absent), prints one
ok/FAIL line per check and exits 1 when any check failed. Needs jsonschema (python3-jsonschema).
"""
import json
import os
import re
import subprocess
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema", "claimx.schema.json")
ITEM_KEYS = ("entities", "figures", "agreements", "claims")

results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else f": {detail}"))


def spans(node):
    """Every dict with int start, int end and str text, at any depth."""
    if isinstance(node, dict):
        if isinstance(node.get("start"), int) and isinstance(node.get("end"), int) and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from spans(value)
    elif isinstance(node, list):
        for value in node:
            yield from spans(value)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    binary, shared = os.path.abspath(sys.argv[1]), sys.argv[2]
    path = os.path.join(shared, "samples", "seed-article.txt")
    if not os.path.exists(path):
        if os.environ.get("CI"):  # in CI a skip would pass without checking anything
            print("FAIL: ../shared/samples/seed-article.txt not found, and CI is set")
            return 1
        print("SKIP: ../shared/samples/seed-article.txt not found")
        return 77
    with open(path, encoding="utf-8") as f:
        text = f.read()

    proc = subprocess.run([binary, path], capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    check("exit 0", proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr.decode('utf-8', 'replace')[:300]}")
    try:
        doc = json.loads(proc.stdout)
    except ValueError as e:
        check("output is JSON", False, str(e))
        return 1

    with open(SCHEMA, encoding="utf-8") as f:
        errors = list(jsonschema.Draft202012Validator(json.load(f)).iter_errors(doc))
    check("schema-valid", not errors,
          "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in errors[:3]))

    def items(key):
        return doc.get(key) if isinstance(doc.get(key), list) else []

    all_spans = list(spans({k: doc.get(k) for k in ITEM_KEYS}))
    bad = [s for s in all_spans if text[s["start"]:s["end"]] != s["text"]]
    check(f"exact offsets ({len(all_spans)} spans)", all_spans and not bad,
          f"{len(bad)} wrong, first: {bad[:1]}")

    # --- figures --------------------------------------------------------------------------------
    figures = items("figures")

    def figure(text_, value, currency):
        for f in figures:
            if f.get("text") == text_ and isinstance(f.get("value"), (int, float)) \
                    and abs(f["value"] - value) <= 1e-9 * value and f.get("currency") == currency:
                return f
        return None

    fig_99m = figure("$9.9 million", 9_900_000, "USD")
    check("figure $9.9 million = 9900000 USD", fig_99m,
          str([f for f in figures if "9.9" in f.get("text", "")]))
    fig_56b = figure("$56 billion", 56_000_000_000, "USD")
    check("figure $56 billion = 56000000000 USD", fig_56b,
          str([f for f in figures if "56" in f.get("text", "")]))
    check("figure with 'third' = 3", any("third" in f.get("text", "") and f.get("value") == 3 for f in figures),
          str([f for f in figures if "third" in f.get("text", "")]))

    # --- entities -------------------------------------------------------------------------------
    entities = items("entities")

    def entity(name, type_):
        return next((e for e in entities if e.get("name") == name and e.get("type") == type_), None)

    names = sorted({f"{e.get('name')}/{e.get('type')}" for e in entities})
    for name in ("Mark Carney", "Donald Trump"):
        check(f"person {name}", entity(name, "person"), f"entities: {names}")
    places = {name: entity(name, "place") for name in ("Canada", "Mexico", "United States", "Mexico City")}
    for name, found in places.items():
        check(f"place {name}", found, f"entities: {names}")
    un = entity("United Nations", "organization")
    check("organization United Nations with a mention 'UN'",
          un and any(m.get("text") == "UN" for m in un.get("mentions", [])),
          f"United Nations: {un}")

    # Every "Trump" before the trailing headline list is a mention of Donald Trump.
    news = text.rfind("\nNews\n")
    cut = news + 1 if news >= 0 else len(text)
    check("the headline list (line 'News') is found", news >= 0)
    trump = entity("Donald Trump", "person") or {}
    covered = [(m["start"], m["end"]) for m in trump.get("mentions", [])
               if isinstance(m.get("start"), int) and isinstance(m.get("end"), int)]
    occurrences = [m.start() for m in re.finditer(r"\bTrump\b", text[:cut])]
    uncovered = [o for o in occurrences if not any(s <= o and o + 5 <= e for s, e in covered)]
    check(f"every 'Trump' in the body ({len(occurrences)}) is a mention of Donald Trump", not uncovered,
          f"{len(uncovered)} not covered, e.g. " + "; ".join(repr(text[max(0, o - 20):o + 25]) for o in uncovered[:3]))

    # --- agreements -----------------------------------------------------------------------------
    agreements = items("agreements")

    def agreement(*needles):
        for a in agreements:
            names_ = [a.get("name")] + list(a.get("aliases") or [])
            if all(n in names_ for n in needles):
                return a
        return None

    cusma = agreement("CUSMA", "Canada-United States-Mexico Agreement")
    check("agreement CUSMA = Canada-United States-Mexico Agreement", cusma,
          str([[a.get("name")] + a.get("aliases", []) for a in agreements]))
    party_ids = {(places[n] or {}).get("id") for n in ("Canada", "United States", "Mexico")}
    check("CUSMA parties are Canada, United States, Mexico",
          cusma and len(cusma.get("parties", [])) == 3 and set(cusma["parties"]) == party_ids,
          f"parties {cusma and cusma.get('parties')}, expected {sorted(map(str, party_ids))}")
    check("agreement Canada-Mexico Comprehensive Strategic Partnership",
          agreement("Canada-Mexico Comprehensive Strategic Partnership"),
          str([[a.get("name")] + a.get("aliases", []) for a in agreements]))

    # --- claims ---------------------------------------------------------------------------------
    claims = items("claims")
    for label, fig in (("$9.9 million", fig_99m), ("$56 billion", fig_56b)):
        check(f"claim with {label} links its figure",
              fig and any(label in c.get("text", "") and fig["id"] in c.get("figures", []) for c in claims),
              str([(c.get("id"), c.get("figures")) for c in claims if label in c.get("text", "")]))

    # --- the trailing headline list -------------------------------------------------------------
    starts = [(s.get("text"), s["start"]) for key in ITEM_KEYS for s in spans(items(key))]
    leaks = [t for t, start in starts if start >= cut]
    check("nothing taken from the trailing headline list", not leaks, f"{len(leaks)} items, e.g. {leaks[:5]}")
    zones = sorted((z["start"], z["end"]) for z in doc.get("document", {}).get("boilerplate", []))
    reach = cut
    for start, end in zones:  # how far the boilerplate zones reach, contiguously, from the list's start
        if start <= reach:
            reach = max(reach, end)
    starts_ok = any(start <= cut < end for start, end in zones)
    check("document.boilerplate covers the trailing headline list",
          starts_ok and reach >= len(text.rstrip()), f"zones {zones}, list [{cut}, {len(text.rstrip())})")
    last_paragraph = text.rfind("\n", 0, news) + 1
    check("boilerplate leaves the last article paragraph alone",
          not any(start < news and end > last_paragraph for start, end in zones), f"zones {zones}")

    # --- determinism ----------------------------------------------------------------------------
    again = subprocess.run([binary, path], capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    check("same bytes on a second run", again.stdout == proc.stdout)

    failed = results.count(False)
    print(f"seed: {len(results) - failed}/{len(results)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
