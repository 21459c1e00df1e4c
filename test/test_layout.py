# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Layout: members of slices added at run time, their ids, order, version and bounds."""

import dataclasses
import json

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from ros2_rtgraph.budget import over_budget
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.layout import Layout

YAML = """
server:
  buffer: {buffer}
  memory: {memory}
  max_series: {max_series}
charts:
  - title: Joints
    unit: rad
    min: -3.5
    limits: [{{value: 3, label: stop}}]
    series:
      - {{topic: /joint_states, field: 'position[:]', label: joints, stale_after: 2.5}}
      - /odom.twist.twist.linear.x
  - title: Scan
    unit: m
    series:
      - {{topic: /scan, field: 'ranges[0:10]'}}
"""
TEMPLATES = ('s0', 's2')


def _layout(*, buffer: int = 1000, memory: int = 256, max_series: int = 256,
            expanding=TEMPLATES) -> Layout:
    config = parse_config(YAML.format(buffer=buffer, memory=memory, max_series=max_series),
                          '<test>')
    return Layout.for_config(config, expanding=expanding)


def test_without_members_describe_is_the_configuration_with_templates_marked():
    layout = _layout()
    assert layout.version == 0
    assert layout.describe() == {
        'charts': [
            {'index': 0, 'title': 'Joints', 'unit': 'rad', 'min': -3.5, 'max': None,
             'limits': [{'value': 3.0, 'label': 'stop'}], 'precision': None,
             'series': ['s0', 's1']},
            {'index': 1, 'title': 'Scan', 'unit': 'm', 'min': None, 'max': None, 'limits': [],
             'precision': None, 'series': ['s2']},
        ],
        'series': [
            {'id': 's0', 'label': 'joints', 'topic': '/joint_states', 'field': 'position[:]',
             'unit': 'rad', 'chart': 0, 'expand': True},
            {'id': 's1', 'label': '/odom.twist.twist.linear.x', 'topic': '/odom',
             'field': 'twist.twist.linear.x', 'unit': 'rad', 'chart': 0},
            {'id': 's2', 'label': '/scan.ranges[0:10]', 'topic': '/scan',
             'field': 'ranges[0:10]', 'unit': 'm', 'chart': 1, 'expand': True},
        ],
        'window': 30.0, 'frame_rate': 20.0, 'max_points': 500, 'buffer': 1000,
        'explore': True, 'namespace': None,
    }
    assert layout.labels() == {
        's0': 'joints', 's1': '/odom.twist.twist.linear.x', 's2': '/scan.ranges[0:10]'}


def test_members_follow_their_template_in_order_of_addition():
    layout = _layout()
    added = [
        layout.add_member('s0', 'position[name=="shoulder"]', '/joint_states position shoulder'),
        layout.add_member('s2', 'ranges[0]', '/scan ranges[0]'),
        layout.add_member('s0', 'position[name=="elbow"]', '/joint_states position elbow'),
    ]
    assert added == ['s0.0', 's2.0', 's0.1']
    assert layout.version == 3
    meta = layout.describe()
    assert [chart['series'] for chart in meta['charts']] == [['s0', 's0.0', 's0.1', 's1'],
                                                             ['s2', 's2.0']]
    assert [s['id'] for s in meta['series']] == ['s0', 's0.0', 's0.1', 's1', 's2', 's2.0']
    by_id = {s['id']: s for s in meta['series']}
    assert by_id['s0.1'] == {
        'id': 's0.1', 'label': '/joint_states position elbow', 'topic': '/joint_states',
        'field': 'position[name=="elbow"]', 'unit': 'rad', 'chart': 0, 'parent': 's0'}
    assert by_id['s2.0'] == {
        'id': 's2.0', 'label': '/scan ranges[0]', 'topic': '/scan', 'field': 'ranges[0]',
        'unit': 'm', 'chart': 1, 'parent': 's2'}
    assert 'expand' not in by_id['s0.1'] and 'parent' not in by_id['s1']
    assert list(layout.labels()) == ['s0', 's0.0', 's0.1', 's1', 's2', 's2.0']
    json.dumps(meta, allow_nan=False)  # strict JSON


def test_a_member_gets_a_ring_and_stats_with_the_template_stale_after():
    layout = _layout()
    sid = layout.add_member('s0', 'position[1]', 'elbow')
    assert sid == 's0.0'
    assert layout.store.rings[sid].capacity == 1000
    assert layout.store.append(sid, 1.0, 2.0) == 1
    assert layout.stats.stale_limit(sid) == 2.5
    assert layout.stats.snapshot(1.0)['s0']['status'] == {'state': 'ok', 'reason': '1 series'}


def test_only_templates_take_members():
    layout = _layout()
    with pytest.raises(KeyError):
        layout.add_member('s1', 'x[0]', 'x')
    with pytest.raises(ValueError, match='s9'):
        _layout(expanding=('s0', 's9'))
    assert layout.version == 0


def test_max_series_caps_the_members_of_all_templates_together():
    layout = _layout(max_series=3)
    assert layout.add_member('s0', 'a[0]', 'a0') == 's0.0'
    assert layout.add_member('s2', 'b[0]', 'b0') == 's2.0'
    assert layout.add_member('s0', 'a[1]', 'a1') == 's0.1'
    assert layout.add_member('s2', 'b[1]', 'b1') is None
    assert layout.add_member('s0', 'a[2]', 'a2') is None
    assert layout.version == 3
    assert set(layout.store.rings) == {'s0', 's1', 's2', 's0.0', 's2.0', 's0.1'}
    assert set(layout.stats.series) == set(layout.store.rings)


@settings(max_examples=40, deadline=None)
@given(buffer=st.integers(10_000, 2_000_000), memory=st.integers(5, 64))
def test_the_memory_budget_caps_members_by_the_start_up_rule(buffer, memory):
    """Members are added exactly while all rings fit server.memory, as config.py checks."""
    configured = 3
    if over_budget(configured, buffer, memory):
        return  # config.py refuses such a file
    layout = _layout(buffer=buffer, memory=memory, max_series=10_000)
    added = 0
    while layout.add_member('s0', f'a[{added}]', f'a{added}') is not None:
        added += 1
    assert over_budget(configured + added, buffer, memory) is None
    assert over_budget(configured + added + 1, buffer, memory) is not None
    assert layout.version == added
    assert len(layout.store.rings) == configured + added


def _replaced(config, changes):
    """Return ``config`` with the series of some charts kept only (chart index -> ids kept)."""
    charts = []
    for index, chart in enumerate(config.charts):
        keep = changes.get(index)
        charts.append(dataclasses.replace(chart, series=tuple(
            s for s in chart.series if keep is None or s.id in keep)))
    return dataclasses.replace(config, charts=tuple(charts))


def test_replace_keeps_the_rings_of_series_that_stay_and_drops_the_others():
    layout = _layout()
    member = layout.add_member('s0', 'position[name=="elbow"]', 'elbow')
    layout.store.append('s1', 1.0, 2.0)
    kept_ring = layout.store.rings['s1']
    version = layout.version
    layout.replace(_replaced(layout.config, {0: {'s1'}}))  # the template s0 goes
    assert layout.version > version
    assert layout.store.rings['s1'] is kept_ring and len(kept_ring) == 1
    assert set(layout.store.rings) == set(layout.stats.series) == {'s1', 's2'}
    assert member not in layout.labels() and layout.members == 0
    assert [s['id'] for s in layout.describe()['series']] == ['s1', 's2']


def test_replace_gives_new_series_empty_rings_and_templates_keep_their_members():
    layout = _layout()
    member = layout.add_member('s2', 'ranges[3]', 'range 3')
    chart = layout.config.charts[1]
    added = dataclasses.replace(chart.series[0], id=layout.new_id(), field='ranges[0]', label='r0')
    config = dataclasses.replace(layout.config, charts=(
        layout.config.charts[0], dataclasses.replace(chart, series=(*chart.series, added))))
    layout.replace(config)
    assert added.id == 's3' and len(layout.store.rings['s3']) == 0
    assert layout.stats.series['s3'].samples == 0
    assert layout.describe()['charts'][1]['series'] == ['s2', member, 's3']


def test_new_ids_are_never_given_twice_in_a_run():
    layout = _layout()
    first = layout.new_id()
    layout.replace(_replaced(layout.config, {1: set()}))  # s2 goes: its number stays used
    assert [first, layout.new_id(), layout.new_id()] == ['s3', 's4', 's5']


def test_the_series_limit_is_the_files_plus_max_series_less_the_members():
    layout = _layout(max_series=5)
    assert layout.series_limit() == 3 + 5
    layout.add_member('s0', 'position[0]', 'p0')
    layout.add_member('s2', 'ranges[0]', 'r0')
    assert layout.series_limit() == 3 + 5 - 2


def test_a_series_whose_topic_changed_under_its_id_starts_an_empty_ring():
    layout = _layout()
    layout.store.append('s1', 1.0, 2.0)
    member = layout.add_member('s0', 'position[0]', 'p0')
    moved = {'/odom': '/robot2/odom', '/joint_states': '/robot2/joint_states'}
    config = dataclasses.replace(layout.config, charts=tuple(
        dataclasses.replace(chart, series=tuple(
            dataclasses.replace(s, topic=moved.get(s.topic, s.topic)) for s in chart.series))
        for chart in layout.config.charts))
    old_ring = layout.store.rings['s2']
    layout.replace(config)
    assert len(layout.store.rings['s1']) == 0  # another robot's odometry: not the old samples
    assert layout.store.rings['s2'] is old_ring  # /scan did not move
    assert member not in layout.store.rings and layout.members == 0  # the template moved too
    assert layout.add_member('s0', 'position[0]', 'p0') == 's0.0'
