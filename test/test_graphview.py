# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The topic browser's pure parts: hidden names, QoS summaries, probe counting, field trees."""

from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
import pytest
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64

from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.fieldtree import field_tree
from ros2_rtgraph.fieldtree import name_sequences
from ros2_rtgraph.graphview import is_hidden
from ros2_rtgraph.graphview import MAX_NAME_CHARS
from ros2_rtgraph.graphview import MAX_NAMES
from ros2_rtgraph.graphview import namespaces_with
from ros2_rtgraph.graphview import ProbeWriter
from ros2_rtgraph.graphview import sequence_names
from ros2_rtgraph.graphview import topic_entry
from ros2_rtgraph.qos import Qos

RELIABLE = Qos(reliable=True, latched=False)
BEST_EFFORT = Qos(reliable=False, latched=False)
LATCHED = Qos(reliable=True, latched=True)


@pytest.mark.parametrize('name, hidden', [
    ('/imu/data', False), ('/rosout', True), ('/parameter_events', True),
    ('/_action/status', True), ('/robot/_private', True), ('/robot/rosout', False),
    ('/a_b', False)])
def test_hidden_topics(name, hidden):
    assert is_hidden(name) is hidden


@pytest.mark.parametrize('publishers, reliability, durability', [
    ([], None, None),
    ([RELIABLE], 'reliable', 'volatile'),
    ([BEST_EFFORT, BEST_EFFORT], 'best effort', 'volatile'),
    ([RELIABLE, BEST_EFFORT], 'mixed', 'volatile'),
    ([LATCHED], 'reliable', 'transient local'),
    ([LATCHED, RELIABLE], 'reliable', 'mixed'),
])
def test_a_topic_entry_sums_up_its_publishers_qos(publishers, reliability, durability):
    entry = topic_entry('/x', ['std_msgs/msg/Float64'], publishers, 2, False)
    assert (entry['publishers'], entry['reliability'], entry['durability']) == (
        len(publishers), reliability, durability)


def test_namespaces_are_offered_by_how_many_of_the_layouts_topics_they_have():
    names = ['/r1/imu', '/r1/odom', '/r2/imu', '/imu', '/x/r3/odom', '/r4imu', '/r5/imu/extra']
    assert namespaces_with(['/imu', '/odom', '/imu'], names) == [
        {'ns': '/r1', 'topics': 2}, {'ns': '', 'topics': 1}, {'ns': '/r2', 'topics': 1},
        {'ns': '/x/r3', 'topics': 1}]
    assert namespaces_with([], names) == []


def test_a_probe_counts_the_rate_over_its_window():
    now = [100.0]
    writer = ProbeWriter(Float64, clock=lambda: now[0])
    assert writer.rate() == 0.0
    for _ in range(40):  # 40 batches of 5 messages, 0.05 s apart: 100 Hz
        now[0] += 0.05
        writer.write([(b'x', {})] * 5)
    assert writer.messages == 200 and writer.last == b'x'
    assert writer.rate() == pytest.approx(100.0, rel=0.05)
    now[0] += 10.0  # nothing for a while
    assert writer.rate() == 0.0


def test_sequence_names_are_bounded():
    msg = JointState(name=['a' * 500] + [f'j{i}' for i in range(1000)])
    names = sequence_names(msg, ['name', 'missing.path'])
    assert list(names) == ['name'] and len(names['name']) == MAX_NAMES
    assert names['name'][0] == 'a' * MAX_NAME_CHARS


def _walk(tree):
    for entry in tree:
        yield entry
        yield from _walk(entry.get('fields', []))


@pytest.mark.parametrize('msg_class', [JointState, Odometry, DiagnosticArray, Float64])
def test_every_number_the_tree_offers_is_a_path_that_checks(msg_class):
    numbers = [e for e in _walk(field_tree(msg_class)) if e['kind'] == 'number']
    assert numbers
    for entry in numbers:
        check_path(msg_class, entry['path'])  # raises if the tree offered a wrong path


def test_the_tree_offers_reducers_lookups_and_element_fields():
    odometry = {e['path']: e for e in _walk(field_tree(Odometry))}
    assert odometry['pose.pose.orientation']['reducers'] == ['@roll', '@pitch', '@yaw']
    assert odometry['twist.twist.linear']['reducers'] == ['@norm']
    joints = {e['path']: e for e in _walk(field_tree(JointState))}
    assert joints['effort']['lookups'] == ['name'] and joints['name']['element'] == 'text'
    diagnostics = {e['path']: e for e in _walk(field_tree(DiagnosticArray))}
    assert diagnostics['status']['element'] == 'message'
    assert diagnostics['status[:].values[:].value']['kind'] == 'text'
    assert name_sequences(field_tree(JointState)) == ['name']
    assert name_sequences(field_tree(DiagnosticArray)) == []
