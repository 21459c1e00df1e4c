# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
What one ``/stream`` client receives, as a plain generator of SSE bytes (no Flask in here).

Protocol, in order:

1. ``retry: 2000``.
2. ``meta``: charts and series as :meth:`~ros2_rtgraph.layout.Layout.describe` returns them,
   plus ``server_time`` (the node clock, the time base of the samples) and ``instance`` (the
   store's epoch: ids from another instance mean nothing here). It is made after the client's
   place in the pump's history is taken, so it lists every series the events after it carry.
3. Either a ``data`` event with exactly the samples after the client's ``Last-Event-ID``
   (a reconnect) or a ``snapshot`` event with the configured window; both read from the rings
   and carry ``id`` = the highest sequence number they cover.
4. Live: the pump's shared ``data``, ``stats`` and ``meta`` bytes, unchanged (a ``meta`` comes
   again when a slice added series). A client that fell out of the pump's history gets a fresh
   ``meta`` (it may have missed one) and one private ``data`` event from the rings covering
   what it missed.
   A ``: ping`` comment goes out when nothing was sent for ``heartbeat`` seconds, so a dead
   connection is noticed at the next write.

The generator returns soon after the stop event the pump watches is set: a server's shutdown
does not end streaming responses, so this is what lets its worker threads finish.
"""

from collections.abc import Generator
import time

from ros2_rtgraph.frames import build_frame
from ros2_rtgraph.frames import build_window
from ros2_rtgraph.frames import encode_series_json
from ros2_rtgraph.frames import Frame
from ros2_rtgraph.frames import SNAPSHOT_POINTS
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.sse import encode_comment
from ros2_rtgraph.web.sse import encode_event

# Milliseconds the browser waits before reconnecting.
RETRY_MS = 2000
# Seconds without any event before a ': ping' comment.
HEARTBEAT_SECONDS = 10.0
# Longest wait on the pump before looking at the stop event again (the pump wakes every waiter
# when it stops: this only bounds how long a stream outlives a pump that died).
POLL_SECONDS = 1.0
# Longest Last-Event-ID accepted: an int64 sequence number has at most 19 digits.
_MAX_ID_DIGITS = 19


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


def stream_events(pump: FramePump, layout: Layout, *,
                  last_event_id: int | None = None, heartbeat: float = HEARTBEAT_SECONDS,
                  poll: float = POLL_SECONDS) -> Generator[bytes, None, None]:
    """
    Yield the SSE byte chunks for one client until the pump stops or the client disconnects.

    :param pump: the shared frame pump (running); once its stop event is set, the generator
        returns within ``poll`` seconds (at once when the pump thread wakes it).
    :param layout: the charts and series (the pump's), over the rings the snapshot and
        catch-up events are read from.
    :param last_event_id: the id the client had before reconnecting, from
        :func:`parse_event_id`; None for a new client.
    :param heartbeat: seconds without output before a ``: ping`` comment.
    :param poll: longest wait before the stop event is looked at again.
    """
    store = layout.store
    index, cursor = pump.position()
    # After the position: the layout then lists every series with samples up to the cursor.
    first = [encode_event(retry=RETRY_MS), pump.meta_event()]
    if last_event_id is not None and last_event_id <= cursor:
        # A reconnect: exactly the samples after the client's id, up to where live data starts.
        first.append(_catch_up(store, last_event_id, cursor))
    else:
        # A new client, or an id from an earlier run of the server: the window.
        window = build_window(store, layout.config.server.window, cursor, SNAPSHOT_POINTS)
        first.append(_encode(window, 'snapshot'))
    yield b''.join(first)
    last_write = time.monotonic()

    while not pump.stopping:
        wait = min(poll, max(0.0, heartbeat - (time.monotonic() - last_write)))
        chunks = []
        entries = pump.wait_for(index, wait)
        if entries and entries[0].index > index + 1:
            # Fell out of the history, perhaps past a meta: the layout as it is now lists
            # every series the catch-up below can carry.
            chunks.append(pump.meta_event())
        for entry in entries:
            index = entry.index
            if entry.hi is None:
                chunks.append(entry.payload)  # stats or meta
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

