#!/usr/bin/python3
"""Hostile input: crafted floods through the real binary, each giving valid JSON with exact
offsets in time linear in its size, and the resource limits (--max-doc-bytes, HTML depth).

Usage:  hostile_test.py BINARY SOURCE_DIR [unittest options, e.g. -k Linear]
        hostile_test.py BINARY SOURCE_DIR --table    time every case at 1x, 2x, 4x, 8x (Markdown)

Linear time is a ratio measured within the run, never a wall-clock threshold: the work of the
8x input, CPU time (user + system) minus start-up, may be at most MAX_WORK_RATIO times the work
of the 1x input. Each input is timed RUNS times and the least time is taken (slowness on a
shared machine is one-sided), and the ratio is asserted once: no run is repeated until it
passes. CPU time rather than wall time, since the machine may be shared. The 1x input starts at
the size the issue names divided by 8 and is doubled until its work is at least MIN_WORK, so
start-up noise is small beside the work it is subtracted from (the same code under sanitizers
calibrates to smaller inputs). CLAIMX_E2E_LARGE_MB (set small under sanitizers) caps the
long-line case.
"""
import json
import os
import resource
import sys
import unittest

import e2e_test
from e2e_test import ClaimxTestCase, run

# 8x the input: linear work is 8x; measured 4.3-11.8 here (a larger input misses caches more and
# grows its allocations; the rest is noise left after the best of RUNS). A quadratic step gives
# 64x and n^1.5 gives 22.6x: 14 catches both with room for noise.
MAX_WORK_RATIO = 14.0
RUNS = 2          # best of RUNS timings of each input (and in --table)
MIN_WORK = 0.3    # CPU seconds of work the 1x input is grown to (start-up subtracted)
MAX_BASE = 1 << 20  # bytes: the 1x input grows no further
# Cases measured superlinear are listed here: checked for valid JSON and exact offsets, their
# ratio printed, not bounded. None at present: the one-sentence floods (a 10 MB line, 10^400,
# truncated UTF-8, BOM + CRLF) were, until date composition stopped copying the figure list
# on every pass (docs/HOSTILE.md).
KNOWN_SUPERLINEAR = set()


def long_line_mb():
    return min(10, int(os.environ.get("CLAIMX_E2E_LARGE_MB", "10")))


def repeat(unit, total):
    """unit repeated to about `total` bytes (as UTF-8)."""
    data = unit.encode("utf-8") if isinstance(unit, str) else unit
    return data * max(1, total // len(data))


# name -> (args, bytes of the 8x input as a function of the scale 1, 2, 4 or 8)
CASES = {
    "200,000 $ signs": ([], lambda k: b"$" * (25000 * k)),
    "1, repeated 200,000 times": ([], lambda k: b"1," * (25000 * k)),
    "50,000 opening quotes": ([], lambda k: "\u201c".encode() * (6250 * k) + b" said Trump."),
    "deep brackets": ([], lambda k: b"(" * (6250 * k) + b"5" + b")" * (6250 * k)),
    "5,000-digit numbers": ([], lambda k: (b"9" * 5000 + b" and $" + b"9" * 5000 + b". ") * (4 * k)),
    "10^400": ([], lambda k: repeat("It rose to 10^400 and 1e400 and $10^400. ", 25000 * k)),
    "overlong UTF-8": ([], lambda k: repeat(b"Price \xc0\xaf rose \xe0\x80\xaf 5% \xf0\x80\x80\xaf. ", 25000 * k)),
    "surrogates in UTF-8": ([], lambda k: repeat(b"It cost \xed\xa0\x80\xed\xb0\x80 $5 million. ", 25000 * k)),
    "truncated UTF-8": ([], lambda k: repeat(b"Exports \xe2\x82 rose \xf0\x9f\xa5 3%.\n", 25000 * k)),
    "a 10 MB line": ([], lambda k: repeat("The minister said revenue rose 5% to $3 million ",
                                          long_line_mb() * 1024 * 1024 * k // 8)),
    "all caps": ([], lambda k: repeat("THE PRIME MINISTER SAID 40 PERCENT. ", 25000 * k)),
    "right to left and marks": ([], lambda k: repeat("\u0645\u0631\u062d\u0628\u0627 5% e\u0301 ", 25000 * k)),
    "emoji": ([], lambda k: repeat("\U0001F600 $5 \U0001F1E8\U0001F1E6 ", 25000 * k)),
    "number words": ([], lambda k: repeat("one hundred and ", 25000 * k) + b"five"),
    "BOM and CRLF lines": ([], lambda k: b"\xef\xbb\xbf" + repeat("It cost $5 million.\r\n", 25000 * k)),
    # Deals (issue #17): takeovers between a thousand new names told over and over, then one
    # deal told again and again: party look-ups, new organizations and merging stay linear.
    # (Distinct names without end make the entity stage itself ~9x the work for 8x the input.)
    "deals between new names": ([], lambda k: "".join(
        f"Kal{i % 1000}vex Group said it had bought Vor{i % 1000}zan for $5m. The firm said the deal was agreed.\n"
        for i in range(2500 * k)).encode()),
    "one deal told again": ([], lambda k: repeat(
        "Oracle has agreed to buy Zarvex for $5m. The takeover was agreed. ", 25000 * k)),
    "nested <div>s": (["--input-format", "html"],
                      lambda k: b"<html><body>" + b"<div>" * (12500 * k) + b"<p>Revenue rose 5% to $3 million.</p>"
                      + b"</div>" * (12500 * k) + b"</body></html>"),
}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_time(args, data, runs=RUNS):
    """(least CPU time of `runs` runs of the binary, the last process)."""
    best, proc = float("inf"), None
    for _ in range(runs):
        before = children_cpu()
        proc = run(["-q", "-j1", *args], stdin=data, timeout=900)
        best = min(best, children_cpu() - before)
    return best, proc


def calibrate(args, make, startup):
    """(the scale whose input costs at least MIN_WORK of work or reaches MAX_BASE bytes, its
    time). The time is the same best of RUNS the ratio uses: calibrating on one run picked sizes
    whose best time fell below MIN_WORK, where noise and the start-up subtracted weigh most."""
    scale = 1
    while True:
        t1 = best_time(args, make(scale))[0]
        if len(make(scale)) >= MAX_BASE or t1 - startup >= MIN_WORK:
            return scale, t1
        scale *= 2


class Linear(ClaimxTestCase):
    """Each crafted case: valid JSON, exact offsets, and 8x the input at most ~8x the work."""

    @classmethod
    def setUpClass(cls):
        cls.startup, _ = best_time([], b"")

    def test_crafted_cases(self):
        for name in CASES:
            if name not in KNOWN_SUPERLINEAR:
                with self.subTest(case=name):
                    self.check_case(name)

    def test_known_superlinear(self):
        """Valid JSON and exact offsets asserted; the ratio is printed, not yet bounded."""
        for name in sorted(KNOWN_SUPERLINEAR):
            with self.subTest(case=name):
                self.check_case(name, bounded=False)

    def check_case(self, name, bounded=True):
        args, make = CASES[name]
        args = args + ["--include-text"]
        base, t1 = calibrate(args, make, self.startup)
        small, big = make(base), make(8 * base)
        t8, proc = best_time(args, big)
        self.assert_exit(proc, 0, name)
        raw = proc.stdout
        self.assertTrue(raw.endswith(b"\n") and raw.count(b"\n") == 1, f"{name}: not one line")
        doc = self.parse(raw, name)
        self.assert_spans(doc, doc["document"]["text"], "codepoints", name)
        self.assert_schema(e2e_test.load_sampled(raw)[0], f"{name} (sampled items)")
        w1, w8 = max(t1 - self.startup, MIN_WORK / 2), max(t8 - self.startup, 0.0)
        print(f"\n  {name}: {len(small)} B {t1:.2f} s, {len(big)} B {t8:.2f} s, "
              f"start-up {self.startup:.2f} s, work ratio {w8 / w1:.1f}", file=sys.stderr)
        if bounded:
            self.assertLessEqual(w8 / w1, MAX_WORK_RATIO,
                                 f"{name}: 8x the input took {w8 / w1:.1f}x the work "
                                 f"({t1:.2f} s -> {t8:.2f} s CPU, start-up {self.startup:.2f} s)")


class Limits(ClaimxTestCase):
    """--max-doc-bytes and the HTML nesting cap."""

    def test_max_doc_bytes_file(self):
        big = self.write_tmp("big.txt", "Prices rose 5%. " * 100)
        good = self.write_tmp("good.txt", "Prices rose 5%.\n")
        proc = run(["--max-doc-bytes", "1k", big, good])
        self.assert_exit(proc, 1, "file past --max-doc-bytes")
        self.assertIn(f"claimx: {big}: larger than --max-doc-bytes (1024 bytes), skipped",
                      proc.stderr.decode())
        doc = self.parse(self.lines(proc.stdout, 1, "past the limit")[0], "past the limit")
        self.assertEqual(doc["document"]["source"], good)
        self.one_doc(run(["--max-doc-bytes", "2k", big]), "within the limit")

    def test_max_doc_bytes_jsonl_and_warc(self):
        long = json.dumps({"text": "Prices rose 5%. " * 100})
        path = self.write_tmp("dump.jsonl", f'{{"text": "short one"}}\n{long}\n{{"text": "after"}}\n')
        proc = run(["--max-doc-bytes", "1000", path])
        self.assert_exit(proc, 1, "JSONL line past the limit")
        self.assertIn(f"{path}:2: larger than --max-doc-bytes (1000 bytes)", proc.stderr.decode())
        docs = [json.loads(l) for l in self.lines(proc.stdout, 2, "JSONL past the limit")]
        self.assertEqual([d["document"]["source"] for d in docs], [f"{path}:1", f"{path}:3"])

        page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>" + b"Prices rose 5%. " * 100 + b"</p></body></html>"
        small = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>Prices rose 5%.</p></body></html>"

        def record(http):
            return (f"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: {len(http)}\r\n\r\n").encode() + http + b"\r\n\r\n"

        warc = self.write_tmp("crawl.warc", record(page) + record(small))
        proc = run(["--max-doc-bytes", "1000", warc])
        self.assert_exit(proc, 1, "WARC record past the limit")
        self.assertIn(f"{warc}@0: larger than --max-doc-bytes", proc.stderr.decode())
        self.assertEqual(len(self.lines(proc.stdout, 1, "WARC past the limit")), 1)

    def test_max_doc_bytes_in_help_and_checked(self):
        self.assertIn("--max-doc-bytes", run(["--help"]).stdout.decode())
        self.assert_exit(run(["--max-doc-bytes", "0"], stdin=b"x"), 2, "--max-doc-bytes 0")
        self.assert_exit(run(["--max-doc-bytes", "lots"], stdin=b"x"), 2, "--max-doc-bytes lots")

    def test_deep_html_nesting(self):
        # 100,000 nested <div>s: gumbo's tree building is quadratic in depth and its walks recurse
        # (a stack overflow before the cap); past kMaxHtmlDepth the tags are blanked.
        page = b"<html><body>" + b"<div>" * 100000 + b"<p>Revenue rose 5% to $3 million.</p>" + b"</div>" * 100000 + b"</body></html>"
        doc = self.one_doc(run(["--include-text", "--input-format", "html"], stdin=page, timeout=120), "deep HTML")
        self.assertIn("Revenue rose 5% to $3 million.", doc["document"]["text"])
        self.assert_spans(doc, doc["document"]["text"], "codepoints", "deep HTML")


def table():
    """Prints the time-vs-size table of every case (CPU s, best of RUNS, -j1, --include-text)."""
    startup, _ = best_time([], b"")
    print(f"start-up (empty input): {startup:.3f} s CPU\n")
    print("| case | 1x bytes | 1x s | 2x s | 4x s | 8x s | 8x / 1x work |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (args, make) in CASES.items():
        args = args + ["--include-text"]
        base, t1 = calibrate(args, make, startup)
        times = [t1] + [best_time(args, make(k * base))[0] for k in (2, 4, 8)]
        ratio = max(times[3] - startup, 0) / max(times[0] - startup, MIN_WORK / 2)
        cells = " | ".join(f"{t:.3f}" for t in times)
        print(f"| {name} | {len(make(base))} | {cells} | {ratio:.1f} |", flush=True)


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    e2e_test.BINARY = os.path.abspath(sys.argv[1])
    e2e_test.SOURCE_DIR = os.path.abspath(sys.argv[2])
    if "--table" in sys.argv[3:]:
        table()
        return 0
    import jsonschema
    with open(os.path.join(e2e_test.SOURCE_DIR, "schema", "claimx.schema.json"), encoding="utf-8") as f:
        e2e_test.VALIDATOR = jsonschema.Draft202012Validator(json.load(f))
    program = unittest.main(argv=[sys.argv[0]] + sys.argv[3:], exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
