# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The cap on concurrent ``/stream`` responses, and strict checks of raw query strings.

Each stream holds one of the server's worker threads for as long as the client stays (the pool
is ``max_clients`` plus a few, :mod:`.server`): :class:`StreamLimit` keeps streams from taking
them all. A slot is
taken in the view, before the response starts (so an over-the-cap client gets a clean 503),
and given back when the WSGI server closes the response iterable, which it does however the
response ends: the stream finished, the client went away, or its socket timed out. That is
also the moment the log says the client went away.

CSV downloads have a StreamLimit of their own: each holds a thread and a chunk of the rings
while it lasts (the budget's ``CSV downloads`` part).
"""

from collections.abc import Callable
from collections.abc import Generator
import re
import threading
from urllib.parse import unquote_to_bytes

# A '%' not followed by two hex digits.
_BAD_PERCENT = re.compile(rb'%(?![0-9A-Fa-f]{2})')


class StreamLimit:
    """A counter of open streams with a fixed maximum; thread-safe."""

    def __init__(self, maximum: int):
        """
        Allow up to ``maximum`` open streams.

        :param maximum: ``server.max_clients``, at least 1.
        """
        if maximum < 1:
            raise ValueError(f'maximum must be at least 1, got {maximum}')
        self.maximum = maximum
        self._active = 0
        self._lock = threading.Lock()

    @property
    def active(self) -> int:
        """Return how many streams hold a slot now."""
        with self._lock:
            return self._active

    def guard(self, chunks: Generator[bytes, None, None],
              on_close: Callable[[], None] | None = None) -> 'Slot | None':
        """
        Take a slot for a stream, or return None when all are taken.

        :param chunks: the stream's generator; it is not started here.
        :param on_close: called once, after the slot is freed (to log that the client left).
        :return: an iterable over ``chunks`` whose ``close()`` closes them and frees the slot.
        """
        with self._lock:
            if self._active >= self.maximum:
                return None
            self._active += 1
        return Slot(chunks, self, on_close)

    def _release(self) -> None:
        with self._lock:
            self._active -= 1


class Slot:
    """
    One stream's hold on a :class:`StreamLimit`, wrapping its chunks.

    A plain generator's ``finally`` would not do: closing a generator that never started
    (the client left before the first chunk) does not run it.
    """

    def __init__(self, chunks: Generator[bytes, None, None], limit: StreamLimit,
                 on_close: Callable[[], None] | None = None):
        """Hold a slot of ``limit`` (already counted) until :meth:`close`; then ``on_close()``."""
        self._chunks = chunks
        self._limit: StreamLimit | None = limit
        self._on_close = on_close

    def __iter__(self) -> 'Slot':
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """End the stream and free its slot; later calls do nothing."""
        limit, self._limit = self._limit, None
        try:
            self._chunks.close()
        finally:
            if limit is not None:
                limit._release()
                if self._on_close is not None:
                    self._on_close()


def query_string_problem(raw: bytes) -> str | None:
    """
    Say what is wrong with a raw query string, if anything.

    Werkzeug decodes query strings leniently (a stray ``%`` stays as it is, bytes that are not
    UTF-8 become U+FFFD), so a mangled parameter could pass as a different value.

    :param raw: the query string as sent, still percent-encoded.
    :return: the reason it cannot be used, or None when it is well-formed UTF-8.
    """
    match = _BAD_PERCENT.search(raw)
    if match:
        return f'bad percent-encoding at offset {match.start()} of the query string'
    try:
        unquote_to_bytes(raw.replace(b'+', b' ')).decode('utf-8')
    except UnicodeDecodeError as error:
        return f'the query string is not UTF-8 (byte {error.start} after percent-decoding)'
    return None

