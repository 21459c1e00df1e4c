# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
GraphNode against real rclpy publishers: parameters, subscriptions, QoS, stamps, stats.

The node and the publishers live in two private contexts (two DDS participants), spun by
threads. Every test that uses ``bridge_peer`` (conftest) runs twice: with the node's callbacks
on a standard executor, and with its data subscriptions drained in batches by the loop
``rtgraph`` runs. Publishers first send a warm-up value until
the node has one, then the values under test: with best-effort QoS nothing is guaranteed
before both sides have matched, and this needs no sleep.
"""

from collections.abc import Callable
import math
from pathlib import Path
import time
from typing import Any

from builtin_interfaces.msg import Time
from geometry_msgs.msg import Point
from geometry_msgs.msg import Pose
from geometry_msgs.msg import PoseArray
import pytest
from rcl_interfaces.srv import GetParameters
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy
from rclpy.qos import qos_profile_sensor_data
from rclpy.qos import QoSProfile
from rclpy.qos import ReliabilityPolicy
from ros_helpers import DISCOVERY_TIMEOUT
from ros_helpers import RosPeer
from ros_helpers import wait_until
from ros_helpers import write_config
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64
from std_msgs.msg import Int32

from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.node import GraphNode
from ros2_rtgraph.qos import AUTO_DEPTH
from ros2_rtgraph.qos import SIZED_PAUSE
from ros2_rtgraph.qos import SIZED_RATE
from ros2_rtgraph.rosdistro import PublisherEventCallbacks

WARM_UP = -12345.0
#: Seconds to wait for samples or a status: discovery plus a graph check, on a loaded machine.
SAMPLE_TIMEOUT = 3 * DISCOVERY_TIMEOUT
#: Seconds before a service call that got no answer is made again.
CALL_RETRY = 5.0

RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
BEST_EFFORT = QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)


def wait_for(predicate: Callable[[], Any], what: str, interval: float = 0.05) -> Any:
    """Wait as :func:`ros_helpers.wait_until` does, for SAMPLE_TIMEOUT seconds."""
    return wait_until(predicate, SAMPLE_TIMEOUT, interval, what)


@pytest.fixture
def robot():
    """Yield the publishing side: one node in its own context."""
    with RosPeer() as peer:
        yield peer.node('test_robot')


def start_node(peer: RosPeer, tmp_path: Path, yaml_text: str, **parameters) -> GraphNode:
    """Build a GraphNode from a YAML text (plus parameter overrides) and spin it."""
    path = write_config(tmp_path, yaml_text)
    overrides = [Parameter('config_file', value=str(path))]
    overrides += [Parameter(name, value=value) for name, value in parameters.items()]
    return peer.graph_node(parameter_overrides=overrides)


def values(node: GraphNode, series_id: str) -> list[float]:
    return node.store.rings[series_id].read_since(0).v.tolist()


def times(node: GraphNode, series_id: str) -> list[float]:
    return node.store.rings[series_id].read_since(0).t.tolist()


def warm_up(node: GraphNode, series_id: str, publish: Callable[[], None]) -> None:
    """Publish until the node has stored one more sample of ``series_id`` than it had."""
    stats = node.stats.series[series_id]
    before = stats.samples

    def arrived() -> bool:
        publish()
        return stats.samples > before
    wait_for(arrived, interval=0.1, what=f'a first sample of {series_id}')


def publish_floats(node: GraphNode, publisher, series_id: str, data: list[float]) -> list[float]:
    """Warm up, publish ``data``, wait until it is stored; return the values after warm-up."""
    warm_up(node, series_id, lambda: publisher.publish(Float64(data=WARM_UP)))
    for value in data:
        publisher.publish(Float64(data=value))

    def received() -> list[float] | None:
        stored = values(node, series_id)
        after = stored[max(i for i, v in enumerate(stored) if v == WARM_UP) + 1:]
        return after if len(after) >= len(data) else None
    return wait_for(received, what=f'{len(data)} samples of {series_id}')


# --- parameters and start-up errors ------------------------------------------------------------

SERVER_YAML = """\
server:
  host: 127.0.0.2
  port: 9001
  frame_rate: 10
charts:
  - title: T
    series: [/t.data]
"""


def test_parameters_not_given_keep_the_yaml_server_section(bridge_peer, tmp_path):
    node = start_node(bridge_peer, tmp_path, SERVER_YAML)
    server = node.config.server
    assert (server.host, server.port, server.frame_rate) == ('127.0.0.2', 9001, 10.0)
    assert node.describe_parameter('port').description


@pytest.mark.parametrize(('parameters', 'expected'), [
    ({'host': '127.0.0.3', 'port': 0}, ('127.0.0.3', 0, 10.0, None)),
    ({'frame_rate': 30.0, 'token': 'abcdefghijklmnop'},
     ('127.0.0.2', 9001, 30.0, 'abcdefghijklmnop')),
    # what launch passes: every value as a string, empty for "not given" (the token it leaves
    # out unless given: there '' means "no token")
    ({'host': '', 'port': '8088', 'frame_rate': ''}, ('127.0.0.2', 8088, 10.0, None)),
    ({'frame_rate': '25', 'token': '1234567890123456'},
     ('127.0.0.2', 9001, 25.0, '1234567890123456')),
])
def test_parameters_override_the_yaml(bridge_peer, tmp_path, parameters, expected):
    server = start_node(bridge_peer, tmp_path, SERVER_YAML, **parameters).config.server
    assert (server.host, server.port, server.frame_rate, server.token) == expected


TOKEN_YAML = SERVER_YAML.replace('  frame_rate: 10\n',
                                 '  frame_rate: 10\n  token: from-yaml-3Fh8pQ2x\n')


@pytest.mark.parametrize(('arguments', 'token'), [
    ([], 'from-yaml-3Fh8pQ2x'),  # not given: the YAML's
    (['-p', "token:=''"], ''),  # given empty: access control off
    (['-p', 'token:=""'], ''),
    (['-p', 'token:=abcdefghijklmnop'], 'abcdefghijklmnop'),
    (['-p', 'token:=1234567890123456'], '1234567890123456'),  # an int on the command line
])
def test_token_parameter_given_empty_switches_access_control_off(
        bridge_peer, tmp_path, arguments, token):
    path = write_config(tmp_path, TOKEN_YAML)
    node = bridge_peer.graph_node(cli_args=[
        '--ros-args', '-p', f'config_file:={path}', *arguments])
    assert node.config.server.token == token
    assert node.config.server.frame_rate == 10.0


@pytest.mark.parametrize(('name', 'value', 'in_yaml'), [
    ('port', 70000, '70000'),
    ('port', 'http', 'http'),
    ('frame_rate', 0.0, '0.0'),
    ('frame_rate', 1000, '1000'),
    ('frame_rate', math.inf, '.inf'),
    ('max_points', 2, '2'),
    ('window', -1.5, '-1.5'),
    ('max_points', 1e12, '1000000000000.0'),
])
def test_a_bad_parameter_fails_as_the_yaml_does(bridge_peer, tmp_path, name, value, in_yaml):
    with pytest.raises(ConfigError) as from_parameter:
        start_node(bridge_peer, tmp_path, SERVER_YAML, **{name: value})
    with pytest.raises(ConfigError) as from_file:
        parse_config(f'server:\n  {name}: {in_yaml}\ncharts: [{{title: T, series: [/t.data]}}]')
    assert (from_parameter.value.key, from_file.value.key) == (name, f'server.{name}')
    assert from_parameter.value.message == from_file.value.message
    assert str(from_parameter.value).startswith(f'node parameters: {name}: ')


def test_typed_series_with_bad_field_is_a_startup_error_naming_line_and_key(
        bridge_peer, tmp_path):
    yaml_text = """\
charts:
  - title: IMU
    series:
      - {topic: /imu, type: sensor_msgs/msg/Imu, field: linear_acceleration.x}
      - topic: /imu
        type: sensor_msgs/msg/Imu
        field: linear_acceleration.w
"""
    with pytest.raises(ConfigError) as caught:
        start_node(bridge_peer, tmp_path, yaml_text)
    error = caught.value
    assert (error.line, error.key) == (5, 'charts[0].series[1].field')
    assert str(error).startswith(f'{tmp_path / "rtgraph.yaml"}:5: charts[0].series[1].field: ')
    assert 'linear_acceleration.w' in error.message


@pytest.mark.parametrize(('second', 'key', 'message'), [
    ('{topic: /t, type: std_msgs/msg/Int32, field: data, scale: 2.0}', 'charts[0].series[1].type',
     "type 'std_msgs/msg/Int32' conflicts with 'std_msgs/msg/Float64'"),
    ('{topic: /t, field: data, qos: best_effort, scale: 2.0}', 'charts[0].series[1].qos',
     "qos 'best_effort' conflicts with 'reliable'"),
])
def test_series_of_one_topic_must_agree_on_type_and_qos(bridge_peer, tmp_path, second, key,
                                                         message):
    yaml_text = f"""\
charts:
  - title: T
    series:
      - {{topic: /t, type: std_msgs/msg/Float64, field: data, qos: reliable}}
      - {second}
"""
    with pytest.raises(ConfigError) as caught:
        start_node(bridge_peer, tmp_path, yaml_text)
    assert (caught.value.line, caught.value.key) == (5, key)
    assert message in caught.value.message


def test_unknown_type_is_a_startup_error(bridge_peer, tmp_path):
    yaml_text = """\
charts:
  - title: T
    series:
      - {topic: /t, type: std_msgs/msg/Float46, field: data}
"""
    with pytest.raises(ConfigError) as caught:
        start_node(bridge_peer, tmp_path, yaml_text)
    assert (caught.value.line, caught.value.key) == (4, 'charts[0].series[0].type')
    assert 'Float46' in caught.value.message


# --- subscriptions and samples ---------------------------------------------------------------

def test_one_subscription_per_topic_and_exact_scaled_values(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: A
    series:
      - {topic: /a, type: std_msgs/msg/Float64, field: data}
      - {topic: /a, type: std_msgs/msg/Float64, field: data, scale: 2.0, offset: 1.0}
  - title: B
    series:
      - {topic: /a, type: std_msgs/msg/Float64, field: data, label: again}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    publisher = robot.create_publisher(Float64, '/a', RELIABLE)
    sent = [0.1, -2.5, 1e300, 3.0]
    assert publish_floats(node, publisher, 's0', sent) == sent
    # One callback appends to every series of the message, s2 last.
    wait_for(lambda: values(node, 's2')[-1:] == [3.0], what='the last series')
    assert values(node, 's1')[-4:] == [v * 2.0 + 1.0 for v in sent]
    assert values(node, 's2')[-4:] == sent
    assert [s.topic_name for s in node.subscriptions].count('/a') == 1
    assert node.stats.series['s0'].state == 'ok'


def test_header_stamps_and_receive_time(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: IMU
    series:
      - {topic: /imu, type: sensor_msgs/msg/Imu, field: linear_acceleration.z}
  - title: IMU by receive time
    series:
      - {topic: /imu, type: sensor_msgs/msg/Imu, field: linear_acceleration.z, stamp: receive}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    publisher = robot.create_publisher(Imu, '/imu', qos_profile_sensor_data)

    def imu(z: float, sec: int, nanosec: int) -> Imu:
        msg = Imu()
        msg.linear_acceleration.z = z
        msg.header.stamp = Time(sec=sec, nanosec=nanosec)
        return msg

    warm_up(node, 's0', lambda: publisher.publish(imu(WARM_UP, 1, 0)))
    before = time.time()
    publisher.publish(imu(9.5, 1234, 500_000_000))
    publisher.publish(imu(9.75, 0, 0))  # a zero stamp means "not stamped": receive time
    wait_for(lambda: values(node, 's0')[-2:] == [9.5, 9.75], what='the stamped samples')
    after = time.time()
    stamped, unstamped = times(node, 's0')[-2:]
    assert stamped == 1234.5
    assert before <= unstamped <= after
    received = times(node, 's1')[-2:]
    assert all(before <= t <= after for t in received)


def test_waiting_topic_is_subscribed_when_a_publisher_appears(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Late
    series: [/late.data]
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    assert node.stats.series['s0'].state == 'waiting'
    assert '/late' not in [s.topic_name for s in node.subscriptions]
    publisher = robot.create_publisher(Float64, '/late', BEST_EFFORT)
    assert publish_floats(node, publisher, 's0', [1.5, 2.5]) == [1.5, 2.5]
    assert node.stats.series['s0'].state == 'ok'


def test_transient_local_publisher_delivers_its_latched_sample(bridge_peer, robot, tmp_path):
    publisher = robot.create_publisher(Float64, '/latched', LATCHED)
    publisher.publish(Float64(data=42.0))
    yaml_text = """\
charts:
  - title: Latched
    series: [/latched.data]
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    assert wait_for(lambda: values(node, 's0'), what='the latched sample') == [42.0]


def test_discovered_type_whose_field_does_not_fit_errors_that_series_only(
        bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Mixed
    series:
      - /mixed.data
      - /mixed.velocity
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    publisher = robot.create_publisher(Float64, '/mixed', RELIABLE)
    assert publish_floats(node, publisher, 's0', [7.0]) == [7.0]
    stats = node.stats.series['s1']
    assert stats.state == 'error'
    assert stats.reason.startswith('std_msgs/msg/Float64: ')
    assert 'velocity' in stats.reason
    assert '\n' not in stats.reason  # a status line, not the caret diagram the log shows
    assert node.stats.series['s0'].state == 'ok'


def status(node: GraphNode, series_id: str) -> dict[str, str]:
    """Return the status the stats event would show for a series now."""
    return node.stats.snapshot(time.monotonic())[series_id]['status']


def error(reason: str) -> dict[str, str]:
    """Return the status of a series in error."""
    return {'state': 'error', 'reason': reason}


OK = {'state': 'ok', 'reason': ''}
STALE = {'state': 'stale', 'reason': ''}


def test_topic_with_two_types_is_an_error_naming_both(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Twice
    series: [/twice.data]
"""
    robot.create_publisher(Float64, '/twice', RELIABLE)
    with RosPeer() as other_robot:  # DDS refuses two types on one topic in one participant
        other_robot.node('other_robot').create_publisher(Int32, '/twice', RELIABLE)
        # Whichever publisher the node discovers first, the graph check ends in the conflict.
        node = start_node(bridge_peer, tmp_path, yaml_text)
        expected = error('topic /twice has types std_msgs/msg/Float64 and std_msgs/msg/Int32')
        wait_for(lambda: status(node, 's0') == expected, what='the type conflict')


def test_a_publisher_of_another_type_after_subscription_is_an_error_until_it_leaves(
        bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Changing
    series: [/changing.data]
  - title: Other
    series: [/other.data]
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    publisher = robot.create_publisher(Float64, '/changing', RELIABLE)
    other = robot.create_publisher(Float64, '/other', RELIABLE)
    assert publish_floats(node, publisher, 's0', [1.0]) == [1.0]
    assert publish_floats(node, other, 's1', [1.0]) == [1.0]
    assert status(node, 's0') == OK
    expected = error('topic /changing has types std_msgs/msg/Float64 and std_msgs/msg/Int32')
    with RosPeer() as other_robot:  # DDS refuses two types on one topic in one participant
        odd_node = other_robot.node('odd_robot')
        odd = odd_node.create_publisher(Int32, '/changing', RELIABLE)
        wait_for(lambda: status(node, 's0') == expected, what='the type conflict')
        # The publisher of the subscribed type is still heard, and so is the other topic.
        assert publish_floats(node, publisher, 's0', [2.0]) == [2.0]
        assert publish_floats(node, other, 's1', [2.0]) == [2.0]
        assert status(node, 's0') == expected
        assert status(node, 's1') == OK
        # A clean destroy leaves the graph at once (a killed one would stay for its lease).
        odd_node.destroy_publisher(odd)
        wait_for(lambda: status(node, 's0') == OK, what='the conflict to end')
    assert publish_floats(node, publisher, 's0', [3.0]) == [3.0]
    assert status(node, 's0') == OK


def test_a_configured_type_among_two_is_heard_and_shows_the_conflict(
        bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Typed
    series:
      - {topic: /typed2, type: std_msgs/msg/Float64, field: data}
"""
    publisher = robot.create_publisher(Float64, '/typed2', RELIABLE)
    with RosPeer() as other_robot:
        other_robot.node('odd_robot').create_publisher(Int32, '/typed2', RELIABLE)
        node = start_node(bridge_peer, tmp_path, yaml_text)
        expected = error('topic /typed2 has types std_msgs/msg/Float64 and std_msgs/msg/Int32')
        wait_for(lambda: status(node, 's0') == expected, what='the type conflict')
        assert publish_floats(node, publisher, 's0', [4.0]) == [4.0]
        assert status(node, 's0') == expected


def test_publishers_of_another_type_than_configured_is_an_error(bridge_peer, robot, tmp_path):
    robot.create_publisher(Int32, '/typed', RELIABLE)
    yaml_text = """\
charts:
  - title: Typed
    series:
      - {topic: /typed, type: std_msgs/Float64, field: data}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    wait_for(lambda: status(node, 's0') == error(
        'publishers send std_msgs/msg/Int32, the configuration says std_msgs/msg/Float64'),
        what='the type mismatch')


def test_incompatible_qos_is_shown_in_the_series_status(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Strict
    series:
      - {topic: /strict, type: std_msgs/msg/Float64, field: data, qos: reliable}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    offered = []
    robot.create_publisher(
        Float64, '/strict', BEST_EFFORT,
        event_callbacks=PublisherEventCallbacks(incompatible_qos=offered.append))
    wait_for(lambda: status(node, 's0') == error('incompatible QoS (RELIABILITY)'),
             what='the incompatible QoS event')
    wait_for(lambda: offered, what='the publisher side of the event')


def test_nonfinite_values_and_missing_indices_are_counted(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Counted
    series:
      - /float.data
      - {topic: /joints, type: sensor_msgs/msg/JointState, field: 'position[2]'}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    floats = robot.create_publisher(Float64, '/float', RELIABLE)
    received = publish_floats(node, floats, 's0', [math.nan, math.inf, -math.inf, 1.0])
    assert math.isnan(received[0]) and received[1:] == [math.inf, -math.inf, 1.0]
    assert node.stats.series['s0'].nonfinite == 3
    joints = robot.create_publisher(JointState, '/joints', RELIABLE)
    warm_up(node, 's1', lambda: joints.publish(JointState(position=[0.0, 0.0, WARM_UP])))
    joints.publish(JointState(position=[1.0]))  # no index 2: a counted error, no sample
    joints.publish(JointState(position=[1.0, 2.0, 3.0]))
    wait_for(lambda: values(node, 's1')[-1] == 3.0, what='the joint sample')
    assert node.stats.series['s1'].errors == 1
    assert node.stats.series['s1'].samples == len(values(node, 's1'))


def test_index_out_of_range_shows_in_the_status_while_it_lasts(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Joints
    series:
      - {topic: /joints, type: sensor_msgs/msg/JointState, field: 'position[5]'}
      - {topic: /joints, type: sensor_msgs/msg/JointState, field: 'velocity[0]'}
      - {topic: /poses, type: geometry_msgs/msg/PoseArray, field: 'poses[1].position.y'}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    joints = robot.create_publisher(JointState, '/joints', RELIABLE)
    poses = robot.create_publisher(PoseArray, '/poses', RELIABLE)
    warm_up(node, 's0', lambda: joints.publish(
        JointState(position=[0.0] * 5 + [WARM_UP], velocity=[WARM_UP])))
    assert status(node, 's0') == OK
    joints.publish(JointState(position=[1.0, 2.0], velocity=[3.0]))
    wait_for(lambda: values(node, 's1')[-1] == 3.0, what='the velocity sample')
    assert status(node, 's0') == error(
        'position[5]: index out of range (JointState.position has 2 entries)')
    assert node.stats.series['s0'].errors == 1
    assert status(node, 's1') == OK  # the other series of the topic is fine
    joints.publish(JointState(position=[0.0] * 5 + [6.0], velocity=[4.0]))
    wait_for(lambda: values(node, 's0')[-1] == 6.0, what='a long enough message')
    assert status(node, 's0') == OK
    # An index behind a sequence of messages, read from the message object.
    warm_up(node, 's2', lambda: poses.publish(PoseArray(poses=[Pose(), Pose()])))
    poses.publish(PoseArray(poses=[Pose()]))
    wait_for(lambda: status(node, 's2')['state'] == 'error', what='the short pose array')
    assert status(node, 's2') == error(
        'poses[1].position.y: index out of range (PoseArray.poses has 1 entry)')


def test_use_sim_time_stamps_receive_time_from_clock_topic(bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Sim
    series: [/sim.data]
"""
    path = write_config(tmp_path, yaml_text)
    node = bridge_peer.graph_node(parameter_overrides=[
        Parameter('config_file', value=str(path)), Parameter('use_sim_time', value=True)])
    clock = robot.create_publisher(Clock, '/clock', 10)

    def simulated_time_arrived() -> bool:
        clock.publish(Clock(clock=Time(sec=42, nanosec=250_000_000)))
        return node.get_clock().now().nanoseconds == 42_250_000_000
    wait_for(simulated_time_arrived, interval=0.1, what='the simulated time')
    publisher = robot.create_publisher(Float64, '/sim', RELIABLE)
    publish_floats(node, publisher, 's0', [5.0])
    assert times(node, 's0')[-1] == 42.25



def test_qos_auto_recovers_when_a_best_effort_publisher_joins_a_reliable_one(
        bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Mixed
    series: [/mixed.data]
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    reliable = robot.create_publisher(Float64, '/mixed', RELIABLE)
    assert publish_floats(node, reliable, 's0', [1.0]) == [1.0]
    [subscription] = [s for s in node.subscriptions if s.topic_name == '/mixed']
    assert subscription.qos_profile.reliability == ReliabilityPolicy.RELIABLE
    # A reliable subscription cannot hear this one; the graph check subscribes again.
    best_effort = robot.create_publisher(
        Float64, '/mixed', BEST_EFFORT,
        event_callbacks=PublisherEventCallbacks(incompatible_qos=lambda event: None))

    def heard(publisher, value: float) -> None:
        def arrived() -> bool:
            publisher.publish(Float64(data=value))
            return values(node, 's0')[-1] == value
        wait_for(arrived, interval=0.1, what=f'{value} from {publisher.qos_profile}')

    heard(best_effort, 2.0)
    [subscription] = [s for s in node.subscriptions if s.topic_name == '/mixed']
    assert subscription.qos_profile.reliability == ReliabilityPolicy.BEST_EFFORT
    assert node.stats.series['s0'].state == 'ok'
    # The reliable publisher is still heard by the best-effort subscription.
    heard(reliable, 3.0)


def test_parameter_services_are_served(bridge_peer, robot, tmp_path):
    node = start_node(bridge_peer, tmp_path, SERVER_YAML, frame_rate=12.5)
    client = robot.create_client(GetParameters, f'/{node.get_name()}/get_parameters')
    assert client.wait_for_service(timeout_sec=DISCOVERY_TIMEOUT)
    request = GetParameters.Request(names=['frame_rate', 'ingest'])
    calls: list[tuple[Any, float]] = []  # (future, monotonic time sent)

    def answered() -> Any:
        # The service may not have matched the client's response reader yet when
        # wait_for_service returns (DDS discovers the two topics apart): a request sent
        # then is answered into the void. Ask again every few seconds, as a user would.
        if not calls or time.monotonic() - calls[-1][1] > CALL_RETRY:
            calls.append((client.call_async(request), time.monotonic()))
        return next((future.result() for future, _ in calls if future.done()), None)
    response = wait_for(answered, what='the get_parameters response')
    assert [v.double_value for v in response.values[:1]] == [12.5]
    assert response.values[1].string_value == 'drain'


def test_ingest_executor_parameter_turns_the_drain_loop_off(tmp_path):
    with RosPeer() as peer:
        node = peer.add(GraphNode(
            context=peer.context, drain=True, parameter_overrides=[
                Parameter('config_file', value=str(write_config(tmp_path, SERVER_YAML))),
                Parameter('ingest', value='executor')]))
        assert not node.drains


@pytest.mark.parametrize('value', ['fast', ''])
def test_bad_ingest_parameter_is_a_config_error(bridge_peer, tmp_path, value):
    with pytest.raises(ConfigError) as caught:
        start_node(bridge_peer, tmp_path, SERVER_YAML, ingest=value)
    assert caught.value.key == 'ingest'
    assert caught.value.message == f"must be 'drain' or 'executor', got {value!r}"


def test_a_burst_arrives_complete_once_and_in_order(bridge_peer, robot, tmp_path):
    # Drained, the burst is taken in batches and stored with append_many.
    yaml_text = """\
charts:
  - title: Burst
    series:
      - {topic: /burst, type: std_msgs/msg/Float64, field: data, qos: reliable, depth: 1000}
      - {topic: /burst, type: std_msgs/msg/Float64, field: data, qos: reliable, scale: -1.0}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    publisher = robot.create_publisher(Float64, '/burst', QoSProfile(depth=1000))
    sent = [float(i) for i in range(500)]
    assert publish_floats(node, publisher, 's0', sent) == sent
    wait_for(lambda: values(node, 's1')[-1:] == [-499.0], what='the scaled series')
    assert values(node, 's1')[-500:] == [-v for v in sent]
    for sid in ('s0', 's1'):
        assert node.stats.series[sid].samples == len(values(node, sid))


def test_a_field_behind_a_sequence_of_messages_is_read_from_the_message(
        bridge_peer, robot, tmp_path):
    yaml_text = """\
charts:
  - title: Poses
    series:
      - {topic: /poses, type: geometry_msgs/msg/PoseArray, field: 'poses[1].position.y'}
      - {topic: /float, type: std_msgs/msg/Float64, field: data}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    publisher = robot.create_publisher(PoseArray, '/poses', RELIABLE)
    robot.create_publisher(Float64, '/float', RELIABLE)

    def poses(y: float) -> PoseArray:
        return PoseArray(poses=[Pose(), Pose(position=Point(y=y))])
    warm_up(node, 's0', lambda: publisher.publish(poses(WARM_UP)))
    publisher.publish(poses(6.5))
    wait_for(lambda: values(node, 's0')[-1] == 6.5, what='the pose sample')
    if bridge_peer.drains:  # serialized takes only where the layout is known
        wait_for(lambda: len(node.drained_topics()) == 2, what='both subscriptions')
        raw = {sink.subscription.topic_name: sink.subscription.raw
               for sink in node.drained_topics()}
        assert raw == {'/poses': False, '/float': True}


def test_depth_is_sized_for_the_drain_loop_unless_a_series_sets_one(bridge_peer, tmp_path):
    yaml_text = """\
charts:
  - title: Depths
    series:
      - {topic: /sized, type: std_msgs/msg/Float64, field: data, qos: reliable}
      - {topic: /chosen, type: std_msgs/msg/Float64, field: data, qos: reliable, depth: 7}
      - {topic: /chosen, type: std_msgs/msg/Float64, field: data, qos: reliable, scale: 2}
"""
    node = start_node(bridge_peer, tmp_path, yaml_text)
    depths = {s.topic_name: s.qos_profile.depth for s in node.subscriptions}
    assert depths['/sized'] == AUTO_DEPTH >= SIZED_RATE * SIZED_PAUSE  # 2 kHz for 50 ms
    assert depths['/chosen'] == 7  # an explicit depth wins


def test_a_1_hz_topic_turns_stale_soon_after_it_stops_and_stays_stale(robot, tmp_path):
    yaml_text = """\
charts:
  - title: Slow
    series: [{topic: /slow, type: std_msgs/msg/Float64, field: data, qos: reliable}]
"""
    peer = RosPeer('drain')
    try:
        node = start_node(peer, tmp_path, yaml_text)
        publisher = robot.create_publisher(Float64, '/slow', RELIABLE)
        timer = robot.create_timer(1.0, lambda: publisher.publish(Float64(data=1.0)))
        # The stats are looked at twice a second here (the pump does it once a second).
        wait_for(lambda: node.stats.series['s0'].samples >= 4 and status(node, 's0') == OK,
                 interval=0.5, what='four samples at 1 Hz')
        while node.stats.series['s0'].samples < 6:
            assert status(node, 's0') == OK  # never stale while it flows
            time.sleep(0.5)
        timer.cancel()
        last = node.stats.series['s0'].last_receive
        wait_for(lambda: status(node, 's0') == STALE, interval=0.1, what='stale')
        # Stale after three periods, not later, measured on the node's own stats clock.
        age = node.stats.snapshot(time.monotonic())['s0']['age']
        assert 3.0 <= age <= 3.0 + 1.0, age
        assert node.stats.stale_limit('s0') == pytest.approx(3.0, rel=0.1)
        # And it stays stale while nothing comes (the measured rate drops meanwhile).
        for _ in range(16):
            assert status(node, 's0') == STALE
            time.sleep(0.5)
        assert node.stats.series['s0'].last_receive == last
    finally:
        peer.close()
