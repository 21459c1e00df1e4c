# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The Host names a bridge without a token answers to: the guard against DNS rebinding.

A web page on ``evil.example`` can point that name at 127.0.0.1 (or at the robot) once it is
loaded; the browser then takes the bridge for ``evil.example`` and lets the page read it. What
gives the trick away is the ``Host`` header, which still says ``evil.example``. So, without a
token, only names that cannot be an attacker's are served (Jupyter's ``local_hostnames``
idea): ``localhost``, loopback addresses, the address the server is bound to, and the names an
operator lists in ``server.allowed_hosts`` (a proxy's public name, say).

Bound to a wildcard (``0.0.0.0``, ``::``), the bound address is every address of the machine,
so any IP address is accepted, as is the machine's own name (the start-up log prints it). An
address in ``Host`` can never be a rebinding: the browser then holds the page for that address
itself, which no other site can read. Listing the interfaces' addresses instead would refuse a
laptop that reaches the robot through NAT, a Docker port or a VPN, and go stale when DHCP or a
Wi-Fi roam changes them. With a token, Host is not checked: the token is the guard.

Here and not in web/ because config.py checks ``server.allowed_hosts`` with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Addresses that bind every interface.
WILDCARD_ADDRESSES = frozenset({'0.0.0.0', '::'})

# One label of a host name (RFC 1123, plus '_', which Docker and Chromium accept).
_LABEL = r'[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?'
_NAME = re.compile(rf'{_LABEL}(\.{_LABEL})*')
_PORT = re.compile(r':[0-9]*')


def host_name(header: str) -> str:
    """
    Return the name or address a ``Host`` header names, in the form it is compared in.

    :param header: e.g. ``'LocalHost:8080'``, ``'[::1]:8080'``, ``'robot.'``.
    :return: lower case, without port, brackets or one final dot; an address in its
        canonical form (``'::1'``); ``''`` when the header names no host at all.
    """
    text = header.strip().lower()
    if text.startswith('['):  # an IPv6 address, with or without a port
        inside, bracket, rest = text[1:].partition(']')
        if not bracket or not _PORT.fullmatch(rest or ':') or _address(inside) is None:
            return ''
        return str(_address(inside))
    if ':' in text and _address(text) is not None:  # IPv6 without brackets: no port then
        return str(_address(text))
    name, _, port = text.partition(':')
    if ':' in port or not _PORT.fullmatch(':' + port):
        return ''
    name = name[:-1] if name.endswith('.') else name
    address = _address(name)
    return name if address is None else str(address)


def is_loopback(host: str) -> bool:
    """
    Say whether a host (``server.host``, a Host header) names this machine only.

    :param host: ``localhost`` or an address, e.g. ``'127.0.0.1'``, ``'::1'``.
    :return: False for any other name: assume it is reachable from the network.
    """
    name = host_name(host)
    address = _address(name)
    return name == 'localhost' if address is None else address.is_loopback


def allowed_host_entry(text: str) -> str:
    """
    Check one ``server.allowed_hosts`` entry and return it in the form it is compared in.

    :param text: a host name or an IP address, e.g. ``'rtgraph.example.com'``, ``'10.8.0.1'``.
    :return: the entry as :func:`host_name` gives it for a header that names it.
    :raise ValueError: with what is wrong (a port, a scheme, a path, ...), without the text.
    """
    if '/' in text:
        raise ValueError('give the host name only, without scheme or path')
    name = host_name(text)
    text = text.strip()
    if ']:' in text or (':' in text and text[0] != '[' and _address(text) is None):
        raise ValueError('give the host name without a port (every port is allowed)')
    if not name or (_address(name) is None and not _NAME.fullmatch(name)):
        raise ValueError('expected a host name (letters, digits, "-", "_", dots) '
                         'or an IP address')
    return name


@dataclass(frozen=True)
class LocalHosts:
    """The ``Host`` headers a bridge without a token serves: see the module's docstring."""

    names: frozenset[str]  # as host_name() gives them: localhost, the bound name, allowed_hosts
    bound: IPAddress | None  # the bound address; None when bound to a name or a wildcard
    any_address: bool  # bound to a wildcard: every IP address is this machine's

    @classmethod
    def for_server(cls, bound: str, allowed: Iterable[str], hostname: str) -> 'LocalHosts':
        """
        Describe the Host names a server bound to ``bound`` answers.

        :param bound: the address the server listens on (``server.host``).
        :param allowed: the ``server.allowed_hosts`` entries (from :func:`allowed_host_entry`).
        :param hostname: this machine's name (``socket.gethostname()``); taken only when bound
            to a wildcard, as the start-up log then prints it.
        :return: the rule.
        """
        names = {'localhost', *allowed}
        wildcard = bound in WILDCARD_ADDRESSES
        address = _address(host_name(bound))
        if address is None:
            names.add(host_name(bound))
        name = host_name(hostname)
        if wildcard and name:
            names.add(name)
            if '.' not in name:
                names.add(name + '.local')  # its mDNS name (Avahi)
        return cls(frozenset(names), None if wildcard else address, wildcard)

    def allows(self, header: str) -> bool:
        """
        Say whether a request with this ``Host`` header is served.

        :param header: the request's ``Host`` header.
        :return: True for the names and addresses of this rule, False for any other.
        """
        name = host_name(header)
        if name in self.names:
            return bool(name)
        address = _address(name)
        if address is None:
            return False
        return address.is_loopback or self.any_address or address == self.bound


def _address(text: str) -> IPAddress | None:
    """Return the IP address ``text`` spells (an IPv4-mapped one as IPv4), None for a name."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
