# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: one ROS domain per test run, discovery kept on this machine."""

import os

import pytest


def _pick_domain_id() -> int:
    """Pick a ROS_DOMAIN_ID in 1..101 from the process id, so parallel runs rarely share one."""
    return 1 + os.getpid() % 101


# Set at import time so every rclpy context and every child process of this run inherits it.
os.environ.setdefault('ROS_DOMAIN_ID', str(_pick_domain_id()))
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'  # Jazzy and newer
os.environ['ROS_LOCALHOST_ONLY'] = '1'  # Humble
os.environ.setdefault('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp')


@pytest.fixture(scope='session')
def ros_domain_id() -> int:
    """Return the ROS domain this test run uses."""
    return int(os.environ['ROS_DOMAIN_ID'])
