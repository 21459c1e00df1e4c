# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Charts changed at run time: a configuration plus one request gives the next configuration.

Pure: :func:`add_chart`, :func:`change_chart` and :func:`remove_chart` take the configuration in
force and a request body (JSON shaped like a chart entry of the YAML file, read by the file's
own rules, so a bad key fails with the message the file would get) and return the new
configuration, or raise :class:`~ros2_rtgraph.config.ConfigError` and change nothing. The node
then makes the subscriptions follow (:mod:`ros2_rtgraph.node`) and the layout shows it.

Every result is a configuration a file could hold: at least one chart, each with a series, ids
unique, within ``MAX_SERIES`` and ``server.memory``, and, where the caller gives one, within a
bound of series (``most``: :meth:`ros2_rtgraph.layout.Layout.series_limit`; a change that adds
none always passes it). Series ids are what pages and rings know a series by, so they last: a
series of a changed chart with the same topic, field, scale and offset as one it had keeps that
one's id (and its ring and samples); any other new series takes the id the request names, else
a new one from ``new_id``, never one used before in the run (the caller counts).
"""

from collections.abc import Callable
from collections.abc import Mapping
import dataclasses
import json
from typing import Any
from typing import TypeVar

from yaml.nodes import MappingNode
from yaml.nodes import Node
from yaml.representer import SafeRepresenter

from ros2_rtgraph.budget import over_budget
from ros2_rtgraph.config import ChartConfig
from ros2_rtgraph.config import check_series_ids
from ros2_rtgraph.config import Config
from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import IDENTITY_KEYS
from ros2_rtgraph.config import MAX_SERIES
from ros2_rtgraph.config import range_problem
from ros2_rtgraph.config import read_chart
from ros2_rtgraph.config import SeriesConfig
from ros2_rtgraph.config import topic_problem
from ros2_rtgraph.variables import check_variable
from ros2_rtgraph.variables import substitute

#: Where the errors of a request say they come from.
REQUEST_SOURCE = 'request body'
#: Gives a new series an id no series of the run had.
NewId = Callable[[], str]
#: What may write keys with variables.
_Templated = TypeVar('_Templated', ChartConfig, SeriesConfig)
_STRING_TAG = 'tag:yaml.org,2002:str'



class ChartNotFoundError(LookupError):
    """Raised when a request names a chart index the layout does not have."""


def _reject_constant(name: str) -> float:
    raise ValueError(f'{name} is not JSON')


def body_node(body: str | bytes) -> Node:
    """
    Read a request body, strict JSON, into the YAML node tree the file's rules walk.

    :raise ConfigError: the body is not JSON (NaN and Infinity are not JSON either).
    """
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError too
        line = getattr(error, 'lineno', None)
        text = getattr(error, 'msg', None) or str(error) or 'nested too deeply'
        raise ConfigError(f'invalid JSON: {text}', source=REQUEST_SOURCE, line=line) from None
    return SafeRepresenter(sort_keys=False).represent_data(value)


def add_chart(config: Config, body: str | bytes, new_id: NewId, *, members: int = 0,
              most: int | None = None) -> Config:
    """
    Return ``config`` with one more chart, last, read from ``body``.

    :param members: series that slices added (they count against ``server.memory``).
    :param most: how many series the result may have; None: no bound but a file's.
    """
    index = len(config.charts)
    values = read_chart(body_node(body), REQUEST_SOURCE, index, len(config.series),
                        lambda _number, _settings: new_id(), variables=dict(config.variables))
    return _finished(config, (*config.charts, ChartConfig(**values)), members, most)


def change_chart(config: Config, index: int, body: str | bytes, new_id: NewId, *,
                 members: int = 0, most: int | None = None) -> Config:
    """
    Return ``config`` with the keys ``body`` gives replaced in chart ``index``.

    A ``series`` list replaces the chart's series; those the chart had keep their ids.
    ``members`` and ``most`` as for :func:`add_chart`.

    :raise ChartNotFoundError: no chart ``index``.
    """
    old = _chart_at(config, index)
    kept = {s.identity: s.id for s in old.series}

    def series_id(_number: int, settings: Mapping[str, Any]) -> str:
        return kept.get(tuple(settings[key] for key in IDENTITY_KEYS)) or new_id()

    first = sum(len(chart.series) for chart in config.charts[:index])
    values = read_chart(body_node(body), REQUEST_SOURCE, index, first, series_id, partial=True,
                        variables=dict(config.variables))
    chart = dataclasses.replace(old, **values)
    problem = range_problem(chart.min, chart.max)
    if problem is not None:
        raise ConfigError(problem, source=REQUEST_SOURCE, key=f'charts[{index}].max')
    charts = list(config.charts)
    charts[index] = chart
    return _finished(config, tuple(charts), members, most)


def remove_chart(config: Config, index: int) -> Config:
    """
    Return ``config`` without chart ``index``.

    :raise ChartNotFoundError: no chart ``index``.
    :raise ConfigError: it is the only chart (a layout is a file, and a file has a chart).
    """
    _chart_at(config, index)
    if len(config.charts) == 1:
        raise ConfigError('the only chart cannot be removed: a layout needs at least one',
                          source=REQUEST_SOURCE, key=f'charts[{index}]')
    return _finished(config, config.charts[:index] + config.charts[index + 1:], 0, None)


def set_variables(config: Config, body: str | bytes) -> Config:
    """
    Return ``config`` with other values of its variables (``{"ns": "/robot2"}``), applied.

    Every topic, title and label written with variables follows; a series keeps its id (the
    layout gives one whose topic changed an empty ring: it is another robot's now).

    :raise ConfigError: a name the layout has no variable of, a value that cannot be one, or a
        topic name the values make invalid (naming the series).
    """
    node = body_node(body)
    if not isinstance(node, MappingNode):
        raise ConfigError('expected a mapping of variable names to values',
                          source=REQUEST_SOURCE, key='variables')
    values = dict(config.variables)
    for name_node, value_node in node.value:
        name, value = name_node.value, value_node.value
        key = f'variables.{name}'
        if name not in values:
            raise ConfigError(f"unknown variable {name!r} (variables: {', '.join(values)})",
                              source=REQUEST_SOURCE, key=key)
        if value_node.tag != _STRING_TAG:
            raise ConfigError('expected a string', source=REQUEST_SOURCE, key=key)
        try:
            check_variable(name, value)
        except ValueError as error:
            raise ConfigError(str(error), source=REQUEST_SOURCE, key=key) from None
        values[name] = value
    charts = tuple(
        dataclasses.replace(
            _resolved(chart, values, f'charts[{index}]'),
            series=tuple(_resolved(series, values, series.key) for series in chart.series))
        for index, chart in enumerate(config.charts))
    return dataclasses.replace(config, charts=charts, variables=tuple(values.items()))


def _resolved(item: _Templated, values: Mapping[str, str], key: str) -> _Templated:
    """Return a chart or series with the keys it writes with variables given these values."""
    changes: dict[str, Any] = {}
    for name, written in item.templates:
        try:
            text = substitute(written, values)
        except ValueError as error:
            raise ConfigError(str(error), source=REQUEST_SOURCE, key=f'{key}.{name}') from None
        if name == 'topic':
            problem = topic_problem(text)
            if problem is not None:
                raise ConfigError(problem, source=REQUEST_SOURCE, key=f'{key}.topic')
            text = text if text.startswith('/') else '/' + text
        changes[name] = text
    return dataclasses.replace(item, **changes)


def _chart_at(config: Config, index: int) -> ChartConfig:
    if not 0 <= index < len(config.charts):
        raise ChartNotFoundError(f'no chart {index}: the layout has charts 0 to '
                            f'{len(config.charts) - 1}')
    return config.charts[index]


def _finished(config: Config, charts: tuple[ChartConfig, ...], members: int,
              most: int | None) -> Config:
    """Renumber the series by their new places; check what a file's charts are checked for."""
    placed = tuple(
        dataclasses.replace(chart, series=tuple(
            dataclasses.replace(series, chart=index, key=f'charts[{index}].series[{number}]')
            for number, series in enumerate(chart.series)))
        for index, chart in enumerate(charts))
    result = dataclasses.replace(config, charts=placed)
    count = len(result.series)
    if count > MAX_SERIES:
        raise ConfigError(f'{count} series, more than the {MAX_SERIES} a layout may chart',
                          source=REQUEST_SOURCE, key='charts')
    if most is not None and count > max(most, len(config.series)):
        raise ConfigError(f'{count} series, more than the {most} this bridge may chart now '
                          "(the file's series plus server.max_series, less those slices added)",
                          source=REQUEST_SOURCE, key='charts')
    problem = over_budget(count + members, config.server.buffer, config.server.memory)
    if problem is not None:
        raise ConfigError(problem, source=REQUEST_SOURCE, key='charts')
    check_series_ids(result, REQUEST_SOURCE)
    return result
