# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The Flask application factory: routes over the shared layout, rings and frame pump.

Nothing lives at module level but the blueprint: :func:`create_app` stores the shared state
in ``app.extensions['rtgraph']`` and views reach it through ``current_app``. Views read the
request (headers, query) and hand plain values to the pure generator in
:mod:`ros2_rtgraph.web.stream`. The app never runs in debug mode: the Werkzeug debugger
executes arbitrary code for whoever can reach the port.

Hardening, in request order: a query string that is not well-formed UTF-8 gets 400; then,
``/healthz`` aside, a bridge without a token answers 403 to a ``Host`` that is not local
(:mod:`ros2_rtgraph.hosts`: DNS rebinding), and one with a token answers 401 without it (see
:mod:`.auth`) and 429 to an address that guessed wrong too often (:mod:`.throttle`);
``/stream`` beyond ``server.max_clients``, and a CSV download beyond
:data:`~ros2_rtgraph.budget.MAX_EXPORTS`, get 503 with ``Retry-After``. Every response
carries :data:`SECURITY_HEADERS`. All routes are GET (and HEAD), but the changes of the charts
(:mod:`.explore`: POST, PATCH, DELETE, with a header of their own); OPTIONS is refused, so no
other origin's page gets through a CORS preflight. The robot is only ever read.

The log gets one line when a ``/stream`` client connects and one when it goes away (address,
short user agent, duration), through the ``log`` callable (the node's ROS logger in
``rtgraph``); every other request is the server's business, at debug.
"""

from collections.abc import Callable
from collections.abc import Collection
from dataclasses import dataclass
import logging
import math
import socket
import time
from urllib.parse import urlencode

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import g
from flask import render_template
from flask import request
from flask import Response
from flask import send_from_directory
import xstatic.pkg.d3
import xstatic.pkg.rickshaw

from ros2_rtgraph.budget import MAX_EXPORTS
from ros2_rtgraph.frames import encode_range_json
from ros2_rtgraph.frames import read_range
from ros2_rtgraph.hosts import LocalHosts
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.layoutfile import config_yaml
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.web.auth import cookie_name
from ros2_rtgraph.web.auth import host_refusal
from ros2_rtgraph.web.auth import token_matches
from ros2_rtgraph.web.auth import TOKEN_PARAMETER
from ros2_rtgraph.web.auth import unauthorized_page
from ros2_rtgraph.web.broadcast import FramePump
from ros2_rtgraph.web.explore import bp as explore_bp
from ros2_rtgraph.web.explore import CHANGE_METHODS
from ros2_rtgraph.web.explore import Explorer
from ros2_rtgraph.web.export import csv_chunks
from ros2_rtgraph.web.limits import query_string_problem
from ros2_rtgraph.web.limits import StreamLimit
from ros2_rtgraph.web.logtext import client_name
from ros2_rtgraph.web.responses import json_response
from ros2_rtgraph.web.stream import HEARTBEAT_SECONDS
from ros2_rtgraph.web.stream import parse_event_id
from ros2_rtgraph.web.stream import stream_events
from ros2_rtgraph.web.throttle import GuessThrottle

EXTENSION = 'rtgraph'
#: Seconds a client over the stream or download cap is asked to wait (the page retries on its
#: own timer: a 503 closes an EventSource for good).
RETRY_AFTER_SECONDS = 5
#: Endpoints open without the token and to any Host: liveness probes (which often name the
#: bridge by a container or pod address), and they learn nothing but 'ok'.
OPEN_ENDPOINTS = frozenset({'rtgraph.healthz'})
#: The page's own scripts and styles only: no inline script or style element, no framing,
#: no form posts, no base-URL tricks. Rickshaw sets styles through the DOM (element.style),
#: which style-src does not govern; the empty favicon is a data: URL.
CONTENT_SECURITY_POLICY = '; '.join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"))
#: Headers on every response.
SECURITY_HEADERS = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',  # frame-ancestors for browsers without CSP level 2
    'Referrer-Policy': 'no-referrer',
}

bp = Blueprint('rtgraph', __name__)


@dataclass(frozen=True)
class AppState:
    """What the views share: one instance per app, in ``app.extensions['rtgraph']``."""

    layout: Layout  # the charts and series, configured and added at run time
    store: SampleStore
    pump: FramePump
    heartbeat: float
    token: str  # '' = no token needed
    streams: StreamLimit
    exports: StreamLimit  # CSV downloads at once: each holds a chunk of the rings (budget.py)
    log: Callable[[str], object]  # info lines: stream clients coming and going
    hosts: LocalHosts  # the Host headers served without a token
    guesses: GuessThrottle  # token checks per client address
    explorer: Explorer | None  # the node, for the topic browser and changes of the charts


def create_app(layout: Layout, pump: FramePump, *, heartbeat: float = HEARTBEAT_SECONDS,
               token: str | None = None, log: Callable[[str], object] | None = None,
               explorer: Explorer | None = None) -> Flask:
    """
    Build the web app over the shared state; serve it with :class:`~.server.WebServer`.

    :param layout: the charts and series, over the rings the node writes; its configuration's
        ``server`` settings are used.
    :param pump: the frame pump; the caller starts it. Open ``/stream`` responses end when its
        stop event is set.
    :param heartbeat: seconds between ``: ping`` comments on an idle stream.
    :param token: the access token (from :func:`~.tokenfile.choose_token`); None or ``''``
        switches access control off.
    :param log: takes one info line per call, e.g. ``node.get_logger().info`` (what it returns
        is ignored: rclpy's returns a bool); default: this module's Python logger.
    :param explorer: the node, which lists the graph and applies changes of the charts on its
        thread; None: the routes that need it answer 403.
    :return: the Flask application.
    """
    app = Flask(__name__)
    # Flask reads FLASK_DEBUG from the environment; debug mode is never wanted here.
    app.debug = False
    config = layout.config
    app.extensions[EXTENSION] = AppState(
        layout=layout, store=layout.store, pump=pump, heartbeat=heartbeat,
        token=token or '',
        streams=StreamLimit(config.server.max_clients), exports=StreamLimit(MAX_EXPORTS),
        log=log or logging.getLogger(__name__).info,
        hosts=LocalHosts.for_server(config.server.host, config.server.allowed_hosts,
                                    socket.gethostname()),
        guesses=GuessThrottle(), explorer=explorer)
    app.register_blueprint(bp)
    app.register_blueprint(explore_bp)
    return app


def _state() -> AppState:
    return current_app.extensions[EXTENSION]


def _bad_request(message: str) -> Response:
    return json_response({'error': message}, status=400)


def _busy(message: str) -> Response:
    """Answer a client over a cap: 503, to come back in :data:`RETRY_AFTER_SECONDS`."""
    response = json_response({'error': message}, 503)
    response.headers['Retry-After'] = str(RETRY_AFTER_SECONDS)
    return response


#: The methods every route answers.
ALLOWED_METHODS = ('GET', 'HEAD')
#: The routes that change the charts, which answer CHANGE_METHODS too.
CHANGE_ENDPOINTS = frozenset({'explore.new_chart', 'explore.patch_chart', 'explore.delete_chart',
                              'explore.patch_variables'})


@bp.before_app_request
def refuse_other_methods() -> Response | None:
    """Answer 405 to any other method, OPTIONS included (Flask would answer it 200)."""
    if request.method in ALLOWED_METHODS or (
            request.method in CHANGE_METHODS and request.endpoint in CHANGE_ENDPOINTS):
        return None
    response = json_response({'error': 'only GET and HEAD are allowed here; the charts change '
                                       'by POST, PATCH and DELETE of /api/charts'}, 405)
    response.headers['Allow'] = ', '.join(ALLOWED_METHODS)
    return response


@bp.before_app_request
def check_request() -> Response | None:
    """Refuse mangled queries (400), foreign Hosts without a token (403), no token (401/429)."""
    problem = query_string_problem(request.query_string)
    if problem is not None:
        return _bad_request(problem)
    state = _state()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not state.token:
        host = request.headers.get('Host')
        # No Host at all is no browser (HTTP/1.1 requires it), and rebinding needs one.
        if host is None or state.hosts.allows(host):
            return None
        return _refusal(403, host_refusal(host))
    return _check_token(state)


def _check_token(state: AppState) -> Response | None:
    """Let the right token (query or cookie) through; spend a guess of the address first."""
    given = request.args.get(TOKEN_PARAMETER) or None
    cookie = request.cookies.get(cookie_name(request.host)) or None
    if given is None and cookie is None:  # no guess: nothing to count
        return _unauthorized()
    address = request.remote_addr
    spent = state.guesses.spend(address)
    if spent.wait:
        if spent.first_refusal:
            state.log(f'client {client_name(address, request.headers.get("User-Agent"))}: '
                      'too many wrong tokens; its token checks are refused (429) for now')
        seconds = math.ceil(spent.wait)
        response = _refusal(429, 'too many wrong tokens from this address: try again in '
                                 f'{seconds} s')
        response.headers['Retry-After'] = str(seconds)
        return response
    if token_matches(given, state.token):
        state.guesses.refund(address)
        g.set_token_cookie = True
        if request.endpoint == 'rtgraph.index':
            return _without_token_redirect()
        return None
    if token_matches(cookie, state.token):
        state.guesses.refund(address)
        return None
    return _unauthorized()


def _unauthorized() -> Response:
    if request.path.startswith('/api/'):
        return _refusal(401, 'the access token is missing or wrong')
    response = Response(unauthorized_page(request.host), status=401, mimetype='text/html')
    response.headers['Cache-Control'] = 'no-store'
    return response


def _refusal(status: int, message: str) -> Response:
    """Answer a refused request: JSON for ``/api/*``, else plain text; never cached."""
    if request.path.startswith('/api/'):
        response = json_response({'error': message}, status)
    else:
        response = Response(message + '\n', status=status, mimetype='text/plain')
    response.headers['Cache-Control'] = 'no-store'
    return response


def _without_token_redirect() -> Response:
    """Redirect the page to its own URL minus the token, relative so proxies' prefixes hold."""
    rest = [(key, value) for key, value in request.args.items(multi=True)
            if key != TOKEN_PARAMETER]
    query = f'?{urlencode(rest)}' if rest else ''
    response = Response(status=303, headers={'Location': f'./{query}'})
    # Werkzeug 2.0 would make the location absolute from the Host header, losing a prefix.
    response.autocorrect_location_header = False
    response.headers['Cache-Control'] = 'no-store'
    return response


@bp.after_app_request
def add_headers(response: Response) -> Response:
    """Add the security headers, and the token cookie when the query brought the token."""
    response.headers.update(SECURITY_HEADERS)
    if g.get('set_token_cookie'):
        response.set_cookie(
            cookie_name(request.host), _state().token, path='/', httponly=True,
            samesite='Strict', secure=request.is_secure)
        response.headers['Cache-Control'] = 'no-store'
    return response


@bp.route('/')
def index() -> Response:
    """Serve the page that draws the charts from ``/stream``."""
    response = Response(render_template('index.html'), mimetype='text/html')
    response.headers['Cache-Control'] = 'no-store'
    return response


@bp.route('/stream')
def stream() -> Response:
    """
    Stream SSE events (see :mod:`ros2_rtgraph.web.stream` for the protocol).

    A reconnecting EventSource sends ``Last-Event-ID``; a page that opens a new EventSource
    itself passes the id it had as ``?lastEventId=``. The header wins when both are given.
    An unusable header gets a snapshot (browsers send back whatever id they last saw); an
    unusable ``?lastEventId=`` is a 400. Beyond ``max_clients`` open streams: 503.
    The log says when a client got its stream and when it went away.
    """
    state = _state()
    last_event_id = parse_event_id(request.headers.get('Last-Event-ID'))
    text = request.args.get('lastEventId', '')
    if last_event_id is None and text:
        last_event_id = parse_event_id(text)
        if last_event_id is None:
            return _bad_request(f'lastEventId must be an event id (digits), got {text!r}')
    events = stream_events(
        state.pump, state.layout, last_event_id=last_event_id, heartbeat=state.heartbeat)
    client = client_name(request.remote_addr, request.headers.get('User-Agent'))
    started = time.monotonic()

    def gone() -> None:
        state.log(f'client {client} disconnected after {time.monotonic() - started:.1f} s')

    slot = state.streams.guard(events, on_close=gone)
    if slot is None:
        events.close()
        return _busy(f'too many open streams (at most {state.streams.maximum})')
    state.log(f'client {client} connected')
    return Response(slot, mimetype='text/event-stream', headers={
        'Cache-Control': 'no-cache',
        'X-Accel-Buffering': 'no',  # nginx would otherwise buffer the stream
    })


@bp.route('/api/config')
def api_config() -> Response:
    """Describe the charts and series, as the ``meta`` event does (never cached: it changes)."""
    response = json_response(_state().layout.describe())
    response.headers['Cache-Control'] = 'no-store'
    return response


#: Buckets a range may be asked for: a wide screen's pixels, with room.
MAX_RANGE_BUCKETS = 10_000


class _QueryError(Exception):
    """A query argument that cannot be used: the request gets a 400 with this message."""


@bp.errorhandler(_QueryError)
def _refuse_query(error: _QueryError) -> Response:
    return _bad_request(str(error))


def _series_argument(labels: Collection[str]) -> list[str]:
    """Return the distinct series ids ``?series=`` names, in order ([] for none)."""
    wanted = [part.strip() for part in request.args.get('series', '').split(',') if part.strip()]
    unknown = [sid for sid in wanted if sid not in labels]
    if unknown:
        raise _QueryError(f'unknown series: {", ".join(unknown)} (known: {", ".join(labels)})')
    return list(dict.fromkeys(wanted))


def _number_argument(name: str, *, positive: bool = False) -> float:
    """Return a query argument that must be a finite (and maybe positive) number."""
    text = request.args.get(name, '')
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (positive and value <= 0):
        raise _QueryError(f"{name} must be a {'positive ' if positive else ''}number, "
                          f'got {text!r}')
    return value


@bp.route('/api/range')
def api_range() -> Response:
    """
    Return the samples of some series in a time span at full resolution, decimated to fit.

    ``?series=s0,s1&t0=<robot s>&t1=<robot s>&points=<px>``: per series the samples with
    ``t0 <= t <= t1`` from the robot's rings, every one of them while fewer than ``points``
    buckets' worth, else per bucket the first, min, max and last (the frames' rule), with their
    sequence numbers (the stream's ids); strict JSON (:func:`~ros2_rtgraph.frames.
    encode_range_json`). A zoomed view asks for this when it shows more detail than it holds.
    """
    state = _state()
    labels = state.layout.labels()
    wanted = _series_argument(labels)
    if not wanted:
        raise _QueryError(f'series must name at least one series (known: {", ".join(labels)})')
    t0, t1 = _number_argument('t0'), _number_argument('t1')
    if t1 < t0:
        raise _QueryError(f't1 ({t1:g}) must not be before t0 ({t0:g})')
    text = request.args.get('points', '')
    if not (text.isdigit() and 1 <= int(text) <= MAX_RANGE_BUCKETS):
        raise _QueryError(f'points must be an integer from 1 to {MAX_RANGE_BUCKETS}, '
                          f'got {text!r}')
    hi = state.store.committed
    ranges = read_range(state.store, wanted, t0, t1, int(text), hi)
    response = Response(encode_range_json(hi, ranges), mimetype='application/json')
    response.headers['Cache-Control'] = 'no-store'
    return response


@bp.route('/api/layout.yaml')
def layout_yaml() -> Response:
    """Download the charts in force as a YAML file ``rtgraph`` accepts (the token left out)."""
    filename = time.strftime('rtgraph-layout-%Y%m%d-%H%M%S.yaml')
    return Response(config_yaml(_state().layout.config), mimetype='application/yaml', headers={
        'Content-Disposition': f'attachment; filename="{filename}"',
        'Cache-Control': 'no-store',
    })


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
    The file is streamed from the rings a chunk at a time, and text cells are escaped against
    formula injection (:mod:`.export`).

    Query parameters: ``series`` (comma-separated ids, default all: the members slices added
    too) and ``seconds`` (the last
    seconds of each series, relative to its newest sample; default everything held).
    An unknown series id or a bad ``seconds`` is a 400 that names it; a download beyond
    :data:`~ros2_rtgraph.budget.MAX_EXPORTS` at once, 503.
    """
    state = _state()
    labels = state.layout.labels()
    rings = state.store.rings
    # (A series removed since labels() were read has no ring: it is left out.)
    series_ids = [sid for sid in _series_argument(labels) or labels if sid in rings]
    seconds = _number_argument('seconds', positive=True) if 'seconds' in request.args else None
    chunks = csv_chunks([rings[sid] for sid in series_ids],
                        [(sid, labels[sid]) for sid in series_ids], state.store.committed,
                        seconds=seconds)
    slot = state.exports.guard(chunks)
    if slot is None:
        chunks.close()
        return _busy(f'too many CSV downloads at once (at most {state.exports.maximum})')
    filename = time.strftime('rtgraph-%Y%m%d-%H%M%S.csv')
    return Response(slot, mimetype='text/csv', headers={
        'Content-Disposition': f'attachment; filename="{filename}"',
        'Cache-Control': 'no-store',
    })


@bp.route('/healthz')
def healthz() -> Response:
    """Answer liveness probes; reveals nothing about the robot."""
    return json_response({'status': 'ok'})


@bp.route('/vendor/d3/<path:filename>')
def vendor_d3(filename: str) -> Response:
    """Serve d3 v3 from the XStatic-D3 package: the field has no internet for a CDN."""
    return send_from_directory(xstatic.pkg.d3.BASE_DIR, filename)


@bp.route('/vendor/rickshaw/<path:filename>')
def vendor_rickshaw(filename: str) -> Response:
    """Serve rickshaw.js and rickshaw.css from the XStatic-Rickshaw package."""
    return send_from_directory(xstatic.pkg.rickshaw.BASE_DIR, filename)
