# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Serve a WSGI app from a background thread with waitress, so that no client can hold the bridge.

Waitress reads and parses requests in one I/O thread and hands only complete requests to a
fixed pool of worker threads (waitress ``docs/design.rst``): a connection costs a socket, not a
thread, until its request is whole. The pool is ``max_clients`` + :data:`SPARE_THREADS`: every
open ``/stream`` holds a worker for its whole life, the spares serve everything else. On top of
waitress, whose own idle timeout (``channel_timeout``) counts every byte received as activity
and never applies to a request in progress, :mod:`.connections` adds deadlines and a cap:

- a connection must deliver a whole request within ``client_timeout`` seconds of opening (or of
  its previous response), however it trickles the bytes, or it is closed;
- output that cannot be sent for ``client_timeout`` seconds (a viewer that stopped reading)
  drops the connection, which frees its worker, its stream slot and its socket. Meanwhile the
  stream's worker waits once :data:`OUTPUT_HIGH_WATERMARK` bytes are pending (waitress's
  ``outbuf_high_watermark``), so a stalled viewer never makes the bridge hold more than that;
- at most :func:`connection_limit` connections, below the process's file-descriptor limit; when
  they are all open, the one that has waited longest for its request makes room for a new one,
  so a page load gets through a crowd of slow connections; accept() failing for want of file
  descriptors pauses accepting for a moment instead of retrying in a busy loop.

SSE is not buffered: since waitress 1.3 a worker sends what the app yields at once, from its own
thread, as far as the socket takes it (``send_bytes`` is 1, its deprecated default: HISTORY.txt
1.3.0, Pylons/waitress#246), and the I/O thread sends the rest when the socket drains. Each
chunk of a chunked response, its size line included, is one ``send``: an SSE event batch
leaves in one piece. Nagle's algorithm is off (waitress's default ``socket_options`` set
TCP_NODELAY), since every write is already a whole batch.

Request lines go to the logger of :mod:`.connections` at debug (waitress logs none): a page
makes dozens of requests a minute. They never carry the token (queries are redacted) nor
control characters. The app logs each ``/stream`` client at info instead. Responses carry
``Server: rtgraph``, no version.
"""

import socket
import threading

from waitress.adjustments import Adjustments
from waitress.task import ThreadedTaskDispatcher

from ros2_rtgraph.config import ServerConfig
from ros2_rtgraph.web.connections import connection_limit
from ros2_rtgraph.web.connections import GuardedServer

#: Seconds a connection may take to send its whole request, and the longest time output may
#: wait to be sent, before the connection is dropped. A live client sends a request in
#: milliseconds and drains a write within milliseconds.
CLIENT_TIMEOUT = 15.0
#: Worker threads beyond ``max_clients``: pages, assets, exports and the 503 for streams over
#: the cap are served by these while every stream holds one worker.
SPARE_THREADS = 4
#: Bytes of pending output after which a stream's worker waits for the socket: what a viewer that
#: stopped reading can make the bridge hold, besides one event batch.
OUTPUT_HIGH_WATERMARK = 256 * 1024
#: Pending output kept in memory rather than in a temporary file (waitress's ``outbuf_overflow``,
#: 1 MiB by default): above the watermark plus a large snapshot, so streams never use a file.
OUTPUT_IN_MEMORY = 16 * 1024 * 1024
#: Longest request line plus headers; browsers send a few KiB (cookies included).
MAX_HEADER_BYTES = 32 * 1024
#: Longest request body: a change of the charts (web/explore.py: a chart entry of some hundred
#: series) fits; other routes read none, but a form post should still get its 405.
MAX_BODY_BYTES = 64 * 1024
#: What the ``Server`` header says: no version of anything.
IDENT = 'rtgraph'
#: Seconds the serving thread waits for the workers when it stops.
WORKERS_TIMEOUT = 5.0


class ServerBindError(OSError):
    """Raised when the server cannot listen on the requested address; names it and why."""

    def __init__(self, host: str, port: int, reason: str, errno: int | None = None):
        """
        Describe the failure.

        :param host: the address asked for.
        :param port: the port asked for.
        :param reason: the operating system's reason, e.g. 'Address already in use'.
        :param errno: the operating system's error number, when there is one.
        """
        super().__init__(f'cannot listen on {_address(host, port)}: {reason}')
        self.errno = errno
        self.host = host
        self.port = port
        self.reason = reason


class WebServer:
    """A waitress server bound at construction and run in a thread by :meth:`start`."""

    def __init__(self, app, host: str, port: int, *, client_timeout: float = CLIENT_TIMEOUT,
                 max_clients: int = ServerConfig.max_clients):
        """
        Bind the listening socket.

        :param app: the WSGI application, e.g. from :func:`~.app.create_app`.
        :param host: address to bind, e.g. '127.0.0.1' or '::1'.
        :param port: port to bind; 0 picks a free one (see :attr:`port`).
        :param client_timeout: seconds a connection may take to send its request, and that
            its output may wait to be sent, before it is dropped.
        :param max_clients: the app's cap on open streams (``server.max_clients``); each holds
            a worker thread.
        :raise ServerBindError: the address is in use, not local, or not allowed.
        """
        self.host = host
        listener = _listen(host, port)
        self._port: int = listener.getsockname()[1]
        threads = max_clients + SPARE_THREADS
        # Settings from waitress docs/arguments.rst. `sockets`: we bind ourselves, so a bind
        # failure keeps the operating system's reason (waitress would say 'Invalid host/port').
        adjustments = Adjustments(
            sockets=[listener], threads=threads, ident=IDENT,
            outbuf_high_watermark=OUTPUT_HIGH_WATERMARK, outbuf_overflow=OUTPUT_IN_MEMORY,
            max_request_header_size=MAX_HEADER_BYTES, max_request_body_size=MAX_BODY_BYTES,
            log_socket_errors=False)  # a client going away is no error of ours
        # Workers start in start(), so a server that never runs leaves no thread behind.
        self._workers = ThreadedTaskDispatcher()
        self._threads = threads
        self._server = GuardedServer(
            app, listener, adjustments, self._workers, timeout=client_timeout,
            limit=connection_limit(max_clients))
        self._stopping = threading.Event()
        # Guards the trigger against being pulled after the I/O thread closed it: the loop may
        # see the stop event and close everything before stop() pulls the trigger.
        self._trigger_lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name='rtgraph-web', daemon=True)

    @property
    def port(self) -> int:
        """Return the bound port (the real one when 0 was asked for)."""
        return self._port

    @property
    def url(self) -> str:
        """Return the server's base URL, e.g. 'http://127.0.0.1:8080/'."""
        return f'http://{_address(self.host, self.port)}/'

    @property
    def connection_limit(self) -> int:
        """Return how many connections may be open at once."""
        return self._server.limit

    def start(self) -> None:
        """Start the workers and accept connections in a background thread."""
        self._workers.set_thread_count(self._threads)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """
        Stop accepting connections, close them all and free the port; call from any thread.

        Open streams end when the app's stop event is set (before this, see :class:`~.Site`);
        their workers are waited for up to :data:`WORKERS_TIMEOUT`.

        :param timeout: seconds to wait for the serving thread to end.
        """
        if self._stopping.is_set():
            return  # stopped before: the trigger may be closed already
        self._stopping.set()
        if self._thread.ident is None:
            self._close()
            return
        with self._trigger_lock:
            if not self._closed:
                self._server.pull_trigger()  # wake the I/O loop: it closes all on its way out
        self._thread.join(timeout)

    def _serve(self) -> None:
        try:
            self._server.serve(self._stopping)
        finally:
            self._close()

    def _close(self) -> None:
        # Only the thread that runs the I/O loop (or nobody, before start) touches its
        # sockets. The trigger goes last: workers still finishing may pull it.
        self._server.close_connections()
        self._workers.shutdown(timeout=WORKERS_TIMEOUT)
        with self._trigger_lock:
            self._closed = True
            self._server.close()


def _listen(host: str, port: int) -> socket.socket:
    """Return a socket bound to ``host``:``port`` (not yet listening); ServerBindError if not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
    except OSError as error:  # socket.gaierror included: a name that does not resolve
        raise ServerBindError(host, port, error.strerror or str(error), error.errno) from error
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        listener.close()
        raise ServerBindError(host, port, error.strerror or str(error), error.errno) from error
    return listener


def _address(host: str, port: int) -> str:
    return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'
