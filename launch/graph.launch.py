# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Start the rtgraph bridge; ``demo:=true`` also starts the simulated robot.

    ros2 launch ros2_rtgraph graph.launch.py config:=/path/to/robot.yaml port:=8080

Every argument maps to the node parameter of the same meaning. An argument left empty is passed
as an empty string, which the node treats as "not given": the value in the YAML file's
``server:`` section stays in force. Values go through as strings (``value_type=str``) because
launch would otherwise read an empty argument as YAML null and reject it, and would turn a
numeric token into a number; the node converts and checks each one.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch.substitutions import PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

PACKAGE = 'ros2_rtgraph'

# Launch argument -> (node parameter, default, description).
ARGUMENTS = {
    'config': (
        'config_file', PathJoinSubstitution([FindPackageShare(PACKAGE), 'config', 'demo.yaml']),
        'YAML file naming the charts and topics (default: the demo robot).'),
    'host': ('host', '', 'Address the web server binds; empty = server.host from the YAML.'),
    'port': ('port', '', 'TCP port of the web server; empty = server.port from the YAML.'),
    'token': ('token', '', 'Access token for the web page; empty = server.token from the YAML.'),
    'frame_rate': (
        'frame_rate', '', 'Stream frames per second; empty = server.frame_rate from the YAML.'),
}


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments and the nodes they configure."""
    declarations = [
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (_, default, description) in ARGUMENTS.items()]
    declarations.append(DeclareLaunchArgument(
        'demo', default_value='false', choices=['true', 'false'],
        description='Also start rtgraph_demo, a simulated robot publishing sensor topics.'))
    parameters = {
        parameter: ParameterValue(LaunchConfiguration(name), value_type=str)
        for name, (parameter, _, _) in ARGUMENTS.items()}
    return LaunchDescription([
        *declarations,
        Node(package=PACKAGE, executable='rtgraph', name='rtgraph', output='screen',
             parameters=[parameters]),
        Node(package=PACKAGE, executable='rtgraph_demo', name='rtgraph_demo', output='screen',
             condition=IfCondition(LaunchConfiguration('demo'))),
    ])
