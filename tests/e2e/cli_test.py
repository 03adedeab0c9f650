#!/usr/bin/python3
"""The command line as documented: every option gives the same result before or after the
inputs (`claimx --opt V a.txt` = `claimx a.txt --opt V` = `claimx --opt=V a.txt`), no option
takes the inputs after it as its values, and the subcommands take the global options on either
side. The options are read from `claimx --help`, so a new option without a case here fails.

Usage:  cli_test.py BINARY SOURCE_DIR [unittest options]
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

import harness

BINARY = None
SOURCE_DIR = None

ARTICLE = "Exports rose 5% to $3 million in 2025, Acme Corp said on Tuesday.\n"

# A value for each option that takes one (None: a flag). {dir}: the test's scratch directory.
VALUES = {
    "--date": "2026-01-05", "--only": "figures,claims", "--offsets": "utf16",
    "--patterns": "{dir}/packs", "--min-score": "0.2", "--top": "1",
    "--input-format": "text", "--max-doc-bytes": "1M", "-j": "2", "--jobs": "2",
    "-o": "{dir}/out.txt", "--output": "{dir}/out.txt", "--errors": "{dir}/errors.jsonl",
    "--text-field": "body", "--id-field": "key", "--date-field": "when",
    "--title-field": "headline", "--format": "tsv",
    "--sentences": None, "--include-text": None, "--all-sentences": None, "--explain": None,
    "-r": None, "--recursive": None, "-q": None, "--quiet": None, "--pretty": None,
    "--compact": None, "--stats": None,
}
SKIP = {"-h", "--help", "--version"}  # they print and exit before any input is read


class OptionOrder(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        os.makedirs(os.path.join(cls.dir, "packs"))
        with open(os.path.join(cls.dir, "packs", "mine.yaml"), "w") as f:
            f.write("pack: mine\nrules:\n  - id: mine.widgets\n    kind: number\n    priority: 90\n"
                    "    pattern: '(?P<span>(?P<num>\\d+) widgets)'\n"
                    "    examples:\n      - text: 'made 7 widgets'\n"
                    "        expect: {text: '7 widgets', value: 7}\n")
        cls.article = os.path.join(cls.dir, "a.txt")
        with open(cls.article, "w") as f:
            f.write(ARTICLE)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_claimx(self, args):
        for name in ("out.txt", "errors.jsonl"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                os.remove(path)
        out = subprocess.run([BINARY, *args], capture_output=True, timeout=120, cwd=self.dir)
        files = {}
        for name in ("out.txt", "errors.jsonl"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    files[name] = f.read()
        # --stats prints its timing: the rest must match.
        err = re.sub(rb"(seconds|MB/s)\s+[\d.]+", rb"\1 T", out.stderr)
        return out.returncode, out.stdout, err, files

    def test_every_option_before_or_after_the_input(self):
        options = harness.help_options(BINARY)
        self.assertIn("--patterns", options)
        missing = [o for o in options if o not in VALUES and o not in SKIP]
        self.assertEqual(missing, [], "options of --help with no case in VALUES")
        for option in options:
            if option in SKIP:
                continue
            value = VALUES[option]
            opt = [option] if value is None else [option, value.format(dir=self.dir)]
            with self.subTest(option=option):
                before = self.run_claimx([*opt, "a.txt"])
                self.assertEqual(before[0], 0, before[2])
                self.assertEqual(self.run_claimx(["a.txt", *opt]), before)
                if value is not None and option.startswith("--"):
                    joined = f"{option}={value.format(dir=self.dir)}"
                    self.assertEqual(self.run_claimx([joined, "a.txt"]), before)
                # The input after the option is read, not taken as its value.
                self.assertTrue(before[1] or before[3], "output")

    def test_patterns_takes_one_dir_and_repeats(self):
        other = os.path.join(self.dir, "packs2")
        os.makedirs(other, exist_ok=True)
        with open(os.path.join(other, "more.yaml"), "w") as f:
            f.write("pack: more\nrules:\n  - id: more.gadgets\n    kind: number\n    priority: 90\n"
                    "    pattern: '(?P<span>(?P<num>\\d+) gadgets)'\n")
        text = b"They made 7 widgets and 9 gadgets.\n"
        out = subprocess.run([BINARY, "--compact", "--patterns", "packs", "--patterns", "packs2", "-"],
                             input=text, capture_output=True, cwd=self.dir, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        rules = set(re.findall(rb'"rule":"((?:mine|more)\.\w+)"', out.stdout))
        self.assertEqual(rules, {b"mine.widgets", b"more.gadgets"})


class Subcommands(unittest.TestCase):
    def run_in(self, cwd, *args):
        out = subprocess.run([BINARY, *args], capture_output=True, timeout=120, cwd=cwd)
        return out.returncode, out.stdout

    def test_global_options_on_either_side(self):
        with tempfile.TemporaryDirectory() as d:
            plain = self.run_in(d, "rules", "list")
            self.assertEqual(plain[0], 0)
            self.assertGreater(len(plain[1].splitlines()), 100)
            for args in (["-q", "rules", "list"], ["--pretty", "rules", "list"],
                         ["rules", "list", "-q"], ["rules", "-q", "list"]):
                self.assertEqual(self.run_in(d, *args), plain, args)

    def test_patterns_before_or_after_rules(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "packs"))
            with open(os.path.join(d, "packs", "mine.yaml"), "w") as f:
                f.write("pack: mine\nrules:\n  - id: mine.widgets\n    kind: number\n    priority: 90\n"
                        "    pattern: '(?P<span>(?P<num>\\d+) widgets)'\n")
            results = [self.run_in(d, *args) for args in (
                ["--patterns", "packs", "rules", "list"], ["rules", "list", "--patterns", "packs"],
                ["rules", "--patterns", "packs", "list"], ["rules", "--patterns=packs", "list"])]
            for r in results:
                self.assertEqual(r, results[0])
            self.assertIn(b"mine.widgets\tnumber\tmine\t", results[0][1])
            for args in (["rules", "check", "packs"], ["--patterns", "packs", "rules", "check"],
                         ["rules", "check", "--patterns", "packs"]):
                out = subprocess.run([BINARY, *args], capture_output=True, cwd=d, timeout=120)
                self.assertEqual(out.returncode, 0, (args, out.stderr))

    def test_each_has_its_help(self):
        for args, words in ((["--help"], [b"Subcommands:", b"rules", b"serve"]),
                            (["rules", "--help"], [b"claimx rules", b"list", b"check"]),
                            (["rules", "check", "--help"], [b"claimx rules check", b"DIR"]),
                            (["serve", "--help"], [b"claimx serve", b"--port", b"--timeout"])):
            out = subprocess.run([BINARY, *args], capture_output=True, timeout=60)
            self.assertEqual(out.returncode, 0, args)
            for w in words:
                self.assertIn(w, out.stdout, args)

    def test_a_file_named_rules_stays_readable(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "rules"), "w") as f:
                f.write(ARTICLE)
            for args in (["./rules"], ["--", "rules"]):
                code, out = self.run_in(d, "--compact", *args)
                self.assertEqual(code, 0, args)
                self.assertIn(b'"value":3000000', out)
            out = subprocess.run([BINARY, "rules"], capture_output=True, cwd=d, timeout=60)
            self.assertEqual(out.returncode, 2, "rules needs list or check")
            out = subprocess.run([BINARY, "rules", "list", "rules"], capture_output=True, cwd=d,
                                 timeout=60)
            self.assertEqual(out.returncode, 2)
            self.assertIn(b"claimx ./rules", out.stderr)


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR"]))
