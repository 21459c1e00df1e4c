# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Slices end to end: the real bridge, a real publisher, the stream and the page.

A JointState topic grows from 3 to 5 joints, shuffled in every message: the new joints appear
as new series in a new ``meta`` event and on the page (Chromium), the ones there keep their ids,
and every value follows its joint's name. A scan's slice then meets ``server.max_series``.
"""

import random

from browser import chromium
from browser import page_state
from browser import PHONE
from browser import wait_state
from browser import watched_page
import pytest
from ros_helpers import Bridge
from ros_helpers import rtgraph_command
from ros_helpers import wait_matched
from ros_helpers import write_config
from sensor_msgs.msg import JointState
from sensor_msgs.msg import LaserScan
from test_main import connect
from test_main import Watcher

MAX_SERIES = 7
YAML = f"""\
server: {{host: 127.0.0.1, port: 0, frame_rate: 20, max_series: {MAX_SERIES}}}
charts:
  - title: Joints
    unit: rad
    series:
      - {{topic: /slices/joints, type: sensor_msgs/msg/JointState, field: 'position[:]'}}
  - title: Scan
    series:
      - {{topic: /slices/scan, type: sensor_msgs/msg/LaserScan, field: 'ranges[1:-1]'}}
"""
JOINTS, SCAN = 's0', 's1'
NAMES = ['hip', 'knee', 'ankle', 'elbow', 'wrist']


@pytest.fixture(scope='module')
def robot(robot_peer):
    node = robot_peer.node('slice_robot')
    return {'joints': node.create_publisher(JointState, '/slices/joints', 100),
            'scan': node.create_publisher(LaserScan, '/slices/scan', 100)}


@pytest.fixture(scope='module')
def bridge(robot, tmp_path_factory):
    process = Bridge(rtgraph_command(write_config(tmp_path_factory.mktemp('slices'), YAML)))
    try:
        process.wait_serving()
        for publisher in robot.values():
            wait_matched(publisher)
        yield process
    finally:
        process.close()


def _position(name: str, step: int) -> float:
    return NAMES.index(name) * 10.0 + step / 1000


def _publish_joints(publisher, joints: int, steps: range, rng: random.Random) -> None:
    """Publish the first ``joints`` names, shuffled anew in every message."""
    for step in steps:
        names = NAMES[:joints]
        rng.shuffle(names)
        publisher.publish(JointState(name=names, position=[_position(n, step) for n in names]))


def _members(watcher: Watcher, parent: str) -> dict[str, str]:
    """Return id -> label of the parent's members in the newest meta event."""
    meta = [e.json() for e in watcher.events if e.event == 'meta'][-1]
    return {s['id']: s['label'] for s in meta['series'] if s.get('parent') == parent}


def test_a_growing_slice_adds_series_whose_values_follow_their_names(robot, bridge):
    rng = random.Random(3)
    with connect(bridge) as client:
        watcher = Watcher(client)
        assert [s.get('expand') for s in watcher.events[0].json()['series']] == [True, True]
        _publish_joints(robot['joints'], 3, range(0, 50), rng)
        watcher.wait(lambda: len(_members(watcher, JOINTS)) == 3 and all(
            len(watcher.values(sid)) == 50 for sid in _members(watcher, JOINTS)),
            'three members with 50 samples each')
        first = _members(watcher, JOINTS)
        # The names of one message become series in name order, whatever the message's order.
        assert list(first.values()) == [f'/slices/joints position {n}' for n in sorted(NAMES[:3])]
        assert list(first) == ['s0.0', 's0.1', 's0.2']
        metas = sum(1 for e in watcher.events if e.event == 'meta')

        _publish_joints(robot['joints'], 5, range(50, 100), rng)
        watcher.wait(lambda: len(_members(watcher, JOINTS)) == 5 and all(
            len(watcher.values(sid)) == 50 for sid in _members(watcher, JOINTS)
            if sid not in first), 'two more members with 50 samples each')
        members = _members(watcher, JOINTS)
        assert {sid: members[sid] for sid in first} == first  # the first three kept their ids
        assert [members[sid] for sid in ('s0.3', 's0.4')] == [
            '/slices/joints position elbow', '/slices/joints position wrist']
        assert sum(1 for e in watcher.events if e.event == 'meta') > metas
        # Every sample of every member is its own joint's value, message by message.
        watcher.wait(lambda: all(len(watcher.values(sid)) == 100 for sid in first),
                     'the first three members with 100 samples each')
        for sid, label in members.items():
            name = label.rsplit(' ', 1)[-1]
            steps = range(100) if sid in first else range(50, 100)
            assert watcher.values(sid) == [_position(name, step) for step in steps], label


def test_a_slice_past_max_series_charts_what_fits_and_says_what_not(robot, bridge):
    with connect(bridge) as client:
        watcher = Watcher(client)
        joints = len(_members(watcher, JOINTS))
        assert joints == 5  # from the test before
        for step in range(20):
            robot['scan'].publish(LaserScan(ranges=[float(i + step) for i in range(7)]))

        def status() -> dict:
            stats = [e.json() for e in watcher.events if e.event == 'stats']
            return stats[-1]['series'][SCAN]['status'] if stats else {}

        # ranges[1:-1] of 7 ranges is 6 elements (both ends included); 2 fit under
        # max_series beside the 5 joints.
        watcher.wait(lambda: len(_members(watcher, SCAN)) == MAX_SERIES - joints and status()
                     == {'state': 'error', 'reason': 'max_series reached: 4 elements not charted'},
                     'the scan slice capped at max_series')
        assert sorted(_members(watcher, SCAN).values()) == [
            '/slices/scan ranges[1]', '/slices/scan ranges[2]']
        watcher.wait(lambda: all(len(watcher.values(sid)) == 20 for sid in _members(
            watcher, SCAN)), 'the two scan members with every sample')
        first = next(sid for sid, label in _members(watcher, SCAN).items()
                     if label.endswith('[1]'))
        assert watcher.values(first) == [float(1 + step) for step in range(20)]


@pytest.mark.browser
def test_the_page_shows_members_as_the_slice_grows(robot, bridge, tmp_path):
    # A bridge of its own, so the page sees the slice from 3 joints on (and the module's, which
    # the publisher counts too, whether or not another test of the module ran).
    own = Bridge(rtgraph_command(write_config(tmp_path, YAML)))
    rng = random.Random(5)
    try:
        own.wait_serving()
        wait_matched(robot['joints'], 2)  # this bridge and the module's
        with chromium() as context, watched_page(context, own.url, viewport=PHONE) as (
                page, _):
            wait_state(page, 's.charts.length === 2')
            _publish_joints(robot['joints'], 3, range(0, 40), rng)
            wait_state(page, 's.charts[0].series.length === 3 && '
                             's.charts[0].series.every((x) => x.drawn > 1)')
            held = {s['id']: s['held'] for s in page_state(page)['charts'][0]['series']}
            _publish_joints(robot['joints'], 5, range(40, 80), rng)
            wait_state(page, 's.charts[0].series.length === 5 && '
                             's.charts[0].series.every((x) => x.drawn > 1)')
            state = page_state(page)
            after = {s['id']: s['held'] for s in state['charts'][0]['series']}
            assert all(after[sid] >= count for sid, count in held.items())  # kept their points
            assert state['events']['snapshot'] == 1  # nothing restarted
            legend = page.locator('.card').first.locator('.legend .entry .label')
            labels = legend.all_text_contents()
            assert labels[0] == '/slices/joints.position[:]'  # the group row
            assert sorted(labels[1:]) == sorted(f'/slices/joints position {n}' for n in NAMES)
    finally:
        own.close()
