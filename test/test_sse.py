# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""SSE wire encoding: exact bytes, rejected fields, and a round trip through a WHATWG parser."""

import re
from typing import NamedTuple

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from ros2_rtgraph.web.sse import encode_comment
from ros2_rtgraph.web.sse import encode_event


@pytest.mark.parametrize(('kwargs', 'expected'), [
    # Plain data.
    ({'data': 'hello'}, b'data: hello\n\n'),
    ({'data': ''}, b'data: \n\n'),
    ({'data': ' two leading spaces'}, b'data:  two leading spaces\n\n'),
    ({'data': 'a: b'}, b'data: a: b\n\n'),
    # Multi-line data: every line terminator starts a new data line.
    ({'data': 'a\nb'}, b'data: a\ndata: b\n\n'),
    ({'data': 'a\r\nb\rc'}, b'data: a\ndata: b\ndata: c\n\n'),
    ({'data': 'a\n'}, b'data: a\ndata: \n\n'),
    ({'data': '\n\n'}, b'data: \ndata: \ndata: \n\n'),
    ({'data': 'a\r\n\rb'}, b'data: a\ndata: \ndata: b\n\n'),
    # Characters str.splitlines() would split on are data in SSE.
    ({'data': 'a\x0bb\x0cc\x1cd\u2028e\x85f'}, 'data: a\x0bb\x0cc\x1cd\u2028e\x85f\n\n'.encode()),
    ({'data': 'grüße ✓'}, 'data: grüße ✓\n\n'.encode()),
    ({'data': 'nul\0inside'}, b'data: nul\0inside\n\n'),
    # id, event, retry, in the fixed order retry, id, event, data.
    ({'data': '{}', 'event': 'data', 'id': 42}, b'id: 42\nevent: data\ndata: {}\n\n'),
    ({'data': 'x', 'event': 'snapshot', 'id': '7', 'retry': 2000},
     b'retry: 2000\nid: 7\nevent: snapshot\ndata: x\n\n'),
    ({'retry': 2000}, b'retry: 2000\n\n'),
    ({'retry': 0}, b'retry: 0\n\n'),
    ({'id': 0}, b'id: 0\n\n'),
    ({'id': ''}, b'id: \n\n'),
    ({'event': 'stats', 'data': '{"s0": {}}'}, b'event: stats\ndata: {"s0": {}}\n\n'),
    ({'event': 'm\u00e9ta', 'data': 'x'}, 'event: m\u00e9ta\ndata: x\n\n'.encode()),
])
def test_encode_event_bytes(kwargs, expected):
    assert encode_event(**kwargs) == expected


@pytest.mark.parametrize(('kwargs', 'match'), [
    ({'data': 'x', 'id': 'a\nb'}, 'id must not contain'),
    ({'data': 'x', 'id': 'a\rb'}, 'id must not contain'),
    ({'data': 'x', 'id': 'a\0b'}, 'id must not contain'),
    ({'data': 'x', 'event': 'a\r\nb'}, 'event must not contain'),
    ({'data': 'x', 'event': 'data\n'}, 'event must not contain'),
    ({'data': 'x', 'event': 'a\0'}, 'event must not contain'),
    ({'retry': -1}, 'retry must be a non-negative integer'),
    ({'retry': 2.5}, 'retry must be a non-negative integer'),
    ({}, 'needs data, event, id or retry'),
])
def test_encode_event_rejects(kwargs, match):
    with pytest.raises(ValueError, match=match):
        encode_event(**kwargs)


@pytest.mark.parametrize(('text', 'expected'), [
    ('ping', b': ping\n\n'),
    ('', b': \n\n'),
    ('two\nlines', b': two\n: lines\n\n'),
    ('a\r\nb\rc', b': a\n: b\n: c\n\n'),
])
def test_encode_comment_bytes(text, expected):
    assert encode_comment(text) == expected


def test_encode_comment_defaults_to_empty():
    assert encode_comment() == b': \n\n'


class Event(NamedTuple):
    type: str
    data: str
    last_event_id: str


class Stream(NamedTuple):
    events: list[Event]
    retry: int | None
    last_event_id: str


def _parse(body: bytes) -> Stream:
    """Interpret an event stream as a browser does (WHATWG HTML, 'Event stream interpretation')."""
    text = body.decode('utf-8')
    if text.startswith('\ufeff'):
        text = text[1:]
    events: list[Event] = []
    data = ''
    event_type = ''
    id_buffer = ''
    last_event_id = ''
    retry = None
    lines = re.split(r'\r\n|\r|\n', text)
    # A trailing line without its terminator is incomplete and never processed.
    for line in lines[:-1]:
        if line == '':  # dispatch
            last_event_id = id_buffer
            if data == '':
                event_type = ''
                continue
            if data.endswith('\n'):
                data = data[:-1]
            events.append(Event(event_type or 'message', data, last_event_id))
            data = ''
            event_type = ''
            continue
        if line.startswith(':'):
            continue
        name, colon, value = line.partition(':')
        if colon and value.startswith(' '):
            value = value[1:]
        if name == 'event':
            event_type = value
        elif name == 'data':
            data += value + '\n'
        elif name == 'id':
            if '\0' not in value:
                id_buffer = value
        elif name == 'retry':
            if value and all(c in '0123456789' for c in value):
                retry = int(value)
    return Stream(events, retry, last_event_id)


def test_parser_follows_the_spec_on_a_hand_written_stream():
    # The example streams of the WHATWG section, so the parser itself is checked.
    body = (b'data: YHOO\ndata: +2\ndata: 10\n\n'
            b': test stream\n\ndata: first event\nid: 1\n\n'
            b'data:second event\nid\n\ndata:  third event\n\n'
            b'event: add\ndata: 73857293\n\ndata\n\ndata\ndata\n\ndata:')
    stream = _parse(body)
    assert stream.events == [
        Event('message', 'YHOO\n+2\n10', ''),
        Event('message', 'first event', '1'),
        Event('message', 'second event', ''),
        Event('message', ' third event', ''),
        Event('add', '73857293', ''),
        Event('message', '', ''),  # 'data' alone: one empty line
        Event('message', '\n', ''),  # two empty lines; the unterminated last block is dropped
    ]


def test_a_stream_of_encoded_events_parses_back():
    body = b''.join([
        encode_event(retry=2000),
        encode_event('{"charts": []}', event='meta'),
        encode_comment('ping'),
        encode_event('line one\nline two', event='snapshot', id=41),
        encode_event('{"s0": {}}', event='stats'),
        encode_event('{}', event='data', id=42),
    ])
    stream = _parse(body)
    assert stream.retry == 2000
    assert stream.events == [
        Event('meta', '{"charts": []}', ''),
        Event('snapshot', 'line one\nline two', '41'),
        Event('stats', '{"s0": {}}', '41'),  # an event without id keeps the previous one
        Event('data', '{}', '42'),
    ]
    assert stream.last_event_id == '42'


_field_text = st.text(st.characters(exclude_characters='\r\n\0', exclude_categories=['Cs']))


@settings(max_examples=300)
@given(data=st.text(st.characters(exclude_categories=['Cs'])),
       event=st.none() | _field_text, event_id=st.none() | _field_text | st.integers(0),
       retry=st.none() | st.integers(0, 10**6), comment=_field_text)
def test_round_trip_through_the_parser(data, event, event_id, retry, comment):
    body = encode_comment(comment) + encode_event(data, event=event, id=event_id, retry=retry)
    stream = _parse(body)
    assert stream.retry == retry
    assert stream.last_event_id == ('' if event_id is None else str(event_id))
    # Line breaks arrive as \n, everything else exactly.
    expected = re.sub(r'\r\n|\r', '\n', data)
    assert stream.events == [Event(event or 'message', expected, stream.last_event_id)]
