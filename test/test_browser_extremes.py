# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Extreme finite values and 2^31 s stamp jumps in headless Chromium, through the real bridge.

A sensor that reports -1e308 (an uninitialised double, a sentinel) next to 1e308 makes the
span of a y range overflow to Infinity; stamps that jump between 0 and 2^31-1 s put samples
3.7e8 s apart. Neither may put a non-finite or huge coordinate into an SVG path (Chromium
logs ``attribute d: Expected number`` and draws nothing): the page clamps for drawing only,
so the legend, the hover box, the samples the page holds and the CSV keep the exact values.
Every page is held to :func:`browser.watched_page`'s rules: no console error at all.
"""

import csv
import io
import math
import re
import sys

from browser import artifacts_dir
from browser import page_state
from browser import wait_state
from browser import watched_page
from builtin_interfaces.msg import Time
from geometry_msgs.msg import PointStamped
from playwright.sync_api import expect
from playwright.sync_api import Page
import pytest
from ros_helpers import Bridge
from ros_helpers import rtgraph_command
from ros_helpers import wait_matched
from ros_helpers import write_config
from std_msgs.msg import Float64
from std_msgs.msg import Header

pytestmark = pytest.mark.browser

TOKEN = 'extreme-values-test-token'
INT32_MAX = 2**31 - 1
CONFIG = f"""
server:
  host: 127.0.0.1
  token: {TOKEN}
  frame_rate: 20
  window: 30
charts:
  - title: Extremes
    series:
      - {{topic: /xt/point, type: geometry_msgs/msg/PointStamped, field: point.x, label: extreme}}
      - {{topic: /xt/point, type: geometry_msgs/msg/PointStamped, field: point.y, label: normal}}
  - title: Top of the double range
    limits:
      - {{value: 1.0e+308, label: limit at 1e308}}
    series:
      - {{topic: /xt/point, type: geometry_msgs/msg/PointStamped, field: point.z, label: huge}}
  - title: Stamp jumps
    series:
      - {{topic: /xt/point, type: geometry_msgs/msg/PointStamped, field: point.y, label: jumping}}
  - title: Configured range wider than doubles
    min: -1.0e+308
    max: 1.0e+308
    series:
      - {{topic: /xt/steady, type: std_msgs/msg/Float64, field: data, label: steady}}
"""
EXTREME, NORMAL, HUGE, JUMPING, STEADY = 's0', 's1', 's2', 's3', 's4'
ALL_SERIES = (EXTREME, NORMAL, HUGE, JUMPING, STEADY)
PHONE_390 = {'width': 390, 'height': 844}
# The values of point.x, in turn: their differences overflow, and they sit among normal ones.
EXTREMES = (-1e308, 1e308, 5e307, 1.0, -2.5)
# Stamps (sec, nanosec) of the first phase, in turn: zero (so the receive time, ~1.8e9 s),
# the largest int32 second, one nanosecond (t ~ 0), the largest again.
JUMPS = ((0, 0), (INT32_MAX, 0), (0, 1), (INT32_MAX, 0))
# The last sample: the newest of every series, drawn alone 0.9 s after the one before.
LAST_T = INT32_MAX + 0.5
LAST_X = -1e308
LAST_Z = 1e308
# A drawn path: moveto/lineto commands and numbers only (no NaN, no Infinity)...
PATH_SYNTAX = re.compile(r'[ML0-9eE.,+\- ]*')
NUMBER = re.compile(r'[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?')
# ...and no coordinate further than this many pixels from the plot (SVG is drawn in floats).
PIXEL_BOUND = 1e6


def stamp(seconds: float) -> Time:
    sec = math.floor(seconds)
    return Time(sec=sec, nanosec=round((seconds - sec) * 1e9))


def extreme_messages() -> list[PointStamped]:
    """
    Return what the robot publishes, in order.

    First 20 messages whose stamps jump (JUMPS), then 19 at 10 Hz stamps just below 2^31 s,
    then the last one at LAST_T. x cycles through EXTREMES, y is a normal wave, z alternates
    between the largest double and 1e308 (padding the range of those overflows).
    """
    stamps = [Time(sec=sec, nanosec=nsec) for sec, nsec in JUMPS] * 5
    stamps += [stamp(INT32_MAX - 2.2 + 0.1 * j) for j in range(19)]
    messages = []
    for k, at in enumerate(stamps):
        message = PointStamped(header=Header(stamp=at, frame_id='xt'))
        message.point.x = EXTREMES[k % len(EXTREMES)]
        message.point.y = math.sin(k / 4)
        message.point.z = sys.float_info.max if k % 2 == 0 else 1e308
        messages.append(message)
    last = PointStamped(header=Header(stamp=stamp(LAST_T), frame_id='xt'))
    last.point.x, last.point.y, last.point.z = LAST_X, 0.5, LAST_Z
    return messages + [last]


class Robot:
    """The publishing side: the point topic and a steady Float64 (stamped on receipt)."""

    def __init__(self, peer):
        self.node = peer.node('extremes_test_robot')
        self.point = self.node.create_publisher(PointStamped, '/xt/point', 100)
        self.steady = self.node.create_publisher(Float64, '/xt/steady', 100)

    def publish_all(self, page: Page) -> None:
        """Publish extreme_messages() at 20 Hz, so the page draws them frame after frame."""
        for k, message in enumerate(extreme_messages()):
            self.point.publish(message)
            self.steady.publish(Float64(data=math.cos(k / 4)))
            page.wait_for_timeout(50)


@pytest.fixture(scope='module')
def robot(robot_peer):
    return Robot(robot_peer)


@pytest.fixture(scope='module')
def bridge(robot, tmp_path_factory):
    bridge = Bridge(rtgraph_command(write_config(tmp_path_factory.mktemp('xt'), CONFIG)))
    bridge.wait_serving()
    wait_matched(robot.point)
    wait_matched(robot.steady)
    yield bridge
    bridge.close()


def series_of(page: Page) -> dict[str, dict]:
    return {s['id']: s for chart in page_state(page)['charts'] for s in chart['series']}


def path_d(page: Page, series_id: str) -> str | None:
    return page.evaluate(
        'id => { const p = document.querySelector(`path[data-series="${id}"]`);'
        ' return p ? p.getAttribute("d") : null; }', series_id)


def assert_drawable(page: Page) -> None:
    """Every series is drawn as a line, with finite coordinates near the plot only."""
    for series_id in ALL_SERIES:
        d = path_d(page, series_id)
        assert d is not None and 'L' in d, (series_id, d)
        assert PATH_SYNTAX.fullmatch(d), (series_id, d)
        numbers = [float(n) for n in NUMBER.findall(d)]
        assert numbers and all(abs(n) <= PIXEL_BOUND for n in numbers), (series_id, d)
    for chart in page_state(page)['charts']:
        assert all(math.isfinite(x) for x in chart['xDomain']), chart


LAST_DRAWN = f's.charts[0].series[0].drawnLast.t === {LAST_T} && ' \
    's.charts.every((c) => c.series.every((x) => x.drawn >= 2))'


def test_extreme_values_and_stamp_jumps_draw_and_keep_exact_values(context, bridge, robot):
    with watched_page(context, bridge.url) as (page, _):
        wait_state(page, "s.connection === 'live' && s.charts.length === 4")
        robot.publish_all(page)
        wait_state(page, LAST_DRAWN)
        assert_drawable(page)
        # The legend shows the values as published, not as drawn (with the chart's decimals).
        expect(page.locator(f'.entry[data-series="{EXTREME}"] .value')).to_have_text('-1e+308')
        expect(page.locator(f'.entry[data-series="{HUGE}"] .value')).to_have_text('1e+308')
        expect(page.locator(f'.entry[data-series="{NORMAL}"] .value')).to_have_text('0.50')
        drawn = series_of(page)
        assert drawn[EXTREME]['drawnLast'] == {'t': LAST_T, 'v': LAST_X}
        assert drawn[HUGE]['drawnLast'] == {'t': LAST_T, 'v': LAST_Z}
        # The samples the page holds are exact too.
        held = page.evaluate(f'window.rtgraph.points("{EXTREME}")')['v']
        assert {-1e308, 1e308, 5e307} <= set(held), held
        assert sys.float_info.max in page.evaluate(f'window.rtgraph.points("{HUGE}")')['v']
        page.screenshot(path=artifacts_dir() / 'rtgraph-extremes-1280x800.png', full_page=True)

        # Hover just left of the last point: the box shows its exact value and time.
        page.get_by_role('button', name='Pause').click()
        left, right = page_state(page)['charts'][0]['xDomain']
        box = page.locator('.card').first.locator('.graph').bounding_box()
        page.mouse.move(box['x'] + box['width'] * (LAST_T - 0.1 - left) / (right - left),
                        box['y'] + box['height'] / 2)
        hover = page.locator('.card').first.locator('.hover-box')
        expect(hover).to_contain_text('extreme: -1e+308')
        expect(hover.locator('.hover-time')).to_contain_text(f't = {LAST_T:.3f}')
        page.get_by_role('button', name='Resume').click()

        # The whole buffer this page received: its x axis spans the jumps (~0 to 2^31 s).
        renders = page_state(page)['charts'][2]['renders']
        page.select_option('#window-select', 'buffer')
        wait_state(page, f's.seconds === null && s.charts[2].renders > {renders}')
        assert_drawable(page)
        left, right = page_state(page)['charts'][2]['xDomain']
        assert right - left > 1e8, (left, right)
        page.screenshot(path=artifacts_dir() / 'rtgraph-extremes-buffer-1280x800.png',
                        full_page=True)

        # The CSV of the bridge's rings: exact values, as published.
        href = page.locator('.card').first.locator('a.csv').get_attribute('href')
        body = page.evaluate('url => fetch(url).then((r) => r.text())', href)
    rows = list(csv.DictReader(io.StringIO(body)))
    # A cell may start with ' (the spreadsheet formula guard of item 5 of the same issue).
    values = {float(row['value'].removeprefix("'")) for row in rows if row['series'] == EXTREME}
    assert {-1e308, 1e308, 5e307, 1.0, -2.5} == values


def test_a_phone_gets_them_in_its_snapshot(context, bridge, robot):
    """Runs after the test above: the bridge's rings still hold what was published."""
    with watched_page(context, bridge.url, viewport=PHONE_390) as (page, _):
        wait_state(page, LAST_DRAWN)
        assert_drawable(page)
        expect(page.locator(f'.entry[data-series="{EXTREME}"] .value')).to_have_text('-1e+308')
        page.screenshot(path=artifacts_dir() / 'rtgraph-extremes-390x844.png', full_page=True)


def test_drawable_rules(context, bridge):
    """drawable.js as a table: clamped values, bounds, the sample kept, the entering point."""
    with watched_page(context, bridge.url) as (page, _):
        result = page.evaluate("""async () => {
          const d = await import('./static/js/drawable.js');
          const {formatReading, formatValue} = await import('./static/js/format.js');
          const near = [{x: 5, y: 1}, {x: 10, y: 2}];
          const inside = [{x: 0, y: -10}, {x: 1, y: null}, {x: 2, y: 10}];
          const clamped = d.clampPoints(
            [{x: 0, y: 1}, {x: 1, y: 1e308}, {x: 2, y: null}, {x: 3, y: -1e308}], [-10, 10]);
          const entered = d.enterFromLeft([{x: -1e9, y: 0}, {x: 10, y: 10}], 10, 20);
          const wild = d.enterFromLeft([{x: -1e9, y: -1e308}, {x: 10, y: 1e308}], 10, 20);
          const lone = d.enterFromLeft([{x: -1e9, y: 3}, {x: 10, y: null, gap: true}], 10, 20);
          return {
            values: [1e308, -1e308, 5e307, 1e300, -7].map(d.clampValue),
            bounds: [d.yBounds(-1, 1), d.yBounds(-1.06e300, 1.06e300)],
            clamped: clamped.map((p) => [p.y, d.sampleOf(p).y]),
            same: d.clampPoints(inside, [-10, 10]) === inside &&
              d.enterFromLeft(near, 10, 20) === near,
            entered: [entered[0].x, entered[0].y, d.sampleOf(entered[0]).x, entered[1].x],
            wild: [wild[0].x, wild[0].y, d.sampleOf(wild[0]).y],
            lone: [lone[0].x, lone[0].y, lone[1].gap],
            clampY: [1e308, -1e308, 3].map((y) => d.clampY(y, [-10, 10])),
            legend: [-1e308, 1e308, Number.MAX_VALUE, 1.5e7, 1.05e-5, 2.5].map(formatValue),
            readings: [[0.5, 2], [9.80665, 1], [-1e308, 2], [1.5e7, 3], [1.05e-5, 4],
              [48.1372146, 6], [NaN, 2], [-0.004, 2], [3, 12]].map((c) => formatReading(...c)),
          };
        }""")
    assert result['values'] == [1e300, -1e300, 1e300, 1e300, -7]
    # 100 plot heights either side, and never beyond +-1e300.
    assert result['bounds'] == [[-201, 201], [-1e300, 1e300]]
    # Drawn clamped; each drawn point still names its sample.
    assert result['clamped'] == [[1, 1], [10, 1e308], [None, None], [-10, -1e308]]
    assert result['same'] is True  # nothing to change: no copy
    # One window left of `from`, on the line to the next point; the sample is the one at -1e9.
    x, y, sample_x, next_x = result['entered']
    assert x == 0 and sample_x == -1e9 and next_x == 10 and math.isclose(y, 10 * 1e9 / (1e9 + 10))
    # Extreme values on both ends: still a finite point on the (clamped) line.
    x, y, sample_y = result['wild']
    assert x == 0 and math.isfinite(y) and -1e300 < y < 1e300 and sample_y == -1e308
    # No line to the next point (a gap): only moved, the value kept.
    assert result['lone'] == [0, 3, True]
    assert result['clampY'] == [10, -10, 3]
    assert result['legend'] == ['-1e+308', '1e+308', '1.798e+308', '1.5e+7', '1.05e-5', '2.5']
    # Readings: fixed decimals (no jitter), the exponent form where formatValue uses it.
    assert result['readings'] == ['0.50', '9.8', '-1e+308', '1.5e+7', '1.05e-5', '48.137215',
                                  'NaN', '0.00', '3']
