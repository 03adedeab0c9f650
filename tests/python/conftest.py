"""Shared fixtures: the CLI binary the results are compared with, the project's samples and the
shared evaluation data (absent: skipped, but a failure under CI, where nothing may pass
silently)."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
BBC = SHARED / "eval" / "corpus" / "bbc" / "articles.jsonl"
SEED = SHARED / "samples" / "seed-article.txt"


def need(path):
    if path.exists():
        return path
    message = "%s is absent (the shared evaluation data)" % path
    if os.environ.get("CI"):
        pytest.fail(message + ": under CI a skipped test is a failure")
    pytest.skip(message)


@pytest.fixture(scope="session")
def cli():
    binary = os.environ.get("CLAIMX_BIN", str(ROOT / "build" / "claimx"))

    def run(*args, stdin=None):
        p = subprocess.run([binary, "--compact", "-q", *map(str, args)], input=stdin,
                           capture_output=True, check=False)
        assert p.returncode in (0, 1), p.stderr.decode()
        return [json.loads(line) for line in p.stdout.decode().splitlines()]
    return run


@pytest.fixture(scope="session")
def bbc_lines():
    with open(need(BBC), encoding="utf-8") as f:
        return f.read().splitlines()
