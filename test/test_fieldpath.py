# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Field paths: parsing, checking against real message classes, and extraction at run time."""

import importlib

from geometry_msgs.msg import Pose
from geometry_msgs.msg import PoseArray
from hypothesis import given
from hypothesis import strategies as st
from nav_msgs.msg import Odometry
import pytest
from rcl_interfaces.msg import ParameterDescriptor
from rosidl_parser import definition
from sensor_msgs.msg import BatteryState
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from sensor_msgs.msg import NavSatFix
from std_msgs.msg import Bool
from std_msgs.msg import Byte
from std_msgs.msg import Empty
from std_msgs.msg import Float64

from ros2_rtgraph.extract import describe_missing
from ros2_rtgraph.extract import TopicExtractor
from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.fieldpath import FieldPath
from ros2_rtgraph.fieldpath import FieldPathError


def _caret_lines(error: FieldPathError) -> list[str]:
    return str(error).split('\n')[1:]


def _assert_spans_point_at_segments(path: FieldPath) -> None:
    """Each span is its segment's text; between them only the '.' before a name, nothing else."""
    text, end = path.text, 0
    assert len(path.spans) == len(path.segments) > 0
    for segment, (start, stop) in zip(path.segments, path.spans, strict=True):
        piece = text[start:stop]
        if isinstance(segment, str):
            assert piece == segment
            assert text[end:start] == ('.' if end else '')
        else:
            assert (piece[0], piece[-1], int(piece[1:-1])) == ('[', ']', segment)
            assert start == end
        end = stop
    assert end == len(text)


def _text(segments) -> str:
    """Write segments as a path: ('poses', 2, 'position', 'x') -> 'poses[2].position.x'."""
    return ''.join(f'[{s}]' if isinstance(s, int) else f'.{s}' for s in segments).lstrip('.')


INDEX_HELP = ('an index is an integer of at most 9 digits, e.g. [0] or [-1]; '
              'a slice is [:] or [0:9]')

# --- parsing ---------------------------------------------------------------------------------

SEGMENTS = [
    (Float64, 'data', ('data',)),
    (Imu, 'linear_acceleration.x', ('linear_acceleration', 'x')),
    (JointState, 'position[2]', ('position', 2)),
    (PoseArray, 'poses[3].position.x', ('poses', 3, 'position', 'x')),
    (PoseArray, 'poses[-2].orientation.w', ('poses', -2, 'orientation', 'w')),
    (JointState, 'position[-0]', ('position', 0)),
    (JointState, 'position[999999999]', ('position', 999999999)),
]


@pytest.mark.parametrize(('cls', 'path', 'segments'), SEGMENTS)
def test_check_path_parses_names_and_indexes(cls, path, segments):
    checked = check_path(cls, path)
    assert (checked.text, checked.segments) == (path, segments)


@pytest.mark.parametrize('path', [
    '_private.Field2', '[-1]', 'a[0][12]', 'a.b[3].c', 'a[-0]', 'a[999999999]', 'Z9._[0]',
])
def test_the_grammar_takes_paths_that_only_the_type_rejects(path):
    # The whole path is parsed before the type is looked at: a syntax error would win.
    with pytest.raises(FieldPathError) as info:
        check_path(Imu, path)
    assert not info.value.message.startswith('invalid field path'), info.value.message


@pytest.mark.parametrize(('path', 'position', 'reason'), [
    # empty segments
    ('', 0, 'the path is empty'),
    ('a..b', 2, 'empty segment'),
    ('.a', 0, 'empty segment'),
    ('a.', 2, 'empty segment'),
    ('a.[1]', 2, 'empty segment'),
    # brackets
    ('a[', 2, "missing ']'"),
    ('a[1', 3, "missing ']'"),
    ('a[]', 1, INDEX_HELP),
    ('a[-]', 1, INDEX_HELP),
    ('a[1234567890]', 1, INDEX_HELP),
    ('a]', 1, "unexpected ']': expected '.' or '['"),
    ('a[1]b', 4, "unexpected 'b': expected '.' or '['"),
    # indexes that are not integers
    ('a[x]', 3, "expected '==' after 'x': a lookup is [x==\"value\"]"),
    ('a[1.5]', 3, "unexpected '.' in an index"),
    ('a[+1]', 2, "unexpected '+' in an index"),
    ('a[--1]', 3, "unexpected '-' in an index"),
    # whitespace anywhere
    ('a b', 1, 'whitespace is not allowed'),
    (' a', 0, 'whitespace is not allowed'),
    ('a.b ', 3, 'whitespace is not allowed'),
    ('a[ 1]', 2, 'whitespace is not allowed'),
    ('a\tb', 1, 'whitespace is not allowed'),
    # not a name
    ('1a', 0, "a field name is letters, digits and '_', not starting with a digit"),
    ('a.1b', 2, "a field name is letters, digits and '_', not starting with a digit"),
    ('a-b', 1, "unexpected '-': expected '.' or '['"),
    ('/imu.x', 0, "a field name is letters, digits and '_', not starting with a digit"),
    ('pösition', 1, "unexpected 'ö': expected '.' or '['"),
])
def test_check_path_rejects_what_does_not_parse(path, position, reason):
    with pytest.raises(FieldPathError) as info:
        check_path(Imu, path)
    error = info.value
    assert error.message == f'invalid field path: {reason}'
    assert (error.path, error.position) == (path, position)
    assert _caret_lines(error) == ['  ' + path, '  ' + ' ' * position + '^']


# --- checking against message classes ---------------------------------------------------------

ACCEPTED = [
    (Imu, 'linear_acceleration.x', 'double'),
    (Imu, 'orientation.w', 'double'),
    (Imu, 'orientation_covariance[8]', 'double'),   # fixed array double[9]
    (Imu, 'orientation_covariance[-9]', 'double'),
    (Imu, 'header.stamp.sec', 'int32'),
    (Imu, 'header.stamp.nanosec', 'uint32'),
    (Odometry, 'twist.twist.linear.x', 'double'),
    (Odometry, 'pose.covariance[35]', 'double'),
    (JointState, 'position[2]', 'double'),           # sequence<double>
    (JointState, 'position[-1]', 'double'),
    (JointState, 'effort[100]', 'double'),           # unbounded: checked per message
    (BatteryState, 'voltage', 'float'),
    (BatteryState, 'present', 'boolean'),
    (BatteryState, 'power_supply_status', 'uint8'),
    (BatteryState, 'cell_voltage[0]', 'float'),
    (NavSatFix, 'status.status', 'int8'),
    (Float64, 'data', 'double'),
    (Bool, 'data', 'boolean'),
    (Byte, 'data', 'octet'),
    (PoseArray, 'poses[7].position.z', 'double'),    # sequence<geometry_msgs/Pose>
    (ParameterDescriptor, 'integer_range[0].step', 'uint64'),  # bounded: sequence<..., 1>
    (ParameterDescriptor, 'floating_point_range[-1].to_value', 'double'),
]


@pytest.mark.parametrize(('cls', 'path', 'leaf'), ACCEPTED)
def test_check_path_accepts(cls, path, leaf):
    checked = check_path(cls, path)
    assert (checked.text, checked.leaf) == (path, leaf)


IMU_FIELDS = ('(fields: header, orientation, orientation_covariance, angular_velocity, '
              'angular_velocity_covariance, linear_acceleration, linear_acceleration_covariance)')


@pytest.mark.parametrize(('cls', 'path', 'position', 'message'), [
    # missing fields: the type at that point and its fields are named
    (Imu, 'linear_acceleration.q', 20,
     "'linear_acceleration.q': geometry_msgs/msg/Vector3 has no field 'q' (fields: x, y, z)"),
    (Imu, 'linear_accel.x', 0,
     f"'linear_accel': sensor_msgs/msg/Imu has no field 'linear_accel' {IMU_FIELDS}"),
    (Imu, 'header.stamp.secs', 13,
     "'header.stamp.secs': builtin_interfaces/msg/Time has no field 'secs' "
     '(fields: sec, nanosec)'),
    (Empty, 'data', 0, "'data': std_msgs/msg/Empty has no field 'data' (no fields)"),
    # leaves that are not one number
    (Imu, 'header.frame_id', 7,
     "'header.frame_id': string is not a number (only numeric and boolean fields can be "
     'charted; text that holds numbers: add .@number)'),
    (Imu, 'linear_acceleration', 0,
     "'linear_acceleration': geometry_msgs/msg/Vector3 is a message, not a number "
     "(fields: x, y, z); e.g. 'linear_acceleration.@norm'"),
    (Imu, 'header.stamp', 7,
     "'header.stamp': builtin_interfaces/msg/Time is a message, not a number "
     '(fields: sec, nanosec)'),
    (Imu, 'orientation_covariance', 0,
     "'orientation_covariance': double[9] is an array; "
     "pick one element, e.g. 'orientation_covariance[0]', or chart each with "
     "'orientation_covariance[:]'"),
    (JointState, 'position', 0,
     "'position': sequence<double> is a sequence; pick one element, e.g. 'position[0]', "
     "or chart each with 'position[:]'"),
    (JointState, 'name[0]', 4,
     "'name[0]': string is not a number (only numeric and boolean fields can be charted; "
     'text that holds numbers: add .@number)'),
    # indexes where there is no array
    (BatteryState, 'voltage[0]', 7, "'voltage[0]': float is not an array, it cannot be indexed"),
    (Imu, 'header.frame_id[0]', 15,
     "'header.frame_id[0]': string is not an array, it cannot be indexed"),
    (Imu, '[-1]', 0,
     f"'[-1]': sensor_msgs/msg/Imu is a message, it cannot be indexed {IMU_FIELDS}"),
    (Imu, 'linear_acceleration[0]', 19,
     "'linear_acceleration[0]': geometry_msgs/msg/Vector3 is a message, it cannot be indexed "
     '(fields: x, y, z)'),
    # fields where there are none
    (BatteryState, 'voltage.x', 8, "'voltage.x': float has no fields"),
    (JointState, 'position.x', 9,
     "'position.x': sequence<double> has no fields; index it first, e.g. 'position[0]'"),
    # fixed-size arrays are bounded at check time
    (Imu, 'orientation_covariance[9]', 22,
     "'orientation_covariance[9]': index 9 is out of range for double[9]"),
    (Imu, 'orientation_covariance[-10]', 22,
     "'orientation_covariance[-10]': index -10 is out of range for double[9]"),
    # and so are bounded sequences
    (ParameterDescriptor, 'integer_range[1].step', 13,
     "'integer_range[1]': index 1 is out of range for sequence<rcl_interfaces/IntegerRange, 1>"),
    # past an element of a sequence of messages, the element's type is named
    (PoseArray, 'poses[0].position.q', 18,
     "'poses[0].position.q': geometry_msgs/msg/Point has no field 'q' (fields: x, y, z)"),
    (PoseArray, 'poses[0]', 5,
     "'poses[0]': geometry_msgs/msg/Pose is a message, not a number "
     '(fields: position, orientation)'),
])
def test_check_path_rejects(cls, path, position, message):
    with pytest.raises(FieldPathError) as info:
        check_path(cls, path)
    error = info.value
    assert error.message == message
    assert error.position == position
    assert _caret_lines(error) == ['  ' + path, '  ' + ' ' * position + '^']


def test_field_path_error_is_a_value_error():
    assert issubclass(FieldPathError, ValueError)


# --- extraction ----------------------------------------------------------------------------------

def _imu() -> Imu:
    msg = Imu()
    msg.header.stamp.sec = 1700000000
    msg.linear_acceleration.x = 0.25
    msg.linear_acceleration.z = 9.81
    msg.angular_velocity.z = -1.5
    msg.orientation_covariance[8] = 0.125
    return msg


def _odometry(speed: float) -> Odometry:
    msg = Odometry()
    msg.twist.twist.linear.x = speed
    return msg


READS = [
    (_imu(), 'linear_acceleration.x', 0.25),
    (_imu(), 'linear_acceleration.z', 9.81),
    (_imu(), 'orientation_covariance[8]', 0.125),
    (_imu(), 'orientation_covariance[-1]', 0.125),
    (_imu(), 'orientation_covariance[0]', 0.0),
    (_imu(), 'header.stamp.sec', 1700000000.0),
    (_odometry(3.5), 'twist.twist.linear.x', 3.5),
    (JointState(position=[0.5, 1.5, 2.5]), 'position[2]', 2.5),
    (JointState(position=[0.5, 1.5, 2.5]), 'position[-1]', 2.5),
    (JointState(position=[0.5, 1.5, 2.5]), 'position[-3]', 0.5),
    (BatteryState(voltage=12.5), 'voltage', 12.5),
    (BatteryState(present=True), 'present', 1.0),
    (BatteryState(power_supply_status=2), 'power_supply_status', 2.0),
    (BatteryState(cell_voltage=[3.75]), 'cell_voltage[0]', 3.75),
    (Float64(data=-2.0), 'data', -2.0),
    (Bool(data=True), 'data', 1.0),
    (Bool(data=False), 'data', 0.0),
    (Byte(data=b'\x07'), 'data', 7.0),
]


def _extractor(cls: type, paths: list[str]) -> TopicExtractor:
    return TopicExtractor(cls, [check_path(cls, path) for path in paths])


@pytest.mark.parametrize(('msg', 'path', 'value'), READS)
def test_extractor_reads_values_as_float(msg, path, value):
    [result] = _extractor(type(msg), [path])(msg)
    assert result == value
    assert type(result) is float  # not numpy.float64, int or bool: JSON and numpy take it as is


def test_extractor_reads_all_paths_in_order():
    paths = ['angular_velocity.z', 'linear_acceleration.x', 'orientation_covariance[8]',
             'linear_acceleration.z']
    extractor = _extractor(Imu, paths)
    assert [path.text for path in extractor.paths] == paths
    assert extractor(_imu()) == [-1.5, 0.25, 0.125, 9.81]


@pytest.mark.parametrize('path', ['position[2]', 'position[5]', 'position[-3]', 'effort[0]'])
def test_extractor_index_past_the_end_is_none(path):
    msg = JointState(position=[0.5, 1.5])
    assert _extractor(JointState, [path, 'position[1]'])(msg) == [None, 1.5]


def test_extractor_follows_each_message_length():
    extractor = _extractor(JointState, ['position[5]', 'position[-1]'])
    assert extractor(JointState(position=[0.0] * 6)) == [0.0, 0.0]
    assert extractor(JointState(position=[1.0, 2.0])) == [None, 2.0]
    assert extractor(JointState()) == [None, None]
    assert extractor(JointState(position=[float(i) for i in range(6)])) == [5.0, 5.0]


# --- spans: each segment's place in the text, for carets ---------------------------------------

@pytest.mark.parametrize(('cls', 'path'), [
    *[(cls, path) for cls, path, _ in SEGMENTS + ACCEPTED],
    *[(type(msg), path) for msg, path, _ in READS],
])
def test_spans_point_at_the_segments(cls, path):
    _assert_spans_point_at_segments(check_path(cls, path))


# --- every numeric leaf of the installed message packages ------------------------------------

NUMERIC = set(definition.INTEGER_TYPES + definition.FLOATING_POINT_TYPES + ('boolean', 'octet'))


def _valid_indexes(slot: definition.AbstractNestedType) -> range:
    if isinstance(slot, definition.Array):
        return range(-slot.size, slot.size)
    if isinstance(slot, definition.BoundedSequence):
        return range(-slot.maximum_size, slot.maximum_size)
    return range(-10**9 + 1, 10**9)  # unbounded: any index of at most 9 digits


def _leaves(cls: type, prefix: tuple = (), depth: int = 0):
    """
    Yield (segments, is_numeric) for every leaf, walking SLOT_TYPES (not the type strings).

    Where the path indexes an array or sequence, the segment is the range of valid indexes.
    """
    for name, slot in zip(cls.get_fields_and_field_types(), cls.SLOT_TYPES, strict=True):
        segments = (*prefix, name)
        if isinstance(slot, definition.AbstractNestedType):
            segments, slot = (*segments, _valid_indexes(slot)), slot.value_type
        if isinstance(slot, definition.NamespacedType):
            nested = getattr(importlib.import_module('.'.join(slot.namespaces)), slot.name)
            if depth < 6:
                yield from _leaves(nested, segments, depth + 1)
        else:
            yield segments, isinstance(slot, definition.BasicType) and slot.typename in NUMERIC


def _first_elements(segments: tuple) -> str:
    return _text(s if isinstance(s, str) else 0 for s in segments)


def _message_classes() -> list[type]:
    classes = []
    for package in ('std_msgs', 'geometry_msgs', 'sensor_msgs', 'nav_msgs', 'builtin_interfaces',
                    'rcl_interfaces'):
        module = importlib.import_module(f'{package}.msg')
        classes += [getattr(module, name) for name in dir(module)
                    if getattr(getattr(module, name), 'SLOT_TYPES', None)]
    return classes


@pytest.mark.parametrize('cls', _message_classes(), ids=lambda cls: cls.__name__)
def test_every_leaf_of_every_message_is_classified(cls):
    """Numeric leaves check and extract from a default message; all others fail to check."""
    msg = cls()
    leaves = [(_first_elements(segments), numeric) for segments, numeric in _leaves(cls)]
    assert leaves
    for path, numeric in leaves:
        if numeric:
            [value] = _extractor(cls, [path])(msg)
            assert value is None or type(value) is float, path
        else:
            with pytest.raises(FieldPathError, match='is not a number'):
                check_path(cls, path)


NUMERIC_LEAVES = [(cls, segments) for cls in _message_classes()
                  for segments, numeric in _leaves(cls) if numeric]


@given(data=st.data())
def test_any_valid_path_parses_into_its_segments(data):
    cls, pattern = data.draw(st.sampled_from(NUMERIC_LEAVES))
    segments = tuple(s if isinstance(s, str) else data.draw(st.integers(s.start, s.stop - 1))
                     for s in pattern)
    checked = check_path(cls, _text(segments))
    assert checked.segments == segments
    _assert_spans_point_at_segments(checked)


# --- fuzzing -----------------------------------------------------------------------------------

PATH_PIECES = st.sampled_from([
    'header', 'stamp', 'sec', 'frame_id', 'linear_acceleration', 'x', 'position', 'voltage',
    'orientation_covariance', 'cell_voltage', 'name', '.', '[', ']', '-', '0', '1', '8', '9',
    '[0]', '[-1]', '[9]', ' ', '_', 'ö', '\n',
])
FUZZ_CLASSES = st.sampled_from([Imu, JointState, BatteryState, Odometry, Float64])


@given(path=st.text() | st.lists(PATH_PIECES, max_size=12).map(''.join), cls=FUZZ_CLASSES)
def test_any_text_only_ever_raises_field_path_error(path, cls):
    try:
        checked = check_path(cls, path)
    except FieldPathError as e:
        assert e.path == path and 0 <= e.position <= len(path)
        return
    _assert_spans_point_at_segments(checked)
    values = TopicExtractor(cls, [checked])(cls())
    assert values == [None] or type(values[0]) is float


# --- describe_missing: why a message has no value at a path ------------------------------------

@pytest.mark.parametrize(('msg', 'path', 'reason'), [
    (JointState(position=[1.0, 2.0]), 'position[5]',
     'position[5]: index out of range (JointState.position has 2 entries)'),
    (JointState(), 'velocity[-1]',
     'velocity[-1]: index out of range (JointState.velocity has 0 entries)'),
    (PoseArray(poses=[Pose()]), 'poses[1].position.y',
     'poses[1].position.y: index out of range (PoseArray.poses has 1 entry)'),
])
def test_describe_missing_names_the_index_and_the_length(msg, path, reason):
    assert describe_missing(msg, check_path(type(msg), path)) == reason
