# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The one place that decides differences between ROS 2 distributions (Humble, Jazzy, Kilted).

Iron renamed ``rclpy.qos_event`` to ``rclpy.event_handler`` (the old name warns from Jazzy on)
and replaced ``ROS_LOCALHOST_ONLY=1`` by ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``. Both moved
together, so one import decides both.
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

__all__ = [
    'LOCALHOST_DISCOVERY_ENV',
    'PublisherEventCallbacks',
    'QoSRequestedIncompatibleQoSInfo',
    'SubscriptionEventCallbacks',
]
