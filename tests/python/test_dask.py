"""claimx.dask on a LocalCluster of two worker processes bound to 127.0.0.1: the BBC corpus in
shards gives exactly the CLI's documents, also when a worker is killed in the middle."""
import gzip
import json
import os
import signal
import time

import pytest

distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402

import claimx.dask  # noqa: E402

SHARDS = 8


@pytest.fixture(scope="module")
def shards(bbc_lines, tmp_path_factory):
    """The corpus in SHARDS files, every other one gzip-compressed, and the CLI's result."""
    d = tmp_path_factory.mktemp("shards")
    paths = []
    per = -(-len(bbc_lines) // SHARDS)
    for k in range(SHARDS):
        body = ("\n".join(bbc_lines[k * per:(k + 1) * per]) + "\n").encode()
        p = d / ("part-%02d.jsonl%s" % (k, ".gz" if k % 2 else ""))
        p.write_bytes(gzip.compress(body, mtime=0) if k % 2 else body)
        paths.append(str(p))
    return paths


@pytest.fixture(scope="module")
def want(shards, cli):
    return cli(*shards)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=40) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def by_id(docs):
    out = {}
    for d in docs:
        key = d["document"]["id"] if "document" in d else d["source"]
        assert key not in out, "twice: %s" % key
        out[key] = d
    return out


def test_files_on_two_workers_equal_the_cli(client, shards, want):
    got = claimx.dask.extract_files(shards).compute()
    assert len(got) == len(want)
    assert got == want  # the same documents, in the same order
    assert by_id(got) == by_id(want)


def test_a_bag_of_records_keeps_ids_and_failures(client, bbc_lines):
    records = [json.loads(line) for line in bbc_lines[:200]]
    records[17] = {"id": "broken", "body": "no text field"}
    for r in records[100:]:
        del r["id"]  # named by their place, uniquely across partitions
    got = claimx.dask.extract_bag(db.from_sequence(records, npartitions=6)).compute()
    ids = [g.get("document", g)["id"] for g in got]
    assert ids[:100] == [r["id"] for r in records[:100]]
    assert len(set(ids)) == 200 and all(i.startswith("partition ") for i in ids[100:])
    assert got[17]["error"].startswith("no string field")


def task_states(client):
    return client.run_on_scheduler(
        lambda dask_scheduler: [t.state for t in dask_scheduler.tasks.values()])


def test_a_worker_killed_in_the_middle_loses_nothing(client, shards, want):
    """The worker holding a finished partition is killed while others still run: its results
    are lost with it and must be computed again."""
    future = client.compute(claimx.dask.extract_files(shards))
    pids = client.run(os.getpid)  # worker address -> pid
    deadline = time.time() + 60
    holders = []
    while not holders and time.time() < deadline:
        holders = client.run_on_scheduler(lambda dask_scheduler: sorted(
            w.address for t in dask_scheduler.tasks.values() if t.state == "memory"
            and "_extract_shards" in str(t.key) for w in t.who_has))
        time.sleep(0.01)
    states = task_states(client)
    assert holders and any(s != "memory" for s in states), states  # in the middle
    victim = pids[holders[0]]
    os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker
    got = future.result(timeout=600)
    assert by_id(got) == by_id(want)  # nothing lost, nothing twice
    assert got == want
    assert victim not in client.run(os.getpid).values()
