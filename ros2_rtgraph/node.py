# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The rclpy node: parameters, and the subscriptions the topic planner asks for.

It owns no parsing, planning or maths: the parameters go through the YAML's rules
(:func:`ros2_rtgraph.config.apply_overrides`), :mod:`ros2_rtgraph.topics` decides what to
subscribe and when again, :mod:`ros2_rtgraph.writer` turns messages into samples. Its
``__init__`` loads the configuration and subscribes what it can; it starts no thread and binds
no port (main.py owns those). Every callback runs on the executor's one thread, which makes
that thread the single writer the sample store requires.

Two ways messages come in. By default (``drain=False``) each topic's subscription has a callback
that the executor runs per message. With ``drain=True`` (what ``rtgraph`` uses, where
:data:`ros2_rtgraph.rosdistro.DRAIN_INGEST` allows) the data subscriptions sit in a callback
group the executor never takes from, and :class:`ros2_rtgraph.ingest.DrainLoop` takes their
messages in batches on the spinning thread, serialized where :mod:`ros2_rtgraph.rawdecode`
can read the fields straight from the bytes; their QoS event handlers stay with the executor.

The page explores through it (from the web threads, each request run on the spinning thread,
woken by a guard condition: :meth:`GraphNode.call`): :meth:`GraphNode.edit` changes the charts
(the rings keep one writer; :func:`ros2_rtgraph.topics.replan_topics` says which subscriptions
stay, get a new writer, go or come), :meth:`GraphNode.graph_topics` lists the graph, and
:meth:`GraphNode.probe` measures a topic with a temporary subscription, dropped once the page
stops asking.
"""

from collections.abc import Callable
from concurrent.futures import Future
import dataclasses
from dataclasses import dataclass
import threading
import time
from typing import Any
from typing import cast
from typing import TypeVar

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.clock import Clock
from rclpy.clock import ClockType  # rclpy.clock_type does not exist on Humble
from rclpy.clock import ROSClock
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy
from rclpy.qos import HistoryPolicy
from rclpy.qos import qos_policy_name_from_kind
from rclpy.qos import QoSProfile
from rclpy.qos import ReliabilityPolicy
from rclpy.serialization import deserialize_message
from rclpy.subscription import Subscription
from rclpy.topic_endpoint_info import TopicEndpointInfo

from ros2_rtgraph.config import apply_overrides
from ros2_rtgraph.config import Config
from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import default_config_path
from ros2_rtgraph.config import load_config
from ros2_rtgraph.config import SeriesConfig
from ros2_rtgraph.editing import REQUEST_SOURCE
from ros2_rtgraph.fieldtree import field_tree
from ros2_rtgraph.fieldtree import name_sequences
from ros2_rtgraph.graphview import ProbeError
from ros2_rtgraph.graphview import ProbeWriter
from ros2_rtgraph.graphview import sequence_names
from ros2_rtgraph.graphview import topic_entry
from ros2_rtgraph.ingest import DrainedGroup
from ros2_rtgraph.ingest import never_called
from ros2_rtgraph.ingest import TopicIngest
from ros2_rtgraph.layout import Layout
from ros2_rtgraph.msgtypes import message_class
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.msgtypes import type_name
from ros2_rtgraph.qos import AUTO_DEPTH
from ros2_rtgraph.qos import choose_qos
from ros2_rtgraph.qos import Qos
from ros2_rtgraph.rosdistro import DRAIN_INGEST
from ros2_rtgraph.rosdistro import MATCHED_COUNT
from ros2_rtgraph.rosdistro import SubscriptionEventCallbacks
from ros2_rtgraph.topics import Action
from ros2_rtgraph.topics import Clear
from ros2_rtgraph.topics import Conflict
from ros2_rtgraph.topics import Fail
from ros2_rtgraph.topics import GRAPH_CHECK_PERIOD
from ros2_rtgraph.topics import plan_topics
from ros2_rtgraph.topics import Publisher
from ros2_rtgraph.topics import replan_topics
from ros2_rtgraph.topics import Subscribe
from ros2_rtgraph.topics import TopicState
from ros2_rtgraph.writer import TopicWriter

#: Where parameter errors say they come from (there is no file line for them).
PARAMETER_SOURCE = 'node parameters'
INGEST_CHOICES = ('drain', 'executor')
#: Topics probed at once (each is a subscription of its own while its row is open).
MAX_PROBES = 8
#: Seconds a probe lives after the page last asked about it.
PROBE_IDLE = 5.0
_T = TypeVar('_T')


@dataclass(frozen=True)
class _Probe:
    """A temporary subscription that measures a topic for the page (GraphNode.probe)."""

    subscription: Subscription
    writer: ProbeWriter
    msg_class: MessageClass
    names: tuple[str, ...]  # the paths of its type's string sequences (fieldtree.name_sequences)


@dataclass(frozen=True)
class NodeParameter:
    """One parameter of the node; all are read at start-up, so all are read-only."""

    name: str
    description: str
    #: The value when not given; None: no value (the YAML's stays in force), any type accepted.
    #: A callable is called for it.
    default: object = None


PARAMETERS = (
    NodeParameter('config_file', 'YAML file naming the charts and topics.', default_config_path),
    NodeParameter('ingest', "'drain' (batched takes, where rclpy allows) or 'executor' "
                            '(one callback per message)', 'drain'),
    NodeParameter('host', 'Address the web server binds (default: the YAML server.host).'),
    NodeParameter('port', 'TCP port of the web server, 0 = any free port (default: server.port).'),
    NodeParameter('token', "Access token for the web page; '' = no token, access control off "
                           '(default, when not given: server.token).'),
    NodeParameter('frame_rate', 'Stream frames per second (default: server.frame_rate).'),
    NodeParameter('max_points', 'Points per series per frame (default: server.max_points).'),
    NodeParameter('window', 'Seconds shown by default (default: server.window).'),
)
#: The parameters that override the YAML ``server:`` section, by the same rules.
SERVER_PARAMETERS = ('host', 'port', 'token', 'frame_rate', 'max_points', 'window')
#: Parameters for which an empty string is a value, not "not given": ``-p "token:=''"`` (and
#: the launch file's ``token:=none``) switches access control off, as ``token: ''`` in the YAML
#: does. rclpy tells the two apart (an absent parameter is NOT_SET, an empty one a STRING).
EMPTY_IS_A_VALUE = frozenset({'token'})


def _publisher(info: TopicEndpointInfo) -> Publisher:
    qos = info.qos_profile
    return Publisher(info.topic_type, Qos(
        reliable=qos.reliability == ReliabilityPolicy.RELIABLE,
        latched=qos.durability == DurabilityPolicy.TRANSIENT_LOCAL))


def _profile(qos: Qos, depth: int) -> QoSProfile:
    return QoSProfile(
        history=HistoryPolicy.KEEP_LAST, depth=depth,
        reliability=ReliabilityPolicy.RELIABLE if qos.reliable else ReliabilityPolicy.BEST_EFFORT,
        durability=(DurabilityPolicy.TRANSIENT_LOCAL if qos.latched
                    else DurabilityPolicy.VOLATILE))


class GraphNode(Node):
    """
    Subscribe the topics a YAML file names and append their samples to the rings.

    Exposes ``config`` (with the effective server settings), ``store`` (the rings), ``stats``
    (per-series counters and status) and ``layout`` (the series the page is shown, members of
    slices included, over the two) for the frame pump and the web app. With
    ``drains`` True, a :class:`ros2_rtgraph.ingest.DrainLoop` must spin it (it also calls the
    graph check, which an executor timer calls otherwise).
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
        given = self._declare_parameters()  # ingest and config_file have a default
        if given['ingest'] not in INGEST_CHOICES:
            raise ConfigError(f"must be 'drain' or 'executor', got {given['ingest']!r}",
                              source=PARAMETER_SOURCE, key='ingest')
        #: Whether a DrainLoop takes the data subscriptions' messages.
        self.drains = drain and DRAIN_INGEST and given['ingest'] == 'drain'
        #: Changes whenever drained_topics() does.
        self.drain_version = 0
        config = load_config(given.get('config_file') or default_config_path())
        self.config: Config = dataclasses.replace(config, server=apply_overrides(
            config.server, {name: given[name] for name in SERVER_PARAMETERS if name in given},
            source=PARAMETER_SOURCE))
        #: The charts and series the page is shown, over the rings and stats below.
        self.layout = Layout.for_config(self.config)
        self.store = self.layout.store
        self.stats = self.layout.stats
        self._topics = plan_topics(self.config)
        self._subscribed: dict[str, Subscription] = {}
        self._writers: dict[str, TopicWriter] = {}
        self._drained: dict[str, TopicIngest] = {}
        self._drain_group = DrainedGroup()
        self._logged: set[str] = set()
        # What web threads asked for, run on the spinning thread (call()).
        self._calls: list[tuple[Callable[[], Any], Future]] = []
        self._calls_lock = threading.Lock()
        self._calls_guard = self.create_guard_condition(self._run_calls)
        self._probes: dict[str, _Probe] = {}
        for topic in self._topics.values():
            self._apply(topic, topic.start())
        self.check_graph()
        #: Seconds between two graph checks: a DrainLoop calls :meth:`check_graph` this often,
        #: else a timer of the executor's does.
        self.graph_period = GRAPH_CHECK_PERIOD
        if not self.drains:
            # A steady clock: with use_sim_time a ROS-clock timer stands still while /clock does.
            self.create_timer(self.graph_period, self.check_graph,
                              clock=Clock(clock_type=ClockType.STEADY_TIME))

    def _declare_parameters(self) -> dict[str, Any]:
        """Declare every parameter; return the values given and the defaults there are."""
        given = {}
        for parameter in PARAMETERS:
            default = parameter.default() if callable(parameter.default) else parameter.default
            declared = self.declare_parameter(parameter.name, default, ParameterDescriptor(
                description=parameter.description, read_only=True,
                dynamic_typing=default is None))
            if declared.type_ == Parameter.Type.NOT_SET or (
                    declared.value == '' and default is None
                    and parameter.name not in EMPTY_IS_A_VALUE):
                continue
            given[parameter.name] = declared.value
        return given

    def call(self, work: Callable[[], _T]) -> 'Future[_T]':
        """
        Run ``work`` on the node's thread, which owns the subscriptions and writes the rings.

        Any thread may call; the future is done with what ``work`` returned or raised (a failure
        ends no thread). Work cancelled before it ran never runs.
        """
        future: Future[_T] = Future()
        with self._calls_lock:
            self._calls.append((work, future))
        self._calls_guard.trigger()
        return future

    def _run_calls(self) -> None:
        with self._calls_lock:
            calls, self._calls = self._calls, []
        for work, future in calls:
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work()
            except Exception as error:  # noqa: BLE001 (the asking thread gets it)
                future.set_exception(error)
            else:
                future.set_result(result)

    def edit(self, change: Callable[[Config], Config]) -> 'Future[Config]':
        """
        Change the charts; the node's thread applies it (:meth:`call`), as it writes the rings.

        :param change: the configuration in force -> the next one (:mod:`ros2_rtgraph.editing`);
            may raise ConfigError or ChartNotFoundError.
        :return: done with the configuration in force after it, or the error (ConfigError when
            a path does not fit its topic's type, too): nothing changed then.
        """
        def apply() -> Config:
            config = change(self.config)
            self._replan(config)
            return config

        return self.call(apply)

    def graph_topics(self) -> list[dict]:
        """Return every topic of the graph for the page's browser (node thread: :meth:`call`)."""
        return [
            topic_entry(name, types,
                        [_publisher(p).qos for p in self.get_publishers_info_by_topic(name)],
                        self.count_subscribers(name), name in self._topics)
            for name, types in sorted(self.get_topic_names_and_types())]

    def probe(self, name: str) -> dict:
        """
        Measure a topic while the page asks (node thread: :meth:`call`).

        The first call subscribes (best effort unless every publisher is reliable: as the charts
        do); the subscription goes :data:`PROBE_IDLE` seconds after the last call.

        :return: ``{'type', 'rate', 'messages', 'names'}``: the rate in Hz over the last
            seconds, and what the string sequences of the newest message hold (name lookups);
            for a topic without publishers (nothing subscribed), type None and no messages.
        :raise ProbeError: publishers of several types, or :data:`MAX_PROBES` are running.
        """
        probe = self._probes.get(name)
        if probe is None:
            infos = self.get_publishers_info_by_topic(name)
            if not infos:
                return {'type': None, 'rate': 0.0, 'messages': 0, 'names': {}}
            probe = self._start_probe(name, infos)
        writer = probe.writer
        writer.polled = time.monotonic()
        names: dict[str, list[str]] = {}
        if writer.last is not None and probe.names:
            names = sequence_names(deserialize_message(writer.last, writer.msg_type), probe.names)
        return {'type': type_name(probe.msg_class), 'rate': round(writer.rate(), 2),
                'messages': writer.messages, 'names': names}

    def _start_probe(self, name: str, infos: list[TopicEndpointInfo]) -> _Probe:
        if len(self._probes) >= MAX_PROBES:
            raise ProbeError(f'{MAX_PROBES} topics are probed already: close one')
        types = sorted({info.topic_type for info in infos})
        if len(types) != 1:
            raise ProbeError(f"{name} has types {', '.join(types)}")
        try:
            msg_class = message_class(types[0])
        except MessageTypeError as error:
            raise ProbeError(str(error)) from None
        msg_type = cast(type, msg_class)
        writer = ProbeWriter(msg_type)
        qos = _profile(choose_qos([_publisher(i).qos for i in infos], 'auto'), AUTO_DEPTH)
        if self.drains:
            subscription = self.create_subscription(
                msg_type, name, never_called, qos, callback_group=self._drain_group, raw=True)
            self._drained[f'probe {name}'] = TopicIngest(subscription, writer)
            self.drain_version += 1
        else:
            subscription = self.create_subscription(
                msg_type, name, lambda data: writer.write([(data, {})]), qos, raw=True)
        probe = self._probes[name] = _Probe(subscription, writer, msg_class,
                                            tuple(name_sequences(field_tree(msg_class))))
        return probe

    def _drop_idle_probes(self) -> None:
        now = time.monotonic()
        for name, probe in list(self._probes.items()):
            if now - probe.writer.polled > PROBE_IDLE:
                del self._probes[name]
                if self._drained.pop(f'probe {name}', None) is not None:
                    self.drain_version += 1
                self.destroy_subscription(probe.subscription)

    def _replan(self, config: Config) -> None:
        """Show ``config`` and make the subscriptions follow; raise before changing anything."""
        graph = dict(self.get_topic_names_and_types())
        replan = replan_topics(self._topics, config, graph, source=REQUEST_SOURCE)
        self.config = config
        self.layout.replace(config)  # rings and stats of new series before a writer has them
        for name in replan.dropped:
            if name in self._subscribed:
                self._unsubscribe(name)
        self._topics = replan.topics
        for name in replan.rewritten:
            self._writers[name].recompile(self._topics[name])
        for name in replan.started:
            self._apply(self._topics[name], self._topics[name].start())
        self.check_graph()

    def drained_topics(self) -> list[TopicIngest]:
        """Return the subscriptions a drain loop serves (empty unless ``drains``)."""
        return list(self._drained.values())

    def check_graph(self) -> None:
        """Show the planner what the graph lists for each topic, and do what it says."""
        self._drop_idle_probes()
        for topic in self._topics.values():
            if not (topic.waiting or topic.subscribed):
                continue  # no series' path fits its type: nothing will ever be subscribed
            publishers = [_publisher(p) for p in self.get_publishers_info_by_topic(topic.name)]
            subscription = self._subscribed.get(topic.name)
            matched = (subscription.get_publisher_count()
                       if MATCHED_COUNT and subscription is not None else None)
            self._apply(topic, topic.on_graph(publishers, matched))

    def _apply(self, topic: TopicState, actions: list[Action]) -> None:
        for action in actions:
            match action:
                case Subscribe():
                    self._subscribe(topic, action)
                case Fail():
                    self._fail(action.series, action.why)
                case Conflict():
                    self._fail(topic.readers, action.why)
                case Clear():
                    self._clear(topic, action.why)

    def _subscribe(self, topic: TopicState, action: Subscribe) -> None:
        """Subscribe (again) with the action's QoS; its readers wait for a first sample."""
        if topic.name in self._subscribed:
            self._unsubscribe(topic.name)
        for series in topic.readers:
            stats = self.stats.series[series.id]
            stats.state, stats.reason = 'waiting', ''
        writer = TopicWriter(topic, self.store, self.stats, cast(ROSClock, self.get_clock()),
                             deserialize_message, serialized=self.drains, members=self.layout)

        def incompatible(event: Any) -> None:  # an rclpy type mypy cannot resolve on Jazzy
            policy = qos_policy_name_from_kind(event.last_policy_kind)
            self._fail(topic.readers, f'incompatible QoS ({policy})')

        events = SubscriptionEventCallbacks(incompatible_qos=incompatible)
        qos = _profile(action.qos, topic.depth)
        if self.drains:
            subscription = self.create_subscription(
                writer.msg_type, topic.name, never_called, qos, callback_group=self._drain_group,
                event_callbacks=events, raw=writer.raw)
            self._drained[topic.name] = TopicIngest(subscription, writer)
            self.drain_version += 1
        else:
            subscription = self.create_subscription(
                writer.msg_type, topic.name, writer.callback(), qos, event_callbacks=events)
        self._subscribed[topic.name] = subscription
        self._writers[topic.name] = writer
        self.get_logger().info(
            f'subscribed {topic.name} ({topic.type_name}, {action.qos.describe()}) '
            f'for {len(topic.readers)} series')
        if action.why:
            self.get_logger().info(f'{topic.name}: {action.why}')

    def _unsubscribe(self, name: str) -> None:
        if self._drained.pop(name, None) is not None:
            self.drain_version += 1
        del self._writers[name]
        self.destroy_subscription(self._subscribed.pop(name))

    def _fail(self, series: tuple[SeriesConfig, ...], why: str) -> None:
        """Show a problem as the series' status (its first line) and log it once (all of it)."""
        reason = why.splitlines()[0]
        for one in series:
            stats = self.stats.series[one.id]
            stats.state, stats.reason = 'error', reason
        text = _problem(series, why)
        if text not in self._logged:
            self._logged.add(text)
            self.get_logger().error(text)

    def _clear(self, topic: TopicState, why: str) -> None:
        """End a type conflict: its readers are ok again, and it is logged if it comes back."""
        for series in topic.readers:
            stats = self.stats.series[series.id]
            if (stats.state, stats.reason) == ('error', why):
                stats.state, stats.reason = 'ok', ''  # 'waiting' if nothing was ever received
        self._logged.discard(_problem(topic.readers, why))
        self.get_logger().info(f'{topic.name}: every publisher sends {topic.type_name} again')


def _problem(series: tuple[SeriesConfig, ...], why: str) -> str:
    """Return the log line of a problem of some series."""
    return f"{', '.join(s.label for s in series)}: {why}"

