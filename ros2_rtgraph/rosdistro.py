# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The one place that decides differences between ROS 2 distributions (Humble, Jazzy, Kilted).

Iron renamed ``rclpy.qos_event`` to ``rclpy.event_handler`` (the old name warns from Jazzy on)
and replaced ``ROS_LOCALHOST_ONLY=1`` by ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``. Both moved
together, so one import decides both.

The bridge's drain loop (:mod:`ros2_rtgraph.ingest`) needs rclpy's internal wait set and
``Subscription.take_message(msg_type, raw)``. Humble (rclpy 3.3), Jazzy (7.1) and Kilted (9.1)
all have them with the same signatures (``rclpy.wait_for_message`` uses them); where they are
missing, ``DRAIN_INGEST`` is False and the node falls back to callbacks on the standard
executor.

``Subscription.get_publisher_count()`` (how many publishers DDS matched to a subscription) came
with rclpy 4.0 (Iron): Jazzy and Kilted have it, Humble does not. Where it is missing,
``MATCHED_COUNT`` is False and the node cannot notice a subscription that discovery never
matched to the publishers the graph lists.
"""

try:
    from rclpy.event_handler import PublisherEventCallbacks
    from rclpy.event_handler import QoSRequestedIncompatibleQoSInfo
    from rclpy.event_handler import SubscriptionEventCallbacks

    #: Environment that keeps DDS discovery on this machine.
    LOCALHOST_DISCOVERY_ENV = {'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST'}
except ImportError:  # Humble
    from rclpy.qos_event import PublisherEventCallbacks
    from rclpy.qos_event import QoSRequestedIncompatibleQoSInfo
    from rclpy.qos_event import SubscriptionEventCallbacks

    LOCALHOST_DISCOVERY_ENV = {'ROS_LOCALHOST_ONLY': '1'}

try:
    from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy

    #: rclpy's wait set: ``WaitSet(subscriptions, guards, timers, clients, services, events,
    #: context_handle)``, ``clear_entities()``, ``add_subscription(handle)`` (and guard
    #: conditions, timers, clients, services), ``wait(timeout_ns)``,
    #: ``get_ready_entities('subscription')`` -> handle pointers. None where rclpy has none.
    WaitSet: type[_rclpy.WaitSet] | None = _rclpy.WaitSet
    #: Whether the drain loop can run here.
    DRAIN_INGEST = all(hasattr(WaitSet, name) for name in (
        'clear_entities', 'add_subscription', 'add_guard_condition', 'add_timer', 'add_client',
        'add_service', 'wait', 'get_ready_entities')) and hasattr(
        _rclpy.Subscription, 'take_message')
except (ImportError, AttributeError):
    WaitSet = None
    DRAIN_INGEST = False

# After the first block: rclpy.subscription imports rclpy.event_handler itself, and the first
# block has to be the one that tries it first.
from rclpy.subscription import Subscription

#: Whether a subscription can tell how many publishers it is matched to.
MATCHED_COUNT = hasattr(Subscription, 'get_publisher_count')

__all__ = [
    'DRAIN_INGEST',
    'LOCALHOST_DISCOVERY_ENV',
    'MATCHED_COUNT',
    'PublisherEventCallbacks',
    'QoSRequestedIncompatibleQoSInfo',
    'SubscriptionEventCallbacks',
    'WaitSet',
]
