# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Charts changed at run time and the layout saved as YAML: pure functions, tables and properties.

test_explore.py drives the same through the node and HTTP.
"""

import dataclasses
import itertools
import json

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.editing import add_chart
from ros2_rtgraph.editing import change_chart
from ros2_rtgraph.editing import ChartNotFoundError
from ros2_rtgraph.editing import remove_chart
from ros2_rtgraph.editing import set_variables
from ros2_rtgraph.layoutfile import chart_entries
from ros2_rtgraph.layoutfile import config_yaml

YAML = """\
server: {buffer: 1000, memory: 16}
charts:
  - title: A
    series: [/a.x, {topic: /a, field: y, label: why}]
  - title: B
    unit: m
    series: [/b.z]
"""


def _config():
    return parse_config(YAML, 'rtgraph.yaml')


def _ids(start: int = 10):
    numbers = itertools.count(start)
    return lambda: f's{next(numbers)}'


def _where(config) -> list[tuple[str, int, str]]:
    return [(s.id, s.chart, s.key) for s in config.series]


def test_an_added_chart_comes_last_with_new_ids():
    config = add_chart(_config(), json.dumps(
        {'title': 'C', 'min': 0, 'series': ['/c.v', {'topic': '/c', 'field': 'w'}]}), _ids())
    assert [c.title for c in config.charts] == ['A', 'B', 'C']
    assert config.charts[2].min == 0
    assert _where(config)[3:] == [('s10', 2, 'charts[2].series[0]'),
                                  ('s11', 2, 'charts[2].series[1]')]
    assert config.source == 'rtgraph.yaml' and config.server == _config().server


def test_a_changed_chart_keeps_the_ids_of_the_series_it_had():
    config = change_chart(_config(), 0, json.dumps({'title': 'A2', 'series': [
        {'topic': '/a', 'field': 'y', 'label': 'renamed'}, '/a.q', '/a.x']}), _ids())
    chart = config.charts[0]
    assert chart.title == 'A2' and chart.unit == ''
    assert [(s.id, s.field, s.label) for s in chart.series] == [
        ('s1', 'y', 'renamed'), ('s10', 'q', '/a.q'), ('s0', 'x', '/a.x')]
    assert config.charts[1] == _config().charts[1]


def test_a_change_of_some_keys_leaves_the_others():
    config = change_chart(_config(), 1, '{"unit": "mm", "limits": [1, {"value": 2}]}', _ids())
    old, new = _config().charts[1], config.charts[1]
    assert (new.title, new.unit, [limit.value for limit in new.limits]) == ('B', 'mm', [1, 2])
    assert new.series == old.series


def test_a_removed_chart_takes_its_series_and_the_others_move_up():
    config = remove_chart(_config(), 0)
    assert _where(config) == [('s2', 0, 'charts[0].series[0]')]


@pytest.mark.parametrize('change, error', [
    (lambda c: add_chart(c, '{"title": "C"}', _ids()),
     "request body: charts[2]: missing required key 'series'"),
    (lambda c: add_chart(c, '[1, 2]', _ids()), 'request body: charts[2]: expected a mapping'),
    (lambda c: add_chart(c, '{"title": "C", "series": ["/c.v"], "x": 1}', _ids()),
     "request body: charts[2].x: unknown key 'x'"),
    (lambda c: add_chart(c, '{"title": "C", "series": [{"topic": "/c", "field": "v", '
                            '"depth": 0}]}', _ids()),
     'request body: charts[2].series[0].depth: must be between 1 and 10000, got 0'),
    (lambda c: add_chart(c, '{"title": "C", "series": [{"id": "s2", "topic": "/c", '
                            '"field": "v"}]}', _ids()),
     "request body: charts[2].series[0]: series id 's2' is the id of charts[1].series[0] "
     'at line 7 too'),
    (lambda c: add_chart(c, '{"title": "C", "series": ["/c.v", "/c.v"]}', _ids()),
     'request body: charts[2].series[1]: duplicate series /c.v (same topic, field, scale and '
     'offset as charts[2].series[0])'),
    (lambda c: add_chart(c, '{"title": NaN}', _ids()), 'request body: invalid JSON: NaN'),
    (lambda c: add_chart(c, '{"title": "C",\n "series": [}', _ids()),
     'request body:2: invalid JSON: Expecting value'),
    (lambda c: add_chart(c, b'\xff', _ids()), 'request body: invalid JSON'),
    (lambda c: add_chart(c, '[' * 100_000, _ids()), 'request body: invalid JSON'),
    (lambda c: change_chart(c, 0, '{"max": -1, "min": 1}', _ids()),
     'request body: charts[0].max: max (-1) must be greater than min (1)'),
    (lambda c: change_chart(dataclasses.replace(c, charts=(dataclasses.replace(
        c.charts[0], min=5.0),)), 0, '{"max": 1}', _ids()),
     'request body: charts[0].max: max (1) must be greater than min (5)'),
    (lambda c: change_chart(c, 1, '{"series": []}', _ids()),
     'request body: charts[1].series: a chart needs at least one series'),
    (lambda c: add_chart(c, '{"title": "C", "series": ["/c.v", "/c.w"]}', _ids(), most=4),
     'request body: charts: 5 series, more than the 4 this bridge may chart now'),
    (lambda c: remove_chart(remove_chart(c, 0), 0),
     'request body: charts[0]: the only chart cannot be removed'),
    (lambda c: add_chart(c, json.dumps({'title': 'C', 'series': [
        {'topic': '/c', 'field': f'v[{i}]'} for i in range(700)]}), _ids()),
     'request body: charts: needs 21 MB, more than server.memory (16 MB): rings 17 MB (703 '
     'series'),
    (lambda c: change_chart(dataclasses.replace(c, server=dataclasses.replace(
        c.server, buffer=2)), 0, json.dumps({'series': [
            {'topic': '/c', 'field': f'v[{i}]'} for i in range(1000)]}), _ids()),
     'request body: charts: 1001 series, more than the 1000 a layout may chart'),
])
def test_a_bad_change_names_what_is_wrong_and_where(change, error):
    with pytest.raises(ConfigError) as caught:
        change(_config())
    assert str(caught.value).startswith(error)


def test_a_change_that_adds_no_series_passes_a_bound_already_reached():
    config = change_chart(_config(), 0, '{"title": "A2"}', _ids(), most=1)
    assert config.charts[0].title == 'A2'


@pytest.mark.parametrize('change', [
    lambda c: change_chart(c, 2, '{}', _ids()), lambda c: change_chart(c, -1, '{}', _ids()),
    lambda c: remove_chart(c, 5)])
def test_a_chart_that_is_not_there_is_not_found(change):
    with pytest.raises(ChartNotFoundError, match='the layout has charts 0 to 1'):
        change(_config())


def test_the_saved_file_reads_back_to_the_same_layout():
    config = change_chart(add_chart(_config(), '{"title": "C", "series": ["/c.v"]}', _ids()),
                          0, '{"series": ["/a.x"]}', _ids(20))
    text = config_yaml(config)
    assert 'token' not in text
    again = parse_config(text, 'saved.yaml')
    assert chart_entries(again, ids=True) == chart_entries(config, ids=True)
    assert [s.id for s in again.series] == ['s0', 's2', 's10']
    assert dataclasses.replace(again.server, token=None) == dataclasses.replace(
        config.server, token=None)


def test_a_file_order_layout_is_saved_without_ids():
    text = config_yaml(_config())
    assert 'id:' not in text
    assert [s.id for s in parse_config(text).series] == ['s0', 's1', 's2']


_TEXT = st.text(st.characters(blacklist_categories=('Cs', 'Cc')), min_size=1,
                max_size=12).filter(lambda text: '${' not in text)  # '${' starts a variable
_NUMBER = st.floats(allow_nan=False, allow_infinity=False, width=32)
_SERIES = st.fixed_dictionaries({
    'topic': st.from_regex(r'/[a-z][a-z0-9_]{0,6}', fullmatch=True),
    'field': st.from_regex(r'[a-z][a-z_]{0,6}(\.[a-z]{1,4})?', fullmatch=True),
}, optional={
    'label': _TEXT, 'stamp': st.sampled_from(['header', 'receive']),
    'qos': st.sampled_from(['auto', 'reliable', 'best_effort', 'sensor_data']),
    'depth': st.integers(1, 10_000), 'scale': _NUMBER, 'offset': _NUMBER,
    'stale_after': st.floats(0.001, 1e6),
})
_CHART = st.fixed_dictionaries({
    'title': _TEXT, 'series': st.lists(_SERIES, min_size=1, max_size=4,
                                       unique_by=lambda s: (s['topic'], s['field'])),
}, optional={'unit': _TEXT, 'min': st.floats(-1e6, -1), 'max': st.floats(0, 1e6),
             'limits': st.lists(st.one_of(_NUMBER, st.fixed_dictionaries(
                 {'value': _NUMBER, 'label': _TEXT})), max_size=3)})


@settings(max_examples=60, deadline=None)
@given(st.lists(_CHART, min_size=1, max_size=3), st.lists(st.integers(0, 2), max_size=2))
def test_any_layout_survives_saving_and_loading(charts, removals):
    config = parse_config('charts: [{title: t, series: [/t.x]}]')
    ids = _ids(100)
    for chart in charts:
        config = add_chart(config, json.dumps(chart), ids)
    for index in removals:
        if len(config.charts) > 1:
            config = remove_chart(config, index % len(config.charts))
    again = parse_config(config_yaml(config), 'saved.yaml')
    assert chart_entries(again, ids=True) == chart_entries(config, ids=True)


FLEET = """\
variables: {ns: /robot1, side: left}
charts:
  - title: ${side} arm of ${ns}
    series:
      - ${ns}/imu.x
      - topic: ${ns}/joints
        field: position[0]
        label: ${side} shoulder
      - /clock.clock.sec
"""


def test_other_values_of_the_variables_move_topics_titles_and_labels_keeping_ids():
    config = set_variables(parse_config(FLEET, 'fleet.yaml'), '{"ns": "/robot2"}')
    assert config.charts[0].title == 'left arm of /robot2'
    assert [(s.id, s.topic, s.label) for s in config.series] == [
        ('s0', '/robot2/imu', '/robot2/imu.x'), ('s1', '/robot2/joints', 'left shoulder'),
        ('s2', '/clock', '/clock.clock.sec')]
    assert dict(config.variables) == {'ns': '/robot2', 'side': 'left'}
    back = set_variables(config, '{"ns": ""}')
    assert [s.topic for s in back.series] == ['/imu', '/joints', '/clock']
    text = config_yaml(config)
    assert '${ns}/imu' in text and 'title: ${side} arm of ${ns}' in text
    again = parse_config(text)
    assert chart_entries(again, ids=True) == chart_entries(config, ids=True)
    assert dict(again.variables) == dict(config.variables)


@pytest.mark.parametrize('body, error', [
    ('{"robot": "/r"}', "request body: variables.robot: unknown variable 'robot' "
                        '(variables: ns, side)'),
    ('{"ns": "robot2"}', "request body: variables.ns: invalid namespace 'robot2'"),
    ('{"ns": 2}', 'request body: variables.ns: expected a string'),
    ('{"side": "${ns}"}', 'request body: variables.side: a value cannot use other variables'),
    ('["ns"]', 'request body: variables: expected a mapping'),
])
def test_bad_values_of_the_variables_are_refused(body, error):
    with pytest.raises(ConfigError) as caught:
        set_variables(parse_config(FLEET), body)
    assert str(caught.value).startswith(error)


def test_a_chart_added_at_run_time_may_use_the_variables():
    config = add_chart(parse_config(FLEET), '{"title": "${ns}", "series": ["${ns}/b.y"]}',
                       _ids())
    assert (config.charts[1].title, config.series[-1].topic) == ('/robot1', '/robot1/b')
    assert dict(config.series[-1].templates)['topic'] == '${ns}/b'
