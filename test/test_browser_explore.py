# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Exploring from the page in headless Chromium: topics, fields, charts changed at run time.

The topic browser and its field tree, charts added, edited and removed from the page and seen
by every viewer, the saved YAML, and no other origin can change them.

One real ``rtgraph`` process (with a token, as in the field) and real rclpy publishers serve
the module. Every page is held to :func:`browser.watched_page`'s rules (no console error, no
request outside the bridge). The tests run in order on the shared layout, each leaving it as it
found it.
"""

from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
import json
from pathlib import Path
import threading
import urllib.request

from browser import artifacts_dir
from browser import page_state
from browser import PHONE_390
from browser import wait_state
from browser import watched_page
from playwright.sync_api import expect
import pytest
from ros_helpers import Bridge
from ros_helpers import RosPeer
from ros_helpers import rtgraph_command
from ros_helpers import wait_until
from ros_helpers import write_config
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64

from ros2_rtgraph.config import parse_config

pytestmark = pytest.mark.browser

CONFIG = """
server:
  host: 127.0.0.1
  token: explore-test-token-7Qz2
  frame_rate: 20
charts:
  - title: Speed
    unit: m/s
    series:
      - {topic: /bx/speed, field: data, label: speed}
"""
JOINTS = ['shoulder', 'elbow', 'wrist']
WAIT_MS = 30_000


class Robot:
    """The publishing side: a speed the YAML charts, and joints the page adds at run time."""

    def __init__(self, peer: RosPeer):
        node = peer.node('explore_ui_robot')
        self.speed = node.create_publisher(Float64, '/bx/speed', 10)
        self.joints = node.create_publisher(JointState, '/bx/joints', 10)
        self.count = 0
        node.create_timer(0.05, self._tick)

    def _tick(self) -> None:
        self.count += 1
        self.speed.publish(Float64(data=1.0 + self.count % 5 / 10))
        self.joints.publish(JointState(name=JOINTS, position=[0.1, 0.2 + self.count % 3, 0.3]))


@pytest.fixture(scope='module')
def robot():
    with RosPeer() as peer:
        yield Robot(peer)


@pytest.fixture(scope='module')
def bridge(robot, tmp_path_factory):
    path = write_config(tmp_path_factory.mktemp('explore'), CONFIG)
    process = Bridge(rtgraph_command(path)).wait_serving()
    yield process
    process.close()


def _api(bridge, path: str):
    with urllib.request.urlopen(f'{bridge.base_url}{path}?token={bridge.token}',
                                timeout=10) as response:
        return json.loads(response.read())


def _titles(page) -> list[str]:
    return [chart['title'] for chart in page_state(page)['charts']]


def test_a_field_picked_in_the_tree_is_charted_for_every_viewer_then_edited_and_removed(
        bridge, context, robot):
    with watched_page(context, bridge.url) as (page, _watch), \
            watched_page(context, bridge.url, PHONE_390) as (other, _other_watch):
        wait_state(page, 's.charts.length === 1')
        page.click('#explore-button')
        drawer = page.locator('#explorer')
        expect(drawer).to_be_visible()
        row = drawer.locator('.topic[data-topic="/bx/joints"]')
        expect(row).to_be_visible(timeout=WAIT_MS)
        expect(drawer.locator('.topic[data-topic="/rosout"]')).to_have_count(0)
        page.check('.show-hidden')
        expect(drawer.locator('.topic[data-topic="/rosout"]')).to_have_count(1)
        page.fill('.filter', 'jointstate')  # the type matches too
        expect(drawer.locator('.topic')).to_have_count(1)
        row.locator('.topic-head').click()
        expect(row.locator('.probe')).to_contain_text('Hz', timeout=WAIT_MS)
        names = row.locator('.names').first.locator('.button')
        expect(names).to_have_count(3, timeout=WAIT_MS)
        assert names.all_text_contents() == JOINTS
        completions = page.eval_on_selector_all('#path-options option', 'o => o.map(x => x.value)')
        assert {'position[0]', 'position[:]', 'header.stamp.sec'} <= set(completions)
        names.nth(1).click()
        assert page.input_value('.path') == 'position[name=="elbow"]'
        expect(page.locator('.path-check')).to_have_text('OK')
        page.fill('.label-input', 'elbow')
        page.click('.picker .add')
        expect(page.locator('.picker-status')).to_contain_text('new chart')
        for viewer in (page, other):  # the layout is shared: both pages get the new chart
            wait_state(viewer, "s.charts.length === 2 && s.charts[1].title === 'elbow' && "
                               's.charts[1].series[0].drawn >= 2')
        page.screenshot(path=str(artifacts_dir() / 'explore-laptop.png'))
        other.screenshot(path=str(artifacts_dir() / 'explore-phone.png'), full_page=True)
        # A second series on the existing chart, typed by hand; a typo first.
        page.fill('.path', 'position[name=="wirst"].@rad2deg')
        expect(page.locator('.path-check')).to_have_text('OK')  # names are checked per message
        page.fill('.path', 'positon[2]')
        expect(page.locator('.path-check')).to_contain_text("has no field 'positon'")
        expect(page.locator('.picker .add')).to_be_disabled()
        page.fill('.path', 'position[2]')
        expect(page.locator('.path-check')).to_have_text('OK')
        page.select_option('.target', label='elbow')
        page.click('.picker .add')
        expect(page.locator('.picker-status')).to_have_text('Added to elbow.')
        wait_state(other, 's.charts[1].series.length === 2')
        page.click('#explorer [data-action="close"]')
        expect(drawer).to_be_hidden()

        card = page.locator('.card').nth(1)
        card.locator('.edit').click()
        card.locator('input[name="title"]').fill('Elbow & wrist <b>')
        card.locator('input[name="unit"]').fill('rad')
        card.locator('input[name="limits"]').fill('1.5 stop, -1.5')
        card.locator('.chart-form button[type="submit"]').click()
        wait_state(other, "s.charts[1].title === 'Elbow & wrist <b>'")
        expect(other.locator('.card').nth(1).locator('.title')).to_have_text('Elbow & wrist <b>')
        charts = _api(bridge, '/api/charts')['charts']
        assert charts[1]['unit'] == 'rad'
        assert charts[1]['limits'] == [{'value': 1.5, 'label': 'stop'}, -1.5]

        card = page.locator('.card').nth(1)  # built anew with its new title
        card.locator('.edit').click()
        card.locator('.entry').nth(0).locator('.remove').click()
        wait_state(other, 's.charts[1].series.length === 1')
        assert [s['field'] for s in _api(bridge, '/api/charts')['charts'][1]['series']] == [
            'position[2]']
        remove = card.locator('.remove-chart')
        remove.click()
        expect(remove).to_have_text('Remove: sure?')
        assert len(_api(bridge, '/api/charts')['charts']) == 2  # one click removes nothing
        remove.click()
        for viewer in (page, other):
            wait_state(viewer, 's.charts.length === 1')
        assert _titles(page) == ['Speed']
    # No series reads the joints now, and the probe went with its row: nothing subscribes.
    wait_until(lambda: robot.joints.get_subscription_count() == 0, 30, 0.2,
               'the bridge to drop its subscriptions of /bx/joints')


def test_the_topic_browser_fits_a_phone_with_touch_sized_controls(bridge, context):
    with watched_page(context, bridge.url, PHONE_390) as (page, _watch):
        wait_state(page, 's.charts.length === 1')
        page.click('#explore-button')
        row = page.locator('.topic[data-topic="/bx/joints"]')
        row.locator('.topic-head').click()
        expect(row.locator('.names .button')).to_have_count(3 * 3, timeout=WAIT_MS)
        drawer = page.locator('#explorer').bounding_box()
        assert drawer['x'] == 0 and drawer['width'] == PHONE_390['width']  # the whole screen
        assert page.evaluate('document.getElementById("explorer").scrollWidth') <= 390
        for control in page.locator('#explorer button:visible, #explorer select:visible').all():
            assert control.bounding_box()['height'] >= 44, control.evaluate('e => e.outerHTML')
        page.screenshot(path=str(artifacts_dir() / 'explore-drawer-390.png'))
        page.click('#explorer [data-action="close"]')


def test_save_yaml_downloads_the_layout_in_force(bridge, context, tmp_path):
    with watched_page(context, bridge.url) as (page, _watch):
        wait_state(page, 's.charts.length === 1')
        with page.expect_download() as download:
            page.click('#save-yaml')
        path = Path(tmp_path / 'saved.yaml')
        download.value.save_as(path)
    text = path.read_text(encoding='utf-8')
    assert 'explore-test-token' not in text
    config = parse_config(text, 'saved.yaml')
    assert [chart.title for chart in config.charts] == ['Speed']
    assert config.series[0].topic == '/bx/speed'


class _Other(BaseHTTPRequestHandler):
    """A page of another origin that tries to change the bridge's charts."""

    bridge_url = ''

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = f"""<!doctype html><html><body>
<form id="form" method="post" action="{self.bridge_url}api/charts"
      enctype="text/plain"><input name='{{"title": "x", "series": ["/a.b"], "p": "' value='"}}'>
</form></body></html>""".encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_another_origin_cannot_change_the_charts(bridge, context):
    with watched_page(context, bridge.url) as (page, _watch):  # the cookie is set
        wait_state(page, 's.charts.length === 1')
    _Other.bridge_url = bridge.base_url
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Other)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = context.new_page()
        page.goto(f'http://127.0.0.1:{server.server_port}/')
        # A script of that origin: the header needs a CORS preflight, which the bridge refuses.
        outcome = page.evaluate("""async (url) => {
            try {
              const response = await fetch(url + 'api/charts', {
                method: 'POST', credentials: 'include', body: '{"title": "x", "series": ["/a.b"]}',
                headers: {'X-Requested-With': 'rtgraph', 'Content-Type': 'application/json'}});
              return 'answered ' + response.status;
            } catch (error) {
              return 'refused: ' + error.name;
            }
        }""", bridge.base_url)
        assert outcome == 'refused: TypeError'
        # A form of that origin (a JSON body sent as text/plain): it cannot add the header.
        with page.expect_navigation() as navigation:
            page.evaluate("document.getElementById('form').submit()")
        assert navigation.value.status == 403
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    assert [c['title'] for c in _api(bridge, '/api/charts')['charts']] == ['Speed']


FLEET = """
variables: {ns: /bxf1}
server:
  host: 127.0.0.1
  token: explore-fleet-token-3Hq9
charts:
  - title: Speed of ${ns}
    series:
      - ${ns}/speed.data
"""


def test_a_link_with_ns_shows_that_robot_and_the_selector_offers_the_others(
        context, tmp_path):
    with RosPeer() as peer:
        node = peer.node('explore_fleet_robot')
        speeds = {ns: node.create_publisher(Float64, f'{ns}/speed', 10) for ns in ('/bxf1',
                                                                                   '/bxf2')}
        node.create_timer(0.05, lambda: [p.publish(Float64(data=float(ns[-1]))) for ns, p in
                                         speeds.items()])  # 1.0 on /bxf1, 2.0 on /bxf2
        bridge = Bridge(rtgraph_command(write_config(tmp_path, FLEET))).wait_serving()
        try:
            with watched_page(context, f'{bridge.url}&ns=/bxf2') as (page, _watch):
                wait_state(page, "s.charts[0].title === 'Speed of /bxf2' && "
                                 's.charts[0].series[0].drawn >= 2')
                assert set(page.evaluate("window.rtgraph.points('s0')")['v']) == {2.0}
                select = page.locator('#ns-select')
                expect(select).to_have_value('/bxf2')
                both = {'/bxf1', '/bxf2'}  # (other robots of the test run may have a /speed)
                wait_until(lambda: both <= {n['ns'] for n in _api(
                    bridge, '/api/variables')['namespaces']}, 30, 0.2,
                    'the bridge to see both robots')  # it has just started
                select.focus()
                offered = select.locator('option[value="/bxf1"], option[value="/bxf2"]')
                expect(offered).to_have_count(2, timeout=WAIT_MS)
                select.select_option('/bxf1')
                wait_state(page, "s.charts[0].title === 'Speed of /bxf1'")
                page.screenshot(path=str(artifacts_dir() / 'explore-fleet.png'))
            assert _api(bridge, '/api/config')['namespace'] == '/bxf1'
        finally:
            bridge.close()
