# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
A TCP relay on loopback that can stall: it stops forwarding bytes but keeps every connection.

That is what a Wi-Fi link or a proxy that hangs looks like from both ends: nothing closes,
nothing errors, nothing arrives. Bytes that come in while the relay is held wait in it (and
then in the kernel's buffers) and go on in order once it is released.
"""

import socket
import threading

#: Bytes read per call.
CHUNK = 65536


class Relay:
    """Forward connections from a free loopback port to ``127.0.0.1:target_port``."""

    def __init__(self, target_port: int):
        """
        Listen and start accepting.

        :param target_port: the port of the server behind the relay.
        """
        self._target = ('127.0.0.1', target_port)
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port: int = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name='test-relay', daemon=True).start()

    def hold(self) -> None:
        """Stop forwarding bytes, in both directions, on every connection."""
        self._flowing.clear()

    def release(self) -> None:
        """Forward again, the held bytes first."""
        self._flowing.set()

    def close(self) -> None:
        """Close the listener and every connection."""
        self._closed = True
        self._flowing.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._target)
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                self._flowing.wait()
                if self._closed:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def __enter__(self) -> 'Relay':
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
