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
"""

import threading

from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server
from werkzeug.serving import WSGIRequestHandler

#: Seconds one socket read or write may block before the connection is dropped. Longer than
#: the stream's heartbeat is not needed: a live client drains a write within milliseconds.
CLIENT_TIMEOUT = 15.0


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


def _bind(app, host: str, port: int, client_timeout: float) -> BaseWSGIServer:
    # socketserver.StreamRequestHandler.setup() applies the class's timeout to each
    # connection's socket (Werkzeug 2.0 to 3.1 alike).
    handler = type('TimedRequestHandler', (WSGIRequestHandler,), {'timeout': client_timeout})
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
