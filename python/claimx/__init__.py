"""claimx from Python: structured, checkable facts from news text.

    import claimx
    ex = claimx.Extractor()                 # compiles the rule packs once; share it freely
    doc = ex.extract("Exports rose 8.5% to $11.1 billion last year, Statistics Canada said.")
    [(f["text"], f["value"]) for f in doc["figures"]]

Every result is the CLI's JSON for the same input and options (``claimx --date D`` is
``extract(text, date=D)``), as a dict. The GIL is released while extracting, so threads sharing
one Extractor run in parallel. A rule pack that does not compile raises RulePackError with
``file:line:col`` messages; invalid UTF-8 (or lone surrogates) is repaired and counted in
``document.warnings``, never raised.
"""
import collections
import itertools
import json
import re
import threading

from ._claimx import Error, RulePackError, _Extractor, __version__

__all__ = ["Extractor", "Error", "RulePackError", "extract", "__version__"]

_MAX_DOC_BYTES = 64 << 20


class Extractor:
    """The rule packs compiled once, with the options every call shares.

    patterns: directories of rule packs added over the embedded ones (str or list).
    offsets: "codepoints" (default), "bytes" or "utf16".
    date: the anchor for relative dates of every document (as ``claimx --date``).
    min_score, top, sentences, include_text, all_sentences, explain, only: as the CLI's options
    of those names (only: "figures,claims" or a list of kinds).
    """

    def __init__(self, patterns=None, offsets="codepoints", date=None, min_score=None, top=None,
                 sentences=False, include_text=False, all_sentences=False, explain=False,
                 only=None):
        if isinstance(patterns, str):
            patterns = [patterns]
        self._options = dict(patterns=list(patterns or []), offsets=offsets, date=date,
                             min_score=min_score, top=top, sentences=sentences,
                             include_text=include_text, all_sentences=all_sentences,
                             explain=explain, only=_kinds(only))
        self._core = _Extractor(self._options["patterns"], offsets, date, min_score, top,
                                sentences, include_text, all_sentences, explain,
                                self._options["only"])

    @property
    def options(self):
        """The options this Extractor was made with (what makes an equal one elsewhere)."""
        return dict(self._options)

    def extract_json(self, text, date=None, only=None, title=None, id=None, source=None):
        """The document's JSON text, byte for byte what the CLI prints (without the newline)."""
        return self._core.extract(text, "-" if id is None else str(id), source, title, date,
                                  _kinds(only))

    def extract(self, text, date=None, only=None, title=None, id=None, source=None):
        """One article (str or bytes) -> the CLI's JSON as a dict.

        date: the anchor for relative dates (``--date``); only: kinds to keep; title: the
        document's title (else its headline); id: document.id ("-" by default, as stdin).
        """
        return json.loads(self.extract_json(text, date, only, title, id, source))

    def extract_many(self, records, jobs=1, text_field="text", id_field="id",
                     title_field="title", date_field="date", chunk=512, name="record"):
        """Results of many records, in input order, ``jobs`` threads at a time.

        A record is a text (str or bytes) or a dict with the text under ``text_field`` and
        optionally an id, title and date (the document's own date, as a JSONL field is). Each
        result is a dict; a record that fails is ``{"id", "source", "error"}`` in its place (as
        the CLI's ``--errors``), and the rest go on. The records are read ``chunk`` at a time.
        A record without an id is named by its place: ``"<name> N"`` (from 1).
        """
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        # One runner for the whole run: its workers go on with the next chunk while Python
        # parses what is done. `pending` holds, in input order, a failure found here or the id
        # of a record whose outcome the runner will give.
        stream = self._core.stream(jobs)
        pending = collections.deque()
        it = iter(records)
        index = 0

        def ready(outcomes):
            for out, source, error in outcomes:
                while pending[0][0] == "failed":
                    yield pending.popleft()[1]
                _, ident = pending.popleft()
                yield json.loads(out) if not error else {"id": ident, "source": source,
                                                         "error": error}
            while pending and pending[0][0] == "failed":
                yield pending.popleft()[1]

        while True:
            block = list(itertools.islice(it, chunk))
            if not block:
                break
            batch = []
            for k, rec in enumerate(block):
                ident, source, why = _record(rec, index + k, text_field, id_field, name)
                if why:
                    pending.append(("failed", {"id": ident, "source": source, "error": why}))
                    continue
                title = rec.get(title_field) if isinstance(rec, dict) else None
                date = rec.get(date_field) if isinstance(rec, dict) else None
                date = date[:10] if isinstance(date, str) and _is_date(date[:10]) else None
                text = rec[text_field] if isinstance(rec, dict) else rec
                batch.append((text, ident, source,
                              title if isinstance(title, str) else None, date))
                pending.append(("extracted", ident))
            index += len(block)
            stream.add(batch)  # blocks (without the GIL) while the runner's window is full
            yield from ready(stream.take())
        stream.finish()
        yield from ready(stream.take())

    def extract_files(self, paths, jobs=1, input_format="auto", recursive=False,
                      text_field="text", id_field="id", title_field="title", date_field="date",
                      max_doc_bytes=_MAX_DOC_BYTES):
        """Files as the CLI reads them (text, HTML, JSONL, WARC; compressed; tar and zip
        members; directories with recursive=True) -> a list of results in input order, a
        failure ``{"source", "error"}`` in place of each input or record that failed."""
        if isinstance(paths, str):
            paths = [paths]
        out = []
        for text, source, error in self._core.extract_files(
                [str(p) for p in paths], jobs, input_format, recursive, text_field, id_field,
                title_field, date_field, max_doc_bytes):
            out.append(json.loads(text) if not error else {"source": source, "error": error})
        return out


def _kinds(only):
    if only is None or len(only) == 0:  # as the CLI: no --only, or an empty one, is every kind
        return None
    if isinstance(only, str):
        return only
    return ",".join(only)


def _is_date(s):
    """YYYY-MM-DD and a real day: what the JSONL reader keeps (and C++ accepts)."""
    import datetime
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return False
    try:
        datetime.date.fromisoformat(s)
        return True
    except ValueError:
        return False


def _record(rec, index, text_field, id_field, name):
    """(id, source, error) of a record: the id it carries, else its place in the input."""
    source = "%s %d" % (name, index + 1)
    if isinstance(rec, (str, bytes)):
        return source, source, None
    if not isinstance(rec, dict):
        return source, source, "not a text or a dict (%s)" % type(rec).__name__
    ident = rec.get(id_field)
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        ident = source
    ident = str(ident)
    text = rec.get(text_field)
    if not isinstance(text, (str, bytes)):
        return ident, ident, 'no string field "%s" (set text_field)' % text_field
    return ident, ident, None


_default = None
_default_lock = threading.Lock()


def extract(text, date=None, only=None, title=None, id=None):
    """extract() on a shared default Extractor (the embedded packs, default options)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Extractor()
    return _default.extract(text, date=date, only=only, title=title, id=id)
