# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Exploring and changing the charts at run time: a real GraphNode, real publishers, real HTTP.

The node (both ingest modes: ``bridge_peer``) serves its site on a loopback port with the
explorer routes; the robot is a node of its own context. Changes go through HTTP as the page
sends them; what they do is read from the stream, the rings and the publishers' side of the
graph (a subscription made or dropped shows as the publisher's subscription count).
"""

import http.client
import json
from pathlib import Path
import threading

import pytest
from rclpy.qos import qos_profile_sensor_data
from ros_helpers import Bridge
from ros_helpers import DISCOVERY_TIMEOUT
from ros_helpers import RosPeer
from ros_helpers import rtgraph_command
from ros_helpers import wait_matched
from ros_helpers import wait_until
from ros_helpers import write_config
from sensor_msgs.msg import JointState
from sse_client import SSEClient
from std_msgs.msg import Float64

from ros2_rtgraph import node as node_module
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.node import GraphNode
from ros2_rtgraph.web import build_site
from ros2_rtgraph.web import Site

HOST = '127.0.0.1'
WAIT = 3 * DISCOVERY_TIMEOUT
YAML = """\
server:
  host: 127.0.0.1
  port: 0
  frame_rate: 20
  buffer: 5000
  max_series: 3
charts:
  - title: Forces
    unit: N
    series:
      - /explore/f.data
"""
CHANGE = {'X-Requested-With': 'rtgraph', 'Content-Type': 'application/json'}


class Explored:
    """A GraphNode serving its site with the explorer routes, and the robot's node."""

    def __init__(self, peer: RosPeer, robot: RosPeer, tmp_path: Path, yaml_text: str = YAML):
        from rclpy.parameter import Parameter
        path = write_config(tmp_path, yaml_text)
        self.node: GraphNode = peer.graph_node(
            parameter_overrides=[Parameter('config_file', value=str(path))])
        self.stop = threading.Event()
        self.site: Site = build_site(self.node.layout, token=None, stop_event=self.stop,
                                     explorer=self.node)
        self.site.start()
        self.robot = robot.node('explore_robot')
        self.log: list[str] = []

    def request(self, method: str, path: str, body: object = None,
                headers: dict[str, str] | None = None) -> tuple[int, object]:
        """Make one request; return the status and the JSON body (or the text)."""
        connection = http.client.HTTPConnection(HOST, self.site.port, timeout=15)
        try:
            data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
            connection.request(method, path, body=data, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text

    def change(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        return self.request(method, path, body, CHANGE)

    def close(self) -> None:
        self.site.stop()


@pytest.fixture
def explored(bridge_peer, tmp_path):
    with RosPeer() as robot:
        site = Explored(bridge_peer, robot, tmp_path)
        try:
            yield site
        finally:
            site.close()


def _publish_until(condition, publish, what: str):
    def step():
        publish()
        return condition()
    return wait_until(step, WAIT, 0.05, what)


def test_topics_list_the_graph_with_types_publishers_and_qos(explored):
    publisher = explored.robot.create_publisher(Float64, '/explore/f', qos_profile_sensor_data)
    explored.robot.create_publisher(Float64, '/explore/_hidden', 10)

    def listed():
        status, body = explored.request('GET', '/api/topics')
        assert status == 200, body
        topics = {t['name']: t for t in body['topics']}
        return topics if {'/explore/f', '/explore/_hidden'} <= set(topics) else None
    topics = wait_until(listed, WAIT, 0.1, "the robot's topics in /api/topics")
    assert topics['/explore/f'] == {
        'name': '/explore/f', 'types': ['std_msgs/msg/Float64'], 'publishers': 1,
        'subscribers': topics['/explore/f']['subscribers'], 'reliability': 'best effort',
        'durability': 'volatile', 'hidden': False, 'charted': True}
    assert topics['/explore/_hidden']['reliability'] == 'reliable'
    assert topics['/explore/_hidden']['hidden'] and not topics['/explore/_hidden']['charted']
    assert topics['/rosout']['hidden']
    del publisher


def test_a_probe_measures_rate_and_names_while_asked_then_goes(explored, monkeypatch):
    monkeypatch.setattr(node_module, 'PROBE_IDLE', 0.5)
    publisher = explored.robot.create_publisher(JointState, '/explore/joints', 10)
    names = ['shoulder', 'elbow', 'wrist']
    timer = explored.robot.create_timer(0.02, lambda: publisher.publish(
        JointState(name=names, position=[0.1, 0.2, 0.3])))

    def measured():
        status, body = explored.request('GET', '/api/probe?topic=/explore/joints')
        assert status == 200, body
        return body if body['messages'] >= 20 else None  # (none before discovery)
    body = wait_until(measured, WAIT, 0.2, 'the probe to count 20 messages')
    assert body['type'] == 'sensor_msgs/msg/JointState'
    assert body['names'] == {'name': names}
    assert 20 <= body['rate'] <= 80  # 50 Hz published, on a loaded machine
    assert publisher.get_subscription_count() == 1
    # Nobody asks: the probe's subscription goes at a graph check after PROBE_IDLE.
    wait_until(lambda: publisher.get_subscription_count() == 0, WAIT, 0.1,
               'the probe subscription to go')
    timer.cancel()


def test_a_probe_of_a_topic_without_publisher_measures_nothing(explored):
    status, body = explored.request('GET', '/api/probe?topic=/explore/nobody')
    assert (status, body) == (200, {'type': None, 'rate': 0.0, 'messages': 0, 'names': {}})


def test_fields_and_paths_follow_the_message_type(explored):
    status, body = explored.request('GET', '/api/fields?type=sensor_msgs/msg/JointState')
    assert status == 200
    position = next(f for f in body['fields'] if f['name'] == 'position')
    assert position == {'name': 'position', 'type': 'sequence<double>', 'path': 'position',
                        'kind': 'array', 'size': None, 'element': 'number',
                        'lookups': ['name']}
    ok = explored.request('GET', '/api/path?type=sensor_msgs/msg/JointState&field='
                          'position%5Bname%3D%3D%22elbow%22%5D')
    assert ok == (200, {'field': 'position[name=="elbow"]', 'ok': True, 'expands': False})
    status, body = explored.request(
        'GET', '/api/path?type=sensor_msgs/msg/JointState&field=positon%5B0%5D')
    assert (status, body['ok']) == (200, False)
    assert body['error'] == ("'positon': sensor_msgs/msg/JointState has no field 'positon' "
                             '(fields: header, name, position, velocity, effort)\n'
                             '  positon[0]\n  ^')
    status, body = explored.request('GET', '/api/fields?type=nope_msgs/msg/Nothing')
    assert status == 400 and 'nope_msgs' in body['error']


def _in_graph(explored: Explored, *names: str) -> None:
    """Wait until the bridge's graph lists these topics (a change must name known topics)."""
    wait_until(lambda: set(names) <= {
        name for name, _ in explored.node.get_topic_names_and_types()}, WAIT, 0.1,
        f'{", ".join(names)} in the graph')


def _series_ids(meta: dict) -> list[str]:
    return [s['id'] for s in meta['series']]


def test_a_chart_added_at_run_time_is_subscribed_streamed_and_removed(explored):
    publisher = explored.robot.create_publisher(Float64, '/explore/g', 10)
    _in_graph(explored, '/explore/g')
    with SSEClient(HOST, explored.site.port) as client:
        first = client.next_event('meta', timeout=10).json()
        assert _series_ids(first) == ['s0']
        status, meta = explored.change('POST', '/api/charts', {
            'title': 'Added', 'unit': 'V', 'series': [{'topic': '/explore/g', 'field': 'data',
                                                       'label': 'g'}]})
        assert status == 201, meta
        assert _series_ids(meta) == ['s0', 's1']
        assert meta['charts'][1] == {'index': 1, 'title': 'Added', 'unit': 'V', 'min': None,
                                     'max': None, 'limits': [], 'precision': None,
                                     'series': ['s1']}
        assert _series_ids(client.next_event('meta', timeout=10).json()) == ['s0', 's1']
        wait_matched(publisher)
        _publish_until(lambda: explored.node.stats.series['s1'].samples > 0,
                       lambda: publisher.publish(Float64(data=7.5)), 'a sample of s1')
        data = client.next_event('data', timeout=10).json()
        while 's1' not in data['series']:
            data = client.next_event('data', timeout=10).json()
        assert set(data['series']['s1']['v']) == {7.5}
        status, meta = explored.change('DELETE', '/api/charts/1')
        assert status == 200 and _series_ids(meta) == ['s0']
        assert _series_ids(client.next_event('meta', timeout=10).json()) == ['s0']
    wait_until(lambda: publisher.get_subscription_count() == 0, WAIT, 0.1,
               'the subscription of the removed chart to go')
    assert 's1' not in explored.node.store.rings


def test_a_series_added_to_a_subscribed_topic_loses_no_sample_of_the_others(explored):
    publisher = explored.robot.create_publisher(Float64, '/explore/f', 100)
    wait_matched(publisher)
    _publish_until(lambda: explored.node.stats.series['s0'].samples > 0,
                   lambda: publisher.publish(Float64(data=-1.0)), 'a first sample of s0')
    sent = 600
    changed = threading.Event()

    def publish() -> None:
        for value in range(sent):
            publisher.publish(Float64(data=float(value)))
            if value == sent // 3:
                changed.set()
            threading.Event().wait(0.002)
    thread = threading.Thread(target=publish)
    thread.start()
    changed.wait(10)
    status, meta = explored.change('PATCH', '/api/charts/0', {'series': [
        '/explore/f.data', {'topic': '/explore/f', 'field': 'data', 'scale': 2}]})
    thread.join()
    assert status == 200, meta
    assert _series_ids(meta) == ['s0', 's1']
    ring = explored.node.store.rings['s0']
    last = float(sent - 1)
    wait_until(lambda: ring.read_last().v.tolist() == [last], WAIT, 0.05, 'the last sample')
    values = ring.read_since(0).v.tolist()
    after_warm_up = values[len(values) - values[::-1].index(-1.0):]  # late warm-ups included
    assert after_warm_up == [float(v) for v in range(sent)]  # none lost, none twice
    doubled = explored.node.store.rings['s1'].read_since(0).v.tolist()
    assert doubled and doubled == [2.0 * v for v in range(sent - len(doubled), sent)]
    assert publisher.get_subscription_count() == 1  # the same subscription all along


@pytest.mark.parametrize('method, path, body, headers, status, fragment', [
    ('POST', '/api/charts', {'title': 't', 'series': ['/a.x']},
     {'Content-Type': 'application/json'}, 403, 'X-Requested-With: rtgraph'),
    ('POST', '/api/charts', 'title=t', {'X-Requested-With': 'rtgraph',
                                        'Content-Type': 'application/x-www-form-urlencoded'},
     415, 'must be JSON'),
    ('POST', '/api/charts', '{"title": "t",', CHANGE, 400, 'invalid JSON'),
    ('POST', '/api/charts', {'titel': 't', 'series': ['/a.x']}, CHANGE, 400,
     "request body: charts[1].titel: unknown key 'titel' (did you mean 'title'?)"),
    ('POST', '/api/charts', {'title': 't', 'series': [{'topic': '/a', 'field': 'x',
                                                       'scale': float('nan')}]},
     CHANGE, 400, 'invalid JSON'),
    ('POST', '/api/charts', {'title': 't', 'series': [{'topic': '/explore/f',
                                                       'field': 'dta'}]},
     CHANGE, 400, "charts[1].series[0].field: 'dta': std_msgs/msg/Float64 has no field 'dta'"),
    ('POST', '/api/charts', {'title': 't', 'series': [{'id': 's0', 'topic': '/a',
                                                       'field': 'x'}]},
     CHANGE, 400, "series id 's0' is the id of charts[0].series[0]"),
    ('PATCH', '/api/charts/7', {'title': 'x'}, CHANGE, 404, 'no chart 7'),
    ('PATCH', '/api/charts/0', {'min': 5, 'max': 1}, CHANGE, 400, 'charts[0].max: max (1) '),
    ('PATCH', '/api/charts/0', {'series': []}, CHANGE, 400, 'at least one series'),
    ('DELETE', '/api/charts/0', None, CHANGE, 400, 'the only chart cannot be removed'),
    ('PUT', '/api/charts/0', {'title': 'x'}, CHANGE, 405, 'only GET and HEAD'),
    ('OPTIONS', '/api/charts', None, {'Origin': 'http://evil.example',
                                      'Access-Control-Request-Method': 'POST'}, 405, ''),
    ('POST', '/api/topics', {}, CHANGE, 405, ''),
    ('POST', '/api/charts', {'title': 't', 'series': ['/explore/typo.data']}, CHANGE, 400,
     'charts[1].series[0].topic: topic /explore/typo is not in the ROS graph'),
    ('POST', '/api/charts', {'title': 't', 'series': [
        {'topic': '/explore/f', 'field': 'data', 'scale': k} for k in range(1, 5)]}, CHANGE,
     400, 'request body: charts: 5 series, more than the 4 this bridge may chart now'),
    ('POST', '/api/charts', b'{"title": "' + b'x' * 70_000 + b'"}', CHANGE, 413,
     'exceeds max_body of 65536'),
])
def test_a_bad_change_is_refused_with_its_reason_and_changes_nothing(
        explored, method, path, body, headers, status, fragment):
    # The subscribed topic's type is known once a publisher is heard: paths are checked with it.
    publisher = explored.robot.create_publisher(Float64, '/explore/f', 10)
    wait_matched(publisher)
    _publish_until(lambda: explored.node.stats.series['s0'].samples > 0,
                   lambda: publisher.publish(Float64(data=1.0)), 'a first sample')
    before = explored.node.layout.describe()
    got, answer = explored.request(method, path, body, headers)
    assert got == status, answer
    assert fragment in (answer['error'] if isinstance(answer, dict) else answer)
    assert explored.node.layout.describe() == before
    assert 'Access-Control-Allow-Origin' not in str(answer)


def test_explore_false_switches_browsing_and_changes_off(bridge_peer, tmp_path):
    with RosPeer() as robot:
        site = Explored(bridge_peer, robot, tmp_path,
                        YAML.replace('  buffer: 5000\n', '  buffer: 5000\n  explore: false\n'))
        try:
            for method, path in [('GET', '/api/topics'), ('GET', '/api/probe?topic=/x'),
                                 ('GET', '/api/fields?type=std_msgs/msg/Float64'),
                                 ('POST', '/api/charts'), ('DELETE', '/api/charts/0')]:
                status, body = site.change(method, path, {'title': 't', 'series': ['/a.x']})
                assert (status, body) == (403, {'error': 'exploring is switched off on this '
                                                         'bridge (server.explore: false)'})
            assert site.request('GET', '/api/charts')[0] == 200
            assert site.node.layout.describe()['explore'] is False
        finally:
            site.close()


def test_a_layout_changed_at_run_time_saves_as_yaml_a_fresh_bridge_shows_the_same(
        explored, tmp_path):
    explored.robot.create_publisher(JointState, '/explore/joints', 10)
    explored.robot.create_publisher(Float64, '/x', 10)
    _in_graph(explored, '/explore/joints', '/x')
    assert explored.change('POST', '/api/charts', {
        'title': 'Joints', 'unit': 'rad', 'min': -3, 'limits': [{'value': 2, 'label': 'stop'}],
        'series': [{'topic': '/explore/joints', 'field': 'position[:]'},
                   {'topic': '/explore/joints', 'field': 'velocity[name=="elbow"]',
                    'label': 'elbow speed', 'stamp': 'receive'}]})[0] == 201
    assert explored.change('PATCH', '/api/charts/0', {
        'title': 'Force', 'series': [{'topic': '/explore/f', 'field': 'data', 'scale': 0.5,
                                      'label': 'half'}]})[0] == 200
    assert explored.change('POST', '/api/charts', {'title': 'Gone', 'series': ['/x.data']})[0] \
        == 201
    assert explored.change('DELETE', '/api/charts/2')[0] == 200
    status, text = explored.request('GET', '/api/layout.yaml')
    assert status == 200 and 'token' not in text
    saved = parse_config(text, 'saved.yaml')
    assert [s.id for s in saved.series] == ['s3', 's1', 's2']  # ids kept, 's0' gone
    bridge = Bridge(rtgraph_command(write_config(tmp_path, text, 'saved.yaml')))
    try:
        bridge.wait_serving()
        connection = http.client.HTTPConnection(bridge.host, bridge.port, timeout=10)
        connection.request('GET', f'/api/config?token={bridge.token}')
        fresh = json.loads(connection.getresponse().read())
        connection.close()
    finally:
        assert bridge.stop() == 0
        bridge.close()
    assert fresh == explored.node.layout.describe()


FLEET_YAML = """\
variables:
  ns: /fleet1
server:
  host: 127.0.0.1
  port: 0
charts:
  - title: Force of ${ns}
    series:
      - ${ns}/f.data
"""


def test_one_layout_serves_a_fleet_the_namespace_switches_at_run_time(bridge_peer, tmp_path):
    with RosPeer() as robot:
        site = Explored(bridge_peer, robot, tmp_path, FLEET_YAML)
        try:
            first = site.robot.create_publisher(Float64, '/fleet1/f', 10)
            second = site.robot.create_publisher(Float64, '/fleet2/f', 10)
            stats = site.node.stats
            _publish_until(lambda: stats.series['s0'].samples > 0,
                           lambda: first.publish(Float64(data=1.0)), 'a sample of /fleet1')

            def offered():
                status, body = site.request('GET', '/api/variables')
                assert status == 200, body
                return body if len(body['namespaces']) == 2 else None
            body = wait_until(offered, WAIT, 0.2, 'both namespaces offered')
            assert body == {'variables': {'ns': '/fleet1'}, 'namespaces': [
                {'ns': '/fleet1', 'topics': 1}, {'ns': '/fleet2', 'topics': 1}]}
            status, meta = site.change('PATCH', '/api/variables', {'ns': '/fleet2'})
            assert status == 200, meta
            assert meta['namespace'] == '/fleet2'
            assert meta['charts'][0]['title'] == 'Force of /fleet2'
            assert meta['series'][0]['id'] == 's0' and meta['series'][0]['topic'] == '/fleet2/f'
            _publish_until(lambda: stats.series['s0'].samples > 0,
                           lambda: second.publish(Float64(data=2.0)), 'a sample of /fleet2')
            assert set(site.node.store.rings['s0'].read_since(0).v.tolist()) == {2.0}
            wait_until(lambda: first.get_subscription_count() == 0, WAIT, 0.1,
                       'the subscription of /fleet1 to go')
            status, text = site.request('GET', '/api/layout.yaml')
            assert 'ns: /fleet2' in text and '${ns}/f' in text
            assert site.change('PATCH', '/api/variables', {'ns': 'fleet3'})[0] == 400
        finally:
            site.close()
