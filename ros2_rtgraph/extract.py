# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Reading checked field paths out of messages: a row of sources per message, a value per path.

Every path of a topic names the fixed fields it needs, its *sources*: the field itself for a
plain path ('linear_acceleration.x'), the whole sequence and its sibling names for
'position[name=="elbow"]', the components for 'orientation.@yaw', the fields a message filter
tests. A message is read once into a *row*, the value of each distinct source (by the CDR
decoder from the bytes, or by attribute getters from a message object), and each path's
:class:`PathGetter` then takes what it needs from the row. So 30 joints by name cost one read
of ``name`` and ``position`` per message, one name -> index table, and 30 dictionary lookups.

A getter gives a number (ints, floats and bools as read), None when this message has no value
(an index past the end, a name not in the names, no element passing a filter, text that is no
number: :meth:`PathGetter.explain` says which, from the same row), :data:`SKIP` when a message
filter turned the message away, or, for a slice, ``[(key, value or None), ...]`` with one
entry per element (the key is the element's name where a sibling sequence has names, else its
index).
"""

from collections.abc import Callable
from collections.abc import Sequence
import operator
from operator import attrgetter
from operator import itemgetter
from typing import Any

from ros2_rtgraph.fieldpath import FieldPath
from ros2_rtgraph.modifiers import Reducer
from ros2_rtgraph.modifiers import REDUCERS
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.pathsyntax import Condition
from ros2_rtgraph.pathsyntax import Literal
from ros2_rtgraph.pathsyntax import literal_text
from ros2_rtgraph.pathsyntax import Segment
from ros2_rtgraph.pathsyntax import Step

#: A fixed field of a message: names and indexes from the message.
Source = tuple[Segment, ...]
#: A slice's values in one message: (name or index, value or None) per element.
Elements = list[tuple[str | int, Any]]
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    '==': operator.eq, '!=': operator.ne, '<': operator.lt, '<=': operator.le,
    '>': operator.gt, '>=': operator.ge,
}
_SHOWN_TEXT = 40  # characters of a text quoted in a status


class _Skip:
    """The type of :data:`SKIP`."""

    def __repr__(self) -> str:
        return 'SKIP'


#: A message filter turned this message away: no sample, and nothing wrong.
SKIP = _Skip()


class _MissError(Exception):
    """This message has no value at the path; the argument says why."""


def _fixed_reducer(path: FieldPath) -> Reducer | None:
    """Return the reducer right on the fixed part, if that is all the tail is."""
    tail = path.tail
    if len(tail) == 1 and tail[0].kind == 'modifier':
        return REDUCERS.get(tail[0].name)
    return None


def sources_of(path: FieldPath) -> list[Source]:
    """Return the fixed fields a path reads, in the order its getter takes them."""
    sources = [condition.field for condition in path.filters]
    reducer = _fixed_reducer(path)
    if reducer is not None:
        # A reducer right on a fixed message: its components are fixed fields too.
        sources += [(*path.segments, c) for c in reducer.components]
    else:
        sources.append(path.segments)
    if path.sibling:
        sources.append(_sibling_source(path))
    return sources


def _sibling_source(path: FieldPath) -> Source:
    """Return the sibling sequence of the container the fixed part ends at."""
    return path.segments[:-1] + (path.sibling,)


def _to_number(path: FieldPath) -> Callable[[Any], Any]:
    """Return the leaf's conversion: text to a float, an octet's byte to its value."""
    if path.reads_text:
        return _parse_number
    if path.leaf in ('octet', 'byte', 'char'):
        return _octet_to_float
    return lambda value: value


def _parse_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        shown = text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + '…'
        raise _MissError(f'not a number: "{shown}"') from None


def _python_stop(stop: int | None) -> int | None:
    """Foxglove's inclusive slice end as Python's exclusive one."""
    return None if stop is None or stop == -1 else stop + 1


def _missing_name(sibling: str, value: Literal) -> str:
    noun = 'joint ' if sibling == 'name' or sibling.endswith('joint_names') else ''
    return f'no {noun}{literal_text(value)} in {sibling}[]'


def _name_table(names: Sequence) -> dict[Any, int]:
    """Return where each name is in a sibling array (a repeated name: its last place)."""
    return dict(zip(names, range(len(names)), strict=True))


def _named(values: Sequence, table: dict[Any, int], wanted: Literal, reason: str) -> Any:
    """Return the element of ``values`` at the place of ``wanted`` in the name table."""
    index = table.get(wanted)
    if index is None or index >= len(values):
        raise _MissError(reason)
    return values[index]


def _comparable(value: Any) -> Any:
    """Return a field's value as conditions compare it: an octet (bytes) as its number."""
    return value[0] if isinstance(value, bytes) and len(value) == 1 else value


def _passes(conditions: Sequence[Condition], element: Any) -> bool:
    """Tell whether an element passes every condition (one past an array's end does not)."""
    for condition in conditions:
        value: Any = element
        try:
            for segment in condition.field:
                value = getattr(value, segment) if isinstance(segment, str) else value[segment]
        except IndexError:
            return False
        if not _COMPARE[condition.op](_comparable(value), condition.value):
            return False
    return True


class PathGetter:
    """One path compiled against the slots of its sources in a topic's row."""

    def __init__(self, path: FieldPath, slots: Sequence[int]):
        """
        Compile the path.

        :param path: a checked path.
        :param slots: where each of ``sources_of(path)`` sits in the row.
        """
        self.path = path
        self._filters = [(itemgetter(slot), _COMPARE[c.op], c.value)
                         for c, slot in zip(path.filters, slots, strict=False)]
        rest = list(slots[len(path.filters):])
        self._sibling = rest.pop() if path.sibling else None
        self._main = rest
        self._convert = _to_number(path)
        self._get = self._compile()

    def __call__(self, row: Sequence) -> Any:
        """Return the path's value in one message's row (module docstring)."""
        for get, compare, value in self._filters:
            field = get(row)  # None: an index past the end of this message's array
            if field is None or not compare(_comparable(field), value):
                return SKIP
        try:
            return self._get(row)
        except _MissError:
            return None
        except Exception:  # noqa: BLE001 a message no check foresaw: no value, and explain says
            return None

    def explain(self, row: Sequence) -> str:
        """Say why the message of this row has no value at the path (the cold path)."""
        try:
            self._get(row)
        except _MissError as miss:
            return f'{self.path.text}: {miss.args[0]}'
        except Exception as error:  # noqa: BLE001 said in the series' status, the rest flows
            return f'{self.path.text}: cannot be read ({type(error).__name__}: {error})'
        return f'{self.path.text}: no value'

    def _compile(self) -> Callable[[Sequence], Any]:
        path, convert = self.path, self._convert
        tail = path.tail
        reducer = _fixed_reducer(path)
        if reducer is not None:
            reduce = reducer.reduce
            components = itemgetter(*self._main)

            def reduced(row: Sequence) -> float:
                values = components(row)
                if None in values:  # an index past the end of a sequence on the way
                    raise _MissError('index out of range')
                return reduce(*values)
            return reduced
        main = self._main[0]
        if not tail:
            if path.plain:
                get = itemgetter(main)

                def plain(row: Sequence) -> Any:
                    value = get(row)
                    if value is None:  # an index past the end of this message's sequence
                        raise _MissError('index out of range')
                    return value
                return plain
            return lambda row: convert(row[main])
        sibling = self._sibling
        first, rest = tail[0], tail[1:]
        if first.kind == 'lookup' and sibling is not None:
            return self._lookup(main, sibling, first, rest)
        if first.kind == 'slice' and (not rest or rest[0].kind != 'filter'):
            return self._slice(main, sibling, first, rest)
        return lambda row: self._walk(row[main], tail)

    def _lookup(self, main: int, sibling: int, step: Step, rest: tuple[Step, ...]) -> Callable:
        """Pick the element where the sibling names hold the value: one table per message."""
        wanted, convert = step.value, self._convert
        reason = _missing_name(step.name, wanted)

        def lookup(row: Sequence) -> Any:
            # The row holds the names as their _name_table.
            value = _named(row[main], row[sibling], wanted, reason)
            return self._walk(value, rest) if rest else convert(value)
        return lookup

    def _slice(self, main: int, sibling: int | None, step: Step,
               rest: tuple[Step, ...]) -> Callable:
        """Give one entry per element of the slice, keyed by its name or index."""
        window = slice(step.start, _python_stop(step.stop))
        elements = self._elements

        def expand(row: Sequence) -> Elements:
            values = row[main]
            # The names in order sit after their table.
            names = row[sibling + 1] if sibling is not None else ()
            return elements(values, names, range(len(values))[window], rest)
        return expand

    def _walk(self, value: Any, steps: Sequence[Step]) -> Any:
        """Follow the steps past the fixed part on message objects (the general case)."""
        if value is None:  # an index past the end of a sequence in the fixed part
            raise _MissError('index out of range')
        parent = None
        for number, step in enumerate(steps):
            kind = step.kind
            if kind == 'name':
                parent, value = value, getattr(value, step.name)
            elif kind == 'index':
                if not -len(value) <= step.index < len(value):
                    raise _MissError(f'index {step.index} out of range ({len(value)} entries)')
                parent, value = None, value[step.index]
            elif kind == 'lookup':
                table = _name_table(getattr(parent, step.name))
                parent, value = None, _named(value, table, step.value,
                                             _missing_name(step.name, step.value))
            elif kind == 'slice':
                chosen = range(len(value))[slice(step.start, _python_stop(step.stop))]
                after = steps[number + 1] if number + 1 < len(steps) else None
                if after is None or after.kind != 'filter':  # one entry per element
                    labels = self.path.labels
                    names = getattr(parent, labels) if labels and parent is not None else ()
                    return self._elements(value, names, chosen, steps[number + 1:])
                conditions = after.conditions
                match = next((i for i in chosen if _passes(conditions, value[i])), None)
                if match is None:
                    shown = ' and '.join(c.text() for c in conditions)
                    raise _MissError(f'no element with {shown}')
                parent, value = None, value[match]
            elif kind == 'modifier':
                reducer = REDUCERS.get(step.name)
                if reducer is not None:
                    value = reducer.reduce(*(getattr(value, c) for c in reducer.components))
            # a filter was applied by the slice before it
        return self._convert(value)

    def _elements(self, values: Any, names: Sequence, chosen: range,
                  rest: Sequence[Step]) -> Elements:
        """Give each chosen element's value, keyed by its name (where there is one) or index."""
        walk, convert = self._walk, self._convert
        elements: Elements = []
        for index in chosen:
            try:
                value = walk(values[index], rest) if rest else convert(values[index])
            except _MissError:
                value = None
            elements.append((names[index] if index < len(names) else index, value))
        return elements


def _octet_to_float(value: Any) -> float:
    return float(value if isinstance(value, int) else ord(value))


def _accessor(source: Source, convert: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """Compile a fixed field into one callable: message -> value, or None past the end."""
    # One attrgetter per run of names, one itemgetter per index.
    steps: list[Callable[[Any], Any]] = []
    names: list[str] = []
    for segment in source:
        if isinstance(segment, str):
            names.append(segment)
            continue
        if names:
            steps.append(attrgetter('.'.join(names)))
            names = []
        steps.append(itemgetter(segment))
    if names:
        steps.append(attrgetter('.'.join(names)))
    if len(steps) == 1:  # no index: it cannot miss
        get = steps[0]
        return get if convert is None else lambda msg: convert(get(msg))

    def get_indexed(msg: object) -> Any:
        value = msg
        try:
            for step in steps:
                value = step(value)
        except IndexError:  # a sequence shorter than this message's index
            return None
        return value if convert is None else convert(value)
    return get_indexed


class TopicExtractor:
    """All fields one topic's series read, compiled once: rows of sources, then values."""

    def __init__(self, msg_class: MessageClass, paths: Sequence[FieldPath],
                 extra: Sequence[Source] = ()):
        """
        Compile the sources and getters of every path.

        :param msg_class: the topic's generated message class.
        :param paths: the distinct paths of its series, checked against ``msg_class``.
        :param extra: more fixed fields to read into each row after the paths' sources (the
            header stamp).
        """
        self.msg_class = msg_class
        self.paths = tuple(paths)
        sources: dict[Source, None] = {}
        for path in self.paths:
            sources.update(dict.fromkeys(sources_of(path)))
        sources.update(dict.fromkeys(extra))
        #: The distinct fixed fields a row holds, in order (the decoder reads the same).
        self.sources: tuple[Source, ...] = tuple(sources)
        # The leaves of plain paths are read as floats; other sources as the message has them.
        leaves = {p.segments: _octet_to_float if p.leaf in ('octet', 'byte', 'char') else float
                  for p in self.paths if p.plain}
        self._accessors = tuple(_accessor(s, leaves.get(s)) for s in self.sources)
        slot = {s: i for i, s in enumerate(self.sources)}
        # Sibling names become a {name: index} table, then the names in order, at the end.
        tables = list(dict.fromkeys(
            slot[_sibling_source(p)] for p in self.paths if p.sibling))
        self._tables = tables
        # Per table: the last table made and the names list it was made from.
        self._kept: list[list[Any]] = [[{}, None] for _ in tables]
        table_slot = {source: len(self.sources) + 2 * n for n, source in enumerate(tables)}
        getters = []
        for path in self.paths:
            slots = [slot[source] for source in sources_of(path)]
            if path.sibling:  # its sibling is last: the getter reads the table instead
                slots[-1] = table_slot[slots[-1]]
            getters.append(PathGetter(path, slots))
        self.getters = tuple(getters)
        #: Whether each row is already the paths' values (plain paths, one source each).
        self.direct = all(p.plain for p in self.paths) and [
            slot[p.segments] for p in self.paths] == list(range(len(self.paths)))

    def row(self, msg: object) -> Sequence:
        """Read a message object into a row of its sources."""
        return self.complete([get(msg) for get in self._accessors])

    def complete(self, row: Sequence) -> Sequence:
        """Add the name tables lookups use to a row of sources (from the decoder or ``row``)."""
        if not self._tables:
            return row
        row = list(row)
        for number, source in enumerate(self._tables):
            names = row[source]
            kept = self._kept[number]
            if kept[1] is not names:  # the decoder hands the same list for the same names
                kept[:] = [_name_table(names), names]
            row += kept
        return row

    def values(self, row: Sequence) -> Sequence:
        """Return one value per path (module docstring) from a row."""
        if self.direct:
            return row
        return [get(row) for get in self.getters]

    def __call__(self, msg: object) -> Sequence:
        """Read every path from one message object: one value per path."""
        return self.values(self.row(msg))


def describe_missing(msg: Any, path: FieldPath) -> str:
    """
    Say why a message has no value at a plain path: which index is past which sequence's end.

    The cold path: called once per batch (or message) whose most recent message missed the
    value, for the series' status, e.g. ``position[5]: index out of range (JointState.position
    has 2 entries)``.

    :param msg: the message object (deserialize serialized ones first).
    :param path: a plain path checked against the message's type.
    :return: the reason, without the ``error:`` prefix.
    """
    value, where = msg, type(msg).__name__
    for segment in path.segments:
        if isinstance(segment, str):
            value, where = getattr(value, segment), f'{where}.{segment}'
            continue
        count = len(value)
        if not -count <= segment < count:
            entries = 'entry' if count == 1 else 'entries'
            return f'{path.text}: index out of range ({where} has {count} {entries})'
        value, where = value[segment], f'{where}[{segment}]'
    return f'{path.text}: no value'
