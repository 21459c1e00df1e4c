# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The Flask application factory: routes over the shared rings, stats and frame pump.

Nothing lives at module level but the blueprint: :func:`create_app` stores the shared state
in ``app.extensions['rtgraph']`` and views reach it through ``current_app``. Views read the
request (headers, query) and hand plain values to the pure generator in
:mod:`ros2_rtgraph.web.stream`. The app never runs in debug mode: the Werkzeug debugger
executes arbitrary code for whoever can reach the port.
"""

import csv
from dataclasses import dataclass
import io
import json
import math
import threading
import time

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import render_template
from flask import request
from flask import Response
from flask import send_from_directory
import numpy as np
import xstatic.pkg.d3
import xstatic.pkg.rickshaw

from ros2_rtgraph.config import Config
from ros2_rtgraph.pump import FramePump
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.web.stream import describe
from ros2_rtgraph.web.stream import HEARTBEAT_SECONDS
from ros2_rtgraph.web.stream import parse_event_id
from ros2_rtgraph.web.stream import stream_events

EXTENSION = 'rtgraph'
CSV_COLUMNS = ('series', 'label', 'seq', 't', 'value')

bp = Blueprint('rtgraph', __name__)


@dataclass(frozen=True)
class AppState:
    """What the views share: one instance per app, in ``app.extensions['rtgraph']``."""

    config: Config
    store: SampleStore
    stats: StatsBoard
    pump: FramePump
    stop_event: threading.Event
    heartbeat: float


def create_app(config: Config, store: SampleStore, stats: StatsBoard, pump: FramePump, *,
               stop_event: threading.Event, heartbeat: float = HEARTBEAT_SECONDS) -> Flask:
    """
    Build the web app over the shared state; serve it with :class:`~.server.WebServer`.

    :param config: the loaded configuration.
    :param store: the rings the node writes.
    :param stats: the per-series stats.
    :param pump: the frame pump; the caller starts and stops it.
    :param stop_event: set at shutdown so open ``/stream`` responses end.
    :param heartbeat: seconds between ``: ping`` comments on an idle stream.
    :return: the Flask application.
    """
    app = Flask(__name__)
    app.extensions[EXTENSION] = AppState(
        config=config, store=store, stats=stats, pump=pump, stop_event=stop_event,
        heartbeat=heartbeat)
    app.register_blueprint(bp)
    return app


def _state() -> AppState:
    return current_app.extensions[EXTENSION]


def _json_response(body: object, status: int = 200) -> Response:
    text = json.dumps(body, separators=(',', ':'), allow_nan=False)
    return Response(text, status=status, mimetype='application/json')


def _bad_request(message: str) -> Response:
    return _json_response({'error': message}, status=400)


@bp.route('/')
def index() -> str:
    """Serve the page that draws the charts from ``/stream``."""
    return render_template('index.html')


@bp.route('/stream')
def stream() -> Response:
    """
    Stream SSE events (see :mod:`ros2_rtgraph.web.stream` for the protocol).

    A reconnecting EventSource sends ``Last-Event-ID``; a page that opens a new EventSource
    itself passes the id it had as ``?lastEventId=``. The header wins when both are given.
    """
    state = _state()
    text = request.headers.get('Last-Event-ID')
    if text is None:
        text = request.args.get('lastEventId')
    events = stream_events(
        state.pump, state.store, state.config, state.stop_event,
        last_event_id=parse_event_id(text), heartbeat=state.heartbeat)
    return Response(events, mimetype='text/event-stream', headers={
        'Cache-Control': 'no-cache',
        'X-Accel-Buffering': 'no',  # nginx would otherwise buffer the stream
    })


@bp.route('/api/config')
def api_config() -> Response:
    """Describe the charts and series, as the ``meta`` event does."""
    return _json_response(describe(_state().config))


@bp.route('/api/export.csv')
def export_csv() -> Response:
    """
    Download the samples the server holds, one row per sample (long format).

    Columns: ``series,label,seq,t,value``. Rows are in sequence order, i.e. the order the
    bridge received the samples across all series; ``t`` is the sample time in seconds (header
    stamp or receive time), ``value`` after scale and offset, written with full double
    precision. Non-finite values are written ``nan``, ``inf`` or ``-inf``, which pandas,
    numpy and Python's ``float`` read back. One row per sample rather than one column per
    series keeps series with different rates and clocks exact: a wide table would need a row
    per distinct time and be mostly empty. ``pandas.read_csv(...).pivot(...)`` makes it wide.

    Query parameters: ``series`` (comma-separated ids, default all) and ``seconds`` (the last
    seconds of each series, relative to its newest sample; default everything held).
    An unknown series id or a bad ``seconds`` is a 400 that names it.
    """
    state = _state()
    config = state.config
    labels = {s.id: s.label for s in config.series}
    wanted = [part.strip() for part in request.args.get('series', '').split(',') if part.strip()]
    unknown = [sid for sid in wanted if sid not in labels]
    if unknown:
        return _bad_request(f'unknown series: {", ".join(unknown)} (known: {", ".join(labels)})')
    series_ids = list(dict.fromkeys(wanted)) or list(labels)
    seconds = None
    if 'seconds' in request.args:
        text = request.args['seconds']
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if not (math.isfinite(seconds) and seconds > 0):
            return _bad_request(f'seconds must be a positive number, got {text!r}')

    upto = state.store.committed
    reads = []
    for sid in series_ids:
        ring = state.store.rings[sid]
        samples = ring.read_since(0, upto) if seconds is None else ring.read_window(seconds, upto)
        reads.append((sid, samples))
    body = _csv_text(reads, labels)
    filename = time.strftime('rtgraph-%Y%m%d-%H%M%S.csv')
    return Response(body, mimetype='text/csv', headers={
        'Content-Disposition': f'attachment; filename="{filename}"',
        'Cache-Control': 'no-store',
    })


def _csv_text(reads: list, labels: dict[str, str]) -> str:
    """Merge the series' samples by sequence number into CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(CSV_COLUMNS)
    if reads:
        seq = np.concatenate([samples.seq for _, samples in reads])
        t = np.concatenate([samples.t for _, samples in reads])
        v = np.concatenate([samples.v for _, samples in reads])
        which = np.concatenate([
            np.full(len(samples.seq), position) for position, (_, samples) in enumerate(reads)])
        order = np.argsort(seq, kind='stable')
        names = [(sid, labels[sid]) for sid, _ in reads]
        # repr() of a Python float round-trips exactly and spells non-finite nan/inf/-inf.
        writer.writerows(
            (*names[w], s, repr(tt), repr(vv))
            for w, s, tt, vv in zip(which[order].tolist(), seq[order].tolist(),
                                    t[order].tolist(), v[order].tolist(), strict=True))
    return out.getvalue()


@bp.route('/healthz')
def healthz() -> Response:
    """Answer liveness probes; reveals nothing about the robot."""
    return _json_response({'status': 'ok'})


@bp.route('/vendor/d3/<path:filename>')
def vendor_d3(filename: str) -> Response:
    """Serve d3 v3 from the XStatic-D3 package: the field has no internet for a CDN."""
    return send_from_directory(xstatic.pkg.d3.BASE_DIR, filename)


@bp.route('/vendor/rickshaw/<path:filename>')
def vendor_rickshaw(filename: str) -> Response:
    """Serve rickshaw.js and rickshaw.css from the XStatic-Rickshaw package."""
    return send_from_directory(xstatic.pkg.rickshaw.BASE_DIR, filename)
