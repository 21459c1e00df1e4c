# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Waitress's server and channel, with deadlines, a connection cap that makes room, and request logs.

Everything here runs in the one I/O thread that :meth:`GuardedServer.serve` loops in, except
what a worker calls: the request log, and its channel's ``service`` and ``send``, which only
stamp times.

- **Request deadline.** A channel waiting for a request (none in progress, no output pending)
  is closed ``timeout`` seconds after it began to wait: when it was opened or when its last
  request was served. Waitress's ``channel_timeout`` is no deadline: every byte received
  counts as activity, so a client that drips its headers would stay for ever.
- **Write deadline.** A channel whose pending output could not be sent for ``timeout`` seconds
  is closed; the worker that writes to it then gets waitress's ``ClientDisconnected`` and the
  app closes the response (its stream slot is freed, the app logs the client gone).
- **Cap.** At most ``limit`` channels. Waitress's own ``connection_limit`` stops accepting when
  it is reached, so slow connections would keep a page load waiting in the listen backlog.
  Here, when all are taken, the channel that has waited longest for its request (at least
  :data:`EVICT_AFTER`) is closed for each new connection accepted. Streams and requests being
  served are never chosen. When none can be chosen, or accept() fails for want of file
  descriptors with none to free, accepting pauses for :data:`PAUSE` instead of spinning.
- **A bounded loop.** The loop runs at most once per :data:`LOOP_PERIOD`: each pass costs time
  per open channel (waitress polls them all), so a flood of tiny packets is read in batches.
  With no connection open it sleeps until one comes (nothing to sweep).
"""

import errno
import logging
import resource
import socket
import threading
import time

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask
from waitress.task import Task
from waitress.task import WSGITask

from ros2_rtgraph.web.auth import redact_token
from ros2_rtgraph.web.logtext import printable

#: Connections allowed at once, at least; :func:`connection_limit` allows more for many clients.
CONNECTIONS = 256
#: Connections one viewer may hold: a browser opens up to 6 per host.
CONNECTIONS_PER_CLIENT = 6
#: File descriptors left to the rest of the process (DDS sockets, logs, pipes, files).
FD_RESERVE = 64
#: Fewest connections allowed, however low the file-descriptor limit.
MIN_CONNECTIONS = 8
#: Seconds a connection must have waited for its request before it may make room for a new one.
#: A browser sends its request within milliseconds of connecting.
EVICT_AFTER = 0.25
#: Seconds accepting pauses when nothing can make room (all busy, or no file descriptor).
PAUSE = 0.1
#: Connections accepted per pass of the loop, at most.
ACCEPT_BATCH = 64
#: Shortest time between two passes of the I/O loop, in seconds.
LOOP_PERIOD = 0.005
#: Longest wait for I/O in one pass, in seconds: deadlines are checked at least this often, or
#: four times per deadline when that is shorter. Each pass wakes the thread, which costs more
#: than the pass here (0.2 ms on a VM).
SWEEP_PERIOD = 1.0
#: Longest wait for I/O with no connection open (no deadline to check): a new connection, a
#: worker's output or the stop wake the loop at once, this only bounds a lost wake-up.
IDLE_WAIT = 5.0
#: Characters of a request line kept in a debug line.
MAX_LOGGED_CHARS = 300
#: Seconds between two warnings of one kind (a crowd at the cap, no file descriptor left).
WARN_INTERVAL = 60.0
#: accept() errors that mean the process (or the system) is out of file descriptors or memory.
_OUT_OF_FDS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})

_log = logging.getLogger(__name__)


def connection_limit(max_clients: int) -> int:
    """
    Return how many connections to allow: enough for every viewer, within the fd limit.

    :param max_clients: the cap on open streams.
    :return: at least :data:`MIN_CONNECTIONS`; :data:`FD_RESERVE` below the soft
        ``RLIMIT_NOFILE``, so accept() does not run out of file descriptors first.
    """
    wanted = max(CONNECTIONS, CONNECTIONS_PER_CLIENT * max_clients)
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(MIN_CONNECTIONS, min(wanted, soft - FD_RESERVE))


class _RequestLog(Task):
    """Log each request line at debug when its response starts, the token redacted."""

    def build_response_header(self) -> bytes:
        """Log, then let waitress build the status line and headers."""
        if _log.isEnabledFor(logging.DEBUG):
            # first_line is the request line as sent (for a request too bad to parse, as far
            # as it was read): method, target and version.
            line = getattr(self.request, 'first_line', b'').decode('latin-1')
            words = ' '.join(redact_token(word) for word in line.split(' '))
            _log.debug('"%s" %s', printable(words, MAX_LOGGED_CHARS), self.status)
        return super().build_response_header()


class _WSGITask(_RequestLog, WSGITask):
    """A request for the app."""


class _ErrorTask(_RequestLog, ErrorTask):
    """A request waitress answers itself (400, 413, 431, ...)."""


class _GuardedChannel(HTTPChannel):
    """One connection, with the times the deadlines are measured from."""

    task_class = _WSGITask
    error_task_class = _ErrorTask

    def __init__(self, server, sock, addr, adj, map=None):  # noqa: A002 (waitress's name)
        """Open the channel; it waits for its first request from now on."""
        now = time.monotonic()
        self.waiting_since = now  # when it last began to wait for a request
        self.last_sent = now  # when output was last sent, or seen all sent
        super().__init__(server, sock, addr, adj, map)

    def send(self, data, do_close=True):
        """Send as waitress does (either thread), and note when bytes went out."""
        sent = super().send(data, do_close)
        if sent:
            self.last_sent = time.monotonic()
        return sent

    def service(self) -> None:
        """Serve the first queued request (in a worker); the next wait starts after it."""
        super().service()
        self.waiting_since = time.monotonic()


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server on a bound socket, with the deadlines, the cap and the loop above."""

    channel_class = _GuardedChannel

    def __init__(self, app, listener: socket.socket, adjustments, workers, *, timeout: float,
                 limit: int):
        """
        Listen on ``listener`` (bound) and hand requests to ``workers``.

        :param app: the WSGI application.
        :param listener: a bound socket; waitress makes it listen with its ``backlog``.
        :param adjustments: waitress's ``Adjustments``, with ``sockets=[listener]``.
        :param workers: waitress's ``ThreadedTaskDispatcher``; the caller sets its thread count.
        :param timeout: seconds of the request and write deadlines.
        :param limit: connections allowed at once.
        """
        self.timeout = timeout
        self.limit = limit
        self._resume_at = 0.0  # monotonic time before which accepting pauses
        self._warned: dict[str, float] = {}  # monotonic time of the last warning, by kind
        # The arguments waitress's create_server passes for each of its `sockets`.
        super().__init__(
            app, map={}, _start=True, _sock=listener, dispatcher=workers, adj=adjustments,
            bind_socket=False,
            sockinfo=(listener.family, listener.type, listener.proto, listener.getsockname()))

    def serve(self, stopping: threading.Event) -> None:
        """
        Run the I/O loop until ``stopping`` is set (then :meth:`pull_trigger` wakes it).

        :param stopping: set by the thread that stops the server.
        """
        next_sweep = 0.0
        sweep_period = min(SWEEP_PERIOD, self.timeout / 4)
        while not stopping.is_set():
            began = time.monotonic()
            if began >= next_sweep:
                next_sweep = began + sweep_period
                self._sweep(began)
            if began < self._resume_at:  # accepting pauses until then
                wait = min(sweep_period, self._resume_at - began)
            else:
                wait = sweep_period if self.active_channels else IDLE_WAIT
            # poll() rather than select(), which fails on descriptors numbered 1024 and up.
            wasyncore.poll2(wait, self._map)
            rest = LOOP_PERIOD - (time.monotonic() - began)
            if rest > 0:
                stopping.wait(rest)

    def close_connections(self) -> None:
        """Stop listening (the port is free) and close every connection; the trigger stays."""
        wasyncore.dispatcher.close(self)
        for channel in list(self.active_channels.values()):
            channel.handle_close()

    def readable(self) -> bool:
        """Say whether to accept now (waitress's also ran its cleanup and its cap here)."""
        return self.accepting and time.monotonic() >= self._resume_at

    def handle_accept(self) -> None:
        """Accept what waits, making room at the cap; pause when there is nothing to free."""
        now = time.monotonic()
        victims = None
        for _ in range(ACCEPT_BATCH):
            if len(self.active_channels) >= self.limit:
                if victims is None:
                    victims = self._victims(now)
                    self._warn(now, 'crowded', '%d connections open, the most allowed: the '
                               'ones waiting longest for a request make room', self.limit)
                if not victims:
                    self._resume_at = now + PAUSE
                    return
            try:
                connection, address = self.socket.accept()
            except BlockingIOError:
                return
            except OSError as error:
                if error.errno == errno.ECONNABORTED:
                    continue  # reset before it was accepted
                if error.errno not in _OUT_OF_FDS:
                    _log.debug('accept() failed: %s', error)
                    self._resume_at = now + PAUSE
                    return
                self._warn(now, 'fds', 'out of file descriptors (%s): new connections wait',
                           error.strerror)
                if victims is None:
                    victims = self._victims(now)
                if not victims:
                    self._resume_at = now + PAUSE
                    return
                victims.pop().handle_close()  # its descriptor is the next one's
                continue
            if len(self.active_channels) >= self.limit and victims:
                victims.pop().handle_close()
            self._open(connection, address)

    def _open(self, connection: socket.socket, address) -> None:
        try:
            self.set_socket_options(connection)
            self.channel_class(self, connection, address, self.adj, map=self._map)
        except OSError:  # reset before we got to it
            connection.close()

    def _victims(self, now: float) -> list:
        """Return the channels that may make room, the one waiting longest last."""
        victims = [
            channel for channel in self.active_channels.values()
            if not channel.requests and not channel.total_outbufs_len
            and now - channel.waiting_since >= EVICT_AFTER]
        victims.sort(key=lambda channel: channel.waiting_since, reverse=True)
        return victims

    def _sweep(self, now: float) -> None:
        """Close the channels past a deadline."""
        for channel in list(self.active_channels.values()):
            if channel.requests or channel.total_outbufs_len:
                channel.waiting_since = now  # busy: its wait starts when it is done
                if not channel.total_outbufs_len:
                    channel.last_sent = now
                elif now - channel.last_sent > self.timeout:
                    channel.handle_close()  # a viewer that stopped reading
            elif now - channel.waiting_since > self.timeout:
                channel.handle_close()  # no whole request in time

    def _warn(self, now: float, kind: str, message: str, *args) -> None:
        """Log a warning, unless one of its kind was logged in the last WARN_INTERVAL."""
        last = self._warned.get(kind)
        if last is None or now - last >= WARN_INTERVAL:
            self._warned[kind] = now
            _log.warning(message, *args)
