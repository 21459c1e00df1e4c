# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Each viewer's view in the URL's fragment, in headless Chromium over the real web stack.

A link with ``#window=10&hide=s3,s5&paused=1&chart=2`` opens that view; what the user changes
goes into the fragment in place (no history entry, no reload) and a reload shows it again; an
edited fragment is taken without a reload; a fragment made of garbage gives the default view
and no error. The site has a slice (s0), so a hidden id can name a member that comes later.
Every page is held to :func:`browser.watched_page`'s rules (no console error, no dialog, no
request outside the bridge).
"""

import re

from browser import artifacts_dir
from browser import LAPTOP
from browser import page_state
from browser import PHONE_390
from browser import wait_state
from browser import watched_page
from playwright.sync_api import expect
from playwright.sync_api import Page
import pytest
from web_helpers import slice_yaml
from web_helpers import sliced_site
from web_helpers import TOKEN

pytestmark = pytest.mark.browser

#: A phone as wide as the ones the brief for this page names (an iPhone 12 to 15).
#: Six charts: the first holds the slice s0 and s1; chart ``i`` > 0 holds series ``s{i + 1}``.
YAML = slice_yaml('joints', '      - {topic: /odom, field: data, label: odom}\n' + ''.join(
    f'  - title: C{i}\n    series:\n      - {{topic: /c{i}, field: data, label: c{i}}}\n'
    for i in range(1, 6)))
TEMPLATE = 's0'
PLAIN = [f's{i}' for i in range(1, 7)]
#: Every plain series drew a line (the hidden ones excepted).
DRAWN = ('s.charts.length === 6 && '
         's.charts.every((c) => c.series.every((x) => x.disabled || x.drawn > 1))')


@pytest.fixture
def site(make_site):
    """Yield a site whose s0 is a slice, written by a SliceFeeder (stopped after the test)."""
    with sliced_site(make_site, YAML, PLAIN, TEMPLATE) as site:
        yield site


def _series(page: Page, series_id: str) -> dict:
    """Return a drawn series' entry of the page's state."""
    return next(s for c in page_state(page)['charts'] for s in c['series'] if s['id'] == series_id)


def _pressed(page: Page, series_id: str) -> str:
    return page.locator(f'.entry[data-series="{series_id}"] button.toggle').get_attribute(
        'aria-pressed')


def _assert_card_in_view(page: Page, index: int, *, at_top: bool = False) -> None:
    """
    Fail unless card ``index`` is wholly in the viewport, below the sticky top bar.

    :param at_top: also fail unless it is where the first card sits on an unscrolled page
        (within a gap of the bar), for a card the page can scroll that far.
    """
    bar = page.locator('.topbar').bounding_box()
    card = page.locator('.card').nth(index).bounding_box()
    height = page.viewport_size['height']
    below = card['y'] - (bar['y'] + bar['height'])
    assert below >= -0.5, (bar, card)
    assert card['y'] + card['height'] <= height + 0.5, (card, height)
    if at_top:
        assert below <= 20, (bar, card)


def test_view_rules(context, site):
    """viewstate.js as a table: what a fragment means, and the fragment of a view."""
    with watched_page(context, site.url + f'?token={TOKEN}') as (page, _):
        result = page.evaluate("""async () => {
          const {parseViewState, formatViewState} = await import('./static/js/viewstate.js');
          // Through JSON, as for the page's state: keys left undefined are dropped.
          const parse = (f) => JSON.parse(JSON.stringify(parseViewState(f)));
          const cases = ['', '#', '#window=10&hide=s3,s5&paused=1&chart=2', 'window=2.5',
            '#window=buffer', '#window=0', '#window=-5', '#window=abc', '#window=Infinity',
            '#window=1e400', '#window=', '#window=1e%2B3', '#hide=s3,,s3,%3Cscript%3E,s0.1',
            '#hide=<b>x</b>', '#paused=0', '#paused=yes', '#chart=0', '#chart=-1', '#chart=1.5',
            '#chart=1e2', '#chart=9999999', '#nonsense&&=&window=10&window=60', '#%zz',
            '#fold=3,0,3,x,-1', '#fold=&chart=1'];
          return {
            parsed: cases.map(parse),
            formatted: cases.map((f) => formatViewState(parse(f))),
          };
        }""")
    default = {'hide': [], 'paused': False, 'fold': []}
    expected = [
        (default, ''),
        (default, ''),
        ({'window': 10, 'hide': ['s3', 's5'], 'paused': True, 'chart': 2, 'fold': []},
         'window=10&hide=s3,s5&paused=1&chart=2'),
        ({**default, 'window': 2.5}, 'window=2.5'),
        # The selector's "buffer" choice: everything held (null; None here).
        ({**default, 'window': None}, 'window=buffer'),
        # Not a positive finite number: no choice, the bridge's default window.
        (default, ''), (default, ''), (default, ''), (default, ''), (default, ''), (default, ''),
        # Escaped in the fragment (a '+' would read as a space).
        ({**default, 'window': 1000}, 'window=1000'),
        # Ids: each once, in order; anything that cannot be an id is dropped.
        ({**default, 'hide': ['s3', 's0.1']}, 'hide=s3,s0.1'),
        (default, ''),
        (default, ''), (default, ''),
        ({**default, 'chart': 0}, 'chart=0'),
        # A chart index is digits only.
        (default, ''), (default, ''), (default, ''), (default, ''),
        # Unknown keys and repeated ones: the first value of a key counts.
        ({**default, 'window': 10}, 'window=10'),
        (default, ''),
        # Folded charts: indices, each once, ascending.
        ({**default, 'fold': [0, 3]}, 'fold=0,3'),
        ({**default, 'chart': 1}, 'chart=1'),
    ]
    for parsed, formatted, (view, fragment) in zip(
            result['parsed'], result['formatted'], expected, strict=True):
        assert parsed == view
        assert formatted == fragment


@pytest.mark.parametrize('viewport', [LAPTOP, PHONE_390], ids=['1280', '390'])
def test_a_link_opens_its_view(context, site, viewport):
    fragment = 'window=10&hide=s2,s0.1&paused=1&chart=2'
    # Through the token redirect, as a link from the bridge's log comes: the fragment stays.
    with watched_page(context, f'{site.url}?token={TOKEN}#{fragment}', viewport) as (page, _):
        wait_state(page, DRAWN)
        state = page_state(page)
        assert state['seconds'] == 10
        assert page.locator('#window-select').input_value() == '10'
        assert state['paused'] is True
        expect(page.locator('#pause-button')).to_have_text('Resume')
        assert _series(page, 's2')['disabled'] is True and _series(page, 's2')['drawn'] == 0
        assert _pressed(page, 's2') == 'false' and _pressed(page, 's1') == 'true'
        # s0.1 is not there yet: it is kept, to be hidden when the slice adds it.
        assert sorted(state['hidden']) == ['s0.1', 's2']
        assert page.evaluate('location.hash') == f'#{fragment}'
        assert page.evaluate('window.scrollY') > 0
        _assert_card_in_view(page, 2, at_top=True)

        # Paused: the charts drew what came first and keep it while samples arrive.
        frozen = _series(page, 's3')['drawnLast']
        wait_state(page, f's.charts[2].series[0].last.t > {frozen["t"]} + 0.5')
        assert _series(page, 's3')['drawnLast'] == frozen

        page.screenshot(path=artifacts_dir() / f'rtgraph-viewstate-{viewport["width"]}.png')
        assert site.slices.add('position[name=="a"]', 'a') == 's0.0'
        assert site.slices.add('position[name=="b"]', 'b') == 's0.1'
        wait_state(page, 's.charts[0].series.length === 3')
        assert _series(page, 's0.1')['disabled'] is True and _pressed(page, 's0.1') == 'false'
        assert _series(page, 's0.0')['disabled'] is False and _pressed(page, 's0.0') == 'true'
        assert page.evaluate('location.hash') == f'#{fragment}'


def test_changes_go_into_the_fragment_and_survive_a_reload(context, site):
    with watched_page(context, f'{site.url}?token={TOKEN}#chart=3') as (page, _):
        wait_state(page, DRAWN)
        _assert_card_in_view(page, 3)
        entries = page.evaluate('history.length')
        page.locator('.entry[data-series="s2"] button.toggle').click()
        expect(page).to_have_url(f'{site.url}#hide=s2&chart=3')
        page.select_option('#window-select', '60')
        expect(page).to_have_url(f'{site.url}#window=60&hide=s2&chart=3')
        page.get_by_role('button', name='Pause').click()
        expect(page).to_have_url(f'{site.url}#window=60&hide=s2&paused=1&chart=3')
        assert page.evaluate('history.length') == entries

        page.reload()
        wait_state(page, DRAWN)
        state = page_state(page)
        assert (state['seconds'], state['paused'], state['hidden']) == (60, True, ['s2'])
        assert page.locator('#window-select').input_value() == '60'
        assert _pressed(page, 's2') == 'false'
        _assert_card_in_view(page, 3)
        assert page.url == f'{site.url}#window=60&hide=s2&paused=1&chart=3'

        # The user edits the fragment: the page takes it as it is, without loading again.
        page.evaluate("window.sameDocument = true; location.hash = '#window=buffer&hide=s3'")
        wait_state(page, 's.seconds === null && !s.paused')
        assert page.evaluate('window.sameDocument') is True
        assert page.locator('#window-select').input_value() == 'buffer'
        assert _series(page, 's2')['disabled'] is False and _pressed(page, 's2') == 'true'
        wait_state(page, 's.charts[2].series[0].disabled && s.charts[2].series[0].drawn === 0')
        assert _pressed(page, 's3') == 'false'
        expect(page.locator('#pause-button')).to_have_text('Pause')
        assert page.url == f'{site.url}#window=buffer&hide=s3'


def test_a_garbage_fragment_gives_the_default_view(context, site):
    url = f'{site.url}?token={TOKEN}#window=abc&hide=<script>&chart=99'
    with watched_page(context, url) as (page, watch):
        wait_state(page, DRAWN)
        state = page_state(page)
        assert (state['seconds'], state['paused'], state['hidden']) == (30, False, [])
        assert page.locator('#window-select').input_value() == '30'
        assert [_pressed(page, sid) for sid in PLAIN] == ['true'] * len(PLAIN)
        assert page.evaluate('window.scrollY') == 0
        # What the page could not use is gone from the address.
        expect(page).to_have_url(f'{site.url}')
        assert page.locator('script:not([src])').count() == 0
        assert not watch.errors


def test_folded_charts_and_the_chart_index_are_in_the_fragment(context, site):
    with watched_page(context, f'{site.url}?token={TOKEN}#fold=0', PHONE_390) as (page, _):
        wait_state(page, DRAWN.replace('s.charts.every', 's.charts.slice(1).every'))
        first = page.locator('.card').first
        expect(first).to_have_class(re.compile(r'\bfolded\b'))
        expect(first.locator('.plot')).to_be_hidden()
        expect(first.locator('.fold')).to_have_attribute('aria-expanded', 'false')
        renders = page_state(page)['charts'][0]['renders']
        page.wait_for_timeout(600)  # ticks redraw every chart a few times a second...
        assert page_state(page)['charts'][0]['renders'] == renders  # ...but a folded one
        first.locator('.fold').click()
        expect(first.locator('.plot')).to_be_visible()
        wait_state(page, 's.charts[0].renders > ' + str(renders))
        assert 'fold' not in page.evaluate('location.hash')
        page.locator('.card').nth(2).locator('.fold').click()
        assert page.evaluate('location.hash') == '#fold=2'
        options = page.locator('#chart-select option').all_text_contents()
        assert options == [state['title'] for state in page_state(page)['charts']]
        page.select_option('#chart-select', index=len(options) - 1)
        _assert_card_in_view(page, len(options) - 1)
        assert page.evaluate('location.hash') == f'#chart={len(options) - 1}&fold=2'
