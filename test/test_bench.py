# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Smoke test of the benchmark harness: a quick run produces a well-formed report.

It runs ``python -m bench.run --quick`` for real (publishers, floor, rtgraph, an SSE client)
and checks the report's shape, that messages flowed, and that every process it started is
gone; the same for the ``joints`` kind's floor and publisher (with ``--spread``), whose
messages and bridge configuration are also checked directly. It never looks at a timing or
a ratio: those belong to the benchmark's reader.
"""

from dataclasses import asdict
import itertools
import json
import os
from pathlib import Path
import subprocess
import sys

import pytest

from bench.publisher import JOINT_NAMES
from bench.publisher import joint_position
from bench.publisher import JointStates
from bench.publisher import KINDS
from bench.run import _bridge_config
from bench.run import _clients_comparison
from bench.run import _parse_args
from bench.run import _scenarios
from bench.run import Scenario
from ros2_rtgraph.config import load_config

REPO = Path(__file__).resolve().parent.parent

TOP_KEYS = {'started', 'command', 'settings', 'scenarios', 'clients_comparison', 'soak',
            'error', 'machine'}
SCENARIO_KEYS = {'scenario', 'name', 'window_s', 'published_window', 'published_rate_hz',
                 'published_total', 'loadavg_1min', 'publisher', 'floor', 'bridge',
                 'clients_cpu_s', 'ratio_bridge_floor', 'processes'}
CPU_KEYS = {'cpu_s', 'cpu_percent', 'core', 'cpu_per_1000'}
BRIDGE_KEYS = CPU_KEYS | {
    'rings_samples', 'rings_share', 'frames_samples', 'frames_share', 'decimated',
    'rss_launch', 'rss_end', 'threads_launch', 'threads_end', 'fds_launch', 'fds_end',
    'rss_window_start', 'rss_window_end', 'latency_newest_ms', 'latency_all_ms',
    'client_errors', 'exit_status'}
LATENCY_KEYS = {'count', 'p50', 'p95', 'p99'}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _run_bench(path: Path, *args: str) -> dict:
    """Run ``python -m bench.run ARGS --json PATH``; return the report it wrote."""
    bench = subprocess.Popen(
        [sys.executable, '-m', 'bench.run', *args, '--json', str(path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = bench.communicate(timeout=150)
    finally:
        if bench.poll() is None:   # SIGTERM lets the benchmark end its own children first
            bench.terminate()
            bench.communicate(timeout=30)
    assert bench.returncode == 0, stdout + stderr
    assert str(path) in stdout
    return json.loads(path.read_text())


def test_quick_run_writes_a_complete_report(tmp_path):
    report = _run_bench(tmp_path / 'report.json', '--quick')
    assert TOP_KEYS <= report.keys()
    assert report['error'] is None
    assert {scenario['scenario']['kind'] for scenario in report['scenarios']} == {
        'float64', 'imu'}
    for scenario in report['scenarios']:
        assert SCENARIO_KEYS <= scenario.keys(), scenario['name']
        assert scenario['published_window'] > 0
        assert scenario['published_total'] >= scenario['published_window']
        assert CPU_KEYS | {'received', 'share'} <= scenario['floor'].keys()
        assert scenario['floor']['received'] > 0
        bridge = scenario['bridge']
        assert BRIDGE_KEYS <= bridge.keys()
        assert bridge['rings_samples'] > 0
        assert bridge['frames_samples'] > 0
        assert bridge['client_errors'] == []
        assert bridge['exit_status'] == 0
        for latency in (bridge['latency_newest_ms'], bridge['latency_all_ms']):
            assert LATENCY_KEYS <= latency.keys()
            assert latency['count'] > 0
        assert not [name for name, pid in scenario['processes'].items() if _alive(pid)]


def test_idle_scenario_runs_no_publisher_and_reports_core_seconds(tmp_path):
    report = _run_bench(tmp_path / 'report.json', '--kinds', 'float64', '--loads', '0x1',
                        '--clients', '1', '--warmup', '1', '--idle-duration', '2', '--drain', '0')
    assert report['error'] is None
    [scenario] = report['scenarios']
    assert scenario['name'] == 'idle 1cl'
    assert 'publisher' not in scenario and 'publisher' not in scenario['processes']
    assert scenario['published_window'] == 0
    for side in ('floor', 'bridge'):
        assert scenario[side]['cpu_per_1000'] is None
        assert 0 <= scenario[side]['core'] < 1
    assert scenario['bridge']['client_errors'] == []
    assert scenario['bridge']['exit_status'] == 0
    assert not [name for name, pid in scenario['processes'].items() if _alive(pid)]


def test_the_suite_covers_every_load_of_the_goals():
    names = [cell.name for cell in _scenarios(_parse_args([]))]
    assert names == [
        'idle 0cl', 'idle 1cl', 'float64 1000Hz x1 1cl', 'float64 1000Hz x1 10cl',
        'imu 1000Hz x1 1cl', 'imu 1000Hz x1 10cl', 'imu 1000Hz x1 1cl 50fps',
        'float64 100Hz x1 1cl', 'float64 100Hz x10 1cl', 'float64 100Hz x10 spread 1cl',
        'float64 100Hz x50 1cl', 'float64 100Hz x50 spread 1cl', 'joints_index 500Hz x1 1cl',
        'joints 500Hz x1 1cl']
    repeated = _scenarios(_parse_args(['--kinds', 'imu', '--loads', '1000x1', '--repeat', '2']))
    assert [cell.name for cell in repeated] == [
        'imu 1000Hz x1 1cl', 'imu 1000Hz x1 10cl', 'imu 1000Hz x1 1cl #2', 'imu 1000Hz x1 10cl #2']


def test_clients_comparison_pairs_one_and_most_clients_per_repeat():
    def result(clients: int, repeat: int, cpu: float) -> dict:
        cell = Scenario('imu', 1000.0, 1, clients, repeat=repeat)
        return {'scenario': asdict(cell), 'bridge': {'cpu_s': cpu}}
    rows = _clients_comparison([result(1, 0, 2.0), result(10, 0, 2.2), result(1, 1, 2.0),
                                result(10, 1, 3.0), result(10, 2, 9.0)])
    assert [(row['repeat'], row['ratio']) for row in rows] == [(0, 1.1), (1, 1.5)]


def test_joints_index_floor_and_bridge_config(tmp_path):
    path = tmp_path / 'bench.yaml'
    path.write_text(_bridge_config(Scenario('joints_index', 500.0, 1, 1)))
    assert [s.field for s in load_config(path).series] == [f'position[{i}]' for i in range(30)]
    report = _run_bench(tmp_path / 'report.json', '--quick', '--kinds', 'joints_index',
                        '--no-bridge')
    [scenario] = report['scenarios']
    assert scenario['samples_per_message'] == len(JOINT_NAMES)
    assert scenario['floor']['received'] > 0


def test_joints_floor_and_spread_publisher_run(tmp_path):
    report = _run_bench(tmp_path / 'report.json', '--quick', '--kinds', 'joints', '--no-bridge',
                        '--spread')
    assert report['error'] is None
    [scenario] = report['scenarios']
    assert scenario['scenario']['spread'] is True
    assert scenario['name'] == 'joints 100Hz x2 spread 0cl'
    assert scenario['samples_per_message'] == 2 * len(JOINT_NAMES)
    assert scenario['published_window'] > 0
    assert scenario['floor']['received'] > 0
    assert not [name for name, pid in scenario['processes'].items() if _alive(pid)]


def test_joint_states_shuffle_names_and_values_follow_them():
    messages = JointStates()
    orders = []
    for step in range(40):
        msg = messages.next(1000.0 + step / 7.0)
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9   # as a reader sees it
        orders.append(tuple(msg.name))
        assert sorted(msg.name) == sorted(JOINT_NAMES)
        for name, position in zip(msg.name, msg.position, strict=True):
            assert position == pytest.approx(joint_position(int(name[1:]), stamp), abs=1e-6)
    assert all(one != other for one, other in itertools.pairwise(orders))


def test_joints_bridge_config_charts_every_joint_by_name_and_the_slice(tmp_path):
    path = tmp_path / 'bench.yaml'
    path.write_text(_bridge_config(Scenario('joints', 500.0, 2, 1)))
    config = load_config(path)
    assert [s.field for s in config.series if s.topic == '/bench/joints_0'] == [
        *(f'position[name=="j{number}"]' for number in range(30)), 'position[:]']
    assert {s.topic for s in config.series} == {'/bench/joints_0', '/bench/joints_1'}
    assert {(s.type, s.stamp) for s in config.series} == {('sensor_msgs/msg/JointState', 'header')}
    assert KINDS['joints'].samples_per_message == 60
