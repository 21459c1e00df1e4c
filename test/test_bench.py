# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Smoke test of the benchmark harness: a quick run produces a well-formed report.

It runs ``python -m bench.run --quick`` for real (publishers, floor, rtgraph, an SSE client)
and checks the report's shape, that messages flowed, and that every process it started is
gone. It never looks at a timing or a ratio: those belong to the benchmark's reader.
"""

import json
import os
from pathlib import Path
import subprocess
import sys

REPO = Path(__file__).resolve().parent.parent

TOP_KEYS = {'started', 'command', 'settings', 'scenarios', 'clients_comparison', 'soak',
            'error', 'machine'}
SCENARIO_KEYS = {'scenario', 'name', 'window_s', 'published_window', 'published_rate_hz',
                 'published_total', 'loadavg_1min', 'publisher', 'floor', 'bridge',
                 'clients_cpu_s', 'ratio_bridge_floor', 'processes'}
CPU_KEYS = {'cpu_s', 'cpu_percent', 'cpu_per_1000'}
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


def test_quick_run_writes_a_complete_report(tmp_path):
    path = tmp_path / 'report.json'
    bench = subprocess.Popen(
        [sys.executable, '-m', 'bench.run', '--quick', '--json', str(path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = bench.communicate(timeout=150)
    finally:
        if bench.poll() is None:   # SIGTERM lets the benchmark end its own children first
            bench.terminate()
            bench.communicate(timeout=30)
    assert bench.returncode == 0, stdout + stderr
    assert str(path) in stdout

    report = json.loads(path.read_text())
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
