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
import math
import time
from typing import Any
from typing import cast
from typing import NamedTuple
from typing import Protocol

from ros2_rtgraph.fieldpath import describe_missing
from ros2_rtgraph.fieldpath import FieldPath
from ros2_rtgraph.fieldpath import TopicExtractor
from ros2_rtgraph.msgtypes import has_header
from ros2_rtgraph.msgtypes import HEADER_STAMP
from ros2_rtgraph.rawdecode import compile_decoder
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


class SeriesPlan(NamedTuple):
    """Where one series' value sits in a topic's row and what to do with it."""

    series_id: str
    column: int         # position of the series' field in the row
    scale: float
    offset: float
    stamped: bool       # t from header.stamp (when non-zero), else receive time
    stats: SeriesStats
    field: FieldPath    # the series' field path, to say why a message had no value


class TopicWriter:
    """Turn a batch of one topic's messages into samples in the rings (module docstring)."""

    def __init__(self, topic: TopicState, store: SampleStore, stats: StatsBoard, clock: Clock,
                 deserialize: Deserialize, *, serialized: bool):
        """
        Compile the topic's batch work: one row per message, then one append per series.

        :param topic: a compiled topic (its type and readers known).
        :param store: the rings.
        :param stats: the per-series counters.
        :param clock: the node clock, for receive times under ``use_sim_time``.
        :param deserialize: bytes -> message, for what the decoder cannot read.
        :param serialized: read serialized messages where the fields' layout allows it
            (``raw`` then says so); else message objects.
        """
        msg_class = topic.msg_class
        assert msg_class is not None, f'{topic.name} is not compiled'
        paths = list(topic.paths)
        column = {path.text: i for i, path in enumerate(paths)}
        header = has_header(msg_class)
        self._plans = tuple(
            SeriesPlan(s.id, column[s.field], s.scale, s.offset,
                       header and s.stamp == 'header', stats.series[s.id], paths[column[s.field]])
            for s in topic.readers)
        self._header = any(plan.stamped for plan in self._plans)
        self._decoder = compile_decoder(
            msg_class,
            [*(path.segments for path in paths), *(HEADER_STAMP if self._header else ())]
        ) if serialized else None
        #: The topic's message class as rclpy takes it (subscriptions, takes, deserializing).
        self.msg_type = cast(type, msg_class)
        #: Whether :meth:`write` takes serialized bytes (subscribe with ``raw=writer.raw``).
        self.raw = self._decoder is not None
        self._extractor = TopicExtractor(msg_class, paths)
        self._fields = len(paths)
        self._store = store
        self._clock = clock
        self._deserialize = deserialize

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
        received = self._receive_times(taken)
        stamps = self._stamps(rows, received) if self._header else received
        now = time.monotonic()
        for plan in self._plans:
            self._store_series(plan, stamps if plan.stamped else received, rows, taken, now)

    def _rows(self, taken: Taken) -> list[Sequence]:
        """Read every message into a row: the fields, then the stamp's sec, nanosec if any."""
        if self.raw:
            decode = self._row_from_bytes
            return [decode(msg) for msg, _ in taken]
        row = self._row
        return [row(msg) for msg, _ in taken]

    def _row(self, msg: Any) -> Sequence:
        row = self._extractor(msg)
        if self._header:
            stamp = msg.header.stamp
            row += (stamp.sec, stamp.nanosec)
        return row

    def _row_from_bytes(self, data: bytes) -> Sequence:
        assert self._decoder is not None
        try:
            return self._decoder(data)
        except RawDecodeError:
            return self._row(self._deserialize(data, self.msg_type))

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
        sec, nanosec = self._fields, self._fields + 1
        return [row[sec] + row[nanosec] * 1e-9 if row[sec] or row[nanosec] else r
                for row, r in zip(rows, received, strict=True)]

    def _store_series(self, plan: SeriesPlan, times: list[float], rows: list[Sequence],
                      taken: Taken, now: float) -> None:
        """Append one series' values of the batch and bump its counters once."""
        stats, column = plan.stats, plan.column
        values = [row[column] for row in rows]
        if None in values:  # an index past the end of this message's sequence
            stats.missing = self._describe_missing(taken[-1][0], plan.field) if (
                values[-1] is None) else ''
            kept = [(t, v) for t, v in zip(times, values, strict=True) if v is not None]
            stats.errors += len(values) - len(kept)
            if not kept:
                return
            times = [t for t, _ in kept]
            values = [v for _, v in kept]
        elif stats.missing:
            stats.missing = ''
        scale, offset = plan.scale, plan.offset
        if scale != 1.0 or offset != 0.0:
            values = [v * scale + offset for v in values]
        else:
            values = [float(v) for v in values]
        if len(values) == 1:
            self._store.append(plan.series_id, times[0], values[0])
        else:
            self._store.append_many(plan.series_id, times, values)
        stats.samples += len(values)
        stats.nonfinite += sum(1 for v in values if not math.isfinite(v))
        stats.last_receive = now
        if stats.state == 'waiting':
            stats.state = 'ok'

    def _describe_missing(self, msg: Any, path: FieldPath) -> str:
        if self.raw:
            msg = self._deserialize(msg, self.msg_type)
        return describe_missing(msg, path)
