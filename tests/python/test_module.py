"""The Python module: the CLI's results, from one Extractor shared by threads, without leaks."""
import json
import os
import resource
import subprocess
import threading

import pytest

import claimx
from conftest import ROOT, SEED, need

SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def ex():
    return claimx.Extractor()


def test_samples_and_seed_equal_the_cli(ex, cli):
    need(SEED)
    assert SAMPLES
    for path in SAMPLES + [SEED]:
        text = path.read_bytes()
        assert ex.extract(text, id=str(path)) == cli(path)[0], path
        # The same with options: anchor date, offsets, kinds, sentences.
        opts = claimx.Extractor(offsets="utf16", sentences=True, explain=True)
        assert opts.extract(text, id=str(path), date="2026-11-25", only="figures,claims") == \
            cli("--offsets", "utf16", "--sentences", "--explain", "--date", "2026-11-25",
                "--only", "figures,claims", path)[0], path


def test_text_from_stdin_is_document_dash(ex, cli):
    text = "Exports rose 8.5% to $11.1 billion last year, Statistics Canada said. Café €5."
    assert ex.extract(text) == cli(stdin=text.encode())[0]
    assert claimx.extract(text) == ex.extract(text)
    # Byte for byte: the CLI's line is extract_json() and a newline.
    binary = os.environ.get("CLAIMX_BIN", str(ROOT / "build" / "claimx"))
    raw = subprocess.run([binary, "--compact"], input=text.encode(), capture_output=True,
                         check=True).stdout
    assert raw == (ex.extract_json(text) + "\n").encode()


def test_300_bbc_articles_equal_the_cli(ex, cli, bbc_lines, tmp_path):
    part = tmp_path / "bbc300.jsonl"
    part.write_text("\n".join(bbc_lines[:300]) + "\n", encoding="utf-8")
    want = cli(part)
    assert len(want) == 300
    # Through claimx's own reader: the very same documents, sources and all.
    assert ex.extract_files([part], jobs=2) == want
    # As records from Python: the same but for document.source (the record's id here).
    got = list(ex.extract_many((json.loads(line) for line in bbc_lines[:300]), jobs=2, chunk=64))
    assert [g["document"]["id"] for g in got] == [w["document"]["id"] for w in want]
    for g, w in zip(got, want):
        g["document"].pop("source")
        w["document"].pop("source")
        assert g == w, w["document"]["id"]


def test_the_gil_is_released_while_extracting(ex):
    """Another Python thread keeps running during one long extract() call."""
    text = "Exports rose 8.5% to $11.1 billion last year, Statistics Canada said. " * 20000
    ticks = 0
    worker = threading.Thread(target=ex.extract, args=(text,))
    worker.start()
    while worker.is_alive():
        ticks += 1
    worker.join()
    # With the GIL held for the whole call this loop would get only the few turns before the
    # call starts; released, it spins all through the call (seconds: millions of turns).
    assert ticks > 100000, ticks


def test_threads_sharing_an_extractor_agree_with_one_thread(ex, bbc_lines):
    texts = [json.loads(line)["text"] for line in bbc_lines[:120]]
    alone = [ex.extract_json(t) for t in texts]
    got = [None] * len(texts)

    def work(k):
        for i in range(k, len(texts), 4):
            got[i] = ex.extract_json(texts[i])
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == alone


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


def test_no_memory_growth_over_20000_calls(ex):
    text = "Nordvik Breweries agreed to buy Holm & Sons for £2.1bn ($2.6bn) on Monday, it said."
    for _ in range(2000):
        ex.extract(text)
    before = rss_kib()
    for _ in range(20000):
        ex.extract(text)
    grown = rss_kib() - before
    print("RSS grew %d KiB over 20,000 calls" % grown)
    assert grown < 1024, "grew %d KiB over 20,000 calls" % grown  # < 52 bytes a call


def test_failures_in_place_and_input_order(ex):
    records = ["It cost $5 million.", {"id": "no-text", "body": "x"}, 42,
               {"id": 7, "text": "Sales rose 4%."}, b"Prices fell 2\xff%."]
    got = list(ex.extract_many(records, jobs=2, chunk=2))
    assert [g.get("error") is None for g in got] == [True, False, False, True, True]
    assert got[1] == {"id": "no-text", "source": "no-text",
                      "error": 'no string field "text" (set text_field)'}
    assert got[3]["document"]["id"] == "7"
    assert got[4]["document"]["warnings"][0]["code"] == "invalid-utf8"
    missing = ex.extract_files(["/nonexistent/claimx.jsonl"])
    assert missing[0]["source"] == "/nonexistent/claimx.jsonl" and missing[0]["error"]


def test_bad_input_is_repaired_not_raised(ex):
    doc = ex.extract("Costs rose \udc80 5%.")  # a lone surrogate: not encodable as UTF-8
    assert doc["document"]["warnings"][0]["code"] == "invalid-utf8"
    assert ex.extract("")["figures"] == []


def test_errors_the_caller_sees(tmp_path):
    bad = tmp_path / "packs"
    bad.mkdir()
    (bad / "broken.yaml").write_text(
        "pack: broken\nrules:\n  - id: money.broken\n    kind: money\n"
        "    pattern: '(unclosed'\n", encoding="utf-8")
    with pytest.raises(claimx.RulePackError) as e:
        claimx.Extractor(patterns=str(bad))
    assert str(e.value).startswith(str(bad / "broken.yaml") + ":5:")
    with pytest.raises(claimx.Error):
        claimx.Extractor(only="figures,colours")
    with pytest.raises(claimx.Error):
        claimx.Extractor().extract("text", date="2026-13-01")
    with pytest.raises(claimx.Error):
        claimx.Extractor(offsets="furlongs")
    assert issubclass(claimx.RulePackError, claimx.Error)
    assert issubclass(claimx.Error, ValueError)
