# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Field paths checked against a message class, once, before anything is subscribed.

E.g. 'linear_acceleration.x', 'position[2]', 'position[name=="elbow"]',
'transforms[:]{child_frame_id=="base"}.transform.translation.x'. The grammar is pathsyntax.py's;
here every step is checked against the type at start-up (or when the type is discovered), so
that a typo fails with a caret under it and what the type offers there. The :class:`FieldPath`
it gives is what the readers compile from (extract.py, and the CDR decoder in rawdecode.py for
the fixed part). How message classes spell their fields is msgtypes.py's business.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ros2_rtgraph.modifiers import ALL
from ros2_rtgraph.modifiers import NUMBER
from ros2_rtgraph.modifiers import NUMERIC
from ros2_rtgraph.modifiers import REDUCERS
from ros2_rtgraph.msgtypes import ArrayType
from ros2_rtgraph.msgtypes import container
from ros2_rtgraph.msgtypes import element_class
from ros2_rtgraph.msgtypes import is_string
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import nested_class
from ros2_rtgraph.msgtypes import type_name
from ros2_rtgraph.pathsyntax import Condition
from ros2_rtgraph.pathsyntax import expanding_slice
from ros2_rtgraph.pathsyntax import FieldPathError
from ros2_rtgraph.pathsyntax import join
from ros2_rtgraph.pathsyntax import Literal
from ros2_rtgraph.pathsyntax import literal_text
from ros2_rtgraph.pathsyntax import parse_steps
from ros2_rtgraph.pathsyntax import Segment
from ros2_rtgraph.pathsyntax import Step

#: The field types that chart as they are (booleans as 0 and 1).
NUMERIC_TYPES = frozenset({
    'boolean', 'octet', 'float', 'double', 'long double', 'char', 'byte',
    'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
})
_FOLLOWS_SLICE = ('name', 'index', 'filter', 'modifier')


@dataclass(frozen=True)
class FieldPath:
    """
    A field path checked against a message class: parsed once, compiled from by the consumers.

    The path is a fixed part from the message (``segments``: names and indexes, which the CDR
    decoder reads straight from the bytes), then what needs the values at hand (``tail``:
    lookups, slices, filters, and names, indexes and reducers past them), then the numeric
    modifiers applied per batch. E.g. 'poses[2].position.x' is ``FieldPath('poses[2].position.x',
    ('poses', 2, 'position', 'x'), ((0, 5), (5, 8), (9, 17), (18, 19)), 'double')``, and
    'position[name=="elbow"].@rad2deg' has the segments ``('position',)``, a lookup step in its
    tail, the sibling 'name' and the modifiers ``('rad2deg',)``.
    """

    text: str                          # the path as written
    segments: tuple[Segment, ...]      # the fixed part: field names and indexes, in order
    spans: tuple[tuple[int, int], ...]  # each segment's text[start:end], brackets included
    leaf: str                          # the leaf's type string: 'double', 'boolean', 'string', ...
    tail: tuple[Step, ...] = ()        # the checked steps past the fixed part
    filters: tuple[Condition, ...] = ()  # message filters: a message that fails gives no sample
    modifiers: tuple[str, ...] = ()    # numeric modifiers, left to right
    sibling: str = ''                  # the string sequence beside the fixed part's container
    labels: str = ''                   # the names an expanding slice labels its series with
    reads_text: bool = False           # the leaf is text, charted when it holds a number

    @property
    def plain(self) -> bool:
        """Whether the path is names and indexes to a number only (the fast, original form)."""
        return not (self.tail or self.filters or self.modifiers or self.reads_text)

    @property
    def expands(self) -> bool:
        """Whether the path charts one series per element (a slice without a filter)."""
        return self.expanding_slice is not None

    @property
    def expanding_slice(self) -> Step | None:
        """Return the slice that charts one series per element (none is followed by a filter)."""
        return expanding_slice(self.tail)


def _mismatch(path: str, start: int, end: int, reason: str) -> FieldPathError:
    """Return the error for the segment at path[start:end], quoting the path up to it."""
    return FieldPathError(f"'{path[:end]}': {reason}", path=path, position=start)


def _fields(msg_class: MessageClass) -> str:
    names = ', '.join(msg_class.get_fields_and_field_types())
    return f'(fields: {names})' if names else '(no fields)'


class _Walk:
    """Where a check has got to in a message type: the class, the type string, the field."""

    def __init__(self, path: str, msg_class: MessageClass):
        self.path = path
        self.current: MessageClass | None = msg_class  # the class here; None past a message
        self.shown = type_name(msg_class)  # a message name or a field type string
        self.slot: object = None  # the field's SLOT_TYPES entry: leads to nested classes
        self.parent: MessageClass | None = None  # the message the last field is in

    def fail(self, span: tuple[int, int], reason: str) -> FieldPathError:
        return _mismatch(self.path, span[0], span[1], reason)

    def field(self, name: str, span: tuple[int, int]) -> None:
        start = span[0]
        if self.current is None:
            split = container(self.shown)
            hint = '' if split is None else (
                f"; index it first, e.g. '{self.path[:start - 1]}[0]'")
            raise self.fail(span, f'{self.shown} has no fields{hint}')
        fields = self.current.get_fields_and_field_types()
        if name not in fields:
            raise self.fail(span, f"{self.shown} has no field '{name}' {_fields(self.current)}")
        self.parent = self.current
        self.shown = fields[name]
        self.slot = self.current.SLOT_TYPES[list(fields).index(name)]
        self.current = nested_class(self.slot)
        if self.current is not None:
            self.shown = type_name(self.current)

    def step(self, step: Step) -> None:
        """Follow a name or an index step."""
        if step.kind == 'name':
            self.field(step.name, step.span)
        else:
            self.element(step.span, step.index)

    def element(self, span: tuple[int, int], index: int | None = None) -> None:
        """Step into the elements of the array here (checking ``index`` against its size)."""
        split = None if self.current is not None else container(self.shown)
        if self.current is not None:
            raise self.fail(span, f'{self.shown} is a message, it cannot be indexed '
                                  f'{_fields(self.current)}')
        if split is None:
            raise self.fail(span, f'{self.shown} is not an array, it cannot be indexed')
        if index is not None and split.size is not None and not -split.size <= index < split.size:
            raise self.fail(span, f'index {index} is out of range for {self.shown}')
        self.shown = split.element
        self.current = element_class(self.slot)
        self.parent = None
        if self.current is not None:
            self.shown = type_name(self.current)

    def sibling(self, name: str, span: tuple[int, int], value: Literal) -> None:
        """Check that the container here has a sibling sequence ``name`` that ``value`` fits."""
        if self.current is not None or container(self.shown) is None:
            raise self.fail(span, f'{self.shown} is not an array: a lookup '
                                  f'[{name}==...] picks an element of one')
        if self.parent is None:
            raise self.fail(span, 'a lookup needs the array to be a field of a message, '
                                  f'beside the sequence {name}')
        fields = self.parent.get_fields_and_field_types()
        split = container(fields.get(name, ''))
        if split is None:
            arrays = [f for f, t in fields.items() if container(t) is not None]
            raise self.fail(span, f"{type_name(self.parent)} has no array '{name}' to look "
                                  f"{literal_text(value)} up in (arrays: {', '.join(arrays)})")
        _check_literal(self.fail, span, split.element, value, f'{name}[]')

    def string_sequence(self) -> str:
        """Return the first string sequence beside the container here, '' if none."""
        if self.parent is None:
            return ''
        for name, spelled in self.parent.get_fields_and_field_types().items():
            split = container(spelled)
            if split is not None and is_string(split.element):
                return name
        return ''

    def condition(self, condition: Condition) -> None:
        """Check a filter's condition against the message here."""
        if self.current is None:
            raise self.fail(condition.span, f'{self.shown} is not a message: a filter '
                                            'tests fields of messages')
        inner = _Walk(self.path, self.current)
        offset = condition.span[0]
        spans = _condition_spans(condition, offset)
        for segment, span in zip(condition.field, spans, strict=True):
            if isinstance(segment, str):
                inner.field(segment, span)
            else:
                inner.element(span, segment)
        if inner.current is not None:
            raise inner.fail(condition.span, f'{inner.shown} is a message, a filter compares '
                                             f'a number or text {_fields(inner.current)}')
        if container(inner.shown) is not None:
            raise inner.fail(condition.span, f'{inner.shown} is an array; compare one element')
        _check_literal(inner.fail, condition.span, inner.shown, condition.value,
                       join(condition.field))


def _condition_spans(condition: Condition, offset: int) -> list[tuple[int, int]]:
    """Give each segment of a condition's field its span in the path (for carets)."""
    spans: list[tuple[int, int]] = []
    pos = offset
    for segment in condition.field:
        text = f'[{segment}]' if isinstance(segment, int) else segment
        if isinstance(segment, str) and spans:
            pos += 1  # the '.'
        spans.append((pos, pos + len(text)))
        pos += len(text)
    return spans


def _check_literal(fail: Callable[[tuple[int, int], str], FieldPathError],
                   span: tuple[int, int], leaf: str, value: Literal, what: str) -> None:
    """Refuse a comparison of text with a number, or of a number with text."""
    text = is_string(leaf)
    if not text and leaf not in NUMERIC_TYPES:
        raise fail(span, f'{what} holds {leaf}: only numbers, bools and text can be compared')
    if text and not isinstance(value, str):
        raise fail(span, f'{what} is text ({leaf}): compare it with a quoted string, e.g. '
                         f'"{literal_text(value)}"')
    if not text and isinstance(value, str):
        raise fail(span, f'{what} is {leaf}, not text: compare it with a number or '
                         'true/false')


def check_path(msg_class: MessageClass, path: str) -> FieldPath:
    """
    Parse a path and check that it leads to one number (or bool, or text holding a number).

    Fixed-size array indexes (and bounded sequence ones) are checked here; indexes into
    sequences, lookups and filters can only be checked per message.

    :param msg_class: a generated message class, e.g. ``sensor_msgs.msg.Imu``
    :param path: a field path, e.g. 'linear_acceleration.x', 'position[name=="elbow"]'
    :return: the parsed path and its leaf's type, e.g. 'double'
    :raise FieldPathError: for a path that does not parse (a caret under the first character
        that does not fit), else naming the failing step, the type there and what it offers
    """
    steps = parse_steps(path)  # all of it first: a syntax error wins over a type error
    walk = _Walk(path, msg_class)
    filters: list[Condition] = []
    while steps and steps[0].kind == 'filter':
        for condition in steps[0].conditions:
            walk.condition(condition)
        filters += steps[0].conditions
        steps = steps[1:]
    fixed = 0  # steps in the fixed part
    while fixed < len(steps) and steps[fixed].kind in ('name', 'index'):
        fixed += 1
    for step in steps[:fixed]:
        walk.step(step)
    sibling = labels = ''
    tail: list[Step] = []
    modifiers: list[str] = []
    picked = False  # a lookup or a filter chose the element: text leaves are read as numbers
    expanding = False
    rest = steps[fixed:]
    for number, step in enumerate(rest):
        after = rest[number + 1] if number + 1 < len(rest) else None
        previous = rest[number - 1] if number else None
        if step.kind == 'modifier':
            if step.name not in ALL:
                raise walk.fail(step.span, f"no modifier '@{step.name}' (modifiers: "
                                           f"{', '.join('@' + m for m in ALL)})")
            if step.name in NUMERIC:
                _numeric_here(walk, step, picked or bool(modifiers))
                modifiers.append(step.name)
                continue
            if modifiers:
                raise walk.fail(step.span, f'@{step.name} reads a message; it cannot follow '
                                           f'@{modifiers[-1]}')
            if step.name == NUMBER:
                if walk.current is not None or not is_string(walk.shown):
                    raise walk.fail(step.span, f'@number reads text; {walk.shown} is not text')
                picked = True
            else:
                reducer = REDUCERS[step.name]
                if walk.current is None or walk.shown not in reducer.types:
                    raise walk.fail(step.span, f'@{step.name} applies to '
                                               f"{' or '.join(reducer.types)}, not {walk.shown}")
                walk.current, walk.shown = None, 'double'
            tail.append(step)
        elif step.kind == 'lookup':
            walk.sibling(step.name, step.span, step.value)
            if not tail and not sibling:
                sibling = step.name
            walk.element(step.span)
            picked = True
            tail.append(step)
        elif step.kind == 'slice':
            names = walk.string_sequence()
            walk.element(step.span)
            filtered = after is not None and after.kind == 'filter'
            if not filtered:
                if expanding:
                    raise walk.fail(step.span, 'only one slice of a path can chart one series '
                                               'per element; pick the others with a filter')
                expanding, labels = True, names
                if not tail and names:
                    sibling = names
            if after is not None and after.kind not in _FOLLOWS_SLICE:
                raise walk.fail(after.span, f'a {after.kind} cannot follow a slice')
            tail.append(step)
        elif step.kind == 'filter':
            if previous is None or previous.kind != 'slice':
                raise walk.fail(step.span, "a filter follows a slice, e.g. 'transforms[:]{...}',"
                                           " or starts the path")
            for condition in step.conditions:
                walk.condition(condition)
            picked = True
            tail.append(step)
        else:  # a name or an index past the fixed part
            walk.step(step)
            tail.append(step)
    end = steps[-1].span
    if not modifiers or walk.current is not None or container(walk.shown) is not None:
        _check_leaf(walk, end)
    reads_text = is_string(walk.shown)
    if reads_text and not picked:
        raise walk.fail(end, f'{walk.shown} is not a number (only numeric and boolean '
                             'fields can be charted; text that holds numbers: add .@number)')
    segments = tuple(s.name if s.kind == 'name' else s.index for s in steps[:fixed])
    return FieldPath(path, segments, tuple(s.span for s in steps[:fixed]), walk.shown,
                     tuple(tail), tuple(filters), tuple(modifiers), sibling, labels, reads_text)


def _numeric_here(walk: _Walk, step: Step, text_ok: bool) -> None:
    """Refuse a numeric modifier on anything but one number (or text a filter picked)."""
    if walk.current is not None:
        reducers = [f'@{name}' for name, r in REDUCERS.items() if walk.shown in r.types]
        hint = f" (this type offers {', '.join(reducers)})" if reducers else ''
        raise walk.fail(step.span, f'@{step.name} needs a number; {walk.shown} is a message'
                                   f'{hint}')
    if container(walk.shown) is not None:
        raise walk.fail(step.span, f'@{step.name} needs a number; {walk.shown} is an array')
    if is_string(walk.shown) and not text_ok:
        raise walk.fail(step.span, f'@{step.name} needs a number; {walk.shown} is text '
                                   '(add .@number before it)')


def _check_leaf(walk: _Walk, span: tuple[int, int]) -> None:
    """Refuse a leaf that is a message or an array (text is decided by the caller)."""
    path = walk.path
    if walk.current is not None:
        reducers = [f"'{path}.@{name}'" for name, r in REDUCERS.items() if walk.shown in r.types]
        hint = f"; e.g. {' or '.join(reducers)}" if reducers else ''
        raise walk.fail(span, f'{walk.shown} is a message, not a number '
                              f'{_fields(walk.current)}{hint}')
    if (split := container(walk.shown)) is not None:
        kind = 'an array' if isinstance(split, ArrayType) else 'a sequence'
        raise walk.fail(span, f"{walk.shown} is {kind}; pick one element, e.g. '{path}[0]', "
                              f"or chart each with '{path}[:]'")
    if walk.shown not in NUMERIC_TYPES and not is_string(walk.shown):
        raise walk.fail(span, f'{walk.shown} is not a number (only numeric and boolean fields '
                              'can be charted)')
