# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
A small Server-Sent Events client for tests: real HTTP over http.client, WHATWG parsing.

It follows the "Interpreting an event stream" rules of the HTML standard: lines end with CRLF,
LF or CR; a leading BOM is dropped; ``:`` starts a comment; one space after the field's colon
is dropped; ``data`` lines join with a line feed; ``id`` persists across events (and is ignored
when it holds NUL); ``retry`` only takes ASCII digits; a blank line dispatches, unless no data
was given. Each event also keeps its raw lines so tests can compare bytes between clients.
"""

from dataclasses import dataclass
import http.client
import json
import time


@dataclass(frozen=True)
class Event:
    """One dispatched event, as a browser's EventSource would see it."""

    event: str  # 'message' when the stream named none
    data: str
    last_event_id: str  # the stream's last event id after this event (persists, as in browsers)
    has_id: bool  # whether this event itself carried an id field
    raw: bytes  # the event's lines as received, each ending in b'\n', plus the blank line

    def json(self) -> object:
        """Parse ``data`` as strict JSON (NaN and Infinity rejected, as JSON.parse does)."""
        return json.loads(self.data, parse_constant=_reject_constant)


@dataclass(frozen=True)
class Comment:
    """One comment line, e.g. ``: ping`` -> text ``' ping'``."""

    text: str


def _reject_constant(name: str) -> None:
    raise ValueError(f'non-standard JSON constant {name}')


class SSEClient:
    """One streaming GET; read events with :meth:`next_event` or :meth:`read`."""

    def __init__(self, host: str, port: int, path: str = '/stream',
                 headers: dict[str, str] | None = None, timeout: float = 10.0):
        """
        Connect and send the request; the response head is read at once.

        :param host: server address.
        :param port: server port.
        :param path: request path with query.
        :param headers: extra request headers, e.g. ``{'Last-Event-ID': '42'}``.
        :param timeout: default seconds to wait for data in each read.
        """
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.connection.request('GET', path, headers=headers or {})
        # http.client drops the connection's socket when the response has no length;
        # the response keeps reading from it, and read timeouts are set on it.
        self._socket = self.connection.sock
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.retry: int | None = None
        self.last_event_id = ''
        self.closed = False  # the server ended the stream
        self._buffer = b''
        self._skip_lf = False  # a CR ended the last line; a following LF belongs to it
        self._started = False
        self._reset_event()

    def _reset_event(self) -> None:
        self._event_type = ''
        self._data: list[str] = []
        self._raw: list[bytes] = []
        self._has_id = False

    def close(self) -> None:
        """Close the connection."""
        self.response.close()
        self.connection.close()

    def __enter__(self) -> 'SSEClient':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _fill(self, deadline: float) -> bool:
        """Read more bytes; False at end of stream. TimeoutError after ``deadline``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError('no SSE data before the deadline')
        self._socket.settimeout(remaining)
        try:
            chunk = self.response.read1(65536)
        except TimeoutError as error:
            raise TimeoutError('no SSE data before the deadline') from error
        if not chunk:
            return False
        if self._skip_lf and chunk.startswith(b'\n'):
            chunk = chunk[1:]
        self._skip_lf = False
        self._buffer += chunk
        return True

    def _next_line(self, deadline: float) -> bytes | None:
        """Return the next line without its terminator, or None at end of stream."""
        while True:
            cr = self._buffer.find(b'\r')
            lf = self._buffer.find(b'\n')
            ends = [i for i in (cr, lf) if i >= 0]
            if ends:
                end = min(ends)
                line = self._buffer[:end]
                if end == cr and end + 1 < len(self._buffer) and self._buffer[end + 1] == 10:
                    self._buffer = self._buffer[end + 2:]
                elif end == cr and end + 1 == len(self._buffer):
                    self._buffer = b''
                    self._skip_lf = True
                else:
                    self._buffer = self._buffer[end + 1:]
                if not self._started:
                    self._started = True
                    if line.startswith(b'\xef\xbb\xbf'):
                        line = line[3:]
                return line
            if not self._fill(deadline):
                return None

    def read(self, timeout: float | None = None) -> Event | Comment | None:
        """
        Return the next event or comment; None when the server ended the stream.

        :param timeout: seconds to wait (default: the client's timeout).
        :raise TimeoutError: nothing complete arrived in time.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            line = self._next_line(deadline)
            if line is None:
                self.closed = True
                return None
            if line == b'':
                if not self._data:
                    self._reset_event()
                    continue
                event = Event(
                    event=self._event_type or 'message',
                    data='\n'.join(self._data),
                    last_event_id=self.last_event_id,
                    has_id=self._has_id,
                    raw=b''.join(self._raw) + b'\n')
                self._reset_event()
                return event
            text = line.decode('utf-8', errors='replace')
            if text.startswith(':'):
                return Comment(text[1:])
            self._raw.append(line + b'\n')
            name, colon, value = text.partition(':')
            if colon and value.startswith(' '):
                value = value[1:]
            if name == 'event':
                self._event_type = value
            elif name == 'data':
                self._data.append(value)
            elif name == 'id' and '\0' not in value:
                self.last_event_id = value
                self._has_id = True
            elif name == 'retry' and value.isascii() and value.isdigit():
                self.retry = int(value)

    def next_event(self, name: str | None = None, timeout: float | None = None) -> Event:
        """
        Return the next event (comments skipped), optionally the next one of type ``name``.

        :raise TimeoutError: none arrived in time.
        :raise EOFError: the server ended the stream first.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            item = self.read(max(0.001, deadline - time.monotonic()))
            if item is None:
                raise EOFError('the server ended the stream')
            if isinstance(item, Event) and (name is None or item.event == name):
                return item
