"""claimx on Dask: news archives past one machine.

    import dask.bag as db
    from distributed import Client
    import claimx.dask

    client = Client("scheduler:8786")                # or a LocalCluster
    bag = claimx.dask.extract_files(sorted(glob.glob("archive/*.jsonl.zst")))
    for doc in bag.compute(): ...

Each worker process compiles one Extractor per set of options, the first time a task needs it,
and reuses it for every partition after. Results come in input order (a bag keeps its
partitions' order and claimx keeps each partition's); a record that fails is a failure item
``{"id", "source", "error"}`` (files: ``{"source", "error"}``, as the CLI's ``--errors``) in its
place, never an exception that stops the run. A worker lost in the middle is Dask's business:
the scheduler runs its tasks again elsewhere, and since a task is a pure function of its
partition, nothing is lost and nothing comes twice.
"""
import json
import threading

import dask
import dask.bag as db

from . import Extractor

_lock = threading.Lock()
_extractors = {}


def worker_extractor(options):
    """The Extractor of this process for these options (made once, then shared by threads)."""
    key = json.dumps(options, sort_keys=True, default=str)
    with _lock:
        ex = _extractors.get(key)
        if ex is None:
            ex = _extractors[key] = Extractor(**options)
        return ex


def _extract_partition(records, options, fields, partition):
    return list(worker_extractor(options).extract_many(
        records, jobs=1, name="partition %d record" % partition, **fields))


def _extract_shards(paths, options, reading):
    return worker_extractor(options).extract_files(list(paths), jobs=1, **reading)


def extract_bag(bag, text_field="text", id_field="id", title_field="title", date_field="date",
                **options):
    """A bag of records (dicts with the text under ``text_field``, or plain texts) -> a bag of
    results, one per record in the same order. ``options`` are Extractor's (patterns, date,
    only, offsets, ...); the packs of ``patterns`` must be readable on every worker. A record
    without an id is named by its place: "partition P record N" (P from 0, N from 1)."""
    fields = dict(text_field=text_field, id_field=id_field, title_field=title_field,
                  date_field=date_field)
    Extractor(**options)  # fail here, not on every worker, when the packs or options are bad
    parts = [dask.delayed(_extract_partition, pure=True)(p, options, fields, k)
             for k, p in enumerate(bag.to_delayed())]
    return db.from_delayed(parts)


def extract_files(paths, input_format="auto", text_field="text", id_field="id",
                  title_field="title", date_field="date", max_doc_bytes=64 << 20,
                  **options):
    """JSONL shards (plain or compressed: .gz, .zst, .bz2, .xz; or any input the CLI reads)
    -> a bag with one partition per shard, read on the workers by claimx itself, so the
    records, their ids and the failures are exactly the CLI's. The paths must be readable on
    every worker (a shared file system or object store mount)."""
    if isinstance(paths, str):
        paths = [paths]
    paths = [str(p) for p in paths]
    reading = dict(input_format=input_format, text_field=text_field, id_field=id_field,
                   title_field=title_field, date_field=date_field, max_doc_bytes=max_doc_bytes)
    Extractor(**options)
    bag = db.from_sequence(paths, npartitions=max(1, len(paths)))
    return bag.map_partitions(_extract_shards, options, reading)
