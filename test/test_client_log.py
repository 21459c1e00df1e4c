# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
A quiet log (issue 10): one line per ``/stream`` client coming and going, requests at debug.

The real ``rtgraph`` shows what an operator reads (its ROS log on stderr); the in-process site
shows the debug lines, which nobody sees by default, never carry a token either.
"""

import http.client
import logging
import re
import socket

import pytest
from ros_helpers import Bridge
from ros_helpers import rtgraph_command
from ros_helpers import wait_until
from ros_helpers import write_config
from sse_client import SSEClient
from web_helpers import FedSite
from web_helpers import HOST
from web_helpers import TOKEN

from ros2_rtgraph.web import connections
from ros2_rtgraph.web.logtext import client_name
from ros2_rtgraph.web.logtext import MAX_AGENT_CHARS
from ros2_rtgraph.web.logtext import short_user_agent

CHROME_ANDROID = ('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) '
                  'Chrome/156.0.0.0 Mobile Safari/537.36')
YAML = """\
server:
  frame_rate: 10
charts:
  - title: T
    series: [/client_log/value.data]
"""
# What a request line looks like in a server's access log, and what one looks like in ours.
REQUEST_LINE = re.compile(r'HTTP/1\.[01]"? \d{3}|"(GET|HEAD) /')
SERVER_LOGGER = connections.__name__  # the request lines, at debug


@pytest.fixture(scope='module')
def bridge(tmp_path_factory):
    process = Bridge(rtgraph_command(write_config(tmp_path_factory.mktemp('log'), YAML)))
    try:
        yield process.wait_serving()
    finally:
        process.close()


def _get(bridge: Bridge, path: str) -> int:
    connection = http.client.HTTPConnection(bridge.host, bridge.port, timeout=10)
    try:
        connection.request('GET', path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_stream_client_is_logged_when_it_connects_and_when_it_goes(bridge):
    connected = 'client 127.0.0.1 (Chrome 156 on Android) connected'
    gone = re.compile(r'client 127\.0\.0\.1 \(Chrome 156 on Android\) '
                      r'disconnected after (\d+\.\d) s\n')
    with SSEClient(bridge.host, bridge.port, path=f'/stream?token={bridge.token}',
                   headers={'User-Agent': CHROME_ANDROID}) as client:
        assert client.status == 200
        assert client.next_event().event == 'meta'
        line = wait_until(lambda: next((text for text in bridge.stderr().splitlines()
                                        if connected in text), None), 10, what='the connect line')
        assert '[INFO]' in line and '[rtgraph]' in line  # through the node's ROS logger
        assert not gone.search(bridge.stderr())
    # The server notices the closed socket at its next write: a stats event comes every second.
    match = wait_until(lambda: gone.search(bridge.stderr()), 20, what='the disconnect line')
    assert float(match[1]) >= 0.0
    assert bridge.stderr().count(connected) == 1
    assert len(gone.findall(bridge.stderr())) == 1
    assert bridge.token not in bridge.stderr()


def test_plain_requests_add_no_lines_to_the_log(bridge):
    before_err, before_out = len(bridge.stderr()), len(''.join(bridge.stdout_lines))
    statuses = [_get(bridge, path) for path in (
        ['/healthz'] * 10 + [f'/api/config?token={bridge.token}'] * 5 + ['/api/config'] * 3
        + [f'/?token={bridge.token}', '/static/js/main.js'])]
    assert len(statuses) == 20 and set(statuses) == {200, 303, 401}
    # A stream after them: its connect line shows that the log is written by now.
    with SSEClient(bridge.host, bridge.port, path=f'/stream?token={bridge.token}') as client:
        assert client.status == 200
        wait_until(lambda: 'client 127.0.0.1 (no user agent) connected'
                   in bridge.stderr()[before_err:], 10, what='the connect line')
    new = bridge.stderr()[before_err:] + ''.join(bridge.stdout_lines)[before_out:]
    assert not REQUEST_LINE.search(new), new
    assert '/healthz' not in new and '/api/config' not in new
    assert bridge.token not in bridge.stderr()


# --- the debug lines, in this process ---------------------------------------------------------

@pytest.fixture
def site(make_site):
    return make_site()


def _raw_request(site: FedSite, data: bytes) -> bytes:
    with socket.create_connection((HOST, site.port), timeout=10) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b''.join(chunks)


def test_request_lines_are_at_debug_without_the_token(site, caplog):
    caplog.set_level(logging.DEBUG, logger=SERVER_LOGGER)
    assert site.get(f'/api/config?token={TOKEN}&tok%65n={TOKEN}')[0] == 200
    assert site.get('/healthz')[0] == 200
    # Not HTTP: the server answers 400 itself, and logs the request line as it came.
    reply = _raw_request(site, f'GET /?token={TOKEN} junk HTTP/1.1\r\n\r\n'.encode())
    assert reply.split(b' ', 2)[1] == b'400'
    server_lines = [r for r in caplog.records if r.name == SERVER_LOGGER]
    text = '\n'.join(r.getMessage() for r in server_lines)
    assert '"GET /api/config?token=...&token=... HTTP/1.1" 200 OK' in text
    assert '"GET /healthz HTTP/1.1" 200 OK' in text
    assert '"GET /?token=... junk HTTP/1.1" 400 Bad Request' in text
    assert all(r.levelno == logging.DEBUG for r in server_lines)
    assert TOKEN not in caplog.text


def test_a_user_agent_cannot_write_control_characters_into_the_log(site, caplog):
    caplog.set_level(logging.INFO, logger='ros2_rtgraph.web.app')
    # C0 controls (an escape, a bell) are not allowed in a header: the server refuses them.
    refused = _raw_request(site, f'GET /stream?token={TOKEN} HTTP/1.1\r\nHost: x\r\n'
                                 f'User-Agent: EvilBot/1.0\x1b[2J\x07\r\n\r\n'.encode())
    assert refused.split(b' ', 2)[1] == b'400'
    # Bytes 0x80-0xFF are (obs-text): a C1 CSI and a C1 line break reach the app.
    agent = 'EvilBot/1.0\x9b2J\x85 (x)'
    with SSEClient(HOST, site.port, path=f'/stream?token={TOKEN}',
                   headers={'User-Agent': agent}) as client:
        assert client.status == 200
        wait_until(lambda: 'connected' in caplog.text, 10, what='the connect line')
    wait_until(lambda: 'disconnected' in caplog.text, 20, what='the disconnect line')
    lines = [r.getMessage() for r in caplog.records if r.name == 'ros2_rtgraph.web.app']
    assert lines[0] == 'client 127.0.0.1 (EvilBot/1.0?2J? (x)) connected'
    assert re.fullmatch(r'client 127\.0\.0\.1 \(EvilBot/1\.0\?2J\? \(x\)\) '
                        r'disconnected after \d+\.\d s', lines[1])
    assert len(lines) == 2


@pytest.mark.parametrize(('agent', 'short'), [
    (CHROME_ANDROID, 'Chrome 156 on Android'),
    ('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) '
     'HeadlessChrome/120.0.6099.28 Safari/537.36', 'Headless Chrome 120 on Linux'),
    ('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
     'Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80', 'Edge 124 on Windows'),
    ('Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
     'Firefox 125 on Android'),
    ('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 '
     '(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari 17 on iOS'),
    ('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 '
     '(KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', 'Safari 17 on macOS'),
    ('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 '
     '(KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1', 'Chrome 124 on iOS'),
    ('Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) '
     'SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
     'Samsung Internet 24 on Android'),
    ('Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) '
     'Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0', 'Opera 110 on ChromeOS'),
    ('curl/8.5.0', 'curl/8.5.0'),  # not a browser: its own words, shortened if long
    ('Python-urllib/3.11', 'Python-urllib/3.11'),
    ('Chrome/' + '9' * 40, 'Chrome/' + '9' * 40),  # no plausible version: kept as text
    ('x' * 200, 'x' * (MAX_AGENT_CHARS - 3) + '...'),
    ('line\r\nbreak\x00', 'line??break?'),
    ('', 'no user agent'),
    ('   ', 'no user agent'),
    (None, 'no user agent'),
])
def test_short_user_agent(agent, short):
    assert short_user_agent(agent) == short
    assert len(short_user_agent(agent)) <= MAX_AGENT_CHARS


def test_client_name():
    assert client_name('192.0.2.7', CHROME_ANDROID) == '192.0.2.7 (Chrome 156 on Android)'
    assert client_name('::1', None) == '::1 (no user agent)'
    assert client_name(None, 'curl/8.5.0') == 'unknown address (curl/8.5.0)'
