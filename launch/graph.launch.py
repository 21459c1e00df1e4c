# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Start the rtgraph bridge; ``demo:=true`` also starts the simulated robot.

    ros2 launch ros2_rtgraph graph.launch.py config:=/path/to/robot.yaml port:=8080

Every argument maps to the node parameter of the same meaning. An argument left at its "not
given" value (empty; ``auto`` for the token) is not passed at all, so the value in the YAML
file's ``server:`` section stays in force. ``token:=none`` switches access control off: it
passes the empty token, as ``token: ''`` in the YAML does (a shell strips the quotes of
``token:=''`` and ros2launch refuses the empty value; ``token:="''"`` works too). Values go
through as strings (``value_type=str``) because launch would otherwise turn a numeric token into
a number; the node converts and checks each one.

rtgraph is required: when it exits, the launch shuts down (the simulated robot too), and when it
failed, the launch fails: ``Shutdown`` alone ends a launch with status 0, an error raised in an
action makes ``ros2 launch`` exit 1 (``LaunchService.run``: "non-zero if there are any errors").
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.actions import OpaqueFunction
from launch.actions import Shutdown
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch.substitutions import PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

PACKAGE = 'ros2_rtgraph'

# Launch argument -> (node parameter, default, description). A string default means "not
# given": at that value no parameter is passed and the YAML's value stays in force.
ARGUMENTS = {
    'config': (
        'config_file', PathJoinSubstitution([FindPackageShare(PACKAGE), 'config', 'demo.yaml']),
        'YAML file naming the charts and topics (default: the demo robot).'),
    'host': ('host', '', 'Address the web server binds; empty = server.host from the YAML.'),
    'port': ('port', '', 'TCP port of the web server; empty = server.port from the YAML.'),
    'token': (
        'token', 'auto',
        'Access token for the web page; auto = server.token from the YAML (generated when it '
        "has none); none (or '') = no token, access control off."),
    'frame_rate': (
        'frame_rate', '', 'Stream frames per second; empty = server.frame_rate from the YAML.'),
}
# token:= values for "no token"; the node takes the empty string as that (node.EMPTY_IS_A_VALUE).
NO_TOKEN = ('none', "''", '""')


def _rtgraph_failed(context) -> None:
    """Fail the launch when rtgraph exited with an error, so ``ros2 launch`` exits non-zero."""
    returncode = context.locals.event.returncode
    if returncode != 0:
        raise RuntimeError(f'rtgraph failed (exit code {returncode}); launch stopped')


def _rtgraph(context) -> list[Node]:
    """Start rtgraph with a parameter for each argument that was given."""
    parameters = {}
    for name, (parameter, default, _) in ARGUMENTS.items():
        value = LaunchConfiguration(name).perform(context)
        if value == default:  # config's default is a substitution: always passed
            continue
        if name == 'token' and value in NO_TOKEN:
            value = ''
        parameters[parameter] = ParameterValue(value, value_type=str)
    return [Node(package=PACKAGE, executable='rtgraph', name='rtgraph', output='screen',
                 parameters=[parameters],
                 on_exit=[Shutdown(reason='rtgraph exited'),
                          OpaqueFunction(function=_rtgraph_failed)])]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments and the nodes they configure."""
    declarations = [
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (_, default, description) in ARGUMENTS.items()]
    declarations.append(DeclareLaunchArgument(
        'demo', default_value='false', choices=['true', 'false'],
        description='Also start rtgraph_demo, a simulated robot publishing sensor topics.'))
    return LaunchDescription([
        *declarations,
        OpaqueFunction(function=_rtgraph),
        Node(package=PACKAGE, executable='rtgraph_demo', name='rtgraph_demo', output='screen',
             condition=IfCondition(LaunchConfiguration('demo'))),
    ])
