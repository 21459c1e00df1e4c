# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Series added at run time (members of a slice) over the real server on loopback, real SSE.

The test is the store's single writer, as the ROS thread is: it adds a member with
``layout.add_member`` and then appends the member's samples, from the same thread that appends
the other series' samples. Clients must learn of a member from a ``meta`` event before any
``data`` event carries its samples, whenever they connected.
"""

import csv
import io
import json
import time

import pytest
from sse_client import Event
from sse_client import SSEClient
from web_helpers import HOST
from web_helpers import slice_yaml
from web_helpers import SliceFeeder

from ros2_rtgraph.config import parse_config

YAML = slice_yaml('joints', '      - /odom.data\n')
TEMPLATE, PLAIN = 's0', 's1'
ELBOW = ('position[name=="elbow"]', '/joint_states position elbow')


@pytest.fixture
def site(make_site):
    """Return a site whose s0 is a slice, with no token and no feeder (the test writes)."""
    return make_site(parse_config(YAML, '<test>'), token=None, feed=False, expanding=(TEMPLATE,))


def _ids(meta: Event) -> list[str]:
    return [s['id'] for s in meta.json()['series']]


def _write(site, sid: str, values: list[float]) -> int:
    """Append samples (t = value / 100) and return the last sequence number."""
    seq = site.store.append_many(sid, [v / 100 for v in values], values)
    stats = site.stats.series[sid]
    stats.samples += len(values)
    stats.last_receive = time.monotonic()
    return seq


def _until_data(client: SSEClient, seq: int, metas: list[Event]) -> list[Event]:
    """Read up to the data event with id >= seq; collect meta events into ``metas``."""
    events = []
    while True:
        event = client.next_event()
        if event.event == 'meta':
            metas.append(event)
        events.append(event)
        if event.event == 'data' and int(event.last_event_id) >= seq:
            return events


def test_a_member_reaches_clients_in_a_meta_event_before_its_samples(site):
    with SSEClient(HOST, site.port) as early:
        first = early.next_event('meta')
        assert _ids(first) == [TEMPLATE, PLAIN]
        assert first.json()['series'][0]['expand'] is True
        assert early.next_event().event == 'snapshot'
        seq = _write(site, PLAIN, [1.0, 2.0, 3.0])
        metas: list[Event] = []
        _until_data(early, seq, metas)
        assert metas == []  # nothing changed yet

        member = site.layout.add_member(TEMPLATE, *ELBOW)
        assert member == 's0.0'
        seq = _write(site, member, [10.0, 11.0])
        seq = max(seq, _write(site, PLAIN, [4.0]))
        events = _until_data(early, seq, metas)

        kinds = [(e.event, e.event == 'data' and member in e.json()['series']) for e in events]
        meta_at = kinds.index(('meta', False))
        carrying = [i for i, (kind, has) in enumerate(kinds) if has]
        assert carrying and meta_at < carrying[0], kinds
        body = metas[0].json()
        assert body['charts'][0]['series'] == [TEMPLATE, member, PLAIN]
        assert body['series'][1] == {
            'id': member, 'label': ELBOW[1], 'topic': '/joint_states', 'field': ELBOW[0],
            'unit': 'rad', 'chart': 0, 'parent': TEMPLATE}
        assert body['instance'] == site.store.epoch and 'server_time' in body
        got = [v for e in events if e.event == 'data'
               for v in e.json()['series'].get(member, {}).get('v', [])]
        assert got == [10.0, 11.0]

    # A client connecting later has the member in its first meta and its snapshot.
    with SSEClient(HOST, site.port) as late:
        meta = late.next_event('meta')
        assert _ids(meta) == [TEMPLATE, member, PLAIN]
        snapshot = late.next_event()
        assert snapshot.event == 'snapshot'
        assert snapshot.json()['series'][member]['v'] == [10.0, 11.0]

    status, _, body = site.get('/api/config')
    assert status == 200
    assert json.loads(body) == site.layout.describe()
    assert [s['id'] for s in json.loads(body)['series']] == [TEMPLATE, member, PLAIN]

    status, _, body = site.get(f'/api/export.csv?series={member}')
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode('utf-8'))))
    assert rows[0] == ['series', 'label', 'seq', 't', 'utc', 'value']
    assert [(r[0], r[1], float(r[5])) for r in rows[1:]] == [
        (member, ELBOW[1], 10.0), (member, ELBOW[1], 11.0)]

    status, _, body = site.get(f'/api/export.csv?series={member},s0.7')
    assert status == 400
    assert 's0.7' in json.loads(body)['error'] and member in json.loads(body)['error']


def test_members_added_while_samples_flow_are_always_announced_first(site):
    """A writer thread adds 40 members among a stream of samples: no client sees one unknown."""
    feeder = SliceFeeder(site.layout, [PLAIN], TEMPLATE, period=0.005)
    feeder.start()
    try:
        with SSEClient(HOST, site.port) as client:
            known = set(_ids(client.next_event('meta')))
            added = [feeder.add(f'position[{n}]', f'joint {n}') for n in range(20)]
            late = SSEClient(HOST, site.port)  # connects while members come
            added += [feeder.add(f'position[{n}]', f'joint {n}') for n in range(20, 40)]
            assert added == [f's0.{n}' for n in range(40)]
            seen: set[str] = set()
            deadline = time.monotonic() + 30
            while seen != set(added):
                assert time.monotonic() < deadline, f'never got samples of {set(added) - seen}'
                event = client.next_event()
                if event.event == 'meta':
                    known = set(_ids(event))
                elif event.event in ('data', 'snapshot'):
                    carried = set(event.json()['series'])
                    assert carried <= known, f'samples of {carried - known} before their meta'
                    seen |= carried & set(added)
            with late:
                known = set(_ids(late.next_event('meta')))
                for _ in range(10):
                    event = late.next_event()
                    if event.event == 'meta':
                        known = set(_ids(event))
                    elif event.event in ('data', 'snapshot'):
                        assert set(event.json()['series']) <= known
    finally:
        feeder.stop()
    status = site.stats.snapshot(time.monotonic())[TEMPLATE]['status']
    assert status == {'state': 'ok', 'reason': '40 series'}
