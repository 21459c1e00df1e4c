# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Connection exhaustion (issue 12, items 1, 7 and 11): a crowd of slow connections, deadlines.

The crowd test runs the real ``rtgraph`` under the 1024-descriptor limit of a default Linux
session and holds 1100 connections open against it, each sending its request header one
byte every few seconds and opened again when the bridge drops it (slowloris). Meanwhile a
page load must succeed in at most 2 s and the bridge must use less than 30 % of a core. The
other tests use the server in this process, or in a child process short of descriptors.
"""

import errno
import http.client
import logging
import os
import resource
import socket
import subprocess
import sys
import threading
import time

import pytest
from ros_helpers import Bridge
from ros_helpers import child_env
from ros_helpers import port_is_free
from ros_helpers import rtgraph_command
from ros_helpers import write_config
from sse_client import SSEClient
from web_helpers import HOST

from ros2_rtgraph.web import connections
from ros2_rtgraph.web.auth import cookie_name
from ros2_rtgraph.web.server import WebServer

TOKEN = 'exhaustion-token-4f9d2a7c'  # at least 16 characters
CROWD = 1100  # drip-fed connections: more than the bridge may have descriptors
DRIP_PERIOD = 3.0  # seconds between two bytes of one connection's request header
ATTACK_SECONDS = 15.0
PAGE_LOADS = 5  # during the attack
PAGE_SECONDS = 2.0  # the longest a page load may take meanwhile
CPU_SHARE = 0.30  # of one core, the most the bridge may use meanwhile
BRIDGE_FD_LIMIT = 1024
YAML = f"""\
server:
  token: {TOKEN}
  frame_rate: 20
charts:
  - title: T
    series: [/exhaustion/value.data]
"""
# The header the crowd sends, never finished (no test sends it all).
DRIP = b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + b'x' * 4000
TEST_DIR = os.path.dirname(os.path.abspath(__file__))
_TICKS = os.sysconf('SC_CLK_TCK')
# Errors that say the bridge dropped a connection of the crowd (or has not taken it yet).
_DROPPED = (BrokenPipeError, ConnectionResetError, ConnectionRefusedError, TimeoutError)
_NOT_YET = frozenset({errno.EAGAIN, errno.EINPROGRESS, errno.ENOTCONN, errno.EALREADY})


def _dropped(sock: socket.socket) -> bool:
    """Return whether the server closed or reset ``sock`` (never blocks)."""
    try:
        return sock.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b''
    except BlockingIOError:
        return False  # nothing to read: still open (or still connecting)
    except _DROPPED:
        return True


def _cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds of a process (all its threads), from /proc."""
    with open(f'/proc/{pid}/stat', encoding='ascii') as stat:
        fields = stat.read().rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15


def _fds(pid: int) -> int:
    return len(os.listdir(f'/proc/{pid}/fd'))


def _with_fd_limit(command: list[str], limit: int) -> list[str]:
    """Return ``command`` (a Python one) run by a Python that first lowers RLIMIT_NOFILE."""
    lower = ('import os, resource, sys; '
             f'resource.setrlimit(resource.RLIMIT_NOFILE, ({limit}, {limit})); '
             'os.execv(sys.executable, [sys.executable, *sys.argv[1:]])')
    assert command[0] == sys.executable
    return [sys.executable, '-c', lower, *command[1:]]


class Crowd:
    """
    Hold ``count`` connections, each sending one byte of :data:`DRIP` every ``period`` seconds.

    One thread does it all with non-blocking sockets. A connection the server closed (or
    reset) is opened again at its next turn, so the crowd keeps its size, as a slowloris does;
    :attr:`reopened` counts those.
    """

    def __init__(self, port: int, count: int, period: float):
        self.port = port
        self.count = count
        self.period = period
        self.reopened = 0
        self.sockets: list[socket.socket | None] = [None] * count
        self._sent = [0] * count
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='test-crowd', daemon=True)

    def __enter__(self) -> 'Crowd':
        for index in range(self.count):
            self._open(index)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(10)
        for sock in self.sockets:
            if sock is not None:
                sock.close()

    def _open(self, index: int) -> None:
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex((HOST, self.port))  # completes in the background
        self.sockets[index] = sock
        self._sent[index] = 0

    def _drip(self, index: int) -> None:
        sock = self.sockets[index]
        assert sock is not None
        try:
            if not _dropped(sock):
                self._sent[index] += sock.send(DRIP[self._sent[index]:][:1])
                return
        except _DROPPED:
            pass
        except OSError as error:
            if error.errno in _NOT_YET:
                return
            raise
        sock.close()
        self.reopened += 1
        self._open(index)

    def _run(self) -> None:
        tick = self.period / self.count
        began = time.monotonic()
        turn = 0
        while not self._stop.is_set():
            due = began + turn * tick
            now = time.monotonic()
            if due > now:
                self._stop.wait(min(due - now, 0.02))
                continue
            self._drip(turn % self.count)
            turn += 1


def _raise_own_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f'the test needs {needed} file descriptors; the hard limit is {hard}')
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _page_load(port: int) -> tuple[float, int, bytes]:
    """Load the page as a browser with the token cookie does; return seconds, status, body."""
    began = time.monotonic()
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request('GET', '/', headers={
            'Cookie': f'{cookie_name(f"{HOST}:{port}")}={TOKEN}'})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return time.monotonic() - began, response.status, body


def test_a_crowd_of_1100_drip_fed_connections_cannot_keep_a_page_from_loading(tmp_path):
    _raise_own_fd_limit(CROWD + 256)
    command = _with_fd_limit(rtgraph_command(write_config(tmp_path, YAML)), BRIDGE_FD_LIMIT)
    bridge = Bridge(command).wait_serving()
    try:
        pid = bridge.process.pid
        with open(f'/proc/{pid}/limits', encoding='ascii') as limits:
            assert any(line.startswith('Max open files') and f' {BRIDGE_FD_LIMIT} ' in line
                       for line in limits)
        assert _page_load(bridge.port)[1] == 200
        viewer = SSEClient(HOST, bridge.port, path=f'/stream?token={TOKEN}')
        assert viewer.status == 200
        assert viewer.next_event().event == 'meta'
        with Crowd(bridge.port, CROWD, DRIP_PERIOD) as crowd:
            time.sleep(1.0)  # the crowd has connected: the bridge is at its cap
            cpu_before, began = _cpu_seconds(pid), time.monotonic()
            loads, stats = [], 0
            while time.monotonic() - began < ATTACK_SECONDS:
                if len(loads) < PAGE_LOADS and (
                        time.monotonic() - began > len(loads) * ATTACK_SECONDS / PAGE_LOADS):
                    loads.append(_page_load(bridge.port))
                event = viewer.next_event(timeout=5)  # the open stream keeps flowing
                stats += event.event == 'stats'
            share = (_cpu_seconds(pid) - cpu_before) / (time.monotonic() - began)
            fds = _fds(pid)
            reopened = crowd.reopened
        viewer.close()
        seconds = [round(load[0], 3) for load in loads]
        assert len(loads) == PAGE_LOADS
        assert all(status == 200 and b'<html' in body for _, status, body in loads), seconds
        assert max(seconds) <= PAGE_SECONDS, seconds
        assert share < CPU_SHARE, f'{share:.0%} of a core; page loads took {seconds} s'
        assert stats >= ATTACK_SECONDS / 2  # a stats event a second
        assert fds < BRIDGE_FD_LIMIT  # the cap, not the descriptor limit, held the crowd
        assert reopened > CROWD - BRIDGE_FD_LIMIT  # the bridge did drop slow connections
        assert bridge.process.poll() is None
        assert bridge.stderr().count('connections open, the most allowed') == 1  # said once
        assert 'Traceback' not in bridge.stderr()
    finally:
        bridge.close()


def _site_env() -> dict[str, str]:
    """Return a child's environment that imports this package and the test helpers."""
    package_root = os.path.dirname(os.path.dirname(connections.__file__))
    env = child_env()
    env['PYTHONPATH'] = os.pathsep.join([os.path.dirname(package_root), TEST_DIR])
    return env


def test_out_of_file_descriptors_the_server_pauses_instead_of_spinning():
    process = subprocess.Popen(
        [sys.executable, os.path.join(TEST_DIR, 'starved_site.py'), '128', '6', TOKEN],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_site_env())
    try:
        port, limit = map(int, process.stdout.readline().split())
        assert limit == 128 - connections.FD_RESERVE  # the cap follows the descriptor limit
        with Crowd(port, 30, 1.0):  # 30 connections, but 6 descriptors
            time.sleep(1.0)
            cpu_before, began = _cpu_seconds(process.pid), time.monotonic()
            load = _page_load(port)
            time.sleep(max(0.0, 4.0 - (time.monotonic() - began)))
            share = (_cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - began)
    finally:
        _, stderr = process.communicate(timeout=20)  # closes its stdin: it stops
    assert load[1] == 200 and b'<html' in load[2]
    assert load[0] <= PAGE_SECONDS, load[0]  # a starved connection made room for it
    assert share < CPU_SHARE, f'{share:.0%} of a core'  # a busy accept() loop takes 100 %
    assert stderr.count('out of file descriptors (Too many open files)') == 1, stderr
    assert 'Traceback' not in stderr
    assert process.returncode == 0


# --- deadlines, headers, log lines and methods, in this process -------------------------------

DEADLINE = 2.0  # the site's client_timeout


@pytest.fixture
def site(make_site):
    return make_site(token=TOKEN, client_timeout=DEADLINE)


def test_a_request_must_arrive_whole_within_the_deadline_however_it_drips(site):
    silent = socket.create_connection((HOST, site.port))
    dripping = socket.create_connection((HOST, site.port))
    began = time.monotonic()
    closed_after = {}
    try:
        sent = 0
        while len(closed_after) < 2 and time.monotonic() - began < DEADLINE + 10:
            for name, sock in (('silent', silent), ('dripping', dripping)):
                if name not in closed_after and _dropped(sock):
                    closed_after[name] = time.monotonic() - began
            if 'dripping' not in closed_after:
                try:
                    sent += dripping.send(DRIP[sent:sent + 1])  # a byte every 0.1 s
                except _DROPPED:
                    closed_after['dripping'] = time.monotonic() - began
            time.sleep(0.1)
    finally:
        silent.close()
        dripping.close()
    assert sent > DEADLINE / 0.1 / 2  # it kept sending until the server closed it
    for name in ('silent', 'dripping'):  # no sooner than the deadline, and soon after it
        assert DEADLINE <= closed_after[name] <= DEADLINE + 1.5, closed_after


def test_a_kept_alive_connection_stays_while_requests_come(site):
    connection = http.client.HTTPConnection(HOST, site.port, timeout=10)
    try:
        ends = set()
        for _ in range(5):  # over twice the deadline, a request every half deadline
            connection.request('GET', '/healthz')
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b'{"status":"ok"}')
            ends.add(connection.sock.getsockname())
            time.sleep(DEADLINE / 2)
        assert len(ends) == 1  # one connection throughout: http.client opened no other
    finally:
        connection.close()


def _raw(site, data: bytes) -> tuple[bytes, dict[str, str]]:
    """Send raw request bytes; return the status line and headers of the reply."""
    with socket.create_connection((HOST, site.port), timeout=10) as sock:
        sock.sendall(data)
        reply = b''
        while b'\r\n\r\n' not in reply and (chunk := sock.recv(65536)):
            reply += chunk
    head = reply.partition(b'\r\n\r\n')[0].decode('latin-1').split('\r\n')
    return head[0].encode(), dict(line.split(': ', 1) for line in head[1:])


def test_the_server_header_names_no_version(site):
    replies = [
        site.get('/healthz')[1],  # open
        site.get('/')[1],  # 401
        site.get('/api/config', headers=_cookie(site))[1],
        _raw(site, b'GET / junk HTTP/1.1\r\n\r\n')[1],  # 400 from the server itself
        _raw(site, b'GET / HTTP/1.1\r\nX: ' + b'y' * 40000 + b'\r\n\r\n')[1],  # 431
    ]
    assert [reply['Server'] for reply in replies] == ['rtgraph'] * len(replies)
    assert not any('Werkzeug' in str(reply) or 'Python' in str(reply) for reply in replies)


def test_no_request_line_in_the_log_shows_the_token(site, caplog):
    caplog.set_level(logging.DEBUG, logger=connections.__name__)
    cookie = _cookie(site)
    with SSEClient(HOST, site.port, path=f'/stream?lastEventId=0&token={TOKEN}') as client:
        assert client.next_event().event == 'meta'
    assert site.get(f'/nope?x=1&token={TOKEN}')[0] == 404
    assert site.get(f'/?Token={TOKEN}', method='OPTIONS')[0] == 405
    assert site.get(f'/api/config?tok%65n={TOKEN}', headers=cookie)[0] == 200
    assert _raw(site, f'GET http://{HOST}/api/config?token={TOKEN} HTTP/1.1\r\n'
                      f'Host: {HOST}\r\n\r\n'.encode())[0].startswith(b'HTTP/1.1 200')
    assert _raw(site, f'GET /?token={TOKEN} HTTP/1.1\r\nX: {"y" * 40000}\r\n\r\n'.encode())[0] \
        == b'HTTP/1.0 431 Request Header Fields Too Large'
    lines = [r.getMessage() for r in caplog.records if r.name == connections.__name__]
    assert len(lines) == 6, lines
    assert '"GET /stream?lastEventId=0&token=... HTTP/1.1" 200 OK' in lines
    assert f'"GET http://{HOST}/api/config?token=... HTTP/1.1" 200 OK' in lines
    assert TOKEN not in caplog.text


def _cookie(site) -> dict[str, str]:
    return {'Cookie': f'{cookie_name(f"{HOST}:{site.port}")}={TOKEN}'}


@pytest.mark.parametrize('path', ['/', '/stream', '/api/config', '/healthz',
                                  '/static/js/main.js', '/nope'])
@pytest.mark.parametrize('with_token', [True, False], ids=['token', 'no-token'])
def test_options_is_405_like_every_method_but_get_and_head(site, path, with_token):
    status, headers, _ = site.get(path, headers=_cookie(site) if with_token else {},
                                  method='OPTIONS')
    assert status == 405
    assert headers['Allow'] == 'GET, HEAD'


def test_api_config_is_not_cached(site):
    status, headers, _ = site.get('/api/config', headers=_cookie(site))
    assert status == 200
    assert headers['Cache-Control'] == 'no-store'


def test_stop_never_pulls_a_trigger_the_io_loop_already_closed():
    # The I/O loop may see the stop event and close everything (its trigger too) before stop()
    # pulls the trigger to wake it. Played out for certain: the pull waits for the loop's end.
    def app(environ, start_response):
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [b'ok']

    server = WebServer(app, HOST, 0, max_clients=1)
    pull = server._server.pull_trigger

    def late_pull() -> None:
        server._thread.join(2.0)  # the loop ends by itself (or waits for the pull: then 2 s)
        pull()

    server._server.pull_trigger = late_pull
    server.start()
    server.stop()
    assert not server._thread.is_alive()
    assert port_is_free(server.port)
