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

The node's other entities (parameter services, QoS event handlers) stay with a standard
executor that the loop serves with ``spin_once(timeout_sec=0)`` when one of them is ready; the
data subscriptions sit in a callback group that executor never waits on (see ``GraphNode``),
so no message is taken twice. The node's graph check is called by the loop itself.
Everything runs on the thread that calls :meth:`DrainLoop.spin`, which is the single writer the
sample store requires.

The loop uses rclpy's internal ``WaitSet`` and ``Subscription.take_message`` (the same calls
``rclpy.wait_for_message`` makes on Humble, Jazzy and Kilted); :mod:`ros2_rtgraph.rosdistro`
decides whether they are there.
"""

from collections.abc import Callable
from dataclasses import dataclass
import math
import threading
import time
from typing import Any
from typing import Protocol

from rclpy.callback_groups import CallbackGroup
from rclpy.executors import Executor
from rclpy.guard_condition import GuardCondition
from rclpy.subscription import Subscription

from ros2_rtgraph.cadence import next_take
from ros2_rtgraph.rosdistro import WaitSet
from ros2_rtgraph.writer import Taken

#: Graph checks between two looks at the executor's nodes for entities made since (the node's
#: own subscriptions are seen at once): a look costs more than a check.
RESCAN_CHECKS = 10
#: Most messages taken from one subscription per wake-up, so one flooded topic cannot starve
#: the others or the executor.
MAX_BATCH = 1000
#: The frame period the loop takes messages on when not told (``rtgraph`` passes its own). After
#: a take the loop pauses until just before the next frame (:mod:`ros2_rtgraph.cadence`), so
#: that one wake-up takes many messages: each wake-up, and each series' append, has a fixed
#: cost. The first message after a quiet spell is taken at once. The pause ends sooner when a
#: subscription seen at its last take's rate would hold a quarter of its history depth (the
#: rest is for stalls), and is skipped after a batch that held that many.
FRAME_PERIOD = 0.05


def due_time(now: float, last: float | None, count: int, high_water: int) -> float:
    """
    Return when ``high_water`` messages will wait, if they keep coming as in the last take.

    :param now: when ``count`` messages (at least one) were taken.
    :param last: when the take before was, None when there was none (no rate known: never).
    :param count: messages taken at ``now``: those that came since ``last``.
    :param high_water: what may wait at a take.
    """
    if count >= high_water:
        return now
    if last is None:
        return math.inf
    return now + (now - last) * high_water / count


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


class BatchWriter(Protocol):
    """What takes a drained subscription's batches: a TopicWriter, or a probe's counter."""

    msg_type: type  # the subscription's message class
    raw: bool  # takes serialized messages

    def write(self, taken: Taken) -> None: ...


class TopicIngest:
    """
    One drained subscription: take its ready messages and hand them to its writer.

    Built by the node when it subscribes; :class:`DrainLoop` calls :meth:`drain`.
    """

    def __init__(self, subscription: Any, writer: BatchWriter):
        """
        Drain ``subscription`` (created with ``raw=writer.raw``) into ``writer``.

        :param subscription: the rclpy Subscription.
        :param writer: stores what is taken.
        """
        self.subscription = subscription
        self.handle = subscription.handle
        self.pointer = self.handle.pointer
        self._writer = writer
        #: A quarter of the subscription's history depth: what may wait at a take, so that the
        #: other three quarters ride out a stall of the process (messages beyond the depth
        #: would be dropped by the middleware). A batch this big means no pause before the next.
        self.high_water = max(1, subscription.qos_profile.depth // 4)
        self._last_take: float | None = None  # monotonic time of the previous take
        #: Monotonic time by which ``high_water`` messages wait, at the rate of the last take.
        self.due = math.inf

    def taken(self, now: float, count: int) -> None:
        """
        Note that :meth:`drain` took ``count`` messages at ``now``; :attr:`due` follows.

        :param now: when the take began (monotonic seconds).
        :param count: what :meth:`drain` returned.
        """
        if count == 0:
            return  # a wake-up without a message says nothing about the rate
        self.due = due_time(now, self._last_take, count, self.high_water)
        self._last_take = now

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
    """
    Serve a node's drained subscriptions, its graph check and its standard executor, one thread.

    The loop sleeps in one wait set until there is work: a drained subscription with messages
    (taken here), an entity of the executor's nodes (a timer, a service, a client, a guard
    condition, a QoS event handler, a subscription that is not drained: then the executor takes
    one turn), the node's next graph check (called here, not from an executor timer: a turn of
    the executor costs more than the check), or :meth:`wake`. Nothing else wakes it, so an idle
    bridge wakes once a graph check period.
    """

    def __init__(self, node: Any, executor: Executor, period: float = FRAME_PERIOD):
        """
        Prepare the loop; nothing runs before :meth:`spin`.

        :param node: a ``GraphNode`` built with ``drain=True``: its ``drain_version`` changes
            whenever ``drained_topics()`` (a list of :class:`TopicIngest`) does, and this loop
            calls its ``check_graph()`` every ``graph_period`` seconds.
        :param executor: the standard executor the node was added to.
        :param period: the frame period: messages are taken on its grid (see
            :mod:`ros2_rtgraph.cadence`), and sooner for a subscription that would otherwise
            hold more than ``high_water``.
        """
        self._node = node
        self._executor = executor
        self._period = period
        if WaitSet is None:  # the node does not drain there (rosdistro.DRAIN_INGEST)
            raise RuntimeError('this rclpy has no wait set the drain loop can use')
        self._wait_set = WaitSet
        self._wake = GuardCondition(None, None, context=node.context)
        # Guards the wake-up against being pulled after spin() destroyed it on its way out.
        self._wake_lock = threading.Lock()
        self._ended = False

    def wake(self) -> None:
        """Make :meth:`spin` look at its stop event now; from any thread, also after it ended."""
        with self._wake_lock:
            if not self._ended:
                self._wake.trigger()

    def spin(self, stop: threading.Event,
             on_wake: Callable[[int], None] | None = None) -> None:
        """
        Run until ``stop`` is set and :meth:`wake` called (or the next wake-up comes).

        :param stop: the event that ends the loop.
        :param on_wake: called with the number of messages taken after each wake-up (tests).
        """
        node, executor = self._node, self._executor
        monotonic = time.monotonic
        version: int | None = None
        plan = _WaitPlan.empty()
        wait_set: Any = None
        next_check = 0.0
        resume = 0.0  # while later than now, a pause: the wait holds no drained subscription
        events_due = False
        checks = 0
        try:
            while not stop.is_set():
                now = monotonic()
                if now >= next_check:
                    node.check_graph()
                    next_check = now + node.graph_period
                    events_due = True
                    checks += 1
                    if checks % RESCAN_CHECKS == 0:
                        version = None  # the executor's nodes may have new entities too
                if node.drain_version != version:
                    # Only here, between waits, does the set change: the graph check that
                    # (un)subscribes runs on this thread.
                    version = node.drain_version
                    plan = _WaitPlan.of(node.drained_topics(), executor, self._wake)
                    wait_set = plan.wait_set(self._wait_set, node.context)
                pausing = resume > now
                if pausing and events_due:
                    # Pauses leave the QoS event handlers out (the middleware wakes a wait on
                    # them for every message of their subscription): look at them now and then.
                    events_due = False
                    self._wait(plan, wait_set, 0.0, drained=False, waitables=True)
                    if node.drain_version != version:
                        continue  # as below: the plan is made again first
                until = min(resume, next_check) if pausing else next_check
                ready = self._wait(plan, wait_set, until - monotonic(), drained=not pausing,
                                   waitables=not pausing)
                if node.drain_version != version:
                    continue  # the executor's turn (un)subscribed: this plan's handles may be gone
                now = monotonic()
                if not pausing:  # the drained subscriptions that have messages
                    sinks = [plan.sinks[pointer] for pointer in ready]
                elif now >= resume:  # the pause is over: take from all, without a wait
                    sinks = list(plan.sinks.values())
                else:  # the executor's entities or the wake-up ended the wait early
                    sinks = []
                taken = 0
                for sink in sinks:
                    count = sink.drain()
                    sink.taken(now, count)
                    taken += count
                if sinks:
                    # Pause till the next take on the frame grid, sooner where a subscription
                    # (any: not only those taken from now) has high_water waiting by then.
                    resume = 0.0 if not taken else min(
                        next_take(now, self._period),
                        min((sink.due for sink in plan.sinks.values()), default=math.inf))
                if on_wake is not None:
                    on_wake(taken)
        finally:
            with self._wake_lock:
                self._ended = True
                self._wake.destroy()

    def _wait(self, plan: '_WaitPlan', wait_set: Any, timeout: float, *, drained: bool,
              waitables: bool) -> list[int]:
        """
        Wait up to ``timeout`` seconds; give the executor a turn if one of its entities is ready.

        :param drained: with the drained subscriptions.
        :param waitables: with the executor's waitables.
        :return: the handle pointers of the drained subscriptions that have messages.
        """
        plan.fill(wait_set, drained=drained, waitables=waitables)
        deadline = time.monotonic() + timeout
        wait_set.wait(int(max(0.0, timeout) * 1e9))
        # Timed out, what is ready now stays so till the next wait, but for a guard condition
        # triggered as the wait ended: the wait took its trigger, so it is handed over now.
        timed_out = timeout > 0 and time.monotonic() >= deadline
        if plan.node_guard_ready(wait_set) if timed_out else plan.executor_ready(
                wait_set, waitables=waitables):
            plan.hand_over_guards(wait_set)
            # Twice: the executor keeps the generator of its last wait, and a call that resumes
            # it only finishes it; the next one waits (0 s) and runs a callback.
            self._executor.spin_once(timeout_sec=0)
            self._executor.spin_once(timeout_sec=0)
        if timed_out or not drained:
            return []
        return [pointer for pointer in wait_set.get_ready_entities('subscription')
                if pointer in plan.sinks]


@dataclass(frozen=True)
class _WaitPlan:
    """What one wait set holds: the drained subscriptions, and the executor's entities."""

    sinks: dict[int, TopicIngest]  # by handle pointer
    drained: tuple  # their handles
    subscriptions: tuple  # handles of the executor's
    guards: tuple  # the executor's, then the loop's own wake-up
    timers: tuple
    clients: tuple
    services: tuple
    waitables: tuple  # rclpy Waitables (QoS event handlers), which add themselves
    wake: Any  # the loop's own guard condition handle, the last of ``guards``
    node_guards: dict[int, GuardCondition]  # the nodes' guard conditions, by handle pointer

    @classmethod
    def empty(cls) -> '_WaitPlan':
        return cls({}, (), (), (), (), (), (), (), None, {})

    @classmethod
    def of(cls, drained: list[TopicIngest], executor: Executor, wake: GuardCondition
           ) -> '_WaitPlan':
        sinks = {sink.pointer: sink for sink in drained}
        subscriptions: list[Any] = []
        guards: list[Any] = []
        timers: list[Any] = []
        clients: list[Any] = []
        services: list[Any] = []
        waitables: list[Any] = []
        node_guards: dict[int, GuardCondition] = {}
        for node in executor.get_nodes():
            subscriptions += [s.handle for s in node.subscriptions
                              if s.handle.pointer not in sinks]
            guards += [g.handle for g in node.guards]
            node_guards.update((g.handle.pointer, g) for g in node.guards)
            timers += [t.handle for t in node.timers]
            clients += [c.handle for c in node.clients]
            services += [s.handle for s in node.services]
            waitables += node.waitables
        guards.append(wake.handle)
        return cls(sinks, tuple(sink.handle for sink in drained), tuple(subscriptions),
                   tuple(guards), tuple(timers), tuple(clients), tuple(services),
                   tuple(waitables), wake.handle, node_guards)

    def wait_set(self, wait_set_type: Any, context: Any) -> Any:
        """Return a wait set sized for all of it."""
        sizes = [len(self.drained) + len(self.subscriptions), len(self.guards),
                 len(self.timers), len(self.clients), len(self.services), 0]
        for waitable in self.waitables:
            need = waitable.get_num_entities()
            for index, count in enumerate((
                    need.num_subscriptions, need.num_guard_conditions, need.num_timers,
                    need.num_clients, need.num_services, need.num_events)):
                sizes[index] += count
        return wait_set_type(*sizes, context.handle)

    def fill(self, wait_set: Any, drained: bool, waitables: bool) -> None:
        """
        Put the entities in the wait set again (a wait leaves only the ready ones).

        :param drained: with the drained subscriptions.
        :param waitables: with the waitables.
        """
        wait_set.clear_entities()
        for handles, add in (
                (self.drained if drained else (), wait_set.add_subscription),
                (self.subscriptions, wait_set.add_subscription),
                (self.guards, wait_set.add_guard_condition), (self.timers, wait_set.add_timer),
                (self.clients, wait_set.add_client), (self.services, wait_set.add_service)):
            for handle in handles:
                add(handle)
        if waitables:
            for waitable in self.waitables:
                waitable.add_to_wait_set(wait_set)

    def node_guard_ready(self, wait_set: Any) -> bool:
        """Return whether a guard condition of the nodes is ready in the wait set."""
        return any(pointer in self.node_guards
                   for pointer in wait_set.get_ready_entities('guard_condition'))

    def hand_over_guards(self, wait_set: Any) -> None:
        """
        Trigger again the nodes' guard conditions this wait found triggered.

        A wait takes a guard condition's trigger; the executor's own wait must find it too, or
        it never runs the callback (rclpy's executor triggers again those it did not handle).
        """
        for pointer in wait_set.get_ready_entities('guard_condition'):
            guard = self.node_guards.get(pointer)
            if guard is not None:
                guard.trigger()

    def executor_ready(self, wait_set: Any, waitables: bool) -> bool:
        """
        Return whether an entity of the executor's (not the loop's wake-up) is ready.

        :param waitables: whether the waitables were in the wait set (else their indices
            there mean nothing).
        """
        if self.subscriptions and not self.sinks.keys() >= set(
                wait_set.get_ready_entities('subscription')):
            return True
        wake = self.wake.pointer
        return bool(
            [p for p in wait_set.get_ready_entities('guard_condition') if p != wake]
            or wait_set.get_ready_entities('timer') or wait_set.get_ready_entities('client')
            or wait_set.get_ready_entities('service')
            or (waitables and any(waitable.is_ready(wait_set) for waitable in self.waitables)))
