# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Access, headers, read-only routes and bad requests: the real app on a loopback port.

The token comes in through ``build_site(token=...)``, as main.py passes it.
"""

from http.cookies import SimpleCookie
import json
import re

from browser import chromium
from browser import page_state
from browser import watched_page
import pytest
from ros_helpers import wait_until
from sse_client import SSEClient
from web_helpers import FedSite
from web_helpers import HOST
from web_helpers import TOKEN

from ros2_rtgraph.web.app import CONTENT_SECURITY_POLICY
from ros2_rtgraph.web.auth import cookie_name
from ros2_rtgraph.web.auth import token_matches
from ros2_rtgraph.web.auth import unauthorized_page
from ros2_rtgraph.web.limits import query_string_problem
from ros2_rtgraph.web.limits import StreamLimit
from ros2_rtgraph.web.tokenfile import new_token

PROTECTED = ['/', '/stream', '/api/config', '/api/export.csv', '/vendor/d3/d3.js',
             '/vendor/rickshaw/rickshaw.css', '/static/js/main.js', '/nope']


def _boom() -> str:
    raise RuntimeError('secret internals 8d1f')


def _add_failing_route(app) -> None:
    app.add_url_rule('/test-boom', 'boom', _boom)


@pytest.fixture(scope='module')
def site():
    one = FedSite(app_hook=_add_failing_route)  # one for the module: make_site is per test
    yield one
    one.close()


def _cookie_header(site: FedSite) -> dict[str, str]:
    return {'Cookie': f'{cookie_name(f"{HOST}:{site.port}")}={TOKEN}'}


# --- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize('path', PROTECTED)
def test_without_the_token_everything_but_healthz_is_401(site, path):
    status, headers, body = site.get(path)
    assert status == 401
    assert headers['Cache-Control'] == 'no-store'
    assert 'set-cookie' not in headers
    assert TOKEN.encode() not in body


def test_the_401_page_says_where_to_find_the_url(site):
    status, headers, body = site.get('/')
    assert status == 401
    assert headers['Content-Type'].startswith('text/html')
    text = body.decode()
    assert f'rtgraph: serving on http://{HOST}:{site.port}/?token=' in text
    assert '<script' not in text


def test_api_401_is_json(site):
    status, headers, body = site.get('/api/config')
    assert status == 401
    assert headers['Content-Type'] == 'application/json'
    assert 'token' in json.loads(body)['error']


def test_a_hostile_host_header_never_reaches_the_401_page(site):
    status, _, body = site.get('/', headers={'Host': '<img src=x onerror=alert(1)>'})
    assert status == 401
    assert b'<img' not in body


@pytest.mark.parametrize('given', ['', 'wrong', TOKEN[:-1], TOKEN + 'x', TOKEN.upper()])
def test_a_wrong_token_is_401(site, given):
    assert site.get(f'/api/config?token={given}')[0] == 401
    assert site.get('/api/config', headers={
        'Cookie': f'{cookie_name(f"{HOST}:{site.port}")}={given}'})[0] == 401


def test_healthz_is_open_and_says_only_ok(site):
    status, _, body = site.get('/healthz')
    assert status == 200
    assert json.loads(body) == {'status': 'ok'}


def test_token_in_the_query_sets_a_strict_httponly_cookie_and_leaves_the_url(site):
    status, headers, body = site.get(f'/?token={TOKEN}&window=10')
    assert status == 303
    assert headers['Location'] == './?window=10'
    assert headers['Cache-Control'] == 'no-store'
    cookie_line = headers['Set-Cookie']
    cookie = SimpleCookie(cookie_line)[cookie_name(f'{HOST}:{site.port}')]
    assert cookie.value == TOKEN
    assert cookie['httponly'] is True
    assert cookie['samesite'] == 'Strict'
    assert cookie['path'] == '/'
    assert TOKEN.encode() not in body


def test_the_cookie_opens_the_page_its_assets_and_the_stream(site):
    headers = _cookie_header(site)
    for path in ['/', '/api/config', '/vendor/d3/d3.js', '/static/js/main.js']:
        assert site.get(path, headers=headers)[0] == 200, path
    with SSEClient(HOST, site.port, headers=headers) as client:
        assert client.status == 200
        assert client.next_event().event == 'meta'


def test_the_query_token_opens_the_stream_directly(site):
    with SSEClient(HOST, site.port, path=f'/stream?token={TOKEN}') as client:
        assert client.status == 200
        assert 'set-cookie' in client.headers
        assert client.next_event().event == 'meta'


def test_cookies_of_other_bridges_do_not_count(site):
    other = {'Cookie': f'{cookie_name(f"{HOST}:1")}={TOKEN}'}
    assert site.get('/', headers=other)[0] == 401


@pytest.mark.parametrize('token', [None, ''])
def test_no_token_switches_access_control_off(make_site, token):
    status, headers, _ = make_site(token=token).get('/api/config')
    assert status == 200
    assert 'set-cookie' not in headers


def test_new_tokens_are_long_url_safe_and_differ():
    first, second = new_token(), new_token()
    assert first != second
    assert len(first) >= 43
    assert re.fullmatch(r'[A-Za-z0-9_-]+', first)


@pytest.mark.parametrize(('given', 'expected'), [
    (None, False), ('', False), ('abc', True), ('abd', False), ('ab', False), ('abcd', False),
    ('\udcff', False), ('é', False)])
def test_token_matches(given, expected):
    assert token_matches(given, 'abc') is expected


def test_unicode_tokens_compare():
    assert token_matches('ключ', 'ключ')
    assert not token_matches('ключ', 'ключи')


def test_cookie_name_is_a_safe_token():
    assert cookie_name('192.168.1.5:8080') == 'rtgraph_192_168_1_5_8080'
    assert re.fullmatch(r'rtgraph_\w+', cookie_name('[::1]:80; evil=1'))
    assert len(cookie_name('x' * 10000)) < 120


def test_unauthorized_page_is_plain_html_and_escapes_the_host():
    page = unauthorized_page('robot:8080')
    assert 'http://robot:8080/?token=...' in page
    assert '<script' not in page and 'style' not in page
    assert '&lt;b&gt;' in unauthorized_page('<b>')
    assert '<b>' not in unauthorized_page('<b>')


# --- headers, methods, errors ------------------------------------------------------------------

@pytest.mark.parametrize(('path', 'status'), [
    ('/', 200), ('/healthz', 200), ('/api/config', 200), ('/nope', 404),
    ('/api/export.csv?seconds=x', 400), ('/vendor/d3/d3.js', 200)])
def test_security_headers_on_every_response(site, path, status):
    for headers in (_cookie_header(site), {}):
        got, response_headers, _ = site.get(path, headers=headers)
        assert got == (status if headers or path == '/healthz' else 401)
        assert response_headers['X-Content-Type-Options'] == 'nosniff'
        assert response_headers['Content-Security-Policy'] == CONTENT_SECURITY_POLICY
        assert response_headers['Referrer-Policy'] == 'no-referrer'
        assert response_headers['X-Frame-Options'] == 'DENY'


def test_csp_allows_only_our_own_scripts_and_styles():
    directives = dict(part.split(' ', 1) for part in CONTENT_SECURITY_POLICY.split('; '))
    assert directives['script-src'] == "'self'"
    assert directives['style-src'] == "'self'"
    assert directives['frame-ancestors'] == "'none'"
    assert 'unsafe' not in CONTENT_SECURITY_POLICY


def _sample_path(rule) -> str:
    return re.sub(r'<[^>]+>', 'x.js', re.sub(r'<int:[^>]+>', '0', rule.rule))


#: The only routes that take a writing method: changes of the charts (web/explore.py).
CHANGE_RULES = {('/api/charts', 'POST'), ('/api/charts/<int:index>', 'PATCH'),
                ('/api/charts/<int:index>', 'DELETE'), ('/api/variables', 'PATCH')}


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE', 'PATCH'])
def test_only_the_changes_of_the_charts_accept_a_writing_method(site, method):
    rules = [rule for rule in site.app.url_map.iter_rules() if rule.endpoint != 'boom']
    assert len(rules) >= 7
    for rule in rules:
        writing = rule.methods - {'GET', 'HEAD', 'OPTIONS'}
        assert {(rule.rule, m) for m in writing} <= CHANGE_RULES, rule
        status, _, body = site.get(_sample_path(rule), headers=_cookie_header(site),
                                   method=method)
        if (rule.rule, method) in CHANGE_RULES:  # without X-Requested-With: refused
            assert status == 403 and b'X-Requested-With: rtgraph' in body, rule.rule
        else:
            assert status == 405, (rule.rule, status)


def test_debug_is_off_and_errors_show_no_traceback(site):
    assert site.app.debug is False
    status, headers, body = site.get('/test-boom', headers=_cookie_header(site))
    assert status == 500
    assert b'Traceback' not in body
    assert b'secret internals' not in body
    assert b'RuntimeError' not in body
    assert headers['X-Content-Type-Options'] == 'nosniff'


@pytest.mark.parametrize(('path', 'reason'), [
    ('/stream?lastEventId=abc', 'abc'),
    ('/stream?lastEventId=-1', '-1'),
    ('/stream?lastEventId=' + '9' * 20, '99999'),
    ('/api/export.csv?seconds=abc', 'abc'),
    ('/api/export.csv?series=nope', 'nope'),
    ('/api/config?x=%zz', 'percent-encoding'),
    ('/api/config?x=%', 'percent-encoding'),
    ('/?x=%ff', 'UTF-8'),
    ('/stream?lastEventId=%e2%82', 'UTF-8'),
])
def test_malformed_queries_are_400_with_a_reason(site, path, reason):
    status, headers, body = site.get(path, headers=_cookie_header(site))
    assert status == 400
    assert headers['Content-Type'] == 'application/json'
    assert reason in json.loads(body)['error']


def test_a_good_last_event_id_in_the_query_streams(site):
    with SSEClient(HOST, site.port, path='/stream?lastEventId=1',
                   headers=_cookie_header(site)) as client:
        assert client.status == 200
        assert client.next_event('meta')


@pytest.mark.parametrize(('raw', 'problem'), [
    (b'', None), (b'a=1&b=%41%e2%82%ac+x', None), (b'token=abc', None),
    (b'a=%4', 'offset 2'), (b'a=%g1', 'offset 2'), (b'%', 'offset 0'),
    (b'a=%c3%28', 'UTF-8'), (b'a=\xff', 'UTF-8')])
def test_query_string_problem(raw, problem):
    found = query_string_problem(raw)
    assert (found is None) == (problem is None)
    if problem is not None:
        assert problem in found


# --- the stream cap, unit level ----------------------------------------------------------------

def test_stream_limit_frees_a_slot_even_for_a_stream_that_never_started():
    limit = StreamLimit(2)
    started = []

    def chunks():
        started.append(True)
        yield b'x'

    first, second = limit.guard(chunks()), limit.guard(chunks())
    assert limit.guard(chunks()) is None
    assert limit.active == 2
    first.close()
    first.close()  # twice is harmless
    assert limit.active == 1
    assert next(iter(second)) == b'x'
    second.close()
    assert limit.active == 0
    assert started == [True]
    with pytest.raises(ValueError, match='at least 1'):
        StreamLimit(0)


# --- the real page under the real policy -------------------------------------------------------

VIOLATIONS_SCRIPT = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.mark.browser
def test_the_page_works_under_the_policy_with_the_token_only_in_a_cookie(site):
    # Polled from here: Playwright's in-page polling (wait_for_function) evaluates a string,
    # which this very policy forbids.
    drawn = ('() => Boolean(window.rtgraph && window.rtgraph.state().charts.length > 0 && '
             'window.rtgraph.state().charts[0].renders > 1)')
    with chromium() as context:
        context.add_init_script(VIOLATIONS_SCRIPT)
        url = f'http://{HOST}:{site.port}/?token={TOKEN}'
        with watched_page(context, url) as (page, watch):
            wait_until(lambda: page.evaluate(drawn), 30.0, interval=0.1, what='a drawn chart')
            assert page.url == f'http://{HOST}:{site.port}/'  # the token left the address bar
            assert page.evaluate('document.cookie') == ''  # HttpOnly: scripts cannot read it
            assert page_state(page)['connection'] == 'live'
            assert page.evaluate('window.cspViolations') == []
        assert not [error for error in watch.errors if 'Content Security Policy' in error]
