# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Which QoS to subscribe a topic with, and whether that QoS hears a publisher: pure rules.

A subscription and a publisher match only where the offer meets the request: a reliable
subscription gets nothing from a best-effort publisher, a transient-local one nothing from a
volatile publisher. The two policies that decide it are all this module looks at, as plain
booleans, so the rules are tested without DDS; the node turns them into rclpy's
``QoSProfile`` and reads them from ``TopicEndpointInfo``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
import math

#: Rate (Hz) and pause (s) the default subscription depth is sized for: a topic at up to
#: SIZED_RATE loses nothing while the drain loop does not take for SIZED_PAUSE (its coalescing
#: pause, which lets at most a quarter of the depth wait, plus a stall of a loaded machine).
#: Publishers' depths cannot be read from the graph (endpoint info reports 0), so the size
#: cannot follow theirs.
SIZED_RATE = 2000
SIZED_PAUSE = 0.1
#: Subscription history depth when no series of a topic sets ``depth``.
AUTO_DEPTH = math.ceil(SIZED_RATE * SIZED_PAUSE)


@dataclass(frozen=True)
class Qos:
    """The policies of a subscription or a publisher that decide whether the two match."""

    reliable: bool
    latched: bool  # transient-local durability

    def describe(self) -> str:
        """Say it as the log does: 'reliable, volatile'."""
        return (f"{'reliable' if self.reliable else 'best_effort'}, "
                f"{'transient_local' if self.latched else 'volatile'}")


#: The sensor-data preset (rclpy's ``qos_profile_sensor_data``): best effort, volatile, which
#: hears every publisher.
SENSOR_DATA = Qos(reliable=False, latched=False)


def choose_qos(publishers: Sequence[Qos], requested: str) -> Qos:
    """
    Choose the subscription QoS for a topic, as ``ros2 topic echo`` does.

    Reliable only when every publisher is reliable; transient-local only when every publisher
    is (so late joiners still get latched data without making volatile publishers
    incompatible); the sensor-data preset when no publisher is known yet.

    :param publishers: QoS of the publishers in the graph, possibly none.
    :param requested: the topic's ``qos`` setting: 'auto', or 'sensor_data', 'reliable' or
        'best_effort', which win over the publishers.
    :return: the QoS to subscribe with.
    """
    if requested == 'sensor_data' or (requested == 'auto' and not publishers):
        return SENSOR_DATA
    if requested == 'auto':
        return Qos(reliable=all(p.reliable for p in publishers),
                   latched=all(p.latched for p in publishers))
    return Qos(reliable=requested == 'reliable', latched=False)


def hears(subscription: Qos, publisher: Qos) -> bool:
    """Tell whether a subscription with this QoS gets the messages of that publisher."""
    return (publisher.reliable or not subscription.reliable) and (
        publisher.latched or not subscription.latched)
