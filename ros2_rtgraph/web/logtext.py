# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Text from requests made fit for one log line: printable, bounded, user agents shortened.

Whatever a client sends may end up in the robot's log: control characters there could forge
lines or move a terminal's cursor (log injection), and a 64 KiB header would drown the log.
"""

import re

_UNPRINTABLE = re.compile(r'[^\x20-\x7e]')
#: Characters of an unknown user agent kept in a log line.
MAX_AGENT_CHARS = 60
# The first pattern that matches names the browser; its group is the major version. Order
# matters: Edge, Opera and Samsung Internet also say Chrome, Chrome also says Safari.
_BROWSERS = tuple((re.compile(pattern), name) for pattern, name in (
    (r'\bEdg(?:e|A|iOS)?/(\d{1,5})(?!\d)', 'Edge'),
    (r'\b(?:OPR|Opera)/(\d{1,5})(?!\d)', 'Opera'),
    (r'\bSamsungBrowser/(\d{1,5})(?!\d)', 'Samsung Internet'),
    (r'\b(?:Firefox|FxiOS)/(\d{1,5})(?!\d)', 'Firefox'),
    (r'\bHeadlessChrome/(\d{1,5})(?!\d)', 'Headless Chrome'),
    (r'\b(?:Chrome|CriOS)/(\d{1,5})(?!\d)', 'Chrome'),
    (r'\bVersion/(\d{1,5})(?!\d)[^ ]* (?:Mobile/[^ ]+ )?Safari/', 'Safari'),
))
# The first word found names the system: Android says Linux too, iOS says Mac OS X.
_SYSTEMS = (('Android', 'Android'), ('iPhone', 'iOS'), ('iPad', 'iPadOS'),
            ('CrOS', 'ChromeOS'), ('Windows', 'Windows'), ('Macintosh', 'macOS'),
            ('Linux', 'Linux'))


def printable(text: str, max_chars: int) -> str:
    """
    Return ``text`` with every character outside printable ASCII as ``?``, cut to ``max_chars``.

    :param text: what a client sent.
    :param max_chars: longest result; a cut text ends in ``...``.
    """
    text = _UNPRINTABLE.sub('?', text)
    return text if len(text) <= max_chars else text[:max_chars - 3] + '...'


def client_name(address: str | None, user_agent: str | None) -> str:
    """
    Name a client for the log: its address and the short form of its user agent.

    :param address: the peer's address (``REMOTE_ADDR``; the proxy's, behind a proxy).
    :param user_agent: the ``User-Agent`` header, None when there is none.
    :return: e.g. ``'192.168.1.23 (Chrome 156 on Android)'``.
    """
    return f'{address or "unknown address"} ({short_user_agent(user_agent)})'


def short_user_agent(text: str | None) -> str:
    """
    Shorten a ``User-Agent`` header to what a log reader needs, safe to print.

    :param text: the header, None when there is none.
    :return: browser, major version and system, e.g. ``'Firefox 125 on Android'``; for an
        agent not known here its text, control characters replaced and cut to
        :data:`MAX_AGENT_CHARS`; ``'no user agent'`` for none.
    """
    if not text or not text.strip():
        return 'no user agent'
    for pattern, browser in _BROWSERS:
        match = pattern.search(text)
        if match:
            system = next((name for word, name in _SYSTEMS if word in text), None)
            return f'{browser} {match[1]} on {system}' if system else f'{browser} {match[1]}'
    return printable(text.strip(), MAX_AGENT_CHARS)
