# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""StatsBoard: rates from count deltas on a steady clock, the stale rule and status strings."""

import json

import pytest

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
        'status': 'waiting'}
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


@pytest.mark.parametrize(('rate', 'age', 'status'), [
    # fast topics: stale after the 2 s floor
    (100.0, 1.9, 'ok'),
    (100.0, 2.1, 'stale'),
    # slow topics: stale after five periods
    (1.0, 4.9, 'ok'),
    (1.0, 5.1, 'stale'),
    (0.2, 24.0, 'ok'),
    (0.2, 26.0, 'stale'),
])
def test_stale_after_five_periods_but_not_before_two_seconds(rate, age, status):
    board = StatsBoard(['s0'])
    _feed(board, 's0', 0.0, 0)
    board.snapshot(0.0)
    # Ten seconds of samples at `rate`, the last one received at t = 10.
    _feed(board, 's0', 10.0, round(rate * 10))
    board.snapshot(10.0)
    snapshot = board.snapshot(10.0 + age)
    assert snapshot['s0']['status'] == status
    assert snapshot['s0']['age'] == pytest.approx(age)


def test_a_topic_that_stopped_turns_stale_not_waiting():
    board = StatsBoard(['s0'])
    _feed(board, 's0', 0.0, 0)
    board.snapshot(0.0)
    _feed(board, 's0', 1.0, 100)
    board.snapshot(1.0)
    for second in range(2, 30):  # no more samples: the measured rate drops to 0
        snapshot = board.snapshot(float(second))
    assert snapshot['s0']['rate'] == 0.0
    assert snapshot['s0']['status'] == 'stale'


@pytest.mark.parametrize(('state', 'last_receive', 'status'), [
    ('waiting', None, 'waiting'),
    ('ok', None, 'waiting'),  # subscribed, nothing received yet
    ('error: incompatible QoS (reliability)', None, 'error: incompatible QoS (reliability)'),
    ('error: no such field', 99.5, 'error: no such field'),  # errors win over freshness
    ('ok', 99.5, 'ok'),
])
def test_status_strings(state, last_receive, status):
    board = StatsBoard(['s0'])
    board.series['s0'].state = state
    board.series['s0'].last_receive = last_receive
    assert board.snapshot(100.0)['s0']['status'] == status


def test_counters_are_reported_as_written():
    board = StatsBoard(['s0'])
    stats = board.series['s0']
    stats.samples, stats.nonfinite, stats.errors, stats.decimated = 7, 2, 1, 3
    snapshot = board.snapshot(5.0)['s0']
    assert (snapshot['samples'], snapshot['nonfinite'], snapshot['errors'],
            snapshot['decimated']) == (7, 2, 1, 3)


@pytest.mark.parametrize(('state', 'missing', 'last_receive', 'status'), [
    # the most recent message had no value: an error, whether samples came before or not
    ('ok', 'position[5]: index out of range', 99.5, 'error: position[5]: index out of range'),
    ('waiting', 'position[5]: index out of range', None,
     'error: position[5]: index out of range'),
    ('ok', 'position[5]: index out of range', 50.0, 'error: position[5]: index out of range'),
    # an error the node set wins
    ('error: incompatible QoS (RELIABILITY)', 'x[1]: index out of range', 99.5,
     'error: incompatible QoS (RELIABILITY)'),
    # cleared by a message that had the value
    ('ok', '', 99.5, 'ok'),
])
def test_a_missing_value_in_the_latest_message_is_an_error(state, missing, last_receive,
                                                            status):
    board = StatsBoard(['s0', 's1'])
    board.series['s0'].state = state
    board.series['s0'].missing = missing
    board.series['s0'].last_receive = last_receive
    _feed(board, 's1', 99.5, 10)
    snapshot = board.snapshot(100.0)
    assert snapshot['s0']['status'] == status
    assert snapshot['s1']['status'] == 'ok'  # one series' trouble is its own
