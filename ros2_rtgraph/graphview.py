# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The ROS graph as the page's topic browser shows it, and the probe that measures one topic.

Pure: :func:`topic_entry` summarises what the graph lists for a topic (types, publishers, their
QoS) and whether the browser folds it away by default (:func:`is_hidden`); a
:class:`ProbeWriter` counts the messages a temporary subscription takes, for the rate shown
while a topic's row is open, and keeps the newest one's bytes, never deserialized unless the
page asks for the names its sequences hold (:func:`sequence_names`). The node owns the
subscriptions (:mod:`ros2_rtgraph.node`).
"""

from collections import deque
from collections.abc import Collection
from collections.abc import Sequence
import time
from typing import Any

from ros2_rtgraph.qos import Qos
from ros2_rtgraph.variables import is_namespace

#: Topics of the ROS infrastructure that the browser folds away by default.
INFRASTRUCTURE_TOPICS = frozenset({'/rosout', '/parameter_events'})
#: Seconds of arrivals a probe's rate is measured over.
RATE_WINDOW = 2.0
#: Arrival times a probe keeps (bounds its memory at any rate).
MAX_ARRIVALS = 4096
#: Names per sequence, and characters per name, that a probe reports.
MAX_NAMES = 256
MAX_NAME_CHARS = 100
#: The writer's Taken: (message or bytes, message info) pairs.
Taken = list[tuple[Any, dict]]


class ProbeError(Exception):
    """Raised when a topic cannot be probed: several types, one not installed, too many probes."""


def is_hidden(name: str) -> bool:
    """Tell whether the browser folds a topic away: hidden names (a part '_...'), /rosout, ..."""
    return name in INFRASTRUCTURE_TOPICS or any(
        part.startswith('_') for part in name.split('/'))


def _summary(values: Sequence[bool], yes: str, no: str) -> str | None:
    if not values:
        return None
    if all(values):
        return yes
    return no if not any(values) else 'mixed'


def topic_entry(name: str, types: Sequence[str], publishers: Sequence[Qos],
                subscribers: int, charted: bool) -> dict:
    """
    Describe one topic for the browser (JSON-ready).

    :param publishers: the QoS of each publisher the graph lists.
    :param subscribers: subscriptions the graph lists, the bridge's own included.
    :param charted: whether a series of the layout reads it.
    :return: ``{'name', 'types', 'publishers', 'subscribers', 'reliability', 'durability',
        'hidden', 'charted'}``; reliability 'reliable', 'best effort' or 'mixed', durability
        'transient local', 'volatile' or 'mixed', None for both without publishers.
    """
    return {
        'name': name, 'types': list(types), 'publishers': len(publishers),
        'subscribers': subscribers,
        'reliability': _summary([p.reliable for p in publishers], 'reliable', 'best effort'),
        'durability': _summary([p.latched for p in publishers], 'transient local', 'volatile'),
        'hidden': is_hidden(name), 'charted': charted,
    }


class ProbeWriter:
    """
    Count what a probe subscription takes; keep the newest message's bytes.

    Stands where a :class:`~ros2_rtgraph.writer.TopicWriter` does for the drain loop (one
    thread writes); :meth:`rate` is read on that thread too.
    """

    raw = True  # takes serialized messages: nothing is deserialized per message

    def __init__(self, msg_type: type, clock: Any = time.monotonic):
        """Start counting now (``clock``: seconds, monotonic) messages of ``msg_type``."""
        self.msg_type = msg_type
        self._clock = clock
        self.started = clock()
        #: When the page last asked (monotonic): a probe nobody asks about is dropped.
        self.polled = self.started
        self.messages = 0
        self.last: bytes | None = None
        self._arrivals: deque[float] = deque(maxlen=MAX_ARRIVALS)

    def write(self, taken: Taken) -> None:
        """Count messages taken in one go (the take's time stands for their arrivals)."""
        now = self._clock()
        self.messages += len(taken)
        self._arrivals.extend([now] * len(taken))
        self.last = taken[-1][0]

    def rate(self) -> float:
        """Return messages per second over the last :data:`RATE_WINDOW` s (or since the start)."""
        now = self._clock()
        since = max(now - RATE_WINDOW, self.started)
        count = sum(1 for t in self._arrivals if t > since)
        span = now - since
        return count / span if span > 0 else 0.0


def namespaces_with(rests: Sequence[str], names: Collection[str]) -> list[dict]:
    """
    Return the namespaces in which the graph has the topics a layout writes ``${ns}<rest>``.

    :param rests: what follows ``${ns}`` in those topics, e.g. ``['/imu/data', '/odom']``.
    :param names: the graph's topic names.
    :return: ``[{'ns', 'topics'}]``: each namespace with how many of the rests it has, most
        first (then by name); '' is the root namespace.
    """
    found: dict[str, int] = {}
    for rest in set(rests):
        for name in names:
            namespace = name[:-len(rest)] if name.endswith(rest) else None
            if namespace is not None and is_namespace(namespace):
                found[namespace] = found.get(namespace, 0) + 1
    return [{'ns': ns, 'topics': count}
            for ns, count in sorted(found.items(), key=lambda item: (-item[1], item[0]))]


def sequence_names(msg: Any, paths: Sequence[str]) -> dict[str, list[str]]:
    """
    Return what the string sequences at these paths hold in one message, bounded.

    :param paths: dotted paths without indexes, e.g. ``['name']`` for JointState.
    :return: path -> its strings (at most :data:`MAX_NAMES`, each cut to
        :data:`MAX_NAME_CHARS`); a path the message does not have is left out.
    """
    names = {}
    for path in paths:
        value: Any = msg
        try:
            for part in path.split('.'):
                value = getattr(value, part)
        except AttributeError:
            continue
        if isinstance(value, (list, tuple)):
            names[path] = [str(name)[:MAX_NAME_CHARS] for name in value[:MAX_NAMES]]
    return names
