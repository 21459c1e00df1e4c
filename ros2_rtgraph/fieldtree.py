# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
A message type's fields as a tree, for the page's field picker: what can be charted, by which path.

Each field says its type (as the message class spells it), the path that reaches it in the
path language (:mod:`ros2_rtgraph.pathsyntax`), and what kind of thing it is: ``number`` (and
booleans) is a leaf that can be charted as it is; ``text`` needs a filter or ``.@number``;
``message`` has ``fields`` and, where one applies, ``reducers`` (``.@yaw`` of a quaternion);
``array`` has ``size`` (None: unbounded), its element's kind and, for elements that are
messages, their ``fields`` under ``<path>[:]``; for numbers, ``lookups`` names the sibling
string sequences that pick an element by name (``position[name=="elbow"]``). Only the path
language's checker (:func:`ros2_rtgraph.fieldpath.check_path`) says what a path finally means;
the tree only offers.
"""

from ros2_rtgraph.fieldpath import NUMERIC_TYPES
from ros2_rtgraph.modifiers import REDUCERS
from ros2_rtgraph.msgtypes import container
from ros2_rtgraph.msgtypes import element_class
from ros2_rtgraph.msgtypes import is_string
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import nested_class
from ros2_rtgraph.msgtypes import type_name

#: Message levels the tree goes down (ROS messages nest a handful deep; this only bounds it).
MAX_DEPTH = 12


def field_tree(msg_class: MessageClass, prefix: str = '', depth: int = MAX_DEPTH) -> list[dict]:
    """
    Return the fields of a message type, nested messages and their fields included.

    :param msg_class: a generated message class, e.g. ``sensor_msgs.msg.JointState``.
    :param prefix: the path of the message the fields are in ('' at the top).
    :param depth: message levels still to go down; below, messages are listed without fields.
    :return: JSON-ready entries ``{'name', 'type', 'path', 'kind', ...}`` in the message's
        order (module docstring).
    """
    fields = msg_class.get_fields_and_field_types()
    strings = [name for name, spelled in fields.items() if _is_string_sequence(spelled)]
    entries = []
    for (name, spelled), slot in zip(fields.items(), msg_class.SLOT_TYPES, strict=True):
        path = f'{prefix}.{name}' if prefix else name
        entry: dict = {'name': name, 'type': spelled, 'path': path}
        nested = nested_class(slot)
        split = container(spelled)
        if nested is not None:
            entry['type'] = type_name(nested)
            entry.update(_message(nested, path, depth))
        elif split is not None:
            element = element_class(slot)
            if element is not None:
                entry.update(_message(element, f'{path}[:]', depth))
            entry.update(kind='array', size=split.size,
                         element='message' if element else _leaf_kind(split.element))
            if entry['element'] == 'number':
                entry['lookups'] = [s for s in strings if s != name]
        else:
            entry['kind'] = _leaf_kind(spelled)
        entries.append(entry)
    return entries


def name_sequences(tree: list[dict]) -> list[str]:
    """Return the paths of the string sequences a tree has outside any array: name lookups."""
    paths = []
    for entry in tree:
        if entry['kind'] == 'array' and entry.get('element') == 'text':
            paths.append(entry['path'])
        elif entry['kind'] == 'message':
            paths += name_sequences(entry['fields'])
    return paths


def _message(msg_class: MessageClass, path: str, depth: int) -> dict:
    """Return what a message field adds to its entry: its fields and its reducers."""
    name = type_name(msg_class)
    entry: dict = {'kind': 'message'}
    reducers = [f'@{reducer}' for reducer, r in REDUCERS.items() if name in r.types]
    if reducers:
        entry['reducers'] = reducers
    entry['fields'] = field_tree(msg_class, path, depth - 1) if depth > 0 else []
    return entry


def _leaf_kind(spelled: str) -> str:
    if spelled in NUMERIC_TYPES:
        return 'number'
    return 'text' if is_string(spelled) else 'other'


def _is_string_sequence(spelled: str) -> bool:
    split = container(spelled)
    return split is not None and is_string(split.element)
