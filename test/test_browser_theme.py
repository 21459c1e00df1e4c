# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The page's dark and light themes in headless Chromium: the system's choice, the viewer's.

The site is fed without ROS (web_helpers.FedSite); the colours checked are the computed ones.
"""

from browser import artifacts_dir
from browser import page_state
from browser import PHONE_390
from browser import wait_state
from browser import watched_page
import pytest
from web_helpers import TOKEN

pytestmark = pytest.mark.browser

DRAWN = 's.charts.length === 1 && s.charts.every((c) => c.series.every((x) => x.drawn > 1))'
DARK_BACKGROUND = 'rgb(16, 18, 20)'  # rtgraph.css --bg of the dark theme
LIGHT_BACKGROUND = 'rgb(233, 236, 239)'


def _background(page) -> str:
    return page.evaluate('getComputedStyle(document.body).backgroundColor')


def _swatch(page) -> str:
    return page.locator('.card .swatch').first.evaluate('e => e.style.background')


@pytest.mark.parametrize('viewport', [None, PHONE_390], ids=['1280', '390'])
def test_the_page_follows_the_system_until_the_viewer_chooses(context, make_site, viewport):
    site = make_site()
    page = context.new_page()
    page.emulate_media(color_scheme='dark')
    page.goto(f'{site.url}?token={TOKEN}')  # the cookie, for the watched pages
    page.close()
    with watched_page(context, site.url, viewport) as (page, _):
        page.emulate_media(color_scheme='dark')
        page.reload()
        wait_state(page, DRAWN)
        assert page_state(page)['theme'] == 'dark' and _background(page) == DARK_BACKGROUND
        assert _swatch(page) == 'rgb(110, 168, 255)'  # --line-0 of the dark theme
        name = 'dark' if viewport is None else 'dark-390'
        page.screenshot(path=str(artifacts_dir() / f'theme-{name}.png'))
        button = page.locator('#theme-button')
        assert button.get_attribute('aria-pressed') == 'true'
        button.click()  # the viewer's choice: light, kept
        wait_state(page, "s.theme === 'light'")
        assert _background(page) == LIGHT_BACKGROUND
        assert _swatch(page) == 'rgb(0, 71, 171)'  # the light --line-0, on the same series
        page.reload()
        wait_state(page, DRAWN)
        assert page_state(page)['theme'] == 'light'  # a dark system no longer decides
        page.evaluate("localStorage.removeItem('rtgraph-theme')")
        page.emulate_media(color_scheme='light')
        page.reload()
        wait_state(page, "s.theme === 'light'")
        page.emulate_media(color_scheme='dark')  # the system changes while the page is open
        wait_state(page, "s.theme === 'dark'")
