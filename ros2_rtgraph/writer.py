# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Turn a batch of one topic's messages into samples in the rings, and count them per series.

Both ingest paths store through one :class:`TopicWriter` per topic: the drain loop
(:mod:`ros2_rtgraph.ingest`) hands it every message a wake-up took, serialized where
:mod:`ros2_rtgraph.rawdecode` can read the wanted fields straight from the bytes; the callback
fallback of the standard executor hands it one message object at a time. No rclpy here: the
node injects the clock and the deserializer.

A message whose sequence is too short for a series' index gives that series no sample: it is
counted in ``errors`` and, while the topic's most recent message is such a one, the series'
status says which index and how many entries there were (``SeriesStats.missing``).
"""

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import replace
import math
import time
from typing import Any
from typing import cast
from typing import NamedTuple
from typing import Protocol

import numpy as np

from ros2_rtgraph.config import default_label
from ros2_rtgraph.config import SeriesConfig
from ros2_rtgraph.extract import describe_missing
from ros2_rtgraph.extract import SKIP
from ros2_rtgraph.extract import TopicExtractor
from ros2_rtgraph.fieldpath import FieldPath
from ros2_rtgraph.modifiers import chain
from ros2_rtgraph.msgtypes import has_header
from ros2_rtgraph.msgtypes import HEADER_STAMP
from ros2_rtgraph.pathsyntax import literal_text
from ros2_rtgraph.rawdecode import compile_decoder
from ros2_rtgraph.rawdecode import Decoder
from ros2_rtgraph.rawdecode import RawDecodeError
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.stats import SeriesStats
from ros2_rtgraph.stats import StatsBoard
from ros2_rtgraph.topics import TopicState

#: The message info of a message handed to a callback: none, so the receive time is now.
NO_INFO: dict = {}
#: ``(message, message info)`` pairs as ``take_message`` returns them; the message is bytes
#: for a writer with a decoder.
Taken = list[tuple[Any, dict]]
#: Turns serialized bytes into a message object of a class (rclpy's ``deserialize_message``).
Deserialize = Callable[[bytes, type], Any]


class TimeSource(Protocol):
    """Anything with rclpy's ``Clock.now()``."""

    def now(self) -> Any: ...  # rclpy.time.Time: ``.nanoseconds``


class Clock(TimeSource, Protocol):
    """What the writer needs of the node's clock (an rclpy ``ROSClock``): sim time or not."""

    @property
    def ros_time_is_active(self) -> bool: ...


def clock_seconds(clock: TimeSource) -> float:
    """Return a clock's now in seconds: the time base of receive times and ``server_time``."""
    return clock.now().nanoseconds * 1e-9


class Members(Protocol):
    """Where the members of a slice are added at run time (:class:`ros2_rtgraph.layout.Layout`)."""

    def add_member(self, parent: str, field: str, label: str) -> str | None: ...


class Ready(NamedTuple):
    """One series' samples of a batch, ready to append."""

    plan: 'SeriesPlan'
    times: Sequence[float] | np.ndarray
    values: Sequence[float] | np.ndarray
    nonfinite: int


class SeriesPlan:
    """Where one series' value sits in a topic's row and what to do with it."""

    __slots__ = ('series_id', 'column', 'scale', 'offset', 'stamped', 'stats', 'field',
                 'modify', 'filtered', 'expands', 'members', 'refused', 'config')

    def __init__(self, series: SeriesConfig, column: int, stamped: bool, stats: SeriesStats,
                 field: FieldPath, member_id: str | None = None):
        """
        Plan one series; with ``member_id``, the member of the slice ``series`` of that id.

        A member's ``field`` is its element's path (e.g. 'position[name=="elbow"]'); it reads
        the slice's column, and does not expand itself.
        """
        self.series_id = member_id or series.id
        self.column = column  # position of the series' value among the topic's paths
        self.scale = series.scale
        self.offset = series.offset
        self.stamped = stamped  # t from header.stamp (when non-zero), else receive time
        self.stats = stats
        self.field = field  # the series' field path, to say why a message had no value
        self.modify = chain(field.modifiers)  # numeric modifiers, with their state
        self.filtered = bool(field.filters)  # a message filter may turn messages away
        self.expands = member_id is None and field.expands  # a slice: elements to members
        self.config = series
        #: A slice's members: element key -> the member's plan; keys refused (max_series).
        self.members: dict[str | int, SeriesPlan] = {}
        self.refused: set[str | int] = set()


class TopicWriter:
    """Turn a batch of one topic's messages into samples in the rings (module docstring)."""

    def __init__(self, topic: TopicState, store: SampleStore, stats: StatsBoard, clock: Clock,
                 deserialize: Deserialize, *, serialized: bool, members: Members | None = None):
        """
        Compile the topic's batch work: one row per message, then one append per series.

        :param topic: a compiled topic (its type and readers known).
        :param store: the rings.
        :param stats: the per-series counters.
        :param clock: the node clock, for receive times under ``use_sim_time``.
        :param deserialize: bytes -> message, for what the decoder cannot read.
        :param serialized: read serialized messages where the fields' layout allows it
            (``raw`` then says so); else message objects.
        :param members: adds the members of slices (needed when a path expands).
        """
        msg_class = topic.msg_class
        assert msg_class is not None, f'{topic.name} is not compiled'
        #: The topic's message class as rclpy takes it (subscriptions, takes, deserializing).
        self.msg_type = cast(type, msg_class)
        self._serialized = serialized
        self._decoder: Decoder | None = None
        self._store = store
        self._stats = stats
        self._members = members
        self._clock = clock
        self._deserialize = deserialize
        self.recompile(topic)
        #: Whether :meth:`write` takes serialized bytes (subscribe with ``raw=writer.raw``).
        #: Fixed at construction: the subscription is made with it.
        self.raw = self._decoder is not None

    def recompile(self, topic: TopicState) -> None:
        """
        Take the topic's readers anew (its series changed at run time), on the writer's thread.

        Same type, same subscription: what :attr:`raw` said stays true; with a path the decoder
        cannot read, bytes are deserialized. The plans start over (modifiers' state included);
        slices keep their members (the layout knows them).
        """
        msg_class = topic.msg_class
        assert msg_class is not None, f'{topic.name} is not compiled'
        stats = self._stats
        paths = list(topic.paths)
        column = {path.text: i for i, path in enumerate(paths)}
        header = has_header(msg_class)
        self._plans = tuple(
            SeriesPlan(s, column[s.field], header and s.stamp == 'header', stats.series[s.id],
                       paths[column[s.field]])
            for s in topic.readers)
        self._header = any(plan.stamped for plan in self._plans)
        self._extractor = TopicExtractor(msg_class, paths, HEADER_STAMP if self._header else ())
        sources = self._extractor.sources
        self._decoder = compile_decoder(msg_class, sources) if self._serialized else None
        self._stamp_slots = (sources.index(HEADER_STAMP[0]), sources.index(HEADER_STAMP[1])) if (
            self._header) else (0, 0)

    def callback(self) -> Callable[[Any], None]:
        """Return a message callback for the standard executor: one message a batch."""
        write = self.write
        return lambda msg: write([(msg, NO_INFO)])

    def write(self, taken: Taken) -> None:
        """
        Append the samples of messages taken in one go, and count them per series.

        :param taken: ``(message, message info)`` pairs in arrival order; the message is bytes
            when :attr:`raw`; the info's ``received_timestamp`` is the receive time.
        """
        rows = self._rows(taken)
        values = self._extractor.values
        columns = rows if self._extractor.direct else [values(row) for row in rows]
        received = self._receive_times(taken)
        stamps = self._stamps(rows, received) if self._header else received
        now = time.monotonic()
        last = (rows[-1], taken[-1][0])  # to say why the latest message had no value
        by_path = list(zip(*columns, strict=True))  # the batch's values, path by path
        ready = []
        for plan in self._plans:
            times = stamps if plan.stamped else received
            if plan.expands:
                self._store_members(plan, times, by_path[plan.column], now)
            else:
                ready.append(self._prepare(plan, times, by_path[plan.column], last))
        self._append(ready, now)

    def _rows(self, taken: Taken) -> list[Sequence]:
        """Read every message into a row of its sources (the stamp's sec, nanosec among them)."""
        if self.raw:
            decode = self._row_from_bytes
            return [decode(msg) for msg, _ in taken]
        row = self._extractor.row
        return [row(msg) for msg, _ in taken]

    def _row_from_bytes(self, data: bytes) -> Sequence:
        if self._decoder is not None:
            try:
                return self._extractor.complete(self._decoder(data))
            except RawDecodeError:
                pass
        return self._extractor.row(self._deserialize(data, self.msg_type))

    def _receive_times(self, taken: Taken) -> list[float]:
        """
        Return when the middleware got each message (system time, like the node clock).

        Under ``use_sim_time``: the node clock instead, once per batch.
        """
        clock = self._clock
        if clock.ros_time_is_active:
            return [clock_seconds(clock)] * len(taken)
        return [(info.get('received_timestamp') or time.time_ns()) * 1e-9 for _, info in taken]

    def _stamps(self, rows: list[Sequence], received: list[float]) -> list[float]:
        """Return each message's header stamp, or its receive time where the stamp is zero."""
        sec, nanosec = self._stamp_slots
        return [row[sec] + row[nanosec] * 1e-9 if row[sec] or row[nanosec] else r
                for row, r in zip(rows, received, strict=True)]

    def _prepare(self, plan: SeriesPlan, times: Sequence[float] | np.ndarray, values: Sequence,
                 last: tuple[Sequence, Any] | None) -> 'Ready | None':
        """
        Make one series' values of the batch ready to append; count what has no value.

        :param last: the row and message of the topic's latest message, to say why it had no
            value; None for a member of a slice.
        :return: the times and values to append, None when there are none.
        """
        stats = plan.stats
        latest = values[-1]
        if plan.filtered and SKIP in values:  # messages a message filter turned away
            times, values = _without(SKIP, times, values)
        if None in values:  # no value in some messages: an index past the end, no such name
            if latest is None:
                stats.missing = (f'{plan.field.text}: no value' if last is None
                                 else self._explain(plan, *last))
            elif latest is not SKIP:
                stats.missing = ''
            count = len(values)
            times, values = _without(None, times, values)
            stats.errors += count - len(values)
        elif stats.missing and latest is not SKIP:
            stats.missing = ''
        if not values:
            return None
        scale, offset = plan.scale, plan.offset
        if plan.modify is not None:
            times, array = plan.modify(np.asarray(times, dtype=np.float64),
                                       np.asarray(values, dtype=np.float64))
            if scale != 1.0 or offset != 0.0:
                array = array * scale + offset
            if not len(array):
                return None
            return Ready(plan, times, array, int(np.count_nonzero(~np.isfinite(array))))
        # Ints and bools as read go into the float rings as they are.
        if scale != 1.0 or offset != 0.0:
            values = [v * scale + offset for v in values]
        total = sum(values)  # finite only if every value is (or to count exactly)
        nonfinite = 0 if total - total == 0.0 else sum(
            1 for v in values if not math.isfinite(v))
        return Ready(plan, times, values, nonfinite)

    def _append(self, ready: Sequence['Ready | None'], now: float) -> None:
        """
        Append the series' values and bump their counters.

        Series taken at the same times (the same list) are appended together: one store call
        for all their rings.
        """
        groups: dict[int, list[Ready]] = {}
        for one in ready:
            if one is not None:
                groups.setdefault(id(one.times), []).append(one)
        for group in groups.values():
            times = group[0].times
            self._store.append_columns([one.plan.series_id for one in group], times,
                                       [one.values for one in group])
            count = len(times)
            for one in group:
                stats = one.plan.stats
                stats.samples += count
                stats.nonfinite += one.nonfinite
                stats.last_receive = now
                if stats.state == 'waiting':
                    stats.state = 'ok'

    def _store_members(self, plan: SeriesPlan, times: Sequence[float], slices: Sequence,
                       now: float) -> None:
        """Append the elements of a slice to one series per element, adding series as needed."""
        batches: dict[str | int, tuple[list[float], list]] = {}
        for t, elements in zip(times, slices, strict=True):
            if elements is SKIP:
                continue
            for key, value in elements:
                batch = batches.get(key)
                if batch is None:
                    batch = batches[key] = ([], [])
                batch[0].append(t)
                batch[1].append(value)
        # New elements become series in their order (names sorted), not in the batch's.
        for key in sorted((k for k in batches if k not in plan.members), key=_element_order):
            self._add_member(plan, key)
        ready = []
        for key, (member_times, values) in batches.items():
            member = plan.members.get(key)
            if member is not None:
                # In every message: the batch's times, so it is appended with the others.
                ready.append(self._prepare(member, times if len(member_times) == len(times)
                                           else member_times, values, None))
        self._append(ready, now)
        if plan.members and plan.stats.state == 'waiting':
            plan.stats.state = 'ok'

    def _add_member(self, plan: SeriesPlan, key: str | int) -> 'SeriesPlan | None':
        """Make the series of a new element of a slice (None past ``max_series``)."""
        if key in plan.refused or self._members is None:
            return None
        field, label = member_field(plan.field, plan.config, key)
        member_id = self._members.add_member(plan.series_id, field, label)
        if member_id is None:
            plan.refused.add(key)
            count = len(plan.refused)
            plan.stats.missing = (f'max_series reached: {count} element'
                                  f"{'s' if count > 1 else ''} not charted")
            return None
        member = SeriesPlan(plan.config, plan.column, plan.stamped,
                            self._stats.series[member_id], replace(plan.field, text=field),
                            member_id)
        plan.members[key] = member
        return member

    def _explain(self, plan: SeriesPlan, row: Sequence, msg: Any) -> str:
        """Say why the topic's most recent message had no value for a series (cold path)."""
        if not plan.field.plain:
            return self._extractor.getters[plan.column].explain(row)
        if self.raw:
            msg = self._deserialize(msg, self.msg_type)
        return describe_missing(msg, plan.field)


def _without(dropped: object, times: Sequence[float] | np.ndarray,
             values: Sequence) -> tuple[list[float], list]:
    """Return the times and values of the samples whose value is not ``dropped``."""
    kept = [(t, v) for t, v in zip(times, values, strict=True) if v is not dropped]
    return [t for t, _ in kept], [v for _, v in kept]


def _element_order(key: str | int) -> tuple[int, int, str]:
    """Sort indexes by number, before names by text."""
    return (0, key, '') if isinstance(key, int) else (1, 0, key)


def member_field(path: FieldPath, series: SeriesConfig, key: str | int) -> tuple[str, str]:
    """
    Return the field path and label of one element of a slice.

    E.g. for 'position[:]' of /joint_states and the joint 'elbow': 'position[name=="elbow"]'
    and '/joint_states position elbow'; for 'ranges[0:9]' and index 3: 'ranges[3]' and
    '/scan ranges[3]'. A label the YAML gave the slice is kept as the prefix.
    """
    slice_step = path.expanding_slice
    assert slice_step is not None, f'{path.text} does not expand'
    before = path.text[:slice_step.span[0]]
    after = path.text[slice_step.span[1]:]
    if isinstance(key, str):
        field = f'{before}[{path.labels}=={literal_text(key)}]{after}'
        shown = f'{before}{after} {key}' if after else f'{before} {key}'
    else:
        field = f'{before}[{key}]{after}'
        shown = field
    default = series.label == default_label(series.topic, series.field)
    prefix = series.topic if default else series.label
    return field, f'{prefix} {shown}'
