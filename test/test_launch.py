# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
launch/graph.launch.py, checked structurally.

``launch`` and ``launch_ros`` are not published as wheels, so they cannot be installed in this
environment and the launch file cannot be run here. These tests read it with ``ast``: it
parses, declares the arguments config, host, port, token, frame_rate and demo, maps them to the
parameters the node really declares, and starts package ``ros2_rtgraph`` executables that
setup.py really installs. What those executables do is tested for real in test_main.py.
"""

import ast
from fnmatch import fnmatch
import importlib
from pathlib import Path

import pytest

from ros2_rtgraph.node import PARAMETERS

REPO = Path(__file__).resolve().parent.parent
LAUNCH_FILE = REPO / 'launch' / 'graph.launch.py'
ARGUMENTS = {'config', 'host', 'port', 'token', 'frame_rate'}


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


def calls(tree: ast.Module, name: str) -> list[ast.Call]:
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


def test_starts_rtgraph_with_the_parameters_and_the_demo_on_condition(tree):
    constants = module_constants(tree)
    nodes = {value_of(keyword(c, 'executable'), constants): c for c in calls(tree, 'Node')}
    assert set(nodes) == {'rtgraph', 'rtgraph_demo'}
    for call in nodes.values():
        assert value_of(keyword(call, 'package'), constants) == 'ros2_rtgraph'
    assert ast.unparse(keyword(nodes['rtgraph'], 'parameters')) == '[parameters]'
    # rtgraph is built at launch time, from the arguments' values.
    opaque = calls(tree, 'OpaqueFunction')
    assert [ast.unparse(keyword(c, 'function')) for c in opaque] == ['_rtgraph']
    builder = next(node for node in tree.body
                   if isinstance(node, ast.FunctionDef) and node.name == '_rtgraph')
    source = ast.unparse(builder)
    assert 'LaunchConfiguration(name).perform(context)' in source
    assert 'if value != default' in source
    assert 'parameters[parameter] = ParameterValue(value, value_type=str)' in source
    condition = ast.unparse(keyword(nodes['rtgraph_demo'], 'condition'))
    assert condition == "IfCondition(LaunchConfiguration('demo'))"


def test_defaults_mean_not_given_and_an_empty_token_switches_auth_off(tree):
    defaults = argument_defaults(tree)
    assert defaults['config'] is None  # the packaged demo.yaml, always passed
    assert defaults['host'] == defaults['port'] == defaults['frame_rate'] == ''
    # '' is a real token value (no authentication), so "not given" needs another word.
    assert defaults['token'] == 'auto'


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
