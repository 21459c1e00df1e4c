# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Frames: peak-preserving decimation, frames from real rings, strict JSON."""

import json
import math

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
import numpy as np
import pytest

from ros2_rtgraph.frames import build_frame
from ros2_rtgraph.frames import build_window
from ros2_rtgraph.frames import decimate
from ros2_rtgraph.frames import encode_range_json
from ros2_rtgraph.frames import encode_series_json
from ros2_rtgraph.frames import Frame
from ros2_rtgraph.frames import read_range
from ros2_rtgraph.frames import SNAPSHOT_POINTS
from ros2_rtgraph.ringbuffer import SampleStore

NAN = math.nan
INF = math.inf


def _decimate(values: list[float], max_points: int) -> list[int]:
    v = np.array(values, dtype=np.float64)
    return decimate(np.arange(len(v), dtype=np.float64), v, max_points).tolist()


@pytest.mark.parametrize(('values', 'max_points', 'expected'), [
    # Within budget: everything, untouched.
    ([], 4, []),
    ([3.0, NAN, 1.0], 3, [0, 1, 2]),
    ([1.0, 2.0], 500, [0, 1]),
    # Two buckets of 4 (budget 8 -> 2 buckets): first, min, max, last of each.
    ([5.0, 1.0, 9.0, 6.0, 7.0, 8.0, 2.0, 3.0, 4.0], 8, [0, 1, 2, 4, 5, 6, 8]),
    # A NaN inside a bucket replaces its first sample, so the gap survives.
    ([5.0, 1.0, NAN, 9.0, 6.0, 2.0, 3.0, 4.0], 4, [1, 2, 3, 7]),
    # A bucket of only NaN keeps its first and last.
    ([NAN] * 5 + [1.0, 2.0, 3.0, 4.0, 5.0], 8, [0, 4, 5, 9]),
    # Infinities are non-finite like NaN: never a min or max.
    ([1.0, INF, -INF, 2.0, 0.5, 3.0], 4, [1, 4, 5]),
    # Budgets under four: one bucket; min, max, first non-finite, last, first by priority.
    ([4.0, 9.0, 1.0, 5.0], 1, [2]),
    ([4.0, 9.0, 1.0, 5.0], 2, [1, 2]),
    ([4.0, 9.0, 1.0, 5.0], 3, [1, 2, 3]),
    ([4.0, 9.0, NAN, 1.0, 5.0], 3, [1, 2, 3]),
    ([NAN, NAN, NAN, NAN], 3, [0, 3]),
    ([NAN, NAN, NAN, NAN], 1, [0]),
])
def test_decimate_table(values, max_points, expected):
    assert _decimate(values, max_points) == expected


def test_decimate_keeps_a_single_sample_spike():
    v = np.sin(np.linspace(0, 20, 10_000))
    v[6_789] = 50.0
    v[1_234] = -50.0
    keep = decimate(np.arange(10_000.0), v, 100)
    assert len(keep) <= 100
    assert {1_234, 6_789} <= set(keep.tolist())


@pytest.mark.parametrize(('t', 'v', 'max_points', 'match'), [
    (np.zeros(3), np.zeros(3), 0, 'at least 1'),
    (np.zeros(2), np.zeros(3), 4, 'differ in length'),
])
def test_decimate_rejects_bad_arguments(t, v, max_points, match):
    with pytest.raises(ValueError, match=match):
        decimate(t, v, max_points)


_values = hnp.arrays(np.float64, st.integers(0, 400),
                     elements=st.floats(allow_nan=True, allow_infinity=True, width=64)
                     | st.sampled_from([NAN, 0.0, 1.0]))


@settings(max_examples=300, deadline=None)
@given(v=_values, max_points=st.integers(1, 80))
def test_decimate_properties(v, max_points):
    n = len(v)
    keep = decimate(np.arange(n, dtype=np.float64), v, max_points)
    assert keep.dtype == np.int64
    kept = keep.tolist()
    assert len(kept) <= max_points
    assert kept == sorted(set(kept))  # order kept, no duplicates
    assert all(0 <= i < n for i in kept)  # a subset of the input
    if n <= max_points:
        assert kept == list(range(n))
        return
    finite = np.isfinite(v)
    buckets = max_points // 4
    if buckets == 0:
        if max_points >= 2 and finite.any():
            assert v[keep].max(initial=-INF, where=finite[keep]) == v[finite].max()
            assert v[keep].min(initial=INF, where=finite[keep]) == v[finite].min()
        return
    size = -(-n // buckets)  # the documented bucket rule
    kept_set = set(kept)
    for start in range(0, n, size):
        stop = min(start + size, n)
        inside = [i for i in kept if start <= i < stop]
        assert stop - 1 in kept_set  # the last sample
        good = finite[start:stop]
        if good.any():  # the finite min and max survive (by value: ties may pick either)
            kept_good = [v[i] for i in inside if finite[i]]
            assert min(kept_good) == v[start:stop][good].min()
            assert max(kept_good) == v[start:stop][good].max()
        if good.all():
            assert start in kept_set  # the first sample
        else:
            assert any(not finite[i] for i in inside)  # the gap survives


def _store_with(samples: list[tuple[str, float, float]], capacity: int = 100) -> SampleStore:
    store = SampleStore(['s0', 's1', 's2'], capacity)
    for series_id, t, v in samples:
        store.append(series_id, t, v)
    return store


def test_build_frame_reads_between_bounds_and_omits_quiet_series():
    store = _store_with([('s0', 1.0, 10.0), ('s1', 1.0, 20.0), ('s0', 2.0, 11.0),
                         ('s0', 3.0, 12.0), ('s1', 3.0, 21.0)])
    frame = build_frame(store, 2, 4, max_points=500)
    assert (frame.lo, frame.hi, frame.samples) == (2, 4, 2)
    assert list(frame.series) == ['s0']  # s1's seq 5 is above hi, s2 has nothing
    t, v = frame.series['s0']
    assert (t.tolist(), v.tolist()) == ([2.0, 3.0], [11.0, 12.0])
    assert frame.decimated == {'s0': 0}
    empty = build_frame(store, 5, 5, max_points=500)
    assert (empty.series, empty.samples, empty.decimated) == ({}, 0, {})


def test_build_frame_decimates_each_series_to_the_budget():
    store = _store_with([('s0', float(i), float(i % 7)) for i in range(100)]
                        + [('s2', 0.0, 1.0)])
    frame = build_frame(store, 0, store.committed, max_points=8)
    t, v = frame.series['s0']
    assert len(t) == len(v) <= 8
    assert (t[0], t[-1]) == (0.0, 99.0)
    assert frame.samples == 101
    assert frame.decimated == {'s0': 100 - len(t), 's2': 0}


def test_a_frame_marks_the_series_whose_ring_lost_samples_after_its_lo():
    store = _store_with([('s0', float(i), float(i)) for i in range(10)]
                        + [('s1', 100.0, 1.0)], capacity=4)  # s0 keeps seq 7..10 only
    # A reader that had everything up to seq 3 misses s0's seq 4..6: a hole before its data.
    behind = build_frame(store, 3, store.committed, max_points=500)
    assert behind.lost == {'s0'}
    assert behind.series['s0'][0].tolist() == [6.0, 7.0, 8.0, 9.0]
    assert '"s0":{"t":[6.0,7.0,8.0,9.0],"v":[6.0,7.0,8.0,9.0],"gap":true}' in (
        encode_series_json(behind))
    assert '"s1":{"t":[100.0],"v":[1.0]}' in encode_series_json(behind)
    # A reader that had up to seq 6 misses nothing.
    assert build_frame(store, 6, store.committed, max_points=500).lost == frozenset()


def test_build_window_takes_each_series_newest_seconds():
    store = _store_with([('s0', float(i), float(i)) for i in range(10)]
                        + [('s1', 1000.0 + i, -float(i)) for i in range(3)])
    frame = build_window(store, 2.0, store.committed, SNAPSHOT_POINTS)
    assert frame.series['s0'][0].tolist() == [7.0, 8.0, 9.0]
    assert frame.series['s1'][0].tolist() == [1000.0, 1001.0, 1002.0]  # its own clock
    assert 's2' not in frame.series
    assert (frame.lo, frame.hi, frame.samples) == (7, 13, 6)  # lo: one below seq 8
    upto = build_window(store, 2.0, 5, SNAPSHOT_POINTS)
    assert upto.series['s0'][1].tolist() == [2.0, 3.0, 4.0]
    nothing = build_window(SampleStore(['s0'], 4), 2.0, 0, SNAPSHOT_POINTS)
    assert (nothing.lo, nothing.hi, nothing.series) == (0, 0, {})


def _frame(series: dict[str, tuple[list[float], list[float]]]) -> Frame:
    arrays = {sid: (np.array(t, dtype=np.float64), np.array(v, dtype=np.float64))
              for sid, (t, v) in series.items()}
    return Frame(lo=0, hi=1, series=arrays, samples=0, decimated={})


@pytest.mark.parametrize(('series', 'text'), [
    ({}, '{"series":{}}'),
    ({'s0': ([1.0, 2.5], [-0.0, 3.0])},
     '{"series":{"s0":{"t":[1.0,2.5],"v":[-0.0,3.0]}}}'),
    ({'s0': ([1.0, 2.0, 3.0], [NAN, INF, -INF]), 's1': ([], [])},
     '{"series":{"s0":{"t":[1.0,2.0,3.0],"v":[null,null,null]},"s1":{"t":[],"v":[]}}}'),
    ({'s0': ([1e-05, 1e+16], [0.1, 1e300])},
     '{"series":{"s0":{"t":[1e-05,1e+16],"v":[0.1,1e+300]}}}'),
    # Times are always finite from ROS; the output stays strict even if one is not.
    ({'s0': ([NAN], [1.0])}, '{"series":{"s0":{"t":[null],"v":[1.0]}}}'),
    # Ids are JSON-escaped.
    ({'a"\\b': ([1.0], [2.0])}, '{"series":{"a\\"\\\\b":{"t":[1.0],"v":[2.0]}}}'),
])
def test_encode_series_json_table(series, text):
    assert encode_series_json(_frame(series)) == text


def _strict_loads(text: str):
    def reject(name: str):
        raise AssertionError(f'non-strict JSON constant {name}')
    return json.loads(text, parse_constant=reject)


_floats = st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=50)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.text(max_size=5), st.tuples(_floats, _floats), max_size=4))
def test_encode_series_json_is_strict_and_exact(data):
    series = {sid: (t, v[:len(t)] + t[len(v):]) for sid, (t, v) in data.items()}  # same length
    text = encode_series_json(_frame(series))
    decoded = _strict_loads(text)['series']
    assert list(decoded) == list(series)
    for sid, (t, v) in series.items():
        def wire(values: list[float]) -> list[float | None]:
            return [x if math.isfinite(x) else None for x in values]
        # Same doubles back, bit for bit (repr round-trips); non-finite -> null.
        assert decoded[sid]['t'] == wire(t)
        assert decoded[sid]['v'] == wire(v)


def _imu_store(count: int = 40_000) -> SampleStore:
    """Return a store with a 1 kHz series of 40 s holding one single-sample spike at 10 s."""
    store = SampleStore(['imu', 'other'], capacity=count)
    t = np.arange(count) / 1000.0
    v = np.sin(t)
    v[10_000] = 27.3
    store.append_many('imu', t, v)
    return store


def test_a_range_with_fewer_samples_than_buckets_is_every_sample():
    store = _imu_store()
    ranges = read_range(store, ['imu'], 9.99, 10.01, 800, store.committed)
    samples, held = ranges['imu']
    assert held == len(samples.t) == 21  # 9.990 ... 10.010, every one
    assert 27.3 in samples.v.tolist() and samples.seq.tolist() == list(range(9991, 10012))


def test_a_long_range_is_decimated_per_bucket_and_a_one_sample_spike_survives():
    store = _imu_store()
    samples, held = read_range(store, ['imu'], 0.0, 40.0, 100, store.committed)['imu']
    assert held == 40_000 and len(samples.t) <= 4 * 100
    assert samples.v.max() == 27.3  # the spike: 1 sample in 40000
    assert np.all(np.diff(samples.seq) > 0) and np.all((samples.t >= 0) & (samples.t <= 40))


def test_a_range_leaves_out_series_without_a_ring_and_ends_at_hi():
    store = _imu_store()
    hi = 500
    ranges = read_range(store, ['imu', 'gone', 'other'], 0.0, 40.0, 1000, hi)
    assert set(ranges) == {'imu', 'other'} and ranges['other'][1] == 0
    assert ranges['imu'][0].seq.max() == hi


def test_a_range_encodes_as_strict_json_with_nulls():
    store = SampleStore(['a'], capacity=4)
    store.append_many('a', [1.0, 2.0, 3.0], [0.5, math.nan, -math.inf])
    text = encode_range_json(7, read_range(store, ['a'], 0.0, 5.0, 10, store.committed))
    assert json.loads(text, parse_constant=lambda name: pytest.fail(name)) == {
        'hi': 7, 'series': {'a': {'t': [1.0, 2.0, 3.0], 'v': [0.5, None, None],
                                  'seq': [1, 2, 3], 'held': 3}}}
