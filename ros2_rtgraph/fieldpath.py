# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Field paths such as 'linear_acceleration.x' or 'position[2]', checked and compiled once.

A path is parsed and checked against the message class at start-up, once, so that a typo fails
with a message that points at it; the :class:`FieldPath` it gives is what everything else
compiles from (the accessors here, the CDR decoder in rawdecode.py). Per message only the
compiled accessors run: one ``operator.attrgetter`` per dotted chain and one
``operator.itemgetter`` per index, no string work. How message classes spell their fields is
msgtypes.py's business.
"""

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from operator import itemgetter
import re
from typing import Any

from ros2_rtgraph.msgtypes import ArrayType
from ros2_rtgraph.msgtypes import container
from ros2_rtgraph.msgtypes import element_class
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import nested_class
from ros2_rtgraph.msgtypes import type_name

#: One step of a path: a field name or an index (negative from the end).
Segment = str | int

_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
_INDEX = re.compile(r'\[(-?[0-9]{1,9})\]')
_INDEX_START = re.compile(r'\[-?[0-9]*')
_WHITESPACE = re.compile(r'\s')
_NUMERIC = frozenset({
    'boolean', 'octet', 'float', 'double', 'long double',
    'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
})


class FieldPathError(ValueError):
    """
    Raised when a field path does not parse or does not fit the message type.

    ``str()`` shows the reason, then the path with a caret under the failing position, like
    rclpy's NameValidationException.
    """

    def __init__(self, message: str, *, path: str, position: int):
        super().__init__(f'{message}\n  {path}\n  {" " * position}^')
        self.message = message
        self.path = path
        self.position = position


def _tokenize(path: str) -> list[tuple[Segment, int, int]]:
    """Split a path into (segment, start, end) with the segment's character span."""
    def fail(reason: str, position: int) -> FieldPathError:
        return FieldPathError(f'invalid field path: {reason}', path=path, position=position)

    if not path:
        raise fail('the path is empty', 0)
    space = _WHITESPACE.search(path)
    if space:
        raise fail('whitespace is not allowed', space.start())
    tokens: list[tuple[Segment, int, int]] = []
    pos = 0
    while pos < len(path):
        if path[pos] == '[':
            match = _INDEX.match(path, pos)
            if match is None:
                opened = _INDEX_START.match(path, pos)
                assert opened is not None  # it needs no more than the '[' at pos
                bad = opened.end()
                if bad == len(path):
                    raise fail("missing ']'", bad)
                if path[bad] == ']':
                    raise fail('an index is an integer of at most 9 digits, e.g. [0] or [-1]', pos)
                raise fail(f"unexpected '{path[bad]}' in an index", bad)
            tokens.append((int(match[1]), pos, match.end()))
            pos = match.end()
            continue
        if tokens:
            if path[pos] != '.':
                raise fail(f"unexpected '{path[pos]}': expected '.' or '['", pos)
            pos += 1
        match = _NAME.match(path, pos)
        if match is None:
            if pos == len(path) or path[pos] in '.[':
                raise fail('empty segment', pos)
            raise fail("a field name is letters, digits and '_', not starting with a digit", pos)
        tokens.append((match[0], pos, match.end()))
        pos = match.end()
    return tokens


@dataclass(frozen=True)
class FieldPath:
    """
    A field path checked against a message class: parsed once, compiled from by the consumers.

    E.g. 'poses[2].position.x' is ``FieldPath('poses[2].position.x', ('poses', 2, 'position',
    'x'), ((0, 5), (5, 8), (9, 17), (18, 19)), 'double')``.
    """

    text: str                          # the path as written
    segments: tuple[Segment, ...]      # field names and indexes, in order
    spans: tuple[tuple[int, int], ...]  # each segment's text[start:end], brackets included
    leaf: str                          # the leaf's type string: 'double', 'boolean', 'int32', ...


def _mismatch(path: str, start: int, end: int, reason: str) -> FieldPathError:
    """Return the error for the segment at path[start:end], quoting the path up to it."""
    return FieldPathError(f"'{path[:end]}': {reason}", path=path, position=start)


def _fields(msg_class: MessageClass) -> str:
    names = ', '.join(msg_class.get_fields_and_field_types())
    return f'(fields: {names})' if names else '(no fields)'


def check_path(msg_class: MessageClass, path: str) -> FieldPath:
    """
    Parse a path and check that it leads to one number or bool in messages of a class.

    Fixed-size array indexes (and bounded sequence ones) are checked here; indexes into
    sequences can only be checked per message.

    :param msg_class: a generated message class, e.g. ``sensor_msgs.msg.Imu``
    :param path: a field path, e.g. 'linear_acceleration.x', 'position[2]'
    :return: the parsed path and its leaf's type, e.g. 'double'
    :raise FieldPathError: for a path that does not parse (a caret under the first character
        that does not fit), else naming the failing segment, the type there and its fields
    """
    tokens = _tokenize(path)  # all of it first: a syntax error wins over a type error
    current: MessageClass | None = msg_class  # the message class at this point, None past one
    shown = type_name(msg_class)  # the type at this point: a message name or a field type string
    slot: object = None  # the field's SLOT_TYPES entry, which leads to nested classes
    for segment, start, end in tokens:
        split = None if current is not None else container(shown)  # an array or sequence
        if isinstance(segment, str):
            if current is None:
                hint = '' if split is None else f"; index it first, e.g. '{path[:start - 1]}[0]'"
                raise _mismatch(path, start, end, f'{shown} has no fields{hint}')
            fields = current.get_fields_and_field_types()
            if segment not in fields:
                raise _mismatch(
                    path, start, end, f"{shown} has no field '{segment}' {_fields(current)}")
            shown = fields[segment]
            slot = current.SLOT_TYPES[list(fields).index(segment)]
            current = nested_class(slot)
        elif current is not None:
            raise _mismatch(
                path, start, end, f'{shown} is a message, it cannot be indexed {_fields(current)}')
        elif split is None:
            raise _mismatch(path, start, end, f'{shown} is not an array, it cannot be indexed')
        else:
            if split.size is not None and not -split.size <= segment < split.size:
                raise _mismatch(path, start, end, f'index {segment} is out of range for {shown}')
            shown = split.element
            current = element_class(slot)
        if current is not None:
            shown = type_name(current)
    if current is not None:
        raise _mismatch(
            path, start, end, f'{shown} is a message, not a number {_fields(current)}')
    if (split := container(shown)) is not None:
        kind = 'an array' if isinstance(split, ArrayType) else 'a sequence'
        raise _mismatch(
            path, start, end, f"{shown} is {kind}; pick one element, e.g. '{path}[0]'")
    if shown not in _NUMERIC:
        raise _mismatch(
            path, start, end,
            f'{shown} is not a number (only numeric and boolean fields can be charted)')
    return FieldPath(path, tuple(segment for segment, _, _ in tokens),
                     tuple((start, end) for _, start, end in tokens), shown)


def describe_missing(msg: Any, path: FieldPath) -> str:
    """
    Say why a message has no value at ``path``: which index is past the end of which sequence.

    The cold path: called once per batch (or message) whose most recent message missed the
    value, for the series' status, e.g. ``position[5]: index out of range (JointState.position
    has 2 entries)``.

    :param msg: the message object (deserialize serialized ones first).
    :param path: a path checked against the message's type.
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


def _octet_to_float(value: bytes) -> float:
    return float(ord(value))


def _accessor(segments: Sequence[Segment], convert: Callable[[Any], float]) -> Callable:
    """Compile checked segments into one callable: message -> float, or None past the end."""
    # One attrgetter per run of names, one itemgetter per index.
    steps: list[Callable[[Any], Any]] = []
    names: list[str] = []
    for segment in segments:
        if isinstance(segment, str):
            names.append(segment)
            continue
        if names:
            steps.append(attrgetter('.'.join(names)))
            names = []
        steps.append(itemgetter(segment))
    if names:
        steps.append(attrgetter('.'.join(names)))
    if len(steps) == 1:  # a checked path with one step has no index: it cannot miss
        get = steps[0]
        return lambda msg: convert(get(msg))

    def get_indexed(msg: object) -> float | None:
        value = msg
        try:
            for step in steps:
                value = step(value)
        except IndexError:  # a sequence shorter than this message's index
            return None
        return convert(value)
    return get_indexed


class TopicExtractor:
    """All fields one topic's series read, compiled once against the message class."""

    def __init__(self, msg_class: MessageClass, paths: Sequence[FieldPath]):
        """
        Compile the accessor of every path.

        :param msg_class: the topic's generated message class
        :param paths: one path per series, checked against ``msg_class`` with :func:`check_path`
        """
        self.msg_class = msg_class
        self.paths = tuple(paths)
        self._getters = tuple(
            _accessor(path.segments, _octet_to_float if path.leaf == 'octet' else float)
            for path in self.paths)

    def __call__(self, msg: object) -> list[float | None]:
        """
        Read every path from one message; never raises for a message of the compiled class.

        :return: one value per path, bools as 0.0/1.0; None where an index is past the end
        """
        return [get(msg) for get in self._getters]
