# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The bad-input catalogue against the real ``rtgraph`` process and real publishers.

Start-up: every unusable configuration exits 2 with one line naming the file, line and key (or
the cause), never a traceback. (An unknown key, a field that is not in the type and a port in
use are in test_main.py.)

Run time: one bridge charts a steady series next to one series per fault; each test provokes
its fault and checks that the series shows it in its ``stats`` status (an error while the fault
lasts, ``ok`` again after it; for values that are merely extreme, ``ok`` and the counters), and
that the steady series kept flowing meanwhile ("nothing else lost").
"""

import math
import signal
import threading
import time

import pytest
from rclpy.qos import qos_profile_sensor_data
from rclpy.qos import QoSProfile
from ros_helpers import Bridge
from ros_helpers import RosPeer
from ros_helpers import rtgraph_command
from ros_helpers import run_rtgraph
from ros_helpers import wait_until
from ros_helpers import write_config
from ros_load import RatePublisher
from sse_client import SSEClient
from std_msgs.msg import Float64
from std_msgs.msg import Float64MultiArray
from std_msgs.msg import Int32
from std_msgs.msg import Int64

from ros2_rtgraph.rosdistro import PublisherEventCallbacks

# --- start-up --------------------------------------------------------------------------------

ONE_CHART = 'charts:\n  - title: T\n    series:\n      - {}\n'


@pytest.mark.parametrize(('text', 'where', 'fragment'), [
    ('charts: [\n', ':2: ', 'invalid YAML'),
    ('server:\n  port: abc\n' + ONE_CHART.format('/a.data'), ':2: server.port: ',
     'expected an integer'),
    ('', ': ', 'file is empty'),
    ('charts:\n  - title: T\n    series: [/a.data, /a.data]\n', ':3: charts[0].series[1]: ',
     'duplicate series'),
    (ONE_CHART.format('{topic: /a, type: sensor_msgs/msg/Imu, field: header.frame_id}'),
     ':4: charts[0].series[0].field: ', 'string is not a number'),
    (ONE_CHART.format('{topic: /a, type: std_msgs/msg/Float64, field: "data[0]"}'),
     ':4: charts[0].series[0].field: ', 'cannot be indexed'),
    (ONE_CHART.format('{topic: /a, type: nope_msgs/msg/Nope, field: data}'),
     ':4: charts[0].series[0].type: ', 'nope_msgs'),
], ids=['yaml-syntax', 'wrong-type', 'empty-file', 'duplicate-series', 'string-field',
        'index-on-scalar', 'unknown-type'])
def test_unusable_config_exits_2_naming_file_line_and_key(tmp_path, text, where, fragment):
    path = write_config(tmp_path, text)
    result = run_rtgraph(rtgraph_command(path))
    assert result.returncode == 2
    line = result.stderr.splitlines()[0]
    assert line.startswith(f'rtgraph: {path}{where}')
    assert fragment in line
    assert 'Traceback' not in result.stderr


def test_missing_config_file_exits_2(tmp_path):
    path = tmp_path / 'nowhere.yaml'
    result = run_rtgraph(rtgraph_command(path))
    assert result.returncode == 2
    assert f'rtgraph: {path}: file not found' in result.stderr
    assert 'Traceback' not in result.stderr


# --- run time --------------------------------------------------------------------------------

FAULTS_YAML = """\
server:
  frame_rate: 20
  window: 60
charts:
  - title: Steady
    series:
      - {topic: /f/steady, type: std_msgs/msg/Float64, field: data}
  - title: Faults
    series:
      - {topic: /f/array, type: std_msgs/msg/Float64MultiArray, field: 'data[3]'}
      - {topic: /f/mixed, type: std_msgs/msg/Float64, field: data}
      - {topic: /f/qos, type: std_msgs/msg/Float64, field: data, qos: reliable}
      - {topic: /f/extreme, type: std_msgs/msg/Float64, field: data}
      - {topic: /f/int64, type: std_msgs/msg/Int64, field: data}
      - {topic: /f/burst, type: std_msgs/msg/Float64, field: data, depth: 100}
      - {topic: /f/comeback, type: std_msgs/msg/Float64, field: data}
      - {topic: /f/twotypes, field: data}
      - {topic: /f/fast, type: std_msgs/msg/Float64, field: data}
"""
STEADY, ARRAY, MIXED, QOS, EXTREME, INT64, BURST, COMEBACK, TWO_TYPES, FAST = (
    f's{i}' for i in range(10))


class Reader:
    """Read one stream in a thread: every sample per series and the latest stats."""

    def __init__(self, client: SSEClient):
        self.client = client
        self.samples: dict[str, list[float | None]] = {}
        self.stats: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name='test-reader', daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while True:
                event = self.client.next_event(timeout=30)
                body = event.json()
                with self.lock:
                    if event.event in ('snapshot', 'data'):
                        for sid, series in body['series'].items():
                            self.samples.setdefault(sid, []).extend(series['v'])
                    elif event.event == 'stats':
                        self.stats = body['series']
        except (EOFError, OSError, ValueError, AttributeError):
            return  # closed at the end of the module

    def values(self, sid: str) -> list[float | None]:
        with self.lock:
            return list(self.samples.get(sid, []))

    def state(self, sid: str) -> str:
        """Return the state of the series' status in the last stats event ('' before one)."""
        with self.lock:
            return self.stats.get(sid, {}).get('status', {}).get('state', '')

    def reason(self, sid: str) -> str:
        """Return why the series' status is an error in the last stats event."""
        with self.lock:
            return self.stats.get(sid, {}).get('status', {}).get('reason', '')

    def counter(self, sid: str, name: str) -> int:
        with self.lock:
            return self.stats.get(sid, {}).get(name, 0)

    def steady_keeps_flowing(self) -> None:
        """Wait until the steady series got 20 more samples than it has now."""
        count = len(self.values(STEADY))
        wait_until(lambda: len(self.values(STEADY)) >= count + 20,
                   what='the steady series to keep flowing')


@pytest.fixture(scope='module')
def robot(robot_peer):
    node = robot_peer.node('test_faults_robot')
    # /f/mixed is charted as Float64, but its publisher sends Int32.
    node.create_publisher(Int32, '/f/mixed', 10)
    return node


@pytest.fixture(scope='module')
def reader(tmp_path_factory, robot):
    bridge = Bridge(rtgraph_command(write_config(tmp_path_factory.mktemp('faults'),
                                                 FAULTS_YAML)))
    steady = None
    client = None
    try:
        bridge.wait_serving()
        steady = RatePublisher(robot, '/f/steady', 50)
        query = bridge.url.partition('?')[2]
        client = SSEClient(bridge.host, bridge.port, path=f'/stream?{query}' if query
                           else '/stream', timeout=30)
        assert client.status == 200
        one = Reader(client)
        one.bridge = bridge
        one.steady_keeps_flowing()
        yield one
        assert bridge.process.poll() is None  # the bridge survived the whole catalogue
    finally:
        if steady is not None:
            steady.close()
        if client is not None:
            client.close()
        bridge.close()


def _publish_until(reader: Reader, publish, predicate, what: str) -> None:
    """Publish again and again (discovery takes a while) until ``predicate()`` holds."""
    def step():
        publish()
        return predicate()
    wait_until(step, interval=0.1, what=what)


def _publish_reliably(publisher, msg, timeout: float = 30.0) -> None:
    """
    Publish, retrying while a reliable publisher's history is full.

    Fast DDS blocks a reliable write whose keep-last history holds only unacknowledged
    samples, and fails it after its blocking time (100 ms): on a loaded machine the bridge may
    acknowledge a flood that late. The failed sample was not sent, so sending it again keeps
    the order.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            publisher.publish(msg)
            return
        except RuntimeError:  # rclpy's RCLError: 'cannot publish data'
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_index_out_of_range_shows_an_error_and_good_messages_still_arrive(reader, robot):
    publisher = robot.create_publisher(Float64MultiArray, '/f/array', 10)
    _publish_until(reader, lambda: publisher.publish(Float64MultiArray(data=[1.0, 2.0])),
                   lambda: reader.state(ARRAY) == 'error', 'errors on a short array')
    assert reader.reason(ARRAY) == (
        'data[3]: index out of range (Float64MultiArray.data has 2 entries)')
    assert reader.counter(ARRAY, 'errors') > 0
    reader.steady_keeps_flowing()
    _publish_until(reader, lambda: publisher.publish(Float64MultiArray(data=[0.0, 0, 0, 7.5])),
                   lambda: 7.5 in reader.values(ARRAY) and reader.state(ARRAY) == 'ok',
                   'a long enough array')
    assert reader.values(ARRAY) == [7.5] * len(reader.values(ARRAY))


def test_a_publisher_of_another_type_shows_an_error(reader):
    wait_until(lambda: reader.state(MIXED) == 'error',
               what='the type conflict in the status')
    assert 'std_msgs/msg/Float64' in reader.reason(MIXED)
    assert 'std_msgs/msg/Int32' in reader.reason(MIXED)
    assert reader.values(MIXED) == []
    reader.steady_keeps_flowing()


def test_a_second_type_on_a_subscribed_topic_shows_an_error_while_it_lasts(reader, robot):
    publisher = robot.create_publisher(Float64, '/f/twotypes', 10)
    _publish_until(reader, lambda: publisher.publish(Float64(data=1.0)),
                   lambda: reader.state(TWO_TYPES) == 'ok', 'the first samples')
    expected = ('error', 'topic /f/twotypes has types std_msgs/msg/Float64 and std_msgs/msg/Int32')
    with RosPeer() as other:  # DDS refuses two types on one topic in one participant
        odd_node = other.node('test_faults_odd_robot')
        odd = odd_node.create_publisher(Int32, '/f/twotypes', 10)
        wait_until(lambda: (reader.state(TWO_TYPES), reader.reason(TWO_TYPES)) == expected,
                   what='the type conflict')
        # The publisher of the subscribed type is still heard.
        _publish_until(reader, lambda: publisher.publish(Float64(data=2.0)),
                       lambda: 2.0 in reader.values(TWO_TYPES), 'the first type still heard')
        reader.steady_keeps_flowing()
        assert (reader.state(TWO_TYPES), reader.reason(TWO_TYPES)) == expected
        odd_node.destroy_publisher(odd)  # a clean exit: the graph forgets it at once
        _publish_until(reader, lambda: publisher.publish(Float64(data=3.0)),
                       lambda: reader.state(TWO_TYPES) == 'ok'
                       and 3.0 in reader.values(TWO_TYPES), 'the conflict to end')
    reader.steady_keeps_flowing()


def test_incompatible_qos_shows_an_error(reader, robot):
    offered = []  # our own callback: rclpy's default one calls a deprecated logger method
    publisher = robot.create_publisher(
        Float64, '/f/qos', qos_profile_sensor_data,
        event_callbacks=PublisherEventCallbacks(incompatible_qos=offered.append))
    _publish_until(reader, lambda: publisher.publish(Float64(data=1.0)),
                   lambda: 'incompatible QoS' in reader.reason(QOS), 'the QoS error')
    assert 'RELIABILITY' in reader.reason(QOS).upper()
    wait_until(lambda: offered, what="the publisher's side of the incompatibility")
    assert reader.values(QOS) == []
    reader.steady_keeps_flowing()


def test_extreme_floats_arrive_exactly_or_as_null(reader, robot):
    publisher = robot.create_publisher(Float64, '/f/extreme', QoSProfile(depth=50))
    sent = [1e308, -1e308, math.nan, math.inf, -math.inf, 5e-324, -0.0, 2.5]
    _publish_until(reader, lambda: [publisher.publish(Float64(data=v)) for v in sent],
                   lambda: reader.values(EXTREME)[-1:] == [2.5], 'the extreme values')
    assert reader.values(EXTREME)[-len(sent):] == [1e308, -1e308, None, None, None, 5e-324,
                                                   0.0, 2.5]
    # Non-finite values are data, not faults: counted, and the status stays ok.
    wait_until(lambda: reader.counter(EXTREME, 'nonfinite')
               == reader.values(EXTREME).count(None) > 0, what='non-finite counted')
    assert reader.state(EXTREME) == 'ok'
    assert reader.counter(EXTREME, 'errors') == 0
    reader.steady_keeps_flowing()


def test_int64_extremes_arrive_as_the_nearest_doubles(reader, robot):
    publisher = robot.create_publisher(Int64, '/f/int64', QoSProfile(depth=50))
    sent = [2**63 - 1, -2**63, 2**53 + 1, 42]
    _publish_until(reader, lambda: [publisher.publish(Int64(data=v)) for v in sent],
                   lambda: reader.values(INT64)[-1:] == [42.0], 'the int64 values')
    assert reader.values(INT64)[-len(sent):] == [float(v) for v in sent]
    wait_until(lambda: reader.state(INT64) == 'ok', what='the int64 status')
    assert reader.counter(INT64, 'nonfinite') == reader.counter(INT64, 'errors') == 0
    reader.steady_keeps_flowing()


def test_a_10_khz_burst_is_taken_without_losing_the_others(reader, robot):
    publisher = robot.create_publisher(Float64, '/f/burst', QoSProfile(depth=1000))
    _publish_until(reader, lambda: publisher.publish(Float64(data=-1.0)),
                   lambda: reader.values(BURST), 'the burst topic to connect')
    steady_before = len(reader.values(STEADY))
    for value in range(10_000):  # as fast as Python publishes: about 10 kHz here
        _publish_reliably(publisher, Float64(data=float(value)))
    # Reliable keep-last always delivers the newest message; the depth may drop some before.
    wait_until(lambda: 9999.0 in reader.values(BURST), what='the end of the burst')
    values = [v for v in reader.values(BURST) if v is not None and v >= 0]
    assert values == sorted(values)  # the subscription's depth may drop some, never reorder
    # Every sample the bridge took was streamed or counted as decimated: none vanished inside.
    wait_until(lambda: reader.counter(BURST, 'samples') == len(reader.values(BURST))
               + reader.counter(BURST, 'decimated'), what='consistent burst counters')
    assert reader.state(BURST) in ('ok', 'stale')  # a burst is no fault; it ended
    assert reader.counter(BURST, 'errors') == 0
    reader.steady_keeps_flowing()
    assert len(reader.values(STEADY)) > steady_before


def test_a_bridge_that_stalls_at_2_khz_loses_no_sample(reader, robot):
    """The default depth rides out stops of the bridge's whole process (20 ms each) at 2 kHz."""
    fast = RatePublisher(robot, '/f/fast', 2000, qos_profile_sensor_data)
    try:
        wait_until(lambda: len(reader.values(FAST)) > 400, what='the fast topic to flow')
        for _ in range(10):
            reader.bridge.process.send_signal(signal.SIGSTOP)
            time.sleep(0.02)
            reader.bridge.process.send_signal(signal.SIGCONT)
            time.sleep(0.2)
    finally:
        fast.close()
    last = float(fast.sent)
    wait_until(lambda: last in reader.values(FAST), what='the last sample')
    got = reader.values(FAST)
    # From the first sample the subscription heard to the last one sent: every one, in order.
    assert got == [float(v) for v in range(int(got[0]), int(last) + 1)]
    assert reader.counter(FAST, 'decimated') == 0
    reader.steady_keeps_flowing()


def test_a_publisher_that_disappears_and_comes_back(reader, robot):
    publisher = robot.create_publisher(Float64, '/f/comeback', QoSProfile(depth=10))
    _publish_until(reader, lambda: publisher.publish(Float64(data=1.0)),
                   lambda: reader.state(COMEBACK) == 'ok', 'the first samples')
    robot.destroy_publisher(publisher)
    wait_until(lambda: reader.state(COMEBACK) == 'stale', what='the stale status')
    reader.steady_keeps_flowing()
    again = robot.create_publisher(Float64, '/f/comeback', QoSProfile(depth=10))
    _publish_until(reader, lambda: again.publish(Float64(data=2.0)),
                   lambda: reader.state(COMEBACK) == 'ok' and 2.0 in reader.values(COMEBACK),
                   'the publisher back')
