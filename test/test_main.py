# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The real ``rtgraph`` process end to end: rclpy publishers -> rings -> /stream over HTTP.

One bridge serves the whole module (``port:=0``; the test reads the URL it prints); the
publishers live in this process in their own rclpy context. Every test sends values no other
test sends, so they do not depend on each other's order. Start-up errors and shutdown by
signal each run their own short-lived bridge.
"""

import csv
import io
import itertools
import math
import signal
import socket
import subprocess
import sys
import urllib.request

from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray
from diagnostic_msgs.msg import DiagnosticStatus
import pytest
from rclpy.qos import qos_profile_sensor_data
from rclpy.qos import QoSProfile
from ros_helpers import Bridge
from ros_helpers import child_env
from ros_helpers import free_port
from ros_helpers import port_is_free
from ros_helpers import rtgraph_command
from ros_helpers import run_rtgraph
from ros_helpers import wait_matched
from ros_helpers import wait_until
from ros_helpers import write_config
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from sse_client import Event
from sse_client import SSEClient
from std_msgs.msg import Float64

from ros2_rtgraph.demo import battery_status
from ros2_rtgraph.demo import JOINTS
from ros2_rtgraph.demo import MOTOR_HOT_C
from ros2_rtgraph.demo import motor_status
from ros2_rtgraph.demo import MOTORS
from ros2_rtgraph.demo import ros_arguments

WARM_UP = -12345.0

BRIDGE_YAML = """\
server:
  frame_rate: 20
  window: 60
charts:
  - title: Float
    series:
      - {topic: /rt/float, type: std_msgs/msg/Float64, field: data}
  - title: IMU
    series:
      - {topic: /rt/imu, type: sensor_msgs/msg/Imu, field: linear_acceleration.z}
  - title: Late and untyped
    series:
      - /rt/late.data
  - title: Non-finite
    series:
      - /rt/nonfinite.data
"""
FLOAT, IMU, LATE, NONFINITE = 's0', 's1', 's2', 's3'

# Distinct values per test, so tests sharing the bridge never see each other's samples.
_fresh = itertools.count(1)


def fresh_values(count: int) -> list[float]:
    base = next(_fresh) * 1000.0
    return [base + i + 0.125 for i in range(count)]


@pytest.fixture(scope='module')
def robot(robot_peer):
    return robot_peer.node('test_robot')


@pytest.fixture(scope='module')
def bridge(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp('bridge'), BRIDGE_YAML)
    process = Bridge(rtgraph_command(config))
    try:
        yield process.wait_serving()
    finally:
        process.close()


@pytest.fixture(scope='module')
def float_publisher(robot):
    return robot.create_publisher(Float64, '/rt/float', QoSProfile(depth=100))


class Watcher:
    """
    Read one client's stream and keep every sample per series, in arrival order.

    It reads the first two events at once: ``meta``, then the ``snapshot`` (or the catch-up
    ``data`` of a reconnect), which may hold samples of earlier tests.
    """

    def __init__(self, client: SSEClient):
        self.client = client
        self.events: list[Event] = []
        self.samples: dict[str, list[tuple[float, float | None]]] = {}
        self.read_one()
        self.read_one()

    def read_one(self) -> Event:
        # A stats event comes every second, so a read never waits long; a timeout is a failure
        # (and leaves an http.client response unusable, so it cannot be used to poll).
        event = self.client.next_event(timeout=10.0)
        self.events.append(event)
        if event.event in ('snapshot', 'data'):
            for sid, series in event.json()['series'].items():
                self.samples.setdefault(sid, []).extend(
                    zip(series['t'], series['v'], strict=True))
        return event

    def values(self, series_id: str) -> list[float | None]:
        return [v for _, v in self.samples.get(series_id, [])]

    def wait(self, predicate, what: str, each=None, timeout: float = 20.0):
        """Read events until ``predicate()`` holds; call ``each()`` between reads."""
        def step():
            if each is not None:
                each()
            self.read_one()
            return predicate()
        return wait_until(step, timeout, interval=0.0, what=what)

    def warm_up(self, series_id: str, publish) -> None:
        """Publish until the live stream shows ``series_id``'s warm-up value."""
        start = len(self.values(series_id))
        self.wait(lambda: WARM_UP in self.values(series_id)[start:],
                  f'a first {series_id} sample', each=publish)

    def after_warm_up(self, series_id: str) -> list[float | None]:
        stored = self.values(series_id)
        last = max(i for i, v in enumerate(stored) if v == WARM_UP)
        return [v for v in stored[last + 1:] if v != WARM_UP]


def connect(bridge: Bridge, **headers: str) -> SSEClient:
    client = SSEClient(bridge.host, bridge.port, path=f'/stream?token={bridge.token}',
                       headers=headers)
    assert client.status == 200
    return client


def publish_floats(publisher, data: list[float]) -> None:
    for value in data:
        publisher.publish(Float64(data=value))


def read_csv(bridge: Bridge, query: str) -> list[dict[str, str]]:
    url = f'{bridge.base_url}api/export.csv?{query}&token={bridge.token}'
    with urllib.request.urlopen(url, timeout=10) as response:
        return list(csv.DictReader(io.StringIO(response.read().decode('utf-8'))))


# --- values over /stream ---------------------------------------------------------------------

def test_float64_values_arrive_exactly(bridge, float_publisher):
    sent = fresh_values(5) + [1e-300, -0.1]
    with connect(bridge) as client:
        watcher = Watcher(client)
        watcher.warm_up(FLOAT, lambda: float_publisher.publish(Float64(data=WARM_UP)))
        publish_floats(float_publisher, sent)
        watcher.wait(lambda: len(watcher.after_warm_up(FLOAT)) >= len(sent), 'the values')
    assert watcher.after_warm_up(FLOAT) == sent


def test_imu_header_stamps_arrive_exactly_from_a_best_effort_publisher(bridge, robot):
    publisher = robot.create_publisher(Imu, '/rt/imu', qos_profile_sensor_data)

    def imu(z: float, sec: int, nanosec: int) -> Imu:
        msg = Imu()
        msg.linear_acceleration.z = z
        msg.header.stamp.sec, msg.header.stamp.nanosec = sec, nanosec
        return msg

    with connect(bridge) as client:
        watcher = Watcher(client)
        watcher.warm_up(IMU, lambda: publisher.publish(imu(WARM_UP, 1, 0)))
        sent = [(9.81, 1700000000, 250_000_000), (9.5, 1700000000, 255_000_000),
                (-3.25, 1700000001, 0)]
        for z, sec, nanosec in sent:
            publisher.publish(imu(z, sec, nanosec))
        watcher.wait(lambda: watcher.values(IMU)[-1:] == [-3.25], 'the stamped samples')
    assert watcher.samples[IMU][-3:] == [(sec + nanosec * 1e-9, z) for z, sec, nanosec in sent]
    robot.destroy_publisher(publisher)


def test_late_publisher_of_an_untyped_topic_turns_waiting_into_ok(bridge, robot):
    with connect(bridge) as client:
        watcher = Watcher(client)
        stats = watcher.wait(lambda: watcher.events[-1].event == 'stats' and watcher.events[-1],
                             'a stats event')
        assert stats.json()['series'][LATE]['status'] == {'state': 'waiting', 'reason': ''}
        publisher = robot.create_publisher(Float64, '/rt/late', QoSProfile(depth=10))
        watcher.warm_up(LATE, lambda: publisher.publish(Float64(data=WARM_UP)))
        sent = fresh_values(3)
        publish_floats(publisher, sent)
        watcher.wait(lambda: watcher.after_warm_up(LATE) == sent, 'the late values')
        watcher.wait(lambda: watcher.events[-1].event == 'stats'
                     and watcher.events[-1].json()['series'][LATE]['status']['state'] == 'ok',
                     'the ok status')


def test_nan_and_inf_arrive_as_null_and_are_counted(bridge, robot):
    publisher = robot.create_publisher(Float64, '/rt/nonfinite', QoSProfile(depth=10))
    with connect(bridge) as client:
        watcher = Watcher(client)
        watcher.warm_up(NONFINITE, lambda: publisher.publish(Float64(data=WARM_UP)))
        publish_floats(publisher, [math.nan, 2.5, math.inf, -math.inf, 3.5])
        watcher.wait(lambda: watcher.values(NONFINITE)[-1:] == [3.5], 'the values')
        assert watcher.after_warm_up(NONFINITE) == [None, 2.5, None, None, 3.5]

        def counted():
            event = watcher.events[-1]
            return event.event == 'stats' and event.json()['series'][NONFINITE]['nonfinite']
        assert watcher.wait(counted, 'the non-finite count in stats') == 3


# --- reconnects and several clients ------------------------------------------------------------

def test_reconnect_with_last_event_id_gets_every_missed_sample_once(bridge, float_publisher):
    first_part, missed, after = fresh_values(4), fresh_values(6), fresh_values(2)
    with connect(bridge) as client:
        before = Watcher(client)
        before.warm_up(FLOAT, lambda: float_publisher.publish(Float64(data=WARM_UP)))
        publish_floats(float_publisher, first_part)
        before.wait(lambda: before.values(FLOAT)[-1:] == first_part[-1:], 'the first part')
        last_id = client.last_event_id
    publish_floats(float_publisher, missed)  # nobody is connected now
    wait_until(lambda: read_csv(bridge, f'series={FLOAT}')[-1]['value'] == repr(missed[-1]),
               what='the missed samples in the rings')
    with connect(bridge, **{'Last-Event-ID': last_id}) as client:
        resumed = Watcher(client)
        # The catch-up 'data' event comes from the rings; live frames follow seamlessly.
        assert [event.event for event in resumed.events] == ['meta', 'data']
        publish_floats(float_publisher, after)
        resumed.wait(lambda: resumed.values(FLOAT)[-1:] == after[-1:], 'the live part')
    assert resumed.values(FLOAT) == missed + after
    assert before.after_warm_up(FLOAT) == first_part


def test_two_clients_receive_byte_identical_data_events(bridge, float_publisher):
    with connect(bridge) as one, connect(bridge) as two:
        first, second = Watcher(one), Watcher(two)
        first.warm_up(FLOAT, lambda: float_publisher.publish(Float64(data=WARM_UP)))
        sent = fresh_values(10)
        publish_floats(float_publisher, sent)
        for watcher in (first, second):
            watcher.wait(lambda w=watcher: w.values(FLOAT)[-1:] == sent[-1:], 'the values')
    data = [{e.last_event_id: e.raw for e in w.events if e.event == 'data'}
            for w in (first, second)]
    common = data[0].keys() & data[1].keys()
    assert common
    assert all(data[0][event_id] == data[1][event_id] for event_id in common)
    for watcher in (first, second):
        samples = watcher.samples[FLOAT]
        assert len(samples) == len(set(samples)), 'a sample reached a client twice'
        assert [v for v in watcher.values(FLOAT) if v in sent] == sent


def stream_published(bridge: Bridge, publisher, sent: list[float]) -> Watcher:
    """Publish ``sent`` once the stream shows a warm-up value; read until the last arrived."""
    with connect(bridge) as client:
        watcher = Watcher(client)
        watcher.warm_up(FLOAT, lambda: publisher.publish(Float64(data=WARM_UP)))
        publish_floats(publisher, sent)
        watcher.wait(lambda: watcher.values(FLOAT)[-1:] == sent[-1:], 'the values')
    return watcher


def test_late_client_gets_the_window_as_a_snapshot(bridge, float_publisher):
    sent = fresh_values(8)
    stream_published(bridge, float_publisher, sent)
    with connect(bridge) as late:
        meta = late.next_event()
        snapshot = late.next_event()
    assert meta.event == 'meta'
    assert [s['id'] for s in meta.json()['series']] == [FLOAT, IMU, LATE, NONFINITE]
    assert snapshot.event == 'snapshot'
    assert snapshot.json()['series'][FLOAT]['v'][-len(sent):] == sent


def test_export_csv_holds_the_published_samples(bridge, float_publisher):
    sent = fresh_values(6)
    watcher = stream_published(bridge, float_publisher, sent)
    rows = read_csv(bridge, f'series={FLOAT}')
    assert [float(row['value']) for row in rows[-len(sent):]] == sent
    assert [float(row['t']) for row in rows[-len(sent):]] == [t for t, _ in
                                                                watcher.samples[FLOAT][-6:]]
    assert {row['series'] for row in rows} == {FLOAT}


# --- process life: signals, errors -------------------------------------------------------------

MINIMAL_YAML = """\
charts:
  - title: T
    series: [/rt/minimal.data]
"""


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM], ids=['SIGINT', 'SIGTERM'])
def test_signal_ends_rtgraph_with_status_0_and_frees_the_port(tmp_path, signum):
    process = Bridge(rtgraph_command(write_config(tmp_path, MINIMAL_YAML)))
    try:
        process.wait_serving()
        with connect(process) as client:  # an open stream must not hold the shutdown up
            assert client.next_event().event == 'meta'
            assert process.stop(signum) == 0
        assert port_is_free(process.port)
        assert 'Traceback' not in process.stderr()
    finally:
        process.close()


def test_executor_ingest_delivers_samples_and_stops_cleanly(tmp_path, robot):
    # The fallback where rclpy lacks what the drain loop needs, forced by the parameter.
    config = write_config(tmp_path, MINIMAL_YAML)
    process = Bridge(rtgraph_command(config, '-p', 'ingest:=executor'))
    publisher = robot.create_publisher(Float64, '/rt/minimal', QoSProfile(depth=10))
    try:
        process.wait_serving()
        with connect(process) as client:
            watcher = Watcher(client)
            value = fresh_values(1)[0]
            watcher.wait(lambda: value in watcher.values('s0'), 'a sample via the executor',
                         each=lambda: publisher.publish(Float64(data=value)))
        assert process.stop(signal.SIGINT) == 0
        assert 'Traceback' not in process.stderr()
    finally:
        robot.destroy_publisher(publisher)
        process.close()


def test_server_time_is_the_node_clock_sim_time_under_use_sim_time(tmp_path, robot):
    # The page keeps its robot clock from server_time: it must be the samples' time base.
    clock = robot.create_publisher(Clock, '/clock', QoSProfile(depth=10))
    process = Bridge(rtgraph_command(write_config(tmp_path, MINIMAL_YAML),
                                     '-p', 'use_sim_time:=true'))
    try:
        process.wait_serving()
        with connect(process) as client:
            seen: list[float] = []

            def sim_time_in_stats() -> bool:
                clock.publish(Clock(clock=Time(sec=1000, nanosec=500_000_000)))
                event = client.next_event('stats')
                seen.append(event.json()['server_time'])
                return seen[-1] == pytest.approx(1000.5, abs=1e-9)
            wait_until(sim_time_in_stats, what='server_time from /clock')
        assert process.stop(signal.SIGINT) == 0
    finally:
        robot.destroy_publisher(clock)
        process.close()


@pytest.mark.parametrize(('yaml_text', 'line', 'key'), [
    # the config loader's own check
    ('charts:\n  - title: T\n    serie: [/a.data]\n', 3, 'charts[0].serie'),
    # the node's check of a typed series' field path against its message type
    ('charts:\n  - title: T\n    series:\n'
     '      - {topic: /a, type: std_msgs/msg/Float64, field: datum}\n',
     4, 'charts[0].series[0].field'),
])
def test_bad_config_exits_2_with_file_line_and_key(tmp_path, yaml_text, line, key):
    path = write_config(tmp_path, yaml_text)
    result = run_rtgraph(rtgraph_command(path))
    assert result.returncode == 2
    assert f'rtgraph: {path}:{line}: {key}: ' in result.stderr
    assert 'Traceback' not in result.stderr


def _many_series(count: int) -> str:
    return 'charts:\n  - title: T\n    series:\n' + ''.join(
        f'      - /m{index}.data\n' for index in range(count))


@pytest.mark.parametrize(('yaml_text', 'line', 'key', 'parts'), [
    # 500 rings of 10 million samples (114 GB): numpy's MemoryError traceback, once
    ('server:\n  buffer: 10000000\n' + _many_series(500), 2, 'server.buffer',
     ['needs 114446 MB, more than server.memory (256 MB)',
      '500 series x 10000000 samples x 24 bytes', 'raise server.memory']),
    # 20000 aliases in 140 KB, which expanded to 20001 series and 4.4 GB
    ('charts:\n- title: T\n  series:\n  - &c /a.data\n' + '  - *c\n' * 20000, 3,
     'charts[0].series', ['20001 series so far, more than the 1000 a file may chart']),
], ids=['rings', 'aliases'])
def test_config_beyond_the_memory_budget_exits_2_in_one_line(tmp_path, yaml_text, line, key,
                                                             parts):
    path = write_config(tmp_path, yaml_text)
    result = run_rtgraph(rtgraph_command(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f'rtgraph: {path}:{line}: {key}: ')
    assert all(part in result.stderr for part in parts), result.stderr
    assert result.stderr.count('\n') == 1, result.stderr  # one line, no traceback


def test_bad_parameter_exits_2_with_the_message_the_yaml_gives(tmp_path):
    in_file = write_config(tmp_path, 'server:\n  frame_rate: 1000\n' + MINIMAL_YAML, 'in.yaml')
    from_file = run_rtgraph(rtgraph_command(in_file))
    from_parameter = run_rtgraph(
        rtgraph_command(write_config(tmp_path, MINIMAL_YAML), '-p', 'frame_rate:=1000'))
    message = 'frame_rate: must be at most 100, got 1000\n'
    assert (from_file.returncode, from_parameter.returncode) == (2, 2)
    assert from_file.stderr == f'rtgraph: {in_file}:2: server.{message}'
    assert from_parameter.stderr == f'rtgraph: node parameters: {message}'


def assert_exit_2(result: subprocess.CompletedProcess, line: str) -> None:
    """Check for a start-up error: status 2, nothing on stdout, exactly ``line`` on stderr."""
    assert 'Traceback' not in result.stderr, result.stderr
    assert (result.returncode, result.stdout, result.stderr) == (2, '', line + '\n')


@pytest.mark.parametrize(('argument', 'message'), [
    # issue 12, item 3: what the YAML refuses, refused as a parameter too
    ('frame_rate:=1e9', 'frame_rate: must be at most 100, got 1000000000.0'),
    ('frame_rate:=inf', 'frame_rate: expected a finite number, got .inf'),
    ('window:=inf', 'window: expected a finite number, got .inf'),
    ('max_points:=1', 'max_points: must be between 4 and 100000, got 1'),
    ('max_points:=1e12', 'max_points: expected an integer, got float 1000000000000.0'),
    # a parameter of the wrong type for its declaration (rclpy's own check and words)
    ('ingest:=5', "Trying to set parameter 'ingest' to '5' of type 'INTEGER', expecting type "
                  "'STRING': ingest"),
])
def test_bad_parameter_exits_2_with_one_line(tmp_path, argument, message):
    command = rtgraph_command(write_config(tmp_path, MINIMAL_YAML), '-p', argument)
    assert_exit_2(run_rtgraph(command), f'rtgraph: node parameters: {message}')


def test_config_file_parameter_of_the_wrong_type_exits_2_with_one_line():
    assert_exit_2(run_rtgraph(rtgraph_command(None, '-p', 'config_file:=5')),
                  "rtgraph: node parameters: Trying to set parameter 'config_file' to '5' of "
                  "type 'INTEGER', expecting type 'STRING': config_file")


@pytest.mark.parametrize(('ros_args', 'line'), [
    # The shell ate the quotes of -p "token:=''"; rcl refuses an override without a value.
    (['-p', 'token:='], "cannot parse the ROS argument '-p token:=' (parameter override rule); "
                        "for an empty value write -p \"token:=''\""),
    (['--log-level', 'loud'], "cannot parse the ROS argument '--log-level loud' (log level: "
                              'Argument does not use a valid severity level)'),
    (['--params-file', '/nonexistent/params.yaml'], 'cannot parse the ROS argument '
     "'--params-file /nonexistent/params.yaml' (params file: Error opening YAML file)"),
    (['--no-such-flag'], "unknown ROS arguments: ['--no-such-flag']"),
])
def test_bad_ros_argument_exits_2_naming_it(tmp_path, ros_args, line):
    command = rtgraph_command(write_config(tmp_path, MINIMAL_YAML), *ros_args)
    assert_exit_2(run_rtgraph(command), f'rtgraph: {line}')


def test_the_demo_refuses_a_bad_ros_argument_in_one_line_too():
    # make demo ARGS="... -p token:=''" as typed in a shell that eats the quotes.
    result = run_rtgraph([sys.executable, '-m', 'ros2_rtgraph.demo', '--with-bridge',
                          '--ros-args', '-p', 'token:='])
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == ("rtgraph_demo: cannot parse the ROS argument '-p token:=' "
                             "(parameter override rule); for an empty value write "
                             "-p \"token:=''\"\n")


def test_ros_home_that_is_a_file_exits_2_saying_where_ros_logs(tmp_path):
    ros_home = write_config(tmp_path, 'not a directory\n', 'ros_home')
    result = run_rtgraph(rtgraph_command(write_config(tmp_path, MINIMAL_YAML)),
                         env={**child_env(), 'ROS_HOME': str(ros_home)})
    assert_exit_2(result, "rtgraph: cannot start ROS: failed to initialize logging: Failed to "
                          f"create log directory '{ros_home}/log': 20; ROS writes its log files "
                          'in $ROS_LOG_DIR, else $ROS_HOME/log, else ~/.ros/log: that must be a '
                          'directory this user can write')


def test_ros_domain_id_that_is_no_number_exits_2_with_one_line(tmp_path):
    result = run_rtgraph(rtgraph_command(write_config(tmp_path, MINIMAL_YAML)),
                         env={**child_env(), 'ROS_DOMAIN_ID': 'robot'})
    assert_exit_2(result, 'rtgraph: cannot start ROS: failed to initialize rcl: ROS_DOMAIN_ID is '
                          'not an integral number')


def test_topic_name_longer_than_ros_allows_exits_2_with_file_line_and_key(tmp_path):
    name = '/' + 'a' * 247  # one more than rmw's limit: rclpy would raise when subscribing
    path = write_config(tmp_path, MINIMAL_YAML.replace('/rt/minimal', name))
    assert_exit_2(run_rtgraph(rtgraph_command(path)),
                  f"rtgraph: {path}:3: charts[0].series[0]: topic name '{name[:37]}...' is 248 "
                  'characters long; ROS allows at most 247')


def test_topic_name_of_the_longest_length_ros_allows_is_subscribed(tmp_path, robot):
    name = '/' + 'a' * 246
    process = Bridge(rtgraph_command(write_config(
        tmp_path, f'charts:\n  - title: T\n    series:\n'
                  f'      - {{topic: {name}, type: std_msgs/msg/Float64, field: data}}\n')))
    publisher = robot.create_publisher(Float64, name, QoSProfile(depth=10))
    try:
        process.wait_serving()
        wait_matched(publisher)
        assert process.stop(signal.SIGINT) == 0
        assert 'Traceback' not in process.stderr()
    finally:
        robot.destroy_publisher(publisher)
        process.close()


@pytest.mark.parametrize(('name', 'make', 'message'), [
    ('missing.yaml', None, 'file not found'),
    ('a-directory', lambda path: path.mkdir(), 'cannot read file: Is a directory'),
    ('latin1.yaml', lambda path: path.write_bytes(b'charts: [caf\xe9]\n'),
     'not UTF-8 text (byte 12)'),
])
def test_config_file_that_cannot_be_read_exits_2_with_one_line(tmp_path, name, make, message):
    path = tmp_path / name
    if make is not None:
        make(path)
    assert_exit_2(run_rtgraph(rtgraph_command(path)), f'rtgraph: {path}: {message}')


def test_port_in_use_exits_2_with_a_clear_message(tmp_path):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', port))
        taken.listen()
        command = rtgraph_command(write_config(tmp_path, MINIMAL_YAML), '-p', f'port:={port}')
        result = run_rtgraph(command)
    assert result.returncode == 2
    assert f'rtgraph: cannot listen on 127.0.0.1:{port}' in result.stderr
    assert 'Traceback' not in result.stderr


# --- the demo robot --------------------------------------------------------------------------

def test_demo_robot_feeds_every_series_of_the_default_config():
    demo = Bridge([sys.executable, '-m', 'ros2_rtgraph.demo'])
    bridge = Bridge(rtgraph_command(None))  # the packaged demo.yaml
    try:
        bridge.wait_serving()
        with connect(bridge) as client:
            watcher = Watcher(client)
            first = watcher.events[0].json()['series']
            series = [s['id'] for s in first if not s.get('expand')]
            templates = [s['id'] for s in first if s.get('expand')]
            assert templates  # the demo charts a slice: one series per joint

            def members() -> dict[str, str]:
                metas = [e.json() for e in watcher.events if e.event == 'meta']
                return {s['id']: s['label'] for s in metas[-1]['series'] if s.get('parent')}

            watcher.wait(lambda: len(members()) == len(JOINTS) * len(templates) and all(
                watcher.values(sid) for sid in [*series, *members()]),
                'a sample of every demo series and of one member per joint', timeout=30.0)
            assert sorted(label.rsplit(' ', 1)[-1] for label in members().values()) == sorted(
                JOINTS * len(templates))
        assert demo.stop(signal.SIGINT) == 0
        assert bridge.stop(signal.SIGINT) == 0
    finally:
        demo.close()
        bridge.close()


def test_demo_robot_shuffles_its_joints_and_publishes_diagnostics(robot):
    joints: list[JointState] = []
    diagnostics: list[DiagnosticArray] = []
    subscriptions = [
        robot.create_subscription(JointState, '/joint_states', joints.append, 100),
        robot.create_subscription(DiagnosticArray, '/diagnostics', diagnostics.append, 10)]
    demo = Bridge([sys.executable, '-m', 'ros2_rtgraph.demo'])
    try:
        wait_until(lambda: len(joints) >= 20 and diagnostics, timeout=30.0,
                   what='joint states and diagnostics from the demo')
        assert demo.stop(signal.SIGINT) == 0
    finally:
        demo.close()
        for subscription in subscriptions:
            robot.destroy_subscription(subscription)

    orders = [tuple(msg.name) for msg in joints]
    assert all(sorted(order) == sorted(JOINTS) for order in orders)
    assert len(set(orders)) > 1  # an index names a different joint from message to message
    for msg in joints:
        for name, position, velocity, effort in zip(
                msg.name, msg.position, msg.velocity, msg.effort, strict=True):
            # position = 0.8 sin(phase), velocity its derivative, at 0.1 Hz x the joint's
            # number: only the values of one joint fit that joint's frequency.
            omega = 2.0 * math.pi * 0.1 * (JOINTS.index(name) + 1)
            assert (position / 0.8) ** 2 + (velocity / (0.8 * omega)) ** 2 == pytest.approx(1.0)
            assert effort == pytest.approx(2.5 * position, abs=1.0)  # its noise has sigma 0.1

    first = diagnostics[0]
    assert first.header.stamp.sec > 0
    statuses = {status.name: status for status in first.status}
    assert set(statuses) == {*MOTORS, 'battery'}
    for name in MOTORS:
        values = {pair.key: pair.value for pair in statuses[name].values}
        assert set(values) == {'temperature', 'current', 'mode'}
        assert 0.0 < float(values['temperature']) < 100.0
        float(values['current'])
        with pytest.raises(ValueError):
            float(values['mode'])  # text that is not a number
        assert statuses[name].level in (DiagnosticStatus.OK, DiagnosticStatus.WARN)
    battery = {pair.key: float(pair.value) for pair in statuses['battery'].values}
    assert set(battery) == {'voltage', 'percentage'}


@pytest.mark.parametrize(('elapsed', 'level', 'mode'), [
    (0.0, DiagnosticStatus.OK, 'RUNNING'),
    (22.5, DiagnosticStatus.WARN, 'DERATED'),   # the left motor's first peak
    (67.5, DiagnosticStatus.OK, 'RUNNING'),     # its coolest
])
def test_demo_motor_warns_while_hot(elapsed, level, mode):
    status = motor_status('motor_left', elapsed, current=1.5)
    values = {pair.key: pair.value for pair in status.values}
    assert (status.level, values['mode']) == (level, mode)
    assert (float(values['temperature']) > MOTOR_HOT_C) == (level == DiagnosticStatus.WARN)


def test_demo_battery_warns_when_low():
    assert battery_status(0.9).level == DiagnosticStatus.OK
    assert battery_status(0.1).level == DiagnosticStatus.WARN


def test_demo_with_bridge_passes_its_ros_arguments_on_to_the_bridge():
    # Without them the bridge would serve on 0.0.0.0:8080, whatever the command line said.
    demo = Bridge([sys.executable, '-m', 'ros2_rtgraph.demo', '--with-bridge', '--ros-args',
                   '-p', 'host:=127.0.0.1', '-p', 'port:=0'])
    try:
        demo.wait_serving()  # the bridge prints its URL on the demo's stdout
        assert (demo.host, demo.port != 8080) == ('127.0.0.1', True)
        with urllib.request.urlopen(f'{demo.base_url}healthz', timeout=10) as response:
            assert response.status == 200
        assert demo.stop(signal.SIGINT) == 0  # the demo passes SIGINT on, returns the bridge's
        assert port_is_free(demo.port)
        assert 'Traceback' not in demo.stderr()
    finally:
        demo.close()
    help_text = subprocess.run([sys.executable, '-m', 'ros2_rtgraph.demo', '--help'],
                               capture_output=True, text=True, timeout=30, check=True).stdout
    assert 'rtgraph_demo --with-bridge --ros-args -p host:=127.0.0.1 -p port:=8081' in help_text


@pytest.mark.parametrize(('args', 'ros_args'), [
    (['--with-bridge'], []),
    (['--with-bridge', '--ros-args', '-p', 'port:=8081'], ['--ros-args', '-p', 'port:=8081']),
    (['--ros-args', '-p', 'a:=1', '--', '--with-bridge', '--ros-args', '-r', '__ns:=/r'],
     ['--ros-args', '-p', 'a:=1', '--ros-args', '-r', '__ns:=/r']),
    (['--', '--ros-args', '-p', 'a:=1'], ['--ros-args', '-p', 'a:=1']),
])
def test_demo_finds_its_ros_arguments(args, ros_args):
    assert ros_arguments(args) == ros_args
