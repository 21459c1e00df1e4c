# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Serve a WSGI app from a background thread with Werkzeug's threaded server.

One daemon thread per connection (Werkzeug's ``ThreadedWSGIServer``). :meth:`WebServer.stop`
closes the listening socket, so the port is free again at once, but it does not end open
streaming responses: their generators watch the app's stop event for that.

Every connection's socket gets a timeout (:data:`CLIENT_TIMEOUT`). A client that stops
reading (a phone that went to sleep, a stalled proxy) fills its socket buffers, and the next
write then blocks only its own thread; the timeout turns that block into ``socket.timeout``,
which Werkzeug treats as a dropped connection: the response is closed, its stream slot, thread
and socket are freed. Memory does not grow meanwhile: the stalled thread holds at most the one
chunk it is writing. The same timeout ends connections that never finish sending a request.

Each connection writes through :class:`OneSendWriter`: Werkzeug writes every chunk of a
chunked response as four pieces (length, CRLF, data, CRLF) and then flushes; the writer sends
them, and any headers before them, as one ``sendall`` at that flush. An SSE stream thus costs
one system call and one TCP segment per event batch instead of four, which is most of what a
client costs the bridge. Nagle's algorithm is off for the same reason: every write is already
a whole batch, so holding it back for an ACK only adds latency.

Request lines, and complaints about requests that are not HTTP, go to the ``werkzeug`` logger
at debug, not at info: a page makes dozens of requests a minute, which would drown the log.
They never carry the token (queries are redacted) nor control characters. The app logs each
``/stream`` client at info instead.
"""

import io
import re
import threading
from typing import ClassVar

from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server
from werkzeug.serving import WSGIRequestHandler

from ros2_rtgraph.web.auth import redact_token
from ros2_rtgraph.web.logtext import printable

#: Seconds one socket read or write may block before the connection is dropped. Longer than
#: the stream's heartbeat is not needed: a live client drains a write within milliseconds.
CLIENT_TIMEOUT = 15.0
#: Characters of a request line kept in a debug line (http.server reads up to 64 KiB).
MAX_LOGGED_CHARS = 300

# What a message about an unparsable request may not carry: any query (it may hold the token
# where no parser found it).
_QUERY = re.compile(r'\?[^\s\'"]*')


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
    """A Werkzeug server bound at construction and run in a thread by :meth:`start`."""

    def __init__(self, app, host: str, port: int, *, client_timeout: float = CLIENT_TIMEOUT):
        """
        Bind the listening socket.

        :param app: the WSGI application, e.g. from :func:`~.app.create_app`.
        :param host: address to bind, e.g. '127.0.0.1' or '::1'.
        :param port: port to bind; 0 picks a free one (see :attr:`port`).
        :param client_timeout: seconds a socket read or write may block before the
            connection is dropped.
        :raise ServerBindError: the address is in use, not local, or not allowed.
        """
        self.host = host
        self._server = _bind(app, host, port, client_timeout)
        self._port: int = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name='rtgraph-web', daemon=True)

    @property
    def port(self) -> int:
        """Return the bound port (the real one when 0 was asked for)."""
        return self._port

    @property
    def url(self) -> str:
        """Return the server's base URL, e.g. 'http://127.0.0.1:8080/'."""
        return f'http://{_address(self.host, self.port)}/'

    def start(self) -> None:
        """Accept connections in a background thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """
        Stop accepting connections and free the port; call from any thread but the server's.

        :param timeout: seconds to wait for the serving thread to end.
        """
        started = self._thread.ident is not None
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        if started:
            self._thread.join(timeout)


class OneSendWriter(io.BufferedIOBase):
    """
    A connection's ``wfile`` that holds what is written until :meth:`flush`, then sends it at once.

    Nothing is sent without a flush; Werkzeug flushes after every response chunk, and
    ``socketserver`` flushes (and closes) the writer when the connection ends, so everything
    written goes out. An interim ``100 Continue`` therefore travels with the response's first
    bytes, which HTTP allows (the bridge reads no request bodies). Held bytes are dropped when
    their send fails: the connection is finished then, and the closing flush must not block
    on a stalled socket a second time.
    """

    def __init__(self, sock):
        """
        Write to ``sock``, a connected socket (its timeout bounds each send).

        :param sock: the connection's socket.
        """
        super().__init__()
        self._sock = sock
        self._held: list[bytes] = []

    def writable(self) -> bool:
        """Return True: this is a writer."""
        return True

    def fileno(self) -> int:
        """Return the socket's file descriptor."""
        return self._sock.fileno()

    def write(self, data) -> int:
        """
        Hold ``data`` until the next :meth:`flush`.

        :param data: bytes or another buffer (copied, so the caller may reuse it).
        :return: the number of bytes taken: all of them.
        """
        if self.closed:
            raise ValueError('write to a closed writer')
        held = data if type(data) is bytes else bytes(data)
        if held:
            self._held.append(held)
        return len(held)

    def flush(self) -> None:
        """Send everything held in one ``sendall``; OSError (incl. timeout) propagates."""
        if not self._held:
            return
        held, self._held = self._held, []
        self._sock.sendall(held[0] if len(held) == 1 else b''.join(held))


class _StreamingRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with one send per flush, no Nagle delay and a socket timeout."""

    # socketserver.StreamRequestHandler.setup() applies these to each connection's socket
    # (Werkzeug 2.0 to 3.1 alike); _bind sets the timeout in a subclass.
    timeout: ClassVar[float | None] = CLIENT_TIMEOUT
    disable_nagle_algorithm = True

    def setup(self) -> None:
        """Set up the connection as socketserver does, then write through one send per flush."""
        super().setup()
        self.wfile = OneSendWriter(self.connection)

    def log_request(self, code: int | str = '-', size: int | str = '-') -> None:
        """Log the request line at debug, the token redacted (Werkzeug logs it at info)."""
        # requestline is this request's; path may still be the previous one's when it was bad.
        words = [redact_token(word) for word in getattr(self, 'requestline', '').split(' ')]
        # send_error passes an HTTPStatus, which Python 3.10 formats as 'HTTPStatus.NOT_FOUND'.
        status = int(code) if isinstance(code, int) else code
        self.log('debug', '"%s" %s %s', printable(' '.join(words), MAX_LOGGED_CHARS), status, size)

    def log_error(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        """Log a problem with a request (not HTTP, too long) at debug, queries left out."""
        self.log('debug', '%s', printable(_QUERY.sub('?...', format % args), MAX_LOGGED_CHARS))


def _bind(app, host: str, port: int, client_timeout: float) -> BaseWSGIServer:
    handler = type('TimedRequestHandler', (_StreamingRequestHandler,),
                   {'timeout': client_timeout})
    try:
        return make_server(host, port, app, threaded=True, request_handler=handler)
    except SystemExit as error:
        # Werkzeug 2.3+ prints the OSError and calls sys.exit(1) inside its except clause,
        # so the OSError is still there as the context of the SystemExit.
        cause = error.__context__
        if not isinstance(cause, OSError):
            raise
        raise ServerBindError(host, port, cause.strerror or str(cause), cause.errno) from cause
    except OSError as error:
        # Werkzeug 2.0-2.2 let the OSError (and getaddrinfo's gaierror) through.
        raise ServerBindError(host, port, error.strerror or str(error), error.errno) from error


def _address(host: str, port: int) -> str:
    return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'
