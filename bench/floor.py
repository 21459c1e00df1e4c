# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The floor: the cheapest honest rclpy subscriber, measured in the same run as the bridge.

Standard ``SingleThreadedExecutor`` spin, one subscription per topic with the publishers'
QoS, and a callback that only appends the charted value to a list: whatever the bridge does
on top of this (stamps, rings, frames, HTTP) is its own cost. For ``joints`` the callback does
the bridge's job the plain way: it maps names to indices once per message, appends each of the
30 wanted positions to its list, and the message's whole position array to one more (the
slice). On SIGINT it prints ``{"received": {topic: messages}}`` on stdout and exits.
"""

import argparse
from collections.abc import Callable
import json
import operator
import sys

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.executors import SingleThreadedExecutor

from bench.publisher import JOINT_NAMES
from bench.publisher import KINDS
from bench.publisher import message_class
from bench.publisher import qos_profile


def _appender(values: list, field: str) -> Callable:
    """Return a callback that appends the field's value to ``values``."""
    read = operator.attrgetter(field)
    append = values.append
    return lambda msg: append(read(msg))


def _joints_appender(arrays: list) -> Callable:
    """Return a callback that appends JOINT_NAMES' positions by name, and the position array."""
    positions: list[list[float]] = [[] for _ in JOINT_NAMES]
    appends = [(name, values.append) for name, values in zip(JOINT_NAMES, positions, strict=True)]

    def on_message(msg) -> None:
        index = {name: i for i, name in enumerate(msg.name)}
        position = msg.position
        for name, append in appends:
            append(position[index[name]])
        arrays.append(position)
    return on_message


def _indices_appender(arrays: list) -> Callable:
    """Return a callback that appends the first len(JOINT_NAMES) positions, each to its list."""
    positions: list[list[float]] = [[] for _ in JOINT_NAMES]
    appends = [values.append for values in positions]

    def on_message(msg) -> None:
        position = msg.position
        for index, append in enumerate(appends):
            append(position[index])
        arrays.append(None)  # one entry per message: the count
    return on_message


APPENDERS = {'joints': _joints_appender, 'joints_index': _indices_appender}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--kind', choices=sorted(KINDS), required=True)
    parser.add_argument('--topics', required=True, help='comma-separated topic names')
    args = parser.parse_args(argv)
    topics = args.topics.split(',')
    kind = KINDS[args.kind]

    rclpy.init()
    node = rclpy.create_node('bench_floor')
    # One entry per message on each topic, so the counts are messages whatever the kind.
    received: dict[str, list] = {topic: [] for topic in topics}
    executor = SingleThreadedExecutor()
    try:
        for topic in topics:
            appender = APPENDERS.get(args.kind)
            callback = (appender(received[topic]) if appender
                        else _appender(received[topic], kind.fields[0]))
            node.create_subscription(message_class(args.kind), topic, callback,
                                     qos_profile(args.kind))
        executor.add_node(node)
        print(json.dumps({'ready': True}), flush=True)
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        print(json.dumps({'received': {topic: len(v) for topic, v in received.items()}}),
              flush=True)
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
