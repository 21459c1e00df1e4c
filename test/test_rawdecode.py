# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
rawdecode against rclpy's own serializer.

The fields read from the bytes equal the fields read from the deserialized message, for fixed
layouts, layouts behind strings and sequences, and both byte orders; what cannot be laid out
gets no decoder, what cannot be read raises.
"""

import math
import struct

from geometry_msgs.msg import PoseArray
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest
from rclpy.serialization import deserialize_message
from rclpy.serialization import serialize_message
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from sensor_msgs.msg import NavSatFix
from sensor_msgs.msg import PointCloud2
from std_msgs.msg import Bool
from std_msgs.msg import Byte
from std_msgs.msg import Float32
from std_msgs.msg import Float64
from std_msgs.msg import Int8
from std_msgs.msg import UInt64

from ros2_rtgraph.extract import TopicExtractor
from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.rawdecode import compile_decoder
from ros2_rtgraph.rawdecode import RawDecodeError

STAMP = ['header.stamp.sec', 'header.stamp.nanosec']
IMU_PATHS = ['linear_acceleration.z', 'orientation.w', 'angular_velocity_covariance[4]',
             'orientation_covariance[-1]', 'angular_velocity.x', *STAMP]


def expected(msg, paths):
    """Return what the message-object path reads (the extractor, ints for the stamp)."""
    extract = TopicExtractor(type(msg), [check_path(type(msg), path) for path in paths])
    return [float(v) if v is not None else None for v in extract(msg)]


def decoder(msg_class, paths):
    """Compile a decoder the way the node does: from the segments of checked paths."""
    return compile_decoder(msg_class, [check_path(msg_class, path).segments for path in paths])


def decoded(msg, paths):
    decode = decoder(type(msg), paths)
    assert decode is not None
    return [float(v) if v is not None else None for v in decode(serialize_message(msg))]


def imu(frame_id: str = 'imu_link', z: float = 9.81) -> Imu:
    msg = Imu()
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1_700_000_000, 123_456_789
    msg.header.frame_id = frame_id
    msg.orientation.w = 0.5
    msg.angular_velocity.x = -1.25
    msg.linear_acceleration.z = z
    msg.angular_velocity_covariance[4] = 7.0
    msg.orientation_covariance[8] = -3.0
    return msg


def navsatfix() -> NavSatFix:
    msg = NavSatFix()
    msg.header.frame_id = 'gps'
    msg.status.status = -1
    msg.status.service = 4
    msg.latitude, msg.longitude, msg.altitude = 48.137, 11.575, -12.5
    msg.position_covariance[2] = 0.25
    msg.position_covariance_type = 2
    return msg


@pytest.mark.parametrize(('msg', 'paths'), [
    # one fixed block: a struct read at a known place
    (Float64(data=-2.5e-300), ['data']),
    (Float32(data=1.5), ['data']),
    (Int8(data=-7), ['data']),
    (UInt64(data=2**64 - 1), ['data']),
    (Bool(data=True), ['data']),
    (Byte(data=b'\xfe'), ['data']),
    # fields after the header's frame_id string: offsets depend on its length
    *[(imu(frame_id), IMU_PATHS) for frame_id in ['', 'a', 'ab', 'abc', 'abcd', 'abcdefg',
                                                  'abcdefgh', 'x' * 33]],
    # mixed sizes: int8, uint16 and uint8 between doubles and an array
    (navsatfix(), ['status.status', 'status.service', 'altitude', 'position_covariance[2]',
                   'position_covariance_type', *STAMP]),
    # paths asked in another order than the wire's, and twice
    (imu(), ['header.stamp.nanosec', 'linear_acceleration.z', 'orientation.w',
             'linear_acceleration.z']),
    # before the sequence of messages: still a fixed layout
    (PointCloud2(height=480, width=640), ['width', 'height', *STAMP]),
])
def test_decoded_fields_equal_the_deserialized_ones(msg, paths):
    assert decoded(msg, paths) == expected(msg, paths)


def test_sequences_of_strings_and_numbers_are_skipped_and_indexed():
    msg = JointState(name=['shoulder', 'elbow', 'w'], position=[1.0, 2.0, 3.0],
                     velocity=[4.0], effort=[5.0, 6.0])
    msg.header.frame_id = 'base'
    paths = ['position[2]', 'position[-1]', 'velocity[0]', 'effort[1]', 'effort[5]', *STAMP]
    assert decoded(msg, paths) == [3.0, 3.0, 4.0, 6.0, None, *expected(msg, STAMP)]


def test_an_empty_sequence_of_doubles_before_a_field_is_left_to_the_deserializer():
    # Writers disagree on whether it pads; the caller deserializes such a message instead.
    decode = decoder(JointState, ['effort[0]'])
    with pytest.raises(RawDecodeError):
        decode(serialize_message(JointState(velocity=[], effort=[1.0])))
    assert decode(serialize_message(
        JointState(position=[3.0], velocity=[2.0], effort=[1.0]))) == [1.0]


@pytest.mark.parametrize(('msg_class', 'paths'), [
    (PointCloud2, ['point_step']),  # behind sequence<sensor_msgs/PointField>
    (PoseArray, ['poses[0].position.x']),  # inside a sequence of messages
])
def test_layouts_behind_a_sequence_of_messages_get_no_decoder(msg_class, paths):
    assert decoder(msg_class, paths) is None


def test_big_endian_cdr_is_read_too():
    decode = decoder(Float64, ['data'])
    assert decode(b'\x00\x00\x00\x00' + struct.pack('>d', 6.25)) == (6.25,)
    decode = decoder(Imu, ['linear_acceleration.z', *STAMP])
    little = serialize_message(imu('ab', z=-4.5))
    # The same message by hand in big-endian: stamp, frame_id 'ab\0', pad to 8, then the doubles
    # up to linear_acceleration.z: 4 + 9 + 3 + 9 + 3.
    big = (b'\x00\x00\x00\x00' + struct.pack('>iI', 1_700_000_000, 123_456_789)
           + struct.pack('>I', 3) + b'ab\x00' + b'\x00'
           + struct.pack('>28d', *([0.0] * 27 + [-4.5])))
    assert decode(big) == decode(little) == [-4.5, 1_700_000_000, 123_456_789]


@pytest.mark.parametrize('data', [
    b'\x00\x07\x00\x00' + struct.pack('<d', 1.0),  # XCDR2 little-endian: another layout
    b'\x00\x03\x00\x00' + struct.pack('<d', 1.0),  # parameter list CDR
    b'\x00\x01\x00\x00\x00\x00',                   # shorter than one double
])
def test_other_encapsulations_and_short_buffers_raise(data):
    with pytest.raises(RawDecodeError):
        decoder(Float64, ['data'])(data)


def test_a_frame_id_longer_than_the_buffer_raises():
    data = bytearray(serialize_message(imu('abc')))
    data[12:16] = struct.pack('<I', 10_000)  # frame_id length
    with pytest.raises(RawDecodeError):
        decoder(Imu, ['linear_acceleration.z'])(bytes(data))


@settings(max_examples=200, deadline=None)
@given(frame_id=st.text(alphabet='abcdefgh_/0123', max_size=20), values=st.lists(
    st.floats(allow_nan=True), min_size=4, max_size=4), sec=st.integers(-2**31, 2**31 - 1),
    nanosec=st.integers(0, 2**32 - 1))
def test_any_imu_reads_like_its_deserialized_self(frame_id, values, sec, nanosec):
    msg = imu(frame_id)
    msg.header.stamp.sec, msg.header.stamp.nanosec = sec, nanosec
    msg.linear_acceleration.z, msg.orientation.w, msg.angular_velocity.x = values[:3]
    msg.angular_velocity_covariance[4] = values[3]
    data = serialize_message(msg)
    again = deserialize_message(data, Imu)
    got = decoder(Imu, IMU_PATHS)(data)
    want = expected(again, IMU_PATHS)
    assert [math.isnan(v) for v in got] == [math.isnan(v) for v in want]
    assert [v for v in got if not math.isnan(v)] == [v for v in want if not math.isnan(v)]


def test_whole_sequences_strings_and_arrays_are_read_as_the_message_has_them():
    msg = JointState(name=['elbow', 'wrist_1', ''], position=[0.5, -1.5, 2.0],
                     velocity=[0.0], effort=[4.0])
    msg.header.frame_id = 'base_link'
    decode = compile_decoder(JointState, [('header', 'frame_id'), ('name',), ('position',),
                                          ('effort',), ('position', 1)])
    assert decode(serialize_message(msg)) == [
        'base_link', ['elbow', 'wrist_1', ''], (0.5, -1.5, 2.0), (4.0,), -1.5]
    imu = Imu()
    imu.orientation_covariance[4] = 3.0
    assert compile_decoder(Imu, [('orientation_covariance',), ('orientation_covariance', 4)])(
        serialize_message(imu)) == [(0.0,) * 4 + (3.0,) + (0.0,) * 4, 3.0]


def test_the_names_of_the_message_before_are_the_same_list_until_they_change():
    decode = compile_decoder(JointState, [('name',), ('position',)])
    first = JointState(name=['a', 'bb'], position=[1.0, 2.0])
    names, _ = decode(serialize_message(first))
    again, positions = decode(serialize_message(JointState(name=['a', 'bb'], position=[3.0, 4.0])))
    assert again is names and positions == (3.0, 4.0)
    # Same length and bytes but another order, then a prefix of the old names: read anew.
    swapped, _ = decode(serialize_message(JointState(name=['bb', 'a'], position=[5.0, 6.0])))
    assert swapped == ['bb', 'a']
    longer, _ = decode(serialize_message(JointState(name=['bb', 'a', 'c'], position=[0.0] * 3)))
    assert longer == ['bb', 'a', 'c']
    shorter, _ = decode(serialize_message(JointState(name=['bb'], position=[0.0])))
    assert shorter == ['bb']
