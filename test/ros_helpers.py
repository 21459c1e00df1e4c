# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Shared test helpers: real rclpy nodes in their own context, the real ``rtgraph`` process.

Tests wait on conditions (:func:`wait_until`) with generous timeouts, never on fixed sleeps:
DDS discovery takes one to three seconds here and the CPU is shared.
"""

from collections.abc import Callable
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any
from typing import TypeVar
from urllib.parse import parse_qs

import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from ros2_rtgraph.ingest import DrainLoop
from ros2_rtgraph.node import GraphNode

#: Seconds a test waits for something that involves DDS discovery.
DISCOVERY_TIMEOUT = 20.0
NodeT = TypeVar('NodeT', bound=Node)
URL_PATTERN = re.compile(r'rtgraph: serving on (http://(\S+):(\d+)/\S*)')


def wait_until(predicate: Callable[[], Any], timeout: float = DISCOVERY_TIMEOUT,
               interval: float = 0.05, what: str = 'condition') -> Any:
    """
    Poll ``predicate`` until it returns something truthy and return that.

    :raise AssertionError: it never did within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {timeout} s waiting for {what}')
        time.sleep(interval)


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Return whether a server could bind ``port`` on loopback right now."""
    with socket.socket() as probe:
        # As servers bind (rtgraph too): connections the last one closed stay in TIME_WAIT
        # for a minute, and only a bind without SO_REUSEADDR would trip over them.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(('127.0.0.1', port))
        except OSError:
            return False
        return True


#: The two ways the node can take its messages (the ``ingest`` parameter).
INGEST_MODES = ('executor', 'drain')


class RosPeer:
    """
    A private rclpy context spun by one thread: the test's side of the graph, or the bridge's.

    With ``ingest='executor'`` a standard executor spins from the start; :meth:`node` makes
    plain nodes (publishers), :meth:`add` spins a node built with ``context=peer.context``.
    With ``ingest='drain'`` the thread starts once :meth:`graph_node` (or :meth:`add`) gives
    it a GraphNode, and spins it as ``rtgraph`` does: a DrainLoop that also serves the other
    nodes. :meth:`close` stops the thread and shuts the context down.
    """

    def __init__(self, ingest: str = 'executor'):
        assert ingest in INGEST_MODES, ingest
        self.drains = ingest == 'drain'
        self.context = Context()
        rclpy.init(context=self.context, signal_handler_options=SignalHandlerOptions.NO)
        self.executor = SingleThreadedExecutor(context=self.context)
        self._nodes: list[Node] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: DrainLoop | None = None
        if not self.drains:
            self._start(self._spin)

    def _start(self, target: Callable[[], None]) -> None:
        self._thread = threading.Thread(target=target, name='test-ros-peer', daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        while not self._stop.is_set():
            self.executor.spin_once(timeout_sec=0.05)

    def node(self, name: str, **kwargs: Any) -> Node:
        """Create a node in this context and spin it."""
        return self.add(Node(name, context=self.context, **kwargs))

    def graph_node(self, **kwargs: Any) -> GraphNode:
        """Create a GraphNode in this context, drained when the peer drains, and spin it."""
        node = GraphNode(context=self.context, drain=self.drains, **kwargs)
        return self.add(node)

    def add(self, node: NodeT) -> NodeT:
        """Spin a node that was created with ``context=self.context``."""
        self._nodes.append(node)
        self.executor.add_node(node)
        if self.drains and isinstance(node, GraphNode):
            assert self._thread is None, 'one GraphNode per drain loop'
            assert node.drains, 'this rclpy should support the drain loop'
            loop = self._loop = DrainLoop(node, self.executor)
            self._start(lambda: loop.spin(self._stop))
        return node

    def close(self) -> None:
        """Stop spinning, destroy the nodes, shut the context down."""
        self._stop.set()
        if self._loop is not None:
            self._loop.wake()
        if self._thread is not None:
            self._thread.join(5.0)
            assert not self._thread.is_alive()
        self.executor.shutdown()
        for node in self._nodes:
            node.destroy_node()
        rclpy.try_shutdown(context=self.context)

    def __enter__(self) -> 'RosPeer':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def wait_matched(publisher: Any, count: int = 1, timeout: float = DISCOVERY_TIMEOUT) -> None:
    """Wait until ``publisher`` sees ``count`` subscriptions (the bridge has subscribed)."""
    wait_until(lambda: publisher.get_subscription_count() >= count, timeout,
               what=f'a subscription on {publisher.topic_name}')


def write_config(directory: Path, text: str, name: str = 'rtgraph.yaml') -> Path:
    """Write a YAML configuration for a test and return its path."""
    path = directory / name
    path.write_text(text, encoding='utf-8')
    return path


def rtgraph_command(config: Path | None, *ros_args: str) -> list[str]:
    """Return the command line of the real bridge on a free loopback port (``port:=0``).

    :param config: the YAML file; None for the default (the packaged demo.yaml).
    :param ros_args: more ROS arguments, e.g. ``'-p', 'frame_rate:=5.0'``.
    """
    parameters = ['-p', f'config_file:={config}'] if config is not None else []
    return [sys.executable, '-m', 'ros2_rtgraph.main', '--ros-args',
            *parameters, '-p', 'host:=127.0.0.1', '-p', 'port:=0', *ros_args]


def child_env() -> dict[str, str]:
    """Return the environment for child processes (conftest set the domain and discovery)."""
    return dict(os.environ)


class Bridge:
    """
    The real ``rtgraph`` process; its URL is read from the line it prints on stdout.

    ``url`` is that URL as printed (with ``?token=`` when a token is needed: what a person
    opens), ``base_url`` the same without the query, ``token`` the token ('' for none).
    """

    def __init__(self, command: list[str], env: dict[str, str] | None = None):
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._stderr, env=env or child_env(),
            text=True)
        self.stdout_lines: list[str] = []
        self._url_seen = threading.Event()
        self.url = self.base_url = self.host = self.token = ''
        self.port = 0
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    def _read_stdout(self) -> None:
        for line in self.process.stdout:
            self.stdout_lines.append(line)
            match = URL_PATTERN.search(line)
            if match and not self._url_seen.is_set():
                self.url, self.host, self.port = match[1], match[2], int(match[3])
                self.base_url, _, query = self.url.partition('?')
                self.token = parse_qs(query).get('token', [''])[0]
                self._url_seen.set()

    def wait_serving(self, timeout: float = DISCOVERY_TIMEOUT) -> 'Bridge':
        """Wait for the 'serving on' line; fail with the process's stderr if it ended."""
        wait_until(lambda: self._url_seen.is_set() or self.process.poll() is not None,
                   timeout, what='rtgraph to print its URL')
        assert self._url_seen.is_set(), f'rtgraph ended early:\n{self.stderr()}'
        return self

    def stop(self, signum: int = signal.SIGINT, timeout: float = 10.0) -> int:
        """Send ``signum`` and return the exit status (killed after ``timeout`` seconds)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def stderr(self) -> str:
        """Return what the process wrote on stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode('utf-8', errors='replace')

    def close(self) -> None:
        """Stop the process if it still runs and release its files."""
        if self.process.poll() is None:
            self.stop()
        self._reader.join(5.0)
        self.process.stdout.close()
        self._stderr.close()


def run_rtgraph(command: list[str], timeout: float = 30.0,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``rtgraph`` to completion (for start-up errors) and capture its output."""
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=env or child_env(), check=False)
