# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The frame pump: one thread that turns new samples into SSE bytes once, for every client.

The pump sleeps until the writer commits samples (``store.changed``) and the next point of the
frame grid (:mod:`ros2_rtgraph.cadence`, where the drain loop takes just before) has come: then
it reads ``store.committed``, builds a
:class:`~ros2_rtgraph.frames.Frame` covering exactly ``last_hi < seq <= hi``, encodes it to one
``data`` event (``id: hi``) and appends the bytes to a short history. So frames come at most
``frame_rate`` times a second, the first sample after a quiet spell goes out at once, and
nothing runs while nothing arrives. Once a second, while someone reads the history (a stream
waited on it within the last :data:`READER_GRACE` seconds), it appends a ``stats`` event (no
id) that also carries ``server_time``, the node clock's now, so a page can keep its own
estimate of robot time.
When the layout changed (a slice added series: :attr:`~ros2_rtgraph.layout.Layout.version`),
a ``meta`` event (no id) goes into the history before the frame of the same tick. The pump reads
``store.committed`` first and the layout after it: the writer adds a series before its first
sample, so a frame never holds samples of a series the meta events before it did not list.
Client threads only copy those shared bytes (:meth:`FramePump.wait_for`); a client that fell
out of the history catches up from the rings instead, so nobody holds a growing queue.

Because consecutive data entries cover contiguous sequence ranges (``lo`` of one is ``hi`` of
the one before), a client that knows the last ``hi`` it sent can tell from ``lo`` whether it
missed anything.

The pump has no stop of its own: it runs until the stop event it was given (the process's one
stop event, which also ends the ROS side) is set, noticed at :meth:`FramePump.wake` (or the next
sample or stats event), then wakes every client waiting in :meth:`FramePump.wait_for`, which
returns nothing from then on, so their streams end.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
import itertools
import json
import threading
import time

from ros2_rtgraph.cadence import next_tick
from ros2_rtgraph.config import ServerConfig
from ros2_rtgraph.frames import build_frame
from ros2_rtgraph.frames import encode_series_json
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.web.sse import encode_event

# Seconds of events kept for clients that are a little behind; older ones resync from rings.
HISTORY_SECONDS = 5
# Seconds between stats events.
STATS_PERIOD = 1.0
# Seconds after a reader's last wait during which stats events are still made.
READER_GRACE = 2 * STATS_PERIOD


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One encoded event: ``data`` (``lo < seq <= hi``), ``stats`` or ``meta`` (no lo, hi)."""

    index: int  # position in the history, 1, 2, ... across all entries
    lo: int | None
    hi: int | None
    payload: bytes  # the complete SSE event, shared by all clients


class FramePump:
    """
    One thread: every 1/frame_rate s builds a Frame from the store, encodes it once to SSE bytes.

    Data events have ``event: data`` and ``id`` = frame.hi; a stats event goes out at 1 Hz
    (no id), a meta event (no id) when the layout changed. Frames are decimated to
    ``server.max_points`` per series; what decimation dropped is added to the series' stats
    (ingest counts the non-finite values, where all arrive).
    """

    def __init__(self, layout: Layout, server: ServerConfig, *,
                 stop_event: threading.Event, history_seconds: float = HISTORY_SECONDS,
                 clock: Callable[[], float] = time.time):
        """
        Prepare the pump; :meth:`start` runs it.

        :param layout: the charts and series, over the rings the node writes and their stats
            (the pump adds what decimation dropped to those).
        :param server: ``frame_rate`` and ``max_points`` are used.
        :param stop_event: set at shutdown; the thread then ends and wakes waiting clients.
        :param history_seconds: how long events stay in the shared history.
        :param clock: the node clock in seconds, the time base of the samples' ``t`` (system
            time, or sim time under ``use_sim_time``): ``server_time`` of meta and stats.
        """
        if not server.frame_rate > 0:
            raise ValueError(f'frame_rate must be positive, got {server.frame_rate}')
        self._layout = layout
        self._store = layout.store
        self._stats = layout.stats
        self._version = layout.version  # of the layout the last meta described
        #: The node clock, in seconds (see ``clock`` above).
        self.clock = clock
        self._period = 1.0 / server.frame_rate
        self._max_points = server.max_points
        maxlen = int((server.frame_rate + 1 / STATS_PERIOD) * history_seconds) + 1
        self._history: deque[HistoryEntry] = deque(maxlen=maxlen)
        self._index = 0
        self._last_hi = 0
        self._last_reader = -READER_GRACE  # monotonic time a reader last waited
        self._stop_event = stop_event
        self._samples = layout.store.changed
        # Guards _history, _index and _last_hi; waiters sleep on it until a new entry.
        self._changed = threading.Condition(threading.Lock())
        self._thread = threading.Thread(target=self._run, name='rtgraph-pump', daemon=True)

    @property
    def last_hi(self) -> int:
        """Return the ``hi`` of the newest data entry (0 before the first frame)."""
        with self._changed:
            return self._last_hi

    @property
    def stopping(self) -> bool:
        """Return whether the stop event is set; clients should end their streams."""
        return self._stop_event.is_set()

    def position(self) -> tuple[int, int]:
        """
        Return ``(index, last_hi)`` of the history, read together.

        A new client sends the rings up to ``last_hi`` and then waits for entries after
        ``index``: the next data entry then starts exactly at ``last_hi``.
        """
        with self._changed:
            return self._index, self._last_hi

    def meta_event(self) -> bytes:
        """
        Encode the layout now as a ``meta`` event, with ``server_time`` and ``instance``.

        ``server_time`` is the node clock's now, ``instance`` the store's epoch (sequence
        numbers of another instance mean nothing here). A client sends one first; the pump one
        whenever the layout changed.
        """
        meta = dict(self._layout.describe(), server_time=self.clock(), instance=self._store.epoch)
        return encode_event(json.dumps(meta, separators=(',', ':'), allow_nan=False),
                            event='meta')

    def start(self) -> None:
        """Start the pump thread."""
        self._thread.start()

    def wake(self) -> None:
        """Make the pump look at its stop event now (after setting it); from any thread."""
        self._samples.set()

    def join(self, timeout: float | None = None) -> None:
        """
        Wait for the thread to end (it ends once the stop event is set); at once if never started.

        :param timeout: seconds, or None to wait for ever.
        """
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def wait_for(self, after: int, timeout: float) -> list[HistoryEntry]:
        """
        Return the entries with ``index > after``, waiting up to ``timeout`` for one.

        :param after: the last index the caller has seen (0 at first).
        :param timeout: seconds to wait when there is nothing newer.
        :return: the newer entries still in the history, oldest first; ``[]`` on timeout or
            when the pump is stopping. Indices jump when the caller fell out of the history.
        """
        with self._changed:
            now = time.monotonic()
            if not self._reading(now):
                self._samples.set()  # the pump may sleep until the next sample: stats are due
            self._last_reader = now
            if not self._changed.wait_for(
                    lambda: self._index > after or self._stop_event.is_set(), timeout):
                return []
            if self._stop_event.is_set() or not self._history:
                return []
            skip = max(0, after + 1 - self._history[0].index)
            return list(itertools.islice(self._history, skip, None))

    def _run(self) -> None:
        samples, stop = self._samples, self._stop_event
        next_frame = time.monotonic()
        next_stats = next_frame + STATS_PERIOD
        while not stop.is_set():
            # With no reader, nothing is due but frames: a reader's first wait wakes the pump.
            now = time.monotonic()
            samples.wait(max(0.0, next_stats - now) if self._reading(now) else None)
            now = time.monotonic()
            if samples.is_set() and not stop.is_set():
                if now < next_frame and stop.wait(next_frame - now):
                    break
                now = time.monotonic()
                # On the grid the drain loop takes on; a late frame (CPU starved) does not queue
                # up a burst of frames to catch up.
                next_frame = next_tick(now, self._period)
                samples.clear()  # before committed is read: a later commit sets it again
                self._pump_frame()
            if now >= next_stats:
                # On time: keep the cadence; a period late or more (asleep): one now, no burst.
                late = now - next_stats >= STATS_PERIOD
                next_stats = (now if late else next_stats) + STATS_PERIOD
                if self._reading(now):
                    self._pump_stats(now)
        # Setting the event does not notify the condition the waiters sleep on: this does.
        with self._changed:
            self._changed.notify_all()

    def _reading(self, now: float) -> bool:
        """Tell whether a reader waited on the history within READER_GRACE of ``now``."""
        return now - self._last_reader < READER_GRACE

    def _pump_frame(self) -> None:
        lo = self._last_hi  # only this thread writes it
        hi = self._store.committed
        # After committed: every series with samples up to hi is in this version (layout.py).
        version = self._layout.version
        if version != self._version:
            self._version = version
            self._append(None, None, self.meta_event())
        if hi <= lo:
            return
        frame = build_frame(self._store, lo, hi, self._max_points)
        stats = self._stats.series
        for sid, count in frame.decimated.items():
            if sid in stats:  # else a series removed since the frame's read
                stats[sid].decimated += count
        self._append(lo, hi, encode_event(encode_series_json(frame), event='data', id=hi))

    def _pump_stats(self, now: float) -> None:
        payload = encode_event(_stats_json(self._stats.snapshot(now), self.clock()),
                               event='stats')
        self._append(None, None, payload)

    def _append(self, lo: int | None, hi: int | None, payload: bytes) -> None:
        with self._changed:
            self._index += 1
            self._history.append(HistoryEntry(self._index, lo, hi, payload))
            if hi is not None:
                self._last_hi = hi
            self._changed.notify_all()


def _stats_json(snapshot: dict, server_time: float) -> str:
    return json.dumps({'series': snapshot, 'server_time': server_time}, separators=(',', ':'),
                      allow_nan=False)
