# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Load the product's YAML file into frozen dataclasses, or fail naming file, line and key path.

The text is composed into a YAML node tree, not constructed into Python objects, and the tree
is walked by hand: that way every error knows the 1-based line of the offending key or value
and its key path, e.g. ``graph.yaml:12: charts[1].series[0].qos: invalid value 'fast' ...``.
:class:`ConfigError` is the only exception that leaves this module.

No rclpy here: topic and message type names are checked for shape only, and field paths only
for being non-empty. The node checks them against the real message classes (fieldpath.py).

Size is checked here too, before anything large is built: at most :data:`MAX_SERIES` series,
a walk of at most :data:`MAX_YAML_NODES` nodes (an alias counts at each use), and rings that
fit ``server.memory`` (budget.py).
"""

from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
import dataclasses
from dataclasses import dataclass
import difflib
import math
import os
from pathlib import Path
import re
from typing import Any
from typing import cast
from typing import Literal
from typing import NoReturn
from typing import overload
from typing import TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode
from yaml.nodes import Node
from yaml.nodes import ScalarNode
from yaml.nodes import SequenceNode
from yaml.representer import SafeRepresenter
from yaml.resolver import Resolver

from ros2_rtgraph.budget import DEFAULT_MEMORY_MB
from ros2_rtgraph.budget import over_budget
from ros2_rtgraph.hosts import allowed_host_entry
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.msgtypes import normalize_type_name
from ros2_rtgraph.variables import BUILT_IN
from ros2_rtgraph.variables import check_variable
from ros2_rtgraph.variables import masked
from ros2_rtgraph.variables import substitute
from ros2_rtgraph.variables import uses_variables

STAMP_CHOICES = ('header', 'receive')
QOS_CHOICES = ('auto', 'sensor_data', 'reliable', 'best_effort')
#: Longest fully qualified topic name: rmw's RMW_TOPIC_MAX_NAME_LENGTH (255 less 8 reserved for
#: DDS prefixes, rmw/validate_full_topic_name.h); rclpy refuses a longer one when subscribing.
MAX_TOPIC_NAME_CHARS = 247
#: Shortest configured token: anything shorter is too easy to guess from the network.
MIN_TOKEN_CHARS = 16
#: Series one file may chart, over all its charts.
MAX_SERIES = 1000
#: Mapping entries and list items the walk may visit: YAML aliases let a small file name the
#: same subtree again and again (20000 ``- *c`` in 100 KB), and each use counts.
MAX_YAML_NODES = 100_000


class ConfigError(Exception):
    """
    Raised when a configuration file cannot be used; names file, line and key path.

    ``str(err)`` reads ``source:line: key: message``; unknown parts are left out.
    """

    def __init__(self, message: str, *, source: str, line: int | None = None, key: str = ''):
        """
        Record where the problem is.

        :param message: what is wrong, for a human.
        :param source: the file name (or ``'<string>'``).
        :param line: 1-based line of the offending key or value, when known.
        :param key: key path such as ``charts[1].series[0].qos``; empty for the whole file.
        """
        self.message = message
        self.source = source
        self.line = line
        self.key = key
        location = source if line is None else f'{source}:{line}'
        super().__init__(': '.join(part for part in (location, key, message) if part))


@dataclass(frozen=True)
class ServerConfig:
    host: str = '0.0.0.0'  # reachable from a laptop or phone; the token guards it
    port: int = 8080
    frame_rate: float = 20.0  # frames per second on /stream
    max_points: int = 500  # per series per frame (decimation budget)
    window: float = 30.0  # seconds shown by default / sent in the snapshot
    buffer: int = 20000  # samples kept per series (ring capacity)
    token: str | None = None  # None = generate at start-up, '' = auth off
    max_clients: int = 16
    allowed_hosts: tuple[str, ...] = ()  # more Host names served without a token (hosts.py)
    memory: int = DEFAULT_MEMORY_MB  # MB for rings and CSV downloads (budget.py)
    max_series: int = 256  # series a slice may add at run time, over all slices (layout.py)
    explore: bool = True  # the page may list topics and add, change and remove charts


@dataclass(frozen=True)
class LimitLine:
    value: float
    label: str = ''


#: What makes two series the same series, and their samples the same samples: a file refuses
#: two of them in one chart; a change at run time keeps the id (and the ring) of such a one.
IDENTITY_KEYS = ('topic', 'field', 'scale', 'offset')


@dataclass(frozen=True)
class SeriesConfig:
    id: str  # 's0', 's1', ... in file order across all charts
    topic: str  # absolute, e.g. '/imu/data'
    field: str  # field path, e.g. 'linear_acceleration.x'
    type: str | None  # 'sensor_msgs/msg/Imu', or None to discover at run time
    label: str
    stamp: str  # one of STAMP_CHOICES
    qos: str  # one of QOS_CHOICES
    depth: int | None  # subscription history depth; None = sized by the node (AUTO_DEPTH)
    scale: float
    offset: float  # value = raw * scale + offset
    stale_after: float | None  # seconds without a sample before 'stale'; None = from its rate
    chart: int  # index of its chart
    line: int | None  # 1-based line of this series in the file; None: not from a file
    key: str  # key path, e.g. 'charts[0].series[1]'
    #: The keys written with variables, as written: (('topic', '${ns}/imu'), ...).
    templates: tuple[tuple[str, str], ...] = ()

    @property
    def identity(self) -> tuple:
        """Return the values of :data:`IDENTITY_KEYS`."""
        return tuple(getattr(self, key) for key in IDENTITY_KEYS)


@dataclass(frozen=True)
class ChartConfig:
    title: str
    unit: str = ''
    min: float | None = None
    max: float | None = None
    limits: tuple[LimitLine, ...] = ()
    precision: int | None = None  # decimals of the legend's readings; None: from the y ticks
    series: tuple[SeriesConfig, ...] = ()
    templates: tuple[tuple[str, str], ...] = ()  # (('title', '${ns} arm'),) as for series


@dataclass(frozen=True)
class Config:
    server: ServerConfig
    charts: tuple[ChartConfig, ...]
    source: str
    #: The variables (variables.py) with their values, ``ns`` always among them.
    variables: tuple[tuple[str, str], ...] = tuple(BUILT_IN.items())

    @property
    def series(self) -> tuple[SeriesConfig, ...]:
        """All series of all charts, in file order."""
        return tuple(series for chart in self.charts for series in chart.series)


_TAG = 'tag:yaml.org,2002:'
# YAML's standard scalar tags, by the name errors use for them.
_SCALAR_KINDS = {
    'str': 'string', 'int': 'integer', 'float': 'float', 'bool': 'boolean', 'null': 'null',
    'timestamp': 'timestamp', 'binary': 'binary',
}
_T = TypeVar('_T')
#: Scalar kind -> YAML's constructor for it: the kinds one accessor takes, typed by their value.
_Constructors = Mapping[str, Callable[[ScalarNode], _T]]
_CONSTRUCT = SafeConstructor()
_STRING: _Constructors[str] = {'string': _CONSTRUCT.construct_yaml_str}
_INTEGER: _Constructors[int] = {'integer': _CONSTRUCT.construct_yaml_int}
# An int passes for a float, as in mypy's numeric tower; number() converts it.
_NUMBER: _Constructors[float] = {**_INTEGER, 'float': _CONSTRUCT.construct_yaml_float}
_BOOLEAN: _Constructors[bool] = {'boolean': _CONSTRUCT.construct_yaml_bool}
_NAME = r'[A-Za-z_][A-Za-z0-9_]*'
#: A series id given in the file: a letter, then letters, digits, '_' or '-' (no '.': members
#: of slices are '<id>.<n>').
_SERIES_ID = re.compile(r'[A-Za-z][A-Za-z0-9_-]{0,31}')
_TOPIC = re.compile(rf'/?{_NAME}(?:/{_NAME})*')
_SHORTHAND_HELP = "write a mapping or '/topic.field.path' (e.g. '/imu/data.linear_acceleration.x')"
_Entry = tuple[Node, Node]  # a mapping's key node and value node


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _join(path: str, name: str) -> str:
    return f'{path}.{name}' if path else name


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + '...'


def _or_null(constructors: _Constructors[_T]) -> _Constructors[_T | None]:
    return {**constructors, 'null': _CONSTRUCT.construct_yaml_null}


class _Reader:
    """Typed access to YAML nodes; every failure is a ConfigError with line and key path."""

    def __init__(self, source: str, variables: Mapping[str, str] = BUILT_IN):
        self.source = source
        self.walked = 0  # mapping entries and list items visited, aliases each time
        self.variables = variables  # the values of ${name} in topics, titles and labels

    def _walk(self, node: Node, key: str, items: int) -> None:
        """Count ``items`` more visited nodes; fail once aliases have made the walk too long."""
        self.walked += items
        if self.walked > MAX_YAML_NODES:
            self.fail(node, key, f'the file expands to more than {MAX_YAML_NODES} YAML nodes '
                      '(each use of an alias counts)')

    def fail(self, node: Node, key: str, message: str) -> NoReturn:
        line = _line(node) if node.start_mark is not None else None  # None: not from a file
        raise ConfigError(message, source=self.source, line=line, key=key)

    def kind(self, node: Node, key: str) -> str:
        """Return 'mapping', 'list' or a scalar kind such as 'string' or 'integer'."""
        name = node.tag[len(_TAG):] if node.tag.startswith(_TAG) else ''
        if isinstance(node, MappingNode) and name == 'map':
            return 'mapping'
        if isinstance(node, SequenceNode) and name == 'seq':
            return 'list'
        if isinstance(node, ScalarNode) and name in _SCALAR_KINDS:
            return _SCALAR_KINDS[name]
        self.fail(node, key, f'unsupported YAML tag {_short(node.tag)!r}')

    def describe(self, node: Node, key: str) -> str:
        kind = self.kind(node, key)
        if kind in ('mapping', 'list', 'null'):
            return 'null' if kind == 'null' else f'a {kind}'
        text = _short(node.value)
        return f'string {text!r}' if kind == 'string' else f'{kind} {text}'

    def expect(self, node: Node, key: str, want: str, kinds: Collection[str]) -> str:
        """Return the node's kind if it is one of ``kinds``; fail naming ``want``."""
        kind = self.kind(node, key)
        if kind not in kinds:
            self.fail(node, key, f'expected {want}, got {self.describe(node, key)}')
        return kind

    def scalar(self, node: Node, key: str, want: str, constructors: _Constructors[_T]) -> _T:
        """Return the node's value if its kind is one of ``constructors``; fail naming ``want``."""
        kind = self.expect(node, key, want, constructors)
        try:
            return constructors[kind](cast(ScalarNode, node))  # kind() made sure it is one
        except (ValueError, OverflowError):  # explicit tags such as '!!int abc', or 5000 digits
            self.fail(node, key, f'invalid {kind} {_short(node.value)!r}')

    def mapping(self, node: Node, key: str, known: Collection[str]) -> dict[str, _Entry]:
        """Return key name -> (key node, value node); reject unknown, duplicate, odd keys."""
        self.expect(node, key, 'a mapping', ('mapping',))
        pairs: list[_Entry] = node.value
        self._walk(node, key, len(pairs))
        entries: dict[str, _Entry] = {}
        for key_node, value_node in pairs:
            if isinstance(key_node, ScalarNode) and key_node.tag == _TAG + 'merge':
                self.fail(key_node, key, "YAML merge keys ('<<') are not supported")
            name = self.scalar(key_node, key, 'a key name', _STRING)
            path = _join(key, _short(name))
            if name in entries:
                first = _line(entries[name][0])
                self.fail(key_node, path, f'duplicate key (first at line {first})')
            if name not in known:
                self.fail(key_node, path, _unknown_key(name, known))
            entries[name] = (key_node, value_node)
        return entries

    def sequence(self, node: Node, key: str) -> list[Node]:
        self.expect(node, key, 'a list', ('list',))
        items: list[Node] = node.value
        self._walk(node, key, len(items))
        return items

    @overload
    def string(self, node: Node, key: str, *, optional: Literal[False] = False,
               nonempty: bool = False) -> str: ...

    @overload
    def string(self, node: Node, key: str, *, optional: Literal[True],
               nonempty: bool = False) -> str | None: ...

    def string(self, node: Node, key: str, *, optional: bool = False,
               nonempty: bool = False) -> str | None:
        kinds = _or_null(_STRING) if optional else _STRING
        value = self.scalar(node, key, 'a string (or null)' if optional else 'a string', kinds)
        if nonempty and not value:
            self.fail(node, key, 'must not be empty')
        return value

    @overload
    def number(self, node: Node, key: str, *, optional: Literal[False] = False,
               above: float | None = None, at_most: float | None = None) -> float: ...

    @overload
    def number(self, node: Node, key: str, *, optional: Literal[True],
               above: float | None = None, at_most: float | None = None) -> float | None: ...

    def number(self, node: Node, key: str, *, optional: bool = False,
               above: float | None = None, at_most: float | None = None) -> float | None:
        kinds = _or_null(_NUMBER) if optional else _NUMBER
        value = self.scalar(node, key, 'a number (or null)' if optional else 'a number', kinds)
        if value is None:
            return None
        try:
            value = float(value)  # it may be an int, and one too large for a float
        except OverflowError:
            self.fail(node, key, f'number too large: {_short(node.value)}')
        if not math.isfinite(value):
            self.fail(node, key, f'expected a finite number, got {node.value}')
        if above is not None and value <= above:
            self.fail(node, key, f'must be greater than {above:g}, got {node.value}')
        if at_most is not None and value > at_most:
            self.fail(node, key, f'must be at most {at_most:g}, got {node.value}')
        return value

    @overload
    def integer(self, node: Node, key: str, low: int, high: int, *,
                optional: Literal[False] = False) -> int: ...

    @overload
    def integer(self, node: Node, key: str, low: int, high: int, *,
                optional: Literal[True]) -> int | None: ...

    def integer(self, node: Node, key: str, low: int, high: int, *,
                optional: bool = False) -> int | None:
        kinds = _or_null(_INTEGER) if optional else _INTEGER
        value = self.scalar(node, key, 'an integer (or null)' if optional else 'an integer', kinds)
        if value is None:
            return None
        if not low <= value <= high:
            self.fail(node, key, f'must be between {low} and {high}, got {_short(node.value)}')
        return value

    def text(self, node: Node, key: str, value: str) -> str:
        """Return a text with its variables' values in (variables.py)."""
        try:
            return substitute(value, self.variables)
        except ValueError as error:
            self.fail(node, key, str(error))

    def boolean(self, node: Node, key: str) -> bool:
        return self.scalar(node, key, 'true or false', _BOOLEAN)

    def choice(self, node: Node, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(node, key)
        if value not in allowed:
            self.fail(node, key, f'invalid value {value!r}; expected one of: {", ".join(allowed)}')
        return value


# Per section: key -> parser(reader, value node, key path). The keys are the known keys.
_Rules = dict[str, Callable[[_Reader, Node, str], object]]
# Parsed values by key, passed as keyword arguments to a dataclass. Any: each key has its own
# parser's type, which one mapping type cannot say; the dataclass field of that name states it
# (mypy does not check ``**values`` against it).
_Values = dict[str, Any]


def _unknown_key(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f'unknown key {_short(name)!r} (did you mean {close[0]!r}?)'
    return f'unknown key {_short(name)!r} (known keys: {", ".join(known)})'


def topic_problem(name: str) -> str | None:
    """Say what is wrong with a ROS topic name's shape (no '~' or substitutions) or length."""
    if not _TOPIC.fullmatch(name):
        return (f'invalid topic name {_short(name)!r}: use letters, digits, '
                "'_' and '/', no name part starting with a digit, no '//' or trailing '/'")
    absolute = name if name.startswith('/') else '/' + name
    if len(absolute) > MAX_TOPIC_NAME_CHARS:
        return (f'topic name {_short(absolute)!r} is {len(absolute)} characters '
                f'long; ROS allows at most {MAX_TOPIC_NAME_CHARS}')
    return None


def _topic_name(reader: _Reader, node: Node, key: str, name: str) -> str:
    """Check a ROS topic name (:func:`topic_problem`); make it absolute."""
    problem = topic_problem(name)
    if problem is not None:
        reader.fail(node, key, problem)
    return name if name.startswith('/') else '/' + name


def _topic(reader: _Reader, node: Node, key: str) -> str:
    return _topic_name(reader, node, key, reader.text(node, key, reader.string(node, key)))


def _text(reader: _Reader, node: Node, key: str) -> str:
    """Read a non-empty text that may use variables (a title, a label)."""
    return reader.text(node, key, reader.string(node, key, nonempty=True))


def _variables(reader: _Reader, node: Node, key: str) -> dict[str, str]:
    """Read the ``variables:`` section: name -> text; ``ns`` is there if it is not given."""
    values = dict(BUILT_IN)
    reader.expect(node, key, 'a mapping', ('mapping',))
    names = [name.value for name, _ in node.value if isinstance(name, ScalarNode)]  # all known
    for name_node, value_node in reader.mapping(node, key, names).values():
        name = name_node.value
        path = _join(key, _short(name))
        value = reader.string(value_node, path)
        try:
            check_variable(name, value)
        except ValueError as error:
            reader.fail(value_node if uses_variables(value) or name == 'ns' else name_node,
                        path, str(error))
        values[name] = value
    return values



def _token(reader: _Reader, node: Node, key: str) -> str | None:
    """Read the access token: null (generate one), '' (access control off) or a long one."""
    value = reader.string(node, key, optional=True)
    if value and len(value) < MIN_TOKEN_CHARS:  # its length only: the log must not show it
        reader.fail(node, key, f'too short: it has {len(value)}, at least {MIN_TOKEN_CHARS} '
                    "characters are needed; leave it unset for a generated token, or '' to "
                    'switch access control off')
    return value


def _field(reader: _Reader, node: Node, key: str) -> str:
    value = reader.string(node, key)
    if not value.strip():
        reader.fail(node, key, 'field path must not be empty')
    return value


def _msg_type(reader: _Reader, node: Node, key: str) -> str | None:
    value = reader.string(node, key, optional=True)
    if value is None:
        return None
    try:
        return normalize_type_name(value)
    except MessageTypeError as error:  # its shape only: the node imports the class
        reader.fail(node, key, str(error))


def _series_id(reader: _Reader, node: Node, key: str) -> str:
    value = reader.string(node, key)
    if not _SERIES_ID.fullmatch(value):
        reader.fail(node, key, f'invalid series id {_short(value)!r}: a letter, then at most 31 '
                    "letters, digits, '_' or '-'")
    return value


def _host_names(reader: _Reader, node: Node, key: str) -> tuple[str, ...]:
    """Host names for ``server.allowed_hosts``, in the form Host headers are compared in."""
    names = []
    for index, item in enumerate(reader.sequence(node, key)):
        path = f'{key}[{index}]'
        text = reader.string(item, path, nonempty=True)
        try:
            names.append(allowed_host_entry(text))
        except ValueError as error:
            reader.fail(item, path, f'invalid host name {_short(text)!r}: {error}')
    return tuple(names)


def _values(reader: _Reader, entries: dict[str, _Entry], path: str, rules: _Rules) -> _Values:
    """Parse the entries that ``rules`` knows; the caller handles any others."""
    return {
        name: rules[name](reader, value, _join(path, name))
        for name, (_, value) in entries.items() if name in rules
    }


def _require(reader: _Reader, node: Node, path: str, entries: Collection[str],
             names: tuple[str, ...]) -> None:
    for name in names:
        if name not in entries:
            reader.fail(node, path, f'missing required key {name!r}')


def _limits(reader: _Reader, node: Node, key: str) -> tuple[LimitLine, ...]:
    """Limit lines: a list (or one item) of numbers or ``{value, label}`` mappings."""
    items = reader.sequence(node, key) if isinstance(node, SequenceNode) else [node]
    limits: list[LimitLine] = []
    for index, item in enumerate(items):
        path = f'{key}[{index}]' if isinstance(node, SequenceNode) else key
        kind = reader.kind(item, path)
        if kind in _NUMBER:
            limits.append(LimitLine(reader.number(item, path)))
        elif kind == 'mapping':
            entries = reader.mapping(item, path, _LIMIT_RULES)
            _require(reader, item, path, entries, ('value',))
            limits.append(LimitLine(**_values(reader, entries, path, _LIMIT_RULES)))
        else:
            reader.fail(item, path, 'expected a number or a mapping with value and label, '
                        f'got {reader.describe(item, path)}')
    return tuple(limits)


_SERVER_RULES: _Rules = {
    'host': lambda r, n, k: r.string(n, k, nonempty=True),
    'port': lambda r, n, k: r.integer(n, k, 0, 65535),  # 0: any free port
    'frame_rate': lambda r, n, k: r.number(n, k, above=0.0, at_most=100.0),
    'max_points': lambda r, n, k: r.integer(n, k, 4, 100_000),  # 4: first, min, max, last
    'window': lambda r, n, k: r.number(n, k, above=0.0),
    'buffer': lambda r, n, k: r.integer(n, k, 2, 10_000_000),
    'token': _token,
    'max_clients': lambda r, n, k: r.integer(n, k, 1, 1000),
    'allowed_hosts': _host_names,
    'memory': lambda r, n, k: r.integer(n, k, 1, 1 << 20),  # MB, up to 1 TB
    'max_series': lambda r, n, k: r.integer(n, k, 1, 10_000),
    'explore': lambda r, n, k: r.boolean(n, k),
}
#: Server keys whose values are text: an override's value is taken as it is, whatever its type
#: (``-p token:=1234`` is the token '1234').
_TEXT_KEYS = frozenset({'host', 'token'})
_SERIES_RULES: _Rules = {
    'id': _series_id,
    'topic': _topic,
    'field': _field,
    'type': _msg_type,
    'label': _text,
    'stamp': lambda r, n, k: r.choice(n, k, STAMP_CHOICES),
    'qos': lambda r, n, k: r.choice(n, k, QOS_CHOICES),
    'depth': lambda r, n, k: r.integer(n, k, 1, 10_000, optional=True),
    'scale': lambda r, n, k: r.number(n, k),
    'offset': lambda r, n, k: r.number(n, k),
    'stale_after': lambda r, n, k: r.number(n, k, optional=True, above=0.0),
}
SERIES_DEFAULTS = {
    'type': None, 'stamp': 'header', 'qos': 'auto', 'depth': None, 'scale': 1.0, 'offset': 0.0,
    'stale_after': None,
}
_LIMIT_RULES: _Rules = {
    'value': lambda r, n, k: r.number(n, k),
    'label': lambda r, n, k: r.string(n, k),
}
_CHART_RULES: _Rules = {
    'title': _text,
    'unit': lambda r, n, k: r.string(n, k),
    'min': lambda r, n, k: r.number(n, k, optional=True),
    'max': lambda r, n, k: r.number(n, k, optional=True),
    'limits': _limits,
    'precision': lambda r, n, k: r.integer(n, k, 0, 9, optional=True),
}
_CHART_KEYS = (*_CHART_RULES, 'series')
_TOP_KEYS = ('variables', 'server', 'charts')


def default_label(topic: str, field: str) -> str:
    """Return the label of a series the YAML gives none: '/imu.linear_acceleration.x'."""
    return f"{topic}{'' if field.startswith('{') else '.'}{field}"


#: Gives a series the file names no id its id: (its number among all series of the file, its
#: parsed keys) -> id.
IdMaker = Callable[[int, Mapping[str, Any]], str]


def positional_id(number: int, _settings: Mapping[str, Any]) -> str:
    """Return the id of a series the file gives none: 's0', 's1', ... in file order."""
    return f's{number}'


def _series(reader: _Reader, node: Node, path: str, chart: int, number: int,
            make_id: IdMaker) -> SeriesConfig:
    kind = reader.kind(node, path)
    written: dict[str, str] = {}  # topic and label as written
    if kind == 'string':
        text = masked(node.value)  # a '{' of a ${name} does not end the topic
        split = min((i for i in (text.find('.'), text.find('{')) if i > 0), default=len(text))
        topic, field = node.value[:split], node.value[split:].removeprefix('.')
        if not field.strip():
            reader.fail(node, path, f'no field in {_short(node.value)!r}: {_SHORTHAND_HELP}')
        values = {'topic': _topic_name(reader, node, path, reader.text(node, path, topic)),
                  'field': field}
        written['topic'] = topic
    elif kind == 'mapping':
        entries = reader.mapping(node, path, _SERIES_RULES)
        _require(reader, node, path, entries, ('topic', 'field'))
        values = _values(reader, entries, path, _SERIES_RULES)
        written.update((name, entries[name][1].value) for name in ('topic', 'label')
                       if name in entries)
    else:
        reader.fail(node, path, f'expected a series, got {reader.describe(node, path)}: '
                    + _SHORTHAND_HELP)
    settings = {**SERIES_DEFAULTS, **values}
    if 'label' not in settings:
        settings['label'] = default_label(settings['topic'], settings['field'])
        written['label'] = default_label(written['topic'], settings['field'])
    settings['templates'] = tuple(
        (name, text) for name, text in written.items() if uses_variables(text))
    if 'id' not in settings:
        settings['id'] = make_id(number, settings)
    line = _line(node) if node.start_mark is not None else None
    return SeriesConfig(chart=chart, line=line, key=path, **settings)


def _chart(reader: _Reader, node: Node, chart: int, first_id: int,
           make_id: IdMaker = positional_id, *, partial: bool = False) -> _Values:
    """
    Read one chart entry into its ChartConfig keyword arguments.

    :param first_id: how many series the charts before it have.
    :param make_id: gives the series that name no id theirs.
    :param partial: every key may be missing (a change of some keys of a chart).
    """
    path = f'charts[{chart}]'
    entries = reader.mapping(node, path, _CHART_KEYS)
    if not partial:
        _require(reader, node, path, entries, ('title', 'series'))
    values = _values(reader, entries, path, _CHART_RULES)
    if 'title' in entries and uses_variables(entries['title'][1].value):
        values['templates'] = (('title', entries['title'][1].value),)
    problem = range_problem(values.get('min'), values.get('max'))
    if problem is not None:
        reader.fail(entries['max'][1], f'{path}.max', problem)
    if 'series' not in entries:
        return values
    series_node = entries['series'][1]
    items = reader.sequence(series_node, f'{path}.series')
    if not items:
        reader.fail(series_node, f'{path}.series', 'a chart needs at least one series')
    if first_id + len(items) > MAX_SERIES:
        # The key's line: an aliased list's own line would be its anchor's.
        reader.fail(entries['series'][0], f'{path}.series',
                    f'{first_id + len(items)} series so far, more than the {MAX_SERIES} a file '
                    'may chart (each use of a YAML alias counts)')
    series: list[SeriesConfig] = []
    seen: dict[tuple, SeriesConfig] = {}
    for index, item in enumerate(items):
        one = _series(reader, item, f'{path}.series[{index}]', chart, first_id + index, make_id)
        first = seen.setdefault(one.identity, one)
        if first is not one:
            reader.fail(item, one.key, f'duplicate series {one.topic}.{one.field} (same topic, '
                        f'field, scale and offset as {first.key}{_at_line(first)})')
        series.append(one)
    return {**values, 'series': tuple(series)}


def range_problem(low: float | None, high: float | None) -> str | None:
    """Say what is wrong with a chart's fixed y range, if anything."""
    if low is not None and high is not None and high <= low:
        return f'max ({high:g}) must be greater than min ({low:g})'
    return None


def read_chart(node: Node, source: str, index: int, first_id: int, make_id: IdMaker, *,
               partial: bool = False, variables: Mapping[str, str] = BUILT_IN) -> _Values:
    """
    Read a chart entry given as a YAML node tree (a request's, at run time) by the file's rules.

    :param index: the chart's place, for key paths (``charts[<index>]``).
    :param first_id: how many series the charts before it have.
    :param make_id: gives the series that name no id theirs.
    :param partial: every key may be missing (a change of some keys of a chart).
    :param variables: the values of ``${name}`` (the layout's).
    :return: ChartConfig keyword arguments: the keys the entry gives.
    :raise ConfigError: naming ``source`` and the key.
    """
    return _chart(_Reader(source, variables), node, index, first_id, make_id, partial=partial)


def _compose(text: str, source: str) -> Node | None:
    """Parse YAML text into a node tree; syntax errors become ConfigErrors with a line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = f'invalid YAML: {err.problem or err.context}'
        if err.context and err.context_mark and err.problem:
            message += f' ({err.context} at line {err.context_mark.line + 1})'
        line = mark.line + 1 if mark else None
    except yaml.YAMLError as err:  # a reader error: a character position instead of a mark
        position = getattr(err, 'position', None)
        line = text.count('\n', 0, position) + 1 if position is not None else None
        message = f'invalid YAML: {str(err).splitlines()[0]}'
    except RecursionError:
        line, message = None, 'invalid YAML: nested too deeply'
    raise ConfigError(message, source=source, line=line)


def parse_config(text: str, source: str = '<string>') -> Config:
    """
    Validate a configuration given as YAML text.

    :param text: the YAML document.
    :param source: file name used in error messages.
    :return: the configuration, defaults filled in.
    :raise ConfigError: on any problem, naming source, line and key path.
    """
    reader = _Reader(source)
    root = _compose(text, source)
    if root is None:
        raise ConfigError('file is empty', source=source)
    entries = reader.mapping(root, '', _TOP_KEYS)
    if 'variables' in entries:
        reader.variables = _variables(reader, entries['variables'][1], 'variables')
    server = ServerConfig()
    server_entries: dict[str, _Entry] = {}
    if 'server' in entries:
        server_entries = reader.mapping(entries['server'][1], 'server', _SERVER_RULES)
        server = ServerConfig(**_values(reader, server_entries, 'server', _SERVER_RULES))
    _require(reader, root, '', entries, ('charts',))
    charts_node = entries['charts'][1]
    chart_nodes = reader.sequence(charts_node, 'charts')
    if not chart_nodes:
        reader.fail(charts_node, 'charts', 'no charts: list at least one chart')
    charts: list[ChartConfig] = []
    for index, node in enumerate(chart_nodes):
        first_id = sum(len(chart.series) for chart in charts)
        charts.append(ChartConfig(**_chart(reader, node, index, first_id)))
    config = Config(server=server, charts=tuple(charts), source=source,
                    variables=tuple(reader.variables.items()))
    check_series_ids(config)
    _check_budget(reader, config, server_entries, entries['charts'][0])
    return config


def _at_line(series: SeriesConfig) -> str:
    return '' if series.line is None else f' at line {series.line}'


def check_series_ids(config: Config, source: str | None = None) -> None:
    """Refuse two series of one id, naming the second and where the first is.

    :param source: where the second comes from, if not from ``config.source``.
    """
    first: dict[str, SeriesConfig] = {}
    for series in config.series:
        other = first.setdefault(series.id, series)
        if other is not series:
            raise ConfigError(
                f'series id {series.id!r} is the id of {other.key}{_at_line(other)} too',
                source=source or config.source, line=series.line, key=series.key)


def _check_budget(reader: _Reader, config: Config, server_entries: dict[str, _Entry],
                  charts_key: Node) -> None:
    """Refuse rings larger than ``server.memory``, at ``server.buffer`` if the file sets it."""
    problem = over_budget(len(config.series), config.server.buffer, config.server.memory)
    if problem is None:
        return
    for name in ('buffer', 'memory'):
        if name in server_entries:
            reader.fail(server_entries[name][1], f'server.{name}', problem)
    reader.fail(charts_key, 'charts', problem)


def apply_overrides(server: ServerConfig, values: Mapping[str, object], *,
                    source: str) -> ServerConfig:
    """
    Override server settings by the rules of the YAML ``server:`` section, with its messages.

    The node parameters come through here, so ``-p frame_rate:=1000`` fails as
    ``frame_rate: 1000`` in the file does. A text value of a key that is not text is read as
    YAML reads a plain scalar (``'8088'`` is the integer 8088): launch passes every value as
    text.

    :param server: the settings to start from (the file's).
    :param values: key -> value, e.g. ``{'port': 8081}``; keys as in ``server:``.
    :param source: where the values come from, for errors, e.g. ``'node parameters'``.
    :return: the settings with the values in force.
    :raise ConfigError: naming ``source`` and the key.
    """
    reader = _Reader(source)
    checked: _Values = {}
    for name, value in values.items():
        if name not in _SERVER_RULES:
            raise ConfigError(_unknown_key(name, _SERVER_RULES), source=source, key=name)
        checked[name] = _SERVER_RULES[name](reader, _value_node(value, name in _TEXT_KEYS), name)
    return dataclasses.replace(server, **checked)


def _value_node(value: object, text: bool) -> Node:
    """Return a value as the YAML node a file would have given for it."""
    if text:
        return ScalarNode(_TAG + 'str', str(value))
    if isinstance(value, str):
        return ScalarNode(Resolver().resolve(ScalarNode, value, (True, False)), value)
    return SafeRepresenter().represent_data(value)


def load_config(path: str | os.PathLike) -> Config:
    """
    Read and validate a configuration file.

    :param path: the YAML file.
    :return: the configuration, defaults filled in.
    :raise ConfigError: when the file is missing, unreadable or invalid.
    """
    source = os.fsdecode(path)
    try:
        text = Path(source).read_text(encoding='utf-8')
    except FileNotFoundError:
        raise ConfigError('file not found', source=source) from None
    except UnicodeDecodeError as err:
        raise ConfigError(f'not UTF-8 text (byte {err.start})', source=source) from None
    except OSError as err:
        raise ConfigError(f'cannot read file: {err.strerror or err}', source=source) from None
    return parse_config(text, source)


def default_config_path() -> str:
    """
    Return the packaged ``config/demo.yaml``.

    The installed copy (ament share directory, when ament_index_python finds the package)
    wins over the one in a source checkout next to this package.
    """
    try:
        from ament_index_python.packages import get_package_share_directory
        installed = Path(get_package_share_directory('ros2_rtgraph'), 'config', 'demo.yaml')
    except (ImportError, LookupError, OSError, ValueError):  # not installed, no ament env
        installed = None
    if installed is not None and installed.is_file():
        return str(installed)
    return str(Path(__file__).resolve().parent.parent / 'config' / 'demo.yaml')
