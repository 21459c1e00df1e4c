# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The routes that explore the robot and change the charts: topics, fields, charts at run time.

Reading the graph (``/api/topics``, ``/api/probe``) and changing the charts run on the node's
thread (:class:`Explorer`, the node in ``rtgraph``), which this thread waits for at most
:data:`EXPLORE_TIMEOUT`; the field tree and the path check (``/api/fields``, ``/api/path``)
need only the message type. ``server.explore: false`` switches all of them off (403); the
charts (``GET /api/charts``) and the saved layout (``/api/layout.yaml``) are always readable.

Changes (``POST /api/charts``, ``PATCH`` and ``DELETE /api/charts/<i>``) take JSON shaped like
the YAML's chart entries and fail as the file would (400 naming the key); they need, besides
the token every route needs, the header ``X-Requested-With: rtgraph``: a page of another
origin cannot send it without a CORS preflight, which the bridge refuses (405 to OPTIONS), and
a cross-site form cannot send it at all. The bridge itself only subscribes: no change of the
charts publishes, calls a service or sets a parameter on the robot.
"""

from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
import functools
from typing import Any
from typing import Protocol
from typing import TypeVar

from flask import Blueprint
from flask import current_app
from flask import request
from flask import Response

from ros2_rtgraph.config import Config
from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.editing import add_chart
from ros2_rtgraph.editing import change_chart
from ros2_rtgraph.editing import ChartNotFoundError
from ros2_rtgraph.editing import remove_chart
from ros2_rtgraph.editing import set_variables
from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.fieldtree import field_tree
from ros2_rtgraph.graphview import namespaces_with
from ros2_rtgraph.graphview import ProbeError
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.layoutfile import chart_entries
from ros2_rtgraph.msgtypes import message_class
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.pathsyntax import FieldPathError
from ros2_rtgraph.variables import NAMESPACE_USE
from ros2_rtgraph.web.logtext import client_name
from ros2_rtgraph.web.responses import json_response

#: Seconds a request waits for the node's thread.
EXPLORE_TIMEOUT = 5.0
#: The header (and value) a change of the charts must carry.
REQUESTED_WITH = ('X-Requested-With', 'rtgraph')
#: The methods of the routes that change the charts, besides GET and HEAD.
CHANGE_METHODS = ('POST', 'PATCH', 'DELETE')
_T = TypeVar('_T')

bp = Blueprint('explore', __name__)


class Explorer(Protocol):
    """What the routes need of the node (:class:`ros2_rtgraph.node.GraphNode`)."""

    def call(self, work: Callable[[], _T]) -> 'Future[_T]': ...

    def edit(self, change: Callable[[Config], Config]) -> 'Future[Config]': ...

    def graph_topics(self) -> list[dict]: ...

    def get_topic_names_and_types(self) -> list[tuple[str, list[str]]]: ...

    def probe(self, name: str) -> dict: ...


class _RefusalError(Exception):
    """A request the routes answer with an error status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _state() -> Any:
    return current_app.extensions['rtgraph']


def _explorer() -> Explorer:
    """Return the node's explorer, or refuse: exploring is off (or there is no node)."""
    state = _state()
    if not state.layout.config.server.explore:
        raise _RefusalError(
            403, 'exploring is switched off on this bridge (server.explore: false)')
    if state.explorer is None:
        raise _RefusalError(403, 'this bridge has no ROS side to explore')
    return state.explorer


def _result(future: 'Future[_T]') -> _T:
    """Wait for the node's thread; its errors become the answers they deserve."""
    try:
        return future.result(EXPLORE_TIMEOUT)
    except FutureTimeout:
        future.cancel()
        raise _RefusalError(
            503, f'the ROS side did not answer within {EXPLORE_TIMEOUT:g} s') from None
    except ConfigError as error:
        raise _RefusalError(400, str(error)) from None
    except ChartNotFoundError as error:
        raise _RefusalError(404, str(error)) from None
    except ProbeError as error:
        raise _RefusalError(409, str(error)) from None


def _answers(view: Callable[..., object]) -> Callable[..., Response]:
    """Answer a view's value as JSON and its refusals as ``{"error": ...}`` with their status."""
    @functools.wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Response:
        try:
            body = view(*args, **kwargs)
        except _RefusalError as refusal:
            response = json_response({'error': str(refusal)}, refusal.status)
        else:
            response = json_response(body, 201 if request.method == 'POST' else 200)
        response.headers['Cache-Control'] = 'no-store'
        return response

    return answer


@bp.before_request
def check_change() -> Response | None:
    """
    Refuse a change without the header a cross-site request cannot send, or not in JSON.

    The server caps every body (:data:`ros2_rtgraph.web.server.MAX_BODY_BYTES`: 413).
    """
    if request.method not in CHANGE_METHODS:
        return None
    name, value = REQUESTED_WITH
    if request.headers.get(name) != value:
        return json_response({'error': f'a change of the charts needs the header {name}: '
                                       f'{value}'}, 403)
    if request.mimetype != 'application/json' and request.method != 'DELETE':
        return json_response({'error': 'the body must be JSON (Content-Type: '
                                       'application/json)'}, 415)
    return None


@bp.route('/api/topics')
@_answers
def topics() -> object:
    """List the graph's topics: types, publishers and their QoS, whether charted or hidden."""
    explorer = _explorer()
    return {'topics': _result(explorer.call(explorer.graph_topics))}


@bp.route('/api/probe')
@_answers
def probe() -> object:
    """Measure a topic while the page asks: rate, and the names its sequences hold."""
    explorer = _explorer()
    name = _argument('topic')
    return _result(explorer.call(lambda: explorer.probe(name)))


@bp.route('/api/fields')
@_answers
def fields() -> object:
    """Return a message type's fields as a tree (``?type=sensor_msgs/msg/Imu``)."""
    _explorer()
    type_name = _argument('type')
    return {'type': type_name, 'fields': field_tree(_message_class(type_name))}


@bp.route('/api/path')
@_answers
def path() -> object:
    """
    Check a field path against a type as the YAML's would be checked.

    A path that does not fit is an answer, not a failed request: ``ok`` false and the error
    with its caret (the page checks as the user types).
    """
    _explorer()
    msg_class = _message_class(_argument('type'))
    field = _argument('field')
    try:
        checked = check_path(msg_class, field)
    except FieldPathError as error:
        return {'field': field, 'ok': False, 'error': str(error)}
    return {'field': field, 'ok': True, 'expands': checked.expands}


@bp.route('/api/charts')
@_answers
def charts() -> object:
    """Return the charts as the YAML's entries, every series with its id."""
    return {'charts': chart_entries(_state().layout.config, ids=True)}


@bp.route('/api/charts', methods=['POST'])
@_answers
def new_chart() -> object:
    """Add a chart, last (body: a chart entry); answer the new layout."""
    body = request.get_data()
    return _change('added a chart', lambda config, layout: add_chart(
        config, body, layout.new_id, members=layout.members, most=layout.series_limit()))


@bp.route('/api/charts/<int:index>', methods=['PATCH'])
@_answers
def patch_chart(index: int) -> object:
    """Change the keys the body gives of chart ``index``; a series list replaces its series."""
    body = request.get_data()
    return _change(f'changed chart {index}', lambda config, layout: change_chart(
        config, index, body, layout.new_id, members=layout.members,
        most=layout.series_limit()))


@bp.route('/api/variables')
@_answers
def variables() -> object:
    """Return the variables' values and, where topics use ``${ns}``, the namespaces to offer."""
    explorer = _explorer()
    config = _state().layout.config
    rests = [written[len(NAMESPACE_USE):] for s in config.series  # '${ns}/imu': '/imu'
             if (written := dict(s.templates).get('topic', '')).startswith(NAMESPACE_USE + '/')]
    names = [name for name, _ in _result(explorer.call(
        explorer.get_topic_names_and_types))] if rests else []
    return {'variables': dict(config.variables), 'namespaces': namespaces_with(rests, names)}


@bp.route('/api/variables', methods=['PATCH'])
@_answers
def patch_variables() -> object:
    """Give variables other values (body ``{"ns": "/robot2"}``): topics, titles, labels follow."""
    body = request.get_data()
    return _change('set variables', lambda config, _layout: set_variables(config, body))


@bp.route('/api/charts/<int:index>', methods=['DELETE'])
@_answers
def delete_chart(index: int) -> object:
    """Remove chart ``index`` (its series' rings go with it)."""
    return _change(f'removed chart {index}', lambda config, _layout: remove_chart(config, index))


def _change(what: str, change: Callable[[Config, Layout], Config]) -> object:
    """
    Have the node apply a change of the charts; log who did it; answer the new layout.

    ``change`` runs on the node's thread: it gets the request's values, not the request.
    """
    state = _state()
    explorer = _explorer()
    layout = state.layout
    config = _result(explorer.edit(lambda current: change(current, layout)))
    client = client_name(request.remote_addr, request.headers.get('User-Agent'))
    state.log(f'client {client} {what}: now {len(config.charts)} charts, '
              f'{len(config.series)} series')
    return layout.describe()


def _argument(name: str) -> str:
    value = request.args.get(name, '')
    if not value:
        raise _RefusalError(400, f'the query needs {name}=')
    return value


def _message_class(type_name: str) -> Any:
    try:
        return message_class(type_name)
    except MessageTypeError as error:
        raise _RefusalError(400, str(error)) from None
