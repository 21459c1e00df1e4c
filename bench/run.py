# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Benchmark of the bridge: ``python -m bench.run [--quick | --soak SECONDS]``.

Each scenario (message kind x load x SSE clients) starts real processes on loopback with
its own ROS domain: the real ``rtgraph`` (``python -m ros2_rtgraph.main``), the floor (a
bare rclpy subscriber, :mod:`bench.floor`) on the same topics, N SSE clients
(:mod:`bench.sse_reader`) and one publisher (:mod:`bench.publisher`). After a warm-up it
measures a window: whole-process CPU (user + sys from /proc) of the bridge and of the floor
per 1000 messages published in the window, then stops the publisher, lets the pipeline
drain and reads what arrived. Results are printed as a table and written as JSON to
``bench/results/<timestamp>.json``. Nothing here asserts a timing.
"""

import argparse
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
import dataclasses
from dataclasses import asdict
from dataclasses import dataclass
import datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
import json
import math
import mmap
import os
from pathlib import Path
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from bench.procstat import ProcSample
from bench.procstat import sample
from bench.publisher import COUNTER
from bench.publisher import KINDS
from bench.sse_reader import LATENCY_BINS_PER_SECOND
from ros2_rtgraph.rosdistro import LOCALHOST_DISCOVERY_ENV

RESULTS_DIR = Path(__file__).resolve().parent / 'results'
DEFAULT_KINDS = ('float64', 'imu')
DEFAULT_LOADS = ('1000x1', '100x10')   # rate per topic x topics: 1 kHz, and 1 kHz over 10 topics
# Kinds whose messages carry many series have a default load of their own.
KIND_LOADS = {'joints': ('500x1',), 'joints_index': ('500x1',)}
DEFAULT_CLIENTS = (1, 10)
SOAK_KIND, SOAK_LOAD, SOAK_CLIENTS = 'imu', '1000x1', 3
SOAK_WARMUP = 30.0     # long enough for the rings to fill before the start figures are taken
SOAK_INTERVAL = 10.0   # seconds between RSS / thread / fd samples in a soak
START_TIMEOUT = 30.0   # seconds a child may take to report ready
STOP_TIMEOUT = 5.0     # seconds a child gets after SIGINT before SIGTERM, and again before SIGKILL
# Window of an idle scenario: /proc counts CPU in 10 ms ticks, 0.0002 core/s in 45 s.
IDLE_DURATION = 45.0


class BenchError(Exception):
    """Raised when a benchmark process fails to start, dies early or reports nonsense."""


@dataclass(frozen=True)
class Scenario:
    """One cell of the matrix; ``rate`` 0 is the idle bridge (no publisher at all)."""

    kind: str       # key of bench.publisher.KINDS
    rate: float     # messages per second per topic
    topics: int
    clients: int    # SSE clients of the bridge
    floor: bool = True
    bridge: bool = True
    spread: bool = False  # topics published evenly spaced in time instead of in one tick
    frame_rate: float = 20.0  # the bridge's SSE data events per second
    repeat: int = 0  # which run of the same cell (--repeat)

    @property
    def idle(self) -> bool:
        return self.rate == 0

    @property
    def name(self) -> str:
        load = 'idle' if self.idle else f'{self.kind} {self.rate:g}Hz x{self.topics}'
        spread = ' spread' if self.spread else ''
        fps = '' if self.frame_rate == 20.0 else f' {self.frame_rate:g}fps'
        repeat = f' #{self.repeat + 1}' if self.repeat else ''
        return f'{load}{spread} {self.clients}cl{fps}{repeat}'

    @property
    def topic_names(self) -> list[str]:
        return [f'/bench/{self.kind}_{index}' for index in range(self.topics)]


#: What ``make bench`` runs when no --kinds, --loads or --clients are given: each load the
#: performance goals name, one table.
SUITE = (
    Scenario('float64', 0, 1, 0), Scenario('float64', 0, 1, 1),
    Scenario('float64', 1000, 1, 1), Scenario('float64', 1000, 1, 10),
    Scenario('imu', 1000, 1, 1), Scenario('imu', 1000, 1, 10),
    Scenario('imu', 1000, 1, 1, frame_rate=50.0),
    Scenario('float64', 100, 1, 1),
    Scenario('float64', 100, 10, 1), Scenario('float64', 100, 10, 1, spread=True),
    Scenario('float64', 100, 50, 1), Scenario('float64', 100, 50, 1, spread=True),
    Scenario('joints_index', 500, 1, 1), Scenario('joints', 500, 1, 1),
)


@dataclass(frozen=True)
class Timing:
    """Phases of a scenario, in seconds."""

    warmup: float
    duration: float
    drain: float
    interval: float | None = None   # sample the bridge's resources this often (soak)
    idle: float = IDLE_DURATION     # the window of an idle scenario


class Child:
    """
    A benchmark process: stdout lines collected by a thread, stderr kept in a log file.

    Children speak one JSON object per stdout line; the last one is their final report.
    """

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log = log_dir / f'{name}.log'
        self._lines: list[str] = []
        self._changed = threading.Condition()
        with open(self.log, 'wb') as stderr:
            self.process = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                env=env, text=True)
        self._reader = threading.Thread(target=self._collect, name=f'{name}-stdout', daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _collect(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self._lines.append(line.rstrip('\n'))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_line(self, accept: Callable[[str], bool], timeout: float) -> str:
        """Return the first stdout line ``accept`` takes; raise BenchError on exit or timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self._lines:
                    if accept(line):
                        return line
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise BenchError(f'{self.name} exited with {self.process.returncode} '
                                     f'before it was ready{self.stderr_tail()}')
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError(f'{self.name} not ready after {timeout} s'
                                     f'{self.stderr_tail()}')
                self._changed.wait(min(left, 0.5))

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        self.wait_line(lambda line: _json_line(line).get('ready') is True, timeout)

    def last_json(self) -> dict:
        with self._changed:
            for line in reversed(self._lines):
                report = _json_line(line)
                if report:
                    return report
        return {}

    def send(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def stop(self) -> int:
        """End the process: SIGINT, then SIGTERM, then SIGKILL; return its exit status."""
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            self.send(signum)
            try:
                self.process.wait(STOP_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                continue
        self._reader.join(STOP_TIMEOUT)
        self.process.stdout.close()
        return self.process.returncode

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors='replace').splitlines()[-lines:]
        except OSError:
            return ''
        return ''.join(f'\n  {self.name}: {line}' for line in text)


def _json_line(line: str) -> dict:
    if not line.startswith('{'):
        return {}
    try:
        report = json.loads(line)
    except ValueError:
        return {}
    return report if isinstance(report, dict) else {}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _bench_env() -> dict[str, str]:
    """Child environment: one ROS domain for the whole benchmark, discovery on this host."""
    env = dict(os.environ)
    env.setdefault('ROS_DOMAIN_ID', str(1 + os.getpid() % 101))
    env.update(LOCALHOST_DISCOVERY_ENV)  # rosdistro decides which variable this ROS reads
    env['PYTHONUNBUFFERED'] = '1'
    return env


def _bridge_config(scenario: Scenario) -> str:
    """Return the rtgraph YAML: one chart per topic, its kind's fields (value or stamp timed)."""
    kind = KINDS[scenario.kind]
    lines = [
        'server:',
        '  host: 127.0.0.1',
        f'  frame_rate: {scenario.frame_rate}',
        '  max_points: 500',
        '  window: 30',
        '  buffer: 20000',
        f'  max_clients: {max(16, scenario.clients + 2)}',
        "  token: ''",
        'charts:',
    ]
    for topic in scenario.topic_names:
        lines += [f'  - title: {topic}', '    series:']
        for field in kind.fields:
            lines += [
                f'      - topic: {topic}',
                f"        field: '{field}'",   # quoted: a field may hold '"' or '{'
                f'        type: {kind.type_name}',
                f'        stamp: {kind.stamp}',
            ]
    return '\n'.join(lines) + '\n'


def _percentiles(histograms: list[dict[str, int]]) -> dict:
    """Nearest-rank p50/p95/p99 in ms of the clients' latency histograms, and their count."""
    counts: Counter[int] = Counter()
    for histogram in histograms:
        counts.update({int(latency_bin): count for latency_bin, count in histogram.items()})
    total = sum(counts.values())
    result: dict = {'count': total}
    bins = sorted(counts)
    for name, share in (('p50', 0.50), ('p95', 0.95), ('p99', 0.99)):
        rank, seen, value = max(1, math.ceil(share * total)), 0, None
        for latency_bin in bins:
            seen += counts[latency_bin]
            if seen >= rank:
                value = round(latency_bin * 1000 / LATENCY_BINS_PER_SECOND, 1)
                break
        result[name] = value
    return result


def _per_1000(cpu: float, messages: int) -> float | None:
    return round(cpu / messages * 1000, 4) if messages else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _read_counter(counter: mmap.mmap) -> int:
    return COUNTER.unpack_from(counter, 0)[0]


class _ScenarioRun:
    """The processes of one scenario and the figures read from them."""

    def __init__(self, scenario: Scenario, timing: Timing, work: Path):
        self.scenario = scenario
        self.timing = timing
        self.work = work
        self.env = _bench_env()
        self.children: list[Child] = []
        self.bridge: Child | None = None
        self.floor: Child | None = None
        self.readers: list[Child] = []
        self.publisher: Child | None = None
        self.bridge_samples: list[dict] = []

    def _start(self, name: str, argv: list[str]) -> Child:
        child = Child(name, argv, self.env, self.work)
        self.children.append(child)
        return child

    def _module(self, module: str, *args: str) -> list[str]:
        return [sys.executable, '-m', module, *args]

    def start_bridge(self) -> str:
        config = self.work / 'bench.yaml'
        config.write_text(_bridge_config(self.scenario))
        port = _free_port()
        self.bridge = self._start('rtgraph', self._module(
            'ros2_rtgraph.main', '--ros-args', '-p', f'config_file:={config}',
            '-p', f'port:={port}'))
        line = self.bridge.wait_line(lambda text: 'serving on ' in text, START_TIMEOUT)
        url = line.split('serving on ', 1)[1].strip()
        base, _, query = url.partition('?')
        return base.rstrip('/') + '/stream' + (f'?{query}' if query else '')

    def run(self) -> dict:
        scenario, timing = self.scenario, self.timing
        topics = ','.join(scenario.topic_names)
        kind = KINDS[scenario.kind]
        counter_path = self.work / 'published.counter'
        counter_path.write_bytes(bytes(COUNTER.size))
        result: dict = {'scenario': asdict(scenario), 'name': scenario.name,
                        'samples_per_message': kind.samples_per_message}
        try:
            subscribers = 0
            if scenario.bridge:
                stream_url = self.start_bridge()
                subscribers += 1
                bridge_launch = sample(self.bridge.pid)
            if scenario.floor:
                self.floor = self._start('floor', self._module(
                    'bench.floor', '--kind', scenario.kind, '--topics', topics))
                self.floor.wait_ready()
                subscribers += 1
            if scenario.bridge:
                for index in range(scenario.clients):
                    self.readers.append(self._start(f'client{index}', self._module(
                        'bench.sse_reader', '--url', stream_url,
                        '--latency-from', kind.latency_from)))
                for reader in self.readers:
                    reader.wait_ready()
            if not scenario.idle:
                self.publisher = self._start('publisher', self._module(
                    'bench.publisher', '--kind', scenario.kind, '--rate', str(scenario.rate),
                    '--topics', topics, '--subscribers', str(subscribers),
                    '--wait', str(START_TIMEOUT), '--counter', str(counter_path),
                    *(['--spread'] if scenario.spread else [])))
                self.publisher.wait_ready(START_TIMEOUT + 5)
            with open(counter_path, 'r+b') as counter_file:
                counter = mmap.mmap(counter_file.fileno(), COUNTER.size)
                try:
                    window = self._measure(counter)
                finally:
                    counter.close()
            published = {}
            if self.publisher is not None and self.publisher.stop() == 0:
                published = self.publisher.last_json()
            time.sleep(timing.drain)
            result.update(window)
            result['published_total'] = sum(published.get('published', {}).values())
            if scenario.floor:
                result['floor'].update(self._floor_result(result['published_total']))
            if scenario.bridge:
                result['bridge'].update(self._bridge_result(
                    bridge_launch, result['published_total'] * kind.samples_per_message))
        finally:
            self.stop_all()
            result['processes'] = {child.name: child.pid for child in self.children}
        if scenario.bridge:
            result['bridge']['exit_status'] = self.bridge.process.returncode
        if scenario.bridge and scenario.floor:
            unit = 'core' if scenario.idle else 'cpu_per_1000'
            floor_cpu, bridge_cpu = result['floor'][unit], result['bridge'][unit]
            result['ratio_bridge_floor'] = (
                round(bridge_cpu / floor_cpu, 3) if floor_cpu and bridge_cpu else None)
        return result

    def _sample_all(self) -> dict[str, ProcSample]:
        samples = {}
        for child in self.children:
            try:
                samples[child.name] = sample(child.pid)
            except OSError as exc:
                raise BenchError(f'{child.name} died during the measurement'
                                 f'{child.stderr_tail()}') from exc
        return samples

    def _measure(self, counter: mmap.mmap) -> dict:
        """Warm up, then measure CPU of every process over the window."""
        time.sleep(self.timing.warmup)
        before, count0, t0 = self._sample_all(), _read_counter(counter), time.monotonic()
        for reader in self.readers:
            reader.send(signal.SIGUSR1)
        if self.bridge and self.timing.interval:
            self._soak(t0)
        else:
            time.sleep(self.timing.idle if self.scenario.idle else self.timing.duration)
        after, count1, t1 = self._sample_all(), _read_counter(counter), time.monotonic()
        for reader in self.readers:
            reader.send(signal.SIGUSR2)
        seconds = t1 - t0
        messages = count1 - count0
        window = {
            'window_s': round(seconds, 3),
            'published_window': messages,
            'published_rate_hz': round(messages / seconds, 1),
            'loadavg_1min': round(os.getloadavg()[0], 2),
        }

        def cpu(name: str) -> dict:
            used = after[name].cpu - before[name].cpu
            return {'cpu_s': round(used, 3), 'cpu_percent': round(100 * used / seconds, 1),
                    'core': round(used / seconds, 5), 'cpu_per_1000': _per_1000(used, messages)}

        if self.publisher:
            window['publisher'] = cpu('publisher')
        if self.floor:
            window['floor'] = cpu('floor')
        if self.bridge:
            window['bridge'] = cpu('rtgraph')
            window['bridge'].update(
                rss_window_start=before['rtgraph'].rss, rss_window_end=after['rtgraph'].rss,
                threads_window_start=before['rtgraph'].threads,
                threads_window_end=after['rtgraph'].threads,
                fds_window_start=before['rtgraph'].fds, fds_window_end=after['rtgraph'].fds)
            reader_cpu = sum(after[r.name].cpu - before[r.name].cpu for r in self.readers)
            window['clients_cpu_s'] = round(reader_cpu, 3)
        return window

    def _soak(self, t0: float) -> None:
        """Sleep through the window, sampling the bridge every ``interval`` seconds."""
        end = t0 + self.timing.duration
        while True:
            now = time.monotonic()
            reading = sample(self.bridge.pid)
            self.bridge_samples.append({
                'elapsed_s': round(now - t0, 1), 'rss': reading.rss,
                'threads': reading.threads, 'fds': reading.fds, 'cpu_s': reading.cpu})
            if now >= end:
                return
            time.sleep(min(self.timing.interval, end - now))

    def _floor_result(self, published: int) -> dict:
        status = self.floor.stop()
        received = sum(self.floor.last_json().get('received', {}).values())
        return {'received': received, 'share': _share(received, published),
                'exit_status': status}

    def _bridge_result(self, launch: ProcSample, expected: int) -> dict:
        """Figures of the bridge; ``expected``: the samples the messages published should give."""
        end = sample(self.bridge.pid)
        reports = []
        for reader in self.readers:
            reader.stop()
            reports.append(reader.last_json())
        first = reports[0] if reports else {}
        stats = first.get('stats', {})
        rings = sum(series.get('samples', 0) for series in stats.values())
        decimated = sum(series.get('decimated', 0) for series in stats.values())
        frames = sum(first.get('points', {}).values()) + decimated
        newest = [report.get('latency_newest', {}) for report in reports]
        every = [report.get('latency_all', {}) for report in reports]
        return {
            'rings_samples': rings, 'rings_share': _share(rings, expected),
            'frames_samples': frames, 'frames_share': _share(frames, expected),
            'decimated': decimated,
            'rss_launch': launch.rss, 'rss_end': end.rss,
            'threads_launch': launch.threads, 'threads_end': end.threads,
            'fds_launch': launch.fds, 'fds_end': end.fds,
            'latency_newest_ms': _percentiles(newest),
            'latency_all_ms': _percentiles(every),
            'client_errors': [r.get('error') for r in reports if r.get('error')],
            'soak_samples': self.bridge_samples,
        }

    def stop_all(self) -> None:
        """End every process this scenario started, newest first, whatever happened."""
        for child in reversed(self.children):
            child.stop()


def run_scenario(scenario: Scenario, timing: Timing) -> dict:
    """
    Run one scenario with fresh processes and return its figures.

    :param scenario: what to start.
    :param timing: warm-up, window and drain durations.
    :return: a JSON-ready dict (see README.md for the keys).
    :raise BenchError: when a process fails; every process started is ended first.
    """
    with tempfile.TemporaryDirectory(prefix='rtgraph-bench-') as work:
        return _ScenarioRun(scenario, timing, Path(work)).run()


def _parse_load(text: str) -> tuple[float, int]:
    rate, _, topics = text.partition('x')
    try:
        return float(rate), int(topics or 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f'load {text!r} is not RATExTOPICS') from None


def wake_cost_us(wakes: int = 40, period: float = 0.05) -> float:
    """
    Return the CPU microseconds one thread spends per wake-up from a short sleep, here and now.

    Every periodic wake-up of the bridge costs at least this; on a shared VM it varies tenfold
    within hours, which is what an idle figure mostly measures.
    """
    spent: list[float] = []

    def sleeper() -> None:
        began = time.thread_time()
        for _ in range(wakes):
            time.sleep(period)
        spent.append(time.thread_time() - began)

    thread = threading.Thread(target=sleeper)
    thread.start()
    thread.join()
    return round(spent[0] / wakes * 1e6, 1)


def _machine(loadavg_start: tuple[float, float, float]) -> dict:
    model = ''
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    try:
        rclpy_version = version('rclpy')
    except PackageNotFoundError:
        rclpy_version = 'unknown'
    return {
        'cpus': os.cpu_count(), 'cpu_model': model, 'kernel': platform.release(),
        'python': platform.python_version(), 'rclpy': rclpy_version,
        'rmw': os.environ.get('RMW_IMPLEMENTATION', 'default'),
        'loadavg_start': [round(x, 2) for x in loadavg_start],
        'wake_us': wake_cost_us(),
    }


def _clients_comparison(results: list[dict]) -> list[dict]:
    """Bridge CPU with the most clients over CPU with one client, per cell and repeat."""
    rows = []
    by_key: dict[tuple, dict[int, dict]] = {}
    for result in results:
        if 'bridge' not in result or Scenario(**result['scenario']).idle:
            continue
        scenario = result['scenario']
        key = tuple(scenario[name] for name in (
            'kind', 'rate', 'topics', 'spread', 'frame_rate', 'repeat'))
        by_key.setdefault(key, {})[scenario['clients']] = result
    for (kind, rate, topics, spread, frame_rate, repeat), runs in by_key.items():
        most = max(runs)
        if 1 in runs and most > 1:
            one, many = runs[1]['bridge']['cpu_s'], runs[most]['bridge']['cpu_s']
            rows.append({'kind': kind, 'rate': rate, 'topics': topics, 'spread': spread,
                         'frame_rate': frame_rate, 'repeat': repeat, 'clients': most,
                         'cpu_s_1': one, f'cpu_s_{most}': many,
                         'ratio': round(many / one, 3) if one else None})
    return rows


def _fmt(value, spec: str = '') -> str:
    return '-' if value is None else format(value, spec)


def _mb(value: int | None) -> str:
    return '-' if value is None else f'{value / 2**20:.0f}'


def print_table(report: dict) -> None:
    """Print the scenario results as a fixed-width table."""
    width = max(24, *(len(result['name']) for result in report['scenarios']))
    header = (f'{"scenario":<{width}} {"pub Hz":>7} {"floor":>7} {"bridge":>7} {"ratio":>6} '
              f'{"floor%":>7} {"rings%":>7} {"lost":>5} {"frame%":>7} {"lat p50/p95/p99 ms":>20} '
              f'{"all p99":>8} {"RSS MB":>9}')
    print('CPU-s per 1000 published messages (whole process, user+sys), idle rows: CPU-s per'
          ' second; shares of published; lost: published messages that never reached the'
          ' rings (a share rounds them away)')
    print(header)
    print('-' * len(header))
    for result in report['scenarios']:
        floor = result.get('floor', {})
        bridge = result.get('bridge', {})
        newest = bridge.get('latency_newest_ms', {})
        latency = '/'.join(_fmt(newest.get(p), '.0f') for p in ('p50', 'p95', 'p99'))
        pct = '.1%'
        rss = f'{_mb(bridge.get("rss_launch"))}->{_mb(bridge.get("rss_end"))}'
        rings = bridge.get('rings_samples')
        published = result.get('published_total')
        per_message = result.get('samples_per_message', 1)
        lost = None if rings is None or published is None else max(
            0, published - rings // per_message)
        unit, spec = ('core', '.4f') if Scenario(**result['scenario']).idle else (
            'cpu_per_1000', '.3f')
        print(f'{result["name"]:<{width}} {result["published_rate_hz"]:>7.0f} '
              f'{_fmt(floor.get(unit), spec):>7} '
              f'{_fmt(bridge.get(unit), spec):>7} '
              f'{_fmt(result.get("ratio_bridge_floor"), ".2f"):>6} '
              f'{_fmt(floor.get("share"), pct):>7} {_fmt(bridge.get("rings_share"), pct):>7} '
              f'{_fmt(lost):>5} {_fmt(bridge.get("frames_share"), pct):>7} {latency:>20} '
              f'{_fmt(bridge.get("latency_all_ms", {}).get("p99"), ".0f"):>8} '
              f'{rss if bridge else "-":>9}')
    for row in report['clients_comparison']:
        most = row['clients']
        cell = Scenario(row['kind'], row['rate'], row['topics'], most, spread=row['spread'],
                        frame_rate=row['frame_rate'], repeat=row['repeat']).name
        print(f'clients: {cell}: bridge CPU with {most} clients / 1 client = '
              f'{_fmt(row["ratio"], ".2f")}')
    soak = report.get('soak')
    if soak:
        print(f'soak {soak["seconds"]:g} s: RSS {_mb(soak["rss_start"])} -> '
              f'{_mb(soak["rss_end"])} MB ({_fmt(soak["rss_growth"], "+.1%")}), threads '
              f'{soak["threads_start"]} -> {soak["threads_end"]}, fds {soak["fds_start"]} -> '
              f'{soak["fds_end"]}')
    machine = report['machine']
    print(f'machine: {machine["cpus"]} CPUs {machine["cpu_model"]}, load average '
          f'{machine["loadavg_start"]} at start, {machine["loadavg_end"]} at end; a thread '
          f'wake-up costs {machine["wake_us"]} us of CPU')


def _soak_summary(result: dict) -> dict:
    samples = result['bridge']['soak_samples']
    first, last = samples[0], samples[-1]
    return {
        'seconds': result['window_s'],
        'rss_launch': result['bridge']['rss_launch'],
        'rss_start': first['rss'], 'rss_end': last['rss'],
        'rss_growth': _share(last['rss'] - first['rss'], first['rss']),
        'threads_start': first['threads'], 'threads_end': last['threads'],
        'fds_start': first['fds'], 'fds_end': last['fds'],
    }


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    if args.soak:
        rate, topics = _parse_load(SOAK_LOAD)
        return [Scenario(SOAK_KIND, rate, topics, SOAK_CLIENTS, floor=False)]
    if args.kinds is None and args.loads is None and args.clients is None:
        cells = list(SUITE)
    else:
        cells = [
            Scenario(kind, rate, topics, clients, spread=args.spread)
            for kind in args.kinds or DEFAULT_KINDS
            for rate, topics in args.loads or [_parse_load(x) for x in KIND_LOADS.get(
                kind, DEFAULT_LOADS)]
            for clients in args.clients or DEFAULT_CLIENTS]
    return [
        dataclasses.replace(
            cell, repeat=repeat, floor=cell.floor and not args.no_floor,
            bridge=not args.no_bridge, clients=0 if args.no_bridge else cell.clients,
            frame_rate=args.frame_rate or cell.frame_rate)
        for repeat in range(args.repeat) for cell in cells]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m bench.run', description=__doc__.splitlines()[1])
    parser.add_argument('--kinds', type=lambda text: text.split(','),
                        help=f'of {",".join(KINDS)} (default {",".join(DEFAULT_KINDS)}); '
                             'without --kinds, --loads and --clients: the suite')
    defaults = '; '.join([','.join(DEFAULT_LOADS), *(
        f'{kind}: {",".join(loads)}' for kind, loads in KIND_LOADS.items())])
    parser.add_argument('--loads', type=lambda text: [_parse_load(x) for x in text.split(',')],
                        help=f'RATExTOPICS list, rate per topic (default {defaults})')
    parser.add_argument('--spread', action='store_true',
                        help='publish the topics of a load evenly spaced in time, not all in '
                             'the same tick')
    parser.add_argument('--clients', type=lambda text: [int(x) for x in text.split(',')],
                        help=f'default {",".join(map(str, DEFAULT_CLIENTS))}')
    parser.add_argument('--repeat', type=int, default=1, help='runs of every scenario')
    parser.add_argument('--warmup', type=float, default=5.0)
    parser.add_argument('--duration', type=float, default=15.0, help='measurement window, s')
    parser.add_argument('--idle-duration', type=float, default=IDLE_DURATION,
                        help='measurement window of the idle scenarios, s (default %(default)s)')
    parser.add_argument('--drain', type=float, default=2.0,
                        help='seconds between stopping the publisher and reading the counts')
    parser.add_argument('--frame-rate', type=float,
                        help="the bridge's frame rate (default: 20, or the suite's)")
    parser.add_argument('--quick', action='store_true',
                        help='smoke run: both kinds at 100 Hz x2 topics, 1 client, seconds')
    parser.add_argument('--soak', type=float, metavar='SECONDS',
                        help=f'{SOAK_KIND} at {SOAK_LOAD} with {SOAK_CLIENTS} clients for this '
                             f'long, RSS/threads/fds every {SOAK_INTERVAL:g} s')
    parser.add_argument('--no-floor', action='store_true')
    parser.add_argument('--no-bridge', action='store_true', help='floor and publishers only')
    parser.add_argument('--json', type=Path, help='report path (default bench/results/)')
    args = parser.parse_args(argv)
    unknown = set(args.kinds or ()) - set(KINDS)
    if unknown:
        parser.error(f'unknown kinds {sorted(unknown)}; choose from {sorted(KINDS)}')
    if args.quick:
        args.kinds, args.loads, args.clients = args.kinds or list(DEFAULT_KINDS), [(100.0, 2)], [1]
        args.warmup, args.duration, args.drain = 1.0, 2.0, 1.5
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    # SIGTERM takes the same path as Ctrl-C, so the finally blocks end every child process.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    loadavg_start = os.getloadavg()
    started = datetime.datetime.now()
    if args.soak:
        timing = Timing(max(args.warmup, SOAK_WARMUP), args.soak, args.drain, SOAK_INTERVAL)
    else:
        timing = Timing(args.warmup, args.duration, args.drain, idle=args.idle_duration)
    report: dict = {
        'started': started.isoformat(timespec='seconds'),
        'command': ['python', '-m', 'bench.run', *(sys.argv[1:] if argv is None else argv)],
        'settings': asdict(timing),
        'scenarios': [], 'clients_comparison': [], 'soak': None, 'error': None,
    }
    status = 0
    try:
        for scenario in _scenarios(args):
            print(f'running {scenario.name} ...', file=sys.stderr, flush=True)
            report['scenarios'].append(run_scenario(scenario, timing))
    except BenchError as exc:
        report['error'] = str(exc)
        print(f'bench: {exc}', file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        report['error'] = 'interrupted'
        status = 130
    report['clients_comparison'] = _clients_comparison(report['scenarios'])
    if args.soak and report['scenarios']:
        report['soak'] = _soak_summary(report['scenarios'][0])
    report['machine'] = _machine(loadavg_start)
    report['machine']['loadavg_end'] = [round(x, 2) for x in os.getloadavg()]
    path = args.json or RESULTS_DIR / f'{started:%Y%m%d-%H%M%S}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + '\n')
    if report['scenarios']:
        print_table(report)
    print(f'report: {path}')
    return status


if __name__ == '__main__':
    sys.exit(main())
