# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Message type names resolve to the real classes; their type strings read like SLOT_TYPES."""

import importlib
import subprocess
import sys

from geometry_msgs.msg import Pose
from geometry_msgs.msg import PoseArray
from geometry_msgs.msg import PoseStamped
from geometry_msgs.msg import Vector3
from nav_msgs.msg import Odometry
import pytest
from rosidl_parser import definition
from sensor_msgs.msg import BatteryState
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from std_msgs.msg import Bool
from std_msgs.msg import Float64
from std_msgs.msg import Header

from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.msgtypes import ArrayType
from ros2_rtgraph.msgtypes import container
from ros2_rtgraph.msgtypes import element_class
from ros2_rtgraph.msgtypes import has_header
from ros2_rtgraph.msgtypes import HEADER_STAMP
from ros2_rtgraph.msgtypes import is_string
from ros2_rtgraph.msgtypes import message_class
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.msgtypes import nested_class
from ros2_rtgraph.msgtypes import normalize_type_name
from ros2_rtgraph.msgtypes import SequenceType
from ros2_rtgraph.msgtypes import type_name


@pytest.mark.parametrize(('name', 'expected'), [
    ('sensor_msgs/msg/Imu', 'sensor_msgs/msg/Imu'),
    ('sensor_msgs/Imu', 'sensor_msgs/msg/Imu'),
    ('std_msgs/Float64', 'std_msgs/msg/Float64'),
    ('my_robot2_msgs/msg/WheelState3', 'my_robot2_msgs/msg/WheelState3'),
])
def test_normalize_type_name(name, expected):
    assert normalize_type_name(name) == expected


@pytest.mark.parametrize('name', [
    '',
    'Imu',
    'sensor_msgs',
    'sensor_msgs/',
    '/Imu',
    'sensor_msgs/msg/',
    'sensor_msgs/msg/imu',          # type names are CamelCase
    'Sensor_msgs/Imu',              # package names are lower case
    '2d_msgs/Pose',                 # and start with a letter
    'sensor_msgs/msg/Imu/extra',
    'sensor_msgs.msg.Imu',
    ' sensor_msgs/Imu',
    'sensor_msgs/Imu ',
    'sensor_msgs//Imu',
])
def test_normalize_rejects_malformed_names(name):
    with pytest.raises(MessageTypeError) as info:
        normalize_type_name(name)
    assert str(info.value) == (
        f"malformed message type {name!r}: expected 'package/msg/Type' or 'package/Type' "
        "(e.g. 'sensor_msgs/msg/Imu')")


@pytest.mark.parametrize('name', ['std_srvs/srv/Trigger', 'example_interfaces/action/Fibonacci'])
def test_normalize_rejects_services_and_actions(name):
    with pytest.raises(MessageTypeError, match='is not a message type'):
        normalize_type_name(name)


@pytest.mark.parametrize(('name', 'cls'), [
    ('sensor_msgs/msg/Imu', Imu),
    ('sensor_msgs/Imu', Imu),
    ('nav_msgs/msg/Odometry', Odometry),
    ('sensor_msgs/msg/JointState', JointState),
    ('sensor_msgs/BatteryState', BatteryState),
    ('std_msgs/msg/Float64', Float64),
    ('geometry_msgs/Vector3', Vector3),
])
def test_message_class_returns_the_generated_class(name, cls):
    assert message_class(name) is cls


@pytest.mark.parametrize(('name', 'message'), [
    ('foo_msgs/msg/Bar', 'no message package "foo_msgs" is installed'),
    ('foo_msgs/Bar', 'no message package "foo_msgs" is installed'),
    # An importable Python package that has no messages is no message package either.
    ('numpy/msg/Array', 'no message package "numpy" is installed'),
    ('sensor_msgs/msg/Imux',
     'package "sensor_msgs" has no message type "Imux" (did you mean \'sensor_msgs/msg/Imu\'?)'),
    ('sensor_msgs/msg/Zzzzzzzzzz', 'package "sensor_msgs" has no message type "Zzzzzzzzzz"'),
    ('sensor_msgs/imu', "malformed message type 'sensor_msgs/imu': "
                        "expected 'package/msg/Type' or 'package/Type' "
                        "(e.g. 'sensor_msgs/msg/Imu')"),
])
def test_message_class_errors_name_the_package_or_type(name, message):
    with pytest.raises(MessageTypeError) as info:
        message_class(name)
    assert str(info.value) == message


def test_message_type_error_is_a_value_error():
    assert issubclass(MessageTypeError, ValueError)


@pytest.mark.parametrize('name', [
    'sensor_msgs/msg/Imu', 'nav_msgs/msg/Odometry', 'std_msgs/msg/Header',
    'geometry_msgs/msg/PoseStamped', 'builtin_interfaces/msg/Time',
])
def test_type_name_round_trips(name):
    assert type_name(message_class(name)) == name


@pytest.mark.parametrize(('cls', 'expected'), [
    (Imu, True),
    (Odometry, True),
    (JointState, True),
    (BatteryState, True),
    (PoseStamped, True),
    (Float64, False),
    (Bool, False),
    (Vector3, False),
    (Header, False),  # is a header, has none
])
def test_has_header(cls, expected):
    assert has_header(cls) is expected


def test_header_stamp_is_the_stamp_of_every_header():
    for cls in (Imu, Odometry, JointState, PoseStamped):
        assert has_header(cls)
        checked = [check_path(cls, path) for path in ('header.stamp.sec', 'header.stamp.nanosec')]
        assert tuple(path.segments for path in checked) == HEADER_STAMP


def test_message_classes_are_told_from_their_messages():
    assert isinstance(Imu, MessageClass)
    assert not isinstance(Imu(), MessageClass)
    assert not isinstance(definition, MessageClass)


# --- type strings: how get_fields_and_field_types() spells a field -----------------------------

@pytest.mark.parametrize(('spelled', 'expected'), [
    ('double[9]', ArrayType('double', 9)),
    ('string[3]', ArrayType('string', 3)),
    ('string<5>[2]', ArrayType('string<5>', 2)),
    ('geometry_msgs/Point[10]', ArrayType('geometry_msgs/Point', 10)),
    ('sequence<double>', SequenceType('double', None)),
    ('sequence<double, 3>', SequenceType('double', 3)),
    ('sequence<string<5>>', SequenceType('string<5>', None)),
    ('sequence<string<5>, 7>', SequenceType('string<5>', 7)),
    ('sequence<rcl_interfaces/IntegerRange, 1>', SequenceType('rcl_interfaces/IntegerRange', 1)),
    ('double', None),
    ('string', None),
    ('string<10>', None),
    ('geometry_msgs/Vector3', None),
])
def test_container(spelled, expected):
    assert container(spelled) == expected


@pytest.mark.parametrize(('spelled', 'expected'), [
    ('string', True), ('string<10>', True),
    ('wstring', False), ('wstring<3>', False), ('string[2]', False), ('sequence<string>', False),
    ('uint8', False), ('std_msgs/String', False),
])
def test_is_string(spelled, expected):
    assert is_string(spelled) is expected


def test_nested_and_element_classes():
    header, poses = PoseArray.SLOT_TYPES
    assert nested_class(header) is Header
    assert nested_class(poses) is None  # a sequence of messages is no message
    assert element_class(poses) is Pose
    assert element_class(header) is None
    joint_name, position = JointState.SLOT_TYPES[1:3]
    assert (nested_class(position), element_class(position)) == (None, None)
    assert (nested_class(joint_name), element_class(joint_name)) == (None, None)


@pytest.mark.parametrize('package', [
    'std_msgs', 'geometry_msgs', 'sensor_msgs', 'nav_msgs', 'builtin_interfaces', 'rcl_interfaces',
    'rmw_dds_common', 'type_description_interfaces',
])
def test_type_strings_read_like_their_slot_types(package):
    """container, is_string, nested_class and element_class agree with rosidl_parser."""
    module = importlib.import_module(f'{package}.msg')
    classes = [cls for cls in vars(module).values() if isinstance(cls, MessageClass)]
    assert classes
    for cls in classes:
        for spelled, slot in zip(cls.get_fields_and_field_types().values(), cls.SLOT_TYPES,
                                 strict=True):
            _check_type_string(spelled, slot)


def _check_type_string(spelled, slot):
    split = container(spelled)
    element = slot.value_type if isinstance(slot, definition.AbstractNestedType) else None
    if isinstance(slot, definition.Array):
        assert split == ArrayType(split.element, slot.size), spelled
    elif isinstance(slot, definition.BoundedSequence):
        assert split == SequenceType(split.element, slot.maximum_size), spelled
    elif isinstance(slot, definition.UnboundedSequence):
        assert split == SequenceType(split.element, None), spelled
    else:
        assert split is None, spelled
    assert is_string(spelled) is isinstance(slot, definition.AbstractString), spelled
    if split is not None:
        assert is_string(split.element) is isinstance(element, definition.AbstractString), spelled
    for cls, nested in ((nested_class(slot), slot), (element_class(slot), element)):
        if isinstance(nested, definition.NamespacedType):
            assert type_name(cls) == '/'.join((*nested.namespaces, nested.name)), spelled
        else:
            assert cls is None, spelled


def test_importing_msgtypes_loads_no_message_package():
    """Packages are imported on demand only: the core must not pull in every message wheel."""
    code = (
        'import sys\n'
        'import ros2_rtgraph.msgtypes\n'
        'loaded = [m for m in sys.modules if m.endswith(("_msgs", ".msg"))]\n'
        'assert not loaded, loaded\n'
        'ros2_rtgraph.msgtypes.message_class("std_msgs/Bool")\n'
        'assert "std_msgs.msg" in sys.modules\n')
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
