# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The core imports and works without rclpy: only node, ingest, main, demo and rosdistro use it."""

import ast
from pathlib import Path
import subprocess
import sys

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / 'ros2_rtgraph'
#: The modules that import rclpy; every other module of the package is core.
ROS_MODULES = {
    'ros2_rtgraph.node', 'ros2_rtgraph.ingest', 'ros2_rtgraph.main', 'ros2_rtgraph.demo',
    'ros2_rtgraph.rosdistro'}
CORE_MODULES = [
    'ros2_rtgraph.config',
    'ros2_rtgraph.variables',
    'ros2_rtgraph.hosts',
    'ros2_rtgraph.budget',
    'ros2_rtgraph.fieldpath',
    'ros2_rtgraph.pathsyntax',
    'ros2_rtgraph.extract',
    'ros2_rtgraph.modifiers',
    'ros2_rtgraph.msgtypes',
    'ros2_rtgraph.ringbuffer',
    'ros2_rtgraph.cadence',
    'ros2_rtgraph.frames',
    'ros2_rtgraph.stats',
    'ros2_rtgraph.layout',
    'ros2_rtgraph.editing',
    'ros2_rtgraph.layoutfile',
    'ros2_rtgraph.fieldtree',
    'ros2_rtgraph.graphview',
    'ros2_rtgraph.qos',
    'ros2_rtgraph.topics',
    'ros2_rtgraph.writer',
    'ros2_rtgraph.rawdecode',
    'ros2_rtgraph.web.broadcast',
    'ros2_rtgraph.web.sse',
    'ros2_rtgraph.web.stream',
    'ros2_rtgraph.web.app',
    'ros2_rtgraph.web.export',
    'ros2_rtgraph.web.tokenfile',
    'ros2_rtgraph.web.logtext',
    'ros2_rtgraph.web.auth',
    'ros2_rtgraph.web.limits',
    'ros2_rtgraph.web.throttle',
    'ros2_rtgraph.web.connections',
    'ros2_rtgraph.web.server',
    'ros2_rtgraph.web.site',
    'ros2_rtgraph.web.explore',
    'ros2_rtgraph.web.responses',
]


def _modules() -> dict[str, Path]:
    """Return every module of the package by dotted name (packages by their __init__)."""
    modules = {}
    for path in sorted(PACKAGE.rglob('*.py')):
        parts = path.relative_to(PACKAGE.parent).with_suffix('').parts
        modules['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = path
    return modules


def _imported(path: Path) -> set[str]:
    """Return the modules a file imports, by absolute dotted name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_every_module_is_either_core_or_a_ros_one():
    listed = {*CORE_MODULES, *ROS_MODULES, 'ros2_rtgraph', 'ros2_rtgraph.web'}
    assert set(_modules()) == listed


@pytest.mark.parametrize('module', sorted(
    name for name in _modules() if name != 'ros2_rtgraph.main' and name != 'ros2_rtgraph.web'
    and not name.startswith('ros2_rtgraph.web.')))
def test_only_main_reaches_into_the_web_package_from_outside(module):
    imported = _imported(_modules()[module])
    upward = {name for name in imported if name.startswith('ros2_rtgraph.web')}
    assert not upward, f'{module} imports {sorted(upward)}'

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
