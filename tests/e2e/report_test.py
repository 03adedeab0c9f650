#!/usr/bin/python3
"""The HTML report in a real browser: Debian's headless Chromium, driven over the DevTools
protocol (python3-websocket), loads the report of the samples and the seed article and checks
that it
  - makes no network request and logs no console error (a Content-Security-Policy forbids any
    load; a violation would be logged);
  - highlights every item once (an item split where it crosses another's end keeps its
    data-item on each part: a crafted document makes one), each highlight's text the item's;
  - lists each document's claims in score order, one per claim;
  - shows an item's details on keyboard focus;
  - fits a 320 px wide screen without sideways scrolling, and prints (PDF).
Screenshots (wide, 320 px, an item's details on focus) and the PDF are kept in ARTIFACT_DIR
as test artefacts.

Usage:  report_test.py BINARY SOURCE_DIR ARTIFACT_DIR [SHARED_DIR] [unittest options]
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import harness
import urllib.request

BINARY = SOURCE_DIR = ARTIFACT_DIR = SHARED_DIR = None
CHROMIUM = "/usr/bin/chromium"


# Items that cross: the figure "Million Dollar" and the name "Dollar Baby" (as in BBC news):
# one highlight is split where the other ends, its parts keeping one data-item.
CROSSING = ("Clint Eastwood won best director for Million Dollar Baby, which cost $30 million "
            "to make, the studio said.\n")


def inputs():
    crossing = os.path.join(ARTIFACT_DIR, "crossing.txt")
    with open(crossing, "w", encoding="utf-8") as f:
        f.write(CROSSING)
    return harness.sample_inputs(SOURCE_DIR, SHARED_DIR) + [crossing]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One headless Chromium and one page, over the DevTools protocol."""

    def __init__(self):
        import websocket
        self.profile = tempfile.mkdtemp(prefix="claimx-chromium-")
        port = free_port()
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={self.profile}",
             f"--remote-debugging-port={port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    pages = [t for t in json.load(r) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("Chromium did not start")
            time.sleep(0.2)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]
            self.events.append(msg)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for e in self.events:
                if e.get("method") == method:
                    return e
            self.events.append(json.loads(self.ws.recv()))
        raise RuntimeError(f"no {method}")

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"]["value"]

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)


# Run in the page: every highlight by item (text joined over parts), the claims' order.
DOM_FACTS = r"""
(() => {
  const docs = [];
  for (const article of document.querySelectorAll('article.doc')) {
    const items = {};
    const counts = {};
    for (const m of article.querySelectorAll('.text mark[data-item]')) {
      const id = m.dataset.item;
      if (!m.hasAttribute('data-part')) counts[id] = (counts[id] || 0) + 1;
      items[id] = (items[id] || '') + m.textContent;
    }
    // A mark's own text without the marks inside it is still its item's text: textContent
    // holds the children's text too, which is what the item spans.
    const claims = [...article.querySelectorAll('ol.claims > li')].map(li => [li.dataset.claim, +li.dataset.score]);
    const parts = article.querySelectorAll('.text mark[data-part]').length;
    docs.push({id: article.dataset.id, items, counts, claims, parts,
               text: article.querySelector('.text').textContent});
  }
  return docs;
})()
"""


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(CHROMIUM):
            raise AssertionError(f"{CHROMIUM} is missing: scripts/setup.sh installs chromium")
        os.makedirs(ARTIFACT_DIR, exist_ok=True)
        cls.report = os.path.join(ARTIFACT_DIR, "report.html")
        out = subprocess.run([BINARY, "--format", "html", "-o", cls.report, *inputs()],
                             capture_output=True, timeout=120)
        assert out.returncode == 0, out.stderr
        js = subprocess.run([BINARY, "--compact", "--include-text", *inputs()],
                            capture_output=True, timeout=120)
        cls.docs = [json.loads(l) for l in js.stdout.splitlines()]
        cls.browser = Browser()
        b = cls.browser
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.call(f"{domain}.enable")
        b.call("Emulation.setFocusEmulationEnabled", enabled=True)  # :focus in a headless page
        b.call("Page.navigate", url="file://" + cls.report)
        b.wait_for("Page.loadEventFired")
        cls.facts = b.evaluate(DOM_FACTS)

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "browser"):
            cls.browser.close()

    def test_no_request_no_console_error(self):
        b = self.browser
        requests = [e["params"]["request"]["url"] for e in b.events
                    if e.get("method") == "Network.requestWillBeSent"]
        self.assertEqual(requests, ["file://" + self.report], "only the report itself is loaded")
        errors = [e["params"] for e in b.events
                  if e.get("method") in ("Runtime.exceptionThrown",)
                  or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
                  or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))]
        self.assertEqual(errors, [])
        self.assertEqual(b.evaluate("document.scripts.length"), 0, "no script at all")

    def test_every_item_highlighted_once_with_its_text(self):
        self.assertEqual(len(self.facts), len(self.docs))
        for doc, facts in zip(self.docs, self.facts):
            self.assertEqual(facts["id"], doc["document"]["id"])
            self.assertEqual(facts["text"], doc["document"]["text"], "the whole text, unchanged")
            want = {}
            for f in doc["figures"]:
                want[f["id"]] = f["text"]
            for e in doc["entities"]:
                for i, m in enumerate(e["mentions"]):
                    want[f"{e['id']}.m{i + 1}"] = m["text"]
            for a in doc["agreements"]:
                for i, m in enumerate(a["mentions"]):
                    want[f"{a['id']}.m{i + 1}"] = m["text"]
            for c in doc["claims"]:
                want[c["id"]] = c["text"]
            got = facts["items"]
            self.assertEqual(sorted(set(want) - set(got)), [], f"{doc['document']['id']}: not highlighted")
            self.assertEqual(sorted(set(got) - set(want)), [], f"{doc['document']['id']}: not items")
            self.assertEqual({k: v for k, v in got.items() if want[k] != v}, {}, "texts differ")
            self.assertEqual(set(facts["counts"].values()), {1} if want else set(),
                             "one highlight per item (parts aside)")
        self.assertTrue(any(f["parts"] for f in self.facts), "a split highlight was checked")

    def test_claims_in_score_order(self):
        for doc, facts in zip(self.docs, self.facts):
            scores = [s for _, s in facts["claims"]]
            self.assertEqual(scores, sorted(scores, reverse=True))
            self.assertEqual(sorted(c for c, _ in facts["claims"]),
                             sorted(c["id"] for c in doc["claims"]))
            by_id = {c["id"]: c["checkworthiness"] for c in doc["claims"]}
            for cid, score in facts["claims"]:
                self.assertEqual(score, by_id[cid])

    def test_details_on_keyboard_focus(self):
        b = self.browser
        tip = b.evaluate("""(() => {
            const m = document.querySelector('.text mark.figure[tabindex]');
            m.focus();
            return [document.activeElement === m, getComputedStyle(m, '::after').content, m.dataset.tip];
        })()""")
        focused, content, data_tip = tip
        shot = b.call("Page.captureScreenshot", format="png")
        with open(os.path.join(ARTIFACT_DIR, "report-focus.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        self.assertTrue(focused)
        self.assertIn("rule ", data_tip)
        self.assertNotEqual(content, "none", "the focused item shows its details")
        self.assertIn(data_tip.split("\n")[0], content)
        hidden = b.evaluate("""(() => {
            document.activeElement.blur();
            return getComputedStyle(document.querySelector('.text mark.figure[tabindex]'), '::after').content;
        })()""")
        self.assertEqual(hidden, "none")

    def test_screenshots_320px_and_print(self):
        b = self.browser
        b.evaluate("window.scrollTo(0, 0)")
        shot = b.call("Page.captureScreenshot", format="png")
        with open(os.path.join(ARTIFACT_DIR, "report.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        b.call("Emulation.setDeviceMetricsOverride", width=320, height=640, deviceScaleFactor=1,
               mobile=False)
        widths = b.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        self.assertLessEqual(widths[0], widths[1], "no sideways scrolling at 320 px")
        self.assertEqual(widths[1], 320)
        b.evaluate("window.scrollTo(0, 0)")
        shot = b.call("Page.captureScreenshot", format="png")
        with open(os.path.join(ARTIFACT_DIR, "report-320.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        b.call("Emulation.clearDeviceMetricsOverride")
        pdf = base64.b64decode(b.call("Page.printToPDF", printBackground=True)["data"])
        self.assertTrue(pdf.startswith(b"%PDF"))
        with open(os.path.join(ARTIFACT_DIR, "report.pdf"), "wb") as f:
            f.write(pdf)


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR", "ARTIFACT_DIR"], ["SHARED_DIR"]))
