# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The Host check of a bridge without a token, against DNS rebinding (issue 12).

The rule as a table (pure), the ``server.allowed_hosts`` key, the real app over HTTP on a
loopback port, and a rebinding in real Chromium: ``--host-resolver-rules`` points
``evil.example`` at 127.0.0.1, as an attacker's DNS would once its page is loaded.
"""

import http.client
import json
import socket

from browser import chromium
from browser import page_state
from browser import watched_page
import pytest
from ros_helpers import rtgraph_command
from ros_helpers import run_rtgraph
from ros_helpers import wait_until
from ros_helpers import write_config
from sse_client import SSEClient
from web_helpers import FedSite
from web_helpers import HOST

from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.hosts import allowed_host_entry
from ros2_rtgraph.hosts import host_name
from ros2_rtgraph.hosts import LocalHosts
from ros2_rtgraph.web.auth import host_refusal

TOKEN = 'hosts-test-token-4f9Q2'  # at least 16 characters
CHARTS = """\
charts:
  - title: A
    series: [/a.data, /b.data]
"""
ROUTES = ['/', '/stream', '/api/config', '/api/export.csv', '/static/js/main.js',
          '/vendor/d3/d3.js', '/nope']
#: The names Chromium resolves to the bridge: one an attacker holds, one an operator allows.
RESOLVER_RULES = '--host-resolver-rules=MAP evil.example 127.0.0.1, MAP trusted.example 127.0.0.1'


# --- the rule --------------------------------------------------------------------------------

@pytest.mark.parametrize(('header', 'name'), [
    ('localhost', 'localhost'),
    ('LocalHost:8080', 'localhost'),
    ('localhost.:8080', 'localhost'),  # one final dot is the same name
    ('127.0.0.1:8080', '127.0.0.1'),
    ('[::1]:8080', '::1'),
    ('[::1]', '::1'),
    ('::1', '::1'),  # not valid in a Host, but unambiguous
    ('[0:0::1]:80', '::1'),
    ('[::ffff:127.0.0.1]:80', '127.0.0.1'),
    ('robot.lab.example:443', 'robot.lab.example'),
    ('', ''),
    (':8080', ''),
    ('localhost:http', ''),
    ('localhost:80:80', ''),
    ('[::1', ''),
    ('[::1]x', ''),
    ('[localhost]:80', ''),
])
def test_host_name(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize(('bound', 'allowed', 'header', 'served'), [
    # Bound to loopback: localhost, every loopback address, nothing else.
    ('127.0.0.1', (), 'localhost:8080', True),
    ('127.0.0.1', (), 'LOCALHOST', True),
    ('127.0.0.1', (), 'localhost.', True),
    ('127.0.0.1', (), '127.0.0.1:8080', True),
    ('127.0.0.1', (), '127.9.8.7:8080', True),
    ('127.0.0.1', (), '[::1]:8080', True),
    ('127.0.0.1', (), '[::ffff:127.0.0.1]:8080', True),
    ('127.0.0.1', (), 'evil.example:8080', False),
    ('127.0.0.1', (), 'evil.example', False),
    ('127.0.0.1', (), 'localhost.evil.example', False),
    ('127.0.0.1', (), '127.0.0.1.evil.example', False),
    ('127.0.0.1', (), 'robot:8080', False),  # the machine's name: only on a wildcard
    ('127.0.0.1', (), '192.168.1.20:8080', False),
    ('127.0.0.1', (), '0.0.0.0:8080', False),
    ('127.0.0.1', (), '', False),
    ('127.0.0.1', (), ':8080', False),
    ('127.0.0.1', (), 'localhost:8080:1', False),
    ('127.0.0.1', (), '<img src=x>', False),
    ('::1', (), '[::1]:8080', True),
    ('::1', (), '127.0.0.1', True),
    ('::1', (), 'evil.example', False),
    ('localhost', (), 'localhost:8080', True),
    # Bound to one address: that address, and loopback.
    ('192.168.1.20', (), '192.168.1.20:8080', True),
    ('192.168.1.20', (), '127.0.0.1:8080', True),
    ('192.168.1.20', (), '192.168.1.21:8080', False),
    ('192.168.1.20', (), 'evil.example:8080', False),
    ('fd00::20', (), '[fd00:0::20]:8080', True),
    ('robot.local', (), 'robot.local:8080', True),  # bound by name: that name
    ('robot.local', (), 'evil.example', False),
    # Bound to a wildcard: any address (the robot's LAN IP, NAT, Docker, VPN), its names.
    ('0.0.0.0', (), '192.168.1.20:8080', True),
    ('0.0.0.0', (), '10.8.0.3', True),
    ('0.0.0.0', (), '0.0.0.0:8080', True),
    ('0.0.0.0', (), '[2001:db8::7]:8080', True),
    ('0.0.0.0', (), 'robot:8080', True),
    ('0.0.0.0', (), 'Robot.local:8080', True),
    ('0.0.0.0', (), 'evil.example:8080', False),
    ('0.0.0.0', (), 'robot.evil.example', False),
    ('0.0.0.0', (), 'robot.local.evil.example', False),
    ('::', (), '192.168.1.20', True),
    ('::', (), '[fe80::1]:8080', True),
    ('::', (), 'evil.example', False),
    # server.allowed_hosts: exactly those names, any port, any case.
    ('127.0.0.1', ('rtgraph.lab.example',), 'rtgraph.lab.example', True),
    ('127.0.0.1', ('rtgraph.lab.example',), 'RTGRAPH.lab.example.:443', True),
    ('127.0.0.1', ('rtgraph.lab.example',), 'lab.example', False),
    ('127.0.0.1', ('rtgraph.lab.example',), 'x.rtgraph.lab.example', False),
    ('127.0.0.1', ('10.8.0.1',), '10.8.0.1:8080', True),
    ('127.0.0.1', ('[fd00::1]',), '[fd00:0:0::1]:8080', True),
    ('0.0.0.0', ('rtgraph.lab.example',), 'evil.example', False),
])
def test_the_host_rule(bound, allowed, header, served):
    rule = LocalHosts.for_server(bound, [allowed_host_entry(one) for one in allowed], 'robot')
    assert rule.allows(header) is served


def test_a_machine_name_with_dots_gets_no_mdns_name():
    rule = LocalHosts.for_server('0.0.0.0', (), 'Robot.Lab.Example')
    assert rule.allows('robot.lab.example:8080')
    assert not rule.allows('robot.lab.example.local')


@pytest.mark.parametrize(('entry', 'compared'), [
    ('rtgraph.lab.example', 'rtgraph.lab.example'),
    ('RTGraph.Lab.Example.', 'rtgraph.lab.example'),
    ('my_robot', 'my_robot'),
    ('10.8.0.1', '10.8.0.1'),
    ('fd00::1', 'fd00::1'),
    ('[fd00:0::1]', 'fd00::1'),
])
def test_allowed_host_entries(entry, compared):
    assert allowed_host_entry(entry) == compared


@pytest.mark.parametrize(('entry', 'reason'), [
    ('http://rtgraph.lab.example', 'without scheme or path'),
    ('rtgraph.lab.example/graph', 'without scheme or path'),
    ('rtgraph.lab.example:8080', 'without a port'),
    ('[fd00::1]:8080', 'without a port'),
    ('*', 'expected a host name'),
    ('*.example', 'expected a host name'),
    ('two words', 'expected a host name'),
    ('-robot', 'expected a host name'),
    ('a..b', 'expected a host name'),
])
def test_allowed_host_entries_that_are_no_host_names(entry, reason):
    with pytest.raises(ValueError, match=reason):
        allowed_host_entry(entry)


def test_the_refusal_says_why_and_how_to_allow_the_name():
    text = host_refusal('Rtgraph.Lab.Example:8080')
    assert "not for 'Rtgraph.Lab.Example:8080'" in text
    assert 'DNS rebinding' in text
    assert "add 'rtgraph.lab.example' to server.allowed_hosts" in text
    assert 'or give it a token' in text
    hostile = host_refusal('<img src=x>\r\nSet-Cookie: a=b' + 'x' * 500)
    assert 'add its name to server.allowed_hosts' in hostile
    assert '\r' not in hostile and '\n' not in hostile and len(hostile) < 600


# --- server.allowed_hosts in the YAML file ---------------------------------------------------

def test_allowed_hosts_are_read_in_the_form_they_are_compared_in():
    config = parse_config(
        'server:\n  allowed_hosts: [RTGraph.Lab.Example, "[fd00::1]", 10.8.0.1]\n' + CHARTS)
    assert config.server.allowed_hosts == ('rtgraph.lab.example', 'fd00::1', '10.8.0.1')
    assert parse_config(CHARTS).server.allowed_hosts == ()
    assert parse_config('server:\n  allowed_hosts: []\n' + CHARTS).server.allowed_hosts == ()


@pytest.mark.parametrize(('value', 'error'), [
    ('\n    - ok.example\n    - robot:8080\n',
     "hosts.yaml:4: server.allowed_hosts[1]: invalid host name 'robot:8080': give the host "
     'name without a port (every port is allowed)'),
    ('\n    - https://ok.example/\n',
     "hosts.yaml:3: server.allowed_hosts[0]: invalid host name 'https://ok.example/': give "
     'the host name only, without scheme or path'),
    ('\n    - "*"\n',
     "hosts.yaml:3: server.allowed_hosts[0]: invalid host name '*': expected a host name "
     '(letters, digits, "-", "_", dots) or an IP address'),
    (' rtgraph.lab.example\n',
     "hosts.yaml:2: server.allowed_hosts: expected a list, got string 'rtgraph.lab.example'"),
    ('\n    - 8080\n',
     'hosts.yaml:3: server.allowed_hosts[0]: expected a string, got integer 8080'),
    ("\n    - ''\n", 'hosts.yaml:3: server.allowed_hosts[0]: must not be empty'),
])
def test_bad_allowed_hosts_name_file_line_and_key(value, error):
    with pytest.raises(ConfigError) as raised:
        parse_config('server:\n  allowed_hosts:' + value + CHARTS, 'hosts.yaml')
    assert str(raised.value) == error


def test_rtgraph_refuses_a_bad_allowed_host_with_one_line_and_exit_2(tmp_path):
    path = write_config(tmp_path, 'server:\n  allowed_hosts: [robot:8080]\n' + CHARTS)
    result = run_rtgraph(rtgraph_command(path))
    assert result.returncode == 2
    assert result.stderr == (
        f"rtgraph: {path}:2: server.allowed_hosts[0]: invalid host name 'robot:8080': "
        'give the host name without a port (every port is allowed)\n')


# --- the real app over HTTP ------------------------------------------------------------------

def _site_config(allowed: str = '[]'):
    return parse_config(f'server:\n  host: {HOST}\n  port: 0\n  allowed_hosts: {allowed}\n'
                        + CHARTS, '<test>')


@pytest.fixture(scope='module')
def open_site():
    """Yield a bridge on 127.0.0.1 without a token that also answers to trusted.example."""
    site = FedSite(_site_config('[trusted.example]'), token=None)
    yield site
    site.close()


def _get(site: FedSite, path: str, host: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Make one request with this Host; an event stream's body is not read (it never ends)."""
    connection = http.client.HTTPConnection(HOST, site.port, timeout=10)
    try:
        connection.request('GET', path, headers={'Host': host})
        response = connection.getresponse()
        streaming = response.getheader('Content-Type', '').startswith('text/event-stream')
        return response.status, response.headers, b'' if streaming else response.read()
    finally:
        connection.close()


@pytest.mark.parametrize('path', ROUTES)
@pytest.mark.parametrize('host', ['evil.example:{port}', 'evil.example', '192.168.1.20:{port}',
                                  'localhost.evil.example:{port}'])
def test_without_a_token_a_foreign_host_gets_403_on_every_route(open_site, path, host):
    host = host.format(port=open_site.port)
    status, headers, body = _get(open_site, path, host)
    assert status == 403
    assert headers['Cache-Control'] == 'no-store'
    assert headers['X-Content-Type-Options'] == 'nosniff'
    if path.startswith('/api/'):
        assert headers['Content-Type'] == 'application/json'
        text = json.loads(body)['error']
    else:
        assert headers['Content-Type'].startswith('text/plain')
        text = body.decode()
    assert text.strip() == host_refusal(host)
    assert b'"series"' not in body and b'event:' not in body


@pytest.mark.parametrize('path', ROUTES)
@pytest.mark.parametrize('host', ['127.0.0.1:{port}', 'localhost:{port}', 'LOCALHOST',
                                  '[::1]:{port}', '127.0.0.2:{port}', 'trusted.example:{port}'])
def test_without_a_token_local_hosts_and_allowed_hosts_are_served(open_site, path, host):
    host = host.format(port=open_site.port)
    if path == '/stream':
        with SSEClient(HOST, open_site.port, headers={'Host': host}) as client:
            assert client.status == 200
            assert client.next_event().event == 'meta'
        return
    status, _, _ = _get(open_site, path, host)
    assert status == (404 if path == '/nope' else 200)


def test_healthz_answers_any_host(open_site):
    """Probes name the bridge by a container or pod address; 'ok' tells a page nothing."""
    status, _, body = _get(open_site, '/healthz', 'evil.example')
    assert (status, json.loads(body)) == (200, {'status': 'ok'})


def test_a_request_without_host_is_served(open_site):
    """HTTP/1.0 tools may send no Host; browsers always do, and rebinding needs a browser."""
    with socket.create_connection((HOST, open_site.port), timeout=10) as connection:
        connection.sendall(b'GET /api/config HTTP/1.0\r\n\r\n')
        answer = b''
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b'HTTP/1.1 200') or answer.startswith(b'HTTP/1.0 200')


def test_with_a_token_any_host_is_answered_as_before(make_site):
    site = make_site(_site_config(), token=TOKEN)
    assert _get(site, f'/api/config?token={TOKEN}', 'evil.example:1')[0] == 200
    assert _get(site, '/api/config', 'evil.example:1')[0] == 401  # the token is the guard
    with SSEClient(HOST, site.port, path=f'/stream?token={TOKEN}',
                   headers={'Host': 'evil.example'}) as client:
        assert client.status == 200
        assert client.next_event().event == 'meta'


def test_bound_to_a_wildcard_the_lan_address_and_the_machine_name_are_served(make_site):
    """A laptop opens http://192.168.1.20:8080/ or http://robot:8080/ on an open bridge."""
    site = make_site(parse_config(
        'server:\n  host: 0.0.0.0\n  port: 0\n' + CHARTS, '<test>'), token=None)
    name = socket.gethostname()
    for host in ['192.168.1.20:8080', '[2001:db8::20]:8080', f'{name}:8080', 'localhost']:
        assert _get(site, '/api/config', host)[0] == 200, host
    assert _get(site, '/api/config', 'evil.example:8080')[0] == 403


# --- a rebinding in real Chromium ------------------------------------------------------------

@pytest.fixture(scope='module')
def rebinding_browser():
    with chromium(RESOLVER_RULES) as context:
        yield context


#: What a rebinding page's script does next: read the bridge from its own origin.
READ_FROM_PAGE = """async (paths) => {
  const out = {};
  for (const path of paths) {
    const response = await fetch(path, {cache: 'no-store'});
    out[path] = response.status;
    if (response.body) response.body.cancel();
  }
  return out;
}"""
#: An EventSource on /stream from that origin: the events it got and whether it was closed.
LISTEN_FROM_PAGE = """() => new Promise((resolve) => {
  const events = [];
  const source = new EventSource('stream');
  for (const name of ['meta', 'snapshot', 'data', 'stats']) {
    source.addEventListener(name, () => events.push(name));
  }
  const timer = setTimeout(() => { source.close(); resolve({closed: false, events}); }, 5000);
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      clearTimeout(timer);
      resolve({closed: true, events});
    }
  };
})"""


def _wait_live(page) -> dict:
    """Wait until the page's stream is live and its first series holds samples."""
    def ready():
        state = page.evaluate('window.rtgraph ? window.rtgraph.state() : null')
        charts = state and state['charts']
        return state if charts and state['connection'] == 'live' and (
            charts[0]['series'][0]['held'] > 0) else None
    return wait_until(ready, 30.0, interval=0.1, what='a live page with samples')


def test_rebinding_in_chromium_gets_no_data(open_site, rebinding_browser):
    page = rebinding_browser.new_page()
    try:
        response = page.goto(f'http://evil.example:{open_site.port}/')
        assert response.status == 403
        assert 'server.allowed_hosts' in page.inner_text('body')
        assert page.evaluate('typeof window.rtgraph') == 'undefined'  # no page, no scripts
        paths = ['/', '/api/config', '/stream', '/api/export.csv', '/static/js/main.js']
        assert page.evaluate(READ_FROM_PAGE, paths) == dict.fromkeys(paths, 403)
        assert page.evaluate(LISTEN_FROM_PAGE) == {'closed': True, 'events': []}
    finally:
        page.close()


@pytest.mark.parametrize('host', ['127.0.0.1', 'localhost', 'trusted.example'])
def test_local_names_and_allowed_hosts_work_in_chromium(open_site, rebinding_browser, host):
    with watched_page(rebinding_browser, f'http://{host}:{open_site.port}/') as (page, _):
        _wait_live(page)
        assert page.evaluate(READ_FROM_PAGE, ['/api/config']) == {'/api/config': 200}


def test_with_a_token_the_page_works_under_any_name_in_chromium(make_site, rebinding_browser):
    site = make_site(_site_config(), token=TOKEN)
    with watched_page(rebinding_browser,
                      f'http://evil.example:{site.port}/?token={TOKEN}') as (page, _):
        _wait_live(page)
        assert page.url == f'http://evil.example:{site.port}/'
        assert page_state(page)['connection'] == 'live'
