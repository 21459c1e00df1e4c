# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Resolve ROS 2 message type names to their Python classes.

Message packages are imported lazily, inside the functions, so this module imports on a
machine without ROS; only the packages a configuration names are ever loaded.
"""

import difflib
import importlib
import re

# 'sensor_msgs/msg/Imu' or the short form 'sensor_msgs/Imu' (as `ros2 topic echo` accepts).
_TYPE_NAME = re.compile(
    r'(?P<package>[a-z][a-z0-9_]*)/(?:(?P<interface>[a-z]+)/)?(?P<name>[A-Z][A-Za-z0-9]*)')


class MessageTypeError(ValueError):
    """Raised when a message type name cannot be resolved."""


def normalize_type_name(name: str) -> str:
    """
    Return the full form of a message type name.

    :param name: 'sensor_msgs/msg/Imu' or 'sensor_msgs/Imu'
    :return: 'sensor_msgs/msg/Imu'
    :raise MessageTypeError: when the name is malformed or names a service or action
    """
    match = _TYPE_NAME.fullmatch(name)
    if match is None:
        raise MessageTypeError(
            f"malformed message type '{name}': expected 'package/msg/Type' or 'package/Type'")
    if match['interface'] not in (None, 'msg'):
        raise MessageTypeError(
            f"'{name}' is not a message type: only 'package/msg/Type' can be subscribed to")
    return f"{match['package']}/msg/{match['name']}"


def message_class(name: str) -> type:
    """
    Import the Python class of a message type.

    :param name: 'sensor_msgs/msg/Imu' or 'sensor_msgs/Imu'
    :return: the generated message class, e.g. ``sensor_msgs.msg.Imu``
    :raise MessageTypeError: naming the package or type that is not installed
    """
    package, _, type_ = normalize_type_name(name).split('/')
    try:
        module = importlib.import_module(f'{package}.msg')
    except ModuleNotFoundError as e:
        if e.name not in (package, f'{package}.msg'):
            raise MessageTypeError(f'message package "{package}" cannot be loaded: {e}') from e
        raise MessageTypeError(f'no message package "{package}" is installed') from e
    except ImportError as e:  # installed but broken, e.g. a missing type support library
        raise MessageTypeError(f'message package "{package}" cannot be loaded: {e}') from e
    msg_class = getattr(module, type_, None)
    if not hasattr(msg_class, 'get_fields_and_field_types'):
        known = [n for n in dir(module) if _TYPE_NAME.fullmatch(f'{package}/{n}')]
        close = difflib.get_close_matches(type_, known, n=1)
        hint = f" (did you mean '{package}/msg/{close[0]}'?)" if close else ''
        raise MessageTypeError(f'package "{package}" has no message type "{type_}"{hint}')
    return msg_class


def type_name(msg_class: type) -> str:
    """
    Return the full type name of a generated message class, for messages and logs.

    :param msg_class: e.g. ``sensor_msgs.msg.Imu``
    :return: e.g. 'sensor_msgs/msg/Imu'
    """
    package, interface = msg_class.__module__.split('.')[:2]
    return f'{package}/{interface}/{msg_class.__name__}'


def has_header(msg_class: type) -> bool:
    """
    Tell whether messages of this class carry a ``header`` field of type std_msgs/Header.

    :param msg_class: a generated message class
    """
    return msg_class.get_fields_and_field_types().get('header') == 'std_msgs/Header'
