# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Wrong-token guesses slowed per client address: a token bucket of token checks.

Every request that brings a token (query or cookie) spends one check of its address's budget
before the token is compared, and gets it back when the token was right: only wrong guesses
use the budget up. An address with none left gets 429 with ``Retry-After`` and its token is
not compared at all: were the right token still let through, a guesser would tell right from
wrong by the answer and lose no time. Budgets refill at a steady rate, so a guesser gets
:data:`GUESS_BURST` guesses at once and then one every :data:`GUESS_INTERVAL` seconds (20 a
minute, where 85 a second were answered without this). Other addresses are not affected, and
the right token from an address with budget left is answered at once. A 429 costs no sleep and
no held thread: slowing guesses by delaying answers would hand a flood of them a thread each.

IPv6 clients are counted by their /64 network (one host can pick any address in it). Only
addresses that guessed wrong recently are remembered, at most :data:`MAX_ADDRESSES`; beyond
that the one seen least recently is forgotten.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
import ipaddress
import threading
import time
from typing import NamedTuple

#: Wrong guesses an address may make at once.
GUESS_BURST = 10
#: Seconds in which an address earns one more guess, up to GUESS_BURST.
GUESS_INTERVAL = 3.0
#: Addresses remembered at once (about 100 bytes each).
MAX_ADDRESSES = 4096


class Spent(NamedTuple):
    """What :meth:`GuessThrottle.spend` decided."""

    wait: float  # 0.0: compare the token; else seconds until the address may try again
    first_refusal: bool  # the first refusal since the address's budget was last full (log it)


@dataclass
class _Budget:
    checks: float  # checks left; fractional while refilling
    updated: float  # clock time at which ``checks`` was right
    refused: bool = False  # a check was refused since the budget was last full


class GuessThrottle:
    """Per-address budgets of token checks; thread-safe."""

    def __init__(self, *, burst: int = GUESS_BURST, interval: float = GUESS_INTERVAL,
                 max_addresses: int = MAX_ADDRESSES,
                 clock: Callable[[], float] = time.monotonic):
        """
        Start with every address at its full budget.

        :param burst: checks an address may spend at once.
        :param interval: seconds to earn one check back.
        :param max_addresses: addresses remembered at once.
        :param clock: a steady clock in seconds.
        """
        self.burst = burst
        self.interval = interval
        self.max_addresses = max_addresses
        self._clock = clock
        # Guards the budgets: every request that brings a token takes it, for a lookup.
        self._budgets_lock = threading.Lock()
        self._budgets: OrderedDict[str, _Budget] = OrderedDict()

    def spend(self, address: str | None) -> Spent:
        """
        Spend one token check of ``address``, if it has one left.

        :param address: the client's address (``REMOTE_ADDR``).
        :return: ``wait == 0.0`` when the token may be compared; else the seconds until the
            address earns its next check, and whether it is the first refusal since the
            address's budget was last full (one log line per bout of guessing).
        """
        key = client_key(address)
        now = self._clock()
        with self._budgets_lock:
            budget = self._budgets.get(key)
            if budget is None:
                budget = self._budgets[key] = _Budget(self.burst, now)
                if len(self._budgets) > self.max_addresses:
                    self._budgets.popitem(last=False)
            else:
                earned = (now - budget.updated) / self.interval
                budget.checks = min(self.burst, budget.checks + earned)
                budget.updated = now
                budget.refused = budget.refused and budget.checks < self.burst
                self._budgets.move_to_end(key)
            if budget.checks >= 1.0:
                budget.checks -= 1.0
                return Spent(0.0, False)
            first, budget.refused = not budget.refused, True
            return Spent((1.0 - budget.checks) * self.interval, first)

    def refund(self, address: str | None) -> None:
        """
        Give back the check a right token spent; forget an address whose budget is full.

        :param address: as given to :meth:`spend`.
        """
        key = client_key(address)
        with self._budgets_lock:
            budget = self._budgets.get(key)
            if budget is None:
                return
            budget.checks = min(self.burst, budget.checks + 1.0)
            if budget.checks >= self.burst:
                del self._budgets[key]

    def __len__(self) -> int:
        """Return the number of addresses remembered."""
        with self._budgets_lock:
            return len(self._budgets)


def client_key(address: str | None) -> str:
    """
    Return what a client's budget is kept under.

    :param address: e.g. ``'192.0.2.7'``, ``'2001:db8::1'``, ``'::ffff:192.0.2.7'``.
    :return: an IPv4 address as it is (also one mapped into IPv6), an IPv6 address's /64
        network (``'2001:db8::/64'``), anything else as given (``''`` for None).
    """
    try:
        parsed = ipaddress.ip_address(address or '')
    except ValueError:
        return address or ''
    if isinstance(parsed, ipaddress.IPv4Address):
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
