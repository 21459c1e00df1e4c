# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Series added at run time (members of a slice) in headless Chromium, over the real web stack.

A :class:`web_helpers.SliceFeeder` is the store's single writer and adds the members, as the
ROS thread will; the page must show them as they come, without restarting anything: the series
that were there keep their points, colours and hidden state, and the page does not scroll.
Every page is held to :func:`browser.watched_page`'s rules (no console error, no dialog, no
request outside the bridge).
"""

from browser import artifacts_dir
from browser import page_state
from browser import PHONE
from browser import wait_state
from browser import watched_page
from playwright.sync_api import expect
import pytest
from web_helpers import slice_yaml
from web_helpers import sliced_site
from web_helpers import TOKEN

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror=alert(1)>'
YAML = slice_yaml(f"'joints {HOSTILE}'", """\
      - {topic: /odom, field: data, label: odom}
  - title: Other
    series:
      - {topic: /other, field: data, label: other}
  - title: Filler
    series:
      - {topic: /filler, field: data, label: filler}
""")
TEMPLATE, ODOM, OTHER, FILLER = 's0', 's1', 's2', 's3'


@pytest.fixture
def site(make_site):
    """Yield a site whose s0 is a slice, written by a SliceFeeder (stopped after the test)."""
    with sliced_site(make_site, YAML, [ODOM, OTHER, FILLER], TEMPLATE) as site:
        yield site


def _legend(page, chart: int) -> list[str]:
    return page.locator('.card').nth(chart).locator('.legend .entry').evaluate_all(
        'items => items.map((item) => item.dataset.series)')


def _swatch(page, series_id: str) -> str:
    return page.locator(f'.entry[data-series="{series_id}"] .swatch').evaluate(
        'e => e.style.background')


def test_members_added_at_run_time_appear_and_nothing_else_changes(context, site):
    with watched_page(context, f'{site.url}?token={TOKEN}', viewport=PHONE) as (page, _):
        wait_state(page, 's.charts.length === 3 && s.charts.every('
                         '(c) => c.series.every((x) => x.drawn > 1))')
        group = page.locator(f'.entry[data-series="{TEMPLATE}"]')
        expect(group.locator('.status')).to_have_text('waiting')
        assert _legend(page, 0) == [TEMPLATE, ODOM]
        # The user hid a series and scrolled; the page is the one that loaded.
        page.locator(f'.entry[data-series="{OTHER}"] button.toggle').click()
        wait_state(page, 's.charts[1].series[0].disabled && s.charts[1].series[0].drawn === 0')
        page.evaluate('window.scrollTo(0, 250); window.sameDocument = true')
        scrolled = page.evaluate('window.scrollY')
        assert scrolled > 0
        odom_colour = _swatch(page, ODOM)
        before = {s['id']: s['held'] for c in page_state(page)['charts'] for s in c['series']}

        elbow = site.slices.add('position[name=="elbow"]', f'/joint_states {HOSTILE} elbow')
        wrist = site.slices.add('position[name=="wrist"]', '/joint_states position wrist')
        assert (elbow, wrist) == ('s0.0', 's0.1')

        wait_state(page, "s.charts[0].series.map((x) => x.id).join() === 's0.0,s0.1,s1' && "
                         's.charts[0].series.every((x) => x.drawn > 1)')
        state = page_state(page)
        after = {s['id']: s['held'] for c in state['charts'] for s in c['series']}
        for sid, held in before.items():
            assert after[sid] >= held, (sid, held, after[sid])  # kept its points
        assert state['events']['snapshot'] == 1  # no new start
        assert page.evaluate('window.sameDocument') is True
        assert page.evaluate('window.scrollY') == scrolled
        assert state['charts'][1]['series'][0]['disabled'] is True
        assert page.locator(f'path[data-series="{OTHER}"]').count() == 0
        assert page.locator(f'.entry[data-series="{OTHER}"] button.toggle').get_attribute(
            'aria-pressed') == 'false'

        # The legend: the group row, its members after it, each with its own colour and toggle.
        assert _legend(page, 0) == [TEMPLATE, elbow, wrist, ODOM]
        expect(group.locator('.status')).to_have_text('ok')
        expect(group.locator('.reason')).to_have_text('2 series')
        assert group.locator('.swatch').count() == 0
        assert group.locator('.label').text_content() == f'joints {HOSTILE}'
        member = page.locator(f'.entry[data-series="{elbow}"]')
        assert member.locator('.label').text_content() == f'/joint_states {HOSTILE} elbow'
        assert page.locator('.legend img').count() == 0  # text, never HTML
        expect(member.locator('.status')).to_have_text('ok')
        expect(member.locator('.rate')).not_to_have_text('')
        colours = {_swatch(page, sid) for sid in (elbow, wrist, ODOM)}
        assert len(colours) == 3 and _swatch(page, ODOM) == odom_colour
        assert page.locator(f'path[data-series="{wrist}"]').count() == 1
        csv = page.locator('.card').first.locator('a.csv')
        assert csv.get_attribute('href') == (
            f'api/export.csv?series={elbow}%2C{wrist}%2C{ODOM}&seconds=30')

        # A member can be hidden like any series.
        member.locator('button.toggle').click()
        wait_state(page, "s.charts[0].series[0].id === 's0.0' && s.charts[0].series[0].disabled"
                         ' && s.charts[0].series[0].drawn === 0')
        assert page.locator(f'path[data-series="{elbow}"]').count() == 0
        site.slices.add('position[name=="hand"]', '/joint_states position hand')
        wait_state(page, 's.charts[0].series.length === 4')
        assert page_state(page)['charts'][0]['series'][0]['disabled'] is True
        assert _legend(page, 0) == [TEMPLATE, elbow, wrist, 's0.2', ODOM]
        page.evaluate('window.scrollTo(0, 0)')
        page.screenshot(path=artifacts_dir() / 'rtgraph-slice-members.png')
