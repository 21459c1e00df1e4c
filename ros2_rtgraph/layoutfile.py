# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The layout in force written back as the YAML file ``rtgraph`` reads: what "Save YAML" downloads.

:func:`config_yaml` gives a file that :func:`ros2_rtgraph.config.parse_config` reads back to the
same charts, series (ids included) and server settings, except the token, which never leaves
the bridge this way (a bridge started from the file keeps its own, or makes one). Keys at their
default are left out of series and charts, so the file reads like one written by hand; the
server section lists every setting, as the bridge ran with them. Keys written with variables
(``${ns}/imu``) are written so again, and the ``variables:`` section holds the values in force.
"""

from dataclasses import asdict

import yaml

from ros2_rtgraph.config import ChartConfig
from ros2_rtgraph.config import Config
from ros2_rtgraph.config import default_label
from ros2_rtgraph.config import positional_id
from ros2_rtgraph.config import SERIES_DEFAULTS
from ros2_rtgraph.config import SeriesConfig

#: The head of every saved file.
HEADER = ('# ros2_rtgraph layout, saved from the page: run it with\n'
          '#   rtgraph --ros-args -p config_file:=<this file>\n')


def chart_entries(config: Config, *, ids: bool = False) -> list[dict]:
    """
    Return the charts as the file's ``charts:`` entries (JSON-ready: ``GET /api/charts``).

    :param ids: give every series its id; else only when the ids are not the file order's.
    """
    named = ids or any(series.id != positional_id(number, {})
                       for number, series in enumerate(config.series))
    return [_chart_entry(chart, named) for chart in config.charts]


def config_yaml(config: Config) -> str:
    """Return the configuration as the text of a file ``rtgraph`` accepts as it is."""
    server = asdict(config.server)
    del server['token']
    server['allowed_hosts'] = list(config.server.allowed_hosts)  # YAML writes no tuples
    document = {'variables': dict(config.variables), 'server': server,
                'charts': chart_entries(config)}
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _chart_entry(chart: ChartConfig, named: bool) -> dict:
    entry: dict = {'title': dict(chart.templates).get('title', chart.title)}
    if chart.unit:
        entry['unit'] = chart.unit
    for key in ('min', 'max', 'precision'):
        value = getattr(chart, key)
        if value is not None:
            entry[key] = value
    if chart.limits:
        entry['limits'] = [
            {'value': limit.value, 'label': limit.label} if limit.label else limit.value
            for limit in chart.limits]
    entry['series'] = [_series_entry(series, named) for series in chart.series]
    return entry


def _series_entry(series: SeriesConfig, named: bool) -> dict:
    """Return one series' entry: its id when ids are not the file order's, keys not at default."""
    written = dict(series.templates)
    entry: dict = {'id': series.id} if named else {}
    entry['topic'] = written.get('topic', series.topic)
    entry['field'] = series.field
    label = written.get('label', series.label)
    if label != default_label(entry['topic'], series.field):
        entry['label'] = label
    for key, default in SERIES_DEFAULTS.items():
        value = getattr(series, key)
        if value != default:
            entry[key] = value
    return entry
