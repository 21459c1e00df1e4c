# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The QoS rules as tables: what to subscribe with, whether a subscription hears a publisher."""

import itertools

import pytest

from ros2_rtgraph.qos import choose_qos
from ros2_rtgraph.qos import hears
from ros2_rtgraph.qos import Qos
from ros2_rtgraph.qos import SENSOR_DATA

RELIABLE = Qos(reliable=True, latched=False)
BEST_EFFORT = Qos(reliable=False, latched=False)
LATCHED = Qos(reliable=True, latched=True)
BEST_EFFORT_LATCHED = Qos(reliable=False, latched=True)
EVERY = (RELIABLE, BEST_EFFORT, LATCHED, BEST_EFFORT_LATCHED)


@pytest.mark.parametrize(('publishers', 'requested', 'chosen'), [
    # no publisher known: the sensor-data preset (best effort reaches every publisher)
    ([], 'auto', BEST_EFFORT),
    # reliable only when every publisher is
    ([RELIABLE], 'auto', RELIABLE),
    ([RELIABLE, BEST_EFFORT], 'auto', BEST_EFFORT),
    # transient-local only when every publisher is
    ([LATCHED], 'auto', LATCHED),
    ([LATCHED, RELIABLE], 'auto', RELIABLE),
    ([LATCHED, BEST_EFFORT_LATCHED], 'auto', BEST_EFFORT_LATCHED),
    # an explicit choice wins over the publishers
    ([BEST_EFFORT], 'reliable', RELIABLE),
    ([LATCHED], 'best_effort', BEST_EFFORT),
    ([RELIABLE], 'sensor_data', BEST_EFFORT),
    ([], 'reliable', RELIABLE),
])
def test_choose_qos(publishers, requested, chosen):
    assert choose_qos(publishers, requested) == chosen


@pytest.mark.parametrize(('subscription', 'publisher', 'heard'), [
    (BEST_EFFORT, RELIABLE, True),
    (BEST_EFFORT, BEST_EFFORT, True),
    (RELIABLE, BEST_EFFORT, False),  # a reliable subscription gets nothing from best effort
    (RELIABLE, LATCHED, True),
    (LATCHED, RELIABLE, False),  # transient-local gets nothing from a volatile publisher
    (LATCHED, BEST_EFFORT_LATCHED, False),
    (BEST_EFFORT_LATCHED, LATCHED, True),
])
def test_hears(subscription, publisher, heard):
    assert hears(subscription, publisher) is heard


@pytest.mark.parametrize('publishers', [
    list(chosen) for size in (1, 2, 3) for chosen in itertools.combinations(EVERY, size)])
def test_auto_hears_every_publisher_it_was_chosen_for(publishers):
    chosen = choose_qos(publishers, 'auto')
    assert all(hears(chosen, publisher) for publisher in publishers)


def test_the_sensor_data_preset_hears_everybody():
    assert all(hears(SENSOR_DATA, publisher) for publisher in EVERY)
    assert SENSOR_DATA.describe() == 'best_effort, volatile'
    assert LATCHED.describe() == 'reliable, transient_local'
