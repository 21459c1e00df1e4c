# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Fixed-capacity sample rings, one per series, with a global sequence number.

The rings are the source of truth for everything the browser sees: live frames,
snapshots and catch-up after a reconnect all read from them. Invariants:

- Memory is bounded for ever: each ring preallocates three numpy arrays of
  ``capacity`` elements (seq int64, t float64, v float64) and never reallocates;
  a full ring overwrites its oldest sample, counts it in ``overwritten`` and remembers
  the sequence number of the newest sample it lost in ``dropped_seq``.
- Every sample gets a sequence number from one counter shared by all rings of a
  :class:`SampleStore`: they start at 1 and strictly increase, so one number (the
  SSE event id) says how far a client got in every series at once.
- ``SampleStore.committed`` advances only after the sample is in its ring. A
  reader that reads every ring with ``upto=store.committed`` and later reads
  again since that bound never misses a sample that is still in a ring.

Threads: there is exactly **one writer thread** (the ROS executor thread) that
calls :meth:`SampleStore.append` and :meth:`SampleStore.append_many`; the
counter is not locked because only that thread moves it, and it is published
only after the ring's lock was released, so a reader that saw ``committed = n``
finds sample ``n`` when it takes that lock. Any number of reader
threads may call :attr:`SampleStore.committed`, :meth:`SampleRing.read_since`,
:meth:`SampleRing.read_last`, :meth:`SampleRing.read_window`, ``len()``, ``appended``
and ``overwritten``.
Readers get copies, never views into a ring.

Rings can be added while readers run (:meth:`SampleStore.add_ring`, the writer thread only):
the ``rings`` mapping is replaced by a new one, never changed in place, so a reader iterating
the mapping it read goes on over that one.
"""

from collections.abc import Collection
from collections.abc import Sequence
import secrets
import threading
from typing import NamedTuple

import numpy as np

from ros2_rtgraph.config import Config

#: Batches up to this many samples are written element by element (cheaper than slicing).
FEW = 8


class Samples(NamedTuple):
    """Samples of one series in sequence order (copies, safe to keep)."""

    seq: np.ndarray  # int64
    t: np.ndarray  # float64, seconds
    v: np.ndarray  # float64


class SampleRing:
    """
    The newest ``capacity`` samples of one series, in a circular buffer.

    Created by :class:`SampleStore`, which hands out the sequence numbers.
    """

    def __init__(self, capacity: int):
        """
        Preallocate the ring.

        :param capacity: samples kept; the oldest is overwritten beyond that.
        """
        if capacity < 1:
            raise ValueError(f'capacity must be at least 1, got {capacity}')
        self.capacity = capacity
        self.appended = 0
        self.overwritten = 0
        #: Sequence number of the newest sample overwritten (0: none): a reader that had
        #: everything up to ``seq`` finds a hole in this series when ``dropped_seq > seq``.
        self.dropped_seq = 0
        self._seq = np.zeros(capacity, dtype=np.int64)
        self._t = np.zeros(capacity, dtype=np.float64)
        self._v = np.zeros(capacity, dtype=np.float64)
        self._head = 0  # physical index the next sample goes to
        self._size = 0
        # Guards the arrays and the indices above: a reader copying out must not see
        # a half-written slot (seq of one sample with t/v of another), and the writer
        # must not move the head while a reader maps logical to physical indices.
        # One lock per ring keeps readers of one series from stalling another's writes.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def _put_few(self, first_seq: int, t: Sequence[float] | np.ndarray,
                 v: Sequence[float] | np.ndarray) -> None:
        """
        Write ``len(t)`` samples numbered from ``first_seq``, one by one (writer thread only).

        For a few samples, element writes cost less than numpy's slicing of small arrays.
        """
        with self._lock:
            head, size, capacity = self._head, self._size, self.capacity
            seqs, times, values = self._seq, self._t, self._v
            for index in range(len(t)):
                if size < capacity:
                    size += 1
                else:
                    self.overwritten += 1
                    self.dropped_seq = int(seqs[head])  # the oldest, about to be replaced
                seqs[head] = first_seq + index
                times[head] = t[index]
                values[head] = v[index]
                head = head + 1 if head + 1 < capacity else 0
            self._head, self._size = head, size
            self.appended += len(t)

    def _put_many(self, first_seq: int, t: np.ndarray, v: np.ndarray) -> None:
        """Write ``len(t)`` samples numbered from ``first_seq`` (writer thread only)."""
        n = len(t)
        capacity = self.capacity
        # Only the newest `capacity` samples can survive the write: skip the others.
        skip = max(0, n - capacity)
        seq = np.arange(first_seq + skip, first_seq + n, dtype=np.int64)
        t = t[skip:]
        v = v[skip:]
        kept = n - skip
        with self._lock:
            head = self._head
            lost = self._size + n - capacity  # old and skipped new samples that do not fit
            if skip:
                self.dropped_seq = first_seq + skip - 1
            elif lost > 0:  # the newest of the old samples that this write replaces
                self.dropped_seq = int(self._seq[(head - self._size + lost - 1) % capacity])
            first = min(kept, capacity - head)  # up to the physical end of the arrays
            rest = kept - first
            self._seq[head:head + first] = seq[:first]
            self._t[head:head + first] = t[:first]
            self._v[head:head + first] = v[:first]
            self._seq[:rest] = seq[first:]
            self._t[:rest] = t[first:]
            self._v[:rest] = v[first:]
            self._head = (head + kept) % capacity
            total = self._size + n
            self._size = min(total, capacity)
            self.overwritten += total - self._size
            self.appended += n

    def _count_upto(self, seq: int) -> int:
        """Return how many held samples have a sequence number <= seq (lock held)."""
        size = self._size
        start = self._head - size
        if start >= 0:
            return int(np.searchsorted(self._seq[start:self._head], seq, side='right'))
        # Wrapped: the older part sits at the end of the arrays, the newer at the front.
        # Each part is sorted, so the counts add up.
        older = self._seq[start + self.capacity:]
        newer = self._seq[:self._head]
        return int(np.searchsorted(older, seq, side='right')
                   + np.searchsorted(newer, seq, side='right'))

    def _ordered(self, array: np.ndarray, first: int, stop: int) -> np.ndarray:
        """Copy logical indices [first, stop) of one array out in order, 0 = oldest (lock held)."""
        capacity = self.capacity
        lo = self._head - self._size + first  # >= -capacity, < capacity
        if lo < 0:
            lo += capacity
        hi = lo + stop - first
        if hi <= capacity:
            return array[lo:hi].copy()
        return np.concatenate((array[lo:], array[:hi - capacity]))

    def _copy(self, first: int, stop: int) -> Samples:
        """Copy logical indices [first, stop) of all three arrays out in order (lock held)."""
        return Samples(self._ordered(self._seq, first, stop), self._ordered(self._t, first, stop),
                       self._ordered(self._v, first, stop))

    def read_since(self, seq: int, upto: int | None = None, limit: int | None = None) -> Samples:
        """
        Return the held samples with ``seq < s <= upto``, oldest first.

        :param seq: exclusive lower bound, e.g. the last sequence number a client has.
        :param upto: inclusive upper bound, normally ``store.committed`` read once for
            all rings; ``None`` means everything held.
        :param limit: at most this many samples, the oldest of them; ``None``: no limit.
        """
        with self._lock:
            first = self._count_upto(seq)
            stop = self._size if upto is None else self._count_upto(upto)
            if limit is not None:
                stop = min(stop, first + limit)
            return self._copy(first, max(first, stop))

    def read_last(self, upto: int | None = None) -> Samples:
        """
        Return the newest held sample with ``s <= upto`` (none if there is none).

        :param upto: inclusive upper bound; ``None`` means everything held.
        """
        with self._lock:
            stop = self._size if upto is None else self._count_upto(upto)
            return self._copy(max(0, stop - 1), stop)

    def read_window(self, seconds: float, upto: int | None = None) -> Samples:
        """
        Return the held samples with ``t >= newest_t - seconds``, oldest first.

        ``newest_t`` is the time of the newest sample with ``seq <= upto``. Times are
        compared, not assumed sorted, so a stamp that steps back does not cut the
        window short; samples stamped after ``newest_t`` (a clock reset) stay in it
        until the ring overwrites them.

        :param seconds: window length.
        :param upto: inclusive upper sequence bound; ``None`` means everything held.
        """
        with self._lock:
            stop = self._size if upto is None else self._count_upto(upto)
            if stop == 0:
                return self._copy(0, 0)
            t = self._ordered(self._t, 0, stop)
            keep = t >= t[-1] - seconds
            start = int(np.argmax(keep))
            if keep[start:].all():
                # The usual case, times in order: the window is one run of the newest samples.
                return self._copy(start, stop)
            seq = self._ordered(self._seq, 0, stop)
            v = self._ordered(self._v, 0, stop)
        return Samples(seq[keep], t[keep], v[keep])


    def read_span(self, t0: float, t1: float, upto: int | None = None) -> Samples:
        """
        Return the held samples with ``t0 <= t <= t1``, oldest first (a zoomed view's span).

        Times are compared, not assumed sorted, as in :meth:`read_window`.

        :param upto: inclusive upper sequence bound; ``None`` means everything held.
        """
        with self._lock:
            stop = self._size if upto is None else self._count_upto(upto)
            t = self._ordered(self._t, 0, stop)
            keep = (t >= t0) & (t <= t1)
            seq = self._ordered(self._seq, 0, stop)
            v = self._ordered(self._v, 0, stop)
        return Samples(seq[keep], t[keep], v[keep])


class SampleStore:
    """Rings of all series plus the global sequence counter. One writer thread, many readers."""

    def __init__(self, series_ids: Sequence[str], capacity: int):
        """
        Create one ring per series.

        :param series_ids: series ids, e.g. ``['s0', 's1']``; must be unique.
        :param capacity: samples kept per series.
        """
        if len(set(series_ids)) != len(series_ids):
            raise ValueError(f'duplicate series ids in {list(series_ids)}')
        #: Series id -> ring; replaced as a whole when a ring is added (copy-on-write).
        self.rings: dict[str, SampleRing] = {sid: SampleRing(capacity) for sid in series_ids}
        #: Samples per ring, also of the rings added later.
        self.capacity = capacity
        self._committed = 0
        #: Set by the writer after each commit; a reader that sleeps until there is something
        #: new clears it before it reads :attr:`committed` (the frame pump).
        self.changed = threading.Event()
        # Names this store's sequence-number space: after a bridge restart numbering starts
        # again at 1, and a browser holding ids of the old store must not resume with them.
        self.epoch = secrets.token_hex(8)

    @classmethod
    def for_config(cls, config: Config) -> 'SampleStore':
        """Return a store with a ring of ``server.buffer`` samples for each configured series."""
        return cls([s.id for s in config.series], config.server.buffer)

    def add_ring(self, series_id: str, *, replace: bool = False) -> SampleRing:
        """
        Add an empty ring of :attr:`capacity` samples for a new series (writer thread only).

        Readers iterating :attr:`rings` meanwhile keep the mapping they had; the new one holds
        the ring before the writer appends to it.

        :param series_id: the new series; ``ValueError`` when it has a ring already, unless
            ``replace``: then the empty ring takes the old one's place (another series has
            the id now).
        :return: the ring.
        """
        if series_id in self.rings and not replace:
            raise ValueError(f'series {series_id!r} has a ring already')
        ring = SampleRing(self.capacity)
        self.rings = {**self.rings, series_id: ring}
        return ring

    def remove_rings(self, series_ids: Collection[str]) -> None:
        """Drop the rings of series that are gone (writer thread only; readers keep theirs)."""
        self.rings = {sid: ring for sid, ring in self.rings.items() if sid not in series_ids}

    @property
    def committed(self) -> int:
        """Return the highest sequence number whose sample is fully written (0 = none yet)."""
        return self._committed

    def append(self, series_id: str, t: float, v: float) -> int:
        """
        Append one sample (writer thread only).

        :param series_id: the series; ``KeyError`` when unknown.
        :param t: sample time in seconds.
        :param v: value; NaN and infinities are kept (they are gaps on the chart).
        :return: the sample's sequence number.
        """
        ring = self.rings[series_id]
        seq = self._committed + 1
        ring._put_few(seq, (t,), (v,))
        self._commit(seq)
        return seq

    def append_many(self, series_id: str, t: Sequence[float] | np.ndarray,
                    v: Sequence[float] | np.ndarray) -> int:
        """
        Append samples of one series with consecutive sequence numbers (writer thread only).

        :param series_id: the series; ``KeyError`` when unknown.
        :param t: sample times, oldest first.
        :param v: values, same length as ``t``.
        :return: the sequence number of the last sample (``committed`` if empty).
        """
        return self.append_columns((series_id,), t, (v,))

    def append_columns(self, series_ids: Sequence[str], t: Sequence[float] | np.ndarray,
                       columns: Sequence[Sequence[float] | np.ndarray]) -> int:
        """
        Append samples of several series taken at the same times (writer thread only).

        Each series' samples get consecutive sequence numbers, series after series, and all
        are committed at once. One lock round per ring: element writes for a few samples,
        slice copies for more.

        :param series_ids: the series; ``KeyError`` when one is unknown.
        :param t: sample times, oldest first, the same for every series.
        :param columns: per series its values, each the length of ``t``.
        :return: the sequence number of the last sample (``committed`` if none).
        """
        count = len(t)
        rings = [self.rings[sid] for sid in series_ids]
        if len(columns) != len(rings) or not all(len(v) == count for v in columns):
            raise ValueError(f'{len(columns)} columns of lengths {[len(v) for v in columns]} '
                             f'for {len(rings)} series at {count} times')
        if count == 0:
            return self._committed
        first = self._committed + 1
        if count <= FEW:
            for ring, v in zip(rings, columns, strict=True):
                ring._put_few(first, t, v)
                first += count
        else:
            times = np.asarray(t, dtype=np.float64)
            if times.ndim != 1:
                raise ValueError(f't must be 1-d, got shape {times.shape}')
            for ring, v in zip(rings, columns, strict=True):
                ring._put_many(first, times, np.asarray(v, dtype=np.float64))
                first += count
        self._commit(first - 1)
        return self._committed

    def _commit(self, seq: int) -> None:
        self._committed = seq
        if not self.changed.is_set():  # set() takes a lock even when it is set already
            self.changed.set()
