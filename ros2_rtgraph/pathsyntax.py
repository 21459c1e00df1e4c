# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The grammar of field paths: text in, steps out; no message types here.

A path is read in one pass into :class:`Step` objects, each with the span of text it came from,
so that checking against a type (fieldpath.py) can put a caret under the step that does not fit::

    {status.level==2}                  message filter: keep only the messages that pass
    name  .name                        a field
    [3]  [-1]                          an index (negative: from the end)
    [:]  [0:9]  [-3:]                  a slice, both ends included (Foxglove's rule)
    [name=="elbow"]                    the element where the sibling sequence 'name' holds "elbow"
    {child_frame_id=="base_link"}      after a slice of messages: the first element that passes
    .@derivative  .@yaw                modifiers, applied left to right

Conditions compare a field (names and indexes, relative to the message or element) with a
number, ``true``/``false`` or a quoted string (``"`` or ``'``), by ``== != < <= > >=``; several
``{...}`` in a row are ANDed. Whitespace is allowed only inside quotes and around the parts of a
condition.
"""

from collections.abc import Sequence
from dataclasses import dataclass
import math
import re

_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
_INTEGER = re.compile(r'-?[0-9]{1,9}(?![0-9])')
_NUMBER = re.compile(r'-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?')
_OPERATORS = ('==', '!=', '<=', '>=', '<', '>')  # two-character ones first
_SPACE = ' \t'
_INDEX_HELP = ('an index is an integer of at most 9 digits, e.g. [0] or [-1]; '
               'a slice is [:] or [0:9]')

#: A literal of a condition.
Literal = str | float | bool
#: One step of a plain path: a field name or an index.
Segment = str | int


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


@dataclass(frozen=True)
class Condition:
    """``field op value``: ``field`` is names and indexes from the message or element."""

    field: tuple[Segment, ...]
    op: str
    value: Literal
    span: tuple[int, int]  # of the field, for errors

    def text(self) -> str:
        """Write the condition as the grammar reads it."""
        return f'{join(self.field)}{self.op}{literal_text(self.value)}'


@dataclass(frozen=True)
class Step:
    """
    One step of a path; ``kind`` says which, and the fields that kind uses are set.

    ``name`` a field (``name``), ``index`` (``index``), ``slice`` (``start``/``stop``, None where
    open, both included), ``lookup`` (``name`` the sibling sequence, ``value``), ``filter``
    (``conditions``), ``modifier`` (``name``, without the '@').
    """

    kind: str
    span: tuple[int, int]
    name: str = ''
    index: int = 0
    start: int | None = None
    stop: int | None = None
    value: Literal = ''
    conditions: tuple[Condition, ...] = ()


def join(segments: tuple[Segment, ...]) -> str:
    """Write names and indexes as a path: ('poses', 2, 'x') -> 'poses[2].x'."""
    return ''.join(f'[{s}]' if isinstance(s, int) else f'.{s}' for s in segments).lstrip('.')


def literal_text(value: Literal) -> str:
    """Write a literal as a path would: "elbow", true, 2, 0.5."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        quote = "'" if '"' in value else '"'
        return f'{quote}{value}{quote}'
    return f'{value:g}' if value != int(value) or abs(value) >= 1e15 else str(int(value))


class _Parser:
    def __init__(self, path: str):
        self.path = path
        self.pos = 0

    def fail(self, reason: str, position: int | None = None) -> FieldPathError:
        return FieldPathError(f'invalid field path: {reason}', path=self.path,
                              position=self.pos if position is None else position)

    def peek(self) -> str:
        return self.path[self.pos] if self.pos < len(self.path) else ''

    def skip_space(self) -> None:
        while self.peek() and self.peek() in _SPACE:
            self.pos += 1

    def name(self) -> str:
        match = _NAME.match(self.path, self.pos)
        if match is None:
            if self.peek() in ('', '.', '[', '{'):
                raise self.fail('empty segment')
            if self.peek().isspace():
                raise self.fail('whitespace is not allowed')
            raise self.fail("a field name is letters, digits and '_', not starting with a digit")
        self.pos = match.end()
        return match[0]

    def steps(self) -> list[Step]:
        path = self.path
        if not path:
            raise self.fail('the path is empty')
        steps: list[Step] = []
        while self.peek() == '{':  # message filters
            steps.append(self.filter())
        if steps:
            if self.pos == len(path):
                raise self.fail('a message filter must be followed by a field')
            if self.peek() != '.':
                raise self.fail("expected '.' after a message filter")
            self.pos += 1
        if self.peek() == '[':
            steps.append(self.bracket())
        elif self.peek() == '@':
            steps.append(self.modifier(self.pos))
        else:
            steps.append(self.name_step())
        while self.pos < len(path):
            char = path[self.pos]
            modified = steps[-1].kind == 'modifier'
            if char == '.':
                start = self.pos
                self.pos += 1
                if self.peek() == '@':
                    steps.append(self.modifier(start))
                    continue
                if modified:
                    raise self.fail('a modifier can only be followed by another modifier', start)
                steps.append(self.name_step())
            elif char.isspace():
                raise self.fail('whitespace is not allowed')
            elif modified and char in '[{':
                raise self.fail('a modifier can only be followed by another modifier')
            elif char == '[':
                steps.append(self.bracket())
            elif char == '{':
                steps.append(self.filter())
            else:
                raise self.fail(f"unexpected '{char}': expected '.' or '['")
        return steps

    def name_step(self) -> Step:
        start = self.pos
        name = self.name()
        return Step('name', (start, self.pos), name=name)

    def modifier(self, start: int) -> Step:
        """Read ``@name`` from the '@' at pos; the step's span starts at ``start`` (its '.')."""
        self.pos += 1
        match = _NAME.match(self.path, self.pos)
        if match is None:
            raise self.fail("a modifier is '@' and a name, e.g. '.@derivative'")
        self.pos = match.end()
        return Step('modifier', (start, self.pos), name=match[0])

    def bracket(self) -> Step:
        """Read ``[3]``, ``[a:b]`` or ``[name=="x"]`` from the '[' at pos."""
        start = self.pos
        self.pos += 1
        if _NAME.match(self.path, self.pos):  # a lookup: [name=="x"]
            sibling = self.name()
            self.skip_space()
            if not self.path.startswith('==', self.pos):
                raise self.fail(f"expected '==' after '{sibling}': a lookup is "
                                f'[{sibling}=="value"]')
            self.pos += 2
            self.skip_space()
            value = self.literal()
            self.skip_space()
            self.close(']')
            return Step('lookup', (start, self.pos), name=sibling, value=value)
        if re.match(r'-?[0-9]{10}', self.path[self.pos:]):
            raise self.fail(_INDEX_HELP, start)
        first = self.integer()
        if self.peek() == ':':
            self.pos += 1
            stop = self.integer()
            self.close(']')
            return Step('slice', (start, self.pos), start=first, stop=stop)
        if first is None:
            bad = self.pos + (self.peek() == '-')
            if bad >= len(self.path):
                raise self.fail("missing ']'", bad)
            if self.path[bad] == ']':
                raise self.fail(_INDEX_HELP, start)
            if self.path[bad].isspace():
                raise self.fail('whitespace is not allowed', bad)
            raise self.fail(f"unexpected '{self.path[bad]}' in an index", bad)
        if self.peek() not in ('', ']'):
            raise self.fail(f"unexpected '{self.peek()}' in an index")
        self.close(']')
        return Step('index', (start, self.pos), index=first)

    def integer(self) -> int | None:
        match = _INTEGER.match(self.path, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return int(match[0])

    def close(self, bracket: str) -> None:
        if self.pos == len(self.path):
            raise self.fail(f"missing '{bracket}'")
        if self.peek() != bracket:
            if self.peek().isspace():
                raise self.fail('whitespace is not allowed')
            raise self.fail(f"unexpected '{self.peek()}': expected '{bracket}'")
        self.pos += 1

    def filter(self) -> Step:
        """Read ``{field op literal}`` from the '{' at pos."""
        start = self.pos
        self.pos += 1
        self.skip_space()
        field_start = self.pos
        field: list[Segment] = [self.name()]
        while self.peek() in ('.', '['):
            if self.peek() == '.':
                self.pos += 1
                field.append(self.name())
                continue
            at = self.pos
            self.pos += 1
            index = self.integer()
            if index is None:
                raise self.fail('a condition reads a field by names and indexes, e.g. '
                                'values[0].key', at)
            self.close(']')
            field.append(index)
        field_end = self.pos
        self.skip_space()
        op = next((o for o in _OPERATORS if self.path.startswith(o, self.pos)), None)
        if op is None:
            raise self.fail(f"expected one of {' '.join(_OPERATORS)} after '{join(tuple(field))}'")
        self.pos += len(op)
        self.skip_space()
        value = self.literal()
        self.skip_space()
        self.close('}')
        condition = Condition(tuple(field), op, value, (field_start, field_end))
        return Step('filter', (start, self.pos), conditions=(condition,))

    def literal(self) -> Literal:
        char = self.peek()
        if char in ('"', "'"):
            end = self.path.find(char, self.pos + 1)
            if end < 0:
                raise self.fail(f'missing closing {char}')
            text = self.path[self.pos + 1:end]
            self.pos = end + 1
            return text
        for word, value in (('true', True), ('false', False)):
            if self.path.startswith(word, self.pos) and not _NAME.match(
                    self.path, self.pos + len(word)):
                self.pos += len(word)
                return value
        match = _NUMBER.match(self.path, self.pos)
        if match is None:
            raise self.fail('expected a number, true, false or a quoted string')
        number = float(match[0])
        if not math.isfinite(number):
            raise self.fail('a number in a condition must be finite')
        self.pos = match.end()
        return number


def parse_steps(path: str) -> tuple[Step, ...]:
    """
    Read a path into steps; consecutive filters are merged into one (their conditions ANDed).

    :raise FieldPathError: for text that does not parse, with a caret under the first character
        that does not fit.
    """
    steps = _Parser(path).steps()
    merged: list[Step] = []
    for step in steps:
        if step.kind == 'filter' and merged and merged[-1].kind == 'filter':
            last = merged.pop()
            step = Step('filter', (last.span[0], step.span[1]),
                        conditions=last.conditions + step.conditions)
        merged.append(step)
    return tuple(merged)


def expanding_slice(steps: Sequence[Step]) -> Step | None:
    """Return the slice that charts one series per element: one no filter follows."""
    following = (*steps[1:], None)  # the step after each step
    return next((step for step, after in zip(steps, following, strict=False)
                 if step.kind == 'slice' and (after is None or after.kind != 'filter')), None)


def expands(path: str) -> bool:
    """
    Tell whether a path is a slice that charts one series per element.

    A slice followed by a filter picks one element instead. A path that does not parse does not
    expand (checking it will say why).
    """
    try:
        return expanding_slice(parse_steps(path)) is not None
    except FieldPathError:
        return False
