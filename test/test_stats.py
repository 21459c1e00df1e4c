# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""StatsBoard: rates from count deltas on a steady clock, the stale rule and the status."""

import itertools
import json
import random

from concurrency import failures_while
import pytest

from ros2_rtgraph.stats import FIRST_PERIOD_GRACE
from ros2_rtgraph.stats import StatsBoard


def _feed(board: StatsBoard, sid: str, now: float, samples: int) -> None:
    """Pretend the node received ``samples`` in total, the last one at ``now``."""
    stats = board.series[sid]
    stats.samples = samples
    stats.last_receive = now
    stats.state = 'ok'


def test_new_board_reports_waiting_with_zero_counts():
    board = StatsBoard(['s0', 's1'])
    snapshot = board.snapshot(100.0)
    assert set(snapshot) == {'s0', 's1'}
    assert snapshot['s0'] == {
        'rate': 0.0, 'age': None, 'samples': 0, 'decimated': 0, 'nonfinite': 0, 'errors': 0,
        'status': {'state': 'waiting', 'reason': ''}}
    json.dumps(snapshot, allow_nan=False)  # JSON-ready, strict


def test_rate_is_the_count_delta_over_the_steady_clock():
    board = StatsBoard(['s0'])
    _feed(board, 's0', 10.0, 0)
    board.snapshot(10.0)
    _feed(board, 's0', 11.0, 50)
    assert board.snapshot(11.0)['s0']['rate'] == pytest.approx(50.0)
    _feed(board, 's0', 12.0, 150)
    assert board.snapshot(12.0)['s0']['rate'] == pytest.approx(75.0)  # 150 in 2 s


def test_rate_forgets_samples_older_than_the_window():
    board = StatsBoard(['s0'])
    _feed(board, 's0', 0.0, 0)
    board.snapshot(0.0)
    _feed(board, 's0', 1.0, 1000)  # a burst, then a steady 10 Hz
    board.snapshot(1.0)
    samples = 1000
    for second in range(2, 20):
        samples += 10
        _feed(board, 's0', float(second), samples)
        snapshot = board.snapshot(float(second))
    assert snapshot['s0']['rate'] == pytest.approx(10.0)


def _run(board: StatsBoard, arrivals: list[float], until: float, sid: str = 's0',
         phase: float = 0.37) -> list[tuple[float, float | None, str]]:
    """
    Play samples received at ``arrivals`` (steady seconds) against snapshots once a second.

    The writer's side is what ingest does per batch: bump ``samples``, set ``last_receive``.
    :return: ``(now, age of the newest sample, state)`` of every snapshot up to ``until``.
    """
    seen = []
    given = 0
    stats = board.series[sid]
    for second in range(int(until - phase) + 1):
        now = phase + second
        while given < len(arrivals) and arrivals[given] <= now:
            stats.samples += 1
            stats.last_receive = arrivals[given]
            stats.state = 'ok'
            given += 1
        entry = board.snapshot(now)[sid]
        seen.append((now, entry['age'], entry['status']['state']))
    return seen


def _steady(rate: float, start: float, stop: float) -> list[float]:
    return [start + i / rate for i in range(int((stop - start) * rate) + 1)]


def _stale_from(seen, after: float) -> float | None:
    """Return when a snapshot after ``after`` first said stale (None: never)."""
    return next((now for now, _, status in seen if now > after and status == 'stale'), None)


# rate -> seconds without a sample after which the series is stale: max(3 periods, 1 s)
LIMITS = {0.2: 15.0, 1.0: 3.0, 5.0: 1.0, 200.0: 1.0, 1000.0: 1.0}


@pytest.mark.parametrize('rate', sorted(LIMITS))
def test_a_series_is_ok_while_it_flows_and_stale_soon_after_it_stops(rate):
    board = StatsBoard(['s0'])
    arrivals = _steady(rate, 0.0, 60.0)
    seen = _run(board, arrivals, 200.0)
    last = arrivals[-1]
    flowing = [status for now, _, status in seen if arrivals[0] <= now <= last]
    assert flowing and set(flowing) == {'ok'}, flowing
    # Stale once the newest sample is older than the limit (seen by the next snapshot)...
    turned = _stale_from(seen, last)
    assert turned is not None
    assert LIMITS[rate] < turned - last <= LIMITS[rate] + 1.0
    # ...and it stays stale for as long as nothing comes, with the rate at 0.
    assert {status for now, _, status in seen if now >= turned} == {'stale'}
    assert board.snapshot(201.0)['s0']['rate'] == 0.0
    assert board.stale_limit('s0') == pytest.approx(LIMITS[rate])


def test_jittery_arrivals_of_a_slow_topic_stay_ok():
    jitter = random.Random(3)
    arrivals = [i + jitter.uniform(-0.3, 0.3) for i in range(1, 60)]
    seen = _run(StatsBoard(['s0']), arrivals, 59.0)
    assert {status for now, _, status in seen if now > arrivals[0]} == {'ok'}


def test_after_an_outage_the_hole_is_not_taken_for_a_period():
    board = StatsBoard(['s0'])
    # 5 Hz for 20 s, nothing for 20 s, 5 Hz for 10 s, then it stops again.
    arrivals = _steady(5.0, 0.0, 20.0) + _steady(5.0, 40.0, 50.0)
    seen = _run(board, arrivals, 80.0)
    statuses = {now: status for now, _, status in seen}
    assert statuses[25.37] == 'stale' and statuses[40.37] == 'ok'  # back at the first sample
    turned = _stale_from(seen, 50.0)
    assert turned is not None and turned - 50.0 <= 2.0, seen


def test_one_sample_so_far_stays_fresh_for_the_first_period_grace():
    board = StatsBoard(['s0'])
    seen = _run(board, [0.0], 30.0)
    turned = _stale_from(seen, 0.0)
    assert turned is not None and FIRST_PERIOD_GRACE < turned <= FIRST_PERIOD_GRACE + 1.0


def test_stale_after_from_the_yaml_wins_over_the_rate():
    board = StatsBoard(['s0', 's1'], {'s0': 0.5})
    _run(board, _steady(1.0, 0.0, 10.0), 10.0)
    assert board.stale_limit('s0') == 0.5
    assert board.stale_limit('s1') == FIRST_PERIOD_GRACE  # nothing received on s1
    stats = board.series['s0']
    stats.last_receive = 20.0
    assert board.snapshot(20.4)['s0']['status'] == {'state': 'ok', 'reason': ''}
    assert board.snapshot(20.6)['s0']['status'] == {'state': 'stale', 'reason': ''}


@pytest.mark.parametrize(('state', 'reason', 'last_receive', 'status'), [
    ('waiting', '', None, ('waiting', '')),
    ('ok', '', None, ('waiting', '')),  # subscribed, nothing received yet
    ('error', 'incompatible QoS (RELIABILITY)', None, ('error', 'incompatible QoS (RELIABILITY)')),
    ('error', 'no such field', 99.5, ('error', 'no such field')),  # errors win over freshness
    ('ok', '', 99.5, ('ok', '')),
    ('ok', '', 90.0, ('stale', '')),
])
def test_status(state, reason, last_receive, status):
    board = StatsBoard(['s0'], {'s0': 5.0})
    board.series['s0'].state, board.series['s0'].reason = state, reason
    board.series['s0'].last_receive = last_receive
    assert board.snapshot(100.0)['s0']['status'] == dict(zip(('state', 'reason'), status,
                                                             strict=True))


def test_counters_are_reported_as_written():
    board = StatsBoard(['s0'])
    stats = board.series['s0']
    stats.samples, stats.nonfinite, stats.errors, stats.decimated = 7, 2, 1, 3
    snapshot = board.snapshot(5.0)['s0']
    assert (snapshot['samples'], snapshot['nonfinite'], snapshot['errors'],
            snapshot['decimated']) == (7, 2, 1, 3)


@pytest.mark.parametrize(('state', 'missing', 'last_receive', 'status'), [
    # the most recent message had no value: an error, whether samples came before or not
    ('ok', 'position[5]: index out of range', 99.5, ('error', 'position[5]: index out of range')),
    ('waiting', 'position[5]: index out of range', None,
     ('error', 'position[5]: index out of range')),
    ('ok', 'position[5]: index out of range', 50.0, ('error', 'position[5]: index out of range')),
    # an error the node set wins
    ('error', 'x[1]: index out of range', 99.5, ('error', 'incompatible QoS (RELIABILITY)')),
    # cleared by a message that had the value
    ('ok', '', 99.5, ('ok', '')),
])
def test_a_missing_value_in_the_latest_message_is_an_error(state, missing, last_receive,
                                                            status):
    board = StatsBoard(['s0', 's1'])
    board.series['s0'].state = state
    board.series['s0'].reason = 'incompatible QoS (RELIABILITY)' if state == 'error' else ''
    board.series['s0'].missing = missing
    board.series['s0'].last_receive = last_receive
    _feed(board, 's1', 99.5, 10)
    snapshot = board.snapshot(100.0)
    assert snapshot['s0']['status'] == dict(zip(('state', 'reason'), status, strict=True))
    assert snapshot['s1']['status'] == {'state': 'ok', 'reason': ''}  # its trouble is its own


# --- series added at run time: members of a template (a slice) --------------------------------

@pytest.mark.parametrize('members, state, reason, missing, expected', [
    # no members yet: waiting, whatever the node says of the topic
    (0, 'waiting', '', '', {'state': 'waiting', 'reason': ''}),
    (0, 'ok', '', '', {'state': 'waiting', 'reason': ''}),
    # members: ok, with how many
    (1, 'ok', '', '', {'state': 'ok', 'reason': '1 series'}),
    (3, 'waiting', '', '', {'state': 'ok', 'reason': '3 series'}),
    # an error of the node, or elements the writer could not chart, win
    (2, 'error', 'topic has types a, b', '', {'state': 'error', 'reason': 'topic has types a, b'}),
    (2, 'ok', '', 'max_series (2) reached: 3 elements not charted',
     {'state': 'error', 'reason': 'max_series (2) reached: 3 elements not charted'}),
    (0, 'error', 'no such field', '', {'state': 'error', 'reason': 'no such field'}),
])
def test_a_template_is_waiting_then_counts_its_members_unless_in_error(
        members, state, reason, missing, expected):
    board = StatsBoard(['s0', 's1'])
    for n in range(members):
        board.add(f's0.{n}', parent='s0')
    template = board.series['s0']
    template.state, template.reason, template.missing = state, reason, missing
    assert board.snapshot(5.0)['s0']['status'] == expected


def test_a_template_counts_its_members_samples_and_members_have_their_own_status():
    board = StatsBoard(['s0', 's1'], {'s0': 2.0})
    board.add('s0.0', 2.0, parent='s0')
    board.add('s0.1', 2.0, parent='s0')
    _feed(board, 's0.0', 10.0, 7)
    _feed(board, 's0.1', 7.0, 5)
    _feed(board, 's1', 10.0, 100)
    snapshot = board.snapshot(10.5)
    assert snapshot['s0']['samples'] == 12
    assert snapshot['s0.0']['status'] == {'state': 'ok', 'reason': ''}
    assert snapshot['s0.1']['status'] == {'state': 'stale', 'reason': ''}  # stale_after 2 s
    assert snapshot['s1']['samples'] == 100
    assert list(snapshot) == ['s0', 's1', 's0.0', 's0.1']


def test_a_series_is_added_once():
    board = StatsBoard(['s0'])
    board.add('s0.0', parent='s0')
    with pytest.raises(ValueError, match='s0.0'):
        board.add('s0.0', parent='s0')
    with pytest.raises(ValueError, match='s0'):
        board.add('s0')


def test_series_added_while_another_thread_takes_snapshots():
    """The writer adds while the pump snapshots: never 'dictionary changed size'."""
    board = StatsBoard(['s0'])
    clock = itertools.count(1)

    def read() -> None:
        board.snapshot(next(clock) / 100)
        for stats in board.series.values():
            stats.decimated += 0

    def write() -> None:
        for n in range(3000):
            board.add(f's0.{n}', parent='s0')
            _feed(board, f's0.{n}', float(n), 1)

    failures = failures_while(read, write)
    assert not failures, failures
    assert board.snapshot(5000.0)['s0']['status'] == {'state': 'ok', 'reason': '3000 series'}
