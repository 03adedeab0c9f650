#!/usr/bin/python3
"""End-to-end tests: run the claimx binary and check its output against the claimx/1 contract.

Usage:  e2e_test.py BINARY SOURCE_DIR [unittest options, e.g. -k Offsets]
        UPDATE_EXPECTED=1 e2e_test.py ...   rewrites samples/NAME.expected.json instead of comparing

SOURCE_DIR is the project root: samples/ and schema/claimx.schema.json are read from it.
Needs only the standard library and jsonschema (Debian: python3-jsonschema).
"""
import difflib
import json
import math
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import jsonschema

BINARY = None       # absolute path of the claimx binary (set in main)
SOURCE_DIR = None   # absolute path of the project root (set in main)
VALIDATOR = None    # jsonschema validator for schema/claimx.schema.json (set in main)

ITEM_KEYS = ("entities", "figures", "agreements", "claims")

# Key order promised by the contract (optional keys may be missing, the rest keep this order).
KEY_ORDER = {
    "top": ["schema", "document", "sentences", "entities", "figures", "agreements", "claims"],
    "document": ["id", "source", "url", "title", "date", "chars", "offsets", "boilerplate", "warnings", "text"],
    "sentences": ["text", "start", "end", "zone"],
    "entities": ["id", "type", "subtype", "name", "aliases", "mentions"],
    "entity mentions": ["text", "start", "end", "rule", "form"],
    "figures": ["id", "kind", "text", "start", "end", "value", "value_max", "unit", "currency",
                "currency_ambiguous", "candidates", "qualifier", "granularity", "sentence", "rule"],
    "agreements": ["id", "name", "aliases", "type", "kind", "status", "named", "parties", "roles",
                   "value", "date", "evidence", "mentions"],
    "agreement mentions": ["text", "start", "end", "rule"],
    "claims": ["id", "key", "text", "start", "end", "sentence", "types", "checkworthiness", "figures",
               "entities", "agreements", "attribution", "change", "hedged", "negated", "cues",
               "score_terms", "top_words", "not_claim_reason"],
}

NON_ASCII_SAMPLE = "pricing-euro.txt"  # has €, curly quotes, em-dashes and an emoji (a UTF-16 surrogate pair)


def run(args, stdin=b"", cwd=None, timeout=60):
    """Runs the binary with stdout/stderr captured (so stdout is not a terminal)."""
    return subprocess.run([BINARY, *args], input=stdin, capture_output=True, cwd=cwd, timeout=timeout)


def samples_dir():
    return os.path.join(SOURCE_DIR, "samples")


def sample_names():
    return sorted(n for n in os.listdir(samples_dir()) if n.endswith(".txt"))


def read_sample(name):
    with open(os.path.join(samples_dir(), name), encoding="utf-8") as f:
        return f.read()


def spans(node, path=""):
    """Yields (path, span) for every dict with int start, int end and str text, at any depth."""
    if isinstance(node, dict):
        if isinstance(node.get("start"), int) and isinstance(node.get("end"), int) and isinstance(node.get("text"), str):
            yield path, node
        for key, value in node.items():
            yield from spans(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from spans(value, f"{path}[{i}]")


class Units:
    """The document text measured in one offset unit: codepoints, bytes (UTF-8) or utf16 (code units)."""

    def __init__(self, text, unit):
        self.unit = unit
        if unit == "codepoints":
            self.data, self.width = text, 1
        elif unit == "bytes":
            self.data, self.width = text.encode("utf-8"), 1
        elif unit == "utf16":
            self.data, self.width = text.encode("utf-16-le"), 2
        else:
            raise ValueError(unit)

    def __len__(self):
        return len(self.data) // self.width

    def slice(self, start, end):
        """The text in [start, end), or None when the offsets split a character."""
        piece = self.data[start * self.width:end * self.width]
        if self.unit == "codepoints":
            return piece
        try:
            return piece.decode("utf-8" if self.unit == "bytes" else "utf-16-le")
        except UnicodeDecodeError:
            return None


def pretty(doc):
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


class ClaimxTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="claimx-e2e-")
        self.tmp = self._tmp.name

    def tearDown(self):
        for root, dirs, files in os.walk(self.tmp):  # undo chmod 000 so cleanup works
            for name in dirs + files:
                if not os.path.islink(os.path.join(root, name)):  # (a link to itself: no target)
                    os.chmod(os.path.join(root, name), 0o700)
        self._tmp.cleanup()

    def write_tmp(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    # --- assertions ----------------------------------------------------------------------------

    def assert_exit(self, proc, code, what):
        self.assertEqual(proc.returncode, code,
                         f"{what}: exit {proc.returncode}, expected {code}; stderr: {proc.stderr.decode('utf-8', 'replace')[:500]}")

    def lines(self, stdout, count, what):
        """Asserts stdout is exactly `count` newline-terminated lines and returns them decoded."""
        text = stdout.decode("utf-8")
        lines = text.split("\n")
        self.assertEqual(lines[-1], "", f"{what}: output does not end with a newline")
        self.assertEqual(len(lines) - 1, count, f"{what}: expected {count} output line(s), got {len(lines) - 1}")
        return lines[:-1]

    def parse(self, line, what):
        try:
            return json.loads(line)
        except ValueError as e:
            self.fail(f"{what}: output is not JSON ({e}): {line[:200]}")

    def assert_schema(self, doc, what):
        errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            shown = "\n".join(f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:10])
            self.fail(f"{what}: {len(errors)} schema error(s):\n{shown}")

    def one_doc(self, proc, what, code=0):
        """Asserts exit code, one line of JSON, schema-valid; returns the parsed document."""
        self.assert_exit(proc, code, what)
        doc = self.parse(self.lines(proc.stdout, 1, what)[0], what)
        self.assert_schema(doc, what)
        return doc

    def assert_spans(self, doc, text, unit, what):
        """Every span's text equals the document text at its offsets, in the given unit."""
        units = Units(text, unit)
        keys = ("sentences",) + ITEM_KEYS
        found = list(spans({k: doc[k] for k in keys if k in doc}))
        bad = []
        for path, s in found:
            if not 0 <= s["start"] <= s["end"] <= len(units):
                bad.append(f"{path}: offsets [{s['start']}, {s['end']}) outside text of length {len(units)}")
            elif units.slice(s["start"], s["end"]) != s["text"]:
                bad.append(f"{path}: text {s['text']!r} but [{s['start']}, {s['end']}) in {unit} is "
                           f"{units.slice(s['start'], s['end'])!r}")
        if bad:
            self.fail(f"{what}: {len(bad)} of {len(found)} spans not exact:\n  " + "\n  ".join(bad[:10]))
        self.assertEqual(doc["document"]["chars"], len(units), f"{what}: document.chars is not the text length in {unit}")
        self.assertEqual(doc["document"]["offsets"], unit, f"{what}: document.offsets")
        for z in doc["document"]["boilerplate"]:
            self.assertTrue(0 <= z["start"] <= z["end"] <= len(units), f"{what}: boilerplate zone out of range: {z}")

    def assert_key_order(self, doc, what):
        def check(obj, kind, where):
            order = KEY_ORDER[kind]
            keys = [k for k in obj if k in order]
            self.assertEqual(keys, [k for k in order if k in obj], f"{what}: key order of {where}")
        check(doc, "top", "the document")
        check(doc["document"], "document", "document")
        for key in ("sentences",) + ITEM_KEYS:
            for i, item in enumerate(doc.get(key, [])):
                check(item, key, f"{key}[{i}]")
                mention_kind = {"entities": "entity mentions", "agreements": "agreement mentions"}.get(key)
                for j, m in enumerate(item["mentions"] if mention_kind else []):
                    check(m, mention_kind, f"{key}[{i}].mentions[{j}]")

    def assert_references(self, doc, what):
        """Ids are unique and every id a claim, agreement or attribution names exists."""
        ids = {}
        for key in ITEM_KEYS:
            listed = [item["id"] for item in doc.get(key, [])]
            self.assertEqual(len(listed), len(set(listed)), f"{what}: duplicate ids in {key}")
            ids[key] = set(listed)
        figures = {f["id"]: f for f in doc.get("figures", [])}
        for a in doc.get("agreements", []):
            missing = set(a["parties"]) - ids["entities"]
            self.assertFalse(missing, f"{what}: agreement {a['id']} parties {missing} are not entities")
            self.assertFalse(set(a["roles"]) - set(a["parties"]),
                             f"{what}: agreement {a['id']} gives roles to non-parties")
            if "figures" in doc:
                for key, kind in (("value", "money"), ("date", "date")):
                    if a[key] is not None:
                        self.assertIn(a[key], figures, f"{what}: agreement {a['id']} {key}")
                        self.assertEqual(figures[a[key]]["kind"], kind, f"{what}: agreement {a['id']} {key}")
        for c in doc.get("claims", []):
            for key in ("figures", "entities", "agreements"):
                missing = set(c[key]) - ids[key]
                self.assertFalse(missing, f"{what}: claim {c['id']} names unknown {key} {missing}")
            speaker = (c["attribution"] or {}).get("speaker")
            if isinstance(speaker, str) and re.fullmatch(r"e[1-9][0-9]*", speaker):
                self.assertIn(speaker, ids["entities"], f"{what}: claim {c['id']} speaker is not an entity")
        sentences = doc.get("sentences")
        if sentences is not None:
            for key in ("figures", "claims"):
                for item in doc.get(key, []):
                    i = item["sentence"]
                    self.assertLess(i, len(sentences), f"{what}: {item['id']} sentence index out of range")
                    s = sentences[i]
                    self.assertTrue(s["start"] <= item["start"] < s["end"],
                                    f"{what}: {item['id']} at {item['start']} is not inside sentence {i} "
                                    f"[{s['start']}, {s['end']})")


class Samples(ClaimxTestCase):
    """samples/*.txt: valid, exact, and equal to samples/NAME.expected.json."""

    _outputs = {}

    def output(self, name):
        """stdout of `claimx NAME.txt` run inside samples/, so document.source is location-independent."""
        if name not in Samples._outputs:
            Samples._outputs[name] = run([name], cwd=samples_dir())
        return Samples._outputs[name]

    def test_samples_exist(self):
        self.assertIn(NON_ASCII_SAMPLE, sample_names())

    def test_samples_valid_and_exact(self):
        for name in sample_names():
            with self.subTest(sample=name):
                doc = self.one_doc(self.output(name), name)
                self.assertEqual(doc["document"]["source"], name)
                for key in ITEM_KEYS:
                    self.assertIn(key, doc, f"{name}: default output lacks {key}")
                self.assertNotIn("sentences", doc, f"{name}: sentences without --sentences")
                self.assertNotIn("text", doc["document"], f"{name}: document.text without --include-text")
                self.assert_spans(doc, read_sample(name), "codepoints", name)
                self.assert_key_order(doc, name)
                self.assert_references(doc, name)

    def test_samples_sentence_indexes(self):
        for name in sample_names():
            with self.subTest(sample=name):
                doc = self.one_doc(run(["--sentences", name], cwd=samples_dir()), f"--sentences {name}")
                self.assert_spans(doc, read_sample(name), "codepoints", name)
                self.assert_references(doc, name)

    def test_samples_match_expected(self):
        update = os.environ.get("UPDATE_EXPECTED") == "1"
        for name in sample_names():
            with self.subTest(sample=name):
                proc = self.output(name)
                self.assert_exit(proc, 0, name)
                actual = self.parse(self.lines(proc.stdout, 1, name)[0], name)
                path = os.path.join(samples_dir(), name[:-len(".txt")] + ".expected.json")
                if update:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(pretty(actual))
                    continue
                if not os.path.exists(path):
                    self.fail(f"{name}: no {os.path.basename(path)}; run with UPDATE_EXPECTED=1 to write it")
                with open(path, encoding="utf-8") as f:
                    expected = json.load(f)
                if actual != expected:
                    diff = list(difflib.unified_diff(pretty(expected).splitlines(), pretty(actual).splitlines(),
                                                     os.path.basename(path), "actual", lineterm="", n=2))
                    shown = "\n".join(diff[:80]) + ("\n..." if len(diff) > 80 else "")
                    self.fail(f"{name}: output differs from {os.path.basename(path)} "
                              f"(UPDATE_EXPECTED=1 accepts it):\n{shown}")


class Determinism(ClaimxTestCase):

    def test_same_bytes_twice(self):
        for name in sample_names():
            with self.subTest(sample=name):
                first = run([name], cwd=samples_dir())
                second = run([name], cwd=samples_dir())
                self.assert_exit(first, 0, name)
                self.assertEqual(first.stdout, second.stdout, f"{name}: two runs differ")

    def test_stdin_same_as_file(self):
        for name in sample_names():
            with self.subTest(sample=name):
                path = os.path.join(samples_dir(), name)
                from_file = self.one_doc(run([path]), name)
                with open(path, "rb") as f:
                    from_stdin = self.one_doc(run([], stdin=f.read()), f"{name} on stdin")
                self.assertEqual(from_stdin["document"]["source"], "-")
                for key in ITEM_KEYS:
                    self.assertEqual(from_stdin[key], from_file[key], f"{name}: {key} differ between stdin and file")

    def test_several_files_one_line_each_in_order(self):
        first = os.path.join(samples_dir(), NON_ASCII_SAMPLE)
        second = self.write_tmp("second.txt", "The minister said revenue rose 5% to $3 million in 2024.\n")
        proc = run([second, first, second])
        self.assert_exit(proc, 0, "three files")
        docs = [self.parse(line, "three files") for line in self.lines(proc.stdout, 3, "three files")]
        self.assertEqual([d["document"]["source"] for d in docs], [second, first, second])
        self.assertEqual(docs[0], docs[2])


class Offsets(ClaimxTestCase):
    """--offsets bytes|utf16 (and the default, codepoints) on text with non-ASCII and astral characters."""

    def check_unit(self, unit, args):
        text = read_sample(NON_ASCII_SAMPLE)
        self.assertTrue(any(ord(ch) > 0xFFFF for ch in text), "the sample needs a character outside the BMP")
        path = os.path.join(samples_dir(), NON_ASCII_SAMPLE)
        doc = self.one_doc(run(args + ["--sentences", "--include-text", path]), f"{' '.join(args)}")
        self.assertEqual(doc["document"]["text"], text)
        self.assert_spans(doc, text, unit, f"{' '.join(args) or 'default'}")
        self.assertTrue(doc["figures"], "expected figures in the sample")
        return doc

    def test_offsets_codepoints_default(self):
        default = self.check_unit("codepoints", [])
        explicit = self.check_unit("codepoints", ["--offsets", "codepoints"])
        self.assertEqual(default, explicit)

    def test_offsets_bytes(self):
        self.check_unit("bytes", ["--offsets", "bytes"])

    def test_offsets_utf16(self):
        self.check_unit("utf16", ["--offsets", "utf16"])

    def test_units_differ_only_in_offsets(self):
        def strip(doc):
            return [[{k: v for k, v in s.items() if k not in ("start", "end")} for _, s in spans(doc[key])]
                    for key in ITEM_KEYS]
        path = os.path.join(samples_dir(), NON_ASCII_SAMPLE)
        docs = [self.one_doc(run(["--offsets", unit, path]), unit) for unit in ("codepoints", "bytes", "utf16")]
        self.assertEqual(strip(docs[0]), strip(docs[1]))
        self.assertEqual(strip(docs[0]), strip(docs[2]))


class Options(ClaimxTestCase):

    def sample_path(self):
        return os.path.join(samples_dir(), NON_ASCII_SAMPLE)

    def test_sentences(self):
        doc = self.one_doc(run(["--sentences", self.sample_path()]), "--sentences")
        sentences = doc.get("sentences")
        self.assertTrue(sentences, "--sentences gives no sentences")
        for i, s in enumerate(sentences):
            self.assertEqual(list(s), ["text", "start", "end", "zone"], f"sentences[{i}] keys")
        for a, b in zip(sentences, sentences[1:]):
            self.assertLessEqual(a["end"], b["start"], "sentences overlap or are out of order")
        self.assert_spans(doc, read_sample(NON_ASCII_SAMPLE), "codepoints", "--sentences")
        self.assert_references(doc, "--sentences")

    def test_include_text(self):
        doc = self.one_doc(run(["--include-text", self.sample_path()]), "--include-text")
        self.assertEqual(doc["document"].get("text"), read_sample(NON_ASCII_SAMPLE))

    def test_only_figures(self):
        doc = self.one_doc(run(["--only", "figures", self.sample_path()]), "--only figures")
        self.assertIn("figures", doc)
        for key in ("entities", "claims", "agreements", "sentences"):
            self.assertNotIn(key, doc, f"--only figures still has {key}")
        both = self.one_doc(run(["--only", "figures,claims", self.sample_path()]), "--only figures,claims")
        self.assertEqual([k for k in both if k in ITEM_KEYS], ["figures", "claims"])

    def test_pretty(self):
        plain = run([self.sample_path()])
        proc = run(["--pretty", self.sample_path()])
        self.assert_exit(proc, 0, "--pretty")
        out = proc.stdout.decode("utf-8")
        self.assertGreater(out.count("\n"), 1, "--pretty output is one line")
        self.assertEqual(json.loads(out), json.loads(plain.stdout))

    def test_date_anchor_resolves_relative_dates(self):
        def last_year(args):
            doc = self.one_doc(run(args, stdin=b"Sales fell last year.\n"), " ".join(args) or "no --date")
            dates = [f for f in doc["figures"] if f["kind"] == "date" and "last year" in f["text"]]
            self.assertEqual(len(dates), 1, f"{args}: expected one date figure for 'last year', got {doc['figures']}")
            return dates[0]
        anchored = last_year(["--date", "2026-11-25"])
        self.assertEqual(anchored["value"], "2025")
        self.assertEqual(anchored.get("granularity"), "year")
        self.assertIsNone(last_year([])["value"], "'last year' resolved without --date")

    def test_explain(self):
        text = b"Unemployment fell to 5% last year, the ministry said. What do you think of that?\n"
        doc = self.one_doc(run(["--all-sentences", "--explain"], stdin=text), "--all-sentences --explain")
        claims = doc["claims"]
        self.assertEqual(len(claims), 2, f"expected both sentences listed: {claims}")
        for c in claims:
            terms = c["score_terms"]
            self.assertEqual(terms[0]["feature"], "bias")
            z = sum(t["contribution"] for t in terms)
            self.assertAlmostEqual(1 / (1 + math.exp(-z)), c["checkworthiness"], delta=0.002,
                                   msg=f"score terms do not add up to the score: {c}")
        self.assertNotIn("not_claim_reason", claims[0], "a check-worthy sentence has a not_claim_reason")
        self.assertIn("figure.percent", [t["feature"] for t in claims[0]["score_terms"]])
        self.assertEqual(claims[1].get("not_claim_reason"), "question")
        for c in claims:  # top_words: the word terms of score_terms that weigh most, largest first
            words = {t["feature"][2:]: t["contribution"] for t in c["score_terms"]
                     if t["feature"].startswith("w:") and t["contribution"]}
            top = c["top_words"]
            self.assertEqual(len(top), min(5, len(words)), f"top_words: {top} of {words}")
            for t in top:
                self.assertEqual(words[t["word"]], t["contribution"])
            sizes = [abs(t["contribution"]) for t in top]
            self.assertEqual(sizes, sorted(sizes, reverse=True))
            self.assertTrue(all(abs(v) <= sizes[-1] for k, v in words.items()
                                if k not in {t["word"] for t in top}), "a bigger word left out")
        plain = self.one_doc(run(["--all-sentences"], stdin=text), "--all-sentences")
        for c in plain["claims"]:
            self.assertNotIn("score_terms", c, "score_terms without --explain")
            self.assertNotIn("not_claim_reason", c, "not_claim_reason without --explain")
            self.assertNotIn("top_words", c, "top_words without --explain")


class Inputs(ClaimxTestCase):
    """Odd inputs: empty, invalid UTF-8, binary, missing, unreadable, huge."""

    def good_file(self):
        return self.write_tmp("good.txt", "The minister said revenue rose 5% to $3 million in 2024.\n")

    def test_empty_stdin(self):
        doc = self.one_doc(run([], stdin=b""), "empty stdin")
        for key in ITEM_KEYS:
            self.assertEqual(doc.get(key), [], f"empty stdin: {key}")
        self.assertEqual(doc["document"]["chars"], 0)

    def test_invalid_utf8(self):
        data = b"Price \xff\xfe rose 5% to $3 million in 2024.\nExports reached \xe2\x82"  # truncated euro sign
        doc = self.one_doc(run(["--include-text"], stdin=data), "invalid UTF-8")
        self.assertTrue(doc["document"]["warnings"], "invalid UTF-8 gives no warning")
        text = doc["document"]["text"]
        self.assertIn("\ufffd", text)
        self.assertTrue(text.startswith("Price \ufffd"), f"text: {text!r}")
        self.assertTrue(text.endswith("\ufffd"), f"truncated sequence not replaced at the end: {text!r}")
        self.assertIn(" rose 5% to $3 million in 2024.\nExports reached ", text)
        self.assert_spans(doc, text, "codepoints", "invalid UTF-8")

    def binary_file(self):
        rnd = random.Random(20261125)
        data = bytearray(rnd.randrange(256) for _ in range(4096))
        data[10:20] = b"\0" * 10
        return self.write_tmp("noise.bin", bytes(data))

    def test_binary_file(self):
        path = self.binary_file()
        proc = run([path])
        self.assert_exit(proc, 1, "binary file")
        self.assertIn("noise.bin", proc.stderr.decode("utf-8", "replace"))

    def test_nul_bytes_are_stray_bytes_not_a_binary_file(self):
        # A zero-filled block (a truncated download) is NUL bytes: replaced and counted, and the
        # text after them is read (1,024 NUL bytes once read as an empty tar archive).
        for size in (1024, 37, 1000):
            tail = "It cost $5 million." if size == 1000 else ""
            path = self.write_tmp(f"zeros{size}.txt", b"\0" * size + tail.encode())
            for args, stdin in (([path], None), ([], path)):
                with open(stdin, "rb") if stdin else open(os.devnull, "rb") as f:
                    proc = subprocess.run([BINARY, *args], stdin=f, capture_output=True)
                self.assert_exit(proc, 0, f"{size} NUL bytes")
                doc = self.parse(self.lines(proc.stdout, 1, f"{size} NUL bytes")[0], "NULs")
                self.assert_schema(doc, f"{size} NUL bytes")
                warnings = {w["code"]: w["count"] for w in doc["document"]["warnings"]}
                self.assertEqual(warnings.get("control-bytes"), size)
                self.assertEqual(doc["document"]["chars"], size + len(tail))
                if tail:
                    money = [f for f in doc["figures"] if f["kind"] == "money"]
                    self.assertEqual([(f["text"], f["start"], f["value"]) for f in money],
                                     [("$5 million", size + 8, 5000000)])

    def test_stray_bytes_keep_the_article(self):
        # A few random bytes inserted into an article: processed, each replaced and counted.
        text = ("The minister said revenue rose 5% to $3 million in 2024. " * 20).encode()
        rnd = random.Random(7)
        data = bytearray(text)
        for _ in range(5):
            data.insert(rnd.randrange(len(data)), rnd.choice([0, 1, 2, 7, 0x1F]))
        path = self.write_tmp("stray.txt", bytes(data))
        proc = run([path])
        self.assert_exit(proc, 0, "stray bytes")
        doc = self.parse(self.lines(proc.stdout, 1, "stray bytes")[0], "stray bytes")
        warnings = {w["code"]: w["count"] for w in doc["document"]["warnings"]}
        self.assertEqual(warnings.get("control-bytes"), 5)
        self.assertTrue(doc["figures"])

    def test_binary_file_with_good_file(self):
        bad, good = self.binary_file(), self.good_file()
        proc = run([bad, good])
        self.assert_exit(proc, 1, "binary + good file")
        self.assertIn("noise.bin", proc.stderr.decode("utf-8", "replace"))
        doc = self.parse(self.lines(proc.stdout, 1, "binary + good file")[0], "binary + good file")
        self.assert_schema(doc, "binary + good file")
        self.assertEqual(doc["document"]["source"], good)

    def test_missing_file(self):
        missing, good = os.path.join(self.tmp, "does-not-exist.txt"), self.good_file()
        proc = run([missing, good])
        self.assert_exit(proc, 1, "missing file")
        self.assertIn("does-not-exist.txt", proc.stderr.decode("utf-8", "replace"))
        doc = self.parse(self.lines(proc.stdout, 1, "missing file")[0], "missing file")
        self.assertEqual(doc["document"]["source"], good)

    def test_unreadable_file(self):
        locked, good = self.write_tmp("locked.txt", "Prices rose 5%.\n"), self.good_file()
        if os.geteuid() == 0:
            # Root reads a chmod 000 file: a symbolic link to itself cannot be opened by anyone.
            os.remove(locked)
            os.symlink("locked.txt", locked)
        else:
            os.chmod(locked, 0)
        proc = run([locked, good])
        self.assert_exit(proc, 1, "unreadable file")
        self.assertIn("locked.txt", proc.stderr.decode("utf-8", "replace"))
        doc = self.parse(self.lines(proc.stdout, 1, "unreadable file")[0], "unreadable file")
        self.assertEqual(doc["document"]["source"], good)

    def test_large_input_without_newline(self):
        # CLAIMX_E2E_LARGE_MB shrinks it under sanitizers, which cost several times the memory.
        megabytes = int(os.environ.get("CLAIMX_E2E_LARGE_MB", "50"))
        phrase = b"The minister said revenue rose 5% to $3 million "
        data = phrase * (megabytes * 1024 * 1024 // len(phrase) + 1)
        path = self.write_tmp("large.txt", data)
        out_path = os.path.join(self.tmp, "large.json")
        started = time.monotonic()
        with open(out_path, "wb") as out:
            try:
                proc = subprocess.run([BINARY, path], stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.PIPE, timeout=120)
            except subprocess.TimeoutExpired:
                self.fail("50 MB input took more than 120 s")
        elapsed = time.monotonic() - started
        self.assertEqual(proc.returncode, 0, f"50 MB input: exit {proc.returncode}: {proc.stderr[:300]!r}")
        with open(out_path, "rb") as f:
            raw = f.read()
        self.assertTrue(raw.endswith(b"\n") and raw.count(b"\n") == 1, "50 MB input: output is not one line")
        doc, totals = load_sampled(raw)
        self.assert_schema(doc, f"50 MB input (first items of {totals})")
        self.assertEqual(doc["document"]["chars"], len(data))
        print(f"\n  50 MB input: {elapsed:.1f} s, {len(raw) / 1e6:.1f} MB of JSON, items {totals}", file=sys.stderr)


class Crafted(ClaimxTestCase):
    """Floods of what the figure grammar reads (valid JSON, exact offsets, exit 0)."""

    CASES = {
        "dollar signs": "$" * 200000,
        "one comma": "1," * 200000,
        "opening quotes": "\u201c" * 50000 + " said Trump.",
        "deep brackets": "(" * 50000 + "5" + ")" * 50000,
        "5000 digits": "9" * 5000 + " and 10^400 and $" + "9" * 500,
        "number words": "one hundred and " * 20000 + "five",
        "fractions": "two thirds " * 20000,
        "ordinals": "twenty first " * 20000,
        "mixed digits": "3 hundred and 21 " * 20000,
        "comparisons": "more than 5 and less than " * 20000 + "9",
        "right to left and marks": "\u0645\u0631\u062d\u0628\u0627 5% e\u0301 " * 20000,
        "emoji": "\U0001F600 $5 \U0001F1E8\U0001F1E6 " * 20000,
        "all caps": "THE PRIME MINISTER SAID 40 PERCENT. " * 20000,
        "BOM and CRLF": "\ufeffIt cost $5 million.\r\nExports rose 3%.\r\n",
    }

    def test_crafted_inputs(self):
        for name, text in self.CASES.items():
            with self.subTest(case=name):
                proc = run(["--include-text"], stdin=text.encode("utf-8"), timeout=120)
                doc = self.one_doc(proc, name)
                self.assert_spans(doc, doc["document"]["text"], "codepoints", name)


class FuzzFindings(ClaimxTestCase):
    """Inputs the fuzz targets (fuzz/) found crashing or misread, through the real binary."""

    PAGE = b"<html><body><article><p>The port authority said traffic rose 12% last year.</p></article></body></html>"

    def warc_record(self, http, length=None):
        length = len(http) if length is None else length
        head = f"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: {length}\r\n\r\n"
        return head.encode() + http + b"\r\n\r\n"

    def test_warc_content_length_too_large(self):
        # fuzz_warc: 50 digits of Content-Length threw std::out_of_range (abort).
        bad = self.write_tmp("huge.warc", self.warc_record(b"HTTP/1.1 200 OK\r\n\r\n", "9" * 50))
        good = self.write_tmp("good.txt", "Prices rose 5%.\n")
        proc = run([bad, good])
        self.assert_exit(proc, 1, "huge Content-Length")
        self.assertIn("huge.warc@0: WARC record without a valid Content-Length", proc.stderr.decode())
        doc = self.parse(self.lines(proc.stdout, 1, "huge Content-Length")[0], "huge Content-Length")
        self.assertEqual(doc["document"]["source"], good)

    def test_warc_chunk_size_too_large(self):
        # A chunk size past 2^64 is not chunked encoding: the body is read as it is.
        body = b"f" * 40 + b"\r\n" + self.PAGE
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + body
        path = self.write_tmp("chunks.warc", self.warc_record(http))
        doc = self.one_doc(run(["--include-text", path]), "huge chunk size")
        self.assertIn("traffic rose 12%", doc["document"]["text"])

    def test_empty_record_files_hold_no_records(self):
        # fuzz_jsonl: an empty JSONL (or WARC) file gave one empty document, not zero records.
        for name in ("empty.jsonl", "empty.warc"):
            path = self.write_tmp(name, b"")
            proc = run([path])
            self.assert_exit(proc, 0, name)
            self.assertEqual(proc.stdout, b"", f"{name}: output")
        proc = run(["--input-format", "jsonl"], stdin=b"")
        self.assertEqual((proc.returncode, proc.stdout), (0, b""), "empty JSONL on stdin")
        doc = self.one_doc(run([self.write_tmp("empty.txt", b"")]), "empty text file")
        self.assertEqual(doc["document"]["chars"], 0)

    def test_html_impossible_date_is_no_anchor(self):
        # fuzz_html: <time datetime="2026-02-30"> became the document date.
        page = b'<html><body><time datetime="2026-02-30">x</time>' + self.PAGE[12:]
        doc = self.one_doc(run([self.write_tmp("page.html", page)]), "impossible date")
        self.assertIsNone(doc["document"]["date"])


class Jsonl(ClaimxTestCase):
    RECORDS = (
        '{"id": "a", "text": "Sales fell last year, the ministry said.", "date": "2026-11-25T08:00:00Z"}\n'
        'this line is not JSON\n'
        '\n'
        '{"id": "b", "body": "no text field"}\n'
        '{"id": 7, "text": "It cost \u20ac3 billion."}\n'
    )

    def test_records_in_order_bad_ones_named(self):
        path = self.write_tmp("dump.jsonl", self.RECORDS)
        proc = run([path])
        self.assert_exit(proc, 1, "JSONL with bad records")
        docs = [self.parse(line, "jsonl record") for line in self.lines(proc.stdout, 2, "jsonl")]
        for doc in docs:
            self.assert_schema(doc, "jsonl record")
        self.assertEqual([d["document"]["id"] for d in docs], ["a", "7"])
        self.assertEqual([d["document"]["source"] for d in docs], [path + ":1", path + ":5"])
        self.assertEqual(docs[0]["document"]["date"], "2026-11-25")
        last_year = [f for f in docs[0]["figures"] if f["text"] == "last year"]
        self.assertEqual(last_year[0]["value"], "2025", "the record's date anchors relative dates")
        self.assertEqual(docs[1]["figures"][0]["value"], 3000000000)
        err = proc.stderr.decode("utf-8", "replace")
        self.assertIn(path + ":2:", err)
        self.assertIn(path + ":4:", err)
        self.assertNotIn(":3:", err, "blank lines are skipped, not errors")

    def test_text_field_and_stdin(self):
        proc = run(["--input-format", "jsonl", "--text-field", "body", "-"],
                   stdin=b'{"body": "Prices rose 5%."}\n')
        doc = self.one_doc(proc, "jsonl on stdin")
        self.assertEqual(doc["figures"][0]["value"], 5)
        self.assertEqual(doc["document"]["source"], "<stdin>:1")


def load_sampled(raw, keep=200):
    """Parses a possibly huge output, keeping only the first `keep` items of each kind (memory stays low)."""
    seen = {}

    def hook(pairs):
        obj = dict(pairs)
        item_id = obj.get("id")
        if "chars" not in obj and isinstance(item_id, str) and re.fullmatch(r"[efac][1-9][0-9]*", item_id):
            seen[item_id[0]] = seen.get(item_id[0], 0) + 1
            if seen[item_id[0]] > keep:
                return None
        return obj

    doc = json.loads(raw, object_pairs_hook=hook)
    totals = {key: len(doc[key]) for key in ITEM_KEYS if key in doc}
    for key in totals:
        doc[key] = [item for item in doc[key] if item is not None]
    return doc, totals


class Cli(ClaimxTestCase):

    def test_version(self):
        proc = run(["--version"])
        self.assert_exit(proc, 0, "--version")
        self.assertRegex(proc.stdout.decode("utf-8"), r"\d+\.\d+")

    def test_help(self):
        proc = run(["--help"])
        self.assert_exit(proc, 0, "--help")
        out = proc.stdout.decode("utf-8")
        self.assertIn("claimx", out)
        self.assertRegex(out, r"(?i)example")

    def test_unknown_option(self):
        proc = run(["--no-such-option"])
        self.assert_exit(proc, 2, "unknown option")
        err = proc.stderr.decode("utf-8", "replace")
        self.assertIn("no-such-option", err)
        self.assertEqual(proc.stdout, b"", "unknown option: usage error printed to stdout")


# A rule pack in the documented format, valid on its own; EXTRA_RULE slots in one more rule.
GOOD_PACK = r"""pack: e2e
defines:
  NUM: '\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?'
  SCALE: 'thousand|million|billion|trillion|bn|mn|[mbk]'
rules:
  - id: money.e2e-symbol-scale
    kind: money
    priority: 35   # above number.scaled, which also reads "56 billion"
    pattern: '(?P<code>ZRK)\s?(?P<num>{{NUM}})\s*(?P<scale>{{SCALE}})?\b'
    examples:
      - text: 'bilateral trade reaching ZRK 56 billion last year'
        expect: {text: 'ZRK 56 billion', value: 56000000000, currency: ZRK}
    counterexamples: ['the ZRK sign']
"""

EXTRA_RULE = r"""  - id: {id}
    kind: number
    pattern: '{pattern}'
    examples:
      - text: '{example}'
        expect: {{text: 'zzq7'}}
    counterexamples: ['plain words']
"""


class Rules(ClaimxTestCase):

    def pack_dir(self, name, extra=None):
        """A directory holding one pack NAME.yaml: GOOD_PACK plus an optional extra rule."""
        directory = os.path.join(self.tmp, name)
        os.mkdir(directory)
        text = GOOD_PACK + (EXTRA_RULE.format(**extra) if extra else "")
        path = os.path.join(directory, name + ".yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return directory, text

    def assert_pack_error(self, name, extra, marker, occurrence=1, mentions=None):
        """`rules check DIR` exits 2 and reports NAME.yaml:LINE:COL: at the line holding `marker`."""
        directory, text = self.pack_dir(name, extra)
        lines = [i + 1 for i, line in enumerate(text.splitlines()) if marker in line]
        line = lines[occurrence - 1]
        proc = run(["rules", "check", directory])
        err = proc.stderr.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 2, f"{name}: exit {proc.returncode}, expected 2; stderr: {err[:500]}")
        places = [(int(m.group(1)), int(m.group(2)))
                  for m in re.finditer(re.escape(name) + r"\.yaml:(\d+):(\d+):", err)]
        self.assertTrue(places, f"{name}: no '{name}.yaml:LINE:COL:' in stderr: {err[:500]}")
        self.assertIn(line, [p[0] for p in places], f"{name}: expected line {line} in stderr: {err[:500]}")
        if mentions:
            self.assertIn(mentions, err)

    def test_rules_check_builtin(self):
        proc = run(["rules", "check"])
        self.assert_exit(proc, 0, "rules check")

    def test_rules_list(self):
        proc = run(["rules", "list"])
        self.assert_exit(proc, 0, "rules list")
        lines = proc.stdout.decode("utf-8").splitlines()
        self.assertTrue(any("money." in line for line in lines), "rules list names no money.* rule")

    def test_rules_check_good_pack(self):
        # The control for the broken packs below: the same pack, every rule and example valid.
        directory, _ = self.pack_dir("good", {"id": "number.e2e-zzq", "pattern": r"zzq(?P<num>\d+)",
                                              "example": "the code zzq7 appears"})
        proc = run(["rules", "check", directory])
        self.assert_exit(proc, 0, "rules check on a valid pack")

    def test_rules_check_bad_regex(self):
        self.assert_pack_error("badregex", {"id": "number.e2e-broken", "pattern": "(?P<x>[a-",
                                            "example": "the code zzq7 appears"}, "(?P<x>[a-")

    def test_rules_check_unknown_define(self):
        self.assert_pack_error("nodefine", {"id": "number.e2e-nope", "pattern": r"zzq{{NOPE}}(?P<num>\d+)",
                                            "example": "the code zzq7 appears"}, "{{NOPE}}", mentions="NOPE")

    def test_rules_check_duplicate_id(self):
        self.assert_pack_error("dupid", {"id": "money.e2e-symbol-scale", "pattern": r"zzq(?P<num>\d+)",
                                         "example": "the code zzq7 appears"},
                               "- id: money.e2e-symbol-scale", occurrence=2, mentions="money.e2e-symbol-scale")

    def test_rules_check_failing_example(self):
        self.assert_pack_error("badexample", {"id": "number.e2e-unmatched", "pattern": r"zzq(?P<num>\d+)",
                                              "example": "the code appears nowhere"}, "the code appears nowhere")

def shared_corpus(*parts):
    """A path under ../shared/eval/corpus (next to the project root), or None when absent."""
    path = os.path.join(SOURCE_DIR, "..", "shared", "eval", "corpus", *parts)
    return path if os.path.exists(path) else None


class Ingest(ClaimxTestCase):
    """Batch input: directories, compression, archives, HTML, WARC, -j, -o, --errors, failures."""

    ARTICLE = "The minister said revenue rose 5% to $3 million in 2024.\n"

    def docs(self, proc, count, what):
        docs = [self.parse(line, what) for line in self.lines(proc.stdout, count, what)]
        for doc in docs:
            self.assert_schema(doc, what)
        return docs

    def tree(self):
        """news/ with two files, a nested directory, a hidden file and a symlink loop."""
        root = os.path.join(self.tmp, "news")
        os.makedirs(os.path.join(root, "b-dir", "inner"))
        for rel in ("z.txt", "a.txt", os.path.join("b-dir", "inner", "m.txt"), ".hidden.txt"):
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(self.ARTICLE)
        os.symlink("..", os.path.join(root, "b-dir", "loop"))
        return root

    def test_directory_needs_recursive(self):
        root = self.tree()
        proc = run([root])
        self.assert_exit(proc, 1, "directory without -r")
        self.assertIn("-r", proc.stderr.decode())

    def test_recursive_sorted_hidden_skipped_loop_cut(self):
        root = self.tree()
        proc = run(["-r", root])
        sources = [d["document"]["source"] for d in self.docs(proc, 3, "-r")]
        self.assertEqual(sources, [os.path.join(root, "a.txt"), os.path.join(root, "b-dir/inner/m.txt"),
                                   os.path.join(root, "z.txt")])
        self.assertIn("loop", proc.stderr.decode(), "a symlink loop is named")

    def test_compressed_and_archives(self):
        import gzip, bz2, lzma, tarfile, zipfile
        data = self.ARTICLE.encode()
        paths = [self.write_tmp("a.txt.gz", gzip.compress(data)), self.write_tmp("b.txt.bz2", bz2.compress(data)),
                 self.write_tmp("c.txt.xz", lzma.compress(data))]
        member = self.write_tmp("m.txt", data)
        dump = self.write_tmp("d.jsonl", '{"id": "x", "text": "It rose 5%."}\n')
        packed = self.write_tmp("p.jsonl.gz", gzip.compress(b'{"text": "It rose 5%."}\n'))
        tar = os.path.join(self.tmp, "t.tar.xz")
        with tarfile.open(tar, "w:xz") as t:
            t.add(member, arcname="dir/m.txt")
            t.add(dump, arcname="d.jsonl")
            t.add(packed, arcname="p.jsonl.gz")  # a compressed member is unpacked too
        zp = os.path.join(self.tmp, "z.zip")
        with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("one.txt", data)
        proc = run(["-j", "2", *paths, tar, zp])
        docs = self.docs(proc, 7, "compressed inputs")
        self.assertEqual([d["document"]["source"] for d in docs],
                         paths + [tar + "!dir/m.txt", tar + "!d.jsonl:1", tar + "!p.jsonl.gz:1", zp + "!one.txt"])
        for d in docs:
            self.assertIn(5, [f["value"] for f in d["figures"]])
        if shutil.which("zstd"):
            zst = os.path.join(self.tmp, "m.txt.zst")
            subprocess.run(["zstd", "-q", member, "-o", zst], check=True)
            self.assertEqual(self.docs(run([zst]), 1, "zstd")[0]["document"]["chars"], len(data))

    def test_broken_inputs_named_rest_processed(self):
        import gzip, tarfile
        good = self.write_tmp("good.txt", self.ARTICLE)
        truncated = self.write_tmp("cut.txt.gz", gzip.compress(self.ARTICLE.encode() * 200)[:-60])
        binary = self.write_tmp("bin.dat", bytes(range(256)) * 8)
        tar = os.path.join(self.tmp, "mixed.tar.gz")
        with tarfile.open(tar, "w:gz") as t:
            t.add(binary, arcname="noise.bin")
            t.add(good, arcname="ok.txt")
        dump = self.write_tmp("d.jsonl", '{"text": "Prices rose 5%."}\n{broken\n{"text": "It fell 2%."}\n')
        errors = os.path.join(self.tmp, "errors.jsonl")
        proc = run(["--errors", errors, truncated, tar, dump, good])
        self.assert_exit(proc, 1, "broken inputs")
        docs = self.docs(proc, 4, "broken inputs")
        self.assertEqual([d["document"]["source"] for d in docs], [tar + "!ok.txt", dump + ":1", dump + ":3", good])
        err = proc.stderr.decode()
        for name in ("cut.txt.gz", tar + "!noise.bin", dump + ":2"):
            self.assertIn(name, err)
        with open(errors, encoding="utf-8") as f:
            logged = [json.loads(line) for line in f]
        self.assertEqual(len(logged), len(err.strip().splitlines()))
        self.assertTrue(all(set(e) == {"source", "error"} for e in logged))

    def test_html_page(self):
        page = ("<!doctype html><html><head><title>Port deal signed | Daily</title>"
                '<meta property="og:title" content="Port deal signed">'
                '<meta property="article:published_time" content="2026-11-20T08:00:00Z">'
                '<link rel="canonical" href="https://example.org/port"></head><body>'
                '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
                '<div class="menu"><ul><li><a href="/a">A story elsewhere</a></li></ul></div>'
                '<article><h1>Port deal signed</h1>'
                "<p>The port authority said on Tuesday that traffic rose 12% last year, to 3 million containers.</p>"
                "<p>Officials expect the new terminal, which cost $450 million, to open in 2027, the minister added.</p>"
                "<p>Unions welcomed the agreement, saying it would keep about 4,000 jobs in the region.</p>"
                '</article><aside class="related"><a href="/x">Related: other news</a></aside>'
                "<footer>Copyright Daily</footer><script>var x = 1;</script></body></html>")
        path = self.write_tmp("page.html", page)
        doc = self.one_doc(run(["--include-text", path]), "html page")
        d = doc["document"]
        self.assertEqual((d["title"], d["date"], d["url"]), ("Port deal signed", "2026-11-20", "https://example.org/port"))
        lines = d["text"].split("\n")
        self.assertEqual(len([l for l in lines if l]), 3, d["text"])
        for junk in ("Home", "Related", "Copyright", "var x", "elsewhere"):
            self.assertNotIn(junk, d["text"])
        self.assertTrue(any(f["value"] == 450000000 for f in doc["figures"]))
        same = self.one_doc(run(["--include-text", "--input-format", "html"], stdin=page.encode()), "html on stdin")
        self.assertEqual(same["document"]["text"], d["text"])

    def test_warc_records_and_sources(self):
        folder = shared_corpus("warc")
        if not folder:
            if os.environ.get("CI"):  # in CI a skip would pass without testing anything
                self.fail("../shared/eval/corpus/warc absent, and CI is set")
            self.skipTest("../shared/eval/corpus/warc absent")
        with open(os.path.join(folder, "records.jsonl"), encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        want = [(r["file"], r["uri"], r["date"][:10]) for r in records
                if r["type"] == "response" and r.get("http_status") == 200 and "html" in (r.get("http_content_type") or "")]
        files = sorted({r["file"] for r in records})
        proc = run(["-j", "2", *[os.path.join(folder, f) for f in files]], timeout=240)
        docs = self.docs(proc, len(want), "warc")
        got = [(os.path.basename(d["document"]["source"]).split("@")[0], d["document"]["url"], d["document"]["date"])
               for d in docs]
        self.assertEqual(got, want)
        self.assertTrue(all(d["document"]["chars"] > 0 for d in docs))

    def test_warc_built_here(self):
        import gzip
        page = (b"<html><head><title>T</title></head><body><article><p>The port authority said on Tuesday "
                b"that traffic rose 12% last year, to 3 million containers.</p></article></body></html>")

        def record(kind, http, uri="<http://example.org/a>"):
            head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
                    f"WARC-Date: 2020-01-02T03:04:05Z\r\nContent-Length: {len(http)}\r\n\r\n")
            return head.encode() + http + b"\r\n\r\n"

        ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
        zipped = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n" + gzip.compress(page)
        missing = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\nnot here"
        image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"
        records = [record("request", b"GET /a HTTP/1.1\r\n\r\n"), record("response", ok),
                   record("response", missing), record("response", image),
                   record("response", zipped, "http://example.org/b")]
        path = self.write_tmp("crawl.warc.gz", b"".join(gzip.compress(r) for r in records))
        cut = self.write_tmp("cut.warc", b"".join(records)[:-40])
        proc = run([path, cut])
        self.assert_exit(proc, 1, "built WARC")
        docs = self.docs(proc, 3, "built WARC")
        self.assertEqual([d["document"]["url"] for d in docs],
                         ["http://example.org/a", "http://example.org/b", "http://example.org/a"])
        self.assertTrue(all(d["document"]["date"] == "2020-01-02" for d in docs))
        offset = sum(len(r) for r in records[:1])
        self.assertEqual(docs[0]["document"]["source"], f"{path}@{offset}")
        self.assertIn(12, [f["value"] for f in docs[0]["figures"]])
        self.assertIn("cut.warc@", proc.stderr.decode())
        self.assertIn("truncated", proc.stderr.decode())

    def test_jobs_identical_and_output_atomic(self):
        # Generated records always (1,300: more than five batches of 256, so more than the
        # window of batches in flight at -j 2), real articles too when ../shared is there.
        lines = [json.dumps({"id": str(i), "text": f"Report {i}. " + self.ARTICLE * (i % 7 + 1)}) + "\n"
                 for i in range(1300)]
        bbc = shared_corpus("bbc", "articles.jsonl")
        if bbc:
            with open(bbc, encoding="utf-8") as f:
                lines[600:600] = [f.readline() for _ in range(120)]
        head = "".join(lines)
        dump = self.write_tmp("dump.jsonl", head)
        outputs = []
        for jobs in ("1", "2", "5"):
            out = os.path.join(self.tmp, f"out{jobs}.jsonl")
            proc = run(["-j", jobs, "-o", out, dump], timeout=240)
            self.assert_exit(proc, 0, f"-j {jobs}")
            self.assertEqual(proc.stdout, b"", "-o: nothing on stdout")
            self.assertEqual(proc.stderr, b"", "no progress line when stderr is not a terminal")
            with open(out, "rb") as f:
                outputs.append(f.read())
        self.assertEqual(outputs[0], outputs[1])
        self.assertEqual(outputs[0], outputs[2])
        self.assertEqual(outputs[0].count(b"\n"), len(lines))
        self.assertEqual([n for n in os.listdir(self.tmp) if ".tmp." in n], [], "temp files left")

    def test_output_to_a_pipe_or_device_is_written_in_place(self):
        # -o writes a temp file and renames it over FILE: over /dev/null or a FIFO that would
        # replace the device with a file. (A FIFO here: a regression must not break /dev/null.)
        fifo = os.path.join(self.tmp, "out.fifo")
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
        reader.start()
        proc = run(["--compact", "-o", fifo, self.write_tmp("a.txt", self.ARTICLE)])
        reader.join(timeout=60)
        self.assert_exit(proc, 0, "-o FIFO")
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced")
        self.assertEqual(got[0].count(b"\n"), 1)
        self.assertEqual([n for n in os.listdir(self.tmp) if ".tmp." in n], [], "temp files left")

    def test_closed_stdout_is_quiet(self):
        dump = self.write_tmp("dump.jsonl", "".join(
            json.dumps({"text": self.ARTICLE * 20}) + "\n" for _ in range(400)))
        for trap in ("", "trap '' PIPE; "):  # SIGPIPE default (141) or ignored (EPIPE: exit 0)
            proc = subprocess.run(f"{trap}'{BINARY}' -j 2 '{dump}' | head -c 100 >/dev/null; echo ${{PIPESTATUS[0]}}",
                                  shell=True, executable="/bin/bash", capture_output=True, timeout=120)
            self.assertIn(proc.stdout.strip(), (b"0", b"141"), trap)
            self.assertEqual(proc.stderr, b"", trap)

    def test_sigint_complete_records(self):
        import signal
        dump = self.write_tmp("dump.jsonl", "".join(
            json.dumps({"text": self.ARTICLE * 40}) + "\n" for _ in range(20000)))
        p = subprocess.Popen([BINARY, "-j", "2", dump], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = p.stdout.readline()  # the handler is installed once output flows
        p.send_signal(signal.SIGINT)
        out = first + p.stdout.read()  # buffered reads only: communicate() would skip read-ahead
        err = p.stderr.read()
        p.wait(timeout=120)
        self.assertEqual(p.returncode, 130, err[:300])
        self.assertTrue(out.endswith(b"\n"))
        lines = out.decode().splitlines()
        self.assertGreater(len(lines), 0)
        self.assertLess(len(lines), 20000)
        for line in lines:
            json.loads(line)


def main():
    global BINARY, SOURCE_DIR, VALIDATOR
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    BINARY = os.path.abspath(sys.argv[1])
    SOURCE_DIR = os.path.abspath(sys.argv[2])
    if not (os.path.isfile(BINARY) and os.access(BINARY, os.X_OK)):
        print(f"e2e_test: no executable at {BINARY}", file=sys.stderr)
        return 2
    with open(os.path.join(SOURCE_DIR, "schema", "claimx.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    VALIDATOR = jsonschema.Draft202012Validator(schema)
    program = unittest.main(argv=[sys.argv[0]] + sys.argv[3:], exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
