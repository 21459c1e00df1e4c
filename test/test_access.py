# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Access to the real ``rtgraph``: a generated token by default, Jupyter's model (issue 6)."""

import http.client
from urllib.parse import urlsplit

import pytest
from ros_helpers import Bridge
from ros_helpers import rtgraph_command
from ros_helpers import write_config

from ros2_rtgraph.config import ServerConfig
from ros2_rtgraph.web.auth import open_access_warning
from ros2_rtgraph.web.auth import serving_urls
from ros2_rtgraph.web.auth import TOKEN_BYTES

YAML = """\
charts:
  - title: T
    series: [/access/value.data]
"""


def _get(bridge: Bridge, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(bridge.host, bridge.port, timeout=10)
    connection.request('GET', path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture
def start(tmp_path):
    bridges = []

    def run(text: str, *ros_args: str) -> Bridge:
        bridges.append(Bridge(rtgraph_command(write_config(tmp_path, text), *ros_args)))
        return bridges[-1].wait_serving()

    yield run
    for bridge in bridges:
        bridge.close()


def test_defaults_serve_every_interface_behind_a_generated_token():
    assert ServerConfig().host == '0.0.0.0'
    assert ServerConfig().token is None


def test_rtgraph_generates_a_token_and_logs_the_url_with_it_once(start):
    bridge = start(YAML)
    assert len(bridge.token) >= TOKEN_BYTES * 4 // 3  # 43 URL-safe characters
    assert urlsplit(bridge.url).path == '/'
    assert sum(bridge.token in line for line in bridge.stdout_lines) == 1
    assert _get(bridge, '/').status == 401
    assert _get(bridge, '/stream').status == 401
    assert _get(bridge, '/api/config').status == 401
    assert _get(bridge, '/healthz').status == 200
    welcome = _get(bridge, f'/?token={bridge.token}')
    assert welcome.status == 303
    cookie = welcome.getheader('Set-Cookie')
    assert bridge.token in cookie and 'HttpOnly' in cookie
    assert _get(bridge, '/', Cookie=cookie.split(';')[0]).status == 200


def test_two_starts_generate_two_tokens(start):
    assert start(YAML).token != start(YAML).token


def test_token_from_the_yaml_is_used(start):
    bridge = start('server:\n  token: robot-7\n' + YAML)
    assert bridge.token == 'robot-7'
    assert _get(bridge, '/api/config?token=robot-7').status == 200
    assert _get(bridge, '/api/config?token=robot-8').status == 401


def test_empty_token_in_the_yaml_switches_access_control_off(start):
    bridge = start("server:\n  token: ''\n" + YAML)
    assert bridge.token == '' and '?' not in bridge.url
    assert _get(bridge, '/').status == 200
    assert _get(bridge, '/api/config').status == 200
    assert 'access control is off' not in bridge.stderr()  # loopback: nothing to warn about


def test_empty_token_parameter_overrides_the_yaml_and_switches_access_control_off(start):
    bridge = start('server:\n  token: robot-7\n' + YAML, '-p', "token:=''")
    assert bridge.token == ''
    assert _get(bridge, '/api/config').status == 200


@pytest.mark.parametrize(('host', 'port', 'token', 'urls'), [
    ('127.0.0.1', 8080, 'abc', ['http://127.0.0.1:8080/?token=abc']),
    ('127.0.0.1', 8080, '', ['http://127.0.0.1:8080/']),
    # A wildcard address is no place to browse to: the machine's name follows.
    ('0.0.0.0', 80, 'abc', ['http://0.0.0.0:80/?token=abc', 'http://robot:80/?token=abc']),
    ('::', 8080, '', ['http://[::]:8080/', 'http://robot:8080/']),
    ('::1', 8080, '', ['http://[::1]:8080/']),
])
def test_serving_urls(host, port, token, urls):
    assert serving_urls(host, port, token, 'robot') == urls


@pytest.mark.parametrize(('host', 'token', 'warns'), [
    ('0.0.0.0', '', True),
    ('192.0.2.7', '', True),
    ('robot.local', '', True),
    ('0.0.0.0', 'abc', False),
    ('127.0.0.1', '', False),
    ('127.0.1.1', '', False),
    ('::1', '', False),
    ('localhost', '', False),
])
def test_open_access_warning_only_beyond_loopback(host, token, warns):
    warning = open_access_warning(host, token)
    assert (warning is not None) == warns
    if warns:
        assert host in warning and 'token' in warning
