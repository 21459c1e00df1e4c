# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
rosdistro.py takes each distribution's path; the Humble one is forced here.

No Humble wheels exist, and Jazzy and Kilted both have ``rclpy.event_handler``. Humble has only
``rclpy.qos_event``; on Jazzy and Kilted that module is a warning shim that re-imports
``rclpy.event_handler``. So the test refuses the first import of ``rclpy.event_handler`` (the one
rosdistro.py makes) and lets the shim's import through: rosdistro then takes its Humble branch.
"""

import subprocess
import sys

FORCE_HUMBLE = """
import importlib.abc
import sys
import warnings

warnings.simplefilter('ignore', UserWarning)  # the shim's deprecation notice


class RefuseOnce(importlib.abc.MetaPathFinder):
    refused = False

    def find_spec(self, name, path=None, target=None):
        if name == 'rclpy.event_handler' and not RefuseOnce.refused:
            RefuseOnce.refused = True
            raise ModuleNotFoundError('rclpy.event_handler (Humble has none)')
        return None


sys.meta_path.insert(0, RefuseOnce())
from ros2_rtgraph import rosdistro
assert RefuseOnce.refused
print(rosdistro.LOCALHOST_DISCOVERY_ENV)
print('rclpy.qos_event' in sys.modules)
callbacks = rosdistro.SubscriptionEventCallbacks(incompatible_qos=lambda info: None)
print(type(callbacks).__name__)
"""


def test_humble_branch_uses_qos_event_and_localhost_only():
    result = subprocess.run(
        [sys.executable, '-c', FORCE_HUMBLE], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    env, took_qos_event, name = result.stdout.split('\n')[:3]
    assert env == "{'ROS_LOCALHOST_ONLY': '1'}"
    assert took_qos_event == 'True'
    assert name == 'SubscriptionEventCallbacks'


def test_this_distribution_takes_the_event_handler_branch():
    from ros2_rtgraph import rosdistro

    assert rosdistro.LOCALHOST_DISCOVERY_ENV == {'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST'}
    assert rosdistro.SubscriptionEventCallbacks.__module__ == 'rclpy.event_handler'
    assert 'rclpy.qos_event' not in sys.modules
