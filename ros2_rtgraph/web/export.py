# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
CSV downloads, streamed from the rings a chunk at a time.

A download holds one chunk: the samples of a run of sequence numbers, copied out of the rings,
merged into sequence order and written as CSV text, at most
:data:`~ros2_rtgraph.budget.EXPORT_CHUNK_BYTES` whatever the rings hold (a whole 1 M-sample
store once took 230 MB). That is the ``CSV downloads`` part of the memory budget (budget.py).
The rings keep moving while a download is read: rows a ring overwrites before the download
reaches them are left out, and samples newer than the request are never in it.

``utc`` beside ``t`` is the same time as an ISO 8601 UTC date (``2026-12-02T14:02:31.250000Z``),
for a spreadsheet or a log next to it; under ``use_sim_time`` it dates the sim clock, as ``t``.

Text cells follow OWASP's rule against CSV (formula) injection: a cell that starts with
``= + - @``, a tab or a carriage return gets a leading ``'``, so a spreadsheet shows it as text
instead of running it. Numbers are written as they are (``-1.5`` stays ``-1.5``). Lines end
in CRLF (RFC 4180).
"""

from collections.abc import Generator
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
import csv
import io

import numpy as np

from ros2_rtgraph.budget import export_chunk_rows
from ros2_rtgraph.ringbuffer import SampleRing
from ros2_rtgraph.ringbuffer import Samples

CSV_COLUMNS = ('series', 'label', 'seq', 't', 'utc', 'value')
#: What a cell starts with when a spreadsheet would read it as a formula (OWASP).
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def text_cell(text: str) -> str:
    """Return ``text`` as a CSV cell no spreadsheet runs: with a leading ``'`` if it needs one."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def utc_texts(t: np.ndarray) -> list[str]:
    """Return seconds since the epoch as ISO 8601 UTC dates, to the microsecond ('' if none)."""
    finite = np.isfinite(t) & (np.abs(t) < 1e11)  # within years 0..5138: datetime64 holds them
    micros = np.where(finite, np.round(t * 1e6), 0).astype('datetime64[us]')
    texts = np.datetime_as_string(micros, unit='us', timezone='UTC')
    return np.where(finite, texts, '').tolist()


def _csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Return rows as CSV, UTF-8."""
    out = io.StringIO()
    # RFC 4180's CRLF: with it the csv module quotes a cell holding a carriage return, which
    # with a bare LF it leaves as it is, splitting the row for any reader.
    csv.writer(out, lineterminator='\r\n').writerows(rows)
    return out.getvalue().encode('utf-8')


def _chunks(rings: Sequence[SampleRing], upto: int, rows: int) -> Iterator[list[Samples]]:
    """
    Yield every held sample with ``s <= upto``, in chunks of at most ``rows`` sequence numbers.

    Each chunk starts at the oldest sample not yet yielded, so runs of sequence numbers the
    rings no longer hold (or that belong to series not exported) are skipped, not walked.
    """
    done = 0  # every held sample with s <= done has been yielded
    while True:
        heads = [ring.read_since(done, upto, limit=1).seq for ring in rings]
        starts = [int(head[0]) for head in heads if len(head)]
        if not starts:
            return
        first = min(starts)
        done = min(first - 1 + rows, upto)
        yield [ring.read_since(first - 1, done) for ring in rings]


def _window_starts(rings: Sequence[SampleRing], upto: int, seconds: float | None) -> list[float]:
    """Return per ring the oldest time to export, as ``read_window`` chooses it."""
    if seconds is None:
        return [-np.inf] * len(rings)
    lasts = [ring.read_last(upto).t for ring in rings]
    return [float(last[0]) - seconds if len(last) else np.inf for last in lasts]


def csv_chunks(rings: Sequence[SampleRing], names: Sequence[tuple[str, str]], upto: int, *,
               seconds: float | None = None,
               rows: int | None = None) -> Generator[bytes, None, None]:
    """
    Yield the CSV file of some series, header first, as UTF-8 chunks.

    :param rings: the series' rings.
    :param names: per ring its series id and label, as the CSV names them.
    :param upto: the newest sequence number to include, ``store.committed`` at the request.
    :param seconds: per series only the samples with ``t >= newest t - seconds`` (the newest
        at ``upto``); None: everything held.
    :param rows: sequence numbers per chunk, the bound on the rows a chunk holds; None: as
        many as the budget gives a chunk (:func:`~ros2_rtgraph.budget.export_chunk_rows`).
    """
    cells = [(text_cell(sid), text_cell(label)) for sid, label in names]
    if rows is None:
        rows = export_chunk_rows(max(len(sid) + len(label) for sid, label in cells))
    starts = _window_starts(rings, upto, seconds)
    yield _csv_bytes([CSV_COLUMNS])
    for reads in _chunks(rings, upto, rows):
        kept = [Samples(*(column[samples.t >= start] for column in samples))
                for samples, start in zip(reads, starts, strict=True)]
        seq, t, v = (np.concatenate(columns) for columns in zip(*kept, strict=True))
        which = np.concatenate([np.full(len(samples.seq), i) for i, samples in enumerate(kept)])
        order = np.argsort(seq)  # sequence numbers are unique
        t = t[order]
        # repr() of a Python float round-trips exactly and spells non-finite nan/inf/-inf.
        text = _csv_bytes(
            (*cells[w], s, repr(tt), utc, repr(vv))
            for w, s, tt, utc, vv in zip(which[order].tolist(), seq[order].tolist(),
                                         t.tolist(), utc_texts(t), v[order].tolist(),
                                         strict=True))
        if text:
            yield text
