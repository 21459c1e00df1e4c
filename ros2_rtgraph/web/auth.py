# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Access by token, Jupyter's model: the log shows the URL with ``?token=``, a cookie keeps it.

The bridge binds beyond loopback on robots, often on shared networks, so everything but
``/healthz`` needs the token. A request that brings the right ``?token=`` gets an HttpOnly,
SameSite=Strict cookie, so the page's own requests (scripts, ``/stream``, the CSV download)
carry it without the token ever reaching JavaScript; the page URL is then redirected to itself
without the token, which keeps it out of the address bar, the history and the Referer.
Tokens are compared in constant time. No Flask in here: :mod:`.app` wires these functions in.
Where a generated token comes from and is kept: :mod:`.tokenfile`; how wrong guesses are
slowed: :mod:`.throttle`; which Host names a bridge without a token serves:
:mod:`ros2_rtgraph.hosts`.
"""

import hmac
import html
import re
from urllib.parse import unquote_plus

from ros2_rtgraph.hosts import allowed_host_entry
from ros2_rtgraph.hosts import host_name
from ros2_rtgraph.hosts import is_loopback
from ros2_rtgraph.web.logtext import printable

#: The query parameter that carries the token.
TOKEN_PARAMETER = 'token'
#: What the bridge logs when it starts; the 401 page tells the reader to look for it.
LOG_LINE_PREFIX = 'rtgraph: serving on '

_COOKIE_UNSAFE = re.compile(r'[^A-Za-z0-9]')
# A Host header longer than any real address only makes a longer cookie name (or refusal).
_MAX_HOST_CHARS = 100

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>rtgraph: token needed</title></head>
<body>
<h1>rtgraph: token needed</h1>
<p>This page needs the access token of the bridge on {host}. Open the full URL that the
bridge printed when it started: look in its log for the line</p>
<pre>{prefix}http://{host}/?token=...</pre>
<p>(the terminal or <code>ros2 launch</code> output on the robot). The browser keeps the
token in a cookie after that, so the plain address works too.</p>
</body>
</html>
"""


def serving_urls(host: str, port: int, token: str, hostname: str) -> list[str]:
    """
    Return the URLs to print at start-up: the first is where the server listens.

    A wildcard address (``0.0.0.0``, ``::``) is no address a browser can open, so the
    machine's host name follows it: that is the URL to give a laptop or phone.

    :param host: the address the server is bound to.
    :param port: the bound port.
    :param token: the token in force; ``''`` for none.
    :param hostname: this machine's name (``socket.gethostname()``).
    :return: one or two URLs, each with ``?token=`` when a token is needed.
    """
    query = f'?{TOKEN_PARAMETER}={token}' if token else ''
    hosts = [host, hostname] if host in ('0.0.0.0', '::') else [host]
    return [f'http://{_url_host(name)}:{port}/{query}' for name in hosts]


def open_access_warning(host: str, token: str) -> str | None:
    """
    Say why running without a token is risky here, or None when there is a token.

    On loopback too: any web page that a browser on this machine opens could read the bridge
    by DNS rebinding, were it not for the Host check (:mod:`ros2_rtgraph.hosts`).

    :param host: the address the server is bound to.
    :param token: the token in force; ``''`` means none.
    :return: one line for the log when there is no token, else None.
    """
    if token:
        return None
    if is_loopback(host):
        return (f'access control is off (token is empty) on {host}: web pages opened on this '
                'machine could try to read the bridge by DNS rebinding; the Host check answers '
                'only localhost, loopback addresses and server.allowed_hosts')
    return (f'access control is off (token is empty) and the page is served on {host}: '
            'anyone who can reach this machine can watch its topics (the Host check stops '
            'only DNS rebinding)')


def _url_host(host: str) -> str:
    return f'[{host}]' if ':' in host else host


def token_matches(given: str | None, token: str) -> bool:
    """
    Compare a presented token with the real one in constant time.

    :param given: what the request carried (query parameter or cookie), None when nothing.
    :param token: the real token, not empty.
    :return: whether they are equal; the time taken does not depend on where they differ.
    """
    if given is None:
        return False
    return hmac.compare_digest(given.encode('utf-8', 'surrogatepass'), token.encode('utf-8'))


def cookie_name(host: str) -> str:
    """
    Name the token cookie after the address the browser used.

    Cookies ignore ports, so two bridges reached as ``localhost:8080`` and ``localhost:8081``
    (SSH tunnels to two robots) would overwrite each other's cookie under a fixed name.

    :param host: the request's ``Host`` header, e.g. ``'192.168.1.5:8080'``.
    :return: e.g. ``'rtgraph_192_168_1_5_8080'``.
    """
    return 'rtgraph_' + _COOKIE_UNSAFE.sub('_', host[:_MAX_HOST_CHARS])


def redact_token(target: str) -> str:
    """
    Return a request target fit for a log line: the value of every token parameter replaced.

    Keys are compared percent-decoded (``?tok%65n=`` is the token too) and loosely (any key
    that contains ``token``), so a value is rather hidden once too often than shown once.

    :param target: the path and query, e.g. ``'/stream?token=abc&lastEventId=5'``.
    :return: e.g. ``'/stream?token=...&lastEventId=5'``.
    """
    path, mark, query = target.partition('?')
    if not mark:
        return target
    parts = []
    for part in query.split('&'):
        key = unquote_plus(part.partition('=')[0]).lower()
        parts.append(f'{TOKEN_PARAMETER}=...' if TOKEN_PARAMETER in key else part)
    return f'{path}?{"&".join(parts)}'


def unauthorized_page(host: str) -> str:
    """
    Return the HTML that a request without the token gets with its 401.

    :param host: the request's ``Host`` header, shown in the URL to look for (escaped).
    :return: a small self-contained HTML page (no scripts, no styles).
    """
    return _PAGE.format(host=html.escape(host), prefix=html.escape(LOG_LINE_PREFIX))


def host_refusal(host: str) -> str:
    """
    Say why a bridge without a token refuses a request for ``host`` (403), and how to allow it.

    :param host: the request's ``Host`` header, shown printable and cut short.
    :return: one paragraph of plain text.
    """
    try:
        name = repr(allowed_host_entry(host_name(host)))
    except ValueError:  # no host name at all: nothing to suggest
        name = 'its name'
    shown = printable(host, _MAX_HOST_CHARS)
    return ('This bridge runs without an access token, so it answers only requests for '
            f'localhost, loopback addresses and its own address, not for {shown!r} (a guard '
            f'against DNS rebinding). To open it under this name, add {name} to '
            'server.allowed_hosts in its YAML file, or give it a token.')
