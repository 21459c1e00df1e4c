# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The drain loop's own rules: how long it may pause, and that it sleeps until there is work.

``due_time`` is pure (a table and a property). The loop itself runs here on a real GraphNode in
a private context: idle, it wakes for its graph checks only; :meth:`DrainLoop.wake` ends it at
once; a parameter service and a publisher still get their answers and samples.
"""

import math
import threading
import time

from hypothesis import given
from hypothesis import strategies as st
import pytest
from rcl_interfaces.srv import GetParameters
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile
from rclpy.signals import SignalHandlerOptions
from ros_helpers import RosPeer
from ros_helpers import wait_until
from ros_helpers import write_config
from std_msgs.msg import Float64

from ros2_rtgraph.ingest import DrainLoop
from ros2_rtgraph.ingest import due_time
from ros2_rtgraph.node import GraphNode


@pytest.mark.parametrize(('now', 'last', 'count', 'high_water', 'due'), [
    (10.0, None, 1, 25, math.inf),   # first take: no rate known, no limit
    (10.0, None, 30, 25, 10.0),      # a full batch: take again at once
    (10.0, 9.99, 25, 25, 10.0),
    (10.0, 9.99, 5, 25, 10.05),      # 500 Hz: 25 more in 50 ms
    (10.0, 9.0, 1, 25, 35.0),        # 1 Hz
    (10.0, 9.95, 100, 250, 10.125),  # 2 kHz, depth 1000
])
def test_due_time(now, last, count, high_water, due):
    assert due_time(now, last, count, high_water) == pytest.approx(due)


@given(now=st.floats(0, 1e6), interval=st.floats(1e-6, 100), count=st.integers(1, 10_000),
       high_water=st.integers(1, 10_000))
def test_due_time_is_never_before_now_and_comes_sooner_with_more_messages(
        now, interval, count, high_water):
    last = now - interval
    due = due_time(now, last, count, high_water)
    assert due >= now
    assert due_time(now, last, count + 1, high_water) <= due
    if count < high_water:
        # At the rate seen (count in now - last), high_water come in due - now.
        assert due == now + (now - last) * high_water / count


IDLE_YAML = """\
charts:
  - title: Idle
    series: [{topic: /ingest/idle, type: std_msgs/msg/Float64, field: data}]
"""


@pytest.fixture
def drained(tmp_path):
    """Yield (node, loop, wakes, stop) with the loop spinning on a thread of its own."""
    context = Context()
    rclpy.init(context=context, signal_handler_options=SignalHandlerOptions.NO)
    node = GraphNode(context=context, drain=True, parameter_overrides=[
        Parameter('config_file', value=str(write_config(tmp_path, IDLE_YAML)))])
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    loop = DrainLoop(node, executor)
    wakes: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(target=loop.spin, args=(stop, wakes.append), daemon=True)
    thread.start()
    try:
        yield node, loop, wakes, stop, thread
    finally:
        stop.set()
        loop.wake()
        thread.join(5.0)
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown(context=context)


def test_an_idle_loop_wakes_for_its_graph_checks_only(drained):
    node, _, wakes, _, _ = drained
    checks = []
    original = node.check_graph
    node.check_graph = lambda: (checks.append(time.monotonic()), original())
    time.sleep(1.5)  # the checks settle into their period
    before, first = len(wakes), len(checks)
    time.sleep(4.0)
    # One wake-up per check (a period of 1 s), nothing else: no executor turn, no polling.
    assert 3 <= len(checks) - first <= 5
    assert len(wakes) - before <= len(checks) - first + 1
    assert not any(wakes[before:])


def test_wake_ends_the_loop_at_once(drained):
    node, loop, _, stop, thread = drained
    node.graph_period = 60.0  # from the next check on, nothing else would wake it for a minute
    time.sleep(1.5)
    began = time.monotonic()
    stop.set()
    loop.wake()
    thread.join(5.0)
    assert not thread.is_alive()
    assert time.monotonic() - began < 0.5


def test_a_sleeping_loop_serves_its_parameter_services_and_takes_messages(drained):
    node, _, wakes, _, _ = drained
    with RosPeer() as peer:
        robot = peer.node('ingest_robot')
        client = robot.create_client(GetParameters, f'/{node.get_name()}/get_parameters')
        assert client.wait_for_service(timeout_sec=10.0)
        future = client.call_async(GetParameters.Request(names=['ingest']))
        wait_until(future.done, 10.0, what='the parameter service to answer')
        assert future.result().values[0].string_value == 'drain'
        publisher = robot.create_publisher(Float64, '/ingest/idle', QoSProfile(depth=10))
        wait_until(lambda: node.stats.series['s0'].samples > 0 or publisher.publish(
            Float64(data=1.5)), 10.0, interval=0.1, what='a sample')
        assert sum(wakes) > 0
