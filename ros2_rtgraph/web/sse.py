# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Server-Sent Events wire encoding, byte-exact and free of Flask.

Kept pure so every byte the browser parses is unit-tested against the WHATWG
``text/event-stream`` rules. Each field is written as ``name: value`` (the
parser drops exactly one space after the colon, so values may start with
spaces) and every event ends with a blank line. The field order is fixed:
``retry``, ``id``, ``event``, then the ``data`` lines.
"""

import re

# The event-stream line terminators. str.splitlines() would also split on \v, \f,
# \x1c-\x1e, \x85, \u2028 and \u2029, which SSE treats as ordinary characters.
_LINE_BREAK = re.compile(r'\r\n|\r|\n')


def _field(name: str, value: str) -> str:
    """Reject a value that would end the line early or be ignored by the browser."""
    if _LINE_BREAK.search(value) or '\0' in value:
        raise ValueError(f'SSE {name} must not contain a line break or NUL: {value!r}')
    return f'{name}: {value}\n'


def encode_event(data: str | None = None, *, event: str | None = None,
                 id: int | str | None = None,  # noqa: A002 the SSE field is named id
                 retry: int | None = None) -> bytes:
    r"""
    Encode one event.

    :param data: payload; each line becomes its own ``data:`` line (the browser
        joins them with ``\n``, so ``\r\n`` and ``\r`` arrive as ``\n``).
    :param event: event type (``message`` in the browser when omitted).
    :param id: last event id the browser sends back as ``Last-Event-ID``.
    :param retry: reconnection delay in milliseconds.
    :return: UTF-8 bytes ending with a blank line.
    :raise ValueError: a line break or NUL in ``event`` or ``id``, a negative or
        non-integer ``retry``, or nothing to send.
    """
    lines = []
    if retry is not None:
        if not isinstance(retry, int) or retry < 0:
            raise ValueError(f'SSE retry must be a non-negative integer, got {retry!r}')
        lines.append(f'retry: {retry}\n')
    if id is not None:
        lines.append(_field('id', str(id)))
    if event is not None:
        lines.append(_field('event', event))
    if data is not None:
        lines.extend(f'data: {line}\n' for line in _LINE_BREAK.split(data))
    if not lines:
        raise ValueError('an SSE event needs data, event, id or retry')
    lines.append('\n')
    return ''.join(lines).encode('utf-8')


def encode_comment(text: str = '') -> bytes:
    """
    Encode a comment, e.g. ``: ping``: the browser ignores it, proxies see traffic.

    :param text: comment text; several lines become several comment lines.
    :return: UTF-8 bytes ending with a blank line.
    """
    return ''.join(f': {line}\n' for line in _LINE_BREAK.split(text)).encode('utf-8') + b'\n'
