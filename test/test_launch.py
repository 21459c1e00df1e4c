# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
launch/graph.launch.py, checked structurally and run against a stand-in of the launch API.

``launch`` and ``launch_ros`` are not published as wheels, so they cannot be installed in this
environment and ``ros2 launch`` cannot run here. Two kinds of tests instead:

- Structural: the file is read with ``ast``: it declares the arguments config, host, port,
  token, frame_rate and demo, maps them to the parameters the node really declares, and starts
  package ``ros2_rtgraph`` executables that setup.py really installs.
- Executed: the file is imported with small stand-ins of the launch classes it uses put in
  ``sys.modules`` (for that import only). Each stand-in takes the keywords the real class takes
  (Humble's launch and launch_ros, read at their humble branches), so a misspelt keyword fails
  here as it would there, and does the one thing of the real class the file relies on. They
  call ``generate_launch_description()`` and the ``OpaqueFunction`` s as a launch service would,
  so the parameters rtgraph gets for ``token:=none``, the demo node and the ``on_exit`` actions
  are checked by running the file's code, not by reading it. Two tests then hand the
  parameters to the real ``rtgraph`` in a parameter file, as launch_ros does, and give its real
  exit status to the ``on_exit`` actions.

What the stand-ins cannot show is how the real launch service schedules events; that
``Shutdown`` ends a launch with status 0 and an error raised in an action with status 1 is read
from launch's ``LaunchService.run_async`` (see README, "On a robot").
"""

import ast
from collections.abc import Iterator
from fnmatch import fnmatch
import http.client
import importlib
import importlib.util
import os
from pathlib import Path
import signal
import sys
from types import ModuleType
from types import SimpleNamespace

import pytest
from ros_helpers import Bridge
from ros_helpers import run_rtgraph
import yaml

from ros2_rtgraph.node import PARAMETERS

REPO = Path(__file__).resolve().parent.parent
LAUNCH_FILE = REPO / 'launch' / 'graph.launch.py'
ARGUMENTS = {'config', 'host', 'port', 'token', 'frame_rate'}
DEMO_CONFIG = str(REPO / 'config' / 'demo.yaml')
TOKEN = 'launch-token-0123456789'  # at least 16 characters, as rtgraph requires


@pytest.fixture(scope='module')
def tree() -> ast.Module:
    return ast.parse(LAUNCH_FILE.read_text(encoding='utf-8'), filename=str(LAUNCH_FILE))


def module_constants(tree: ast.Module) -> dict[str, object]:
    """Return the module-level ``NAME = <literal>`` assignments that are plain literals."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return constants


def argument_table(tree: ast.Module) -> dict[str, str]:
    """Return launch argument -> node parameter from the ARGUMENTS mapping."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'ARGUMENTS':
            return {ast.literal_eval(key): ast.literal_eval(value.elts[0])
                    for key, value in zip(node.value.keys, node.value.values, strict=True)}
    raise AssertionError('no ARGUMENTS mapping in the launch file')


def calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == name]


def keyword(call: ast.Call, name: str) -> ast.expr:
    return next(k.value for k in call.keywords if k.arg == name)


def value_of(expr: ast.expr, constants: dict[str, object]) -> object:
    return constants[expr.id] if isinstance(expr, ast.Name) else ast.literal_eval(expr)


def test_declares_the_five_arguments_plus_demo(tree):
    assert set(argument_table(tree)) == ARGUMENTS
    declared = calls(tree, 'DeclareLaunchArgument')
    generated = [c for c in declared if isinstance(c.args[0], ast.Name)]
    assert len(generated) == 1  # one declaration per ARGUMENTS entry, with its description
    assert {k.arg for k in generated[0].keywords} >= {'default_value', 'description'}
    demo = [c for c in declared if isinstance(c.args[0], ast.Constant)]
    assert [c.args[0].value for c in demo] == ['demo']
    assert ast.literal_eval(keyword(demo[0], 'default_value')) == 'false'
    assert ast.literal_eval(keyword(demo[0], 'description'))


def test_arguments_map_to_parameters_the_node_declares(tree):
    table = argument_table(tree)
    assert table['config'] == 'config_file'
    assert set(table.values()) <= {parameter.name for parameter in PARAMETERS}
    assert {'host', 'port', 'token', 'frame_rate'} <= set(table.values())


def argument_defaults(tree: ast.Module) -> dict[str, str | None]:
    """Return launch argument -> its default when a plain string, else None (a substitution)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'ARGUMENTS':
            defaults = {}
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                default = value.elts[1]
                defaults[ast.literal_eval(key)] = (
                    default.value if isinstance(default, ast.Constant) else None)
            return defaults
    raise AssertionError('no ARGUMENTS mapping in the launch file')


def test_starts_rtgraph_as_a_required_node_and_the_demo_on_condition(tree):
    constants = module_constants(tree)
    nodes = {value_of(keyword(c, 'executable'), constants): c for c in calls(tree, 'Node')}
    assert set(nodes) == {'rtgraph', 'rtgraph_demo'}
    for call in nodes.values():
        assert value_of(keyword(call, 'package'), constants) == 'ros2_rtgraph'
    assert ast.unparse(keyword(nodes['rtgraph'], 'parameters')) == '[parameters]'
    # rtgraph is built at launch time, from the arguments' values, and required: its exit
    # shuts the launch down (Shutdown from launch.actions), its failure fails it.
    on_exit = keyword(nodes['rtgraph'], 'on_exit')
    assert isinstance(on_exit, ast.List)
    assert [ast.unparse(action.func) for action in on_exit.elts] == ['Shutdown', 'OpaqueFunction']
    imported = {(node.module, alias.name) for node in tree.body
                if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert ('launch.actions', 'Shutdown') in imported
    opaque = calls(tree, 'OpaqueFunction')
    assert sorted(ast.unparse(keyword(c, 'function')) for c in opaque) == [
        '_rtgraph', '_rtgraph_failed']
    condition = ast.unparse(keyword(nodes['rtgraph_demo'], 'condition'))
    assert condition == "IfCondition(LaunchConfiguration('demo'))"
    assert 'on_exit' not in {k.arg for k in nodes['rtgraph_demo'].keywords}


def test_defaults_mean_not_given_and_none_switches_auth_off(tree):
    defaults = argument_defaults(tree)
    assert defaults['config'] is None  # the packaged demo.yaml, always passed
    assert defaults['host'] == defaults['port'] == defaults['frame_rate'] == ''
    # '' cannot be typed as a launch argument (token:= is refused), so "no token" is a word,
    # and so is "not given".
    assert defaults['token'] == 'auto'
    no_token = module_constants(tree)['NO_TOKEN']
    assert {'none', "''"} <= set(no_token)
    assert 'auto' not in no_token


def test_launched_executables_are_console_scripts_setup_py_installs(tree):
    setup = ast.parse((REPO / 'setup.py').read_text(encoding='utf-8'))
    strings = [node.value for node in ast.walk(setup)
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    scripts = dict(
        (part.strip() for part in text.split('='))
        for text in strings if ' = ros2_rtgraph.' in text)
    assert set(scripts) == {'rtgraph', 'rtgraph_demo'}
    for target in scripts.values():
        module, function = target.split(':')
        assert callable(getattr(importlib.import_module(module), function))
    launch_globs = [s for s in strings if s.startswith('launch/')]
    assert any(fnmatch('launch/graph.launch.py', pattern) for pattern in launch_globs)


def test_package_xml_declares_what_the_launch_file_and_ros2_launch_need():
    text = (REPO / 'package.xml').read_text(encoding='utf-8')
    for package in ('launch', 'launch_ros', 'ros2launch'):
        assert f'<exec_depend>{package}</exec_depend>' in text


# --- The stand-in of the launch API -------------------------------------------------------------

# Keywords of launch's ExecuteLocal and ExecuteProcess, which launch_ros' Node passes on.
PROCESS_KEYWORDS = frozenset({
    'prefix', 'cwd', 'env', 'additional_env', 'shell', 'sigterm_timeout', 'sigkill_timeout',
    'emulate_tty', 'output', 'output_format', 'cached_output', 'log_cmd', 'on_exit', 'respawn',
    'respawn_delay', 'condition'})


class Context:
    """What the file's functions read of launch's LaunchContext."""

    def __init__(self, launch_configurations: dict[str, str]):
        self.launch_configurations = launch_configurations
        self.locals = SimpleNamespace()


def perform(substitution: object, context: Context) -> str:
    return substitution if isinstance(substitution, str) else substitution.perform(context)


class LaunchDescription:
    def __init__(self, initial_entities=None):
        self.entities = list(initial_entities or [])


class DeclareLaunchArgument:
    def __init__(self, name, *, default_value=None, description=None, choices=None,
                 condition=None):
        self.name, self.default_value, self.choices = name, default_value, choices
        self.description = description

    def execute(self, context: Context) -> None:
        """Set the default when the argument was not given; refuse a value not in choices."""
        configurations = context.launch_configurations
        if self.name not in configurations:
            configurations[self.name] = perform(self.default_value, context)
        if self.choices is not None and configurations[self.name] not in self.choices:
            raise RuntimeError(f'{self.name}: {configurations[self.name]!r} not in choices')


class OpaqueFunction:
    def __init__(self, *, function, args=None, kwargs=None, condition=None):
        self.function, self.args, self.kwargs = function, args or [], kwargs or {}

    def execute(self, context: Context):
        return self.function(context, *self.args, **self.kwargs)


class Shutdown:
    def __init__(self, *, reason='reason not given', condition=None):
        self.reason = reason


class IfCondition:
    def __init__(self, predicate_expression):
        self.predicate_expression = predicate_expression

    def evaluate(self, context: Context) -> bool:
        value = perform(self.predicate_expression, context).lower()
        if value not in ('true', '1', 'false', '0'):
            raise ValueError(f'invalid condition {value!r}')
        return value in ('true', '1')


class LaunchConfiguration:
    def __init__(self, variable_name, *, default=None):
        self.variable_name = variable_name

    def perform(self, context: Context) -> str:
        return context.launch_configurations[self.variable_name]


class PathJoinSubstitution:
    def __init__(self, substitutions):
        self.substitutions = substitutions

    def perform(self, context: Context) -> str:
        return os.path.join(*(perform(part, context) for part in self.substitutions))


class FindPackageShare:
    def __init__(self, package):
        self.package = package

    def perform(self, context: Context) -> str:
        assert self.package == 'ros2_rtgraph'
        return str(REPO)  # the source tree holds what share/ros2_rtgraph holds


class Node:
    def __init__(self, *, executable, package=None, name=None, namespace=None, exec_name=None,
                 parameters=None, remappings=None, ros_arguments=None, arguments=None,
                 **process):
        unknown = set(process) - PROCESS_KEYWORDS
        assert not unknown, f'Node() takes no keyword {unknown}'
        self.executable, self.package, self.name = executable, package, name
        self.parameters = parameters
        self.on_exit = process.get('on_exit')
        self.condition = process.get('condition')


class ParameterValue:
    def __init__(self, value, *, value_type=None):
        # A plain value must already be of value_type (launch's normalize_typed_substitution).
        if value_type is not None and not isinstance(value, value_type):
            raise TypeError(f'value={value!r} is not an instance of {value_type}')
        self.value, self.value_type = value, value_type


STAND_IN = {
    'launch': {'LaunchDescription': LaunchDescription},
    'launch.actions': {'DeclareLaunchArgument': DeclareLaunchArgument,
                       'OpaqueFunction': OpaqueFunction, 'Shutdown': Shutdown},
    'launch.conditions': {'IfCondition': IfCondition},
    'launch.substitutions': {'LaunchConfiguration': LaunchConfiguration,
                             'PathJoinSubstitution': PathJoinSubstitution},
    'launch_ros': {},
    'launch_ros.actions': {'Node': Node},
    'launch_ros.parameter_descriptions': {'ParameterValue': ParameterValue},
    'launch_ros.substitutions': {'FindPackageShare': FindPackageShare},
}


@pytest.fixture(scope='module')
def graph_launch() -> Iterator[ModuleType]:
    """Import the launch file with the stand-ins in sys.modules (only for that import)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, members in STAND_IN.items():
            module = ModuleType(name)
            vars(module).update(members)
            patch.setitem(sys.modules, name, module)
        spec = importlib.util.spec_from_file_location('graph_launch', LAUNCH_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    yield module


def launch(graph_launch: ModuleType, **arguments: str) -> dict[str, Node]:
    """
    Visit the launch description as a launch service does; return the nodes started by name.

    The arguments are the ``name:=value`` pairs of the command line, as ros2launch passes them.
    """
    description = graph_launch.generate_launch_description()
    declared = {e.name for e in description.entities if isinstance(e, DeclareLaunchArgument)}
    assert set(arguments) <= declared, f'{set(arguments) - declared} not declared'
    context = Context(dict(arguments))
    started = {}
    pending = list(description.entities)
    while pending:
        entity = pending.pop(0)
        if isinstance(entity, Node):
            if entity.condition is None or entity.condition.evaluate(context):
                started[entity.name] = entity
        else:
            pending.extend(entity.execute(context) or [])
    return started


def rtgraph_parameters(node: Node) -> dict[str, object]:
    """Return the parameters given to rtgraph, evaluated."""
    [parameters] = node.parameters
    for value in parameters.values():
        assert value.value_type is str  # launch would otherwise make 1234 a number
    return {name: value.value for name, value in parameters.items()}


def exit_rtgraph(node: Node, returncode: int) -> list[str]:
    """
    Run rtgraph's on_exit actions as launch does on its exit; return the shutdown reasons.

    An action's error propagates, as in launch, where it makes the launch's status 1.
    """
    context = Context({})
    context.locals.event = SimpleNamespace(returncode=returncode)  # launch's ProcessExited
    reasons = []
    for action in node.on_exit:
        if isinstance(action, Shutdown):
            reasons.append(action.reason)
        else:
            action.execute(context)
    return reasons


@pytest.mark.parametrize('value', ['none', "''", '""'])
def test_token_none_or_a_quoted_empty_string_passes_the_empty_token(graph_launch, value):
    # token:=none, or token:="''" (the shell passes the two quote characters on).
    started = launch(graph_launch, token=value)
    assert rtgraph_parameters(started['rtgraph']) == {'config_file': DEMO_CONFIG, 'token': ''}


def test_arguments_at_their_defaults_pass_only_the_config_file(graph_launch):
    started = launch(graph_launch)
    assert set(started) == {'rtgraph'}
    assert rtgraph_parameters(started['rtgraph']) == {'config_file': DEMO_CONFIG}


def test_given_arguments_pass_as_text_to_their_parameters(graph_launch):
    started = launch(graph_launch, config='/robot.yaml', host='127.0.0.1', port='8081',
                     token=TOKEN, frame_rate='10')
    assert rtgraph_parameters(started['rtgraph']) == {
        'config_file': '/robot.yaml', 'host': '127.0.0.1', 'port': '8081', 'token': TOKEN,
        'frame_rate': '10'}


def test_demo_true_also_starts_the_simulated_robot(graph_launch):
    started = launch(graph_launch, demo='true')
    assert {name: node.executable for name, node in started.items()} == {
        'rtgraph': 'rtgraph', 'rtgraph_demo': 'rtgraph_demo'}
    assert all(node.package == 'ros2_rtgraph' for node in started.values())
    with pytest.raises(RuntimeError, match="demo: 'yes' not in choices"):
        launch(graph_launch, demo='yes')


def test_rtgraph_exit_shuts_the_launch_down_and_a_failure_fails_it(graph_launch):
    rtgraph = launch(graph_launch)['rtgraph']
    assert exit_rtgraph(rtgraph, 0) == ['rtgraph exited']
    for returncode in (2, 1, -9):
        with pytest.raises(RuntimeError, match=rf'^rtgraph failed \(exit code {returncode}\)'):
            exit_rtgraph(rtgraph, returncode)


# --- What the stand-in's output does to the real rtgraph ----------------------------------------

def rtgraph_command_of(node: Node, directory: Path) -> list[str]:
    """
    Return the command launch_ros runs for the node, with its parameters in a file.

    launch_ros writes a dict of parameters with ``yaml.dump`` under ``/**`` (no namespace
    given) and ``ros__parameters``, and passes ``--params-file`` (its Node's
    ``_create_params_file_from_dict``).
    """
    path = directory / 'launch_params.yaml'
    path.write_text(yaml.dump({'/**': {'ros__parameters': rtgraph_parameters(node)}}),
                    encoding='utf-8')
    return [sys.executable, '-m', 'ros2_rtgraph.main', '--ros-args',
            '-r', f'__node:={node.name}', '--params-file', str(path)]


def status_of(bridge: Bridge, path: str) -> int:
    connection = http.client.HTTPConnection(bridge.host, bridge.port, timeout=10)
    try:
        connection.request('GET', path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(('value', 'token'), [('none', ''), ("''", ''), (TOKEN, TOKEN)])
def test_the_token_argument_reaches_the_real_rtgraph(graph_launch, tmp_path, value, token):
    rtgraph = launch(graph_launch, host='127.0.0.1', port='0', token=value)['rtgraph']
    bridge = Bridge(rtgraph_command_of(rtgraph, tmp_path))
    try:
        bridge.wait_serving()
        assert bridge.token == token
        assert status_of(bridge, '/api/config') == (200 if token == '' else 401)
        returncode = bridge.stop(signal.SIGINT)
    finally:
        bridge.close()
    assert returncode == 0
    assert exit_rtgraph(rtgraph, returncode) == ['rtgraph exited']  # a clean stop: status 0


def test_a_failing_rtgraph_fails_the_launch(graph_launch, tmp_path):
    missing = tmp_path / 'missing.yaml'
    rtgraph = launch(graph_launch, config=str(missing), host='127.0.0.1', port='0')['rtgraph']
    result = run_rtgraph(rtgraph_command_of(rtgraph, tmp_path))
    assert (result.returncode, result.stderr) == (2, f'rtgraph: {missing}: file not found\n')
    with pytest.raises(RuntimeError, match=r'rtgraph failed \(exit code 2\)'):
        exit_rtgraph(rtgraph, result.returncode)
