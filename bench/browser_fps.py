# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Frame rate of the page in headless Chromium under load: ``python -m bench.browser_fps``.

A synthetic bridge (the real web app, frame pump, rings and stats, fed by a thread instead of
ROS, which this benchmark is not about) serves 8 charts x 3 series, each series fed at 1 kHz.
Chromium loads the page and the page's own ``requestAnimationFrame`` callbacks are counted
for about 10 s after a warm-up: that is the frame rate a user sees, since every chart is
redrawn inside those frames. The target is >= 30 fps. Nothing here asserts a timing; the
figure is printed (and written as JSON with ``--json``).

``--serve`` only runs the synthetic bridge and prints its URL, to look at the page by hand.
"""

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
import json
import math
from pathlib import Path
import sys
import threading
import time

import numpy as np

from ros2_rtgraph.config import Config
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.web import build_site

# The browser launch lives with the browser tests; the test folder is not a package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'test'))
from browser import chromium  # noqa: E402 after the path set-up above

# Seconds between the feeder's batches: 10 samples per series per batch at 1 kHz.
FEED_PERIOD = 0.01

# Counts animation frames, and how many of them took longer than 50 ms (janky ones).
FRAME_COUNTER = """
async (seconds) => {
  let frames = 0;
  let slow = 0;
  let previous = performance.now();
  const start = previous;
  await new Promise((resolve) => {
    function tick(now) {
      frames += 1;
      if (now - previous > 50) slow += 1;
      previous = now;
      if (now - start < seconds * 1000) requestAnimationFrame(tick); else resolve();
    }
    requestAnimationFrame(tick);
  });
  return {frames, slow, elapsed: (performance.now() - start) / 1000};
}
"""


def bench_config(charts: int, per_chart: int, window: float) -> Config:
    """Return a configuration of ``charts`` charts with ``per_chart`` series each."""
    lines = ['server:', '  host: 127.0.0.1', '  port: 0', f'  window: {window}', 'charts:']
    for chart in range(charts):
        lines += [f'  - title: Chart {chart}', '    unit: m/s', '    series:']
        lines += [f'      - /bench/c{chart}_s{series}.data' for series in range(per_chart)]
    return parse_config('\n'.join(lines) + '\n', source='<browser_fps>')


class Feeder:
    """The store's single writer: every series gets ``rate`` samples per second."""

    def __init__(self, store: SampleStore, stats: StatsBoard, rate: float):
        self._store = store
        self._stats = stats
        self._rate = rate
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='bench-feeder', daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        ids = list(self._store.rings)
        sent = 0
        start = time.time()
        while not self._stop.wait(FEED_PERIOD):
            now = time.time()
            due = int((now - start) * self._rate)
            if due <= sent:
                continue
            t = start + np.arange(sent, due) / self._rate
            for index, sid in enumerate(ids):
                v = np.sin(2 * math.pi * 0.5 * t + index) * (1 + index % 3)
                v += np.random.default_rng(due + index).normal(0, 0.05, len(t))
                self._store.append_many(sid, t, v)
                series = self._stats.series[sid]
                series.samples += len(t)
                series.last_receive = time.monotonic()
                series.state = 'ok'
            sent = due


@contextmanager
def synthetic_bridge(charts: int = 8, per_chart: int = 3, rate: float = 1000.0,
                     window: float = 30.0) -> Iterator[str]:
    """Serve the real web app over a fed store on a free loopback port; yield its URL."""
    config = bench_config(charts, per_chart, window)
    site = build_site(Layout.for_config(config), token=None, stop_event=threading.Event())
    feeder = Feeder(site.store, site.stats, rate)
    feeder.start()
    site.start()
    try:
        yield site.url
    finally:
        site.stop()
        feeder.stop()


def measure(url: str, seconds: float, warmup: float) -> dict:
    """Load the page in headless Chromium and count its animation frames."""
    with chromium() as context:
        page = context.new_page()
        page.goto(url)
        # Polled from here: in-page polling needs eval, which the page's CSP forbids.
        deadline = time.monotonic() + 30.0
        while not page.evaluate(
                '() => window.rtgraph !== undefined && window.rtgraph.state().charts.length > 0'
                ' && window.rtgraph.state().charts.every((c) => c.renders > 0)'):
            if time.monotonic() > deadline:
                raise RuntimeError('the page drew nothing within 30 s')
            page.wait_for_timeout(100)
        page.wait_for_timeout(warmup * 1000)
        before = page.evaluate('window.rtgraph.state()')
        counted = page.evaluate(FRAME_COUNTER, seconds)
        after = page.evaluate('window.rtgraph.state()')
        page.close()
    renders = sum(c['renders'] for c in after['charts']) - sum(
        c['renders'] for c in before['charts'])
    drawn = [s['drawn'] for c in after['charts'] for s in c['series']]
    return {
        'fps': round(counted['frames'] / counted['elapsed'], 1),
        'frames': counted['frames'],
        'slow_frames_over_50ms': counted['slow'],
        'seconds': round(counted['elapsed'], 2),
        'chart_renders_per_s': round(renders / counted['elapsed'], 1),
        'points_drawn_per_series': {'min': min(drawn), 'max': max(drawn)},
        'data_events': after['events']['data'] - before['events']['data'],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--charts', type=int, default=8)
    parser.add_argument('--series', type=int, default=3, help='series per chart')
    parser.add_argument('--rate', type=float, default=1000.0, help='samples/s per series')
    parser.add_argument('--window', type=float, default=30.0, help='seconds shown')
    parser.add_argument('--seconds', type=float, default=10.0, help='measurement length')
    parser.add_argument('--warmup', type=float, default=5.0, help='seconds before measuring')
    parser.add_argument('--json', type=Path, help='also write the result here')
    parser.add_argument('--serve', action='store_true',
                        help='only serve the synthetic bridge until Ctrl-C')
    args = parser.parse_args(argv)
    with synthetic_bridge(args.charts, args.series, args.rate, args.window) as url:
        if args.serve:
            print(f'serving on {url} (Ctrl-C ends)', flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                return 0
        result = measure(url, args.seconds, args.warmup)
    result['settings'] = vars(args) | {'json': str(args.json) if args.json else None}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + '\n', encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())
