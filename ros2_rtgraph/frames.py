# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
One frame of new samples for all clients: read, decimate, encode once.

The frame pump calls :func:`build_frame` at the frame rate and
:func:`encode_series_json` once per frame, so the cost of an extra browser is a
socket write, not a re-encode. Decimation keeps each bucket's first, min, max
and last sample: a one-sample spike survives however far a series is thinned,
which averaging or striding would not guarantee.
"""

from collections.abc import Sequence
from dataclasses import dataclass
import functools
import json
import math

import numpy as np

from ros2_rtgraph.ringbuffer import Samples
from ros2_rtgraph.ringbuffer import SampleStore

# Points per series in a snapshot or catch-up event: Rickshaw redraws 3 x 2k points in
# about 4 ms in headless Chromium, 3 x 10k in about 20 ms (DESIGN.md).
SNAPSHOT_POINTS = 2000


def decimate(t: np.ndarray, v: np.ndarray, max_points: int) -> np.ndarray:
    """
    Choose the samples to draw so that peaks and gaps survive thinning.

    The samples are split into buckets of ``ceil(n / (max_points // 4))``
    consecutive samples (the last bucket may be shorter). Each bucket keeps its
    finite min and max, its last sample, and its first non-finite sample if it
    has one, else its first sample: at most four, so the result fits the budget,
    and a NaN gap stays a gap. Buckets are by sample count, not time: a series
    arrives at a steady rate, and the rule stays exact when stamps jitter.

    A budget under four cannot hold one bucket: the whole input is one bucket and
    keeps, in this priority, its min, max, first non-finite, last and first sample.

    :param t: sample times (only checked against ``v``'s length).
    :param v: values, NaN and infinities allowed.
    :param max_points: most indices to return, at least 1.
    :return: sorted indices into ``v`` (int64); all of them when ``len(v) <= max_points``.
    """
    if max_points < 1:
        raise ValueError(f'max_points must be at least 1, got {max_points}')
    if len(t) != len(v):
        raise ValueError(f't and v differ in length: {len(t)} != {len(v)}')
    n = len(v)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    finite = np.isfinite(v)
    buckets = max_points // 4
    if buckets == 0:
        return _pick_few(v, finite, max_points)
    size = -(-n // buckets)
    rows = -(-n // size)
    pad = rows * size - n
    # Non-finite values (and the padding of the last bucket) must never win min or max.
    low = np.concatenate((np.where(finite, v, np.inf), np.full(pad, np.inf)))
    high = np.concatenate((np.where(finite, v, -np.inf), np.full(pad, -np.inf)))
    bad = np.concatenate((~finite, np.zeros(pad, dtype=bool)))
    low = low.reshape(rows, size)
    high = high.reshape(rows, size)
    bad = bad.reshape(rows, size)
    base = np.arange(rows, dtype=np.int64) * size
    # A bucket without finite values yields argmin = argmax = 0, its first sample: harmless.
    minimum = base + low.argmin(axis=1)
    maximum = base + high.argmax(axis=1)
    last = np.minimum(base + size - 1, n - 1)
    first = np.where(bad.any(axis=1), base + bad.argmax(axis=1), base)
    return np.unique(np.concatenate((first, minimum, maximum, last)))


def _pick_few(v: np.ndarray, finite: np.ndarray, max_points: int) -> np.ndarray:
    """Keep the ``max_points`` (< 4) most telling samples of ``v`` as one bucket."""
    candidates: list[int] = []
    if finite.any():
        masked = np.where(finite, v, np.nan)
        candidates += [int(np.nanargmin(masked)), int(np.nanargmax(masked))]
    if not finite.all():
        candidates.append(int(np.argmin(finite)))
    candidates += [len(v) - 1, 0]
    chosen = list(dict.fromkeys(candidates))[:max_points]
    return np.array(sorted(chosen), dtype=np.int64)


@dataclass(frozen=True)
class Frame:
    """New samples of all series between two sequence numbers, decimated per series."""

    lo: int  # the frame covers lo < seq <= hi
    hi: int
    series: dict[str, tuple[np.ndarray, np.ndarray]]  # id -> (t, v); no samples: omitted
    samples: int  # samples read before decimation
    decimated: dict[str, int]  # per series in `series`: samples dropped by decimation
    # Series in `series` whose ring overwrote samples after `lo` before they were read: a
    # reader that had everything up to `lo` is missing some, so the line breaks before these.
    lost: frozenset[str] = frozenset()


def _thin(samples: Samples, max_points: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Decimate one series' samples; return t, v and how many were dropped."""
    if len(samples.t) <= max_points:
        return samples.t, samples.v, 0
    keep = decimate(samples.t, samples.v, max_points)
    if len(keep) == len(samples.t):
        return samples.t, samples.v, 0
    return samples.t[keep], samples.v[keep], len(samples.t) - len(keep)


def _assemble(lo: int, hi: int, reads: dict[str, Samples], max_points: int,
              lost: frozenset[str] = frozenset()) -> Frame:
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    decimated: dict[str, int] = {}
    total = 0
    for series_id, samples in reads.items():
        if len(samples.seq) == 0:
            continue
        total += len(samples.seq)
        t, v, dropped = _thin(samples, max_points)
        series[series_id] = (t, v)
        decimated[series_id] = dropped
    return Frame(lo=lo, hi=hi, series=series, samples=total, decimated=decimated,
                 lost=lost & series.keys())


def build_frame(store: SampleStore, lo: int, hi: int, max_points: int) -> Frame:
    """
    Read every ring for ``lo < seq <= hi`` and decimate each series.

    :param store: the rings.
    :param lo: sequence number the previous frame ended at.
    :param hi: upper bound, normally ``store.committed`` read once before the call.
    :param max_points: budget per series.
    """
    reads = {sid: ring.read_since(lo, hi) for sid, ring in store.rings.items()}
    lost = frozenset(sid for sid, ring in store.rings.items() if ring.dropped_seq > lo)
    return _assemble(lo, hi, reads, max_points, lost)


def build_window(store: SampleStore, seconds: float, hi: int, max_points: int) -> Frame:
    """
    Read the last ``seconds`` of every series up to ``hi``, for a snapshot event.

    Each series' window ends at its own newest sample, since series may use
    different clocks (header stamps or receive time). The frame's ``lo`` is one
    below the oldest sequence number it holds (``hi`` when it holds nothing).

    :param store: the rings.
    :param seconds: window length.
    :param hi: upper sequence bound, normally ``store.committed``.
    :param max_points: budget per series, normally :data:`SNAPSHOT_POINTS`.
    """
    reads = {sid: ring.read_window(seconds, hi) for sid, ring in store.rings.items()}
    firsts = [int(s.seq[0]) for s in reads.values() if len(s.seq)]
    lo = min(firsts) - 1 if firsts else hi
    return _assemble(lo, hi, reads, max_points)


_GAP = ',"gap":true'


def _json_numbers(values: np.ndarray) -> str:
    """
    Format floats as a JSON array body; non-finite become ``null``.

    ``repr`` of a Python float is the shortest text that parses back to the same
    double, so no precision is lost; ``tolist`` + ``map`` keeps the loop in C.

    :return: the comma-separated numbers.
    """
    numbers = values.tolist()
    total = sum(numbers)  # finite only when every number is (else look at each)
    if total - total == 0.0:
        return ','.join(map(repr, numbers))
    return ','.join([repr(x) if math.isfinite(x) else 'null' for x in numbers])


@functools.lru_cache(maxsize=4096)
def _quoted(series_id: str) -> str:
    """Return a series id as a JSON string (ids are few and repeat in every frame)."""
    return json.dumps(series_id)


def encode_series_json(frame: Frame) -> str:
    """
    Encode a frame's series as strict JSON, the body of a ``data`` or ``snapshot`` event.

    ``{"series":{"s0":{"t":[...],"v":[...]}}}``, plus ``"gap":true`` in a series that
    lost samples after the frame's ``lo`` (:attr:`Frame.lost`); never ``NaN`` or ``Infinity``,
    which the browser's ``JSON.parse`` rejects: non-finite values become ``null``
    (a gap in a Rickshaw line chart). Times are always finite in practice; they
    get the same treatment so the output is strict whatever comes in.

    Non-finite values are counted where they arrive (the node sees every one; a frame
    holds only what decimation kept).
    """
    # The series of one topic share their times: each distinct time column is formatted once.
    times: dict[bytes, str] = {}
    parts = []
    for series_id, (t, v) in frame.series.items():
        key = t.tobytes()
        t_text = times.get(key)
        if t_text is None:
            t_text = times[key] = _json_numbers(t)
        parts.append(f'{_quoted(series_id)}:{{"t":[{t_text}],"v":[{_json_numbers(v)}]'
                     f'{_GAP if series_id in frame.lost else ""}}}')
    return '{"series":{' + ','.join(parts) + '}}'


#: Samples a bucket of a range keeps at most: its first, min, max and last (decimate()).
SAMPLES_PER_BUCKET = 4


def read_range(store: SampleStore, series_ids: Sequence[str], t0: float, t1: float,
               buckets: int, hi: int) -> dict[str, tuple[Samples, int]]:
    """
    Read the samples of a time span at full resolution, decimated to at most ``buckets``.

    What a zoomed view asks for (``/api/range``): every sample of the span when it holds
    fewer than ``buckets`` buckets' worth, else per bucket its first, min, max and last (the
    frames' rule, :func:`decimate`), so a 1 ms spike in a 40 s old span survives.

    :param series_ids: rings to read (a series without a ring, removed meanwhile, is left out).
    :param t0: start of the span, in the samples' time base (robot seconds), inclusive.
    :param t1: end of the span, inclusive.
    :param buckets: pixels of the view, say; at least 1.
    :param hi: upper sequence bound, normally ``store.committed`` read once before the call.
    :return: series id -> (the samples kept, with their sequence numbers; how many the span
        held).
    """
    rings = store.rings
    result = {}
    for sid in series_ids:
        ring = rings.get(sid)
        if ring is None:
            continue
        held = ring.read_span(t0, t1, hi)
        keep = decimate(held.t, held.v, buckets * SAMPLES_PER_BUCKET)
        result[sid] = (Samples(held.seq[keep], held.t[keep], held.v[keep]), len(held.t))
    return result


def encode_range_json(hi: int, ranges: dict[str, tuple[Samples, int]]) -> str:
    """
    Encode :func:`read_range`'s answer as strict JSON (non-finite values ``null``).

    ``{"hi":<seq>,"series":{"s0":{"t":[...],"v":[...],"seq":[...],"held":n}}}``: ``seq`` are
    the samples' sequence numbers, the stream's ids; ``held`` how many the span had before
    decimation.
    """
    parts = [f'{_quoted(sid)}:{{"t":[{_json_numbers(samples.t)}],'
             f'"v":[{_json_numbers(samples.v)}],'
             f'"seq":[{",".join(map(str, samples.seq.tolist()))}],"held":{held}}}'
             for sid, (samples, held) in ranges.items()]
    return f'{{"hi":{hi},"series":{{{",".join(parts)}}}}}'
