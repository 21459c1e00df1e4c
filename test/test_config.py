# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The YAML format: what parses into which dataclasses, and where each error points."""

import dataclasses
from pathlib import Path

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import pytest
import yaml

from ros2_rtgraph.config import apply_overrides
from ros2_rtgraph.config import ChartConfig
from ros2_rtgraph.config import Config
from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import default_config_path
from ros2_rtgraph.config import LimitLine
from ros2_rtgraph.config import load_config
from ros2_rtgraph.config import MAX_TOPIC_NAME_CHARS
from ros2_rtgraph.config import MIN_TOKEN_CHARS
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.config import SeriesConfig
from ros2_rtgraph.config import ServerConfig

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / 'config' / 'demo.yaml'
EXAMPLE = REPO / 'config' / 'example.yaml'

FULL = """\
server:
  host: 0.0.0.0
  port: 0
  frame_rate: 12.5
  max_points: 800
  window: 60
  buffer: 5000
  token: s3cret-s3cret-42
  max_clients: 4
  max_series: 64
charts:
  - title: Accel
    unit: m/s^2
    min: -20
    max: 20.5
    limits: [15, {value: -15, label: shock}]
    series:
      - /imu/data.linear_acceleration.x
      - topic: imu/data
        field: linear_acceleration.z
        type: sensor_msgs/Imu
        label: z
        stamp: receive
        qos: best_effort
        depth: 50
        scale: 2
        offset: -9.81
        stale_after: 2.5
  - title: Joints
    limits: {value: 1.5}
    series: ['/joint_states.position[2]']
"""


def _series(**fields) -> SeriesConfig:
    defaults = {'type': None, 'stamp': 'header', 'qos': 'auto', 'depth': None, 'scale': 1.0,
                'offset': 0.0, 'stale_after': None}
    defaults.setdefault('label', f"{fields['topic']}.{fields['field']}")
    return SeriesConfig(**{**defaults, **fields})


def test_full_example_parses_into_the_expected_dataclasses():
    config = parse_config(FULL, 'full.yaml')
    s0 = _series(id='s0', topic='/imu/data', field='linear_acceleration.x', chart=0, line=18,
                 key='charts[0].series[0]')
    s1 = _series(id='s1', topic='/imu/data', field='linear_acceleration.z',
                 type='sensor_msgs/msg/Imu', label='z', stamp='receive', qos='best_effort',
                 depth=50, scale=2.0, offset=-9.81, stale_after=2.5, chart=0, line=19,
                 key='charts[0].series[1]')
    s2 = _series(id='s2', topic='/joint_states', field='position[2]', chart=1, line=31,
                 key='charts[1].series[0]')
    assert config == Config(
        server=ServerConfig(host='0.0.0.0', port=0, frame_rate=12.5, max_points=800,
                            window=60.0, buffer=5000, token='s3cret-s3cret-42', max_clients=4,
                            max_series=64),
        charts=(
            ChartConfig(title='Accel', unit='m/s^2', min=-20.0, max=20.5,
                        limits=(LimitLine(15.0), LimitLine(-15.0, 'shock')), series=(s0, s1)),
            ChartConfig(title='Joints', limits=(LimitLine(1.5),), series=(s2,)),
        ),
        source='full.yaml')
    assert config.series == (s0, s1, s2)
    # ints are accepted where floats are, and stored as floats
    assert isinstance(config.server.window, float)
    assert isinstance(config.charts[0].series[1].scale, float)


def test_defaults_are_applied():
    config = parse_config('charts:\n  - title: t\n    series: [/a.x]\n')
    assert config.server == ServerConfig()
    assert config.server.token is None
    chart = config.charts[0]
    assert (chart.unit, chart.min, chart.max, chart.limits) == ('', None, None, ())
    assert chart.series == (_series(id='s0', topic='/a', field='x', chart=0, line=3,
                                    key='charts[0].series[0]'),)
    assert config.source == '<string>'


@pytest.mark.parametrize('series, topic, field', [
    ('/imu/data.linear_acceleration.x', '/imu/data', 'linear_acceleration.x'),
    ("'/joint_states.position[2]'", '/joint_states', 'position[2]'),
    ('odom.twist.twist.linear.x', '/odom', 'twist.twist.linear.x'),  # relative -> absolute
    ("'/scan.ranges[-1]'", '/scan', 'ranges[-1]'),
    ('/a_1/_b/c9.data', '/a_1/_b/c9', 'data'),
])
def test_shorthand_series(series, topic, field):
    (one,) = parse_config(f'charts:\n  - title: t\n    series:\n      - {series}\n').series
    assert (one.topic, one.field, one.label, one.type) == (topic, field, f'{topic}.{field}', None)


@pytest.mark.parametrize('value, expected', [
    ('sensor_msgs/msg/Imu', 'sensor_msgs/msg/Imu'),
    ('sensor_msgs/Imu', 'sensor_msgs/msg/Imu'),
    ('std_msgs/Float64', 'std_msgs/msg/Float64'),
    ('null', None),
])
def test_message_type_is_normalized(value, expected):
    text = f'charts:\n  - title: t\n    series: [{{topic: /a, field: x, type: {value}}}]\n'
    assert parse_config(text).series[0].type == expected


@pytest.mark.parametrize('line, token', [
    ('', None),  # absent: generate one at start-up
    ('  token: null\n', None),
    ("  token: ''\n", ''),  # auth off
    ('  token: abcdefghijklmnop\n', 'abcdefghijklmnop'),  # 16 characters: the shortest
    ("  token: '1234567890123456'\n", '1234567890123456'),
])
def test_token(line, token):
    text = f'server:\n  port: 1\n{line}charts:\n  - title: t\n    series: [/a.x]\n'
    assert parse_config(text).server.token == token


@pytest.mark.parametrize('name', [
    '/' + 'a' * (MAX_TOPIC_NAME_CHARS - 1),
    'a' * (MAX_TOPIC_NAME_CHARS - 1),  # relative: the leading '/' counts
    '/' + 'ab/' * 81 + 'abc',
])
def test_a_topic_name_of_the_longest_length_ros_allows_is_accepted(name):
    text = f'charts:\n  - title: t\n    series: [{{topic: {name}, field: x}}]\n'
    topic = parse_config(text).series[0].topic
    assert len(topic) == MAX_TOPIC_NAME_CHARS == 247 and topic.lstrip('/') == name.lstrip('/')


def test_series_ids_run_across_charts_and_duplicates_differ_by_scale():
    text = ('charts:\n'
            '  - {title: a, series: [/a.x, {topic: /a, field: x, scale: 2}]}\n'
            '  - {title: b, series: [/a.x, /b.y]}\n')
    config = parse_config(text)
    assert [s.id for s in config.series] == ['s0', 's1', 's2', 's3']
    assert [s.chart for s in config.series] == [0, 0, 1, 1]
    assert [s.key for s in config.series] == [
        'charts[0].series[0]', 'charts[0].series[1]', 'charts[1].series[0]',
        'charts[1].series[1]']


def test_a_series_may_name_its_id_and_the_others_keep_their_file_order_id():
    text = ('charts:\n'
            '  - {title: a, series: [/a.x, {id: speed-2, topic: /a, field: y}]}\n'
            '  - {title: b, series: [/b.y]}\n')
    assert [s.id for s in parse_config(text).series] == ['s0', 'speed-2', 's2']


def test_anchors_and_aliases_are_followed():
    text = ('charts:\n'
            '  - title: a\n'
            '    series: &imu\n'
            '      - {topic: /imu, field: x}\n'
            '  - title: b\n'
            '    series: *imu\n')
    first, second = parse_config(text).series
    assert (first.topic, second.topic, first.chart, second.chart) == ('/imu', '/imu', 0, 1)


@pytest.mark.parametrize('path', [DEMO, EXAMPLE], ids=['demo', 'example'])
def test_shipped_configs_load(path):
    config = load_config(path)
    assert config.source == str(path)
    assert config.series
    assert len({s.id for s in config.series}) == len(config.series)


def test_demo_config_charts_the_demo_robot():
    config = load_config(DEMO)
    topics = {s.topic for s in config.series}
    assert topics == {'/imu/data', '/odom', '/joint_states', '/battery_state', '/gps/fix',
                      '/diagnostics', '/demo/sine'}
    fields = {(s.topic, s.field) for s in config.series}
    assert {('/gps/fix', 'altitude'), ('/joint_states', 'position[name=="joint_3"]'),
            ('/joint_states', 'position[:]'),
            ('/diagnostics', 'status[:]{name=="motor_left"}.values[:]{key=="temperature"}.value'),
            ('/battery_state', 'voltage'), ('/odom', 'twist.twist.linear.x')} <= fields
    typed = {s.type for s in config.series}
    assert None in typed  # at least one series relies on type discovery
    assert 'sensor_msgs/msg/Imu' in typed
    assert any(chart.limits for chart in config.charts)


def _keys_used(nodes) -> set[str]:
    return {key for node in nodes if isinstance(node, dict) for key in node}


def test_example_config_uses_every_key():
    """example.yaml is the reference: every key the format knows appears in it."""
    document = yaml.safe_load(EXAMPLE.read_text(encoding='utf-8'))
    charts = document['charts']
    series = [one for chart in charts for one in chart['series']]
    limits = [one for chart in charts for one in chart.get('limits', [])]
    field_names = {cls: {f.name for f in dataclasses.fields(cls)}
                   for cls in (ServerConfig, ChartConfig, SeriesConfig, LimitLine)}
    assert set(document) == {'variables', 'server', 'charts'}
    assert set(document['server']) == field_names[ServerConfig]
    assert _keys_used(charts) == field_names[ChartConfig] - {'templates'}
    assert _keys_used(series) == field_names[SeriesConfig] - {'chart', 'line', 'key', 'templates'}
    assert 'ns' in document['variables']
    assert any('${ns}' in one['topic'] for one in series if isinstance(one, dict))
    assert _keys_used(limits) == field_names[LimitLine]
    assert any(isinstance(one, str) for one in series)  # the shorthand too


def test_default_config_path_is_the_checkout_demo_without_ament(monkeypatch):
    monkeypatch.delenv('AMENT_PREFIX_PATH', raising=False)
    assert Path(default_config_path()) == DEMO


def _ament_prefix(root: Path, with_config: bool) -> Path:
    """Lay out an install prefix as colcon does: resource-index marker plus share dir."""
    (root / 'share/ament_index/resource_index/packages').mkdir(parents=True)
    (root / 'share/ament_index/resource_index/packages/ros2_rtgraph').write_text('')
    (root / 'share/ros2_rtgraph/config').mkdir(parents=True)
    if with_config:
        (root / 'share/ros2_rtgraph/config/demo.yaml').write_text(DEMO.read_text())
    return root / 'share/ros2_rtgraph/config/demo.yaml'


def test_default_config_path_prefers_the_installed_share_dir(monkeypatch, tmp_path):
    installed = _ament_prefix(tmp_path, with_config=True)
    monkeypatch.setenv('AMENT_PREFIX_PATH', str(tmp_path))
    assert Path(default_config_path()) == installed
    assert load_config(default_config_path()).series


def test_default_config_path_falls_back_when_share_dir_lacks_the_file(monkeypatch, tmp_path):
    _ament_prefix(tmp_path, with_config=False)
    monkeypatch.setenv('AMENT_PREFIX_PATH', str(tmp_path))
    assert Path(default_config_path()) == DEMO


@pytest.mark.parametrize('line, key, expected', [
    (3, 'charts[0].title', 'f.yaml:3: charts[0].title: bad'),
    (None, 'charts', 'f.yaml: charts: bad'),
    (3, '', 'f.yaml:3: bad'),
    (None, '', 'f.yaml: bad'),
])
def test_config_error_text(line, key, expected):
    err = ConfigError('bad', source='f.yaml', line=line, key=key)
    assert str(err) == expected
    assert (err.message, err.source, err.line, err.key) == ('bad', 'f.yaml', line, key)


def test_missing_file(tmp_path):
    path = tmp_path / 'nope.yaml'
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f'{path}: file not found'


@pytest.mark.parametrize('content, fragment', [
    (b'charts: \xff\xfe\n', 'not UTF-8 text (byte 8)'),
    (None, 'cannot read file'),  # a directory
])
def test_unreadable_file(tmp_path, content, fragment):
    path = tmp_path / 'bad.yaml'
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert caught.value.source == str(path)
    assert fragment in caught.value.message


def test_load_config_reports_the_file_and_line(tmp_path):
    path = tmp_path / 'graph.yaml'
    path.write_text('charts:\n  - title: t\n    series:\n      - {topic: /a, field: x, qos: x}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f'{path}:4: charts[0].series[0].qos: invalid value')


BASE = 'charts:\n  - title: t\n    series: [/a.x]\n'  # a valid tail: lines 1-3


def _server(line: str) -> str:
    """Return a document whose line 2 is ``line`` in the server section."""
    return f'server:\n  {line}\n{BASE}'


def _chart(*lines: str) -> str:
    """Return a document whose chart starts on line 2 with ``lines``."""
    return 'charts:\n  - ' + '\n    '.join(lines) + '\n'


def _series_lines(count: int) -> str:
    """Return a document of one chart with ``count`` series, from line 4 on."""
    return 'charts:\n  - title: t\n    series:\n' + ''.join(
        f'      - /t{i}.x\n' for i in range(count))


def _one_series(series: str) -> str:
    """Return a document whose only series is ``series`` on line 4."""
    return _chart('title: t', 'series:', f'  - {series}')


LONG_INT = '9' * 5000

BAD = [
    # the file as a whole
    ('', None, '', 'file is empty'),
    ('# only a comment\n', None, '', 'file is empty'),
    ('just text\n', 1, '', "expected a mapping, got string 'just text'"),
    ('- a\n- b\n', 1, '', 'expected a mapping, got a list'),
    # YAML syntax
    ('server:\n  port: [1, 2\n' + BASE, 3, '', "invalid YAML: expected ',' or ']'"),
    ('a: b: c\n', 1, '', 'invalid YAML: mapping values are not allowed here'),
    ('charts:\n  - title: "open\n', 3, '', 'while scanning a quoted scalar at line 2'),
    ('x: 1\n\tbad: 2\n', 2, '', "found character '\\t' that cannot start any token"),
    ('a: 1\n---\nb: 2\n', 2, '', 'expected a single document'),
    ('ok: 1\nbad: \x07\n', 2, '', 'unacceptable character #x0007'),
    ('charts: *nothing\n', 1, '', "found undefined alias 'nothing'"),
    ('[' * 2000, None, '', 'nested too deeply'),
    # top level
    (BASE + 'chart: []\n', 4, 'chart', "unknown key 'chart' (did you mean 'charts'?)"),
    (BASE + 'zzz: 1\n', 4, 'zzz', "unknown key 'zzz' (known keys: variables, server, charts)"),
    (BASE + 'charts: []\n', 4, 'charts', 'duplicate key (first at line 1)'),
    ('server: {}\n', 1, '', "missing required key 'charts'"),
    ('charts: []\n', 1, 'charts', 'no charts'),
    ('charts: {}\n', 1, 'charts', 'expected a list, got a mapping'),
    ('charts:\n', 1, 'charts', 'expected a list, got null'),
    ('1: 2\n' + BASE, 1, '', 'expected a key name, got integer 1'),
    ('[a]: 2\n' + BASE, 1, '', 'expected a key name, got a list'),
    ('<<: {server: {}}\n' + BASE, 1, '', "merge keys ('<<') are not supported"),
    ('!!set {a}\n', 1, '', "unsupported YAML tag 'tag:yaml.org,2002:set'"),
    ('server: !custom {}\n' + BASE, 1, 'server', "unsupported YAML tag '!custom'"),
    ('server: []\n' + BASE, 1, 'server', 'expected a mapping, got a list'),
    # server
    (_server('port: true'), 2, 'server.port', 'expected an integer, got boolean true'),
    (_server("port: '8080'"), 2, 'server.port', "expected an integer, got string '8080'"),
    (_server('port: 80.5'), 2, 'server.port', 'expected an integer, got float 80.5'),
    (_server('port: 65536'), 2, 'server.port', 'must be between 0 and 65535, got 65536'),
    (_server('port: -1'), 2, 'server.port', 'must be between 0 and 65535, got -1'),
    (_server(f'port: {LONG_INT}'), 2, 'server.port', 'invalid integer'),
    (_server('port: !!int abc'), 2, 'server.port', "invalid integer 'abc'"),
    (_server('port: !!python/object:os.system x'), 2, 'server.port', 'unsupported YAML tag'),
    (_server('frame_rate: 0'), 2, 'server.frame_rate', 'must be greater than 0, got 0'),
    (_server('frame_rate: -5'), 2, 'server.frame_rate', 'must be greater than 0, got -5'),
    (_server('frame_rate: abc'), 2, 'server.frame_rate', "expected a number, got string 'abc'"),
    (_server('frame_rate: yes'), 2, 'server.frame_rate', 'expected a number, got boolean yes'),
    (_server('frame_rate: .inf'), 2, 'server.frame_rate', 'expected a finite number'),
    (_server('frame_rate: 1000'), 2, 'server.frame_rate', 'must be at most 100, got 1000'),
    (_server('frame_rate:'), 2, 'server.frame_rate', 'expected a number, got null'),
    (_server('window: .nan'), 2, 'server.window', 'expected a finite number, got .nan'),
    (_server('window: 1.0e+400'), 2, 'server.window', 'expected a finite number'),
    (_server(f'window: {"9" * 400}'), 2, 'server.window', 'number too large'),
    (_server('buffer: 1'), 2, 'server.buffer', 'must be between 2 and 10000000, got 1'),
    (_server('max_points: 3'), 2, 'server.max_points', 'must be between 4 and 100000'),
    (_server('max_clients: 0'), 2, 'server.max_clients', 'must be between 1 and 1000'),
    (_server('max_series: 0'), 2, 'server.max_series', 'must be between 1 and 10000, got 0'),
    (_server('max_series: 10001'), 2, 'server.max_series', 'must be between 1 and 10000'),
    (_server('max_series: all'), 2, 'server.max_series', 'expected an integer, got string'),
    (_server('memory: 0'), 2, 'server.memory', 'must be between 1 and 1048576, got 0'),
    (_server('memory: 2000000'), 2, 'server.memory', 'must be between 1 and 1048576'),
    (_server('memory: 64.5'), 2, 'server.memory', 'expected an integer, got float 64.5'),
    (_server('memory: 64 MB'), 2, 'server.memory', "expected an integer, got string '64 MB'"),
    (_server('token: 123'), 2, 'server.token', 'expected a string (or null), got integer 123'),
    (_server('token: true'), 2, 'server.token', 'got boolean true'),
    (_server('token: a'), 2, 'server.token',
     "too short: it has 1, at least 16 characters are needed; leave it unset for a generated "
     "token, or '' to switch access control off"),
    (_server("token: '123456789012345'"), 2, 'server.token', 'too short: it has 15, at least 16'),
    (_server('token: "  "'), 2, 'server.token', 'too short: it has 2'),
    (_server("host: ''"), 2, 'server.host', 'must not be empty'),
    (_server('host: [a]'), 2, 'server.host', 'expected a string, got a list'),
    (_server('frme_rate: 5'), 2, 'server.frme_rate', "(did you mean 'frame_rate'?)"),
    ('server: {port: 1, port: 2}\n' + BASE, 1, 'server.port', 'duplicate key (first at line 1)'),
    # charts
    ('charts: [1]\n', 1, 'charts[0]', 'expected a mapping, got integer 1'),
    (_chart('series: [/a.x]'), 2, 'charts[0]', "missing required key 'title'"),
    (_chart('title: t'), 2, 'charts[0]', "missing required key 'series'"),
    (_chart('titel: t', 'series: [/a.x]'), 2, 'charts[0].titel', "(did you mean 'title'?)"),
    (_chart("title: ''", 'series: [/a.x]'), 2, 'charts[0].title', 'must not be empty'),
    (_chart('title: 2024', 'series: [/a.x]'), 2, 'charts[0].title',
     'expected a string, got integer 2024'),
    (_chart('title: 2024-01-01', 'series: [/a.x]'), 2, 'charts[0].title',
     'expected a string, got timestamp 2024-01-01'),
    (_chart('title: t', 'unit: 5', 'series: [/a.x]'), 3, 'charts[0].unit', 'expected a string'),
    (_chart('title: t', 'series: []'), 3, 'charts[0].series', 'at least one series'),
    (_chart('title: t', 'series: /a.x'), 3, 'charts[0].series',
     "expected a list, got string '/a.x'"),
    (_chart('title: t', 'min: 5', 'max: 1', 'series: [/a.x]'), 4, 'charts[0].max',
     'max (1) must be greater than min (5)'),
    (_chart('title: t', 'min: low', 'series: [/a.x]'), 3, 'charts[0].min',
     "expected a number (or null), got string 'low'"),
    (_chart('title: t', 'limits: [1, abc]', 'series: [/a.x]'), 3, 'charts[0].limits[1]',
     "expected a number or a mapping with value and label, got string 'abc'"),
    (_chart('title: t', 'limits: [{label: x}]', 'series: [/a.x]'), 3, 'charts[0].limits[0]',
     "missing required key 'value'"),
    (_chart('title: t', 'limits: [{value: 1, colour: red}]', 'series: [/a.x]'), 3,
     'charts[0].limits[0].colour', "unknown key 'colour'"),
    (_chart('title: t', 'limits: {value: x}', 'series: [/a.x]'), 3, 'charts[0].limits.value',
     "expected a number, got string 'x'"),
    # series
    (_one_series('/a'), 4, 'charts[0].series[0]', "no field in '/a'"),
    (_one_series("'/a.'"), 4, 'charts[0].series[0]', "'/topic.field.path'"),
    (_one_series('a//b.x'), 4, 'charts[0].series[0]', "invalid topic name 'a//b'"),
    (_one_series('/a/.x'), 4, 'charts[0].series[0]', "invalid topic name '/a/'"),
    (_one_series('/1a.x'), 4, 'charts[0].series[0]', "invalid topic name '/1a'"),
    (_one_series('~/a.x'), 4, 'charts[0].series[0]', "invalid topic name '~/a'"),
    (_one_series(f'/{"a" * 247}.x'), 4, 'charts[0].series[0]',
     f"topic name '/{'a' * 36}...' is 248 characters long; ROS allows at most 247"),
    (_one_series(f'{"a" * 247}.x'), 4, 'charts[0].series[0]',  # 248 once made absolute
     'is 248 characters long; ROS allows at most 247'),
    (_one_series(f'{{topic: /{"ab/" * 82}cd, field: x}}'), 4, 'charts[0].series[0].topic',
     'is 249 characters long'),
    (_one_series('5'), 4, 'charts[0].series[0]', 'expected a series, got integer 5'),
    (_one_series('[/a.x]'), 4, 'charts[0].series[0]', 'expected a series, got a list'),
    (_one_series('{topic: /a}'), 4, 'charts[0].series[0]', "missing required key 'field'"),
    (_one_series('{field: x}'), 4, 'charts[0].series[0]', "missing required key 'topic'"),
    (_one_series("{topic: /a, field: ' '}"), 4, 'charts[0].series[0].field',
     'field path must not be empty'),
    (_one_series('{topic: 5, field: x}'), 4, 'charts[0].series[0].topic',
     'expected a string, got integer 5'),
    (_one_series('{topic: /a b, field: x}'), 4, 'charts[0].series[0].topic',
     "invalid topic name '/a b'"),
    (_one_series('{topic: /a, field: x, qos: fast}'), 4, 'charts[0].series[0].qos',
     "invalid value 'fast'; expected one of: auto, sensor_data, reliable, best_effort"),
    (_one_series('{topic: /a, field: x, stamp: now}'), 4, 'charts[0].series[0].stamp',
     'expected one of: header, receive'),
    (_one_series('{topic: /a, field: x, type: sensor_msgs/srv/Foo}'), 4,
     'charts[0].series[0].type',
     "'sensor_msgs/srv/Foo' is not a message type: only messages ('package/msg/Type', "
     "e.g. 'sensor_msgs/msg/Imu') can be subscribed to"),
    (_one_series('{topic: /a, field: x, type: Imu}'), 4, 'charts[0].series[0].type',
     "malformed message type 'Imu': expected 'package/msg/Type' or 'package/Type' "
     "(e.g. 'sensor_msgs/msg/Imu')"),
    (_one_series('{topic: /a, field: x, type: 5}'), 4, 'charts[0].series[0].type',
     'expected a string (or null), got integer 5'),
    (_one_series('{topic: /a, field: x, depth: 0}'), 4, 'charts[0].series[0].depth',
     'must be between 1 and 10000, got 0'),
    (_one_series('{topic: /a, field: x, depth: 1.5}'), 4, 'charts[0].series[0].depth',
     'expected an integer (or null), got float 1.5'),
    (_one_series('{topic: /a, field: x, stale_after: 0}'), 4, 'charts[0].series[0].stale_after',
     'must be greater than 0, got 0'),
    (_one_series('{topic: /a, field: x, stale_after: soon}'), 4,
     'charts[0].series[0].stale_after', "expected a number (or null), got string 'soon'"),
    (_one_series('{topic: /a, field: x, scale: true}'), 4, 'charts[0].series[0].scale',
     'expected a number, got boolean true'),
    (_one_series('{topic: /a, field: x, offset: -.inf}'), 4, 'charts[0].series[0].offset',
     'expected a finite number'),
    (_one_series('{topic: /a, feild: x}'), 4, 'charts[0].series[0].feild',
     "unknown key 'feild' (did you mean 'field'?)"),
    (_one_series("{topic: /a, field: x, label: ''}"), 4, 'charts[0].series[0].label',
     'must not be empty'),
    (_chart('title: t', 'series: [/a.x, {topic: a, field: x}]'), 3, 'charts[0].series[1]',
     'duplicate series /a.x (same topic, field, scale and offset as charts[0].series[0] at '
     'line 3)'),
    # the memory budget: at server.buffer when the file sets it, else server.memory, else charts
    ('server:\n  buffer: 10000000\n  memory: 300\n' + _series_lines(13), 2, 'server.buffer',
     'needs 2980 MB, more than server.memory (300 MB): rings 2976 MB (13 series x 10000000 '
     'samples x 24 bytes), CSV downloads 4 MB (2 at once, 2 MB each); lower server.buffer, '
     'chart fewer series or raise server.memory'),
    ('server:\n  memory: 4\n' + BASE, 2, 'server.memory',
     'needs 5 MB, more than server.memory (4 MB): rings 1 MB (1 series x 20000 samples'),
    (_series_lines(600), 1, 'charts', 'needs 280 MB, more than server.memory (256 MB)'),
    # the series cap, counted over all charts and every use of an alias
    (_series_lines(1001), 3, 'charts[0].series',
     '1001 series so far, more than the 1000 a file may chart (each use of a YAML alias counts)'),
    ('server: {memory: 1024}\n' + _series_lines(600) + '  - title: u\n    series:\n'
     + ''.join(f'      - /u{i}.x\n' for i in range(401)), 606, 'charts[1].series',
     '1001 series so far'),
    ('charts:\n- title: t\n  series:\n  - &c /a.x\n' + '  - *c\n' * 20000, 3,
     'charts[0].series', '20001 series so far'),
    ('charts:\n- &c {title: t, series: [/a.x]}\n' + '- *c\n' * 1000, 2, 'charts[1000].series',
     '1001 series so far'),
    # aliases that multiply the walk without adding series: 20 charts of 5000 limit lines
    ('charts:\n- &c {title: t, limits: [' + ', '.join(['1'] * 5000) + '], series: [/a.x]}\n'
     + '- *c\n' * 19, 2, 'charts[19].limits',
     'the file expands to more than 100000 YAML nodes (each use of an alias counts)'),
    # deep in a block document: the line of the value, the full key path
    ('charts:\n'
     '  - title: first\n'
     '    series: [/a.x]\n'
     '  - title: second\n'
     '    unit: m\n'
     '    series:\n'
     '      - /b.y\n'
     '      - topic: /c\n'
     '        field: z\n'
     '        qos: bestefort\n', 10, 'charts[1].series[1].qos', "invalid value 'bestefort'"),
    (_chart('title: t', 'series: [{id: 2x, topic: /a, field: x}]'), 3,
     'charts[0].series[0].id', "invalid series id '2x'"),
    (_chart('title: t', 'series: [{id: a.b, topic: /a, field: x}]'), 3,
     'charts[0].series[0].id', "invalid series id 'a.b'"),
    ('charts:\n  - title: t\n    series:\n      - /a.x\n      - {id: s0, topic: /b, field: y}\n',
     5, 'charts[0].series[1]', "series id 's0' is the id of charts[0].series[0] at line 4 too"),
    (_server('explore: yes please'), 2, 'server.explore', 'expected true or false, got string'),
    ("charts: [{title: t, series: ['${nope}/a.x']}]\n", 1, 'charts[0].series[0]',
     'unknown variable ${nope} (variables: ns)'),
    ('variables: {ns: robot}\n' + BASE, 1, 'variables.ns', "invalid namespace 'robot'"),
    ('variables: {2x: a}\n' + BASE, 1, 'variables.2x', "invalid variable name '2x'"),
    ("variables: {a: '${ns}'}\n" + BASE, 1, 'variables.a', 'a value cannot use other variables'),
    ("variables: {ns: /r}\ncharts: [{title: t, series: [{topic: '${ns}/${x', field: a}]}]\n",
     2, 'charts[0].series[0].topic', "a '${' without its '}'"),
    ("variables: {ns: /r}\ncharts: [{title: t, series: [{topic: '${ns}/2a', field: a}]}]\n",
     2, 'charts[0].series[0].topic', "invalid topic name '/r/2a'"),
]


@pytest.mark.parametrize('text, line, key, fragment', BAD,
                         ids=[f'{i}-{case[2] or "file"}' for i, case in enumerate(BAD)])
def test_bad_config(text, line, key, fragment):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, 'bad.yaml')
    err = caught.value
    assert (err.line, err.key) == (line, key), str(err)
    assert fragment in err.message
    location = 'bad.yaml' if line is None else f'bad.yaml:{line}'
    assert str(err) == ': '.join(part for part in (location, key, err.message) if part)


def _check_parses_or_fails_cleanly(text: str) -> None:
    """Anything at all either gives a Config or a ConfigError that points inside the text."""
    try:
        config = parse_config(text, 'fuzz.yaml')
    except ConfigError as err:
        assert str(err).startswith('fuzz.yaml')
        assert err.line is None or 1 <= err.line <= text.count('\n') + 2
    else:
        assert isinstance(config, Config)
        assert [s.id for s in config.series] == [f's{i}' for i in range(len(config.series))]


KEYS = ['server', 'charts', 'series', 'limits', 'value', 'label'] + [
    f.name for cls in (ServerConfig, ChartConfig, SeriesConfig) for f in dataclasses.fields(cls)]
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(['/a.x', '/imu/data', 'a/b', 'x.y[2]', 'sensor_msgs/Imu', 'auto',
                              'receive', '', '0.0.0.0']))
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=3)
                   | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner,
                                     max_size=3)),
    max_leaves=20)


def _mostly(valid):
    """Draw from ``valid`` nine times in ten, else anything: deep documents, rare errors."""
    return st.integers(0, 9).flatmap(lambda n: ANYTHING if n == 0 else valid)


def _section(required=(), **valid):
    """Return a mapping with the required and some other given keys, values mostly valid."""
    values = {key: _mostly(value) for key, value in valid.items()}
    return st.fixed_dictionaries(
        {key: values.pop(key) for key in required}, optional=values)


FINITE = st.floats(-1e6, 1e6) | st.integers(-1000, 1000)
TOKENS = st.text(min_size=MIN_TOKEN_CHARS, max_size=20) | st.just('') | st.none()
TEXT = st.text(min_size=1, max_size=6)
SERIES = _mostly(st.sampled_from(['/a.x', 'b/c.y[1]', '/a.x.y']) | _section(
    ('topic', 'field'), topic=st.sampled_from(['/a', 'b/c', '/imu/data']),
    field=st.sampled_from(['x', 'a.b', 'position[2]']),
    type=st.sampled_from(['sensor_msgs/Imu', 'a/msg/B', None]), label=TEXT,
    stamp=st.sampled_from(['header', 'receive']),
    qos=st.sampled_from(['auto', 'sensor_data', 'reliable', 'best_effort']),
    depth=st.integers(1, 100) | st.none(), scale=FINITE, offset=FINITE,
    stale_after=st.floats(0.1, 100) | st.none()))
LIMIT = FINITE | _section(('value',), value=FINITE, label=st.text(max_size=4))
CHART = st.builds(
    lambda chart, series: {**chart, 'series': series},
    _section(('title',), title=TEXT, unit=st.text(max_size=4), min=FINITE | st.none(),
             max=FINITE | st.none(), limits=st.lists(LIMIT, max_size=3) | LIMIT),
    _mostly(st.lists(SERIES, min_size=1, max_size=4)))
DOCUMENT = _mostly(st.fixed_dictionaries({
    'charts': _mostly(st.lists(_mostly(CHART), min_size=1, max_size=3)),
}, optional={
    'server': _mostly(_section(
        host=st.just('127.0.0.1'), port=st.integers(0, 65535), frame_rate=st.floats(0.1, 100),
        max_points=st.integers(4, 1000), window=st.floats(0.1, 1e6),
        buffer=st.integers(2, 10**5), token=TOKENS,
        max_clients=st.integers(1, 1000), max_series=st.integers(1, 10_000))),
}))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(DOCUMENT, st.booleans())
def test_fuzz_yaml_structures(document, flow):
    _check_parses_or_fails_cleanly(yaml.safe_dump(document, default_flow_style=flow))


@FUZZ
@given(st.text())
def test_fuzz_arbitrary_text(text):
    _check_parses_or_fails_cleanly(text)


@FUZZ
@given(st.integers(min_value=0), st.integers(min_value=0, max_value=5), st.text(max_size=4))
def test_fuzz_edited_demo_config(at, cut, insert):
    """Small edits of a real file: a cut, an inserted snippet, at any position."""
    text = DEMO.read_text(encoding='utf-8')
    at %= len(text)
    _check_parses_or_fails_cleanly(text[:at] + insert + text[at + cut:])


# --- overrides (node parameters) go through the rules of server: -----------------------------

@pytest.mark.parametrize(('values', 'changed'), [
    ({'port': 8081, 'frame_rate': 25}, {'port': 8081, 'frame_rate': 25.0}),
    # launch passes text: read as YAML reads a plain scalar
    ({'port': '8088', 'window': '12.5', 'max_points': '40'},
     {'port': 8088, 'window': 12.5, 'max_points': 40}),
    # text keys take any value as text
    ({'token': 1234567890123456, 'host': '::1'}, {'token': '1234567890123456', 'host': '::1'}),
    ({'token': ''}, {'token': ''}),
    ({}, {}),
])
def test_overrides_replace_the_server_settings(values, changed):
    server = ServerConfig(port=9000)
    assert apply_overrides(server, values, source='node parameters') == dataclasses.replace(
        server, **changed)


@pytest.mark.parametrize(('name', 'value', 'in_yaml'), [
    ('port', 65536, '65536'),
    ('port', 'http', 'http'),
    ('port', 80.0, '80.0'),
    ('frame_rate', 1000, '1000'),
    ('frame_rate', float('inf'), '.inf'),
    ('frame_rate', 0, '0'),
    ('window', float('nan'), '.nan'),
    ('max_points', 2, '2'),
    ('buffer', True, 'true'),
    ('host', '', "''"),
    ('token', 'short-token', 'short-token'),
    ('token', 123456789012345, "'123456789012345'"),  # an int from the command line: its text
])
def test_a_bad_override_fails_with_the_message_of_the_file(name, value, in_yaml):
    with pytest.raises(ConfigError) as from_override:
        apply_overrides(ServerConfig(), {name: value}, source='node parameters')
    with pytest.raises(ConfigError) as from_file:
        parse_config(f'server:\n  {name}: {in_yaml}\ncharts: [{{title: T, series: [/a.b]}}]')
    assert from_override.value.message == from_file.value.message
    assert str(from_override.value) == f'node parameters: {name}: {from_file.value.message}'


def test_an_unknown_override_names_the_known_keys():
    with pytest.raises(ConfigError, match="node parameters: frame_rat: unknown key 'frame_rat' "
                                          r"\(did you mean 'frame_rate'\?\)"):
        apply_overrides(ServerConfig(), {'frame_rat': 5}, source='node parameters')
