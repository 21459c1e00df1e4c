# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Publisher process of the benchmark: one message kind on several topics at a fixed rate.

Every message carries its publish wall time (``time.time()``), so a client on this machine
can compute the latency from publish to receipt:

- ``float64`` (std_msgs/Float64, reliable QoS): ``data`` *is* the publish time in seconds;
  the bridge charts it with ``stamp: receive``, so the latency is read from the value ``v``.
- ``imu`` (sensor_msgs/Imu, sensor-data QoS i.e. best effort): ``header.stamp`` is the
  publish time; the bridge charts it with ``stamp: header``, so the latency is read from ``t``.
- ``joints`` (sensor_msgs/JointState, reliable QoS): 30 joints ``j0``..``j29`` listed in a
  different order in every message, ``header.stamp`` the publish time ``t`` and the position
  of ``jN`` always ``N + 0.5 sin(pi t)``, so a reader can tell whether it picked by name. The
  bridge charts the 30 positions by name and the whole array as a slice (one series per
  joint): one message gives 60 samples.
- ``joints_index``: the same messages, the bridge charts ``position[0]`` .. ``position[29]``
  (what a YAML without name lookups can say): 30 samples a message.

Topics are published in the same tick, one after the other, or with ``--spread`` each at its
own offset within the period, evenly spaced.

Protocol with :mod:`bench.run`: prints ``{"ready": ...}`` on stdout once every topic has the
expected number of subscribers, then publishes on an absolute schedule until SIGINT, and
prints ``{"published": {topic: count}}`` before it exits. The running total of messages is
also kept in an 8-byte counter file (``--counter``) so the benchmark can read it at the exact
edges of its measurement window without talking to this process.
"""

import argparse
from array import array
from collections.abc import Callable
from dataclasses import dataclass
import itertools
import json
import math
import mmap
import random
import signal
import struct
import sys
import time

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.qos import QoSPresetProfiles
from rclpy.qos import QoSProfile
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64

COUNTER = struct.Struct('<Q')
# After this many seconds behind schedule the publisher skips ahead instead of bursting.
MAX_LAG = 0.1
JOINT_NAMES = tuple(f'j{number}' for number in range(30))
# Prebuilt name orders the joints publisher takes in turn: shuffling and validating 30 names
# per message would cost more than the rest of the message.
JOINT_ORDERS = 16


@dataclass(frozen=True)
class MessageKind:
    """What the benchmark publishes for one kind and how the others read it back."""

    type_name: str   # as in the rtgraph YAML
    qos: str         # rtgraph YAML qos name of the publisher's profile
    fields: tuple[str, ...]  # the fields the bridge charts per topic, one series entry each
    stamp: str       # rtgraph YAML stamp mode
    latency_from: str  # 't' or 'v': where the SSE client finds the publish time
    samples_per_message: int = 1  # ring samples one message gives (a slice gives several)


KINDS = {
    'float64': MessageKind('std_msgs/msg/Float64', 'reliable', ('data',), 'receive', 'v'),
    'imu': MessageKind('sensor_msgs/msg/Imu', 'sensor_data', ('linear_acceleration.x',),
                       'header', 't'),
    'joints': MessageKind(
        'sensor_msgs/msg/JointState', 'reliable',
        (*(f'position[name=="{name}"]' for name in JOINT_NAMES), 'position[:]'),
        'header', 't', samples_per_message=2 * len(JOINT_NAMES)),
    'joints_index': MessageKind(
        'sensor_msgs/msg/JointState', 'reliable',
        tuple(f'position[{index}]' for index in range(len(JOINT_NAMES))),
        'header', 't', samples_per_message=len(JOINT_NAMES)),
}
_CLASSES = {'float64': Float64, 'imu': Imu, 'joints': JointState, 'joints_index': JointState}
#: Kinds whose messages are JointStates with shuffled names.
JOINT_KINDS = frozenset({'joints', 'joints_index'})


def qos_profile(kind: str) -> QoSProfile:
    """Return the QoS profile the publishers of a kind use (the floor subscribes with it)."""
    if KINDS[kind].qos == 'sensor_data':
        return QoSPresetProfiles.SENSOR_DATA.value
    return QoSProfile(depth=10)


def message_class(kind: str) -> type:
    """Return the message class of a kind."""
    return _CLASSES[kind]


def _joint_swing(stamp: float) -> float:
    """Return what every joint's position swings by at ``stamp`` (seconds)."""
    return 0.5 * math.sin(math.pi * stamp)


def joint_position(number: int, stamp: float) -> float:
    """Return the position of joint ``j<number>`` in a message stamped ``stamp`` (seconds)."""
    return number + _joint_swing(stamp)


def _stamp_float64(msg: Float64, now: float) -> None:
    msg.data = now


def _stamp_header(msg, now: float) -> None:
    seconds = int(now)
    msg.header.stamp.sec = seconds
    msg.header.stamp.nanosec = int((now - seconds) * 1e9)


class JointStates:
    """
    JointState messages with the names in a new order each time, for the ``joints`` kind.

    It cycles through JOINT_ORDERS messages built once, each with its own shuffle of the
    names; per call only the stamp and the positions (an ``array('d')``, which the message
    takes without checking each element) are written.
    """

    def __init__(self, seed: int = 1):
        shuffle = random.Random(seed).shuffle
        self._cycle = []
        for _ in range(JOINT_ORDERS):
            numbers = list(range(len(JOINT_NAMES)))
            shuffle(numbers)
            msg = JointState()
            msg.name = [JOINT_NAMES[number] for number in numbers]
            self._cycle.append((msg, [float(number) for number in numbers]))
        self._next = itertools.cycle(self._cycle)

    def next(self, now: float) -> JointState:
        """Return the next message, stamped ``now``, its positions those of joint_position."""
        msg, numbers = next(self._next)
        _stamp_header(msg, now)
        swing = _joint_swing(now)  # once for all joints: joint_position's rule
        msg.position = array('d', [number + swing for number in numbers])
        return msg


def _new_message(kind: str):
    if kind == 'float64':
        return Float64()
    msg = Imu()
    msg.header.frame_id = 'imu_link'
    msg.orientation.w = 1.0
    msg.angular_velocity.z = 0.1
    msg.linear_acceleration.x = 0.5
    msg.linear_acceleration.z = 9.81
    return msg


def _wait_for_subscribers(publishers, wanted: int, timeout: float) -> int:
    """Wait until every publisher sees ``wanted`` subscriptions; return the fewest seen."""
    deadline = time.monotonic() + timeout
    while True:
        fewest = min(pub.get_subscription_count() for pub in publishers)
        if fewest >= wanted or time.monotonic() >= deadline:
            return fewest
        time.sleep(0.05)


def _message_source(kind: str, topics: int) -> Callable[[int, float], object]:
    """Return ``source(topic_index, now)``: the message to publish on that topic, stamped."""
    if kind in JOINT_KINDS:
        joint_states = JointStates()
        return lambda index, now: joint_states.next(now)
    stamp = _stamp_float64 if kind == 'float64' else _stamp_header
    messages = [_new_message(kind) for _ in range(topics)]

    def source(index: int, now: float) -> object:
        stamp(messages[index], now)
        return messages[index]
    return source


def _publish_loop(kind: str, publishers, rate: float, counter: mmap.mmap | None,
                  counts: list[int], spread: bool = False) -> None:
    source = _message_source(kind, len(publishers))
    # A tick publishes every topic, or with spread one topic, ticks coming that much faster.
    ticks = [[index] for index in range(len(publishers))] if spread else [
        list(range(len(publishers)))]
    period = 1.0 / rate / len(ticks)
    total = 0
    next_tick = time.monotonic()
    for tick in itertools.cycle(ticks):
        for index in tick:
            publishers[index].publish(source(index, time.time()))
            counts[index] += 1
        total += len(tick)
        if counter is not None:
            COUNTER.pack_into(counter, 0, total)
        next_tick += period
        delay = next_tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -MAX_LAG:
            next_tick = time.monotonic()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--kind', choices=sorted(KINDS), required=True)
    parser.add_argument('--rate', type=float, required=True, help='messages per second per topic')
    parser.add_argument('--topics', required=True, help='comma-separated topic names')
    parser.add_argument('--subscribers', type=int, default=1,
                        help='subscriptions to wait for on every topic before publishing')
    parser.add_argument('--wait', type=float, default=30.0, help='seconds to wait for them')
    parser.add_argument('--counter', help='file holding the running total (8 bytes, LE)')
    parser.add_argument('--spread', action='store_true',
                        help='publish the topics evenly spaced in time, not in the same tick')
    args = parser.parse_args(argv)
    topics = args.topics.split(',')
    # SIGINT and SIGTERM both end the run with a report, even when the parent was started
    # with SIGINT ignored (a background job of a shell), which children would inherit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    # No rclpy signal handler: nothing spins here, and SIGINT must stop the loop as a plain
    # KeyboardInterrupt before the context is shut down under a publish() call.
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    node = rclpy.create_node('bench_publisher')
    counts = [0] * len(topics)
    counter = None
    try:
        publishers = [
            node.create_publisher(message_class(args.kind), topic, qos_profile(args.kind))
            for topic in topics]
        matched = _wait_for_subscribers(publishers, args.subscribers, args.wait)
        if matched < args.subscribers:
            print(f'bench.publisher: only {matched} of {args.subscribers} subscribers matched '
                  f'within {args.wait} s', file=sys.stderr)
            return 3
        if args.counter:
            with open(args.counter, 'r+b') as counter_file:
                counter = mmap.mmap(counter_file.fileno(), COUNTER.size)
        print(json.dumps({'ready': True, 'subscribers': matched}), flush=True)
        _publish_loop(args.kind, publishers, args.rate, counter, counts, args.spread)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        print(json.dumps({'published': dict(zip(topics, counts, strict=True))}), flush=True)
        if counter is not None:
            counter.close()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
