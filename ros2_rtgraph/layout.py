# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The charts and series the page is shown: the configuration's, plus the members of slices.

A configured series whose field is a slice (``position[:]``, ``ranges[0:10]``) is a
*template*: it never gets samples itself, and expands at run time into one *member* series per
element the messages carry (one per joint name, one per index). :meth:`Layout.add_member`
creates a member: its ring in the store, its stats, its entry in :meth:`Layout.describe`, and
a new :attr:`Layout.version`, which tells the frame pump to send the page a new ``meta``.

Threads: one writer, the ROS thread (the rings' writer), adds members; any thread reads. The
writer adds a member before it appends the member's first sample, so a reader that reads
``store.committed`` first and the layout after it knows every series whose samples it reads up
to that bound. Ring and stats are added before the layout lists the member.

Bounds: all templates together get at most ``server.max_series`` members, and no member is
added whose ring would take the rings beyond ``server.memory`` (the rule config.py applies to
the file at start-up); :meth:`Layout.add_member` returns None then, and the writer tells why on
the template's status.

At run time the charts themselves may change (:mod:`ros2_rtgraph.editing`): :meth:`Layout.replace`
shows another configuration, with rings and stats for its new series (empty) and without those
of the series that are gone; the series that stay keep theirs, and the templates that stay keep
their members. New series get ids from :meth:`Layout.new_id`, which never gives one twice in a
run, so a page that missed a change cannot take a new series for one it knew.
"""

from collections.abc import Collection
from dataclasses import dataclass
import itertools
import math
import re
import threading

from ros2_rtgraph.budget import over_budget
from ros2_rtgraph.config import Config
from ros2_rtgraph.pathsyntax import expands
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.variables import NAMESPACE
from ros2_rtgraph.variables import NAMESPACE_USE


@dataclass(frozen=True)
class Member:
    """One series a template expanded into."""

    id: str  # '<template id>.<n>', n = 0, 1, ... per template in order of addition
    field: str  # the element's path, e.g. 'position[name=="elbow"]' or 'ranges[3]'
    label: str  # e.g. '/joint_states position elbow'


class Layout:
    """The charts and series the page is shown: the configuration's plus the members of slices."""

    def __init__(self, config: Config, store: SampleStore, stats: StatsBoard, *,
                 expanding: Collection[str] | None = None):
        """
        Start with the configured charts and series, and no members.

        :param config: the loaded configuration; its ``server`` bounds the members.
        :param store: the rings (one per configured series); members' rings are added to it.
        :param stats: the per-series stats; members' stats are added to it.
        :param expanding: the ids of the configured series that are templates; None: those
            whose field is a slice (:func:`ros2_rtgraph.pathsyntax.expands`).
        """
        if expanding is None:
            expanding = [s.id for s in config.series if expands(s.field)]
        known = {s.id for s in config.series}
        unknown = sorted(set(expanding) - known)
        if unknown:
            raise ValueError(f'unknown template series: {", ".join(unknown)}')
        self._config = config
        #: The rings, the configured series' and the members'.
        self.store = store
        #: The stats, the configured series' and the members'.
        self.stats = stats
        self._templates = {s.id: s for s in config.series if s.id in expanding}
        # Guards _members, _count and _version: the writer adds while web threads read.
        self._lock = threading.Lock()
        self._members: dict[str, list[Member]] = {sid: [] for sid in self._templates}
        self._count = 0  # members of all templates
        self._version = 0
        numbers = [int(match[1]) for s in config.series if (match := _NUMBERED.fullmatch(s.id))]
        self._numbers = itertools.count(max(numbers, default=-1) + 1)  # for new_id()
        self._started = len(config.series)  # what the file charted: series_limit() adds to it

    @classmethod
    def for_config(cls, config: Config, *,
                   expanding: Collection[str] | None = None) -> 'Layout':
        """Return the layout of a configuration over new rings and stats of its series."""
        return cls(config, SampleStore.for_config(config), StatsBoard.for_config(config),
                   expanding=expanding)

    @property
    def config(self) -> Config:
        """Return the configuration in force: charts, configured series and server settings."""
        return self._config

    @property
    def members(self) -> int:
        """Return how many series the templates added, over all of them."""
        with self._lock:
            return self._count

    def series_limit(self) -> int:
        """
        Return how many configured series the charts may have after a change at run time.

        ``server.max_series`` bounds what comes at run time, members of slices and series
        added from a page together, beyond what the file charted.
        """
        return self._started + self._config.server.max_series - self.members

    def new_id(self) -> str:
        """Return an id for a series added at run time: 's<n>', n above any used in the run."""
        taken = {s.id for s in self._config.series}
        return next(sid for n in self._numbers if (sid := f's{n}') not in taken)

    def replace(self, config: Config) -> None:
        """
        Show ``config``'s charts and series from now on (writer thread only).

        A series of the same id and samples (topic, field, scale, offset: another namespace
        makes another series) keeps its ring, stats and (a template) members; the others get
        new, empty ones before the layout lists them, and those of series that are gone (and
        of their members) are dropped after.
        """
        old = {s.id: s for s in self._config.series}
        changed = {s.id for s in config.series
                   if s.id in old and s.identity != old[s.id].identity}
        self.stats.remove(changed)
        for series in config.series:
            if series.id in changed:
                self.stats.add(series.id, series.stale_after)
                self.store.add_ring(series.id, replace=True)
            elif series.id not in old:
                self.stats.add(series.id, series.stale_after)
                self.store.add_ring(series.id)
            elif old[series.id].stale_after != series.stale_after:
                self.stats.set_stale_after(series.id, series.stale_after)
        templates = {s.id: s for s in config.series if expands(s.field)}
        kept = templates.keys() - changed  # templates whose members stay
        with self._lock:
            gone = set(old) - {s.id for s in config.series}
            gone.update(m.id for sid, added in self._members.items() if sid not in kept
                        for m in added)
            self._members = {sid: self._members.get(sid, []) if sid in kept else []
                             for sid in templates}
            self._count = sum(len(added) for added in self._members.values())
            self._templates = templates
            self._config = config
            self._version += 1
        self.store.remove_rings(gone)
        self.stats.remove(gone)
        self.store.changed.set()  # the frame pump sleeps till the store changes: now the meta

    @property
    def version(self) -> int:
        """Return a number that changes with every member added (0 before the first)."""
        with self._lock:
            return self._version

    def add_member(self, parent: str, field: str, label: str) -> str | None:
        """
        Add a series for one element of a template's slice (writer thread only).

        :param parent: the template's id.
        :param field: the element's path, shown with the series, e.g. ``'ranges[3]'``.
        :param label: the series' label, e.g. ``'/joint_states position elbow'``.
        :return: the new series' id, ``'<parent>.<n>'`` (the one it has already when the
            template has a member of that field: a topic subscribed again keeps its members);
            None when ``server.max_series``
            members exist already or the ring would not fit ``server.memory``: nothing added.
        :raise KeyError: ``parent`` is not a template.
        """
        template = self._templates[parent]
        config = self._config
        server = config.server
        with self._lock:
            count = self._count
            number = len(self._members[parent])
            known = next((m.id for m in self._members[parent] if m.field == field), None)
        if known is not None:
            return known
        if count + 1 > server.max_series:
            return None
        if over_budget(len(config.series) + count + 1, server.buffer, server.memory):
            return None
        member = Member(f'{parent}.{number}', field, label)
        # Stats and ring first: a reader that finds the member in the layout finds them too.
        self.stats.add(member.id, template.stale_after, parent=parent)
        self.store.add_ring(member.id)
        with self._lock:
            self._members[parent].append(member)
            self._count += 1
            self._version += 1
        return member.id

    def describe(self) -> dict:
        """
        Describe the charts and series for the page: the body of ``meta`` and ``/api/config``.

        :return: JSON-ready ``{'charts': [...], 'series': [...], 'window', 'frame_rate',
            'max_points', 'buffer', 'explore', 'namespace'}``; a chart lists its series ids,
            each template followed by its members in order of addition; a series names its
            chart index and the chart's unit, a template has ``'expand': True`` and a member
            the ``'parent'`` template id; ``namespace`` is the value of ``${ns}`` where a topic
            uses it, else None.
        """
        config, members = self._now()
        charts = []
        for index, chart in enumerate(config.charts):
            charts.append({
                'index': index,
                'title': chart.title,
                'unit': chart.unit,
                'min': _finite_or_none(chart.min),
                'max': _finite_or_none(chart.max),
                'limits': [
                    {'value': _finite_or_none(limit.value), 'label': limit.label}
                    for limit in chart.limits],
                'precision': chart.precision,
                'series': [sid for series in chart.series
                           for sid in (series.id, *(m.id for m in members.get(series.id, ())))],
            })
        series = []
        for s in config.series:
            entry = {'id': s.id, 'label': s.label, 'topic': s.topic, 'field': s.field,
                     'unit': config.charts[s.chart].unit, 'chart': s.chart}
            if s.id in members:
                entry['expand'] = True
            series.append(entry)
            series += [{'id': m.id, 'label': m.label, 'topic': s.topic, 'field': m.field,
                        'unit': entry['unit'], 'chart': s.chart, 'parent': s.id}
                       for m in members.get(s.id, ())]
        server = config.server
        return {
            'charts': charts,
            'series': series,
            'window': server.window,
            'frame_rate': server.frame_rate,
            'max_points': server.max_points,
            'buffer': server.buffer,
            'explore': server.explore,
            'namespace': (dict(config.variables).get(NAMESPACE) if _uses_namespace(config)
                          else None),
        }

    def labels(self) -> dict[str, str]:
        """Return every series' label by id, each template followed by its members."""
        config, members = self._now()
        labels = {}
        for s in config.series:
            labels[s.id] = s.label
            labels.update((m.id, m.label) for m in members.get(s.id, ()))
        return labels

    def _now(self) -> tuple[Config, dict[str, list[Member]]]:
        """Return the configuration and a copy of the members of every template, read together."""
        with self._lock:
            return self._config, {sid: list(added) for sid, added in self._members.items()}


def _uses_namespace(config: Config) -> bool:
    """Tell whether a topic is written with ``${ns}``: then the page offers namespaces."""
    return any(NAMESPACE_USE in dict(s.templates).get('topic', '') for s in config.series)


#: The ids the file gives series it names none (config.positional_id), and new_id() gives.
_NUMBERED = re.compile(r's(\d+)')


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
