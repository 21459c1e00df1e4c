# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Per-series health counters and the status the page shows next to each legend entry.

The ROS thread bumps the counters of a :class:`SeriesStats`, sets its ``state`` and, once per
message or batch, ``missing``: why the topic's most recent message had no value for the series
(an index past the end of a sequence), '' when it had one. The status is derived from those
when it is asked for, so the hot path only stores a string it already has. The frame
pump adds what decimation dropped and what non-finite values it sent, and calls
:meth:`StatsBoard.snapshot` once a second. Counters are plain ints written by one thread each
and read without a lock: a reader may see a value one update old, never a torn one (CPython).
Rates and ages use a steady clock (``time.monotonic()``), never the ROS or wall clock.
"""

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
import threading

# Seconds of sample-count history the rate is measured over: long enough to smooth a 1 Hz
# topic, short enough that a stopped topic reads 0 Hz soon after.
RATE_WINDOW = 5.0
# A series is stale when no sample came for STALE_PERIODS expected periods, but never sooner
# than STALE_MIN seconds (a 1 kHz topic must not flicker on a scheduling hiccup).
STALE_MIN = 2.0
STALE_PERIODS = 5.0


@dataclass
class SeriesStats:
    """Counters of one series; plain values so the writer needs no lock."""

    samples: int = 0
    nonfinite: int = 0
    errors: int = 0
    decimated: int = 0
    last_receive: float | None = None  # time.monotonic() of the last sample
    state: str = 'waiting'  # 'waiting' | 'ok' | 'error: <why>', set by the node
    missing: str = ''  # why the most recent message had no value for this series, '' if it had


class StatsBoard:
    """The stats of every series, and the rate bookkeeping behind :meth:`snapshot`."""

    def __init__(self, series_ids: Sequence[str]):
        """
        Create zeroed stats for each series.

        :param series_ids: the configured series ids, e.g. ``['s0', 's1']``.
        """
        self.series: dict[str, SeriesStats] = {sid: SeriesStats() for sid in series_ids}
        # Guards the rate history below; snapshot() may be called from several threads.
        self._rate_lock = threading.Lock()
        self._history: dict[str, deque[tuple[float, int]]] = {
            sid: deque() for sid in series_ids}
        self._last_rate: dict[str, float] = dict.fromkeys(series_ids, 0.0)

    def snapshot(self, now: float) -> dict:
        """
        Return the stats of every series as JSON-ready values.

        :param now: ``time.monotonic()`` at the call.
        :return: ``{'s0': {'rate', 'age', 'samples', 'decimated', 'nonfinite', 'errors',
            'status'}, ...}``; ``rate`` in Hz over the last few seconds, ``age`` in seconds
            since the last sample or None, ``status`` one of ``ok``, ``waiting``, ``stale``,
            the node's ``error: ...`` text or ``error: <missing>`` while the most recent
            message had no value for the series.
        """
        result = {}
        with self._rate_lock:
            for sid, stats in self.series.items():
                samples = stats.samples
                rate = self._rate(sid, now, samples)
                last = stats.last_receive
                age = None if last is None else max(0.0, now - last)
                result[sid] = {
                    'rate': round(rate, 3),
                    'age': None if age is None else round(age, 3),
                    'samples': samples,
                    'decimated': stats.decimated,
                    'nonfinite': stats.nonfinite,
                    'errors': stats.errors,
                    'status': self._status(sid, stats.state, stats.missing, age),
                }
        return result

    def _rate(self, sid: str, now: float, samples: int) -> float:
        history = self._history[sid]
        history.append((now, samples))
        while len(history) > 2 and now - history[1][0] >= RATE_WINDOW:
            history.popleft()
        first_time, first_samples = history[0]
        elapsed = now - first_time
        if elapsed <= 0.0:
            return 0.0
        rate = (samples - first_samples) / elapsed
        if rate > 0.0:
            self._last_rate[sid] = rate
        return rate

    def _status(self, sid: str, state: str, missing: str, age: float | None) -> str:
        if state.startswith('error'):
            return state
        if missing:  # it wins over stale: the messages that still come carry no value
            return f'error: {missing}'
        if age is None:
            return 'waiting'
        # The expected period comes from the last rate seen while samples flowed, so a topic
        # that stopped turns stale instead of reading 0 Hz and waiting for ever.
        last_rate = self._last_rate[sid]
        limit = STALE_MIN if last_rate <= 0.0 else max(STALE_MIN, STALE_PERIODS / last_rate)
        return 'stale' if age > limit else 'ok'
