# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The page in headless Chromium against the real bridge and real rclpy publishers.

One ``rtgraph`` process and one browser serve the whole module (start-up and DDS discovery
take seconds); each test opens its own page. Every page is held to the same rules on close
(:func:`browser.watched_page`): no console error, no uncaught error, no dialog, no request
outside the bridge's origin. Tests read what the page holds and draws through its read-only
``window.rtgraph.state()`` hook and the SVG it drew, and wait on conditions, never on time.
The bridge restart tests run last: they replace the module's bridge with a new process on the
same port, and leave it as the fixture made it (same token, driven topics seeded).
"""

import math
from pathlib import Path
import re

from browser import artifacts_dir
from browser import page_state
from browser import PHONE
from browser import state_holds
from browser import TIMEOUT_MS
from browser import WAIT_S
from browser import wait_state
from browser import watched_page
from playwright.sync_api import expect
from playwright.sync_api import Page
import pytest
from relay import Relay
from ros_helpers import Bridge
from ros_helpers import RosPeer
from ros_helpers import rtgraph_command
from ros_helpers import wait_matched
from ros_helpers import wait_until
from ros_helpers import write_config
from std_msgs.msg import Float64

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror=alert(1)>'
CONFIG = f"""
server:
  host: 127.0.0.1
  token: ui-test-token-4Rm8  # fixed, so the restarted bridge accepts the page's cookie
  frame_rate: 20
  window: 30
charts:
  - title: 'Wave & <b>friends</b>'
    unit: m/s
    limits:
      - {{value: 2.5, label: too fast}}
    series:
      - {{topic: /ui/wave, type: std_msgs/msg/Float64, field: data, label: '{HOSTILE}'}}
      - {{topic: /ui/manual, type: std_msgs/msg/Float64, field: data, label: manual}}
  - title: Gaps
    series:
      - {{topic: /ui/gappy, type: std_msgs/msg/Float64, field: data, label: gappy}}
  - title: Stops
    unit: V
    series:
      - {{topic: /ui/stopper, type: std_msgs/msg/Float64, field: data, label: stopper}}
  - title: Pauses
    series:
      - {{topic: /ui/pausing, type: std_msgs/msg/Float64, field: data, label: pausing}}
      - {{topic: /ui/odd, field: datum, label: odd}}  # the type the graph tells has no datum
"""
WAVE, MANUAL, GAPPY, STOPPER, PAUSING, ODD = 's0', 's1', 's2', 's3', 's4', 's5'


class Robot:
    """The publishing side: a timer-driven wave and stopper, and two topics the tests drive."""

    def __init__(self, peer: RosPeer):
        self.node = peer.node('ui_test_robot')
        self.wave = self.node.create_publisher(Float64, '/ui/wave', 10)
        self.manual = self.node.create_publisher(Float64, '/ui/manual', 10)
        self.gappy = self.node.create_publisher(Float64, '/ui/gappy', 10)
        self.stopper = self.node.create_publisher(Float64, '/ui/stopper', 10)
        self.pausing = self.node.create_publisher(Float64, '/ui/pausing', 10)
        self.odd = self.node.create_publisher(Float64, '/ui/odd', 10)
        self.pausing_on = False  # the pause test switches this 20 Hz topic on and off
        self.pausing_last = math.nan  # the value it published last
        self.count = 0
        self.wave_timer = self.node.create_timer(0.05, self._tick)
        self.stopper_timer = self.node.create_timer(0.1, self._tick_stopper)

    def _tick(self) -> None:
        self.count += 1
        self.wave.publish(Float64(data=2.0 * math.sin(self.count / 10)))
        if self.pausing_on:
            self.pausing_last = math.cos(self.count / 10)
            self.pausing.publish(Float64(data=self.pausing_last))

    def _tick_stopper(self) -> None:
        self.stopper.publish(Float64(data=12.0 + (self.count % 7) / 10))


class RestartableBridge:
    """The module's real ``rtgraph`` process; the restart tests swap in a new one on its port."""

    def __init__(self, config: Path):
        self.config = config
        self.bridge = Bridge(rtgraph_command(config)).wait_serving()
        self.url = self.bridge.url
        self.port = self.bridge.port

    def restart(self, config: Path | None = None) -> None:
        """
        Replace the bridge with a new process on the same port.

        :param config: the YAML to start it with (another token, say); default the module's.
        """
        self.bridge.close()
        command = [arg if arg != 'port:=0' else f'port:={self.port}'
                   for arg in rtgraph_command(config or self.config)]
        self.bridge = Bridge(command).wait_serving()
        if config is None:
            assert self.bridge.url == self.url
        else:
            assert self.bridge.base_url == self.url.partition('?')[0]


# The first samples of the two driven topics, so that every chart has a line.
SEED = (1.0, 1.5, 1.25)
ALL_DRAWN = ('s.charts.length === 4 && s.charts.slice(0, 3).every('
             '(c) => c.series.every((x) => x.drawn >= 2))')
# The seeded lines drawn (the stopper's timer may have been stopped by its test).
SEED_DRAWN = 's.charts[0].series[1].drawn >= 2 && s.charts[1].series[0].drawn >= 2'


def publish_seed(robot: Robot) -> None:
    for publisher in (robot.manual, robot.gappy):
        for value in SEED:
            publisher.publish(Float64(data=value))


def restore_site(site: RestartableBridge, context, robot: Robot) -> None:
    """
    Restart the module's bridge as the fixture made it, for the tests that share it.

    A new bridge holds nothing of the driven topics: their seed is published again until a
    fresh page draws them (the bridge's subscriptions take a moment to be discovered).
    """
    site.restart()
    with watched_page(context, site.url) as (page, _):
        wait_until(lambda: publish_seed(robot) or state_holds(page, SEED_DRAWN), WAIT_S,
                   interval=0.5, what='the seeded lines to draw after the restore')


@pytest.fixture(scope='module')
def robot(robot_peer):
    return Robot(robot_peer)


@pytest.fixture(scope='module')
def site(robot, tmp_path_factory):
    site = RestartableBridge(write_config(tmp_path_factory.mktemp('ui'), CONFIG))
    for publisher in (robot.manual, robot.gappy):
        wait_matched(publisher)
    publish_seed(robot)
    yield site
    site.bridge.close()


def series_state(page: Page, series_id: str) -> dict:
    for chart in page_state(page)['charts']:
        for series in chart['series']:
            if series['id'] == series_id:
                return series
    raise AssertionError(f'no series {series_id} on the page')


def path_d(page: Page, series_id: str) -> str | None:
    """Return the SVG path the page drew for a series (None when there is none)."""
    return page.evaluate(
        'id => { const p = document.querySelector(`path[data-series="${id}"]`);'
        ' return p ? p.getAttribute("d") : null; }', series_id)


def all_drawn(page: Page) -> None:
    wait_state(page, ALL_DRAWN)


def stats_shown(page: Page) -> None:
    """Wait until the first stats event has set the badges (before a screenshot)."""
    expect(page.locator(f'.entry[data-series="{WAVE}"] .status')).to_have_text('ok')


def test_every_chart_draws_its_lines(context, site):
    with watched_page(context, site.url) as (page, _):
        all_drawn(page)
        titles = page.locator('.card .title').all_text_contents()
        assert titles == ['Wave & <b>friends</b>', 'Gaps', 'Stops', 'Pauses']
        for series_id in (WAVE, MANUAL, GAPPY, STOPPER):
            d = path_d(page, series_id)
            assert d is not None and d.startswith('M') and 'L' in d, (series_id, d)
        expect(page.locator('#connection')).to_have_text('live')
        # The limit line of the first chart, labelled as text.
        assert page.locator('.card').first.locator('.limits text').text_content() == 'too fast'
        stats_shown(page)
        page.screenshot(path=artifacts_dir() / 'rtgraph-1280x800.png')


def test_phone_layout_is_one_column_without_horizontal_scroll(context, site):
    with watched_page(context, site.url, viewport=PHONE) as (page, _):
        all_drawn(page)
        widths = page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')
        assert widths[0] <= widths[1] == PHONE['width']
        boxes = [card.bounding_box() for card in page.locator('.card').all()]
        assert len({round(box['x']) for box in boxes}) == 1, boxes
        assert all(box['x'] >= 0 and box['x'] + box['width'] <= PHONE['width'] for box in boxes)
        # Touch targets: every button and the window selector shown are at least 44 px tall.
        for control in page.locator('button:visible, select:visible, a.button:visible').all():
            assert control.bounding_box()['height'] >= 44, control.evaluate('e => e.outerHTML')
        stats_shown(page)
        page.screenshot(path=artifacts_dir() / 'rtgraph-360x740.png')


def test_legend_and_hover_show_the_last_published_value(context, site, robot):
    with watched_page(context, site.url) as (page, _):
        all_drawn(page)
        for value in (-3.5, 7.25):
            robot.manual.publish(Float64(data=value))
        wait_state(page, 's.charts[0].series[1].drawnLast.v === 7.25')
        entry = page.locator(f'.entry[data-series="{MANUAL}"]')
        expect(entry.locator('.value')).to_have_text('7.25 m/s')
        # Hover at the right edge of the plot: each series shows its newest point.
        graph = page.locator('.card').first.locator('.graph')
        box = graph.bounding_box()
        page.mouse.move(box['x'] + box['width'] - 2, box['y'] + box['height'] / 2)
        hover = page.locator('.card').first.locator('.hover-box')
        expect(hover).to_contain_text('manual: 7.25 m/s')
        expect(hover).to_contain_text(f'{HOSTILE}: ')
        expect(hover.locator('.hover-time')).to_contain_text(' s')


def test_pause_freezes_drawing_and_resume_draws_what_arrived(context, site):
    with watched_page(context, site.url) as (page, _):
        all_drawn(page)
        page.get_by_role('button', name='Pause').click()
        frozen = series_state(page, WAVE)
        frozen_d = path_d(page, WAVE)
        # Samples keep arriving while paused...
        wait_state(page, f's.charts[0].series[0].last.t > {frozen["drawnLast"]["t"]} + 1')
        # ...but nothing is drawn.
        assert series_state(page, WAVE)['drawnLast'] == frozen['drawnLast']
        assert path_d(page, WAVE) == frozen_d
        assert page_state(page)['paused'] is True
        arrived = series_state(page, WAVE)['last']['t']
        page.get_by_role('button', name='Resume').click()
        wait_state(page, f's.charts[0].series[0].drawnLast.t >= {arrived}')
        resumed = series_state(page, WAVE)
        assert resumed['drawn'] > frozen['drawn']
        assert path_d(page, WAVE) != frozen_d


def test_window_selector_changes_axis_and_csv_link(context, site):
    with watched_page(context, site.url) as (page, _):
        all_drawn(page)
        csv = page.locator('.card').first.locator('a.csv')
        assert csv.get_attribute('href') == f'api/export.csv?series={WAVE}%2C{MANUAL}&seconds=30'
        page.select_option('#window-select', '10')
        wait_state(page, 's.seconds === 10')
        expect(csv).to_have_attribute('href', re.compile(r'seconds=10$'))
        labels = page.locator('.card').first.locator('.x-axis text').all_text_contents()
        assert {'-10 s', '0 s'} <= set(labels), labels
        # The link downloads this chart's samples from the bridge's buffer.
        body = page.evaluate('url => fetch(url).then((r) => r.text())', csv.get_attribute('href'))
        lines = body.splitlines()
        assert lines[0] == 'series,label,seq,t,utc,value'
        assert {line.split(',')[0] for line in lines[1:]} == {WAVE, MANUAL}


def test_toggled_series_disappears_and_comes_back(context, site):
    with watched_page(context, site.url) as (page, _):
        all_drawn(page)
        toggle = page.locator(f'.entry[data-series="{WAVE}"] button.toggle')
        toggle.click()
        expect(toggle).to_have_attribute('aria-pressed', 'false')
        wait_state(page, 's.charts[0].series[0].disabled && s.charts[0].series[0].drawn === 0')
        assert path_d(page, WAVE) is None
        assert path_d(page, MANUAL) is not None
        toggle.click()
        expect(toggle).to_have_attribute('aria-pressed', 'true')
        wait_state(page, '!s.charts[0].series[0].disabled && s.charts[0].series[0].drawn > 0')
        assert path_d(page, WAVE) is not None


def test_stopped_publisher_turns_stale(context, site, robot):
    with watched_page(context, site.url) as (page, _):
        badge = page.locator(f'.entry[data-series="{STOPPER}"] .status')
        expect(badge).to_have_text('ok', timeout=TIMEOUT_MS)
        expect(page.locator(f'.entry[data-series="{STOPPER}"] .rate')).to_contain_text('Hz')
        robot.stopper_timer.cancel()
        expect(badge).to_have_text('stale', timeout=TIMEOUT_MS)
        assert badge.get_attribute('data-status') == 'stale'


def test_nan_draws_a_gap_not_a_broken_chart(context, site, robot):
    with watched_page(context, site.url) as (page, _):
        all_drawn(page)
        for value in (2.0, 3.0, math.nan, 4.0, 5.0):
            robot.gappy.publish(Float64(data=value))
            # One sample per frame at most is not needed; distinct receive times are.
            page.wait_for_timeout(30)
        wait_state(page, 's.charts[1].series[0].drawnLast.v === 5')
        points = page.evaluate(f'window.rtgraph.points("{GAPPY}")')
        assert None in points['v']
        d = path_d(page, GAPPY)
        # The NaN breaks the line: the last piece is 4, 5 (the seed, long ago, may be another).
        pieces = d.split('M')[1:]
        assert len(pieces) >= 2 and len(pieces[-1].split('L')) == 2, d
        assert 'NaN' not in d
        renders = page_state(page)['charts'][1]['renders']
        robot.gappy.publish(Float64(data=6.0))
        wait_state(page, f's.charts[1].renders > {renders} && '
                         's.charts[1].series[0].drawnLast.v === 6')


def test_a_series_in_error_shows_why_beside_its_badge(context, site):
    with watched_page(context, site.url) as (page, _):
        entry = page.locator(f'.entry[data-series="{ODD}"]')
        expect(entry.locator('.status')).to_have_text('error', timeout=TIMEOUT_MS)
        expect(entry.locator('.reason')).to_have_text(
            "std_msgs/msg/Float64: 'datum': std_msgs/msg/Float64 has no field 'datum' "
            '(fields: data)')
        expect(page.locator(f'.entry[data-series="{PAUSING}"] .reason')).to_have_text('')


def statuses(page: Page) -> list[str]:
    return page.locator('.entry .status').all_text_contents()


def test_a_publisher_that_pauses_breaks_the_line_and_time_moves_on(context, site, robot):
    with watched_page(context, site.url) as (page, _):
        robot.pausing_on = True
        wait_state(page, 's.charts[3].series[0].held >= 20')
        robot.pausing_on = False
        ticks = robot.count
        wait_until(lambda: robot.count > ticks + 1, what='a tick that published nothing')
        wait_state(page, f's.charts[3].series[0].last.v === {robot.pausing_last!r}')
        stopped = series_state(page, PAUSING)['last']['t']
        # Nothing arrives, yet the chart's right edge is robot time: it moves on, and the line
        # slides left (its newest point stays where it was).
        edge = page_state(page)['charts'][3]['now']
        wait_state(page, f's.charts[3].now > {edge} + 2')
        assert series_state(page, PAUSING)['drawnLast']['t'] == stopped
        badge = page.locator(f'.entry[data-series="{PAUSING}"] .status')
        expect(badge).to_have_text('stale')  # the robot's word, within about a second
        age = page.locator(f'.entry[data-series="{PAUSING}"] .age')
        seen = age.text_content()
        wait_until(lambda: age.text_content() != seen, what='the age to keep growing')
        # Eight seconds of robot time without a sample, then the topic comes back.
        wait_state(page, f's.robotNow > {stopped} + 8', timeout=20)
        robot.pausing_on = True
        wait_state(page, f's.charts[3].series[0].drawnLast.t > {stopped} + 8.5')
        expect(badge).to_have_text('ok')
        gaps = page.evaluate(f'window.rtgraph.gaps("{PAUSING}")')
        after = [t for t in page.evaluate(f'window.rtgraph.points("{PAUSING}")')['t']
                 if t > stopped]
        assert [x for x in gaps if stopped < x < after[0]], (stopped, after[0], gaps)
        d = path_d(page, PAUSING)
        assert d.count('M') >= 2, d  # two pieces of line, none across the pause
        # Hover inside the hole: no data (paused, so the chart holds still meanwhile).
        page.get_by_role('button', name='Pause').click()
        chart = page_state(page)['charts'][3]
        left, right = chart['xDomain']
        graph = page.locator('.card').nth(3).locator('.graph')
        box = graph.bounding_box()
        hole = (stopped + after[0]) / 2
        page.mouse.move(box['x'] + box['width'] * (hole - left) / (right - left),
                        box['y'] + box['height'] / 2)
        hover = page.locator('.card').nth(3).locator('.hover-box')
        expect(hover).to_contain_text('pausing: no data')
        page.get_by_role('button', name='Resume').click()
    robot.pausing_on = False


def test_a_stalled_link_says_stalled_and_vouches_for_nothing(context, site):
    with Relay(site.port) as relay, watched_page(
            context, f'http://127.0.0.1:{relay.port}/?token=ui-test-token-4Rm8') as (page, _):
        stats_shown(page)
        badge = page.locator('#connection')
        expect(badge).to_have_text('live')
        relay.hold()  # the TCP connection stays open, no byte goes either way
        expect(badge).to_have_text('stalled')
        expect(page.locator('#connection-notice')).to_contain_text('the link or the bridge')
        state = page_state(page)
        stalled_after = state['connectionTimes'][-1] - state['lastEventMs']
        assert state['connectionLog'][-1] == 'stalled'
        assert 3000 <= stalled_after <= 3500, stalled_after  # by the page's own clock
        # Nothing vouches for the robot now: no legend says OK, ages keep growing.
        assert statuses(page) and set(statuses(page)) == {'unknown'}, statuses(page)
        age = page.locator(f'.entry[data-series="{WAVE}"] .age')
        seen = age.text_content()
        wait_until(lambda: age.text_content() != seen, what='the age to keep growing')
        assert float(age.text_content().split()[0]) > float(seen.split()[0])
        assert page.locator(f'.entry[data-series="{WAVE}"] .rate').text_content() == ''
        # Held for six seconds in all (by the page's clock), then the bytes flow again.
        wait_state(page, 'Date.now() - s.lastEventMs > 6000', timeout=20)
        relay.release()
        expect(badge).to_have_text('live')
        expect(page.locator('#connection-notice')).to_be_hidden()
        expect(page.locator(f'.entry[data-series="{WAVE}"] .status')).to_have_text('ok')
        assert page_state(page)['connectionLog'][-2:] == ['stalled', 'live']


def test_series_data_gap_rules(context, site):
    """The page's gap bookkeeping as a table: spacing rule, breaks asked for, samples kept."""
    with watched_page(context, site.url) as (page, _):
        result = page.evaluate("""async () => {
          const {SeriesData, decimate} = await import('./static/js/series.js');
          const run = (batches, breakBefore) => {
            const data = new SeriesData();
            batches.forEach((t, i) => {
              if (breakBefore === i) data.breakAfterNewest();
              data.merge(t, t.map((x) => x * 10));
            });
            return {gaps: data.points.filter((p) => p.gap).map((p) => p.x),
                    samples: data.samples().t, limit: data.gapLimit};
          };
          const steady = (from, to, step) => {
            const t = [];
            for (let x = from; x <= to + 1e-9; x += step) t.push(Math.round(x * 1000) / 1000);
            return t;
          };
          const withMarker = new SeriesData();
          withMarker.merge(steady(0, 10, 0.01), steady(0, 10, 0.01));
          withMarker.merge(steady(20, 30, 0.01), steady(20, 30, 0.01));
          const thinned = decimate(withMarker.points, 300);
          return {
            fast: run([steady(0, 5, 0.01), steady(5.01, 5.5, 0.01), steady(8, 9, 0.01)]),
            slow: run([steady(0, 20, 1), steady(24, 30, 1), steady(37, 40, 1)]),
            asked: run([steady(0, 1, 0.1), steady(1.2, 2, 0.1)], 1),
            early: run([steady(0, 1, 0.1), steady(0.5, 2, 0.1)]),
            thinnedGaps: thinned.filter((p) => p.gap).length,
          };
        }""")
    # 100 Hz: typical 10 ms, limit 1 s (the floor): the 2.5 s hole breaks, nothing else does.
    assert result['fast']['limit'] == 1
    assert [round(x, 3) for x in result['fast']['gaps']] == [6.75]
    # 1 Hz: limit 5 periods = 5 s; a 4 s spacing is no gap, a 7 s one is.
    assert result['slow']['limit'] == 5
    assert result['slow']['gaps'] == [33.5]
    # A break asked for (a bridge restart) goes in whatever the spacing.
    assert [round(x, 2) for x in result['asked']['gaps']] == [1.1]
    assert len(result['asked']['samples']) == 20
    # Overlapping samples merge by time without a break; samples are never changed.
    assert result['early']['gaps'] == []
    assert result['early']['samples'] == sorted(set(result['early']['samples']))
    # Thinning keeps the marker: a long window still shows the gap.
    assert result['thinnedGaps'] == 1


def test_labels_from_config_are_text_not_html(context, site):
    with watched_page(context, site.url) as (page, watch):
        all_drawn(page)
        label = page.locator(f'.entry[data-series="{WAVE}"] .label')
        assert label.text_content() == HOSTILE
        assert page.locator('img').count() == 0
        assert page.locator('.card b').count() == 0
        assert not watch.dialogs


@pytest.mark.parametrize(('ticks', 'step', 'labels'), [
    # A GPS latitude drifting by centimetres: every tick must read differently.
    ([48.1370085, 48.137009, 48.1370095], 5e-7, ['48.1370085', '48.1370090', '48.1370095']),
    ([0, 0.5, 1], 0.5, ['0', '0.5', '1.0']),
    ([-20, 0, 20], 20, ['-20', '0', '20']),
    ([1e6, 2e6], 1e6, ['1e+6', '2e+6']),
])
def test_y_ticks_carry_the_decimals_their_spacing_needs(context, site, ticks, step, labels):
    with watched_page(context, site.url) as (page, _):
        shown = page.evaluate(
            """async ([ticks, step]) => {
              const {formatTick} = await import('./static/js/format.js');
              return ticks.map((y) => formatTick(y, step));
            }""", [ticks, step])
        assert shown == labels


def _stream_cut_error(error: str) -> bool:
    """
    Chromium logs the failed reconnects of /stream while no bridge listens.

    Before each retry the page asks ``api/config`` whether its token is still taken: that
    request fails the same way.
    """
    return ('/stream' in error or '/api/config' in error) and 'net::ERR_' in error


def _token_refused_error(error: str) -> bool:
    """Chromium also logs the 401s of /stream and the page's probe while its cookie is old."""
    return _stream_cut_error(error) or re.fullmatch(
        r"console: Failed to load resource: the server responded with a status of 401 "
        r"\(UNAUTHORIZED\) at \{'url': 'http://[^']+/(api/config|stream(\?lastEventId=\d+)?)'.*\}",
        error) is not None


def test_bridge_restart_with_a_new_token_asks_for_the_new_url(context, site, robot, tmp_path):
    new_config = write_config(tmp_path, CONFIG.replace('ui-test-token-4Rm8', 'ui-new-token-4Rm8'))
    try:
        with watched_page(context, site.url, tolerate=_token_refused_error) as (page, _):
            wait_state(page, 's.charts[0].series[0].held >= 20')
            badge = page.locator('#connection')
            notice = page.locator('#connection-notice')
            expect(badge).to_have_text('live')
            expect(notice).to_be_hidden()
            site.restart(new_config)
            assert site.bridge.token == 'ui-new-token-4Rm8'
            # The page's cookie holds the old token: the page says so instead of retrying blind.
            expect(badge).to_have_text('token needed', timeout=TIMEOUT_MS)
            expect(notice).to_be_visible()
            expect(notice).to_have_text(
                'The bridge restarted with a new access token: open the URL it printed '
                '(rtgraph: serving on ...).')
            held = page.evaluate(f'window.rtgraph.points("{WAVE}")')['t']
            assert len(held) >= 20, 'the samples from before the restart were dropped'
            assert page.locator('.card').count() == 4
            # The new URL opened in another tab sets the new cookie for the same origin...
            with watched_page(context, site.bridge.url) as (other, _):
                wait_state(other, "s.connection === 'live'")
            # ...and the first page reconnects by itself, keeping what it held.
            expect(badge).to_have_text('live', timeout=TIMEOUT_MS)
            expect(notice).to_be_hidden()
            log = page_state(page)['connectionLog']
            assert 'token-needed' in log and log[-1] == 'live', log
            wait_state(page, f's.charts[0].series[0].drawnLast.t > {held[-1]} + 1')
            after = page.evaluate(f'window.rtgraph.points("{WAVE}")')['t']
            assert set(held) <= set(after), 'samples from before the restart were lost'
    finally:
        # Other tests share the bridge and the cookie: back to the module's token.
        restore_site(site, context, robot)


def test_bridge_restart_reconnects_and_keeps_the_picture(context, site, robot):
    with watched_page(context, site.url, tolerate=_stream_cut_error) as (page, _):
        wait_state(page, 's.charts[0].series[0].held >= 20')
        stats_shown(page)
        site.bridge.stop()
        wait_state(page, "['reconnecting', 'offline'].includes(s.connection)")
        # Everything the old bridge sent, read once it can send no more.
        before = page.evaluate(f'window.rtgraph.points("{WAVE}")')['t']
        # Nothing vouches for the robot while the bridge is away.
        wait_until(lambda: set(statuses(page)) == {'unknown'}, what='every legend unknown')
        site.restart()
        wait_state(page, "s.connection === 'live'")
        log = page_state(page)['connectionLog']
        assert log[:2] == ['connecting', 'live'] and 'reconnecting' in log, log
        assert log[-1] == 'live'
        # New samples from the new bridge are drawn after the ones from before the cut.
        wait_state(page, f's.charts[0].series[0].drawnLast.t > {before[-1]} + 1')
        after = page.evaluate(f'window.rtgraph.points("{WAVE}")')['t']
        assert set(before) <= set(after), 'samples from before the cut were lost'
        assert after == sorted(after)
        assert len(after) == len(set(after)), 'a sample is held twice'
        # The hole is a gap: a marker between the old bridge's last sample and the new one's
        # first, and no line across it.
        first_new = min(t for t in after if t > before[-1])
        gaps = page.evaluate(f'window.rtgraph.gaps("{WAVE}")')
        assert [x for x in gaps if before[-1] < x < first_new], (before[-1], first_new, gaps)
        assert path_d(page, WAVE).count('M') >= 2
        # The new bridge holds nothing of the driven topics: seed them for the other tests.
        wait_until(lambda: publish_seed(robot) or state_holds(page, SEED_DRAWN), WAIT_S,
                   interval=0.5, what='the seeded lines to draw again')
