# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Sample rings: sequence numbers, wrap-around reads, bounded memory, concurrent readers."""

import sys
import threading
import time

from concurrency import failures_while
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import numpy as np
import pytest

from ros2_rtgraph.ringbuffer import SampleRing
from ros2_rtgraph.ringbuffer import SampleStore


def _arrays(ring: SampleRing) -> tuple[np.ndarray, ...]:
    # The preallocated storage, to prove it is never replaced or grown.
    return ring._seq, ring._t, ring._v


def test_sequence_numbers_are_global_and_start_at_one():
    store = SampleStore(['a', 'b'], capacity=4)
    assert store.committed == 0
    assert [store.append('a', 0.0, 1.0), store.append('b', 0.0, 2.0),
            store.append('a', 1.0, 3.0)] == [1, 2, 3]
    assert store.committed == 3
    a = store.rings['a'].read_since(0)
    assert a.seq.tolist() == [1, 3]
    assert a.t.tolist() == [0.0, 1.0]
    assert a.v.tolist() == [1.0, 3.0]
    assert (a.seq.dtype, a.t.dtype, a.v.dtype) == (np.int64, np.float64, np.float64)
    assert store.rings['b'].read_since(0).seq.tolist() == [2]


def test_empty_ring_reads_empty_arrays():
    ring = SampleStore(['a'], capacity=3).rings['a']
    for samples in (ring.read_since(0), ring.read_since(0, 5), ring.read_window(10.0)):
        assert [len(x) for x in samples] == [0, 0, 0]
        assert samples.seq.dtype == np.int64
    assert len(ring) == 0


@pytest.mark.parametrize(('since', 'upto', 'expected'), [
    # The ring holds seq 3..7 after 7 appends into capacity 5 (1 and 2 overwritten).
    (0, None, [3, 4, 5, 6, 7]),
    (2, None, [3, 4, 5, 6, 7]),
    (4, None, [5, 6, 7]),
    (7, None, []),
    (99, None, []),
    (0, 5, [3, 4, 5]),
    (3, 6, [4, 5, 6]),
    (5, 5, []),
    (6, 4, []),
    (0, 2, []),
    (-5, 100, [3, 4, 5, 6, 7]),
])
def test_read_since_bounds_across_the_wrap(since, upto, expected):
    store = SampleStore(['a'], capacity=5)
    for i in range(1, 8):
        store.append('a', i * 10.0, -i)
    got = store.rings['a'].read_since(since, upto)
    assert got.seq.tolist() == expected
    assert got.t.tolist() == [s * 10.0 for s in expected]
    assert got.v.tolist() == [-s for s in expected]


@pytest.mark.parametrize(('since', 'upto', 'limit', 'expected', 'last'), [
    # The same ring: seq 3..7 held; the oldest `limit` of a read, and the newest up to `upto`.
    (0, None, 2, [3, 4], [7]),
    (4, None, 1, [5], [7]),
    (4, 6, 5, [5, 6], [6]),
    (0, None, 0, [], [7]),
    (7, None, 1, [], [7]),
    (0, 2, 1, [], []),
])
def test_read_since_limit_and_read_last_across_the_wrap(since, upto, limit, expected, last):
    store = SampleStore(['a'], capacity=5)
    for i in range(1, 8):
        store.append('a', i * 10.0, -i)
    ring = store.rings['a']
    assert ring.read_since(since, upto, limit=limit).seq.tolist() == expected
    newest = ring.read_last(upto)
    assert (newest.seq.tolist(), newest.t.tolist()) == (last, [s * 10.0 for s in last])


def test_counts_and_length_when_full():
    store = SampleStore(['a'], capacity=3)
    ring = store.rings['a']
    for i in range(5):
        store.append('a', float(i), float(i))
    assert (ring.capacity, len(ring), ring.appended, ring.overwritten) == (3, 3, 5, 2)


def test_reads_are_copies():
    store = SampleStore(['a'], capacity=3)
    store.append('a', 1.0, 1.0)
    got = store.rings['a'].read_since(0)
    store.append('a', 2.0, 2.0)
    store.append('a', 3.0, 3.0)
    store.append('a', 4.0, 4.0)  # overwrites the slot `got` came from
    assert got.v.tolist() == [1.0]


@pytest.mark.parametrize(('seconds', 'upto', 'expected'), [
    (2.5, None, [8, 9, 10]),   # newest t = 10, keep t >= 7.5
    (0.0, None, [10]),
    (100.0, None, [3, 4, 5, 6, 7, 8, 9, 10]),  # only what the ring still holds
    (2.0, 6, [4, 5, 6]),       # the window ends at the newest sample <= upto
    (2.0, 2, []),              # everything <= 2 was overwritten
])
def test_read_window(seconds, upto, expected):
    store = SampleStore(['a'], capacity=8)
    for i in range(1, 11):
        store.append('a', float(i), i * 2.0)
    got = store.rings['a'].read_window(seconds, upto)
    assert got.seq.tolist() == expected
    assert got.t.tolist() == [float(s) for s in expected]
    assert got.v.tolist() == [s * 2.0 for s in expected]


@pytest.mark.parametrize(('t0', 't1', 'upto', 'expected'), [
    (4.0, 6.0, None, [4, 5, 6]),   # both ends included, across the wrap (capacity 8)
    (0.0, 100.0, None, [3, 4, 5, 6, 7, 8, 9, 10]),  # only what the ring still holds
    (9.5, 9.6, None, []),
    (4.0, 100.0, 6, [4, 5, 6]),    # nothing after upto
    (1.0, 2.0, None, []),          # overwritten
])
def test_read_span(t0, t1, upto, expected):
    store = SampleStore(['a'], capacity=8)
    for i in range(1, 11):
        store.append('a', float(i), i * 2.0)
    got = store.rings['a'].read_span(t0, t1, upto)
    assert got.seq.tolist() == expected
    assert got.v.tolist() == [s * 2.0 for s in expected]


def test_read_span_compares_times_that_are_out_of_order():
    store = SampleStore(['a'], capacity=8)
    for t in (1.0, 5.0, 2.0, 4.5, 3.0, 5.5):
        store.append('a', t, t)
    assert store.rings['a'].read_span(2.0, 4.5).t.tolist() == [2.0, 4.5, 3.0]  # in seq order


def test_read_window_compares_times_that_are_out_of_order():
    store = SampleStore(['a'], capacity=8)
    for t in (1.0, 5.0, 2.0, 4.5, 3.0, 5.5):
        store.append('a', t, t)
    # Newest t = 5.5, cutoff 3.0: a stamp that stepped back (2.0) is left out, later ones kept.
    assert store.rings['a'].read_window(2.5).t.tolist() == [5.0, 4.5, 3.0, 5.5]


def test_append_many_numbers_consecutively_and_keeps_only_capacity():
    store = SampleStore(['a', 'b'], capacity=4)
    store.append('a', 0.0, 0.0)
    assert store.append_many('b', np.array([1.0, 2.0]), np.array([10.0, 20.0])) == 3
    assert store.append_many('b', [], []) == 3
    assert store.append_many('a', np.arange(6.0), np.arange(6.0) * 2) == 9
    assert store.committed == 9
    a = store.rings['a']
    assert a.read_since(0).seq.tolist() == [6, 7, 8, 9]
    assert a.read_since(0).v.tolist() == [4.0, 6.0, 8.0, 10.0]
    assert (a.appended, a.overwritten, len(a)) == (7, 3, 4)
    assert store.rings['b'].read_since(0).seq.tolist() == [2, 3]


@pytest.mark.parametrize(('args', 'error', 'match'), [
    ((['a', 'a'], 4), ValueError, 'duplicate'),
    ((['a'], 0), ValueError, 'capacity must be at least 1'),
])
def test_store_rejects_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        SampleStore(*args)


def test_unknown_series_and_mismatched_batch_are_rejected():
    store = SampleStore(['a'], capacity=4)
    with pytest.raises(KeyError):
        store.append('nope', 0.0, 0.0)
    with pytest.raises(ValueError, match=r'1 columns of lengths \[2\] for 1 series at 3 times'):
        store.append_many('a', np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match='2 columns .* for 1 series'):
        store.append_columns(['a'], [0.0], [[1.0], [2.0]])
    with pytest.raises(ValueError, match='t must be 1-d'):
        store.append_columns(['a'], np.zeros((9, 1)), [np.zeros(9)])
    assert store.committed == 0


def test_columns_of_several_series_are_numbered_series_after_series():
    store = SampleStore(['a', 'b', 'c'], capacity=20)
    store.append('c', 0.5, 9.0)
    for count in (2, 12):  # element writes, then slice copies
        start = store.committed
        times = [float(i) for i in range(count)]
        last = store.append_columns(['b', 'a'], times, [[1.0] * count, np.full(count, 2.0)])
        assert last == store.committed == start + 2 * count
        b, a = store.rings['b'].read_since(start), store.rings['a'].read_since(start)
        assert b.seq.tolist() == list(range(start + 1, start + count + 1))
        assert a.seq.tolist() == list(range(start + count + 1, start + 2 * count + 1))
        assert a.t.tolist() == b.t.tolist() == times
        assert (b.v.tolist(), a.v.tolist()) == ([1.0] * count, [2.0] * count)


# One step of a writer/reader history: ('one', series, count) appends one at a time,
# ('many', series, count) appends a batch, ('read', reader) reads every ring up to committed.
_steps = st.lists(st.one_of(
    st.tuples(st.sampled_from(['one', 'many']), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just('read'), st.integers(0, 1)),
), max_size=60)


@settings(max_examples=150, deadline=None)
@given(capacity=st.integers(1, 8), steps=_steps)
def test_rings_match_a_list_model(capacity, steps):
    ids = ['a', 'b', 'c']
    store = SampleStore(ids, capacity)
    storage = {sid: _arrays(store.rings[sid]) for sid in ids}
    nbytes = {sid: [a.nbytes for a in arrays] for sid, arrays in storage.items()}
    model: dict[str, list[int]] = {sid: [] for sid in ids}  # every seq ever appended
    cursors = [0, 0]
    seq = 0
    for step in steps:
        if step[0] == 'read':
            reader = step[1]
            upto = store.committed
            for sid in ids:
                got = store.rings[sid].read_since(cursors[reader], upto)
                held = model[sid][-capacity:]
                # Nothing that is still held and newer than the cursor is lost.
                assert got.seq.tolist() == [s for s in held if cursors[reader] < s <= upto]
            cursors[reader] = upto
            continue
        kind, index, count = step
        sid = ids[index]
        new = list(range(seq + 1, seq + count + 1))
        if kind == 'one':
            for s in new:
                assert store.append(sid, s * 0.5, -s) == s
        else:
            store.append_many(sid, np.array(new) * 0.5, -np.array(new, dtype=float))
        seq += count
        model[sid] += new
        assert store.committed == seq
    for sid in ids:
        ring = store.rings[sid]
        got = ring.read_since(0)
        assert got.seq.tolist() == model[sid][-capacity:]
        assert got.t.tolist() == [s * 0.5 for s in got.seq.tolist()]
        assert got.v.tolist() == [-float(s) for s in got.seq.tolist()]
        assert len(ring) == min(capacity, len(model[sid])) <= capacity
        assert ring.appended == len(model[sid])
        assert ring.overwritten == max(0, len(model[sid]) - capacity)
        # The newest sample lost to the ring's capacity, which tells a reader of a hole.
        assert ring.dropped_seq == max(model[sid][:-capacity], default=0)
        assert all(a is b for a, b in zip(_arrays(ring), storage[sid], strict=True))
        assert [a.nbytes for a in _arrays(ring)] == nbytes[sid]


def _check_samples(samples, lo: int, hi: int) -> list[int]:
    """Assert samples are untorn, strictly increasing and inside (lo, hi]; return the seqs."""
    seqs = samples.seq.tolist()
    assert len(samples.t) == len(samples.v) == len(seqs)
    assert samples.t.tolist() == [s * 0.25 for s in seqs]  # t and v encode the seq:
    assert samples.v.tolist() == [-float(s) for s in seqs]  # a torn slot cannot match
    assert seqs == sorted(set(seqs))
    assert all(lo < s <= hi for s in seqs)
    return seqs


@pytest.fixture
def fast_thread_switching():
    """Switch threads every 10 µs so readers and the writer really interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


@pytest.mark.usefixtures('fast_thread_switching')
@settings(max_examples=25, deadline=None)
@given(capacity=st.sampled_from([3, 16, 5000]),
       batches=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 40)), min_size=1,
                        max_size=40))
def test_concurrent_writer_and_readers_see_consistent_samples(capacity, batches):
    ids = ['a', 'b', 'c']
    store = SampleStore(ids, capacity)
    # The writer's schedule decides which seq goes to which ring.
    schedule: dict[str, list[int]] = {sid: [] for sid in ids}
    seq = 0
    for index, count in batches:
        schedule[ids[index]] += range(seq + 1, seq + count + 1)
        seq += count
    total = seq
    errors: list[BaseException] = []
    seen: list[dict[str, list[int]]] = []

    def write():
        next_seq = 1
        for n, (index, count) in enumerate(batches):
            numbers = np.arange(next_seq, next_seq + count)
            if n % 2:  # mix single appends and batches
                store.append_many(ids[index], numbers * 0.25, -numbers.astype(float))
            else:
                for s in numbers.tolist():
                    store.append(ids[index], s * 0.25, -float(s))
            next_seq += count

    def read():
        got: dict[str, list[int]] = {sid: [] for sid in ids}
        cursor = 0
        deadline = time.monotonic() + 60
        try:
            while cursor < total:
                assert time.monotonic() < deadline, 'the writer never committed everything'
                upto = store.committed
                assert upto >= cursor
                for sid in ids:
                    ring = store.rings[sid]
                    seqs = _check_samples(ring.read_since(cursor, upto), cursor, upto)
                    # What a read returns is the newest part of what the ring got in
                    # (cursor, upto]: older ones may be overwritten, none skipped in between.
                    expected = [s for s in schedule[sid] if cursor < s <= upto]
                    assert seqs == expected[len(expected) - len(seqs):]
                    if capacity >= total:
                        assert seqs == expected
                    got[sid] += seqs
                    _check_samples(ring.read_window(1.0, upto), -1, upto)
                    assert len(ring) <= capacity
                cursor = upto
        except BaseException as error:  # noqa: BLE001 reported to the main thread below
            errors.append(error)
        seen.append(got)

    threads = [threading.Thread(target=read) for _ in range(2)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]
    assert len(seen) == 2
    for got in seen:
        for sid in ids:
            assert len(got[sid]) == len(set(got[sid]))  # none twice
            assert set(got[sid]) <= set(schedule[sid])
            if capacity >= total:
                assert got[sid] == schedule[sid]  # none missing when nothing is overwritten
    for sid in ids:
        ring = store.rings[sid]
        assert ring.appended == len(schedule[sid])
        assert ring.overwritten == max(0, len(schedule[sid]) - capacity)


def test_each_store_has_its_own_epoch():
    first, second = SampleStore(['s0'], 4), SampleStore(['s0'], 4)
    assert first.epoch != second.epoch
    assert len(first.epoch) == 16


def test_a_ring_added_takes_the_store_capacity_and_the_next_sequence_numbers():
    store = SampleStore(['s0'], 4)
    store.append('s0', 0.0, 1.0)
    ring = store.add_ring('s0.0')
    assert store.rings['s0.0'] is ring and ring.capacity == 4 and len(ring) == 0
    assert store.append_many('s0.0', [1.0, 2.0], [5.0, 6.0]) == 3
    assert store.rings['s0.0'].read_since(0).seq.tolist() == [2, 3]
    with pytest.raises(ValueError, match='s0.0'):
        store.add_ring('s0.0')


def test_rings_added_while_another_thread_reads_every_ring():
    """The writer adds rings while the pump iterates them: never 'dictionary changed size'."""
    store = SampleStore(['s0'], 8)

    def read() -> None:
        upto = store.committed
        for ring in store.rings.values():
            ring.read_since(0, upto)

    def write() -> None:
        for n in range(3000):
            store.add_ring(f's0.{n}')
            store.append(f's0.{n}', float(n), float(n))

    failures = failures_while(read, write)
    assert not failures, failures
    assert len(store.rings) == 3001 and store.committed == 3000
