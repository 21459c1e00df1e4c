# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The topic planner: which topics to subscribe, with which type and QoS, and when again.

Pure: it reads the configuration and what the graph lists, and answers with actions that the
node carries out (:mod:`ros2_rtgraph.node`), so every transition is tested without DDS.

A topic is subscribed once however many series read it (:func:`plan_topics` groups them; a
type or QoS two series of one topic disagree on is a configuration error). Its type comes from
the YAML file or, when the file omits it, from the publishers in the graph; with ``qos: auto``
the subscription also waits for a publisher so that its QoS can match. Each graph check
(:meth:`TopicState.on_graph`, every :data:`GRAPH_CHECK_PERIOD` seconds) then moves a topic
along::

    waiting --publishers of one type--> subscribed --publisher of another type--> conflict
       |                                  |   ^                                     |
       +--wrong or two types: Fail        |   +------------- Clear -----------------+
                                          +--a publisher its QoS cannot hear, or one
                                             DDS never matched: Subscribe again

While publishers of another type share a subscribed topic, its readers show ``topic /x has
types A and B`` (the subscription stays and keeps hearing the publishers of its own type).
With ``qos: auto``, a publisher the current QoS cannot hear (best effort after reliable,
volatile after transient-local) makes it subscribe again with the QoS chosen from the
publishers now present. A subscription that DDS has not matched to every publisher it can hear,
for ``UNMATCHED_CHECKS`` checks in a row, is made again too: a match lost in discovery would
otherwise leave its series waiting for good.
"""

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from ros2_rtgraph.config import Config
from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import SeriesConfig
from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.fieldpath import FieldPath
from ros2_rtgraph.fieldpath import FieldPathError
from ros2_rtgraph.msgtypes import message_class
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.qos import AUTO_DEPTH
from ros2_rtgraph.qos import choose_qos
from ros2_rtgraph.qos import hears
from ros2_rtgraph.qos import Qos

#: Seconds between two looks at the graph.
GRAPH_CHECK_PERIOD = 1.0
#: Graph checks in a row that may find a subscription matched to fewer publishers than the
#: graph lists (ones it can hear) before it is made again: DDS matches within milliseconds of
#: discovery, so a few seconds is a match that will not come. Doubled after each attempt that
#: did not help, up to UNMATCHED_CHECKS_MAX, so that a match that cannot be made (a publisher
#: whose type hash differs, say) costs a line now and then, not one a second.
UNMATCHED_CHECKS = 3
UNMATCHED_CHECKS_MAX = 60


@dataclass(frozen=True)
class Publisher:
    """A publisher as the graph lists it: what the planner needs of ``TopicEndpointInfo``."""

    type_name: str
    qos: Qos


@dataclass(frozen=True)
class Subscribe:
    """Subscribe the topic with ``qos`` (unsubscribing first if it is subscribed)."""

    qos: Qos
    why: str = ''  # why again, for the log; '' for the first subscription


@dataclass(frozen=True)
class Fail:
    """Show ``why`` as the status of these series (and log it once)."""

    series: tuple[SeriesConfig, ...]
    why: str


@dataclass(frozen=True)
class Conflict:
    """Publishers of another type share the topic: its readers show ``why`` while it lasts."""

    why: str


@dataclass(frozen=True)
class Clear:
    """The conflict ``why`` is over: every publisher sends the topic's type again."""

    why: str


Action = Subscribe | Fail | Conflict | Clear
#: Resolves a message type name to its class (:func:`ros2_rtgraph.msgtypes.message_class`).
Resolve = Callable[[str], MessageClass]


def _and(names: Sequence[str]) -> str:
    """Join names as a sentence does: 'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass
class TopicState:
    """One topic, the series that read it, and where it is in its life (module docstring)."""

    name: str
    series: tuple[SeriesConfig, ...]
    type_name: str | None  # from the YAML, else None until the graph tells
    qos: str  # 'auto' or the series' explicit choice
    depth: int  # the largest depth its series give, else AUTO_DEPTH
    resolve: Resolve = message_class
    msg_class: MessageClass | None = None
    readers: tuple[SeriesConfig, ...] = ()  # the series whose path fits the type
    paths: tuple[FieldPath, ...] = ()  # the distinct fields of the readers
    waiting: bool = True  # False once subscribed, or when no series' path fits the type
    subscribed: Qos | None = None  # the QoS of the subscription, None while there is none
    conflict: str = ''  # the type conflict its readers show while it lasts
    unmatched: int = 0  # graph checks in a row that found publishers it is not matched to
    unmatched_limit: int = UNMATCHED_CHECKS  # how many make it subscribe again

    def start(self) -> list[Action]:
        """Return what to do before any graph check: an explicit QoS on a known type subscribes."""
        if self.msg_class is not None and self.qos != 'auto':
            return [self._subscribe([])]  # nothing to learn from the graph; publishers may come
        return []

    def on_graph(self, publishers: Sequence[Publisher],
                 matched: int | None = None) -> list[Action]:
        """
        Look at the topic's publishers once and say what to do.

        :param publishers: the publishers the graph lists for the topic.
        :param matched: how many publishers DDS matched to the subscription, None where rclpy
            cannot count them (Humble) or nothing is subscribed.
        :return: the actions, in order; none when nothing changes.
        """
        if self.waiting:
            return self._plan(publishers)
        if self.subscribed is None:
            return []  # no series' path fits the type: nothing to subscribe
        actions = self._check_types(publishers)
        if not self.conflict and self.qos == 'auto':
            actions += self._check_qos(publishers)
        if matched is not None and not any(isinstance(a, Subscribe) for a in actions):
            actions += self._check_matched(publishers, matched)
        return actions

    def compile(self, msg_class: MessageClass, readers: Sequence[SeriesConfig],
                checked: Sequence[FieldPath]) -> None:
        """Take the topic's type, the series whose path fits it and those paths, checked."""
        self.msg_class, self.readers = msg_class, tuple(readers)
        self.paths = tuple(dict.fromkeys(checked))
        self.waiting = bool(readers)

    def _plan(self, publishers: Sequence[Publisher]) -> list[Action]:
        """Subscribe a waiting topic once its publishers tell the type (and QoS) to use."""
        if not publishers:
            return []
        types = sorted({p.type_name for p in publishers})
        if self.type_name is not None:
            if self.type_name not in types:
                return [Fail(self.series, f'publishers send {_and(types)}, the configuration '
                                          f'says {self.type_name}')]
            # Publishers of the configured type are heard; others show as a conflict.
            own = [p for p in publishers if p.type_name == self.type_name]
            return [self._subscribe(own), *self._check_types(publishers)]
        if len(types) > 1:
            return [Fail(self.series, f'topic {self.name} has types {_and(types)}')]
        try:
            msg_class = self.resolve(types[0])
        except MessageTypeError as error:
            return [Fail(self.series, str(error))]
        actions: list[Action] = []
        readers = []
        checked = []
        for series in self.series:
            try:
                path = check_path(msg_class, series.field)
            except FieldPathError as error:
                actions.append(Fail((series,), f'{types[0]}: {error}'))
            else:
                readers.append(series)
                checked.append(path)
        self.type_name = types[0]
        self.compile(msg_class, readers, checked)
        if readers:
            actions.append(self._subscribe(publishers))
        return actions

    def _subscribe(self, publishers: Sequence[Publisher], why: str = '') -> Subscribe:
        self.waiting = False
        self.subscribed = choose_qos([p.qos for p in publishers], self.qos)
        self.unmatched = 0
        return Subscribe(self.subscribed, why)

    def _check_types(self, publishers: Sequence[Publisher]) -> list[Action]:
        """Start or end a type conflict: the subscription stays, only the status changes."""
        types = sorted({p.type_name for p in publishers} | {self.type_name or ''})
        if len(types) > 1:
            why = f'topic {self.name} has types {_and(types)}'
            if why == self.conflict:
                return []
            self.conflict = why
            return [Conflict(why)]
        if self.conflict:
            ended, self.conflict = self.conflict, ''
            return [Clear(ended)]
        return []

    def _check_qos(self, publishers: Sequence[Publisher]) -> list[Action]:
        """Subscribe again when a publisher appeared that the current QoS cannot hear."""
        old = self.subscribed
        if old is None or all(hears(old, p.qos) for p in publishers):
            return []
        new = self._subscribe(publishers)
        return [Subscribe(new.qos, f'a publisher with other QoS appeared; subscribed again '
                                   f'({old.describe()} -> {new.qos.describe()})')]

    def _check_matched(self, publishers: Sequence[Publisher], matched: int) -> list[Action]:
        """
        Subscribe again when DDS keeps the subscription unmatched to publishers it can hear.

        The graph and the matching come from the same discovery data, so they agree within
        milliseconds; a publisher of the topic's type and a QoS the subscription hears that
        stays unmatched is a match discovery lost, and nothing else would ever show it.
        Publishers of another type or a QoS it cannot hear are not counted (DDS rightly does
        not match those).
        """
        qos = self.subscribed
        hearable = [p for p in publishers
                    if p.type_name == self.type_name and qos is not None and hears(qos, p.qos)]
        if matched >= len(hearable):
            self.unmatched = 0
            if matched:
                self.unmatched_limit = UNMATCHED_CHECKS
            return []
        self.unmatched += 1
        if self.unmatched < self.unmatched_limit:
            return []
        checks = self.unmatched
        self.unmatched_limit = min(2 * self.unmatched_limit, UNMATCHED_CHECKS_MAX)
        listed = f"{len(hearable)} publisher{'s' if len(hearable) > 1 else ''}"
        again = self._subscribe(
            hearable, f'DDS matched {matched} of the {listed} in the graph for '
                      f'{checks * GRAPH_CHECK_PERIOD:g} s; subscribed again')
        # Subscribing shows its readers 'waiting': a conflict that lasts shows again.
        return [again, *([Conflict(self.conflict)] if self.conflict else [])]


def plan_topics(config: Config, resolve: Resolve = message_class,
                source: str | None = None) -> dict[str, TopicState]:
    """
    Group the series by topic and compile the topics whose type the YAML names.

    :param config: the loaded configuration.
    :param resolve: message type name -> class (tests may pass their own).
    :param source: what errors name as their source, if not ``config.source``.
    :return: topic name -> its state, in the order the file first names each topic.
    :raise ConfigError: two series of a topic disagree on type or QoS; a named type is not
        installed, or a series' field does not fit it (naming the series' line and key).
    """
    source = source or config.source
    topics: dict[str, TopicState] = {}
    for series in config.series:
        topic = topics.get(series.topic)
        if topic is None:
            topics[series.topic] = TopicState(
                series.topic, (series,), series.type, series.qos, series.depth or 0, resolve)
            continue
        first = topic.series[0]
        if series.type and topic.type_name and series.type != topic.type_name:
            raise ConfigError(
                f"type '{series.type}' conflicts with '{first.type}' of {first.key} "
                f'on the same topic {series.topic}',
                source=source, line=series.line, key=f'{series.key}.type')
        if series.qos != 'auto' and topic.qos not in ('auto', series.qos):
            raise ConfigError(
                f"qos '{series.qos}' conflicts with '{topic.qos}' on the same topic "
                f'{series.topic} (one subscription per topic)',
                source=source, line=series.line, key=f'{series.key}.qos')
        topic.series += (series,)
        topic.type_name = topic.type_name or series.type
        topic.qos = series.qos if series.qos != 'auto' else topic.qos
        topic.depth = max(topic.depth, series.depth or 0)
    for topic in topics.values():
        topic.depth = topic.depth or AUTO_DEPTH  # no series gave one: sized for the drain loop
        if topic.type_name:
            _compile_typed(topic, source)
    return topics


def _compile_typed(topic: TopicState, source: str) -> None:
    """Resolve a type the YAML names and check every path against it, at start-up."""
    try:
        msg_class = topic.resolve(topic.type_name or '')
    except MessageTypeError as error:
        series = next(s for s in topic.series if s.type)
        raise ConfigError(str(error), source=source, line=series.line,
                          key=f'{series.key}.type') from None
    topic.compile(msg_class, topic.series, _checked_paths(topic, msg_class, source))


def _checked_paths(topic: TopicState, msg_class: MessageClass, source: str) -> list[FieldPath]:
    """Check every series' path against the topic's type; the first that fails is an error."""
    checked = []
    for series in topic.series:
        try:
            checked.append(check_path(msg_class, series.field))
        except FieldPathError as error:
            raise ConfigError(str(error), source=source, line=series.line,
                              key=f'{series.key}.field') from None
    return checked


@dataclass(frozen=True)
class Replan:
    """What the node does when the charts change at run time (:func:`replan_topics`)."""

    topics: dict[str, TopicState]  # the topics from now on, in the order series name them
    dropped: tuple[str, ...]  # no series reads them any more, or they start over: unsubscribe
    rewritten: tuple[str, ...]  # subscribed, their series changed: a new writer, same subscription
    started: tuple[str, ...]  # new, or starting over: do what TopicState.start says


def _subscription_key(topic: TopicState) -> tuple:
    """Return what the subscription depends on: a change of it makes the topic start over."""
    return topic.type_name if topic.msg_class is not None else None, topic.qos, topic.depth


def _readers_key(series: tuple[SeriesConfig, ...]) -> list[tuple]:
    """Return what a topic's writer and subscription depend on, series by series."""
    return [(s.id, s.field, s.stamp, s.scale, s.offset, s.type, s.qos, s.depth) for s in series]


def replan_topics(old: Mapping[str, TopicState], config: Config,
                  graph: Mapping[str, Sequence[str]], *, source: str,
                  resolve: Resolve = message_class) -> Replan:
    """
    Plan the topics of a changed configuration from those in force; check before anything is done.

    A topic whose series did not change keeps its state; one whose series changed keeps its
    subscription and what the graph taught it (type, QoS, conflict) and gets a new writer, unless
    its type, QoS or depth changed, when it starts over; a new topic starts as at start-up.

    Unlike a file, which may name topics that come later, a series a change adds must read a
    topic the graph has (a typo would wait for ever; series that were there may move to topics
    that come later: another namespace), and the paths on a topic of one known type are
    checked against it now.

    :param old: the topics in force (their states are reused, not changed).
    :param config: the new configuration.
    :param graph: topic -> the types the graph lists for it now.
    :param source: what errors name as their source (the request).
    :param resolve: message type name -> class.
    :raise ConfigError: a new topic the graph does not have, a type that is not installed, a
        path that does not fit the topic's type (naming the series' key), or what
        :func:`plan_topics` refuses.
    """
    topics = plan_topics(config, resolve, source)
    known_ids = {series.id for topic in old.values() for series in topic.series}
    dropped, rewritten, started = [], [], []
    for name, topic in topics.items():
        before = old.get(name)
        if before is not None and _readers_key(before.series) == _readers_key(topic.series):
            topics[name] = before
            continue
        first = next((s for s in topic.series if s.id not in known_ids), topic.series[0])
        if before is None and name not in graph and first.id not in known_ids:
            raise ConfigError(f'topic {name} is not in the ROS graph (no node publishes or '
                              'subscribes it): check the name', source=source,
                              line=first.line, key=f'{first.key}.topic')
        types = graph.get(name, ())
        known = before.type_name if before is not None and before.msg_class else None
        known = known or topic.type_name or (types[0] if len(types) == 1 else None)
        if known is not None and topic.msg_class is None:
            try:
                msg_class = resolve(known)
            except MessageTypeError as error:
                raise ConfigError(str(error), source=source, line=first.line,
                                  key=f'{first.key}.topic') from None
            checked = _checked_paths(topic, msg_class, source)
            if before is not None and before.msg_class is not None:
                topic.type_name = known
                topic.compile(msg_class, topic.series, checked)
        if before is None:
            started.append(name)
        elif _subscription_key(before) != _subscription_key(topic):
            dropped.append(name)
            started.append(name)
        elif before.subscribed is not None:
            topic.waiting, topic.subscribed = False, before.subscribed
            topic.conflict = before.conflict
            rewritten.append(name)
    dropped += [name for name in old if name not in topics]
    return Replan(topics, tuple(dropped), tuple(rewritten), tuple(started))
