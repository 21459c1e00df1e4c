# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The web side in this process: :func:`ros2_rtgraph.web.build_site` on a loopback port, fed.

A :class:`FedSite` runs the whole stack but the ROS node; a :class:`Feeder` thread is the
store's single writer, as the ROS thread is in production (a :class:`SliceFeeder` also adds
members of a slice to the layout, as the ROS thread will). The feeder writes the series in
:data:`FED` in turn; sample ``seq`` has time ``t = seq / 100`` and value ``seq``, so a test can
tell exactly which samples a client got: none missing, none twice. conftest's ``make_site``
fixture builds sites and closes them after the test.
"""

from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
import http.client
import math
import queue
import threading
import time

from flask import Flask

from ros2_rtgraph.config import Config
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.web import build_site
from ros2_rtgraph.web.app import EXTENSION
from ros2_rtgraph.web.limits import StreamLimit
from ros2_rtgraph.web.server import CLIENT_TIMEOUT
from ros2_rtgraph.web.stream import HEARTBEAT_SECONDS

HOST = '127.0.0.1'
TOKEN = 'test-token-7Zq-w2Lp'
FED = ('s0', 's1')  # the series the feeder writes, in turn

SITE_YAML = """
server:
  host: 127.0.0.1
  port: 0
  frame_rate: 20
  max_clients: {max_clients}
  max_points: {max_points}
  buffer: 20000
charts:
  - title: A
    series: [/a.data, /b.data]
"""


def site_config(*, max_clients: int = 16, max_points: int = 500) -> Config:
    """Return the hardening tests' configuration: two series on a free loopback port."""
    return parse_config(SITE_YAML.format(max_clients=max_clients, max_points=max_points),
                        '<test>')


def slice_yaml(label: str, rest: str) -> str:
    """
    Return a site's YAML whose first series is the slice 'position[:]' of /joint_states.

    :param label: the slice's label, as YAML flow text (quote what needs it).
    :param rest: the YAML that follows the slice's line: more series, more charts.
    """
    return f"""
server:
  host: 127.0.0.1
  port: 0
  frame_rate: 20
  buffer: 5000
  window: 30
charts:
  - title: Joints
    unit: rad
    series:
      - {{topic: /joint_states, field: 'position[:]', label: {label}}}
{rest}"""


def count_sample(stats: StatsBoard, sid: str) -> None:
    """Count one sample of series ``sid`` in its stats, as the node's writer does."""
    series = stats.series[sid]
    series.samples += 1
    series.last_receive = time.monotonic()
    series.state = 'ok'


class WriterThread:
    """A test's single writer of the store: one thread running ``_run`` until stopped."""

    def __init__(self, name: str):
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread.ident is not None:
            self.thread.join(5)


class Feeder(WriterThread):
    """Write samples to the store from one thread, as the node does, and bump the stats."""

    def __init__(self, store: SampleStore, stats: StatsBoard, *, nan_every: int = 0,
                 limit: int | None = None, batch: int = 5, period: float = 0.01):
        """
        Prepare the thread; :meth:`start` runs it.

        :param nan_every: every sample whose ``seq`` is a multiple of this is NaN (0: none).
        :param limit: the last ``seq`` written; :attr:`done` is set then.
        :param batch: samples written per wake-up.
        :param period: seconds between wake-ups.
        """
        self.store = store
        self.stats = stats
        self.nan_every = nan_every
        self.limit = limit
        self.batch = batch
        self.period = period
        self.done = threading.Event()
        super().__init__('test-feeder')

    def _run(self) -> None:
        seq = self.store.committed
        while not self.stop_event.is_set():
            for _ in range(self.batch):
                if self.limit is not None and seq >= self.limit:
                    self.done.set()
                    return
                seq += 1
                sid = FED[seq % 2]
                value = math.nan if self.nan_every and seq % self.nan_every == 0 else float(seq)
                assert self.store.append(sid, seq / 100, value) == seq
                count_sample(self.stats, sid)
            self.stop_event.wait(self.period)

    def wait_until(self, seq: int, timeout: float = 20.0) -> None:
        """Wait until the store holds sequence number ``seq``."""
        deadline = time.monotonic() + timeout
        while self.store.committed < seq:
            assert time.monotonic() < deadline, f'the feeder did not reach seq {seq}'
            time.sleep(0.01)


class SliceFeeder(WriterThread):
    """
    The single writer of a layout with a slice: adds members when asked, as the ROS thread does.

    Every ``period`` it writes one sample to each series of ``plain`` and to every member of
    ``template`` it added, in that order, at ``t`` = the wall clock (the page's robot time), with
    value = the sample's sequence number. :meth:`add` asks the thread for a new member; the
    member gets samples from the next round on, after ``add_member`` returned.
    """

    def __init__(self, layout: Layout, plain: Sequence[str], template: str, *,
                 period: float = 0.02):
        self.layout = layout
        self.plain = tuple(plain)
        self.template = template
        self.period = period
        self.members: list[str] = []  # the writer thread's
        self._asked: queue.Queue[tuple[str, str, queue.Queue[str | None]]] = queue.Queue()
        super().__init__('test-slice-feeder')

    def add(self, field: str, label: str, timeout: float = 10.0) -> str | None:
        """Have the writer thread add a member; return what ``add_member`` returned."""
        answer: queue.Queue[str | None] = queue.Queue()
        self._asked.put((field, label, answer))
        return answer.get(timeout=timeout)

    def _run(self) -> None:
        store, stats = self.layout.store, self.layout.stats
        while not self.stop_event.is_set():
            while not self._asked.empty():
                field, label, answer = self._asked.get()
                sid = self.layout.add_member(self.template, field, label)
                if sid is not None:
                    self.members.append(sid)
                answer.put(sid)
            for sid in (*self.plain, *self.members):
                store.append(sid, time.time(), float(store.committed + 1))
                count_sample(stats, sid)
            self.stop_event.wait(self.period)


class FedSite:
    """
    A started :class:`~ros2_rtgraph.web.Site` with its own stop event, and its :class:`Feeder`.

    The site's parts (``layout``, ``config``, ``store``, ``stats``, ``pump``, ``app``,
    ``server``, ``stop_event``, ``port``, ``url``) read as attributes of this object.
    """

    def __init__(self, config: Config | None = None, *, token: str | None = TOKEN,
                 heartbeat: float = HEARTBEAT_SECONDS, client_timeout: float = CLIENT_TIMEOUT,
                 app_hook: Callable[[Flask], None] | None = None, feed: bool = True,
                 expanding: Collection[str] = (), **feeder_options):
        """
        Build and start everything; call :meth:`close` at the end.

        :param config: default :func:`site_config`; give ``host`` and ``port: 0``.
        :param token: None switches access control off.
        :param app_hook: called with the app before the server starts (to add test routes).
        :param feed: start the feeder; else the test is the store's writer.
        :param expanding: ids of configured series that are templates (slices).
        :param feeder_options: passed to :class:`Feeder`.
        """
        config = config or site_config()
        #: The charts and series; a test adds members with ``layout.add_member`` (as the ROS
        #: thread would: the thread that writes the store, the feeder's unless ``feed=False``).
        self.layout = Layout.for_config(config, expanding=expanding)
        self.site = build_site(
            self.layout, token=token, stop_event=threading.Event(), heartbeat=heartbeat,
            client_timeout=client_timeout)
        self.feeder = Feeder(self.site.store, self.site.stats, **feeder_options)
        if app_hook is not None:
            app_hook(self.site.app)
        self.site.start()
        if feed:
            self.feeder.start()

    def __getattr__(self, name: str):
        # Called only for names this object lacks: the site's parts.
        return getattr(self.site, name)

    @property
    def streams(self) -> StreamLimit:
        """Return the app's count of open streams."""
        return self.site.app.extensions[EXTENSION].streams

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = 'GET',
            port: int | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """Make one request and return status, headers and body."""
        connection = http.client.HTTPConnection(HOST, port or self.site.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def close(self) -> None:
        """Stop the feeder, then the site (streams, server, pump)."""
        self.feeder.stop()
        self.site.stop()


@contextmanager
def sliced_site(make_site: Callable[..., 'FedSite'], yaml_text: str, plain: Sequence[str],
                template: str) -> Iterator['FedSite']:
    """
    Yield a site whose ``template`` series is a slice, written by a :class:`SliceFeeder`.

    :param make_site: the ``make_site`` fixture.
    :param yaml_text: the configuration; ``plain`` are its other series, which the feeder
        writes too. The feeder (``site.slices``) stops on leaving.
    """
    site = make_site(parse_config(yaml_text, '<test>'), feed=False, expanding=(template,))
    feeder = SliceFeeder(site.layout, plain, template)
    feeder.start()
    site.slices = feeder
    try:
        yield site
    finally:
        feeder.stop()
