# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The hot path: take every ready message of the data subscriptions per wake-up, in batches.

rclpy's standard executor rebuilds a wait set and runs a coroutine per message; at 1 kHz that
costs more than everything else the bridge does. :class:`DrainLoop` keeps one wait set of the
data subscriptions (rebuilt only when the node subscribes or unsubscribes), and on each wake-up
takes from every ready subscription until it is empty. :class:`TopicIngest` hands one topic's
batch to its :class:`ros2_rtgraph.writer.TopicWriter`, which appends each series' samples
with one :meth:`SampleStore.append_many` and bumps its counters once.

The node's other entities (parameter services, the graph timer, QoS event handlers) stay with a
standard executor that the loop serves with ``spin_once(timeout_sec=0)`` every
``service_period`` seconds; the data subscriptions sit in a callback group that executor never
waits on (see ``GraphNode``), so no message is taken twice. Everything runs on the thread that
calls :meth:`DrainLoop.spin`, which is the single writer the sample store requires.

The loop uses rclpy's internal ``WaitSet`` and ``Subscription.take_message`` (the same calls
``rclpy.wait_for_message`` makes on Humble, Jazzy and Kilted); :mod:`ros2_rtgraph.rosdistro`
decides whether they are there.
"""

from collections.abc import Callable
import threading
import time
from typing import Any

from rclpy.callback_groups import CallbackGroup
from rclpy.executors import Executor
from rclpy.subscription import Subscription

from ros2_rtgraph.rosdistro import WaitSet
from ros2_rtgraph.writer import TopicWriter

#: Seconds between two turns of the standard executor (parameters, graph timer, QoS events).
SERVICE_PERIOD = 0.05
#: Most messages taken from one subscription per wake-up, so one flooded topic cannot starve
#: the others or the executor.
MAX_BATCH = 1000
#: Seconds the loop sleeps after a wake-up that took messages, so that the next wake-up takes
#: several at once: each wake-up has a fixed cost. Skipped while any subscription's batch
#: filled half its history depth (a longer pause could then lose messages).
COALESCE = 0.004



class DrainedGroup(CallbackGroup):
    """
    The callback group of drained subscriptions: the executor serves their event handlers only.

    An executor waits on an entity only when its group ``can_execute`` it, so it never takes a
    message the drain loop should take. Event handlers run as in a reentrant group.
    """

    def can_execute(self, entity: Any) -> bool:
        return not isinstance(entity, Subscription)

    def beginning_execution(self, entity: Any) -> bool:
        return True

    def ending_execution(self, entity: Any) -> None:
        pass


def never_called(msg: Any) -> None:
    """Stand in for the callback of a drained subscription, which the executor never runs."""
    raise AssertionError('a drained subscription was executed')  # pragma: no cover


class TopicIngest:
    """
    One drained subscription: take its ready messages and hand them to its writer.

    Built by the node when it subscribes; :class:`DrainLoop` calls :meth:`drain`.
    """

    def __init__(self, subscription: Any, writer: TopicWriter):
        """
        Drain ``subscription`` (created with ``raw=writer.raw``) into ``writer``.

        :param subscription: the rclpy Subscription.
        :param writer: stores what is taken.
        """
        self.subscription = subscription
        self.handle = subscription.handle
        self.pointer = self.handle.pointer
        self._writer = writer
        #: Half the subscription's history depth: a batch this big means no pause before the
        #: next take (messages beyond the depth would be dropped by the middleware).
        self.high_water = max(1, subscription.qos_profile.depth // 2)

    def drain(self) -> int:
        """Take every message that is ready (up to MAX_BATCH) and store it; return how many."""
        take = self.handle.take_message
        msg_type, raw = self._writer.msg_type, self._writer.raw
        taken: list[tuple[Any, dict]] = []
        while len(taken) < MAX_BATCH:
            got = take(msg_type, raw)
            if got is None:
                break
            taken.append(got)
        if taken:
            self._writer.write(taken)
        return len(taken)


class DrainLoop:
    """Serve a node's drained subscriptions and its standard executor from one thread."""

    def __init__(self, node: Any, executor: Executor, service_period: float = SERVICE_PERIOD,
                 coalesce: float = COALESCE):
        """
        Prepare the loop; nothing runs before :meth:`spin`.

        :param node: a ``GraphNode``: its ``drain_version`` changes whenever
            ``drained_topics()`` (a list of :class:`TopicIngest`) does.
        :param executor: the standard executor the node was added to.
        :param service_period: seconds between two ``spin_once(0)`` of the executor.
        :param coalesce: seconds to sleep after each wake-up, so that messages arriving close
            together are taken as one batch (must stay well under depth / rate).
        """
        self._node = node
        self._executor = executor
        self._service_period = service_period
        self._coalesce = coalesce
        if WaitSet is None:  # the node does not drain there (rosdistro.DRAIN_INGEST)
            raise RuntimeError('this rclpy has no wait set the drain loop can use')
        self._wait_set = WaitSet

    def spin(self, stop: threading.Event,
             on_wake: Callable[[int], None] | None = None) -> None:
        """
        Run until ``stop`` is set (noticed within ``service_period``).

        :param stop: the event that ends the loop.
        :param on_wake: called with the number of messages taken after each wake-up (tests).
        """
        node, executor = self._node, self._executor
        context = node.context
        monotonic = time.monotonic
        version = None
        sinks: list[TopicIngest] = []
        by_pointer: dict[int, TopicIngest] = {}
        wait_set = None
        next_service = 0.0
        while not stop.is_set():
            now = monotonic()
            if now >= next_service:
                executor.spin_once(timeout_sec=0)
                next_service = now + self._service_period
            if node.drain_version != version:
                # Only here, between waits, does the set change: the graph timer that
                # (un)subscribes runs inside spin_once above, on this thread.
                version = node.drain_version
                sinks = list(node.drained_topics())
                by_pointer = {sink.pointer: sink for sink in sinks}
                wait_set = (self._wait_set(len(sinks), 0, 0, 0, 0, 0, context.handle)
                            if sinks else None)
            timeout = max(0.0, next_service - monotonic())
            if wait_set is None:
                executor.spin_once(timeout_sec=timeout)
                continue
            wait_set.clear_entities()
            for sink in sinks:
                wait_set.add_subscription(sink.handle)
            wait_set.wait(int(timeout * 1e9))
            taken = 0
            pause = self._coalesce
            for pointer in wait_set.get_ready_entities('subscription'):
                sink = by_pointer[pointer]
                count = sink.drain()
                taken += count
                if count >= sink.high_water:
                    pause = 0.0
            if on_wake is not None:
                on_wake(taken)
            if taken and pause:
                time.sleep(pause)
