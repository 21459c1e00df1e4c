# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
What one ``/stream`` client receives, as a plain generator of SSE bytes (no Flask in here).

Protocol, in order:

1. ``retry: 2000``.
2. ``meta``: charts and series as :func:`describe` returns them, plus ``server_time`` (the
   node clock, the time base of the samples) and ``instance`` (the store's epoch: ids from
   another instance mean nothing here).
3. Either a ``data`` event with exactly the samples after the client's ``Last-Event-ID``
   (a reconnect) or a ``snapshot`` event with the configured window; both read from the rings
   and carry ``id`` = the highest sequence number they cover.
4. Live: the pump's shared ``data`` and ``stats`` bytes, unchanged. A client that fell out of
   the pump's history gets one private ``data`` event from the rings covering what it missed.
   A ``: ping`` comment goes out when nothing was sent for ``heartbeat`` seconds, so a dead
   connection is noticed at the next write.

The generator returns soon after the stop event the pump watches is set: a server's shutdown
does not end streaming responses, so this is what lets its worker threads finish.
"""

from collections.abc import Generator
import json
import math
import time

from ros2_rtgraph.config import Config
from ros2_rtgraph.frames import build_frame
from ros2_rtgraph.frames import build_window
from ros2_rtgraph.frames import encode_series_json
from ros2_rtgraph.frames import Frame
from ros2_rtgraph.frames import SNAPSHOT_POINTS
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.sse import encode_comment
from ros2_rtgraph.web.sse import encode_event

# Milliseconds the browser waits before reconnecting.
RETRY_MS = 2000
# Seconds without any event before a ': ping' comment.
HEARTBEAT_SECONDS = 10.0
# Longest wait on the pump before looking at the stop event again.
POLL_SECONDS = 0.25
# Longest Last-Event-ID accepted: an int64 sequence number has at most 19 digits.
_MAX_ID_DIGITS = 19


def describe(config: Config) -> dict:
    """
    Describe the charts and series for the page: the body of ``meta`` and ``/api/config``.

    :param config: the loaded configuration.
    :return: JSON-ready ``{'charts': [...], 'series': [...], 'window', 'frame_rate',
        'max_points', 'buffer'}``; a chart lists its series ids, a series names its chart
        index and the chart's unit.
    """
    charts = []
    for index, chart in enumerate(config.charts):
        charts.append({
            'index': index,
            'title': chart.title,
            'unit': chart.unit,
            'min': _finite_or_none(chart.min),
            'max': _finite_or_none(chart.max),
            'limits': [
                {'value': _finite_or_none(limit.value), 'label': limit.label}
                for limit in chart.limits],
            'series': [series.id for series in chart.series],
        })
    series = [
        {
            'id': s.id,
            'label': s.label,
            'topic': s.topic,
            'field': s.field,
            'unit': config.charts[s.chart].unit,
            'chart': s.chart,
        }
        for s in config.series
    ]
    server = config.server
    return {
        'charts': charts,
        'series': series,
        'window': server.window,
        'frame_rate': server.frame_rate,
        'max_points': server.max_points,
        'buffer': server.buffer,
    }


def parse_event_id(text: str | None) -> int | None:
    """
    Read a client's ``Last-Event-ID``; None when absent or not one of our ids.

    :param text: the header (or ``lastEventId`` query parameter) as sent.
    :return: a sequence number >= 0, or None, in which case the client gets a snapshot.
    """
    if text is None:
        return None
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_ID_DIGITS:
        return None
    return int(text)


def stream_events(pump: FramePump, store: SampleStore, config: Config, *,
                  last_event_id: int | None = None, heartbeat: float = HEARTBEAT_SECONDS,
                  poll: float = POLL_SECONDS) -> Generator[bytes, None, None]:
    """
    Yield the SSE byte chunks for one client until the pump stops or the client disconnects.

    :param pump: the shared frame pump (running); once its stop event is set, the generator
        returns within ``poll`` seconds (at once when the pump thread wakes it).
    :param store: the rings, for the snapshot and catch-up events.
    :param config: the configuration (charts, series, window).
    :param last_event_id: the id the client had before reconnecting, from
        :func:`parse_event_id`; None for a new client.
    :param heartbeat: seconds without output before a ``: ping`` comment.
    :param poll: longest wait before the stop event is looked at again.
    """
    meta = dict(describe(config), server_time=pump.clock(), instance=store.epoch)
    index, cursor = pump.position()
    first = [
        encode_event(retry=RETRY_MS),
        encode_event(json.dumps(meta, separators=(',', ':'), allow_nan=False), event='meta'),
    ]
    if last_event_id is not None and last_event_id <= cursor:
        # A reconnect: exactly the samples after the client's id, up to where live data starts.
        first.append(_catch_up(store, last_event_id, cursor))
    else:
        # A new client, or an id from an earlier run of the server: the window.
        window = build_window(store, config.server.window, cursor, SNAPSHOT_POINTS)
        first.append(_encode(window, 'snapshot'))
    yield b''.join(first)
    last_write = time.monotonic()

    while not pump.stopping:
        wait = min(poll, max(0.0, heartbeat - (time.monotonic() - last_write)))
        chunks = []
        for entry in pump.wait_for(index, wait):
            index = entry.index
            if entry.hi is None:
                chunks.append(entry.payload)  # stats
            elif entry.hi <= cursor:
                continue  # already covered by a catch-up event
            elif entry.lo == cursor:
                chunks.append(entry.payload)
                cursor = entry.hi
            else:
                # The history rolled past this client: resync from the rings in one event.
                chunks.append(_catch_up(store, cursor, entry.hi))
                cursor = entry.hi
        if pump.stopping:
            return
        if chunks:
            yield b''.join(chunks)
            last_write = time.monotonic()
        elif time.monotonic() - last_write >= heartbeat:
            yield encode_comment('ping')
            last_write = time.monotonic()


def _catch_up(store: SampleStore, lo: int, hi: int) -> bytes:
    """Encode the samples with ``lo < seq <= hi`` as one private ``data`` event."""
    return _encode(build_frame(store, lo, hi, SNAPSHOT_POINTS), 'data')


def _encode(frame: Frame, event: str) -> bytes:
    text = encode_series_json(frame)
    return encode_event(text, event=event, id=frame.hi)


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
