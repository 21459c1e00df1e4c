# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The web side in this process for hardening tests: real rings, pump, Flask app and server.

A :class:`Site` runs the whole stack but the ROS node on a loopback port; a feeder thread is
the store's single writer, as the ROS thread is in production.
"""

import http.client
import threading
import time

from ros2_rtgraph.config import parse_config
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.web.app import create_app
from ros2_rtgraph.web.app import EXTENSION
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.server import WebServer

HOST = '127.0.0.1'
TOKEN = 'test-token-7Zq'

SITE_YAML = """
server:
  frame_rate: {frame_rate}
  max_clients: {max_clients}
  max_points: {max_points}
  buffer: 20000
charts:
  - title: A
    series: [/a.data, /b.data]
"""


class Site:
    """Config, rings, stats, pump, app and server on a free port, plus a feeder thread."""

    def __init__(self, *, token: str | None = TOKEN, max_clients: int = 16,
                 frame_rate: float = 20.0, max_points: int = 500, batch: int = 5,
                 period: float = 0.01, client_timeout: float | None = None, app_hook=None):
        """
        Build and start everything; call :meth:`close` at the end.

        :param batch: samples written per feeder wake-up.
        :param period: seconds between feeder wake-ups.
        :param client_timeout: passed to :class:`WebServer` when given.
        :param app_hook: called with the app before the server starts (to add test routes).
        """
        self.config = parse_config(SITE_YAML.format(
            frame_rate=frame_rate, max_clients=max_clients, max_points=max_points), '<test>')
        ids = [s.id for s in self.config.series]
        self.store = SampleStore(ids, self.config.server.buffer)
        self.stats = StatsBoard(ids)
        self.stop_event = threading.Event()
        self.pump = FramePump(self.store, self.stats, self.config.server,
                              stop_event=self.stop_event)
        self.token = token
        self.app = create_app(self.config, self.store, self.stats, self.pump, token=token)
        if app_hook is not None:
            app_hook(self.app)
        options = {} if client_timeout is None else {'client_timeout': client_timeout}
        self.server = WebServer(self.app, HOST, 0, **options)
        self.port = self.server.port
        self._batch, self._period = batch, period
        self._feeding = threading.Event()
        self._feeder = threading.Thread(target=self._feed, name='test-feeder', daemon=True)
        self.pump.start()
        self.server.start()
        self._feeder.start()

    @property
    def streams(self):
        """Return the app's :class:`~ros2_rtgraph.web.limits.StreamLimit`."""
        return self.app.extensions[EXTENSION].streams

    def _feed(self) -> None:
        seq = 0
        while not self._feeding.wait(self._period):
            for _ in range(self._batch):
                seq += 1
                sid = ('s0', 's1')[seq % 2]
                self.store.append(sid, seq / 1000, float(seq))
                stats = self.stats.series[sid]
                stats.samples += 1
                stats.last_receive = time.monotonic()
                stats.state = 'ok'

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = 'GET',
            port: int | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """Make one request and return status, headers and body."""
        connection = http.client.HTTPConnection(HOST, port or self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def close(self) -> None:
        """Stop feeder, streams, pump and server."""
        self._feeding.set()
        self.stop_event.set()
        self.server.stop()
        self.pump.join(5)
        self._feeder.join(5)
