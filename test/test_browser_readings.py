# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The legend's readings in headless Chromium: decimals from the y ticks or the YAML, 4 Hz at most.

The site is fed without ROS (web_helpers.FedSite) fifty times a second.
"""

import re

from browser import wait_state
from browser import watched_page
import pytest
from web_helpers import TOKEN

from ros2_rtgraph.config import parse_config

pytestmark = pytest.mark.browser

YAML = """
server: {host: 127.0.0.1, port: 0, frame_rate: 20}
charts:
  - title: Ticks
    series: [/a.data]
  - title: Fixed
    precision: 1
    min: 0
    series: [/b.data]
"""
DRAWN = 's.charts.length === 2 && s.charts.every((c) => c.series.every((x) => x.drawn > 3))'
# Counts the changes of every reading's text from now on (the page's CSP allows this script:
# Playwright runs it through DevTools, not as a page script).
COUNT_CHANGES = """() => {
  window.readingChanges = 0;
  new MutationObserver((records) => { window.readingChanges += records.length; })
    .observe(document.querySelector('.entry .value'), {childList: true, characterData: true,
                                                      subtree: true});
}"""


def test_readings_change_four_times_a_second_at_most_with_the_charts_decimals(
        context, make_site):
    site = make_site(parse_config(YAML, '<test>'), period=0.02, batch=1)
    with watched_page(context, f'{site.url}?token={TOKEN}') as (page, _):
        wait_state(page, DRAWN)
        page.evaluate(COUNT_CHANGES)
        page.wait_for_timeout(2000)  # the chart draws 20 times a second meanwhile
        changes = page.evaluate('window.readingChanges')
        assert 4 <= changes <= 10, changes  # 4 Hz: 8 in 2 s (a value that did not change: fewer)
        fixed = page.locator('.card').nth(1).locator('.entry .value').text_content()
        assert re.fullmatch(r'-?\d+\.\d', fixed), fixed  # precision: 1
        ticks = page.locator('.card').nth(0).locator('.y-axis text').all_text_contents()
        reading = page.locator('.card').nth(0).locator('.entry .value').text_content()
        tick_decimals = max(len(t.partition('.')[2]) for t in ticks)
        assert len(reading.partition('.')[2]) == tick_decimals + 2, (ticks, reading)
        # min: 0 puts the 0 tick on the plot's bottom edge: it is drawn whole, not cut in half.
        zero, svg, plot = page.locator('.card').nth(1).evaluate("""card => {
          const texts = [...card.querySelectorAll('.y-axis text')];
          const zero = texts.find((t) => t.textContent === '0');
          const svg = card.querySelector('.y-axis svg');
          return [zero.getBoundingClientRect().toJSON(), getComputedStyle(svg).overflow,
                  card.querySelector('.plot').getBoundingClientRect().toJSON()];
        }""")
        assert svg == 'visible' and zero['height'] > 0
        assert plot['top'] <= zero['top'] and zero['bottom'] <= plot['bottom'], (zero, plot)
