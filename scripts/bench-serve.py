#!/usr/bin/python3
"""claimx serve under load, beside the CLI on the same articles.

    scripts/bench-serve.py [--clients 4] [--requests 5000] [--jobs 2] [CORPUS.jsonl]

Starts `claimx serve --port 0 -j JOBS` on loopback, sends REQUESTS articles of the corpus
(round robin, text/plain, one persistent connection per client) from CLIENTS threads after a
warm-up, and prints latency percentiles, requests/s and MB/s of article text, the server's RSS
before and after, then the CLI's `-j JOBS` wall time on the same articles (as JSONL, best of 3).
"""
import argparse
import http.client
import json
import os
import pathlib
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def run_clients(host, port, texts, clients):
    lat, lock, it = [], threading.Lock(), iter(texts)
    errors = []

    def client():
        c = http.client.HTTPConnection(host, port, timeout=120)
        c.connect()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as curl and browsers do
        while True:
            with lock:
                t = next(it, None)
            if t is None:
                return
            t0 = time.perf_counter()
            c.request("POST", "/v1/extract", body=t, headers={"Content-Type": "text/plain"})
            r = c.getresponse()
            r.read()
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                if r.status != 200:
                    errors.append(r.status)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, time.perf_counter() - t0, errors


def pct(sorted_lat, p):
    return sorted_lat[min(len(sorted_lat) - 1, int(p / 100 * len(sorted_lat)))] * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared/eval/corpus/bbc/articles.jsonl"))
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--binary", default=str(ROOT / "build" / "claimx"))
    a = ap.parse_args()
    recs = [json.loads(line) for line in open(a.corpus, encoding="utf-8") if line.strip()]
    texts = [recs[k % len(recs)]["text"].encode() for k in range(a.requests)]
    mb = sum(len(t) for t in texts) / 1e6
    srv = subprocess.Popen([a.binary, "serve", "--port", "0", "-j", str(a.jobs)],
                           stderr=subprocess.PIPE, text=True)
    try:
        m = re.search(r"http://([\d.]+):(\d+)", srv.stderr.readline())
        host, port = m.group(1), int(m.group(2))
        run_clients(host, port, texts[:300], a.clients)  # warm-up: the packs' lazy DFAs
        before, cpu0 = rss_kib(srv.pid), cpu_seconds(srv.pid)
        lat, wall, errors = run_clients(host, port, texts, a.clients)
        after, cpu = rss_kib(srv.pid), cpu_seconds(srv.pid) - cpu0
        lat2, _, _ = run_clients(host, port, texts, a.clients)  # memory over a second run
        after2 = rss_kib(srv.pid)
    finally:
        srv.terminate()
        srv.wait()
    lat.sort()
    print("claimx serve -j %d, %d clients, %d requests (%.1f MB of text), %d cores" %
          (a.jobs, a.clients, len(lat), mb, os.cpu_count()))
    print("| p50 ms | p90 ms | p99 ms | max ms | requests/s | MB/s | server CPU s | errors |"
          " RSS before → after run 1 → after run 2 |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print("| %.1f | %.1f | %.1f | %.1f | %.0f | %.2f | %.2f | %d | %d → %d → %d KiB |" % (
        pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[-1] * 1000, len(lat) / wall, mb / wall,
        cpu, len(errors), before, after, after2))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for k, t in enumerate(texts):
            f.write(json.dumps({"id": str(k), "text": t.decode()}) + "\n")
    try:
        best, best_cpu = None, None
        for _ in range(3):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([a.binary, "-q", "--compact", "-j", str(a.jobs), f.name],
                           stdout=subprocess.DEVNULL, check=True)
            dt = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            best, best_cpu = min(best or 1e9, dt), min(best_cpu or 1e9, used)
    finally:
        os.unlink(f.name)
    print("CLI -j %d on the same %d articles: %.2f s (%.2f MB/s), %.2f s CPU" %
          (a.jobs, len(texts), best, mb / best, best_cpu))
    print("service / CLI: throughput %.2f (the client shares the cores), CPU per article %.2f" %
          ((mb / wall) / (mb / best), cpu / best_cpu))


if __name__ == "__main__":
    sys.exit(main())
