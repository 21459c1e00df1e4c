# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The core imports and works without rclpy: only node, ingest, main, demo and rosdistro use it."""

import subprocess
import sys

import pytest

CORE_MODULES = [
    'ros2_rtgraph.config',
    'ros2_rtgraph.fieldpath',
    'ros2_rtgraph.msgtypes',
    'ros2_rtgraph.ringbuffer',
    'ros2_rtgraph.frames',
    'ros2_rtgraph.stats',
    'ros2_rtgraph.qos',
    'ros2_rtgraph.topics',
    'ros2_rtgraph.writer',
    'ros2_rtgraph.rawdecode',
    'ros2_rtgraph.web.broadcast',
    'ros2_rtgraph.web.sse',
    'ros2_rtgraph.web.stream',
    'ros2_rtgraph.web.app',
    'ros2_rtgraph.web.tokenfile',
    'ros2_rtgraph.web.logtext',
]

# A meta-path finder that makes any rclpy import fail, as on a machine without ROS.
BLOCKER = """
import importlib.abc
import sys


class BlockRclpy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == 'rclpy' or name.startswith('rclpy.'):
            raise ModuleNotFoundError(f'blocked for this test: {name}')
        return None


sys.meta_path.insert(0, BlockRclpy())
"""


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-c', BLOCKER + code], capture_output=True, text=True, check=False)


def test_blocker_really_blocks_rclpy():
    result = _run('import rclpy')
    assert result.returncode != 0
    assert 'blocked for this test: rclpy' in result.stderr


@pytest.mark.parametrize('module', CORE_MODULES)
def test_core_module_imports_without_rclpy(module):
    result = _run(f'import {module}\nassert "rclpy" not in sys.modules')
    assert result.returncode == 0, result.stderr


def test_demo_config_loads_without_rclpy():
    result = _run(
        'from ros2_rtgraph.config import default_config_path, load_config\n'
        'config = load_config(default_config_path())\n'
        'assert config.series, "the demo config charts no series"\n'
        'print(len(config.series))\n')
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 0
