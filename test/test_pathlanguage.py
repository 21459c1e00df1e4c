# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The path language past names and indexes: lookups, filters, text numbers, modifiers.

Real messages of the installed packages go through the real writer, as objects and as the
serialized bytes the drain loop takes, so both readers are held to the same values.
"""

import math
import pathlib
import random

from action_msgs.msg import GoalInfo
from action_msgs.msg import GoalStatus
from action_msgs.msg import GoalStatusArray
from diagnostic_msgs.msg import DiagnosticArray
from diagnostic_msgs.msg import DiagnosticStatus
from diagnostic_msgs.msg import KeyValue
from geometry_msgs.msg import Pose
from geometry_msgs.msg import PoseArray
from geometry_msgs.msg import PoseStamped
from geometry_msgs.msg import Quaternion
from geometry_msgs.msg import Vector3
from hypothesis import given
from hypothesis import strategies as st
from nav_msgs.msg import Odometry
from nav_msgs.msg import Path
import pytest
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import BatteryState
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from sensor_msgs.msg import NavSatFix
from std_msgs.msg import Float64
from test_writer import Bench
from test_writer import FakeClock

from ros2_rtgraph.config import load_config
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.pathsyntax import expands
from ros2_rtgraph.pathsyntax import FieldPathError
from ros2_rtgraph.pathsyntax import join
from ros2_rtgraph.pathsyntax import literal_text
from ros2_rtgraph.pathsyntax import parse_steps
from ros2_rtgraph.pathsyntax import Step
from ros2_rtgraph.topics import plan_topics
from ros2_rtgraph.writer import TopicWriter

BOTH = pytest.mark.parametrize('serialized', [False, True])
JOINTS = [f'j{i}' for i in range(8)]


def _shuffled_joints(rng: random.Random, step: int) -> JointState:
    """Joint jN at step k has position N + k/100 and velocity -N, in a new order each time."""
    names = JOINTS[:]
    rng.shuffle(names)
    return JointState(name=names, position=[int(n[1:]) + step / 100 for n in names],
                      velocity=[-float(n[1:]) for n in names])


@BOTH
def test_joints_by_name_follow_their_names_in_shuffled_messages(serialized):
    series = ', '.join(
        f'{{topic: /j, type: sensor_msgs/msg/JointState, field: \'position[name=="{name}"]\'}}'
        for name in JOINTS)
    bench = Bench(series + ', {topic: /j, type: sensor_msgs/msg/JointState, '
                           'field: \'velocity[name=="j5"]\'}', serialized=serialized)
    assert bench.writer.raw is serialized  # names and positions are read from the bytes
    rng = random.Random(7)
    bench.write(*[_shuffled_joints(rng, k) for k in range(20)])
    for number, sid in enumerate(f's{i}' for i in range(len(JOINTS))):
        assert [v for _, v in bench.samples(sid)] == pytest.approx(
            [number + k / 100 for k in range(20)]), sid
    assert [v for _, v in bench.samples('s8')] == [-5.0] * 20


@BOTH
def test_a_name_a_message_lacks_gives_no_sample_and_says_so(serialized):
    bench = Bench('{topic: /j, type: sensor_msgs/msg/JointState, '
                  'field: \'position[name=="elbow"]\'}', serialized=serialized)
    stats = bench.stats.series['s0']
    bench.write(JointState(name=['elbow'], position=[1.0]),
                JointState(name=['wrist'], position=[2.0]))
    assert [v for _, v in bench.samples('s0')] == [1.0]
    assert stats.errors == 1
    assert stats.missing == 'position[name=="elbow"]: no joint "elbow" in name[]'
    # A name without its position (a shorter position array) is missing as well.
    bench.write(JointState(name=['wrist', 'elbow'], position=[3.0]))
    assert stats.errors == 2
    bench.write(JointState(name=['elbow'], position=[4.0]))
    assert (stats.missing, [v for _, v in bench.samples('s0')]) == ('', [1.0, 4.0])


def _pose(frame: str, x: float) -> PoseStamped:
    pose = PoseStamped()
    pose.header.frame_id = frame
    pose.pose.position.x = x
    return pose


def test_a_filter_on_an_array_of_messages_picks_the_first_match():
    bench = Bench("{topic: /path, type: nav_msgs/msg/Path, "
                  "field: 'poses[:]{header.frame_id==\"map\"}.pose.position.x'}, "
                  "{topic: /path, type: nav_msgs/msg/Path, "
                  "field: 'poses[1:]{header.frame_id==\"map\"}{pose.position.x>=2.5}"
                  ".pose.position.x'}")
    assert not bench.writer.raw  # sequences of messages are deserialized
    first = Path(poses=[_pose('odom', 1.0), _pose('map', 2.0), _pose('map', 3.0)])
    bench.write(first, Path(poses=[_pose('odom', 5.0)]))
    assert [v for _, v in bench.samples('s0')] == [2.0]
    assert [v for _, v in bench.samples('s1')] == [3.0]
    assert bench.stats.series['s0'].missing == (
        'poses[:]{header.frame_id=="map"}.pose.position.x: '
        'no element with header.frame_id=="map"')


def test_goal_statuses_are_filtered_by_their_state():
    bench = Bench('{topic: /goals, type: action_msgs/msg/GoalStatusArray, '
                  "field: 'status_list[:]{status==4}.goal_info.stamp.sec'}")
    statuses = [GoalStatus(status=status, goal_info=GoalInfo()) for status in (2, 4, 4)]
    for number, status in enumerate(statuses):
        status.goal_info.stamp.sec = 10 + number
    bench.write(GoalStatusArray(status_list=statuses))
    assert [v for _, v in bench.samples('s0')] == [11.0]


def _diagnostics(temperature: str, level: int = 0) -> DiagnosticArray:
    motor = DiagnosticStatus(name='motor_left', level=bytes([level]), values=[
        KeyValue(key='mode', value='RUNNING'), KeyValue(key='temperature', value=temperature)])
    other = DiagnosticStatus(name='battery', values=[KeyValue(key='temperature', value='20')])
    return DiagnosticArray(status=[other, motor])


def test_diagnostic_values_by_name_and_key_chart_the_numbers_in_their_text():
    path = 'status[:]{name=="motor_left"}.values[:]{key=="temperature"}.value'
    bench = Bench(f"{{topic: /diagnostics, type: diagnostic_msgs/msg/DiagnosticArray, "
                  f"field: '{path}'}}, "
                  "{topic: /diagnostics, type: diagnostic_msgs/msg/DiagnosticArray, "
                  "field: 'status[:]{name==\"motor_left\"}.values[:]{key==\"mode\"}.value'}, "
                  "{topic: /diagnostics, type: diagnostic_msgs/msg/DiagnosticArray, "
                  "field: 'status[:]{name==\"motor_left\"}.level'}")
    bench.write(_diagnostics('41.5'), _diagnostics(' 42 '), _diagnostics('nan', 1),
                _diagnostics('-inf'), _diagnostics('1e3', 2))
    values = [v for _, v in bench.samples('s0')]
    assert values[:2] == [41.5, 42.0] and math.isnan(values[2])
    assert values[3:] == [-math.inf, 1000.0]
    assert bench.stats.series['s0'].nonfinite == 2
    assert [v for _, v in bench.samples('s2')] == [0.0, 0.0, 1.0, 0.0, 2.0]
    mode = bench.stats.series['s1']
    assert bench.samples('s1') == []
    assert mode.errors == 5
    assert mode.missing.endswith(': not a number: "RUNNING"')
    bench.write(_diagnostics('OK'))
    assert bench.stats.series['s0'].missing == f'{path}: not a number: "OK"'


@BOTH
def test_a_message_filter_keeps_only_the_messages_that_pass(serialized):
    bench = Bench("{topic: /imu, type: sensor_msgs/msg/Imu, "
                  "field: '{header.frame_id==\"imu_link\"}.linear_acceleration.z'}",
                  serialized=serialized)
    assert bench.writer.raw is serialized  # the frame id is text read from the bytes
    kept, turned_away = Imu(), Imu()
    kept.header.frame_id, turned_away.header.frame_id = 'imu_link', 'other'
    kept.linear_acceleration.z, turned_away.linear_acceleration.z = 9.5, 1.0
    bench.write(kept, turned_away, kept)
    assert [v for _, v in bench.samples('s0')] == [9.5, 9.5]
    stats = bench.stats.series['s0']
    assert (stats.errors, stats.missing) == (0, '')  # turned away is no error


def test_the_shorthand_takes_a_message_filter_after_the_topic():
    config = parse_config(
        'charts: [{title: T, series: ["/imu{header.frame_id==\'a\'}.linear_acceleration.x"]}]')
    [series] = config.series
    assert (series.topic, series.field) == (
        '/imu', "{header.frame_id=='a'}.linear_acceleration.x")
    assert series.label == "/imu{header.frame_id=='a'}.linear_acceleration.x"


def _quaternion(roll: float, pitch: float, yaw: float) -> Quaternion:
    """Build the rotation of the ZYX angles (yaw, then pitch, then roll) as tf2 does."""
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return Quaternion(x=sr * cp * cy - cr * sp * sy, y=cr * sp * cy + sr * cp * sy,
                      z=cr * cp * sy - sr * sp * cy, w=cr * cp * cy + sr * sp * sy)


ANGLES = [(0.0, 0.0, 0.0), (0.1, -0.2, 0.3), (-1.0, 0.5, 3.0), (0.5, 1.2, -2.5),
          (2.0, -1.4, -0.1)]


@BOTH
def test_roll_pitch_yaw_of_quaternions_built_from_known_angles(serialized):
    bench = Bench(', '.join(
        f'{{topic: /imu, type: sensor_msgs/msg/Imu, field: orientation.@{angle}}}'
        for angle in ('roll', 'pitch', 'yaw')) + ', {topic: /imu, type: sensor_msgs/msg/Imu, '
        'field: orientation.@yaw.@rad2deg}', serialized=serialized)
    assert bench.writer.raw is serialized
    messages = []
    for angles in ANGLES:
        msg = Imu()
        msg.orientation = _quaternion(*angles)
        messages.append(msg)
    bench.write(*messages)
    for number, sid in enumerate(('s0', 's1', 's2')):
        assert [v for _, v in bench.samples(sid)] == pytest.approx(
            [angles[number] for angles in ANGLES], abs=1e-9), sid
    assert [v for _, v in bench.samples('s3')] == pytest.approx(
        [math.degrees(yaw) for _, _, yaw in ANGLES], abs=1e-7)


@BOTH
def test_norm_of_a_vector_and_pointwise_modifiers(serialized):
    fields = ['linear_acceleration.@norm', 'linear_acceleration.x.@abs',
              'linear_acceleration.x.@negative', 'linear_acceleration.y.@deg2rad',
              'linear_acceleration.z.@sqrt']
    bench = Bench(', '.join(f'{{topic: /imu, type: sensor_msgs/msg/Imu, field: {f}, scale: 2}}'
                            for f in fields), serialized=serialized)
    msg = Imu()
    msg.linear_acceleration = Vector3(x=-3.0, y=180.0, z=16.0)
    negative = Imu()
    negative.linear_acceleration.z = -4.0
    bench.write(msg, negative)
    values = {sid: [v for _, v in bench.samples(sid)] for sid in ('s0', 's1', 's2', 's3', 's4')}
    assert values['s0'] == pytest.approx([2 * math.sqrt(9 + 180 ** 2 + 256), 8.0])  # scale last
    assert values['s1'] == [6.0, 0.0]
    assert values['s2'] == [6.0, 0.0]
    assert values['s3'] == pytest.approx([2 * math.pi, 0.0])
    assert values['s4'][0] == 8.0 and math.isnan(values['s4'][1])  # a gap, not an error


def test_derivative_of_a_ramp_is_its_slope_across_batches():
    bench = Bench('{topic: /imu, type: sensor_msgs/msg/Imu, '
                  'field: linear_acceleration.x.@derivative}, '
                  '{topic: /imu, type: sensor_msgs/msg/Imu, '
                  'field: linear_acceleration.x.@derivative.@abs, stamp: receive}')

    def ramp(k: int) -> Imu:
        msg = Imu()
        msg.header.stamp.sec, msg.header.stamp.nanosec = 10 + k // 10, (k % 10) * 100_000_000
        msg.linear_acceleration.x = -2.5 * (k / 10)  # -2.5 per second of stamp
        return msg

    bench.write(*[ramp(k) for k in range(5)])
    bench.write(*[ramp(k) for k in range(5, 12)])
    samples = bench.samples('s0')
    assert len(samples) == 11  # the first sample gives none
    assert [v for _, v in samples] == pytest.approx([-2.5] * 11)
    assert [t for t, _ in samples] == pytest.approx([10 + k / 10 for k in range(1, 12)])
    # By receive time (1 ms apart in a batch, and the batches 0 s apart) the slope differs.
    assert all(v >= 0 for _, v in bench.samples('s1'))


# --- validation: every error names the step, with a caret under it ---------------------------

REJECTED = [
    (JointState, 'position[nam=="x"]', 8,
     "'position[nam==\"x\"]': sensor_msgs/msg/JointState has no array 'nam' to look \"x\" up "
     'in (arrays: name, position, velocity, effort)'),
    (JointState, 'position[name==3]', 8,
     "'position[name==3]': name[] is text (string): compare it with a quoted string, e.g. \"3\""),
    (JointState, 'header[name=="x"]', 6,
     "'header[name==\"x\"]': std_msgs/msg/Header is not an array: a lookup [name==...] picks "
     'an element of one'),
    (JointState, 'name[:]', 4,
     "'name[:]': string is not a number (only numeric and boolean fields can be charted; text "
     'that holds numbers: add .@number)'),
    (JointState, 'position[:][:]', 11, "'position[:][:]': a slice cannot follow a slice"),
    (JointState, 'position[:].@yaw', 11,
     "'position[:].@yaw': @yaw applies to geometry_msgs/msg/Quaternion, not double"),
    (Imu, 'linear_acceleration.@derivative', 19,
     "'linear_acceleration.@derivative': @derivative needs a number; geometry_msgs/msg/Vector3 "
     'is a message (this type offers @norm)'),
    (Imu, 'orientation.@norm', 11,
     "'orientation.@norm': @norm applies to geometry_msgs/msg/Vector3 or geometry_msgs/msg/Point "
     'or geometry_msgs/msg/Point32, not geometry_msgs/msg/Quaternion'),
    (Imu, 'linear_acceleration.x.@bogus', 21,
     "'linear_acceleration.x.@bogus': no modifier '@bogus' (modifiers: @roll, @pitch, @yaw, "
     '@norm, @derivative, @abs, @negative, @rad2deg, @deg2rad, @sqrt, @number)'),
    (Imu, 'linear_acceleration.x.@number', 21,
     "'linear_acceleration.x.@number': @number reads text; double is not text"),
    (Imu, 'header.frame_id.@abs', 15,
     "'header.frame_id.@abs': @abs needs a number; string is text (add .@number before it)"),
    (Imu, 'orientation.@yaw.@rad2deg.@roll', 25,
     "'orientation.@yaw.@rad2deg.@roll': @roll reads a message; it cannot follow @rad2deg"),
    (Imu, 'linear_acceleration{x>1}.x', 19,
     "'linear_acceleration{x>1}': a filter follows a slice, e.g. 'transforms[:]{...}', or "
     'starts the path'),
    (Path, 'poses[:]{header.frame=="map"}.pose.position.x', 16,
     "'poses[:]{header.frame': std_msgs/msg/Header has no field 'frame' (fields: stamp, "
     'frame_id)'),
    (Path, 'poses[:]{header.frame_id==2}.pose.position.x', 9,
     "'poses[:]{header.frame_id': header.frame_id is text (string): compare it with a quoted "
     'string, e.g. "2"'),
    (Path, 'poses[:]{pose.position.x=="a"}.pose.position.x', 9,
     "'poses[:]{pose.position.x': pose.position.x is double, not text: compare it with a "
     'number or true/false'),
    (Path, 'poses[:]{pose==1}.pose.position.x', 9,
     "'poses[:]{pose': geometry_msgs/msg/Pose is a message, a filter compares a number or text "
     '(fields: position, orientation)'),
    (Path, 'poses[:].pose.position[:]', 22,
     "'poses[:].pose.position[:]': geometry_msgs/msg/Point is a message, it cannot be indexed "
     '(fields: x, y, z)'),
    (Path, '{header.stamp==1}.header.stamp.sec', 1,
     "'{header.stamp': builtin_interfaces/msg/Time is a message, a filter compares a number or "
     'text (fields: sec, nanosec)'),
]


@pytest.mark.parametrize(('cls', 'path', 'position', 'message'), REJECTED)
def test_every_validation_error_points_at_its_step(cls, path, position, message):
    with pytest.raises(FieldPathError) as info:
        check_path(cls, path)
    error = info.value
    assert (error.message, error.position) == (message, position)
    assert str(error).split('\n')[1:] == ['  ' + path, '  ' + ' ' * position + '^']


SYNTAX_ERRORS = [
    ('position[name="x"]', 13, "expected '==' after 'name': a lookup is [name==\"value\"]"),
    ('position[name=="x]', 15, 'missing closing "'),
    ('position[name=="x"', 18, "missing ']'"),
    ('position[0:x]', 11, "unexpected 'x': expected ']'"),
    ('s[:]{a}', 6, "expected one of == != <= >= < > after 'a'"),
    ('s[:]{a==}', 8, 'expected a number, true, false or a quoted string'),
    ('s[:]{a==1', 9, "missing '}'"),
    ('s[:]{a[x]==1}', 6, 'a condition reads a field by names and indexes, e.g. values[0].key'),
    ('{a==1}', 6, 'a message filter must be followed by a field'),
    ('{a==1}x', 6, "expected '.' after a message filter"),
    ('x.@', 3, "a modifier is '@' and a name, e.g. '.@derivative'"),
    ('x.@abs.y', 6, 'a modifier can only be followed by another modifier'),
    ('x.@abs[0]', 6, 'a modifier can only be followed by another modifier'),
]


@pytest.mark.parametrize(('path', 'position', 'reason'), SYNTAX_ERRORS)
def test_syntax_errors_point_at_the_character(path, position, reason):
    with pytest.raises(FieldPathError) as info:
        parse_steps(path)
    assert (info.value.message, info.value.position) == (f'invalid field path: {reason}',
                                                         position)


# --- properties of the grammar ---------------------------------------------------------------

NAMES = st.from_regex(r'[A-Za-z_][A-Za-z0-9_]{0,6}', fullmatch=True).filter(
    lambda name: name not in ('true', 'false'))
INDEXES = st.integers(-10**9 + 1, 10**9 - 1)
LITERALS = (st.booleans() | st.integers(-10**6, 10**6).map(float)
            | st.text(st.characters(blacklist_characters='"\'', blacklist_categories=('Cs',)),
                      max_size=8))
OPERATORS = st.sampled_from(['==', '!=', '<', '<=', '>', '>='])


def _condition_text(field: tuple, op: str, value) -> str:
    return f'{join(field)}{op}{literal_text(value)}'


@st.composite
def _paths(draw) -> tuple[str, list[tuple]]:
    """Draw a path as text, with the (kind, detail) of each step a parser must find in it."""
    text: str = ''
    steps: list[tuple] = []
    for _ in range(draw(st.integers(0, 2))):
        field = tuple(draw(st.lists(NAMES, min_size=1, max_size=3)))
        op, value = draw(OPERATORS), draw(LITERALS)
        text += '{' + _condition_text(field, op, value) + '}'
        steps.append(('filter', (field, op, value)))
    if steps:
        text += '.'
    for number in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(['name', 'index', 'slice', 'lookup']))
        if kind == 'name' or number == 0:
            name = draw(NAMES)
            text += ('.' if number else '') + name
            steps.append(('name', name))
        elif kind == 'index':
            index = draw(INDEXES)
            text += f'[{index}]'
            steps.append(('index', index))
        elif kind == 'slice':
            start, stop = draw(st.none() | INDEXES), draw(st.none() | INDEXES)
            text += f"[{'' if start is None else start}:{'' if stop is None else stop}]"
            steps.append(('slice', (start, stop)))
        else:
            name, value = draw(NAMES), draw(LITERALS)
            text += f'[{name}=={literal_text(value)}]'
            steps.append(('lookup', (name, value)))
    for name in draw(st.lists(NAMES, max_size=2)):
        text += f'.@{name}'
        steps.append(('modifier', name))
    return text, steps


def _found(step) -> tuple:
    if step.kind == 'filter':
        [condition] = step.conditions
        return ('filter', (condition.field, condition.op, condition.value))
    return (step.kind, {
        'name': step.name, 'index': step.index, 'slice': (step.start, step.stop),
        'lookup': (step.name, step.value), 'modifier': step.name}[step.kind])


@given(_paths())
def test_generated_paths_parse_back_into_their_steps(generated):
    text, steps = generated
    parsed = parse_steps(text)
    # Message filters in a row are merged into one step with all their conditions.
    split = []
    for step in parsed:
        split += [Step('filter', step.span, conditions=(c,)) for c in step.conditions] if (
            step.kind == 'filter') else [step]
    assert [_found(step) for step in split] == steps
    for step in parsed:  # every span is the text of its step
        start, end = step.span
        assert 0 <= start < end <= len(text)


PIECES = st.sampled_from([
    'position', 'name', 'status', 'values', 'key', 'value', 'x', '.', '[', ']', '{', '}', ':',
    '==', '!=', '<', '>=', '"', "'", '@', '@yaw', '@derivative', '0', '-1', '[:]', 'true', ' ',
    '"elbow"', '1.5e3', '\n', 'ö',
])


@given(path=st.text() | st.lists(PIECES, max_size=14).map(''.join),
       cls=st.sampled_from([JointState, DiagnosticArray, Path, Imu, GoalStatusArray]))
def test_any_text_only_ever_raises_field_path_error(path, cls):
    try:
        checked = check_path(cls, path)
    except FieldPathError as error:
        assert 0 <= error.position <= len(path)
    else:
        assert checked.text == path


# --- the shipped configurations --------------------------------------------------------------

DEMO_TYPES = {
    '/imu/data': Imu, '/odom': Odometry, '/joint_states': JointState,
    '/diagnostics': DiagnosticArray, '/battery_state': BatteryState, '/gps/fix': NavSatFix,
    '/demo/sine': Float64,
}


@pytest.mark.parametrize('name', ['demo.yaml', 'example.yaml'])
def test_every_path_of_the_shipped_configs_fits_the_demo_robots_types(name):
    config = load_config(pathlib.Path(__file__).resolve().parent.parent / 'config' / name)
    for series in config.series:
        check_path(DEMO_TYPES[series.topic], series.field)  # raises with the caret if not
    assert any(expands(series.field) for series in config.series)


def test_filters_compare_octets_as_numbers_and_skip_elements_too_short_to_tell():
    bench = Bench("{topic: /diagnostics, type: diagnostic_msgs/msg/DiagnosticArray, "
                  "field: 'status[:]{level>=1}.values[:]{key==\"temperature\"}.value'}, "
                  "{topic: /diagnostics, type: diagnostic_msgs/msg/DiagnosticArray, "
                  "field: 'status[:]{values[1].key==\"temperature\"}.level'}, "
                  "{topic: /diagnostics, type: diagnostic_msgs/msg/DiagnosticArray, "
                  "field: '{status[1].level==2}.header.stamp.sec'}")
    hot = _diagnostics('61', level=2)
    hot.header.stamp.sec = 5
    bench.write(_diagnostics('40', level=0), _diagnostics('45', level=1), hot,
                DiagnosticArray())
    assert [v for _, v in bench.samples('s0')] == [45.0, 61.0]
    # The battery's one value has no [1]: it does not pass, the motor does.
    assert [v for _, v in bench.samples('s1')] == [0.0, 1.0, 2.0]
    assert bench.samples('s2') == [(5.0, 5.0)]  # a message without status[1] is turned away
    assert bench.stats.series['s2'].errors == 0


def test_a_slice_past_a_filter_expands_into_one_series_per_element():
    path = 'status[:]{name=="motor_left"}.values[:].value'
    config = parse_config('charts: [{title: T, series: [{topic: /diagnostics, '
                          f"type: diagnostic_msgs/msg/DiagnosticArray, field: '{path}'}}]}}]")
    layout = Layout.for_config(config)
    topic = next(iter(plan_topics(config).values()))
    writer = TopicWriter(topic, layout.store, layout.stats, FakeClock(), deserialize_message,
                         serialized=True, members=layout)
    assert not writer.raw  # a sequence of messages is deserialized
    writer.write([(_diagnostics(text), {'received_timestamp': 10**9 * k})
                  for k, text in enumerate(('30', '31.5'), start=1)])
    meta = {s['id']: s for s in layout.describe()['series']}
    assert meta['s0']['expand'] is True
    # values[0] is 'mode' (text, no number), values[1] the temperature.
    assert {sid: (s['field'], s['label']) for sid, s in meta.items() if 'parent' in s} == {
        's0.0': ('status[:]{name=="motor_left"}.values[0].value',
                 '/diagnostics status[:]{name=="motor_left"}.values[0].value'),
        's0.1': ('status[:]{name=="motor_left"}.values[1].value',
                 '/diagnostics status[:]{name=="motor_left"}.values[1].value')}
    assert layout.store.rings['s0.1'].read_since(0).v.tolist() == [30.0, 31.5]
    assert len(layout.store.rings['s0.0']) == 0
    assert layout.stats.series['s0.0'].errors == 2


def test_an_index_past_the_end_before_a_reducer_or_text_gives_no_sample():
    bench = Bench('{topic: /poses, type: geometry_msgs/msg/PoseArray, '
                  'field: "poses[1].orientation.@yaw"}')
    turned = Pose()
    turned.orientation = _quaternion(0.0, 0.0, 0.5)
    bench.write(PoseArray(poses=[Pose(), turned]), PoseArray(poses=[Pose()]))
    assert [v for _, v in bench.samples('s0')] == pytest.approx([0.5])
    stats = bench.stats.series['s0']
    assert (stats.errors, stats.missing) == (
        1, 'poses[1].orientation.@yaw: index out of range')
    text = Bench('{topic: /d, type: diagnostic_msgs/msg/DiagnosticArray, '
                 'field: "status[1].message.@number"}')
    text.write(DiagnosticArray(status=[DiagnosticStatus(), DiagnosticStatus(message='2.5')]),
               DiagnosticArray())
    assert [v for _, v in text.samples('s0')] == [2.5]
    assert text.stats.series['s0'].missing == 'status[1].message.@number: index out of range'
