#!/usr/bin/python3
"""Output formats and --stats through the real binary: TSV read back with Python's csv module
and the documented escaping undone equals the JSON output item for item; JSON-LD nodes are
schema.org types with their properties; --stats counts what the JSON holds, for any -j.

Usage:  formats_test.py BINARY SOURCE_DIR [SHARED_DIR] [unittest options]
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import harness

BINARY = None
SOURCE_DIR = None
SHARED_DIR = None

TSV_COLUMNS = ["doc_id", "kind", "id", "start", "end", "text", "value", "unit_or_currency",
               "type", "score", "rule"]
# A tab, a line break and backslashes inside items: each must survive the round trip.
AWKWARD = ("Exports rose 5%\tto $3 million in 2025, the minister\\deputy said.\n"
           "Acme Corp said the C:\\data deal with\tGlobex was worth \u20ac2bn.\r\n")


def run(args, stdin=b""):
    return subprocess.run([BINARY, *args], input=stdin, capture_output=True, timeout=300)


def unescape(field):
    """The TSV escaping undone: \\\\ \\t \\n \\r (README: Output formats)."""
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[m.group(1)],
                  field)


def inputs():
    return harness.sample_inputs(SOURCE_DIR, SHARED_DIR)


def expected_rows(doc):
    """The rows the TSV should hold for one JSON document, in its order."""
    text = doc["document"]["text"]
    rows = []

    def row(kind, item, id_, value, unit, type_, score, rule):
        start, end = item["start"], item["end"]
        if doc["document"]["offsets"] == "codepoints":
            assert text[start:end] == item["text"], item
        rows.append([doc["document"]["id"], kind, id_, str(start), str(end), item["text"],
                     value, unit, type_, score, rule])

    def number(v):
        if v is None:
            return ""
        if isinstance(v, str):
            return v
        return json.dumps(v)

    for f in doc["figures"]:
        value = number(f["value"])
        if f["value_max"] is not None:
            value += ".." + number(f["value_max"])
        row("figure", f, f["id"], value, f["currency"] or f["unit"] or "",
            f["kind"], "", f["rule"])
    for e in doc["entities"]:
        for m in e["mentions"]:
            row("entity", m, e["id"], e["name"], "", e["type"], "", m["rule"])
    for a in doc["agreements"]:
        for m in a["mentions"]:
            row("agreement", m, a["id"], a["name"], "", a["kind"], "", m["rule"])
    for c in doc["claims"]:
        row("claim", c, c["id"], c["key"], "", ",".join(c["types"]),
            number(c["checkworthiness"]), ",".join(c["cues"]))
    return rows


class Tsv(unittest.TestCase):
    def read_tsv(self, raw):
        reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter="\t",
                            quoting=csv.QUOTE_NONE)
        rows = [[unescape(f) for f in r] for r in reader]
        self.assertEqual(rows[0], TSV_COLUMNS)
        for r in rows[1:]:
            self.assertEqual(len(r), len(TSV_COLUMNS), r)
        return rows[1:]

    def check_same_as_json(self, args, stdin=b""):
        tsv = run(["--format", "tsv", *args], stdin)
        self.assertEqual(tsv.returncode, 0, tsv.stderr)
        js = run(["--compact", "--include-text", *args], stdin)
        self.assertEqual(js.returncode, 0, js.stderr)
        want = [r for line in js.stdout.splitlines() for r in expected_rows(json.loads(line))]
        got = self.read_tsv(tsv.stdout)
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertEqual(g, w)
        return got

    def test_samples_and_seed_round_trip(self):
        rows = self.check_same_as_json(["-j2", *inputs()])
        self.assertEqual({r[1] for r in rows}, {"figure", "entity", "agreement", "claim"})

    def test_tabs_newlines_backslashes(self):
        rows = self.check_same_as_json([], AWKWARD.encode())
        raw = run(["--format", "tsv"], AWKWARD.encode()).stdout.decode()
        # One line per row: no raw tab inside a field, no raw line break.
        self.assertEqual(len(raw.splitlines()), len(rows) + 1)
        self.assertTrue(any("\t" in r[5] for r in rows), "no field held a tab")
        self.assertTrue(any("\\" in r[5] for r in rows), "no field held a backslash")
        self.assertIn("\\t", raw)

    def test_offsets_follow_the_unit(self):
        text = "Caf\u00e9 owners in Paris said prices rose 5% to \u20ac3 million.".encode()
        for unit in ("bytes", "utf16", "codepoints"):
            rows = self.check_same_as_json(["--offsets", unit], text)
            self.assertTrue(rows)

    def test_only_and_header_once(self):
        rows = self.read_tsv(run(["--format", "tsv", "--only", "figures", *inputs()]).stdout)
        self.assertTrue(rows)
        self.assertEqual({r[1] for r in rows}, {"figure"})
        empty = run(["--format", "tsv"], b"")
        self.assertEqual(empty.stdout.decode().splitlines()[0].split("\t"), TSV_COLUMNS)


class JsonLd(unittest.TestCase):
    def test_graph(self):
        out = run(["--format", "jsonld", "--date", "2026-03-01", *inputs()])
        self.assertEqual(out.returncode, 0, out.stderr)
        js = run(["--compact", "--date", "2026-03-01", *inputs()])
        self.assertEqual(js.returncode, 0, js.stderr)
        self.assertEqual(len(out.stdout.splitlines()), len(inputs()))
        self.assertEqual(len(js.stdout.splitlines()), len(inputs()))
        for line, jline in zip(out.stdout.splitlines(), js.stdout.splitlines()):
            doc, plain = json.loads(line), json.loads(jline)
            self.assertEqual(doc["@context"], "https://schema.org")
            graph = doc["@graph"]
            ids = {n["@id"] for n in graph}
            self.assertEqual(len(ids), len(graph), "@id values are unique")
            article = graph[0]
            self.assertEqual(article["@type"], "NewsArticle")
            claims = [n for n in graph if n["@type"] == "Claim"]
            reviews = [n for n in graph if n["@type"] == "ClaimReview"]
            self.assertEqual(len(claims), len(plain["claims"]))
            self.assertEqual([c["identifier"] for c in claims], [c["key"] for c in plain["claims"]])
            self.assertEqual(len(reviews), len(claims))
            for c, r in zip(claims, reviews):
                self.assertEqual(c["appearance"], {"@id": article["@id"]})
                self.assertEqual(r["itemReviewed"], {"@id": c["@id"]})
                self.assertEqual(r["claimReviewed"], c["text"])
                self.assertIn("reviewRating", r)
                for ref in [c.get("author")] + c.get("about", []):
                    if ref:
                        self.assertIn(ref["@id"], ids, "a reference to a node of the graph")


def fnv1a64(data):
    h = 14695981039346656037  # the FNV-1a 64 offset basis
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def recipe_key(doc, claim, stop_words):
    """A claim's key computed from the JSON output by the recipe of README, "Claim keys"."""
    figures = {f["id"]: f for f in doc["figures"]}
    entities = {e["id"]: e for e in doc["entities"]}
    text = doc["document"]["text"]

    def value(v):
        return v if isinstance(v, str) else json.dumps(v)

    ents, figs, dates, covered = set(), set(), set(), []
    for eid in claim["entities"]:
        e = entities[eid]
        ents.add(f"{e['type']}:{e['name'].lower()}")
        covered += [(m["start"], m["end"]) for m in e["mentions"]
                    if m["start"] >= claim["start"] and m["end"] <= claim["end"]]
    for fid in claim["figures"]:
        f = figures[fid]
        covered.append((f["start"], f["end"]))
        if f["kind"] == "date":
            dates.add(f["value"] if f["value"] is not None else "?" + f["text"].lower())
            continue
        if f["value"] is None:
            v = "?" + f["text"].lower()
        else:
            v = value(f["value"]) + (".." + value(f["value_max"]) if f["value_max"] is not None else "")
        figs.add(f"{f['kind']}:{v}:{f['currency'] or f['unit'] or ''}")
    words = set()
    for m in re.finditer(r"[^\W\d_]+", text[claim["start"]:claim["end"]]):
        start, end = claim["start"] + m.start(), claim["start"] + m.end()
        if any(s < end and start < e for s, e in covered):
            continue
        w = m.group(0).lower()
        if len(w) < 2 or w in stop_words:
            continue
        if len(w) >= 5 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.add(w)

    def field(parts):
        return "\x1e".join(sorted(parts, key=lambda p: p.encode()))

    change = (claim.get("change") or {}).get("direction", "")
    canonical = "\x1f".join(["ck1", field(ents), field(figs), field(dates), change, field(words)])
    return f"ck1-{fnv1a64(canonical.encode()):016x}"


class ClaimKeyRecipe(unittest.TestCase):
    def test_keys_follow_the_readme_recipe(self):
        import yaml
        with open(os.path.join(SOURCE_DIR, "patterns", "lexicon", "claim_keys.yaml")) as f:
            stop = {w.lower() for w in yaml.safe_load(f)["lexicons"]["key_stop_words"]["entries"]}
        extra = ("Les \u00c9conomistes of Acme Corp said exports rose\u00a0to \u00ab$5 billion\u00bb "
                 "in 2025, up 20%.\n").encode()
        out = run(["--compact", "--include-text", "--date", "2026-03-01", *inputs()])
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines() + run(["--compact", "--include-text"], extra).stdout.splitlines()
        checked = 0
        for line in lines:
            doc = json.loads(line)
            for claim in doc["claims"]:
                self.assertEqual(claim["key"], recipe_key(doc, claim, stop), claim["text"])
                checked += 1
        self.assertGreater(checked, 40)


class JsonLdOnly(unittest.TestCase):
    def test_only_claims_leaves_entities_out(self):
        out = run(["--format", "jsonld", "--only", "claims", *inputs()])
        self.assertEqual(out.returncode, 0, out.stderr)
        for line in out.stdout.splitlines():
            graph = json.loads(line)["@graph"]
            self.assertEqual({n["@type"] for n in graph} - {"NewsArticle", "Claim", "ClaimReview"},
                             set())
            for node in graph:
                if node["@type"] != "ClaimReview":  # its author is the fact-checker's, null
                    self.assertFalse({"about", "author", "mentions"} & set(node), node["@id"])

    def test_only_entities_has_no_claims(self):
        out = run(["--format", "jsonld", "--only", "entities", inputs()[0]])
        types = {n["@type"] for n in json.loads(out.stdout)["@graph"]}
        self.assertNotIn("Claim", types)
        self.assertTrue(types & {"Person", "Organization", "Place"})


class Vocabulary:
    """schema.org as schema-dts (npm) types it: each type's parents and properties, and each
    property's range. Read from the package's schema.d.ts:
        interface NewsArticleBase extends ArticleBase { "dateline"?: SchemaValue<Text, ...>; }
        export interface ClaimLeaf extends ClaimBase { "@type": "Claim"; }"""

    def __init__(self, dts):
        self.parents, self.props, self.leaf = {}, {}, {}
        block = None
        for line in dts.splitlines():
            m = re.match(r"(?:export )?interface (\w+) extends ([^{]+)\{", line)
            if m:
                block = m.group(1)
                self.parents[block] = re.findall(r"(\w+Base)\b", m.group(2))
                self.props[block] = {}
                continue
            if block is None:
                continue
            if line.startswith("}"):
                block = None
                continue
            m = re.match(r'\s+"([\w@]+)"\??: (?:SchemaValue<([^,>]+))?(?:"(\w+)")?', line)
            if m and m.group(1) == "@type" and block.endswith("Leaf"):
                self.leaf[m.group(3)] = block
            elif m:
                self.props[block][m.group(1)] = {t.strip() for t in (m.group(2) or "").split("|")}

    def property(self, type_name, prop):
        """The range of `prop` on `type_name` (inherited too), or None when it has none."""
        todo = [self.leaf[type_name]]
        while todo:
            block = todo.pop()
            if prop in self.props.get(block, {}):
                return self.props[block][prop]
            todo += self.parents.get(block, [])
        return None

    def is_a(self, type_name, wanted):
        todo, seen = [self.leaf[type_name]], set()
        while todo:
            block = todo.pop()
            if block in (wanted + "Base", wanted + "Leaf"):
                return True
            seen.add(block)
            todo += [p for p in self.parents.get(block, []) if p not in seen]
        return False


def vocabulary():
    import tarfile
    path = os.environ.get("CLAIMX_SCHEMA_DTS", "")
    if not os.path.exists(path):
        raise AssertionError(f"the schema-dts package ({path or 'CLAIMX_SCHEMA_DTS unset'}) is "
                             "missing: cmake downloads it from the npm registry at configure time")
    with tarfile.open(path) as tar:
        return Vocabulary(tar.extractfile("package/dist/schema.d.ts").read().decode())


class JsonLdVocabulary(unittest.TestCase):
    """Every node's type is a schema.org type, every property one schema.org gives that type,
    every reference points at a node of a type in the property's range."""

    def test_every_property_is_in_the_vocabulary(self):
        vocab = vocabulary()
        self.assertIn("Claim", vocab.leaf)
        self.assertIsNone(vocab.property("Claim", "claimReviewed"))  # the reader is not lax
        out = run(["--format", "jsonld", *inputs()])
        checked = 0
        for line in out.stdout.splitlines():
            graph = json.loads(line)["@graph"]
            by_id = {n["@id"]: n for n in graph}

            def check(node, where):
                nonlocal checked
                t = node["@type"]
                self.assertIn(t, vocab.leaf, f"{where}: no schema.org type {t}")
                for prop, value in node.items():
                    if prop.startswith("@"):
                        continue
                    rng = vocab.property(t, prop)
                    self.assertIsNotNone(rng, f"{where}: {t} has no property {prop}")
                    checked += 1
                    for v in value if isinstance(value, list) else [value]:
                        if isinstance(v, dict) and "@type" in v:
                            check(v, f"{where}.{prop}")
                        elif isinstance(v, dict):
                            target = by_id[v["@id"]]["@type"]
                            self.assertTrue(any(r != "IdReference" and r in vocab.leaf and vocab.is_a(target, r)
                                                for r in rng),
                                            f"{where}.{prop}: {target} is not in its range {rng}")
                        elif isinstance(v, str):
                            self.assertTrue(rng & {"Text", "URL", "Date", "DateTime"},
                                            f"{where}.{prop}: text where {rng} is wanted")

            for node in graph:
                check(node, node["@id"])
        self.assertGreater(checked, 100)


class StatsOption(unittest.TestCase):
    def test_counts_match_the_output(self):
        js = run(["--compact", *inputs()])
        docs = [json.loads(l) for l in js.stdout.splitlines()]
        want = {"figures": sum(len(d["figures"]) for d in docs),
                "entities": sum(len(d["entities"]) for d in docs),
                "agreements": sum(len(d["agreements"]) for d in docs),
                "claims": sum(len(d["claims"]) for d in docs)}
        seen = []
        for jobs in ("-j1", "-j2"):
            out = run(["--stats=json", jobs, "-q", *inputs()])
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout, js.stdout, "--stats leaves the output as it is")
            stats = json.loads(out.stderr.decode().strip().splitlines()[-1])
            self.assertEqual(stats["documents"], len(docs))
            for kind, n in want.items():
                self.assertEqual(stats["items"][kind], n, kind)
            self.assertEqual(stats["items"]["entity_mentions"],
                             sum(len(e["mentions"]) for d in docs for e in d["entities"]))
            fired = {}
            for d in docs:
                for f in d["figures"]:
                    fired[f["rule"]] = fired.get(f["rule"], 0) + 1
                for kind in ("entities", "agreements"):
                    for item in d[kind]:
                        for m in item["mentions"]:
                            fired[m["rule"]] = fired.get(m["rule"], 0) + 1
                for c in d["claims"]:
                    for cue in c["cues"]:
                        fired[cue] = fired.get(cue, 0) + 1
            top = sorted(fired.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            self.assertEqual([(r["rule"], r["items"]) for r in stats["top_rules"]], top)
            self.assertGreater(stats["input_bytes"], 0)
            seen.append({k: v for k, v in stats.items() if k not in ("seconds", "mb_per_s")})
        self.assertEqual(seen[0], seen[1], "the same counts for any -j")

    def test_table_and_failures(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "missing.txt")
            out = run(["--stats", "-q", inputs()[0], bad])
        self.assertEqual(out.returncode, 1)
        err = out.stderr.decode()
        self.assertRegex(err, r"documents\s+1\n")
        self.assertRegex(err, r"failed\s+1\n")
        self.assertIn("MB/s", err)
        self.assertEqual(run(["--stats=yaml"], b"x").returncode, 2)


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR"], ["SHARED_DIR"]))
