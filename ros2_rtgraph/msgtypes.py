# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Message types: their names, their Python classes, and how the classes spell their fields.

Message packages are imported lazily, inside the functions, so this module imports on a
machine without ROS; only the packages a configuration names are ever loaded.

The generated classes describe themselves the same way on Humble, Jazzy and Kilted:
``get_fields_and_field_types()`` spells each field's type ('double[9]', 'sequence<double, 3>',
'string<10>', 'geometry_msgs/Vector3') and ``SLOT_TYPES`` holds the rosidl_parser definitions
in the same order, which lead to nested classes. This module is the one reader of that
grammar; field paths (fieldpath.py) and the CDR layout (rawdecode.py) ask it.
"""

import difflib
import importlib
import re
from typing import NamedTuple
from typing import Protocol
from typing import runtime_checkable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rosidl_parser comes with the message packages, not without them
    from rosidl_parser.definition import AbstractType

# 'sensor_msgs/msg/Imu' or the short form 'sensor_msgs/Imu' (as `ros2 topic echo` accepts).
_TYPE_NAME = re.compile(
    r'(?P<package>[a-z][a-z0-9_]*)/(?:(?P<interface>[a-z]+)/)?(?P<name>[A-Z][A-Za-z0-9]*)')
# How get_fields_and_field_types() spells containers: 'double[9]', 'sequence<double>',
# 'sequence<double, 3>' (bounded); the element may be 'pkg/Type' or 'string<10>'.
_ARRAY = re.compile(r'(?P<element>.+)\[(?P<size>[0-9]+)\]')
_SEQUENCE = re.compile(r'sequence<(?P<element>.+?)(?:, (?P<size>[0-9]+))?>')
_STRING = re.compile(r'string(?:<[0-9]+>)?')

#: The fields a message with a header (see :func:`has_header`) is read at for its stamp, as
#: field path segments: seconds, then nanoseconds.
HEADER_STAMP = (('header', 'stamp', 'sec'), ('header', 'stamp', 'nanosec'))


@runtime_checkable
class MessageClass(Protocol):
    """
    What this package uses of a generated message class.

    The classes are made by a metaclass at import time and carry no type information;
    ``isinstance(x, MessageClass)`` tells a message class from its messages and from the other
    attributes of a message module.
    """

    __name__: str
    SLOT_TYPES: tuple['AbstractType', ...]

    def get_fields_and_field_types(self) -> dict[str, str]: ...


class ArrayType(NamedTuple):
    """A fixed-size array type string, split: 'double[9]' is ('double', 9)."""

    element: str
    size: int


class SequenceType(NamedTuple):
    """A sequence type string, split: 'sequence<double, 3>' is ('double', 3)."""

    element: str
    size: int | None  # the bound; None: unbounded


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
            f"malformed message type {name!r}: expected 'package/msg/Type' or 'package/Type' "
            "(e.g. 'sensor_msgs/msg/Imu')")
    if match['interface'] not in (None, 'msg'):
        raise MessageTypeError(
            f"{name!r} is not a message type: only messages ('package/msg/Type', "
            "e.g. 'sensor_msgs/msg/Imu') can be subscribed to")
    return f"{match['package']}/msg/{match['name']}"


def message_class(name: str) -> MessageClass:
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
    if not isinstance(msg_class, MessageClass):
        known = [n for n in dir(module) if _TYPE_NAME.fullmatch(f'{package}/{n}')]
        close = difflib.get_close_matches(type_, known, n=1)
        hint = f" (did you mean '{package}/msg/{close[0]}'?)" if close else ''
        raise MessageTypeError(f'package "{package}" has no message type "{type_}"{hint}')
    return msg_class


def type_name(msg_class: MessageClass) -> str:
    """
    Return the full type name of a generated message class, for messages and logs.

    :param msg_class: e.g. ``sensor_msgs.msg.Imu``
    :return: e.g. 'sensor_msgs/msg/Imu'
    """
    package, interface = msg_class.__module__.split('.')[:2]
    return f'{package}/{interface}/{msg_class.__name__}'


def has_header(msg_class: MessageClass) -> bool:
    """
    Tell whether messages of this class carry a ``header`` field of type std_msgs/Header.

    :param msg_class: a generated message class
    """
    return msg_class.get_fields_and_field_types().get('header') == 'std_msgs/Header'


def container(type_string: str) -> ArrayType | SequenceType | None:
    """
    Split an array or sequence type string.

    :param type_string: a field's type as ``get_fields_and_field_types()`` spells it
    :return: e.g. ``ArrayType('double', 9)`` for 'double[9]', ``SequenceType('double', None)``
        for 'sequence<double>'; None for anything else (a primitive, a string, a message)
    """
    if (array := _ARRAY.fullmatch(type_string)) is not None:
        return ArrayType(array['element'], int(array['size']))
    if (sequence := _SEQUENCE.fullmatch(type_string)) is not None:
        bound = sequence['size']
        return SequenceType(sequence['element'], None if bound is None else int(bound))
    return None


def is_string(type_string: str) -> bool:
    """Tell whether a type string is a string, bounded ('string<10>') or not (no wstrings)."""
    return _STRING.fullmatch(type_string) is not None


def nested_class(slot: object) -> MessageClass | None:
    """
    Return the class of a nested message field.

    :param slot: the field's ``SLOT_TYPES`` entry
    :return: e.g. ``geometry_msgs.msg.Vector3``; None when the field is no message (a
        primitive, a string, an array or a sequence)
    """
    from rosidl_parser.definition import NamespacedType  # there whenever a message class is
    if not isinstance(slot, NamespacedType):
        return None
    return getattr(importlib.import_module('.'.join(slot.namespaces)), slot.name)


def element_class(slot: object) -> MessageClass | None:
    """
    Return the class of the elements of an array or sequence of messages.

    :param slot: the field's ``SLOT_TYPES`` entry
    :return: e.g. ``geometry_msgs.msg.Pose`` for 'sequence<geometry_msgs/Pose>'; None when the
        field is no container or its elements are no messages
    """
    from rosidl_parser.definition import AbstractNestedType
    if not isinstance(slot, AbstractNestedType):
        return None
    return nested_class(slot.value_type)
