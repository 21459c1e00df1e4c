# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The web side assembled in one place: frame pump, Flask app and server over the shared rings.

:func:`build_site` wires them on ``config.server``'s address over a layout (charts, series,
their rings and stats) that someone else writes (the node in ``rtgraph``; a feeder thread in
tests and benchmarks) and binds
the port, so an address that cannot be used fails before anything runs. :class:`Site` starts
the pump thread and the server's thread, and stops them in the one order that works: the stop
event first (it ends the pump, and through it every open stream, which would otherwise hold its
worker thread), then the server (frees the port), then the pump thread is joined.
"""

from collections.abc import Callable
from dataclasses import dataclass
import threading
import time

from flask import Flask

from ros2_rtgraph.config import Config
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.web.app import create_app
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.explore import Explorer
from ros2_rtgraph.web.server import CLIENT_TIMEOUT
from ros2_rtgraph.web.server import WebServer
from ros2_rtgraph.web.stream import HEARTBEAT_SECONDS

#: Seconds :meth:`Site.stop` waits for the frame pump thread.
JOIN_TIMEOUT = 2.0


@dataclass(frozen=True)
class Site:
    """The web side's parts, from :func:`build_site`; :meth:`start` runs them."""

    layout: Layout  # the charts and series, over the rings and stats
    pump: FramePump
    app: Flask
    server: WebServer
    stop_event: threading.Event  # the one stop event: set, it ends the pump and the streams

    @property
    def config(self) -> Config:
        """Return the configuration (the layout's)."""
        return self.layout.config

    @property
    def store(self) -> SampleStore:
        """Return the rings (the layout's)."""
        return self.layout.store

    @property
    def stats(self) -> StatsBoard:
        """Return the per-series stats (the layout's)."""
        return self.layout.stats

    @property
    def port(self) -> int:
        """Return the bound port (the real one when the configuration asked for 0)."""
        return self.server.port

    @property
    def url(self) -> str:
        """Return the server's base URL, e.g. 'http://127.0.0.1:8080/'."""
        return self.server.url

    def start(self) -> None:
        """Start the frame pump, then accept connections."""
        self.pump.start()
        self.server.start()

    def stop(self, timeout: float = JOIN_TIMEOUT) -> None:
        """
        Set the stop event, stop the server (frees the port), join the pump; also if not started.

        :param timeout: seconds to wait for the pump thread.
        """
        self.stop_event.set()
        self.pump.wake()
        self.server.stop()
        self.pump.join(timeout)


def build_site(layout: Layout, *, token: str | None, stop_event: threading.Event,
               clock: Callable[[], float] = time.time,
               log: Callable[[str], object] | None = None, heartbeat: float = HEARTBEAT_SECONDS,
               client_timeout: float = CLIENT_TIMEOUT, explorer: Explorer | None = None) -> Site:
    """
    Build the frame pump, the app and the server, and bind ``config.server.host`` and ``port``.

    :param layout: the charts and series over the rings and stats, which one other thread
        writes (and adds to); its configuration's ``server`` says where to listen and how to
        pump.
    :param token: the access token; None or ``''`` switches access control off, so it has no
        default.
    :param stop_event: the process's stop event; setting it ends the pump and open streams.
    :param clock: the node clock in seconds, the time base of the samples (``server_time``).
    :param log: takes one info line per stream client coming or going; default: the app
        module's Python logger.
    :param heartbeat: seconds between ``: ping`` comments on an idle stream.
    :param client_timeout: seconds a connection may take to send its request, and that its
        output may wait to be sent, before it is dropped.
    :param explorer: the node, for the topic browser and changes of the charts (None: those
        routes answer 403).
    :return: the site, bound but not started.
    :raise ServerBindError: the address is in use, not local, or not allowed.
    """
    server_config = layout.config.server
    pump = FramePump(layout, server_config, stop_event=stop_event, clock=clock)
    app = create_app(layout, pump, heartbeat=heartbeat, token=token, log=log, explorer=explorer)
    server = WebServer(app, server_config.host, server_config.port,
                       client_timeout=client_timeout, max_clients=server_config.max_clients)
    return Site(layout, pump, app, server, stop_event)
