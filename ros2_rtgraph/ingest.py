# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The hot path: take every ready message of the data subscriptions per wake-up, in batches.

rclpy's standard executor rebuilds a wait set and runs a coroutine per message; at 1 kHz that
costs more than everything else the bridge does. :class:`DrainLoop` keeps one wait set of the
data subscriptions (rebuilt only when the node subscribes or unsubscribes), and on each wake-up
takes from every ready subscription until it is empty. :class:`TopicIngest` turns one topic's
batch into rows (serialized messages decoded straight to the wanted fields by
:mod:`ros2_rtgraph.rawdecode` where the layout allows it), then appends each series' samples
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
from collections.abc import Sequence
import math
import threading
import time
from typing import Any
from typing import NamedTuple

from rclpy.clock import Clock
from rclpy.executors import Executor
from rclpy.serialization import deserialize_message

from ros2_rtgraph.fieldpath import parse_path
from ros2_rtgraph.fieldpath import TopicExtractor
from ros2_rtgraph.rawdecode import Decoder
from ros2_rtgraph.rawdecode import RawDecodeError
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.rosdistro import WaitSet
from ros2_rtgraph.stats import SeriesStats

#: Seconds between two turns of the standard executor (parameters, graph timer, QoS events).
SERVICE_PERIOD = 0.05
#: Most messages taken from one subscription per wake-up, so one flooded topic cannot starve
#: the others or the executor.
MAX_BATCH = 1000
#: Seconds the loop sleeps after a wake-up that took messages, so that the next wake-up takes
#: several at once: each wake-up has a fixed cost. Skipped while any subscription's batch
#: filled half its history depth (a longer pause could then lose messages).
COALESCE = 0.004

#: Rate (Hz) and pause (s) the default subscription depth is sized for: a topic at up to
#: SIZED_RATE loses nothing while the loop does not take for SIZED_PAUSE (coalescing plus a
#: scheduling stall of a loaded machine). Publishers' depths cannot be read from the graph
#: (endpoint info reports 0), so the size cannot follow theirs.
SIZED_RATE = 2000
SIZED_PAUSE = 0.05
#: Subscription history depth when no series of a topic sets ``depth``.
AUTO_DEPTH = math.ceil(SIZED_RATE * SIZED_PAUSE)

# The paths a topic with a header reads after its series' fields, for the stamp.
STAMP_PATHS = ('header.stamp.sec', 'header.stamp.nanosec')


class SeriesPlan(NamedTuple):
    """Where one series' value sits in a topic's row and what to do with it."""

    series_id: str
    index: int          # position of the series' field in the row
    scale: float
    offset: float
    stamped: bool       # t from header.stamp (when non-zero), else receive time
    stats: SeriesStats
    field: str          # the series' field path, to say why a message had no value


def describe_missing(msg: Any, path: str) -> str:
    """
    Say why a message has no value at ``path``: which index is past the end of which sequence.

    The cold path: called once per batch (or message) whose most recent message missed the
    value, for the series' status, e.g. ``position[5]: index out of range (JointState.position
    has 2 entries)``.

    :param msg: the message object (deserialize serialized ones first).
    :param path: a field path checked against the message's type.
    :return: the reason, without the ``error:`` prefix.
    """
    value, where = msg, type(msg).__name__
    for segment in parse_path(path):
        if isinstance(segment, str):
            value, where = getattr(value, segment), f'{where}.{segment}'
            continue
        count = len(value)
        if not -count <= segment < count:
            entries = 'entry' if count == 1 else 'entries'
            return f'{path}: index out of range ({where} has {count} {entries})'
        value, where = value[segment], f'{where}[{segment}]'
    return f'{path}: no value'


def clock_seconds(clock: Clock) -> float:
    """Return a clock's now in seconds: the time base of receive times and ``server_time``."""
    return clock.now().nanoseconds * 1e-9


#: The message info of a message handed to a callback: none, so the receive time is now.
NO_INFO: dict = {}


class TopicWriter:
    """
    Turn a batch of one topic's messages into samples in the rings: both ingest paths use it.

    The drain loop hands it every message a wake-up took (:class:`TopicIngest`); the callback
    fallback of the standard executor hands it one message at a time, with :data:`NO_INFO`.
    """

    def __init__(self, msg_class: type, extractor: TopicExtractor, plans: Sequence[SeriesPlan],
                 header: bool, decoder: Decoder | None, store: SampleStore, clock: Clock):
        """
        Compile the topic's batch work.

        :param msg_class: the topic's message class.
        :param extractor: reads the topic's fields from a message object.
        :param plans: one per series that reads the topic.
        :param header: some series take ``header.stamp``: rows end with its sec, nanosec.
        :param decoder: reads the same row from serialized bytes, or None for message objects.
        :param store: the rings.
        :param clock: the node clock, for receive times under ``use_sim_time``.
        """
        self.msg_class = msg_class
        self.raw = decoder is not None
        self._decoder = decoder
        self._extractor = extractor
        self._plans = tuple(plans)
        self._header = header
        self._store = store
        self._clock = clock
        self._fields = len(extractor.paths)

    def _row(self, msg: Any) -> list:
        """Read a message object into a row: the fields, then the stamp when there is one."""
        row = self._extractor(msg)
        if self._header:
            stamp = msg.header.stamp
            row += (stamp.sec, stamp.nanosec)
        return row

    def _row_from_bytes(self, data: bytes) -> Sequence:
        try:
            return self._decoder(data)
        except RawDecodeError:
            return self._row(deserialize_message(data, self.msg_class))

    def _describe_missing(self, msg: Any, path: str) -> str:
        if self.raw:
            msg = deserialize_message(msg, self.msg_class)
        return describe_missing(msg, path)

    def write(self, taken: list[tuple[Any, dict]]) -> None:
        """
        Append the samples of messages taken in one go, and count them per series.

        :param taken: ``(message, message info)`` pairs in arrival order; the message is bytes
            when the writer has a decoder; the info's ``received_timestamp`` is the receive time.
        """
        if self.raw:
            decode = self._row_from_bytes
            rows = [decode(msg) for msg, _ in taken]
        else:
            row = self._row
            rows = [row(msg) for msg, _ in taken]
        # Receive time: when the middleware got the message (system time, like the node clock);
        # under use_sim_time the node clock instead, once per batch.
        clock = self._clock
        if clock.ros_time_is_active:
            now = clock_seconds(clock)
            received = [now] * len(taken)
        else:
            received = [(info.get('received_timestamp') or time.time_ns()) * 1e-9
                        for _, info in taken]
        stamps = None
        if self._header:
            sec, nanosec = self._fields, self._fields + 1
            stamps = [row[sec] + row[nanosec] * 1e-9 if row[sec] or row[nanosec] else r
                      for row, r in zip(rows, received, strict=True)]
        monotonic_now = time.monotonic()
        store = self._store
        for plan in self._plans:
            index, scale, offset, stats = plan.index, plan.scale, plan.offset, plan.stats
            times = stamps if plan.stamped and stamps is not None else received
            values = [row[index] for row in rows]
            if None in values:  # an index past the end of this message's sequence
                stats.missing = (self._describe_missing(taken[-1][0], plan.field)
                                 if values[-1] is None else '')
                kept = [(t, v) for t, v in zip(times, values, strict=True) if v is not None]
                stats.errors += len(values) - len(kept)
                times = [t for t, _ in kept]
                values = [v for _, v in kept]
                if not values:
                    continue
            elif stats.missing:
                stats.missing = ''
            if scale != 1.0 or offset != 0.0:
                values = [v * scale + offset for v in values]
            else:
                values = [float(v) for v in values]
            if len(values) == 1:
                store.append(plan.series_id, times[0], values[0])
            else:
                store.append_many(plan.series_id, times, values)
            stats.samples += len(values)
            stats.nonfinite += sum(1 for v in values if not math.isfinite(v))
            stats.last_receive = monotonic_now
            if stats.state == 'waiting':
                stats.state = 'ok'


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
        msg_class, raw = self._writer.msg_class, self._writer.raw
        taken = []
        while len(taken) < MAX_BATCH:
            got = take(msg_class, raw)
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
                wait_set = WaitSet(len(sinks), 0, 0, 0, 0, 0, context.handle) if sinks else None
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
