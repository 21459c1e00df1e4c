# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""FramePump over real rings: contiguous data events encoded once, stats at 1 Hz, clean stop."""

import json
import math
import threading
import time

import pytest

from ros2_rtgraph.config import parse_config
from ros2_rtgraph.config import ServerConfig
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.broadcast import HistoryEntry

IDS = ['s0', 's1']
CONFIG_YAML = """
server: {buffer: 5000}
charts:
  - title: A
    series: [/a.data, /b.data]
"""


@pytest.fixture
def parts():
    """Create a store, stats and a factory for pumps that are stopped after the test."""
    layout = Layout.for_config(parse_config(CONFIG_YAML, '<test>'))
    store, stats = layout.store, layout.stats
    pumps = []

    def make(*, stop_event: threading.Event | None = None, history_seconds: float = 5,
             clock=time.time, **server) -> FramePump:
        stop_event = stop_event or threading.Event()
        pump = FramePump(layout, ServerConfig(**server), stop_event=stop_event,
                         history_seconds=history_seconds, clock=clock)
        pumps.append((pump, stop_event))
        return pump

    yield store, stats, make
    for pump, stop_event in pumps:
        stop_event.set()
        pump.join(5)
        assert not pump._thread.is_alive()


def _parse(entry: HistoryEntry) -> tuple[dict, dict]:
    """Split an encoded event into its fields and its JSON body."""
    fields = {}
    for line in entry.payload.decode().split('\n'):
        if line:
            name, _, value = line.partition(': ')
            fields[name] = value
    assert entry.payload.endswith(b'\n\n')
    return fields, json.loads(fields['data'], parse_constant=_reject)


def _reject(name):
    raise AssertionError(f'non-strict JSON constant {name}')


def _wait_data(pump: FramePump, after: int, timeout: float = 10.0) -> list[HistoryEntry]:
    """Return entries after ``after`` once at least one data entry is among them."""
    deadline = time.monotonic() + timeout
    collected = []
    while time.monotonic() < deadline:
        entries = pump.wait_for(after, 0.5)
        if entries:
            after = entries[-1].index
            collected += entries
            if any(e.hi is not None for e in collected):
                return collected
    raise AssertionError('no data entry arrived')


def test_first_frame_covers_everything_written_before_start(parts):
    store, _, make = parts
    for i in range(1, 101):
        store.append(IDS[i % 2], i * 0.01, float(i))
    pump = make(frame_rate=20.0)
    pump.start()
    entry = next(e for e in _wait_data(pump, 0) if e.hi is not None)
    assert (entry.lo, entry.hi) == (0, 100)
    fields, body = _parse(entry)
    assert fields['id'] == '100'
    assert fields['event'] == 'data'
    assert entry.payload.startswith(b'id: 100\nevent: data\ndata: {')
    values = sorted(body['series']['s0']['v'] + body['series']['s1']['v'])
    assert values == [float(i) for i in range(1, 101)]
    assert pump.last_hi == 100
    assert pump.position() == (entry.index, 100)


def test_data_entries_are_contiguous_and_lose_nothing(parts):
    store, _, make = parts
    pump = make(frame_rate=20.0)
    pump.start()
    after, seen, entries = 0, [], []
    for i in range(1, 301):  # this test thread is the store's single writer
        seen.append(store.append(IDS[i % 2], i * 0.01, float(i)))
        if i % 30 == 0:
            batch = _wait_data(pump, after)
            after = batch[-1].index
            entries += batch
    while not entries or max(e.hi or 0 for e in entries) < 300:
        batch = _wait_data(pump, after)
        after = batch[-1].index
        entries += batch
    data = [e for e in entries if e.hi is not None]
    assert [e.index for e in entries] == list(range(entries[0].index, after + 1))
    assert data[0].lo == 0
    for before, current in zip(data, data[1:], strict=False):
        assert current.lo == before.hi
        assert current.hi > current.lo
    values = []
    for entry in data:
        _, body = _parse(entry)
        for series in body['series'].values():
            values += series['v']
    assert sorted(values) == [float(s) for s in seen]


def test_stats_event_about_once_a_second(parts):
    store, stats, make = parts
    stats.series['s0'].samples = 5
    stats.series['s0'].last_receive = time.monotonic()
    robot_time = iter(range(1_700_000_000, 1_700_001_000))  # a node clock of its own
    pump = make(frame_rate=10.0, clock=lambda: float(next(robot_time)))
    pump.start()
    stats_entries, after = [], 0
    deadline = time.monotonic() + 10
    while len(stats_entries) < 2 and time.monotonic() < deadline:
        for entry in pump.wait_for(after, 1.0):
            after = entry.index
            if entry.hi is None:
                stats_entries.append(entry)
    assert len(stats_entries) == 2
    entry = stats_entries[-1]
    assert entry.lo is None
    fields, body = _parse(entry)
    assert 'id' not in fields  # the browser keeps the last data id
    assert fields['event'] == 'stats'
    assert body['series']['s0']['samples'] == 5
    assert body['series']['s0']['status']['state'] in {'ok', 'stale'}  # received, age grows
    assert body['series']['s0']['age'] > 0
    assert body['series']['s1']['status'] == {'state': 'waiting', 'reason': ''}
    # The node clock's now, for the page's estimate of robot time: one reading per event.
    assert 1_700_000_000 < body['server_time'] < 1_700_001_000
    assert body['server_time'] > _parse(stats_entries[0])[1]['server_time']


def test_decimation_is_counted_and_non_finite_values_become_null(parts):
    store, stats, make = parts
    for i in range(1, 1001):
        store.append('s0', i * 0.001, math.sin(i / 50))
    store.append('s1', 1.0, 1.0)
    store.append('s1', 1.1, math.nan)
    store.append('s1', 1.2, math.inf)
    store.append('s1', 1.3, 2.0)
    pump = make(frame_rate=20.0, max_points=8)
    pump.start()
    entry = next(e for e in _wait_data(pump, 0) if e.hi is not None)
    _, body = _parse(entry)
    kept = len(body['series']['s0']['v'])
    assert 0 < kept <= 8
    assert stats.series['s0'].decimated == 1000 - kept
    assert body['series']['s1']['v'] == [1.0, None, None, 2.0]


def test_wait_for_times_out_empty_and_the_stop_event_wakes_waiters(parts):
    _, _, make = parts
    stop = threading.Event()
    pump = make(frame_rate=10.0, stop_event=stop)
    assert pump.wait_for(0, 0.05) == []  # not started, nothing new
    pump.start()
    result = []
    waiter = threading.Thread(target=lambda: result.append(pump.wait_for(0, 60.0)))
    waiter.start()
    stop.set()
    waiter.join(10)
    assert not waiter.is_alive()
    assert result == [[]]
    assert pump.stopping
    pump.join(5)
    assert not pump._thread.is_alive()  # the event alone ends the pump thread


def test_history_is_bounded_and_a_late_reader_sees_the_jump(parts):
    store, _, make = parts
    pump = make(frame_rate=10.0, history_seconds=0.5)  # room for 6 entries
    pump.start()
    after = 0
    for i in range(1, 13):
        store.append('s0', i * 0.1, float(i))
        after = _wait_data(pump, after)[-1].index
    entries = pump.wait_for(0, 1.0)
    assert 0 < len(entries) <= 6
    assert entries[0].index > 1
    assert entries[-1].index == after
    assert [e.index for e in entries] == list(range(entries[0].index, after + 1))


@pytest.mark.parametrize('rate', [0.0, -5.0])
def test_frame_rate_must_be_positive(rate):
    layout = Layout.for_config(parse_config(CONFIG_YAML, '<test>'))
    with pytest.raises(ValueError, match='frame_rate'):
        FramePump(layout, ServerConfig(frame_rate=rate), stop_event=threading.Event())


def test_every_waiting_client_is_woken_by_one_new_frame(parts):
    store, _, make = parts
    pump = make(frame_rate=20.0)
    index, _ = pump.position()
    results: list[list[HistoryEntry]] = []
    lock = threading.Lock()

    def wait() -> None:
        entries = pump.wait_for(index, 60.0)
        with lock:
            results.append(entries)

    waiters = [threading.Thread(target=wait) for _ in range(6)]
    for waiter in waiters:
        waiter.start()
    store.append('s0', 0.5, 7.0)
    pump.start()
    for waiter in waiters:
        waiter.join(30)
        assert not waiter.is_alive()
    assert len(results) == 6
    for entries in results:
        data = [e for e in entries if e.hi is not None]
        assert data and data[0].lo == 0 and data[0].hi == 1
        assert data[0].payload is results[0][0].payload  # the same shared bytes


def test_with_no_reader_the_pump_makes_no_stats_and_the_first_wait_brings_them(parts):
    _, _, make = parts
    pump = make(frame_rate=20.0)
    pump.start()
    time.sleep(2.5)  # no sample, nobody waiting: nothing to send
    assert pump.position() == (0, 0)
    entries = pump.wait_for(0, 3.0)  # a reader: stats are due at once, one event
    assert [entry.hi for entry in entries] == [None]
    assert entries[0].payload.startswith(b'event: stats\n')


def test_frames_fall_on_the_grid_and_the_first_after_a_quiet_spell_at_once(parts):
    store, _, make = parts
    pump = make(frame_rate=10.0)
    pump.start()
    time.sleep(0.35)
    index, _ = pump.position()
    sent = time.monotonic()
    store.append('s0', 1.0, 1.0)
    [first] = [e for e in pump.wait_for(index, 2.0) if e.hi is not None]
    assert time.monotonic() - sent < 0.05  # not held until the next grid point
    store.append('s0', 2.0, 2.0)  # within the period: waits for the grid point
    entries = []
    while not any(e.hi is not None for e in entries):
        entries += pump.wait_for(first.index, 2.0)
    arrived = time.monotonic()
    assert arrived - sent >= 0.0
    assert (arrived % 0.1) < 0.03  # a few ms after a multiple of the period
