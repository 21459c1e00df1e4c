# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The topic planner's transitions as tables: no DDS, the graph is a list of publishers.

Message classes are the real generated ones (importing them starts nothing); test_node.py
proves on real DDS that the node carries the actions out.
"""

import pytest

from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.config import parse_config
from ros2_rtgraph.msgtypes import MessageTypeError
from ros2_rtgraph.qos import AUTO_DEPTH
from ros2_rtgraph.qos import Qos
from ros2_rtgraph.topics import Clear
from ros2_rtgraph.topics import Conflict
from ros2_rtgraph.topics import Fail
from ros2_rtgraph.topics import plan_topics
from ros2_rtgraph.topics import Publisher
from ros2_rtgraph.topics import replan_topics
from ros2_rtgraph.topics import Subscribe
from ros2_rtgraph.topics import TopicState
from ros2_rtgraph.topics import UNMATCHED_CHECKS
from ros2_rtgraph.topics import UNMATCHED_CHECKS_MAX

FLOAT64 = 'std_msgs/msg/Float64'
INT32 = 'std_msgs/msg/Int32'
RELIABLE = Qos(reliable=True, latched=False)
BEST_EFFORT = Qos(reliable=False, latched=False)
LATCHED = Qos(reliable=True, latched=True)


def publisher(type_name: str = FLOAT64, qos: Qos = RELIABLE) -> Publisher:
    return Publisher(type_name, qos)


def topic(*fields: str, **options: str) -> TopicState:
    """Plan series of topic /t reading ``fields`` (default: data) and return its state."""
    keys = ''.join(f', {key}: {value}' for key, value in options.items())
    items = ', '.join(f'{{topic: /t, field: {field}{keys}}}' for field in fields or ('data',))
    return plan_topics(parse_config(f'charts: [{{title: T, series: [{items}]}}]'))['/t']


def subscribed(qos: Qos = RELIABLE) -> TopicState:
    """Return topic /t subscribed for Float64 publishers with ``qos``."""
    state = topic()
    assert state.on_graph([publisher(qos=qos)]) == [Subscribe(qos)]
    return state


# --- waiting topics -------------------------------------------------------------------------

def test_a_waiting_topic_waits_while_nobody_publishes():
    state = topic()
    assert (state.start(), state.on_graph([]), state.waiting) == ([], [], True)


def test_the_first_publisher_tells_type_and_qos():
    state = topic()
    assert state.on_graph([publisher(qos=LATCHED)]) == [Subscribe(LATCHED)]
    assert (state.waiting, state.type_name, state.subscribed) == (False, FLOAT64, LATCHED)
    assert [s.field for s in state.readers] == ['data']


def test_two_types_on_a_waiting_topic_fail_every_series_and_keep_it_waiting():
    state = topic()
    actions = state.on_graph([publisher(FLOAT64), publisher(INT32)])
    assert actions == [Fail(state.series, f'topic /t has types {FLOAT64} and {INT32}')]
    assert state.waiting


def test_an_uninstalled_type_fails_every_series():
    def resolve(name: str) -> type:
        raise MessageTypeError(f'no message package for {name}')
    state = topic()
    state.resolve = resolve
    assert state.on_graph([publisher('nope_msgs/msg/X')]) == [
        Fail(state.series, 'no message package for nope_msgs/msg/X')]


def test_a_series_whose_field_does_not_fit_fails_alone_and_the_others_subscribe():
    state = topic('data', 'datum')
    actions = state.on_graph([publisher()])
    assert len(actions) == 2
    fail, subscribe = actions
    assert isinstance(fail, Fail) and [s.field for s in fail.series] == ['datum']
    assert fail.why.startswith(f"{FLOAT64}: 'datum': ")
    assert subscribe == Subscribe(RELIABLE)
    assert [s.field for s in state.readers] == ['data']


def test_a_topic_no_series_fits_is_never_subscribed():
    state = topic('datum')
    assert [type(a) for a in state.on_graph([publisher()])] == [Fail]
    assert not state.waiting and state.subscribed is None
    assert state.on_graph([publisher(), publisher(INT32)]) == []


@pytest.mark.parametrize(('qos', 'start'), [
    ('auto', []),  # waits for publishers, to match their QoS
    ('reliable', [Subscribe(RELIABLE)]),
    ('best_effort', [Subscribe(BEST_EFFORT)]),
    ('sensor_data', [Subscribe(BEST_EFFORT)]),
])
def test_a_typed_topic_subscribes_at_once_only_with_an_explicit_qos(qos, start):
    assert topic(type=FLOAT64, qos=qos).start() == start


def test_a_typed_topic_fails_while_only_other_types_are_published():
    state = topic(type=FLOAT64)
    assert state.on_graph([publisher(INT32)]) == [
        Fail(state.series, f'publishers send {INT32}, the configuration says {FLOAT64}')]
    assert state.waiting


def test_a_typed_topic_hears_its_type_among_two_and_shows_the_conflict():
    state = topic(type=FLOAT64)
    actions = state.on_graph([publisher(INT32, RELIABLE), publisher(FLOAT64, LATCHED)])
    assert actions == [Subscribe(LATCHED), Conflict(f'topic /t has types {FLOAT64} and {INT32}')]


# --- subscribed topics ----------------------------------------------------------------------

def test_a_type_conflict_shows_once_while_it_lasts_and_clears():
    state = subscribed()
    why = f'topic /t has types {FLOAT64} and {INT32}'
    mixed = [publisher(), publisher(INT32)]
    assert state.on_graph(mixed) == [Conflict(why)]
    assert state.on_graph(mixed) == []
    assert state.on_graph([publisher()]) == [Clear(why)]
    assert state.on_graph([publisher()]) == []
    assert state.on_graph(mixed) == [Conflict(why)]  # it may come back


def test_qos_auto_subscribes_again_for_a_publisher_it_cannot_hear():
    state = subscribed(RELIABLE)
    assert state.on_graph([publisher(qos=RELIABLE), publisher(qos=BEST_EFFORT)]) == [
        Subscribe(BEST_EFFORT, 'a publisher with other QoS appeared; subscribed again '
                               '(reliable, volatile -> best_effort, volatile)')]
    assert state.on_graph([publisher(qos=RELIABLE), publisher(qos=BEST_EFFORT)]) == []


def test_qos_auto_keeps_a_subscription_that_hears_everybody():
    state = subscribed(BEST_EFFORT)
    assert state.on_graph([publisher(qos=RELIABLE), publisher(qos=LATCHED)]) == []


def test_an_explicit_qos_is_kept_whoever_publishes():
    state = topic(qos='reliable')
    assert state.on_graph([publisher(qos=BEST_EFFORT)]) == [Subscribe(RELIABLE)]
    assert state.on_graph([publisher(qos=BEST_EFFORT)], matched=0) == []


def test_a_subscription_dds_never_matches_is_made_again_less_and_less_often():
    state = subscribed()
    publishers = [publisher()]
    attempts = []
    for check in range(1, 200):
        actions = state.on_graph(publishers, matched=0)
        if actions:
            assert actions == [Subscribe(RELIABLE, actions[0].why)]
            assert 'DDS matched 0 of the 1 publisher in the graph for' in actions[0].why
            attempts.append(check)
    gaps = [b - a for a, b in zip([0, *attempts], attempts, strict=False)]
    assert gaps[:3] == [UNMATCHED_CHECKS, 2 * UNMATCHED_CHECKS, 4 * UNMATCHED_CHECKS]
    assert max(gaps) == UNMATCHED_CHECKS_MAX


def test_a_match_resets_the_unmatched_count_and_its_back_off():
    state = subscribed()
    for _ in range(UNMATCHED_CHECKS):
        state.on_graph([publisher()], matched=0)
    assert state.unmatched_limit == 2 * UNMATCHED_CHECKS
    assert state.on_graph([publisher()], matched=1) == []
    assert (state.unmatched, state.unmatched_limit) == (0, UNMATCHED_CHECKS)


@pytest.mark.parametrize('publishers', [
    [publisher(INT32)],  # another type: DDS rightly does not match it
    [publisher(qos=BEST_EFFORT)],  # explicit reliable cannot hear it
])
def test_publishers_it_cannot_hear_are_not_waited_for(publishers):
    state = topic(qos='reliable')
    state.on_graph([publisher()])
    for _ in range(3 * UNMATCHED_CHECKS):
        assert not [a for a in state.on_graph(publishers, matched=0) if isinstance(a, Subscribe)]


def test_subscribing_again_during_a_conflict_shows_the_conflict_again():
    state = subscribed()
    mixed = [publisher(), publisher(INT32)]
    conflict = state.on_graph(mixed)
    actions = []
    for _ in range(UNMATCHED_CHECKS):
        actions = state.on_graph(mixed, matched=0)
    assert [type(a) for a in actions] == [Subscribe, Conflict]
    assert actions[1:] == conflict


def test_matches_are_not_counted_where_rclpy_cannot_count_them():
    state = subscribed()
    for _ in range(3 * UNMATCHED_CHECKS):
        assert state.on_graph([publisher()], matched=None) == []


# --- grouping ---------------------------------------------------------------------------------

def test_series_of_one_topic_share_one_state_with_the_largest_depth():
    config = parse_config("""
charts:
  - title: A
    series:
      - {topic: /t, field: data, depth: 5}
      - {topic: /t, field: data, scale: 2, depth: 50}
      - /u.data
""")
    topics = plan_topics(config)
    assert list(topics) == ['/t', '/u']
    assert (len(topics['/t'].series), topics['/t'].depth, topics['/u'].depth) == (
        2, 50, AUTO_DEPTH)


@pytest.mark.parametrize(('second', 'key', 'message'), [
    ('{topic: /t, field: data, scale: 2, type: std_msgs/Int32}', 'charts[0].series[1].type',
     "type 'std_msgs/msg/Int32' conflicts with 'std_msgs/msg/Float64'"),
    ('{topic: /t, field: data, scale: 2, qos: best_effort}', 'charts[0].series[1].qos',
     "qos 'best_effort' conflicts with 'reliable'"),
    ('{topic: /t, field: datum, scale: 2}', 'charts[0].series[1].field',
     "'datum': std_msgs/msg/Float64 has no field 'datum'"),
])
def test_what_cannot_be_planned_is_a_config_error_naming_line_and_key(second, key, message):
    config = parse_config(
        'charts:\n  - title: A\n    series:\n'
        '      - {topic: /t, field: data, type: std_msgs/msg/Float64, qos: reliable}\n'
        f'      - {second}\n', 'robot.yaml')
    with pytest.raises(ConfigError) as caught:
        plan_topics(config)
    assert (caught.value.source, caught.value.line, caught.value.key) == ('robot.yaml', 5, key)
    assert message in caught.value.message


def test_an_unknown_named_type_is_a_config_error_at_its_type_key():
    config = parse_config('charts: [{title: A, series: [{topic: /t, field: x, '
                          'type: nope_msgs/msg/Thing}]}]', 'robot.yaml')
    with pytest.raises(ConfigError) as caught:
        plan_topics(config)
    assert caught.value.key == 'charts[0].series[0].type'
    assert 'nope_msgs' in caught.value.message


# --- charts changed at run time ---------------------------------------------------------------

def _config(*series: str):
    """Return a configuration of one chart with these series entries (flow YAML)."""
    return parse_config(f"charts: [{{title: T, series: [{', '.join(series)}]}}]", '<test>')


def _running(*series: str) -> dict[str, TopicState]:
    """Plan ``series`` and let the graph subscribe every topic with a Float64 publisher."""
    topics = plan_topics(_config(*series))
    for state in topics.values():
        state.on_graph([publisher(qos=BEST_EFFORT)])
    return topics


def test_a_topic_whose_series_stay_keeps_its_state_and_new_topics_start():
    old = _running('/a.data')
    replan = replan_topics(old, _config('/a.data', '/b.data'), {'/b': []}, source='req')
    assert replan.topics['/a'] is old['/a']
    assert (replan.dropped, replan.rewritten, replan.started) == ((), (), ('/b',))
    assert replan.topics['/b'].waiting


def test_a_topic_no_series_reads_any_more_is_dropped():
    old = _running('/a.data', '/b.data')
    replan = replan_topics(old, _config('/a.data'), {}, source='req')
    assert (replan.dropped, replan.rewritten, replan.started) == (('/b',), (), ())
    assert list(replan.topics) == ['/a']


def test_a_subscribed_topic_with_another_series_keeps_subscription_and_type():
    old = _running('/a.data')
    config = _config('/a.data', '{topic: /a, field: data, scale: 2}')
    replan = replan_topics(old, config, {}, source='req')
    state = replan.topics['/a']
    assert (replan.dropped, replan.rewritten, replan.started) == ((), ('/a',), ())
    assert state is not old['/a'] and not state.waiting
    assert (state.subscribed, state.type_name) == (BEST_EFFORT, FLOAT64)
    assert [s.id for s in state.readers] == ['s0', 's1'] and state.msg_class is not None
    assert state.on_graph([publisher(qos=BEST_EFFORT)]) == []  # nothing to do: as before


@pytest.mark.parametrize('change', [
    '{topic: /a, field: data, qos: reliable}', '{topic: /a, field: data, depth: 7}',
    f'{{topic: /a, field: data, type: {INT32}}}'])
def test_a_topic_whose_subscription_must_change_starts_over(change):
    old = _running('/a.data')
    replan = replan_topics(old, _config(change), {}, source='req')
    assert (replan.dropped, replan.rewritten, replan.started) == (('/a',), (), ('/a',))


@pytest.mark.parametrize('graph, topic_name', [
    ({}, '/a'),  # the subscription knows the type
    ({'/b': [FLOAT64]}, '/b'),  # a topic not charted yet: the graph knows it
])
def test_a_path_that_does_not_fit_the_known_type_is_refused_naming_its_key(graph, topic_name):
    old = _running('/a.data')
    config = _config('/a.data', f'{{topic: {topic_name}, field: dta}}')
    with pytest.raises(ConfigError) as caught:
        replan_topics(old, config, graph, source='request body')
    assert str(caught.value).startswith(
        "request body:1: charts[0].series[1].field: 'dta': std_msgs/msg/Float64 has no field")


@pytest.mark.parametrize('graph, error', [
    ({}, 'request body:1: charts[0].series[0].topic: topic /b is not in the ROS graph'),
    ({'/b': ['nope_msgs/msg/Nothing']},
     'request body:1: charts[0].series[0].topic: no message package "nope_msgs" is installed'),
])
def test_a_new_topic_must_be_in_the_graph_with_an_installed_type(graph, error):
    with pytest.raises(ConfigError) as caught:
        replan_topics({}, _config('/b.x'), graph, source='request body')
    assert str(caught.value).startswith(error)


def test_a_topic_of_two_types_is_left_to_the_graph_check():
    replan = replan_topics({}, _config('/b.x'), {'/b': [FLOAT64, INT32]}, source='req')
    assert replan.started == ('/b',) and replan.topics['/b'].waiting
