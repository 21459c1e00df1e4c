# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""A steady load for tests: a real rclpy publisher driven by a thread at a given rate."""

import threading

from rclpy.qos import QoSProfile
from std_msgs.msg import Float64


class RatePublisher:
    """Publish Float64 1.0, 2.0, ... on a topic at about ``rate`` Hz from a thread, in batches."""

    def __init__(self, node, topic: str, rate: float, qos: QoSProfile | None = None):
        self.publisher = node.create_publisher(Float64, topic, qos or QoSProfile(depth=1000))
        self.batch = max(1, int(rate / 100))
        self.period = self.batch / rate
        self.stop_event = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._run, name='test-publisher', daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop_event.wait(self.period):
            for _ in range(self.batch):
                self.sent += 1
                self.publisher.publish(Float64(data=float(self.sent)))

    def close(self) -> None:
        """Stop publishing (the publisher stays until its node goes)."""
        self.stop_event.set()
        self.thread.join(5)
