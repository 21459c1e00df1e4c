# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Wrong-token guesses slowed per client address (issue 12).

The budget on a test clock, then the real app over HTTP, with clients on two loopback
addresses (127.0.0.1 and 127.0.0.2).
"""

import http.client
import json
import logging
import math
import time

import pytest
from web_helpers import HOST

from ros2_rtgraph.web.auth import cookie_name
from ros2_rtgraph.web.throttle import client_key
from ros2_rtgraph.web.throttle import GUESS_BURST
from ros2_rtgraph.web.throttle import GUESS_INTERVAL
from ros2_rtgraph.web.throttle import GuessThrottle

TOKEN = 'throttle-test-token-8Kd3'  # at least 16 characters
OTHER = '127.0.0.2'  # another client: every 127/8 address is this machine's
#: Guesses a second the test makes (about 85 were answered without a throttle), and for how
#: long: longer than GUESS_INTERVAL, so guesses earned back show too.
GUESS_RATE = 100
GUESS_SECONDS = 4.0


class Clock:
    """A clock the test moves."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the budget, on a test clock -------------------------------------------------------------

def test_a_burst_then_one_guess_per_interval():
    clock = Clock()
    throttle = GuessThrottle(burst=3, interval=2.0, clock=clock)
    assert [throttle.spend('192.0.2.7').wait for _ in range(3)] == [0.0, 0.0, 0.0]
    refused = throttle.spend('192.0.2.7')
    assert refused.wait == pytest.approx(2.0) and refused.first_refusal
    clock.now += 0.5
    again = throttle.spend('192.0.2.7')
    assert again.wait == pytest.approx(1.5) and not again.first_refusal  # logged once
    clock.now += 1.5
    assert throttle.spend('192.0.2.7').wait == 0.0  # one earned back
    assert not throttle.spend('192.0.2.7').first_refusal  # the same bout of guessing
    clock.now += 6.0  # the budget is full again
    assert [throttle.spend('192.0.2.7').wait for _ in range(3)] == [0.0, 0.0, 0.0]
    assert throttle.spend('192.0.2.7').first_refusal  # a new bout


def test_right_tokens_give_their_check_back_and_leave_nothing_behind():
    throttle = GuessThrottle(burst=3, interval=2.0, clock=Clock())
    for _ in range(100):
        assert throttle.spend('192.0.2.7').wait == 0.0
        throttle.refund('192.0.2.7')
    assert len(throttle) == 0
    throttle.spend('192.0.2.7')
    throttle.spend('192.0.2.7')  # two wrong guesses stay counted
    throttle.spend('192.0.2.7')
    throttle.refund('192.0.2.7')  # (the right one)
    assert throttle.spend('192.0.2.7').wait == 0.0
    assert throttle.spend('192.0.2.7').wait > 0.0


def test_addresses_have_budgets_of_their_own():
    throttle = GuessThrottle(burst=2, interval=2.0, clock=Clock())
    for _ in range(5):
        throttle.spend('192.0.2.7')
    assert throttle.spend('192.0.2.7').wait > 0.0
    assert throttle.spend('192.0.2.8').wait == 0.0
    assert throttle.spend('::ffff:192.0.2.7').wait > 0.0  # the same client over IPv6
    for _ in range(2):
        throttle.spend('2001:db8:0:1::1')
    assert throttle.spend('2001:db8:0:1:ffff::99').wait > 0.0  # the same /64
    assert throttle.spend('2001:db8:0:2::1').wait == 0.0


def test_memory_is_bounded_and_the_least_recent_address_is_forgotten():
    throttle = GuessThrottle(burst=1, interval=60.0, max_addresses=100, clock=Clock())
    throttle.spend('10.0.0.0')
    for index in range(1, 10_000):
        throttle.spend(f'10.0.{index // 256}.{index % 256}')
        assert len(throttle) <= 100
    assert len(throttle) == 100
    assert throttle.spend('10.0.0.0').wait == 0.0  # forgotten: a fresh budget
    assert throttle.spend('10.0.39.15').wait > 0.0  # (the last one) still remembered


@pytest.mark.parametrize(('address', 'key'), [
    ('192.0.2.7', '192.0.2.7'),
    ('::ffff:192.0.2.7', '192.0.2.7'),
    ('2001:db8::1', '2001:db8::/64'),
    ('2001:db8:0:0:ffff:ffff:ffff:ffff', '2001:db8::/64'),
    ('fe80::1%eth0', 'fe80::/64'),
    ('::1', '::/64'),
    (None, ''),
    ('unix-socket', 'unix-socket'),
])
def test_client_key(address, key):
    assert client_key(address) == key


# --- the real app over HTTP ------------------------------------------------------------------

def _ask(port: int, path: str, *, source: str = HOST, cookie: str | None = None
         ) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET ``path`` from the loopback address ``source``; optionally with a token cookie."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10, source_address=(source, 0))
    headers = {} if cookie is None else {'Cookie': f'{cookie_name(f"{HOST}:{port}")}={cookie}'}
    try:
        connection.request('GET', path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture
def site(make_site):
    return make_site(token=TOKEN)


def test_wrong_guesses_are_slowed_and_the_right_token_is_answered_at_once(site, caplog):
    caplog.set_level(logging.INFO, logger='ros2_rtgraph.web.app')
    checked, refused, retry_after = [], 0, set()
    started = time.monotonic()
    for guess in range(int(GUESS_RATE * GUESS_SECONDS)):
        time.sleep(max(0.0, started + guess / GUESS_RATE - time.monotonic()))
        status, headers, body = _ask(site.port, f'/api/config?token=guess-{guess:016d}')
        assert status in (401, 429), status
        if status == 401:
            checked.append(time.monotonic() - started)
        else:
            refused += 1
            retry_after.add(int(headers['Retry-After']))
            assert 'too many wrong tokens' in json.loads(body)['error']
    elapsed = time.monotonic() - started
    answered = len(checked) + refused
    # Without the throttle every guess is checked: here the burst, then one per interval.
    assert answered == GUESS_RATE * GUESS_SECONDS
    assert GUESS_BURST <= len(checked) <= GUESS_BURST + math.ceil(elapsed / GUESS_INTERVAL)
    print(f'{answered} guesses answered in {elapsed:.1f} s ({answered / elapsed:.0f}/s), '
          f'{len(checked)} of them checked ({len(checked) - GUESS_BURST} after the burst of '
          f'{GUESS_BURST}); Retry-After {sorted(retry_after)}')
    assert retry_after and retry_after <= set(range(1, math.ceil(GUESS_INTERVAL) + 1))
    # The guesser's address is told to wait; another client is not, and the right token is
    # answered at once there, as it is to the guesser with its next earned check.
    started = time.monotonic()
    assert _ask(site.port, f'/api/config?token={TOKEN}', source=OTHER)[0] == 200
    other_seconds = time.monotonic() - started
    print(f'the right token from {OTHER} answered in {other_seconds * 1000:.1f} ms')
    assert other_seconds < GUESS_INTERVAL, other_seconds  # not held back (it measures ~ms)
    assert _ask(site.port, f'/api/config?token={TOKEN}')[0] == 429
    time.sleep(GUESS_INTERVAL)
    assert _ask(site.port, f'/api/config?token={TOKEN}')[0] == 200
    lines = [record.getMessage() for record in caplog.records
             if 'too many wrong tokens' in record.getMessage()]
    assert lines == ['client 127.0.0.1 (no user agent): too many wrong tokens; its token '
                     'checks are refused (429) for now'], lines  # once, not per refusal


def test_cookie_guesses_count_and_requests_without_a_token_are_not_guesses(site):
    for guess in range(GUESS_BURST):
        assert _ask(site.port, '/api/config', cookie=f'guess-{guess:016d}')[0] == 401
    status, headers, _ = _ask(site.port, '/', cookie=TOKEN)
    assert status == 429  # its token is not compared at all: a guesser learns nothing
    assert headers['Cache-Control'] == 'no-store' and 1 <= int(headers['Retry-After'])
    assert _ask(site.port, '/')[0] == 401  # no token: the page saying where to find it
    assert _ask(site.port, '/healthz')[0] == 200
    assert _ask(site.port, '/', source=OTHER, cookie=TOKEN)[0] == 200


def test_right_tokens_never_use_up_the_budget(site):
    for _ in range(GUESS_BURST - 1):
        assert _ask(site.port, '/api/config?token=wrong-wrong-wrong-1')[0] == 401
    for _ in range(3 * GUESS_BURST):  # a page load and more, all with the right cookie
        assert _ask(site.port, '/api/config', cookie=TOKEN)[0] == 200
    assert _ask(site.port, '/api/config?token=wrong-wrong-wrong-1')[0] == 401  # the last one
    assert _ask(site.port, '/api/config?token=wrong-wrong-wrong-1')[0] == 429
