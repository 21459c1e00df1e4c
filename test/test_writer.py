# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
TopicWriter without DDS: message objects and serialized bytes in, samples and counters out.

The topics are planned from YAML as the node plans them; the clock is a stand-in, so receive
times and sim time are exact. test_node.py proves the same path on real DDS.
"""

from dataclasses import dataclass

from builtin_interfaces.msg import Time
import pytest
from rclpy.serialization import deserialize_message
from rclpy.serialization import serialize_message
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64

from ros2_rtgraph.config import parse_config
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.topics import plan_topics
from ros2_rtgraph.writer import TopicWriter


@dataclass
class Now:
    nanoseconds: int


@dataclass
class FakeClock:
    """The node clock: system time (its now unused), or sim time at ``sim`` seconds."""

    sim: float | None = None

    @property
    def ros_time_is_active(self) -> bool:
        return self.sim is not None

    def now(self) -> Now:
        assert self.sim is not None, 'the writer reads the clock only under sim time'
        return Now(round(self.sim * 1e9))


class Bench:
    """One topic's writer over its own rings and stats."""

    def __init__(self, series_yaml: str, *, serialized: bool = False,
                 clock: FakeClock | None = None):
        config = parse_config(f'charts: [{{title: T, series: [{series_yaml}]}}]')
        topic = next(iter(plan_topics(config).values()))
        self.store = SampleStore([s.id for s in config.series], 100)
        self.stats = StatsBoard([s.id for s in config.series])
        self.writer = TopicWriter(topic, self.store, self.stats, clock or FakeClock(),
                                  deserialize_message, serialized=serialized)

    def write(self, *messages, received: float = 100.0) -> None:
        """Write messages received 1 ms apart from ``received`` on, serialized if raw."""
        self.writer.write([
            (serialize_message(msg) if self.writer.raw else msg,
             {'received_timestamp': round((received + i / 1000) * 1e9)})
            for i, msg in enumerate(messages)])

    def samples(self, sid: str) -> list[tuple[float, float]]:
        ring = self.store.rings[sid].read_since(0)
        return list(zip(ring.t.tolist(), ring.v.tolist(), strict=True))


@pytest.mark.parametrize('serialized', [False, True])
def test_values_are_scaled_and_timed_by_receipt(serialized):
    bench = Bench('{topic: /f, type: std_msgs/msg/Float64, field: data}, '
                  '{topic: /f, type: std_msgs/msg/Float64, field: data, scale: 2, offset: 1}',
                  serialized=serialized)
    assert bench.writer.raw is serialized
    assert bench.stats.series['s0'].state == 'waiting'
    bench.write(Float64(data=1.5), Float64(data=-2.0))
    assert bench.samples('s0') == [(100.0, 1.5), (pytest.approx(100.001, abs=1e-9), -2.0)]
    assert [v for _, v in bench.samples('s1')] == [4.0, -3.0]
    stats = bench.stats.series['s0']
    assert (stats.samples, stats.errors, stats.state) == (2, 0, 'ok')


@pytest.mark.parametrize('serialized', [False, True])
def test_header_stamps_unless_zero_or_asked_for_receive_time(serialized):
    bench = Bench('{topic: /imu, type: sensor_msgs/msg/Imu, field: linear_acceleration.z}, '
                  '{topic: /imu, type: sensor_msgs/msg/Imu, field: linear_acceleration.z, '
                  'stamp: receive, scale: 2}', serialized=serialized)
    stamped = Imu()
    stamped.header.stamp = Time(sec=7, nanosec=250_000_000)
    stamped.linear_acceleration.z = 9.8
    bench.write(stamped, Imu(), received=50.0)  # the second has no stamp: its receipt counts
    assert bench.samples('s0') == [(7.25, 9.8), (pytest.approx(50.001, abs=1e-9), 0.0)]
    assert [t for t, _ in bench.samples('s1')] == pytest.approx([50.0, 50.001], abs=1e-9)


def test_sim_time_times_a_batch_by_the_node_clock():
    bench = Bench('{topic: /f, type: std_msgs/msg/Float64, field: data, stamp: receive}',
                  clock=FakeClock(sim=12.5))
    bench.write(Float64(data=1.0), Float64(data=2.0))
    assert bench.samples('s0') == [(12.5, 1.0), (12.5, 2.0)]


@pytest.mark.parametrize('serialized', [False, True])
def test_an_index_past_the_end_is_counted_and_said_while_the_latest_lacks_it(serialized):
    bench = Bench('{topic: /j, type: sensor_msgs/msg/JointState, field: "position[2]"}, '
                  '{topic: /j, type: sensor_msgs/msg/JointState, field: "position[0]"}',
                  serialized=serialized)
    stats = bench.stats.series['s0']
    bench.write(JointState(position=[0.0, 1.0, 2.0]), JointState(position=[5.0]))
    assert bench.samples('s0') == [(100.0, 2.0)]
    assert [v for _, v in bench.samples('s1')] == [0.0, 5.0]  # its index was there
    assert stats.errors == 1
    assert stats.missing == (
        'position[2]: index out of range (JointState.position has 1 entry)')
    bench.write(JointState(position=[1.0]), JointState(position=[0.0, 0.0, 3.0]))
    assert (stats.errors, stats.missing) == (2, '')
    assert [v for _, v in bench.samples('s0')] == [2.0, 3.0]


def test_the_callback_writes_one_message_timed_now():
    bench = Bench('{topic: /f, type: std_msgs/msg/Float64, field: data, stamp: receive}')
    bench.writer.callback()(Float64(data=4.0))
    (t, v), = bench.samples('s0')
    assert v == 4.0 and t > 1e9  # system time, in seconds
