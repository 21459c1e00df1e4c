# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Per-series health counters and the status the page shows next to each legend entry.

The ROS thread bumps the counters of a :class:`SeriesStats`, sets its ``state`` and ``reason``
and, once per message or batch, ``missing``: why the topic's most recent message had no value
for the series (an index past the end of a sequence), '' when it had one. The status is derived
from those when it is asked for, so the hot path only stores a string it already has. Ingest
counts the non-finite values, the frame pump what decimation dropped, and the pump calls
:meth:`StatsBoard.snapshot` once a second. Counters are plain ints written by one thread each
and read without a lock: a reader may see a value one update old, never a torn one (CPython).
Rates and ages use a steady clock (``time.monotonic()``), never the ROS or wall clock.

Series can be added while others read (:meth:`StatsBoard.add`, the writer thread only): the
``series`` mapping is replaced by a new one, never changed in place, and the bookkeeping behind
it is changed under the board's lock. A series added with a ``parent`` is a member of that
template (a slice such as ``position[:]``): the template never gets samples of its own; it is
``waiting`` until it has members, then ``ok`` with the number of its series as the reason,
unless it is in error (set by the node, or its ``missing`` text: elements it could not chart).
Its ``samples`` are its members' together.

Staleness: a series is stale when no sample came for ``STALE_PERIODS`` times the period it had
while it was flowing, and never sooner than ``STALE_MIN`` seconds (or after the series'
``stale_after`` when the YAML sets one). The period is measured between the receive times of
samples, so it stands still once the topic stops: a stopped topic turns stale once and stays
stale until samples come again, whatever its rate was. The rate shown beside it is measured
over the last seconds of the steady clock and drops to 0 Hz instead.
"""

from collections import deque
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
import threading

from ros2_rtgraph.config import Config

# Seconds of sample-count history the rate and the period are measured over: long enough to
# smooth a 1 Hz topic, short enough that a stopped topic reads 0 Hz soon after.
RATE_WINDOW = 5.0
# A series is stale when no sample came for STALE_PERIODS periods, but never sooner than
# STALE_MIN seconds (a 1 kHz topic must not flicker on a scheduling hiccup).
STALE_MIN = 1.0
STALE_PERIODS = 3.0
# Seconds a series with one sample so far (no period measured yet) stays fresh: long enough
# for the second sample of a 0.2 Hz topic.
FIRST_PERIOD_GRACE = 10.0


@dataclass
class SeriesStats:
    """Counters of one series; plain values so the writer needs no lock."""

    samples: int = 0
    nonfinite: int = 0
    errors: int = 0
    decimated: int = 0
    last_receive: float | None = None  # time.monotonic() of the last sample
    state: str = 'waiting'  # 'waiting' | 'ok' | 'error', set by the node (and ingest: 'ok')
    reason: str = ''  # why it is 'error', for a human; '' otherwise
    missing: str = ''  # why the most recent message had no value for this series, '' if it had


class StatsBoard:
    """The stats of every series, and the rate bookkeeping behind :meth:`snapshot`."""

    def __init__(self, series_ids: Sequence[str],
                 stale_after: Mapping[str, float | None] | None = None):
        """
        Create zeroed stats for each series.

        :param series_ids: the configured series ids, e.g. ``['s0', 's1']``.
        :param stale_after: seconds without a sample after which a series is stale, per
            series id; a series not given (or None) takes the rule of the module docstring.
        """
        #: Series id -> counters; replaced as a whole when a series is added (copy-on-write).
        self.series: dict[str, SeriesStats] = {sid: SeriesStats() for sid in series_ids}
        # Guards the dicts below; snapshot() may be called from several threads, add() from
        # the writer's.
        self._lock = threading.Lock()
        self._stale_after = {sid: (stale_after or {}).get(sid) for sid in series_ids}
        # Template id -> its members' ids, in order of addition.
        self._members: dict[str, list[str]] = {}
        # (steady time of the snapshot, samples): the rate.
        self._counts: dict[str, deque[tuple[float, int]]] = {sid: deque() for sid in series_ids}
        # (receive time of the newest sample, samples), one entry per change: the period.
        self._arrivals: dict[str, deque[tuple[float, int]]] = {
            sid: deque() for sid in series_ids}
        self._period: dict[str, float | None] = dict.fromkeys(series_ids)

    @classmethod
    def for_config(cls, config: Config) -> 'StatsBoard':
        """Return zeroed stats for each configured series, with its ``stale_after``."""
        return cls([s.id for s in config.series], {s.id: s.stale_after for s in config.series})

    def add(self, series_id: str, stale_after: float | None = None, *,
            parent: str | None = None) -> SeriesStats:
        """
        Add zeroed stats for a new series (writer thread only).

        :param series_id: the new series; ``ValueError`` when it has stats already.
        :param stale_after: as in the constructor.
        :param parent: the template the series is a member of, if it is one.
        :return: its counters.
        """
        if series_id in self.series:
            raise ValueError(f'series {series_id!r} has stats already')
        stats = SeriesStats()
        with self._lock:
            self._stale_after[series_id] = stale_after
            self._counts[series_id] = deque()
            self._arrivals[series_id] = deque()
            self._period[series_id] = None
            if parent is not None:
                self._members.setdefault(parent, []).append(series_id)
            self.series = {**self.series, series_id: stats}
        return stats

    def remove(self, series_ids: Collection[str]) -> None:
        """Drop the stats of series that are gone (writer thread only)."""
        with self._lock:
            self.series = {sid: s for sid, s in self.series.items() if sid not in series_ids}
            for sid in series_ids:
                self._stale_after.pop(sid, None)
                self._counts.pop(sid, None)
                self._arrivals.pop(sid, None)
                self._period.pop(sid, None)
            self._members = {parent: [m for m in members if m not in series_ids]
                             for parent, members in self._members.items()
                             if parent not in series_ids}

    def set_stale_after(self, series_id: str, seconds: float | None) -> None:
        """Change when a series is stale (its configuration changed at run time)."""
        with self._lock:
            self._stale_after[series_id] = seconds

    def snapshot(self, now: float) -> dict:
        """
        Return the stats of every series as JSON-ready values.

        :param now: ``time.monotonic()`` at the call.
        :return: ``{'s0': {'rate', 'age', 'samples', 'decimated', 'nonfinite', 'errors',
            'status'}, ...}``; ``rate`` in Hz over the last few seconds, ``age`` in seconds
            since the last sample or None, ``status`` ``{'state', 'reason'}`` with the state
            ``ok``, ``waiting``, ``stale`` or ``error`` and, for an error, the reason (the
            node's, or why the most recent message had no value for the series); else ''.
        """
        result = {}
        with self._lock:
            for sid, stats in self.series.items():
                members = self._members.get(sid)
                samples = stats.samples
                if members:
                    samples = sum(self.series[member].samples for member in members)
                last = stats.last_receive
                rate = self._rate(sid, now, samples)
                if last is not None:
                    self._measure_period(sid, last, samples)
                age = None if last is None else max(0.0, now - last)
                result[sid] = {
                    'rate': round(rate, 3),
                    'age': None if age is None else round(age, 3),
                    'samples': samples,
                    'decimated': stats.decimated,
                    'nonfinite': stats.nonfinite,
                    'errors': stats.errors,
                    'status': self._status(sid, stats, age, members),
                }
        return result

    def stale_limit(self, sid: str) -> float:
        """Return the seconds without a sample after which series ``sid`` is stale now."""
        configured = self._stale_after[sid]
        if configured is not None:
            return configured
        period = self._period[sid]
        if period is None:
            return FIRST_PERIOD_GRACE
        return max(STALE_MIN, STALE_PERIODS * period)

    def _rate(self, sid: str, now: float, samples: int) -> float:
        history = self._counts[sid]
        _slide(history, (now, samples))
        first_time, first_samples = history[0]
        elapsed = now - first_time
        return (samples - first_samples) / elapsed if elapsed > 0.0 else 0.0

    def _measure_period(self, sid: str, last: float, samples: int) -> None:
        """Update the period from receive times; it only moves while samples arrive."""
        arrivals = self._arrivals[sid]
        if arrivals and arrivals[-1][1] == samples:
            return  # nothing new since the last look
        if arrivals and last - arrivals[-1][0] > self.stale_limit(sid):
            # Samples again after an outage: the hole is not a period. Measure afresh, and
            # keep the old period until there is a new one.
            arrivals.clear()
        _slide(arrivals, (last, samples))
        first_time, first_samples = arrivals[0]
        if samples > first_samples and last > first_time:
            self._period[sid] = (last - first_time) / (samples - first_samples)

    def _status(self, sid: str, stats: SeriesStats, age: float | None,
                members: list[str] | None) -> dict[str, str]:
        if stats.state == 'error':
            return {'state': 'error', 'reason': stats.reason}
        if stats.missing:  # it wins over stale: the messages that still come carry no value
            return {'state': 'error', 'reason': stats.missing}
        if members:  # a template: its members have their own status
            return {'state': 'ok', 'reason': f'{len(members)} series'}
        if age is None:
            state = 'waiting'
        else:
            state = 'stale' if age > self.stale_limit(sid) else 'ok'
        return {'state': state, 'reason': ''}


def _slide(history: deque[tuple[float, int]], entry: tuple[float, int]) -> None:
    """Append ``(time, samples)`` and drop entries older than RATE_WINDOW, keeping two."""
    history.append(entry)
    newest = entry[0]
    while len(history) > 2 and newest - history[1][0] >= RATE_WINDOW:
        history.popleft()
