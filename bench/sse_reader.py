# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
SSE client process of the benchmark: reads ``/stream`` like a browser and measures latency.

The publish time travels in the message (see :mod:`bench.publisher`): in ``t`` for series
charted with ``stamp: header``, in ``v`` for Float64 series whose value is the publish time
(``--latency-from``). For each ``data`` event the receive wall time is taken when the event's
closing blank line arrives, and two latencies are kept per series:

- *newest*: receive time minus the publish time of the newest sample of the series in the
  frame. This is the fair figure for a live chart: it is how old the freshest point on the
  screen is when it arrives; older samples of the same frame waited for the frame tick by
  design.
- *all*: the same for every sample in the frame, which adds up to one frame period of
  batching delay.

Latencies are recorded only between SIGUSR1 (start) and SIGUSR2 (stop), the benchmark's
measurement window, as histograms of 0.1 ms bins (``LATENCY_BINS_PER_SECOND``) so that memory
and the report stay small however long a soak runs. On SIGINT or SIGTERM (or when the stream
ends) it prints one JSON object on stdout: event counts, points received per series, the last
``stats`` event, and the latency histograms.
"""

import argparse
from collections import Counter
import http.client
import json
import signal
import sys
import time
from urllib.parse import urlsplit

LATENCY_BINS_PER_SECOND = 10000


class _Recorder:
    """Counts and latencies of one connection; the signal handlers flip ``recording``."""

    def __init__(self, latency_from: str):
        self.latency_from = latency_from
        self.recording = False
        self.events: dict[str, int] = {}
        self.points: dict[str, int] = {}
        self.stats: dict = {}
        self.templates: set[str] = set()
        self.newest: Counter[int] = Counter()
        self.all: Counter[int] = Counter()

    def event(self, name: str, data: str, received: float) -> None:
        self.events[name] = self.events.get(name, 0) + 1
        if name == 'stats':
            stats = json.loads(data)
            series = stats.get('series', stats)   # per series id: samples, decimated, ...
            # A slice's own entry counts its members' samples again: the members are counted.
            self.stats = {sid: entry for sid, entry in series.items()
                          if sid not in self.templates}
        elif name == 'meta':
            self.templates = {s['id'] for s in json.loads(data)['series'] if s.get('expand')}
        elif name in ('data', 'snapshot'):
            series = json.loads(data)['series']
            for sid, columns in series.items():
                self.points[sid] = self.points.get(sid, 0) + len(columns['t'])
            if name == 'data' and self.recording:
                self._latencies(series, received)

    def _latencies(self, series: dict, received: float) -> None:
        for columns in series.values():
            sent = [x for x in columns[self.latency_from] if x is not None]
            if sent:
                self.newest[round((received - sent[-1]) * LATENCY_BINS_PER_SECOND)] += 1
                self.all.update(round((received - x) * LATENCY_BINS_PER_SECOND) for x in sent)

    def summary(self, error: str | None) -> dict:
        return {
            'events': self.events,
            'points': self.points,
            'stats': self.stats,
            'latency_newest': self.newest,
            'latency_all': self.all,
            'error': error,
        }


def _read_events(response: http.client.HTTPResponse, recorder: _Recorder) -> None:
    """Parse the event stream until it ends; hand each complete event to the recorder."""
    name, data = 'message', []
    while True:
        line = response.readline()
        if not line:
            return
        line = line.rstrip(b'\r\n')
        if not line:
            if data:
                recorder.event(name, '\n'.join(data), time.time())
            name, data = 'message', []
        elif line.startswith(b'data:'):
            data.append(line[5:].removeprefix(b' ').decode())
        elif line.startswith(b'event:'):
            name = line[6:].strip().decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--url', required=True, help='the /stream URL, with ?token= if needed')
    parser.add_argument('--latency-from', choices=('t', 'v'), required=True)
    args = parser.parse_args(argv)
    recorder = _Recorder(args.latency_from)
    # SIGINT and SIGTERM both end the run with a report, even when the parent was started
    # with SIGINT ignored (a background job of a shell), which children would inherit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    def start(_signum, _frame):
        recorder.recording = True

    def stop(_signum, _frame):
        recorder.recording = False

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    url = urlsplit(args.url)
    path = url.path + (f'?{url.query}' if url.query else '')
    error = None
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=None)
    try:
        connection.request('GET', path, headers={'Accept': 'text/event-stream'})
        response = connection.getresponse()
        if response.status != 200:
            error = f'HTTP {response.status}'
        else:
            print(json.dumps({'ready': True}), flush=True)
            _read_events(response, recorder)
            error = 'stream ended'
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        error = f'{type(exc).__name__}: {exc}'
    finally:
        connection.close()
        print(json.dumps(recorder.summary(error)), flush=True)
    return 1 if error else 0


if __name__ == '__main__':
    sys.exit(main())
