# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""CSV downloads from real rings: chunked rows match the whole-store model; formula escaping."""

import csv
from datetime import datetime
from datetime import timezone
import io
import math
import tracemalloc

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import numpy as np
import pytest

from ros2_rtgraph.budget import EXPORT_CHUNK_BYTES
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.web.export import csv_chunks
from ros2_rtgraph.web.export import CSV_COLUMNS
from ros2_rtgraph.web.export import text_cell

SERIES = ('a', 'b', 'c')


@pytest.mark.parametrize(('text', 'cell'), [
    # OWASP's starts: = + - @ tab and carriage return
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ('+1+2', "'+1+2"),
    ('-2+3', "'-2+3"),
    ('@SUM(A1)', "'@SUM(A1)"),
    ('\t=1', "'\t=1"),
    ('\r=1', "'\r=1"),
    # left as they are: no dangerous first character
    ('IMU z', 'IMU z'),
    ('a=1', 'a=1'),
    (' =1', ' =1'),
    ("'quoted", "'quoted"),
    ('', ''),
])
def test_text_cell_escapes_what_a_spreadsheet_would_run(text, cell):
    assert text_cell(text) == cell


def _rows(chunks: list[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b''.join(chunks).decode('utf-8'))))


def _utc(t: float) -> str:
    """Return a time as the CSV's utc column should say it (datetime: another way there)."""
    return datetime.fromtimestamp(t, timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _model(store: SampleStore, ids: list[str], seconds: float | None) -> list[list[str]]:
    """Return the rows as the whole-store export made them: every sample, merged by seq."""
    rows = []
    for sid in ids:
        ring = store.rings[sid]
        samples = ring.read_since(0) if seconds is None else ring.read_window(seconds)
        rows += [(s, [sid, f'label {sid}', str(s), repr(t), _utc(t), repr(v)])
                 for s, t, v in zip(samples.seq.tolist(), samples.t.tolist(),
                                    samples.v.tolist(), strict=True)]
    return [row for _, row in sorted(rows)]


samples = st.lists(st.tuples(
    st.sampled_from(SERIES), st.floats(-1e3, 1e3),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(-1.5))), max_size=80)


@settings(max_examples=150, deadline=None)
@given(samples=samples, capacity=st.integers(2, 20), rows=st.integers(1, 9),
       ids=st.lists(st.sampled_from(SERIES), min_size=1, max_size=3, unique=True),
       seconds=st.one_of(st.none(), st.floats(0.1, 2e3)))
def test_chunked_rows_are_the_whole_store_merged_by_sequence_number(
        samples, capacity, rows, ids, seconds):
    store = SampleStore(list(SERIES), capacity)
    for sid, t, v in samples:
        store.append(sid, t, v)
    chunks = list(csv_chunks([store.rings[sid] for sid in ids],
                             [(sid, f'label {sid}') for sid in ids], store.committed,
                             seconds=seconds, rows=rows))
    assert _rows(chunks) == [list(CSV_COLUMNS), *_model(store, ids, seconds)]
    # The header alone, then no chunk larger than `rows` sequence numbers, none empty.
    assert all(1 <= chunk.count(b'\r\n') <= rows for chunk in chunks[1:])


def test_samples_after_the_bound_and_overwritten_ones_are_not_exported():
    store = SampleStore(['a'], capacity=4)
    for seq in range(1, 7):  # 1 and 2 are overwritten
        store.append('a', seq, -seq / 2)
    upto = store.committed
    chunks = csv_chunks([store.rings['a']], [('a', 'x')], upto, rows=2)
    assert next(chunks) == b'series,label,seq,t,utc,value\r\n'
    assert next(chunks) == (b'a,x,3,3.0,1970-01-01T00:00:03.000000Z,-1.5\r\n'
                            b'a,x,4,4.0,1970-01-01T00:00:04.000000Z,-2.0\r\n')
    store.append('a', 7.0, 0.0)  # after the bound; overwrites 3, which was written already
    store.append('a', 8.0, 0.0)  # overwrites 4, ditto
    store.append('a', 9.0, 0.0)  # overwrites 5, not written yet: left out
    assert b''.join(chunks) == b'a,x,6,6.0,1970-01-01T00:00:06.000000Z,-3.0\r\n'


def test_labels_are_escaped_and_numbers_are_not():
    store = SampleStore(['s0', 's1'], capacity=8)
    store.append('s0', -2.0, -1.5)
    store.append('s1', 1.0, -math.inf)
    names = [('s0', '=cmd|"/c calc"!A1'), ('s1', '\r-x, "quoted"\n')]
    rows = _rows(list(csv_chunks([store.rings['s0'], store.rings['s1']], names, 2)))
    # A carriage return or line feed in a label is quoted, so the row stays one row.
    assert rows[1:] == [['s0', '\'=cmd|"/c calc"!A1', '1', '-2.0', _utc(-2.0), '-1.5'],
                        ['s1', "'\r-x, \"quoted\"\n", '2', '1.0', _utc(1.0), '-inf']]


def test_an_empty_store_exports_the_header_only():
    store = SampleStore(['a', 'b'], capacity=3)
    chunks = list(csv_chunks(list(store.rings.values()), [('a', 'a'), ('b', 'b')], 0,
                             seconds=5.0))
    assert chunks == [b'series,label,seq,t,utc,value\r\n']


@pytest.mark.parametrize(('times', 'seconds', 'kept'), [
    ([0.0, 1.0, 2.0, 3.0], 2.0, [2, 3, 4]),  # t >= 3 - 2: the boundary sample is in
    ([0.0, 1.0, 2.0, 3.0], 0.5, [4]),
    ([5.0, 0.0, 4.0, 3.0], 1.0, [1, 3, 4]),  # the newest is the last written, not the largest t
])
def test_seconds_keep_what_read_window_keeps(times, seconds, kept):
    store = SampleStore(['a'], capacity=8)
    for t in times:
        store.append('a', t, 0.0)
    rows = _rows(list(csv_chunks([store.rings['a']], [('a', 'a')], 4, seconds=seconds, rows=3)))
    assert [int(row[2]) for row in rows[1:]] == kept
    assert kept == store.rings['a'].read_window(seconds).seq.tolist()


@pytest.mark.parametrize('label', ['x', 'IMU z ' * 10, '\N{GRINNING FACE}' * 1000],
                         ids=['short', 'ascii-60', 'emoji-1000'])
def test_a_download_holds_no_more_than_its_part_of_the_budget(label):
    store = SampleStore(['s0', 's1'], capacity=50_000)
    for block in range(100):  # 1000 samples at a time, the series in turn
        first = store.committed + 1
        store.append_many(f's{block % 2}', np.arange(first, first + 1000) / 100,
                          np.linspace(-1e6, 1e6, 1000))
    rows = 0
    tracemalloc.start()  # numpy reports its buffers to tracemalloc too
    try:
        for chunk in csv_chunks(list(store.rings.values()), [('s0', label), ('s1', 'b')],
                                store.committed):
            rows += chunk.count(b'\r\n')
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == 1 + 100_000
    assert peak <= EXPORT_CHUNK_BYTES, f'{peak / 2**20:.2f} MB'
