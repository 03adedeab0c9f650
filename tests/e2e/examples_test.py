#!/usr/bin/python3
"""Every documented command line runs as written. The test collects each `claimx ...` line of
README.md's and docs/*.md's shell blocks and inline code, of `claimx --help` (and its
subcommands') examples and of the man pages' EXAMPLES, and runs it with bash in a directory of
inputs it makes (articles a.txt, b.txt and article.txt, a JSONL dump with `text` and `body`
fields, plain and gzipped, a directory news/, a tar.zst, a zip, an HTML page, a WARC, a pack
directory my-packs/). A `curl URL |` source becomes a local file; `claimx serve` runs until it
listens (on `--port 0` instead of 8080, in case that port is taken) and then stops on SIGTERM.
Each must exit 0 and write what it documents: JSON (or TSV, JSON-LD, HTML) that parses.

Usage:  examples_test.py BINARY SOURCE_DIR [unittest options]
"""
import glob
import gzip
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import harness
import zipfile

BINARY = None
SOURCE_DIR = None
SHELL_LANGS = {"sh", "bash", "shell", "console"}


def from_markdown(path):
    """(where, command) of each claimx line in shell blocks and of each inline `claimx ...`."""
    text = open(path, encoding="utf-8").read()
    found = []
    for m in re.finditer(r"```(\w*)\n(.*?)```", text, re.S):
        if m.group(1) not in SHELL_LANGS:
            continue
        line_no = text.count("\n", 0, m.start()) + 2
        for i, line in enumerate(m.group(2).splitlines()):
            line = re.sub(r"^\$ ", "", line.strip())
            if re.match(r"claimx\b", line) or re.search(r"\|\s*claimx\b", line):
                found.append((f"{os.path.basename(path)}:{line_no + i}", line))
    outside = re.sub(r"```.*?```", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    for m in re.finditer(r"`(claimx [^`]*)`", outside):
        command = " ".join(m.group(1).split())  # a span may wrap across lines
        if "..." in command or "::" in command:
            continue  # a fragment ("claimx shard..."), not a command line
        found.append((f"{os.path.basename(path)}:{outside.count(chr(10), 0, m.start()) + 1}", command))
    return found


def from_help(*sub):
    out = subprocess.run([BINARY, *sub, "--help"], capture_output=True, text=True, timeout=60).stdout
    found, in_examples = [], False
    for line in out.splitlines():
        if re.match(r"^[A-Z][\w ]*:$", line):
            in_examples = line == "Examples:"
            continue
        command = re.split(r"\s{2,}", line.strip())[0]  # the description follows 2+ spaces
        # curl ... | claimx is one; a curl to a running service is not a claimx command line.
        if in_examples and re.match(r"claimx\b|curl .*\|\s*claimx\b", command):
            found.append((f"claimx {' '.join(sub)} --help".replace("  ", " "), command))
    return found


def from_man(path):
    text = open(path, encoding="utf-8").read()
    found = []
    for block in re.findall(r"^\.nf\n(.*?)^\.fi", text, re.S | re.M):
        command = ""
        for line in block.splitlines():
            line = line.replace("\\-", "-").replace("\\e", "\\")
            command += line
            if command.endswith("\\"):
                command = command[:-1]
                continue
            if command.strip().startswith("claimx"):
                found.append((os.path.basename(path), command.strip()))
            command = ""
    return found


def documented_commands():
    found = []
    for path in [os.path.join(SOURCE_DIR, "README.md")] + sorted(glob.glob(os.path.join(SOURCE_DIR, "docs", "*.md"))):
        found += from_markdown(path)
    found += from_help() + from_help("rules") + from_help("serve")
    for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "man", "*.1"))):
        found += from_man(path)
    return found


def make_inputs(d):
    samples = sorted(glob.glob(os.path.join(SOURCE_DIR, "samples", "*.txt")))
    texts = [open(p, encoding="utf-8").read() for p in samples]
    for name, text in zip(("a.txt", "b.txt", "article.txt"), texts):
        open(os.path.join(d, name), "w").write(text)
    for sub in ("news", "dir"):
        os.makedirs(os.path.join(d, sub))
        for i, text in enumerate(texts[:3]):
            open(os.path.join(d, sub, f"{i}.txt"), "w").write(text)
    records = "".join(json.dumps({"id": f"r{i}", "text": t, "body": t, "date": "2026-01-05"}) + "\n"
                      for i, t in enumerate(texts))
    open(os.path.join(d, "dump.jsonl"), "w").write(records)
    with gzip.open(os.path.join(d, "dump.jsonl.gz"), "wt") as f:
        f.write(records)
    subprocess.run(["tar", "--zstd", "-cf", "month.tar.zst", "news"], cwd=d, check=True)
    with zipfile.ZipFile(os.path.join(d, "a.zip"), "w") as z:
        z.writestr("one.txt", texts[0])
        z.writestr("two.txt", texts[1])
    page = ("<html><head><title>Port deal</title></head><body><article><p>"
            + texts[0].replace("\n\n", "</p><p>") + "</p></article></body></html>").encode()
    open(os.path.join(d, "page.html"), "wb").write(page)
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page
    record = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/p\r\n"
              f"Content-Length: {len(http)}\r\n\r\n").encode() + http + b"\r\n\r\n"
    with gzip.open(os.path.join(d, "crawl.warc.gz"), "wb") as f:
        f.write(record)
    os.makedirs(os.path.join(d, "my-packs"))
    open(os.path.join(d, "my-packs", "mine.yaml"), "w").write(
        "pack: mine\nrules:\n  - id: mine.widgets\n    kind: number\n    priority: 90\n"
        "    pattern: '(?P<span>(?P<num>\\d+) widgets)'\n"
        "    examples:\n      - text: 'made 7 widgets'\n        expect: {text: '7 widgets', value: 7}\n")


def as_run(command):
    """The command as the test runs it: a local file for a download, a free port for 8080."""
    command = re.sub(r"curl -s https?://\S+ \|", "cat a.txt |", command)
    command = command.replace("--port 8080", "--port 0").replace(" [DIR]", "")
    return command.rstrip(" &")


def output_file(command):
    """The file the command writes its output to (-o FILE, > FILE), or None for stdout."""
    words = shlex.split(command, comments=True)
    for i, w in enumerate(words[:-1]):
        if w in ("-o", "--output", ">"):
            return words[i + 1]
        if w.startswith("--output="):
            return w.split("=", 1)[1]
    return None


def json_documents(data):
    text, docs, pos = data.decode("utf-8"), [], 0
    decoder = json.JSONDecoder()
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return docs
        doc, pos = decoder.raw_decode(text, pos)
        docs.append(doc)


class Examples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.commands = documented_commands()
        cls.bin_dir = tempfile.mkdtemp(prefix="claimx-bin-")
        os.symlink(BINARY, os.path.join(cls.bin_dir, "claimx"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.bin_dir)

    def test_there_are_examples_everywhere(self):
        wheres = {w.split(":")[0] for w, _ in self.commands}
        for where in ("README.md", "claimx --help", "claimx rules --help", "claimx serve --help",
                      "claimx.1", "claimx-serve.1"):
            self.assertIn(where, wheres)
        self.assertGreater(len(self.commands), 40)

    def test_every_documented_command_runs(self):
        env = dict(os.environ, PATH=self.bin_dir + ":" + os.environ["PATH"])
        for where, command in self.commands:
            with self.subTest(where=where, command=command), tempfile.TemporaryDirectory() as d:
                make_inputs(d)
                if re.match(r"claimx serve\b", command) and "--help" not in command:
                    self.check_serve(as_run(command), d, env)
                else:
                    self.check_command(as_run(command), d, env)

    def check_serve(self, command, d, env):
        proc = subprocess.Popen(["bash", "-c", "exec " + command], cwd=d, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = b""
            deadline = time.time() + 60
            while b"listening on" not in line and time.time() < deadline:
                line = proc.stderr.readline()
                if not line and proc.poll() is not None:
                    break
            self.assertIn(b"listening on http://127.0.0.1:", line)
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=60), 0)

    def check_command(self, command, d, env):
        stdin = open(os.path.join(d, "a.txt"), "rb").read()
        out = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=d, env=env,
                             input=stdin, capture_output=True, timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr.decode(errors="replace")[-2000:])
        target = output_file(command)
        data = open(os.path.join(d, target), "rb").read() if target else out.stdout
        if "rules check" in command:
            self.assertIn(b" 0 failed", out.stderr)
            return
        self.assertTrue(data, "no output")
        last = command.split("|")[-1].strip()
        if not last.startswith("claimx") or "--help" in command or "--version" in command:
            return  # jq, head: their output is theirs
        if "rules list" in command:
            self.assertTrue(all(l.count(b"\t") == 3 for l in data.splitlines()))
        elif "--format tsv" in command:
            self.assertTrue(data.startswith(b"doc_id\tkind\tid\tstart\tend\ttext\t"))
        elif "--format html" in command:
            self.assertTrue(data.startswith(b"<!DOCTYPE html>") and data.endswith(b"</html>\n"))
        else:
            docs = json_documents(data)
            self.assertTrue(docs)
            for doc in docs:
                self.assertTrue(doc.get("schema") == "claimx/1" or "@graph" in doc, doc.keys())


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR"]))
