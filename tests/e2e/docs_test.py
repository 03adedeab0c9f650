#!/usr/bin/python3
"""The documentation cannot drift from the CLI: every option of `claimx --help`, `claimx rules
--help` and `claimx serve --help` is in its man page (man/claimx.1, claimx-rules.1,
claimx-serve.1) and in the bash, zsh and fish completions, and every option those name is one
the CLI has.

Usage:  docs_test.py BINARY SOURCE_DIR [unittest options]
"""
import os
import re
import subprocess
import sys
import unittest

import harness

BINARY = None
SOURCE_DIR = None

OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_options(*command):
    return set(harness.help_options(BINARY, *command))


def read(*parts):
    with open(os.path.join(SOURCE_DIR, *parts), encoding="utf-8") as f:
        return f.read()


def man_options(text):
    """Options in a man page outside its examples: \\-\\-name, roff's escaped hyphens."""
    found, example = set(), False
    for line in text.splitlines():
        # Examples (.nf ... .fi) hold other programs' options too (curl -s, jq).
        if line.startswith((".nf", ".fi")):
            example = line.startswith(".nf")
        if example:
            continue
        if line.startswith(('.B', '.TP', '.BI', '.BR')) or "\\-" in line:
            for m in re.finditer(r"(?<![\w\\-])((?:\\-){1,2}[A-Za-z][\w\\-]*)", line):
                name = m.group(1).replace("\\-", "-")
                if re.fullmatch(r"--?[A-Za-z][\w-]*", name):
                    found.add(name)
    return found


class Docs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.main = help_options()
        cls.serve = help_options("serve")
        cls.rules = help_options("rules")
        cls.every = cls.main | cls.serve | cls.rules

    def test_help_lists_the_new_options(self):
        for option in ("--format", "--stats", "--patterns", "--jobs"):
            self.assertIn(option, self.main)

    def test_man_pages(self):
        for page, options in (("claimx.1", self.main), ("claimx-rules.1", self.rules),
                              ("claimx-serve.1", self.serve)):
            man = man_options(read("man", page))
            self.assertFalse(options - man, f"options missing from man/{page}")
            self.assertFalse(man - options, f"man/{page} names options the CLI does not have")

    def check_completion(self, name, text):
        """Every option of the CLI is named in the script (fish: `-l name`, `-s x`), and every
        long option the script names is one of the CLI's."""
        named = set(OPTION.findall(text))
        named |= {"--" + w for w in re.findall(r"-l ([\w-]+)", text)}
        named |= {"-" + w for w in re.findall(r"-s (\w)\b", text)}
        for options, where in ((self.main, "claimx"), (self.serve, "claimx serve"),
                               (self.rules, "claimx rules")):
            self.assertFalse(options - named, f"{name}: options of {where} missing")
        unknown = {w for w in named if w.startswith("--") and w.split("=")[0] not in self.every}
        self.assertFalse(unknown, f"{name} names options the CLI does not have")

    def test_bash(self):
        self.check_completion("claimx.bash", read("completions", "claimx.bash"))

    def test_zsh(self):
        self.check_completion("_claimx", read("completions", "_claimx"))

    def test_fish(self):
        self.check_completion("claimx.fish", read("completions", "claimx.fish"))

    def test_bash_completes_options_and_values(self):
        self.assertTrue(os.path.exists("/usr/share/bash-completion/bash_completion"),
                        "bash-completion is missing: scripts/setup.sh installs it")
        script = read("completions", "claimx.bash")

        def complete(line):
            words = line.split(" ")
            program = (". /usr/share/bash-completion/bash_completion\n" + script +
                       f"\nCOMP_WORDS=({' '.join(repr(w) for w in words)})"
                       f"\nCOMP_CWORD={len(words) - 1}\nCOMP_LINE={line!r}\nCOMP_POINT={len(line)}"
                       "\n_claimx\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
            out = subprocess.run(["bash", "-c", program], capture_output=True, text=True,
                                 timeout=30, cwd=SOURCE_DIR)
            return set(out.stdout.split())

        self.assertIn("--format", complete("claimx --for"))
        self.assertEqual(complete("claimx --format "), {"json", "tsv", "jsonld", "html"})
        self.assertIn("--timeout", complete("claimx serve --t"))
        self.assertEqual(complete("claimx rules "), {"list", "check", "-h", "--help", "--patterns"})


class Shells(unittest.TestCase):
    """The scripts parse in their shells, and fish completes from them."""

    def shell(self, name):
        path = f"/usr/bin/{name}"
        self.assertTrue(os.path.exists(path), f"{name} is missing: scripts/setup.sh installs it")
        return path

    def test_zsh_parses(self):
        out = subprocess.run([self.shell("zsh"), "-n", os.path.join(SOURCE_DIR, "completions", "_claimx")],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_fish_completes(self):
        script = os.path.join(SOURCE_DIR, "completions", "claimx.fish")
        fish = self.shell("fish")
        out = subprocess.run([fish, "--no-execute", script], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)

        def complete(line):
            out = subprocess.run([fish, "--no-config", "-c", f"source {script}; complete -C'{line}'"],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            return {l.split("\t")[0] for l in out.stdout.splitlines()}

        self.assertIn("--format", complete("claimx --form"))
        self.assertEqual(complete("claimx --format "), {"json", "tsv", "jsonld", "html"})
        self.assertIn("--timeout", complete("claimx serve --ti"))
        self.assertNotIn("--format", complete("claimx serve --f"))

    def test_man_pages_render_without_warnings(self):
        self.shell("groff")
        for page in ("claimx.1", "claimx-rules.1", "claimx-serve.1"):
            out = subprocess.run(["groff", "-man", "-ww", "-z", os.path.join(SOURCE_DIR, "man", page)],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual((out.returncode, out.stderr), (0, ""), page)


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR"]))
