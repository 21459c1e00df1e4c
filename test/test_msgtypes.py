# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Message type names resolve to the real classes of the installed message wheels."""

import subprocess
import sys

from geometry_msgs.msg import PoseStamped
from geometry_msgs.msg import Vector3
from nav_msgs.msg import Odometry
import pytest
from sensor_msgs.msg import BatteryState
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from std_msgs.msg import Bool
from std_msgs.msg import Float64
from std_msgs.msg import Header

from ros2_rtgraph.msgtypes import has_header
from ros2_rtgraph.msgtypes import message_class
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.msgtypes import normalize_type_name
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
        f"malformed message type '{name}': expected 'package/msg/Type' or 'package/Type'")


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
                        "expected 'package/msg/Type' or 'package/Type'"),
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
