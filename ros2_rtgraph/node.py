# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The rclpy node: parameters, type discovery, QoS matching, subscriptions and per-series stats.

It wires config, fieldpath, msgtypes and ringbuffer together and owns no parsing or maths. Its
``__init__`` loads the configuration and subscribes what it can; it starts no thread and binds no
port (main.py owns those). Every callback runs on the executor's one thread, which makes that
thread the single writer the sample store requires.

Two ways messages come in. By default (``drain=False``) each topic's subscription has a callback
that the executor runs per message. With ``drain=True`` (what ``rtgraph`` uses, where
:data:`ros2_rtgraph.rosdistro.DRAIN_INGEST` allows) the data subscriptions sit in a callback
group the executor never takes from, and :class:`ros2_rtgraph.ingest.DrainLoop` takes their
messages in batches on the spinning thread, serialized where :mod:`ros2_rtgraph.rawdecode`
can read the fields straight from the bytes; their QoS event handlers stay with the executor.
Both ways store through one :class:`ros2_rtgraph.ingest.TopicWriter` per topic.

A topic is subscribed once however many series read it. Its type comes from the YAML file or,
when the file omits it, from the publishers in the graph; with ``qos: auto`` the subscription
also waits for a publisher so that its QoS can match. Topics still waiting are re-checked by a
1 Hz timer, and so are subscribed topics: while publishers of another type share the topic, its
series show ``error: topic /x has types A and B`` (the subscription stays and keeps hearing the
publishers of its own type); and with ``qos: auto``, when a publisher appears that the current
QoS cannot hear (best effort after reliable, volatile after transient-local), the topic is
subscribed again with the QoS chosen from the publishers now present. A subscription that DDS
has not matched to every publisher the graph lists as one it can hear, for
``UNMATCHED_CHECKS`` checks in a row, is created again too (a match lost in discovery would
otherwise leave its series waiting for good); where rclpy cannot count matches (Humble), this
check is off.

A message whose sequence is too short for a series' index gives that series no sample: it is
counted in ``errors`` and, while the topic's most recent message is such a one, the series'
status says which index and how many entries there were (``SeriesStats.missing``).
"""

from collections.abc import Callable
from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.clock import Clock
from rclpy.clock import ClockType  # rclpy.clock_type does not exist on Humble
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy
from rclpy.qos import HistoryPolicy
from rclpy.qos import qos_policy_name_from_kind
from rclpy.qos import qos_profile_sensor_data
from rclpy.qos import QoSProfile
from rclpy.qos import ReliabilityPolicy
from rclpy.subscription import Subscription
from rclpy.topic_endpoint_info import TopicEndpointInfo

from ros2_rtgraph.config import Config
from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import default_config_path
from ros2_rtgraph.config import load_config
from ros2_rtgraph.config import SeriesConfig
from ros2_rtgraph.fieldpath import check_path
from ros2_rtgraph.fieldpath import FieldPathError
from ros2_rtgraph.fieldpath import TopicExtractor
from ros2_rtgraph.ingest import AUTO_DEPTH
from ros2_rtgraph.ingest import NO_INFO
from ros2_rtgraph.ingest import SeriesPlan
from ros2_rtgraph.ingest import STAMP_PATHS
from ros2_rtgraph.ingest import TopicIngest
from ros2_rtgraph.ingest import TopicWriter
from ros2_rtgraph.msgtypes import has_header
from ros2_rtgraph.msgtypes import message_class
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.msgtypes import normalize_type_name
from ros2_rtgraph.rawdecode import compile_decoder
from ros2_rtgraph.ringbuffer import SampleStore
from ros2_rtgraph.rosdistro import DRAIN_INGEST
from ros2_rtgraph.rosdistro import MATCHED_COUNT
from ros2_rtgraph.rosdistro import QoSRequestedIncompatibleQoSInfo
from ros2_rtgraph.rosdistro import SubscriptionEventCallbacks
from ros2_rtgraph.stats import StatsBoard

#: Seconds between two looks at the graph for topics that are still waiting.
GRAPH_CHECK_PERIOD = 1.0
#: Graph checks in a row that may find a subscription matched to fewer publishers than the
#: graph lists (ones it can hear) before it is created again: DDS matches within milliseconds
#: of discovery, so a few seconds is a match that will not come. Doubled after each attempt
#: that did not help, up to UNMATCHED_CHECKS_MAX, so that a match that cannot be made (a
#: publisher whose type hash differs, say) costs a line now and then, not one a second.
UNMATCHED_CHECKS = 3
UNMATCHED_CHECKS_MAX = 60

#: Where parameter errors say they come from (there is no file line for them).
PARAMETER_SOURCE = 'node parameters'


def _text(value: Any) -> str:
    return str(value)


def _port(value: Any) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError('must be a port number in 0..65535 (0 picks a free one)')
    return value


def _positive_float(value: Any) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else 0.0
    except ValueError:
        number = 0.0
    if not number > 0:
        raise ValueError('must be a number greater than 0')
    return number


def _positive_int(value: Any) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('must be a whole number greater than 0')
    return value


# Parameters that override the YAML `server:` section: name -> (conversion, description).
# They are declared without a value: a parameter nobody sets leaves the file's value in force,
# and an empty string (what a launch argument left blank passes) counts as not set, except for
# the token (see EMPTY_IS_A_VALUE).
SERVER_PARAMETERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    'host': (_text, 'Address the web server binds (default: the YAML server.host).'),
    'port': (_port, 'TCP port of the web server, 0 = any free port (default: server.port).'),
    'token': (_text, "Access token for the web page; '' = no token, access control off "
                     '(default, when not given: server.token).'),
    'frame_rate': (_positive_float, 'Stream frames per second (default: server.frame_rate).'),
    'max_points': (_positive_int, 'Points per series per frame (default: server.max_points).'),
    'window': (_positive_float, 'Seconds shown by default (default: server.window).'),
}
#: Parameters for which an empty string is a value, not "not given": ``-p "token:=''"``
#: switches access control off, as ``token: ''`` in the YAML does. rclpy tells the two apart
#: (an absent parameter is NOT_SET, an empty one a STRING), and the launch file passes the
#: token only when its argument is not the default 'auto'.
EMPTY_IS_A_VALUE = frozenset({'token'})


def choose_qos(publisher_profiles: Sequence[QoSProfile], requested: str,
               depth: int) -> QoSProfile:
    """
    Choose the subscription QoS for a topic, as ``ros2 topic echo`` does.

    Reliable only when every publisher is reliable (a reliable subscription gets nothing from a
    best-effort publisher); transient-local only when every publisher is (so late joiners still
    get latched data without making volatile publishers incompatible).

    :param publisher_profiles: QoS of the publishers in the graph, possibly none.
    :param requested: the series' ``qos`` setting: 'auto', 'sensor_data', 'reliable' or
        'best_effort'; anything but 'auto' wins over the publishers.
    :param depth: history depth to keep.
    :return: the profile to subscribe with.
    """
    if requested == 'sensor_data' or (requested == 'auto' and not publisher_profiles):
        return QoSProfile(
            history=HistoryPolicy.KEEP_LAST, depth=depth,
            reliability=qos_profile_sensor_data.reliability,
            durability=qos_profile_sensor_data.durability)
    if requested == 'auto':
        reliable = all(p.reliability == ReliabilityPolicy.RELIABLE for p in publisher_profiles)
        latched = all(
            p.durability == DurabilityPolicy.TRANSIENT_LOCAL for p in publisher_profiles)
    else:
        reliable, latched = requested == 'reliable', False
    return QoSProfile(
        history=HistoryPolicy.KEEP_LAST, depth=depth,
        reliability=ReliabilityPolicy.RELIABLE if reliable else ReliabilityPolicy.BEST_EFFORT,
        durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else DurabilityPolicy.VOLATILE)


@dataclass
class _Topic:
    """One subscribed (or still waiting) topic and the series that read from it."""

    name: str
    series: list[SeriesConfig]
    type_name: str | None   # from YAML (normalised), None = discover
    qos: str                # 'auto' or the series' explicit choice
    depth: int              # the largest depth its series give, else AUTO_DEPTH
    msg_class: type | None = None
    readers: list[SeriesConfig] = field(default_factory=list)  # series whose path fits
    paths: list[str] = field(default_factory=list)  # distinct fields of the readers
    extractor: TopicExtractor | None = None
    waiting: bool = True    # False once subscribed, or when no series' path fits the type
    subscription: Subscription | None = None
    subscribed_qos: QoSProfile | None = None
    conflict: str = ''      # the type conflict its readers show while it lasts, '' = none
    conflict_log: str = ''  # what was logged for it, logged again if the conflict comes back
    unmatched: int = 0      # graph checks in a row that found publishers it is not matched to
    unmatched_limit: int = UNMATCHED_CHECKS  # how many make it subscribe again

    def compile(self, msg_class: type, readers: list[SeriesConfig]) -> None:
        """Compile one extractor for the distinct field paths of the series that fit."""
        self.msg_class, self.readers = msg_class, readers
        self.paths = list(dict.fromkeys(s.field for s in readers))
        self.extractor = TopicExtractor(msg_class, self.paths) if readers else None
        self.waiting = bool(readers)


def _group_by_topic(config: Config) -> dict[str, _Topic]:
    """Group series by topic; conflicting type or QoS on one topic is a configuration error."""
    topics: dict[str, _Topic] = {}
    for series in config.series:
        type_name = normalize_type_name(series.type) if series.type else None
        topic = topics.get(series.topic)
        if topic is None:
            topics[series.topic] = _Topic(
                series.topic, [series], type_name, series.qos, series.depth or 0)
            continue
        first = topic.series[0]
        if type_name and topic.type_name and type_name != topic.type_name:
            raise ConfigError(
                f"type '{series.type}' conflicts with '{first.type}' of {first.key} "
                f'on the same topic {series.topic}',
                source=config.source, line=series.line, key=f'{series.key}.type')
        if series.qos != 'auto' and topic.qos not in ('auto', series.qos):
            raise ConfigError(
                f"qos '{series.qos}' conflicts with '{topic.qos}' on the same topic "
                f'{series.topic} (one subscription per topic)',
                source=config.source, line=series.line, key=f'{series.key}.qos')
        topic.series.append(series)
        topic.type_name = topic.type_name or type_name
        topic.qos = series.qos if series.qos != 'auto' else topic.qos
        topic.depth = max(topic.depth, series.depth or 0)
    for topic in topics.values():
        topic.depth = topic.depth or AUTO_DEPTH  # no series gave one: sized for the drain loop
    return topics


def _and(names: Sequence[str]) -> str:
    """Join names as a sentence does: 'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _deafens(qos: QoSProfile, publishers: Sequence[TopicEndpointInfo]) -> bool:
    """Tell whether a subscription with ``qos`` cannot hear one of the publishers."""
    return any(
        (qos.reliability == ReliabilityPolicy.RELIABLE
         and p.qos_profile.reliability != ReliabilityPolicy.RELIABLE)
        or (qos.durability == DurabilityPolicy.TRANSIENT_LOCAL
            and p.qos_profile.durability != DurabilityPolicy.TRANSIENT_LOCAL)
        for p in publishers)


class _DrainedGroup(ReentrantCallbackGroup):
    """
    The callback group of drained subscriptions: the executor serves their event handlers only.

    An executor waits on an entity only when its group ``can_execute`` it, so it never takes a
    message the drain loop should take.
    """

    def can_execute(self, entity: Any) -> bool:
        return not isinstance(entity, Subscription)


def _never_called(msg: Any) -> None:
    raise AssertionError('a drained subscription was executed')  # pragma: no cover


class GraphNode(Node):
    """
    Subscribe the topics a YAML file names and append their samples to the rings.

    Exposes ``config`` (with the effective server settings), ``store`` (the rings) and
    ``stats`` (per-series counters and status) for the frame pump and the web app. With
    ``drains`` True, a :class:`ros2_rtgraph.ingest.DrainLoop` must spin it.
    """

    def __init__(self, node_name: str = 'rtgraph', *, drain: bool = False, **kwargs: Any):
        """
        Declare the parameters, load the configuration and subscribe what is already there.

        :param node_name: the ROS node name.
        :param drain: leave the data subscriptions to a drain loop (when this rclpy has what it
            needs and the ``ingest`` parameter is not 'executor'); see ``drains``.
        :param kwargs: passed on to :class:`rclpy.node.Node` (``context``, ``cli_args``,
            ``parameter_overrides``, ...).
        :raise ConfigError: the file or a parameter cannot be used; a typed series whose field
            path does not fit its type names the series' line and key.
        """
        super().__init__(node_name, **kwargs)
        ingest = self.declare_parameter(
            'ingest', 'drain', ParameterDescriptor(
                description="'drain' (batched takes, where rclpy allows) or 'executor' "
                            '(one callback per message)')).value
        if ingest not in ('drain', 'executor'):
            raise ConfigError(f"must be 'drain' or 'executor', got {ingest!r}",
                              source=PARAMETER_SOURCE, key='ingest')
        #: Whether a DrainLoop takes the data subscriptions' messages.
        self.drains = drain and DRAIN_INGEST and ingest == 'drain'
        #: Changes whenever drained_topics() does.
        self.drain_version = 0
        self._drained: dict[str, TopicIngest] = {}
        self._drain_group = _DrainedGroup()
        self.config = self._load_config()
        server = self.config.server
        self.store = SampleStore([s.id for s in self.config.series], server.buffer)
        self.stats = StatsBoard([s.id for s in self.config.series],
                                {s.id: s.stale_after for s in self.config.series})
        self._logged: set[str] = set()
        self._topics = _group_by_topic(self.config)
        for topic in self._topics.values():
            if topic.type_name:
                self._compile_typed(topic)
        self._check_graph()
        # A steady clock: with use_sim_time a ROS-clock timer stands still while /clock does.
        self._graph_timer = self.create_timer(
            GRAPH_CHECK_PERIOD, self._check_graph, clock=Clock(clock_type=ClockType.STEADY_TIME))

    def _load_config(self) -> Config:
        path = self.declare_parameter(
            'config_file', default_config_path(),
            ParameterDescriptor(description='YAML file naming the charts and topics.')).value
        config = load_config(path or default_config_path())
        overrides = {}
        for name, (convert, description) in SERVER_PARAMETERS.items():
            parameter = self.declare_parameter(
                name, None, ParameterDescriptor(description=description, dynamic_typing=True))
            if parameter.type_ == Parameter.Type.NOT_SET or (
                    parameter.value == '' and name not in EMPTY_IS_A_VALUE):
                continue
            try:
                overrides[name] = convert(parameter.value)
            except ValueError as error:
                raise ConfigError(f'{error}, got {parameter.value!r}',
                                  source=PARAMETER_SOURCE, key=name) from None
        return dataclasses.replace(
            config, server=dataclasses.replace(config.server, **overrides))

    def _compile_typed(self, topic: _Topic) -> None:
        """Resolve a type the YAML names and check every path against it, at start-up."""
        source = self.config.source
        try:
            msg_class = message_class(topic.type_name)
        except MessageTypeError as error:
            series = next(s for s in topic.series if s.type)
            raise ConfigError(str(error), source=source, line=series.line,
                              key=f'{series.key}.type') from None
        for series in topic.series:
            try:
                check_path(msg_class, series.field)
            except FieldPathError as error:
                raise ConfigError(str(error), source=source, line=series.line,
                                  key=f'{series.key}.field') from None
        topic.compile(msg_class, list(topic.series))
        if topic.qos != 'auto':
            # Nothing to learn from the graph: subscribe now, publishers may come later.
            self._subscribe(topic, [])

    def drained_topics(self) -> list[TopicIngest]:
        """Return the subscriptions a drain loop serves (empty unless ``drains``)."""
        return list(self._drained.values())

    def _check_graph(self) -> None:
        """
        Look at the graph once (timer callback).

        Waiting topics are subscribed when their publishers have appeared. Subscribed ones are
        checked for a publisher of another type (shown as an error while it lasts), with
        ``qos: auto`` for a publisher the current QoS cannot hear, and for publishers DDS
        never matched them to.
        """
        for topic in self._topics.values():
            if topic.waiting:
                self._check_topic(topic)
            elif topic.subscription is not None:
                publishers = self.get_publishers_info_by_topic(topic.name)
                if self._check_types(topic, publishers) and topic.qos == 'auto':
                    self._check_qos(topic, publishers)
                if MATCHED_COUNT:
                    self._check_matched(topic, publishers)

    def _check_types(self, topic: _Topic, publishers: list[TopicEndpointInfo]) -> bool:
        """
        Show a type conflict on a subscribed topic as its readers' status while it lasts.

        The subscription stays: the publishers of its type keep being heard (DDS does not
        match the others), so only the status changes, and changes back when the odd
        publishers leave.

        :return: whether every publisher has the subscription's type.
        """
        types = sorted({p.topic_type for p in publishers} | {topic.type_name})
        if len(types) > 1:
            why = f'topic {topic.name} has types {_and(types)}'
            if why != topic.conflict:
                topic.conflict = why
                topic.conflict_log = self._fail(topic.readers, why)
            return False
        if topic.conflict:
            state = f'error: {topic.conflict}'
            for series in topic.readers:
                stats = self.stats.series[series.id]
                if stats.state == state:
                    stats.state = 'ok'  # 'waiting' again if nothing was ever received
            self._logged.discard(topic.conflict_log)
            topic.conflict = topic.conflict_log = ''
            self.get_logger().info(f'{topic.name}: every publisher sends {topic.type_name} again')
        return True

    def _check_qos(self, topic: _Topic, publishers: list[TopicEndpointInfo]) -> None:
        """Subscribe again when a publisher appeared that the current QoS cannot hear."""
        if not publishers or not _deafens(topic.subscribed_qos, publishers):
            return
        old = topic.subscribed_qos
        self._unsubscribe(topic)
        self._subscribe(topic, publishers)
        new = topic.subscribed_qos
        self.get_logger().info(
            f'{topic.name}: a publisher with other QoS appeared; subscribed again '
            f'({old.reliability.name.lower()}, {old.durability.name.lower()} -> '
            f'{new.reliability.name.lower()}, {new.durability.name.lower()})')

    def _check_matched(self, topic: _Topic, publishers: list[TopicEndpointInfo]) -> None:
        """
        Subscribe again when DDS keeps the subscription unmatched to publishers it can hear.

        The graph and the matching come from the same discovery data, so they agree within
        milliseconds; a publisher of the topic's type and a QoS the subscription hears that
        stays unmatched is a match discovery lost, and nothing else would ever show it: the
        series just stay 'waiting'. Publishers of another type or a QoS it cannot hear are
        not counted (DDS rightly does not match those).
        """
        hearable = [p for p in publishers if p.topic_type == topic.type_name
                    and not _deafens(topic.subscribed_qos, [p])]
        matched = topic.subscription.get_publisher_count()
        if matched >= len(hearable):
            topic.unmatched = 0
            if matched:
                topic.unmatched_limit = UNMATCHED_CHECKS
            return
        topic.unmatched += 1
        if topic.unmatched < topic.unmatched_limit:
            return
        checks, limit = topic.unmatched, topic.unmatched_limit
        self._unsubscribe(topic)
        self._subscribe(topic, hearable)
        if topic.conflict:
            self._fail(topic.readers, topic.conflict)  # _subscribe set them 'waiting'
        topic.unmatched_limit = min(2 * limit, UNMATCHED_CHECKS_MAX)
        listed = f"{len(hearable)} publisher{'s' if len(hearable) > 1 else ''}"
        self.get_logger().info(
            f'{topic.name}: DDS matched {matched} of the {listed} in the graph for '
            f'{checks * GRAPH_CHECK_PERIOD:g} s; subscribed again')

    def _check_topic(self, topic: _Topic) -> None:
        publishers = self.get_publishers_info_by_topic(topic.name)
        if not publishers:
            return
        types = sorted({p.topic_type for p in publishers})
        if topic.type_name is not None:
            if topic.type_name not in types:
                self._fail(topic.series,
                           f'publishers send {_and(types)}, the configuration says '
                           f'{topic.type_name}')
                return
            # Publishers of the configured type are heard; others show as a conflict.
            self._subscribe(topic, [p for p in publishers if p.topic_type == topic.type_name])
            self._check_types(topic, publishers)
            return
        if len(types) > 1:
            self._fail(topic.series, f'topic {topic.name} has types {_and(types)}')
            return
        try:
            msg_class = message_class(types[0])
        except MessageTypeError as error:
            self._fail(topic.series, str(error))
            return
        readers = []
        for series in topic.series:
            try:
                check_path(msg_class, series.field)
            except FieldPathError as error:
                self._fail([series], f'{types[0]}: {error}')
            else:
                readers.append(series)
        topic.type_name = types[0]
        topic.compile(msg_class, readers)
        if readers:
            self._subscribe(topic, publishers)

    def _subscribe(self, topic: _Topic, publishers: list[TopicEndpointInfo]) -> None:
        qos = choose_qos([p.qos_profile for p in publishers], topic.qos, topic.depth)
        for series in topic.readers:
            self.stats.series[series.id].state = 'waiting'
        topic.waiting = False
        topic.subscribed_qos = qos
        topic.unmatched = 0
        events = SubscriptionEventCallbacks(
            incompatible_qos=lambda event: self._on_incompatible_qos(topic, event))
        if self.drains:
            self._subscribe_drained(topic, qos, events)
        else:
            topic.subscription = self.create_subscription(
                topic.msg_class, topic.name, self._make_callback(topic), qos,
                event_callbacks=events)
        self.get_logger().info(
            f'subscribed {topic.name} ({topic.type_name}, {qos.reliability.name.lower()}, '
            f'{qos.durability.name.lower()}) for {len(topic.readers)} series')

    def _subscribe_drained(self, topic: _Topic, qos: QoSProfile,
                           events: SubscriptionEventCallbacks) -> None:
        """Subscribe for the drain loop: serialized when the fields can be read from bytes."""
        writer = self._writer(topic, serialized=True)
        topic.subscription = self.create_subscription(
            topic.msg_class, topic.name, _never_called, qos, callback_group=self._drain_group,
            event_callbacks=events, raw=writer.raw)
        self._drained[topic.name] = TopicIngest(topic.subscription, writer)
        self.drain_version += 1

    def _unsubscribe(self, topic: _Topic) -> None:
        if self._drained.pop(topic.name, None) is not None:
            self.drain_version += 1
        self.destroy_subscription(topic.subscription)
        topic.subscription = None

    def _on_incompatible_qos(self, topic: _Topic,
                             event: QoSRequestedIncompatibleQoSInfo) -> None:
        policy = qos_policy_name_from_kind(event.last_policy_kind)
        self._fail(topic.readers, f'incompatible QoS ({policy})')

    def _fail(self, series: list[SeriesConfig], why: str) -> str:
        """
        Show a problem as the series' status (its first line) and log it once (all of it).

        :return: the logged text.
        """
        state = f'error: {why.splitlines()[0]}'
        for one in series:
            self.stats.series[one.id].state = state
        text = f"{', '.join(s.label for s in series)}: {why}"
        if text not in self._logged:
            self._logged.add(text)
            self.get_logger().error(text)
        return text

    def _make_callback(self, topic: _Topic) -> Callable[[Any], None]:
        """Build the topic's message callback for the standard executor: one message a batch."""
        write = self._writer(topic, serialized=False).write
        return lambda msg: write([(msg, NO_INFO)])

    def _writer(self, topic: _Topic, *, serialized: bool) -> TopicWriter:
        """
        Return what turns the topic's messages into samples.

        :param serialized: read serialized messages where the fields' layout allows it
            (``writer.raw`` then says so); else message objects.
        """
        plans = self._plans(topic)
        header = any(plan.stamped for plan in plans)
        decoder = compile_decoder(
            topic.msg_class, [*topic.paths, *(STAMP_PATHS if header else ())]
        ) if serialized else None
        return TopicWriter(topic.msg_class, topic.extractor, plans, header, decoder, self.store,
                           self.get_clock())

    def _plans(self, topic: _Topic) -> list[SeriesPlan]:
        """Return, per series reading the topic, where its value is and how to store it."""
        header = has_header(topic.msg_class)
        return [SeriesPlan(s.id, topic.paths.index(s.field), s.scale, s.offset,
                           header and s.stamp == 'header', self.stats.series[s.id], s.field)
                for s in topic.readers]
