# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Access to the real ``rtgraph``: a generated token by default, Jupyter's model (issue 6).

The generated token is kept in ``$ROS_HOME/rtgraph/token`` across restarts (issue 10).
conftest.py gives the whole run a ROS_HOME of its own; tests that look at the token file give
their bridge (or the function) a ROS_HOME under ``tmp_path``.
"""

import http.client
import os
from pathlib import Path
import re
import stat
import threading
from urllib.parse import urlsplit

import pytest
from ros_helpers import Bridge
from ros_helpers import child_env
from ros_helpers import rtgraph_command
from ros_helpers import run_rtgraph
from ros_helpers import write_config

from ros2_rtgraph.config import ServerConfig
from ros2_rtgraph.web.auth import open_access_warning
from ros2_rtgraph.web.auth import redact_token
from ros2_rtgraph.web.auth import serving_urls
from ros2_rtgraph.web.tokenfile import choose_token
from ros2_rtgraph.web.tokenfile import kept_token
from ros2_rtgraph.web.tokenfile import MIN_KEPT_TOKEN_CHARS
from ros2_rtgraph.web.tokenfile import TOKEN_BYTES
from ros2_rtgraph.web.tokenfile import token_file_path

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

    def run(text: str, *ros_args: str, ros_home: Path | None = None) -> Bridge:
        env = None if ros_home is None else {**child_env(), 'ROS_HOME': str(ros_home)}
        bridges.append(Bridge(rtgraph_command(write_config(tmp_path, text), *ros_args),
                              env=env))
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


def _token_file(ros_home: Path) -> Path:
    return ros_home / 'rtgraph' / 'token'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generated_token_is_kept_across_restarts_until_its_file_is_deleted(start, tmp_path):
    home = tmp_path / 'home'
    first = start(YAML, ros_home=home)
    path = _token_file(home)
    assert path.read_text().strip() == first.token
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert f'rtgraph: the token is kept in {path}; delete that file for a new token\n' in (
        first.stdout_lines)
    first.close()
    second = start(YAML, ros_home=home)
    assert second.token == first.token
    assert _get(second, f'/api/config?token={first.token}').status == 200  # the old URL works
    assert 'the token file' not in second.stderr()  # no warning about the file
    assert 'cannot keep the token' not in second.stderr()
    second.close()
    path.unlink()
    third = start(YAML, ros_home=home)
    assert third.token != first.token
    assert path.read_text().strip() == third.token


@pytest.mark.parametrize('server', ['  token: robot-7-Kq3vT9wZ\n', "  token: ''\n"])
def test_a_configured_token_leaves_the_token_file_alone(start, tmp_path, server):
    home = tmp_path / 'home'
    bridge = start('server:\n' + server + YAML, ros_home=home)
    assert bridge.token in ('robot-7-Kq3vT9wZ', '')
    assert not (home / 'rtgraph').exists()  # (rcl keeps its log files in home/log)
    assert 'kept in' not in ''.join(bridge.stdout_lines)


# A short token edited into the file by hand is replaced, not refused: the file holds what the
# bridge generated (a chosen token goes into server.token, where a short one is refused), and a
# bridge that ran yesterday must not stop starting because its own file went bad.
@pytest.mark.parametrize('kept', ['abc', 'hand-edited-20-chars'])
def test_a_token_file_without_a_token_is_replaced_with_a_warning(start, tmp_path, kept):
    home = tmp_path / 'home'
    path = _token_file(home)
    path.parent.mkdir(parents=True)
    path.write_text(kept + '\n')
    bridge = start(YAML, ros_home=home)
    assert len(bridge.token) == 43 and path.read_text() == bridge.token + '\n'
    assert (f'the token file {path} holds no usable token ({len(kept)} characters, fewer than '
            '22): it now holds a new one') in bridge.stderr()
    assert _get(bridge, f'/api/config?token={kept}').status == 401
    assert 'Traceback' not in bridge.stderr()


def test_a_token_file_that_cannot_be_written_gives_a_token_for_this_run(start, tmp_path):
    home = tmp_path / 'home'
    home.mkdir()  # (with ROS_HOME itself a file, rcl could not start: it logs there too)
    (home / 'rtgraph').write_text('a file where a directory should be\n')
    bridge = start(YAML, ros_home=home)
    assert len(bridge.token) == 43
    assert _get(bridge, f'/api/config?token={bridge.token}').status == 200
    assert (f'cannot keep the token in {_token_file(home)} (Not a directory): '
            'this token lasts for this run only') in bridge.stderr()
    assert 'Traceback' not in bridge.stderr()
    assert 'kept in' not in ''.join(bridge.stdout_lines)


# --- the token file, in this process ----------------------------------------------------------

@pytest.mark.parametrize(('environ', 'expected'), [
    ({'ROS_HOME': '/data/ros'}, Path('/data/ros/rtgraph/token')),
    ({'ROS_HOME': ''}, Path.home() / '.ros/rtgraph/token'),  # empty is unset, as in rcl
    ({}, Path.home() / '.ros/rtgraph/token'),
])
def test_token_file_path_follows_ros_home(environ, expected):
    assert token_file_path(environ) == expected


def test_kept_token_is_created_private_then_read_back(tmp_path):
    path = tmp_path / 'ros' / 'rtgraph' / 'token'
    made = kept_token(path)
    assert made.path == path and made.warnings == ()
    assert re.fullmatch(r'[A-Za-z0-9_-]{43}', made.token)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert kept_token(path) == made
    assert os.listdir(path.parent) == ['token']  # no temporary file left behind


def test_a_hand_written_token_with_a_newline_is_used(tmp_path):
    path = tmp_path / 'token'
    path.write_text('  my-own-token-of-24-chars  \r\n')
    path.chmod(0o600)
    assert kept_token(path).token == 'my-own-token-of-24-chars'


@pytest.mark.parametrize(('content', 'problem'), [
    (b'', 'it is empty'),
    (b' \n', 'it is empty'),
    (b'a' * 30 + b'\nsecond line', 'it is not URL-safe text'),
    (b'token with spaces in it, 30 chars', 'it is not URL-safe text'),
    ('t\u00f6ken-t\u00f6ken-t\u00f6ken-t\u00f6ken'.encode(), 'it is not URL-safe text'),
    (b'\xff\xfe' * 20, 'it is not URL-safe text'),
    (b'a' * (MIN_KEPT_TOKEN_CHARS - 1), f'21 characters, fewer than {MIN_KEPT_TOKEN_CHARS}'),
    (b'a' * 300, 'more than 256 characters'),
    (b'a' * 100_000, 'more than 256 characters'),
])
def test_a_token_file_without_a_usable_token_is_replaced(tmp_path, content, problem):
    path = tmp_path / 'token'
    path.write_bytes(content)
    kept = kept_token(path)
    assert kept.warnings == (
        f'the token file {path} holds no usable token ({problem}): it now holds a new one',)
    assert kept.path == path and path.read_text() == kept.token + '\n'
    assert _mode(path) == 0o600
    assert kept_token(path).warnings == ()


def test_a_token_file_open_to_others_is_tightened_and_its_token_kept(tmp_path):
    path = tmp_path / 'token'
    path.write_text('x' * 43 + '\n')
    path.chmod(0o644)
    kept = kept_token(path)
    assert kept.token == 'x' * 43
    assert kept.warnings == (
        f'the token file {path} was open to other users (mode 0644): it is now 0600; '
        'delete it for a new token if others may have read it',)
    assert _mode(path) == 0o600
    assert kept_token(path).warnings == ()


@pytest.mark.parametrize('what', ['directory', 'fifo', 'ros_home_is_a_file'])
def test_a_token_file_that_cannot_be_used_gives_a_token_for_this_run(tmp_path, what):
    path = tmp_path / 'rtgraph' / 'token'
    if what == 'ros_home_is_a_file':
        path = tmp_path / 'file' / 'rtgraph' / 'token'
        (tmp_path / 'file').write_text('')
        reason = 'Not a directory'
    else:
        path.parent.mkdir()
        if what == 'directory':
            path.mkdir()
            reason = 'Is a directory'
        else:
            os.mkfifo(path)  # opening it for reading must not wait for a writer
            reason = 'not a regular file'
    first, second = kept_token(path), kept_token(path)
    assert first.path is None and first.token != second.token
    assert re.fullmatch(r'[A-Za-z0-9_-]{43}', first.token)
    assert first.warnings == (
        f'cannot keep the token in {path} ({reason}): this token lasts for this run only',)


def test_bridges_starting_together_share_one_kept_token(tmp_path):
    path = tmp_path / 'rtgraph' / 'token'
    barrier = threading.Barrier(8)
    tokens = []

    def start() -> None:
        barrier.wait(10)
        tokens.append(kept_token(path).token)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(tokens) == 8 and set(tokens) == {path.read_text().strip()}
    assert os.listdir(path.parent) == ['token']


def test_a_configured_token_wins_and_leaves_the_kept_one_alone(tmp_path):
    path = tmp_path / 'token'
    kept = kept_token(path)
    before = path.stat()
    assert choose_token('mine', path).token == 'mine'
    assert choose_token('', path).token == ''
    assert choose_token('mine', path).path is None
    assert path.stat() == before
    assert choose_token(None, path) == kept


@pytest.mark.parametrize(('target', 'logged'), [
    ('/stream', '/stream'),
    ('/?token=s3cret', '/?token=...'),
    ('/stream?lastEventId=5&token=s3cret', '/stream?lastEventId=5&token=...'),
    ('/x?tok%65n=s3cret&a=b', '/x?token=...&a=b'),  # Werkzeug decodes the key: so do we
    ('/x?TOKEN=s3cret&token', '/x?token=...&token=...'),
    ('/x?a=1', '/x?a=1'),
])
def test_redact_token(target, logged):
    assert redact_token(target) == logged


def test_token_from_the_yaml_is_used(start):
    bridge = start('server:\n  token: robot-7-Kq3vT9wZ\n' + YAML)
    assert bridge.token == 'robot-7-Kq3vT9wZ'
    assert _get(bridge, '/api/config?token=robot-7-Kq3vT9wZ').status == 200
    assert _get(bridge, '/api/config?token=robot-8-Kq3vT9wZ').status == 401


SHORT_TOKEN_MESSAGE = ('too short: it has 15, at least 16 characters are needed; leave it '
                       "unset for a generated token, or '' to switch access control off")


def test_a_short_token_in_the_yaml_stops_start_up_naming_file_line_and_key(tmp_path):
    path = write_config(tmp_path, 'server:\n  token: fifteen-chars-x\n' + YAML)
    result = run_rtgraph(rtgraph_command(path))
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == f'rtgraph: {path}:2: server.token: {SHORT_TOKEN_MESSAGE}\n'
    assert 'fifteen-chars-x' not in result.stderr


def test_a_short_token_parameter_stops_start_up_even_over_a_good_yaml_token(tmp_path):
    path = write_config(tmp_path, 'server:\n  token: robot-7-Kq3vT9wZ\n' + YAML)
    result = run_rtgraph(rtgraph_command(path, '-p', 'token:=fifteen-chars-x'))
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == f'rtgraph: node parameters: token: {SHORT_TOKEN_MESSAGE}\n'


def test_empty_token_in_the_yaml_switches_access_control_off(start):
    bridge = start("server:\n  token: ''\n" + YAML)
    assert bridge.token == '' and '?' not in bridge.url
    assert _get(bridge, '/').status == 200
    assert _get(bridge, '/api/config').status == 200
    # On loopback too, a web page could read it by DNS rebinding: the log says so once, and
    # the Host check refuses any name but local ones.
    warning = open_access_warning('127.0.0.1', '')
    assert bridge.stderr().count(warning) == 1
    assert _get(bridge, '/api/config', Host=f'evil.example:{bridge.port}').status == 403
    assert _get(bridge, '/api/config', Host=f'localhost:{bridge.port}').status == 200


def test_empty_token_parameter_overrides_the_yaml_and_switches_access_control_off(start):
    bridge = start('server:\n  token: robot-7-Kq3vT9wZ\n' + YAML, '-p', "token:=''")
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


@pytest.mark.parametrize(('host', 'rebinding'), [
    ('127.0.0.1', True),
    ('127.0.1.1', True),
    ('::1', True),
    ('localhost', True),
    ('0.0.0.0', False),
    ('192.0.2.7', False),
    ('robot.local', False),
])
def test_open_access_warning_whenever_there_is_no_token(host, rebinding):
    assert open_access_warning(host, 'a-token-of-16-chars') is None
    warning = open_access_warning(host, '')
    assert warning.startswith('access control is off (token is empty)')
    assert host in warning and '\n' not in warning
    if rebinding:  # loopback: only web pages on this machine, by DNS rebinding
        assert 'DNS rebinding' in warning and 'Host check' in warning
        assert 'server.allowed_hosts' in warning
    else:
        assert 'anyone who can reach this machine can watch its topics' in warning
        assert 'the Host check stops only DNS rebinding' in warning
